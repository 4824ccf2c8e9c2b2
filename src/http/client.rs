//! The one HTTP client every source uses ([`build_client`] is the only place
//! a `reqwest::Client` is made, [`Client::send`] the only place a response
//! is read). What it guarantees, whatever the server does:
//! - **No redirect is followed.** A 3xx fails the request, naming the
//!   status and the `Location`: a redirect could hand a token header, a
//!   re-POSTed password or a signed query to another host, or downgrade to
//!   http. No request sends `Referer`.
//! - **Every body is read within a cap** (`max_response_bytes`), as a
//!   stream: a body announced or found larger fails the request as soon as
//!   it passes the cap, so that a huge or endless body costs at most the cap
//!   in memory.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{RequestBuilder, StatusCode, Url};

use super::{FetchError, display_url};

/// `vpnsnap/<version>`, sent with every request.
pub const USER_AGENT: &str = concat!("vpnsnap/", env!("CARGO_PKG_VERSION"));

/// The largest response body read by default: 64 MiB, hundreds of times a
/// real page of any provider.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// How the client of one source is built.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The whole request, connect to last body byte.
    pub timeout: Duration,
    /// A PEM file of extra trusted root certificates (a private CA).
    pub ca_file: Option<PathBuf>,
    /// The largest body read; a larger one fails the request.
    pub max_response_bytes: u64,
    /// Whether the operating system's roots are trusted beside the
    /// built-in (Mozilla) ones.
    pub system_roots: bool,
}

impl Default for HttpOptions {
    fn default() -> HttpOptions {
        HttpOptions {
            timeout: Duration::from_secs(30),
            ca_file: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            system_roots: false,
        }
    }
}

/// A source's HTTP client; see the module docs.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    max_response_bytes: u64,
}

/// A response read whole: its status, headers and body.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text, invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Builds the client for one source; nothing else constructs a
/// `reqwest::Client`.
pub fn build_client(options: &HttpOptions) -> Result<Client, FetchError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .use_rustls_tls()
        .tls_built_in_webpki_certs(true)
        .tls_built_in_native_certs(options.system_roots);
    if let Some(path) = &options.ca_file {
        let pem = std::fs::read(path)
            .map_err(|error| FetchError::Config(format!("ca_file {}: {error}", path.display())))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| {
            FetchError::Config(format!(
                "ca_file {}: not PEM certificates: {error}",
                path.display()
            ))
        })?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    let inner = builder
        .build()
        .map_err(|error| FetchError::Config(format!("building the HTTP client: {error}")))?;
    Ok(Client {
        inner,
        max_response_bytes: options.max_response_bytes,
    })
}

impl Client {
    /// A `GET` of `url`, to be given to [`Client::send`].
    pub fn get(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.inner.get(url)
    }

    /// A `POST` to `url`, to be given to [`Client::send`].
    pub fn post(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.inner.post(url)
    }

    /// Sends `request` and reads its reply whole, within the cap; `shown`
    /// (a URL safe to show, see [`display_url`]) names it in errors. A 3xx
    /// is an error ([`FetchError::Redirect`]), as is a body over the cap
    /// ([`FetchError::TooLarge`]); any other status is the caller's to read.
    pub async fn send(&self, request: RequestBuilder, shown: &str) -> Result<Reply, FetchError> {
        let mut response = request.send().await.map_err(|error| {
            if error.is_builder() {
                FetchError::Config(format!(
                    "{shown}: the request cannot be built (check the source's credentials and \
                     region for characters not allowed in HTTP headers)"
                ))
            } else {
                FetchError::transport(shown, &error)
            }
        })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .map(|value| shown_location(&String::from_utf8_lossy(value.as_bytes())));
            return Err(FetchError::Redirect(format!(
                "{shown}: HTTP {status} to {}; vpnsnap follows no redirects, so that credentials \
                 never leave the endpoint they are for: configure the endpoint the API answers on",
                location.as_deref().unwrap_or("no Location")
            )));
        }
        let cap = self.max_response_bytes;
        let too_large = |what: String| {
            FetchError::TooLarge(format!(
                "{shown}: HTTP {status} {what}, more than max_response_bytes = {cap}"
            ))
        };
        if let Some(length) = response.content_length()
            && length > cap
        {
            return Err(too_large(format!("announces a body of {length} bytes")));
        }
        let headers = response.headers().clone();
        let cap_len = usize::try_from(cap).unwrap_or(usize::MAX);
        // The chunks are kept as they came and joined once at the end: a
        // buffer grown by reallocation would leave every smaller copy
        // behind in the allocator, several times the cap in all.
        let mut chunks = Vec::new();
        let mut length = 0usize;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| FetchError::transport(shown, &error))?
        {
            length += chunk.len();
            if length > cap_len {
                return Err(too_large("sent a longer body".to_string()));
            }
            chunks.push(chunk);
        }
        let mut body = Vec::with_capacity(length);
        for chunk in chunks {
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// A `Location` as it may be shown: credential-bearing query values
/// masked, at most 200 characters, control characters escaped.
fn shown_location(location: &str) -> String {
    let shown = match Url::parse(location) {
        Ok(url) => display_url(&url),
        // A relative location: no host to trust or distrust; mask its
        // query the same way.
        Err(_) => {
            match Url::parse("http://relative.invalid").and_then(|base| base.join(location)) {
                Ok(url) => {
                    let full = display_url(&url);
                    full.trim_start_matches("http://relative.invalid")
                        .to_string()
                }
                Err(_) => "an unreadable location".to_string(),
            }
        }
    };
    let shown: String = shown.chars().take(200).collect();
    format!("{shown:?}")
}

#[cfg(test)]
mod tests;
