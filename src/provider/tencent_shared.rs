//! What the two Tencent Cloud clients (API 3.0 and the legacy API) share:
//! parsing the endpoint into a URL and its `Host`, running the offset
//! paging over a page fetcher that page tasks can share, reading a
//! response, and classifying an HTTP status that carries no API error.
//! Each API keeps its own signing and its own API error classes.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::http::{Client, FetchError, RetryPolicy, display_url};
use crate::provider::PageSink;
use crate::provider::offset_paging::{self, OffsetPage, OffsetPaging, PAGE_CONCURRENCY};
use crate::provider::{FetchContext, redact_secrets, redact_text};

/// Fetches one page by offset, applying the retry policy itself.
pub trait PageApi: Send + Sync + 'static {
    /// The page at `offset`, checked for an API error.
    fn page(&self, offset: u64) -> impl Future<Output = Result<OffsetPage, FetchError>> + Send;
}

/// Lists every page of `api` (pages of `page_size`, fetched concurrently)
/// into `listing`; see [`offset_paging`].
pub async fn list_pages<A: PageApi>(
    api: A,
    page_size: u32,
    context: &FetchContext<'_>,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    let api = Arc::new(api);
    let paging = OffsetPaging {
        page_size,
        concurrency: PAGE_CONCURRENCY,
    };
    let fetch_page = |offset| {
        let api = Arc::clone(&api);
        async move { api.page(offset).await }
    };
    offset_paging::list(paging, fetch_page, context.progress, listing).await
}

/// What a page request of either API needs beyond its own credentials
/// and parameters, owned, so that pages can be fetched on tasks of their
/// own.
pub struct Requests {
    pub client: Client,
    pub retry: RetryPolicy,
    pub url: reqwest::Url,
    /// The `Host` header, sent and signed.
    pub host: String,
    /// The endpoint as shown in errors.
    pub shown: String,
    pub region: String,
    pub page_size: u32,
}

impl Requests {
    /// The source's requests to its endpoint (or `default_endpoint`),
    /// without the endpoint's query string when `drop_query`.
    pub fn new(
        context: &FetchContext<'_>,
        default_endpoint: &str,
        drop_query: bool,
        page_size: u32,
    ) -> Result<Requests, FetchError> {
        let (mut url, host) = endpoint(context, default_endpoint)?;
        if drop_query {
            url.set_query(None);
        }
        Ok(Requests {
            client: context.client.clone(),
            retry: context.retry,
            shown: display_url(&url),
            url,
            host,
            region: context.source.region.clone(),
            page_size,
        })
    }
}

/// The source's endpoint (or `default_endpoint`) as a URL, with the `Host`
/// header it implies (`host` or `host:port`).
fn endpoint(
    context: &FetchContext<'_>,
    default_endpoint: &str,
) -> Result<(reqwest::Url, String), FetchError> {
    let source = context.source;
    let endpoint = source
        .endpoint_or_default()
        .unwrap_or_else(|| default_endpoint.to_string());
    let url = reqwest::Url::parse(&endpoint).map_err(|error| {
        FetchError::Config(format!(
            "source {}: endpoint {endpoint:?} is not a URL: {error}",
            source.name
        ))
    })?;
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => {
            return Err(FetchError::Config(format!(
                "source {}: endpoint {endpoint:?} has no host",
                source.name
            )));
        }
    };
    Ok((url, host))
}

/// Sends `request` through the source's client (no redirects, the body
/// within its cap) and hands the reply's status, `Retry-After` and body to
/// `read`; `origin` names the request in errors.
pub async fn send<T>(
    client: &Client,
    request: reqwest::RequestBuilder,
    origin: &str,
    read: impl FnOnce(StatusCode, Option<Duration>, &[u8]) -> Result<T, FetchError>,
) -> Result<T, FetchError> {
    let reply = client.send(request, origin).await?;
    let retry_after = crate::http::retry_after(&reply.headers);
    read(reply.status, retry_after, &reply.body)
}

/// The body of a response, or the error it reports: the API error that
/// `api_error` finds in the JSON first (with any status), then the HTTP
/// status, then the JSON itself.
pub fn read_body(
    origin: &str,
    status: StatusCode,
    retry_after: Option<Duration>,
    bytes: &[u8],
    api_error: impl Fn(&Value) -> Option<FetchError>,
) -> Result<Value, FetchError> {
    let parsed = serde_json::from_slice::<Value>(bytes);
    if let Ok(body) = &parsed
        && api_error(body).is_some()
        // The error read again from the body without its secret values.
        && let Some(error) = api_error(&redacted(body))
    {
        // A 5xx is retried whatever its body says (the README's promise):
        // a server that fails may say anything.
        if status.is_server_error() && !error.is_retryable() {
            return Err(FetchError::Server(format!("HTTP {status}: {error}")));
        }
        return Err(error);
    }
    if !status.is_success() {
        return Err(status_error(origin, status, retry_after, bytes));
    }
    parsed.map_err(|error| FetchError::Decode(format!("{origin}: not JSON: {error}")))
}

fn redacted(body: &Value) -> Value {
    let mut body = body.clone();
    redact_secrets(&mut body);
    body
}

/// The error of a non-success HTTP status whose body reports no API error:
/// 429 throttled, 401/403 auth, 5xx server, anything else a refusal; the
/// message quotes the start of the body.
fn status_error(
    origin: &str,
    status: StatusCode,
    retry_after: Option<Duration>,
    bytes: &[u8],
) -> FetchError {
    let text = redact_text(&String::from_utf8_lossy(bytes));
    let excerpt: String = text.chars().take(200).collect();
    let message = format!("{origin}: HTTP {status}: {excerpt}");
    match status.as_u16() {
        429 => FetchError::Throttled {
            message,
            retry_after,
        },
        401 | 403 => FetchError::Auth(message),
        500..=599 => FetchError::Server(message),
        _ => FetchError::Rejected(message),
    }
}
