//! Collecting from Tencent Cloud VPC API 3.0: `DescribeVpnConnections`
//! requests signed with TC3-HMAC-SHA256, paged by `Offset`/`Limit` (see
//! [`crate::provider::offset_paging`]), and the API's errors, which arrive
//! as `Response.Error` even with HTTP 200, sorted into [`FetchError`]
//! classes by their code.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::settings::Settings;
use super::sign::{self, Tc3Request};
use crate::http::FetchError;
use crate::keys::Secret;
use crate::provider::FetchContext;
use crate::provider::PageSink;
use crate::provider::offset_paging::{self, OffsetPage};
use crate::provider::tencent_shared::{self, PageApi, Requests};

/// The action listed.
pub const ACTION: &str = "DescribeVpnConnections";
/// The VPC API's version.
pub const VERSION: &str = "2017-03-12";
/// The body's media type, as sent and signed.
pub const JSON: &str = "application/json";

/// Lists every connection of the source into `listing`.
pub async fn fetch(
    context: &FetchContext<'_>,
    settings: &Settings,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    let api = Api::new(context, settings)?;
    tencent_shared::list_pages(api, settings.page_size, context, listing).await
}

/// Everything a page request needs, owned, so that pages can be fetched
/// on tasks of their own.
struct Api {
    requests: Requests,
    secret_id: String,
    secret_key: Secret,
    token: Option<Secret>,
    filters: Vec<Value>,
}

impl Api {
    fn new(context: &FetchContext<'_>, settings: &Settings) -> Result<Api, FetchError> {
        let mut filters = Vec::new();
        if let Some(vpc_id) = &settings.vpc_id {
            filters.push(json!({"Name": "vpc-id", "Values": [vpc_id]}));
        }
        if let Some(gateway_id) = &settings.vpn_gateway_id {
            filters.push(json!({"Name": "vpn-gateway-id", "Values": [gateway_id]}));
        }
        Ok(Api {
            requests: Requests::new(
                context,
                super::settings::DEFAULT_ENDPOINT,
                false,
                settings.page_size,
            )?,
            secret_id: settings.secret_id.as_str().to_string(),
            secret_key: settings.secret_key.clone(),
            token: settings.token.clone(),
            filters,
        })
    }

    /// One signed request for the page at `offset`.
    async fn attempt(&self, offset: u64, origin: &str) -> Result<OffsetPage, FetchError> {
        let mut body = json!({"Offset": offset, "Limit": self.requests.page_size});
        if !self.filters.is_empty() {
            body["Filters"] = Value::from(self.filters.clone());
        }
        let payload = body.to_string().into_bytes();
        let timestamp = chrono::Utc::now().timestamp();
        let authorization = sign::authorization(
            &self.secret_id,
            self.secret_key.expose_secret(),
            &Tc3Request {
                host: &self.requests.host,
                content_type: JSON,
                action: Some(ACTION),
                payload: &payload,
                timestamp,
                service: sign::SERVICE,
            },
        )
        .ok_or_else(|| FetchError::Config(format!("the clock reads {timestamp}, not a date")))?;
        let mut request = self
            .requests
            .client
            .post(self.requests.url.clone())
            .header(HOST, &self.requests.host)
            .header(CONTENT_TYPE, JSON)
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.requests.region)
            .header(AUTHORIZATION, authorization)
            .body(payload);
        if let Some(token) = &self.token {
            request = request.header("X-TC-Token", token.expose_secret());
        }
        let body = tencent_shared::send(
            &self.requests.client,
            request,
            origin,
            |status, retry_after, bytes| read_body(origin, status, retry_after, bytes),
        )
        .await?;
        let total = body
            .pointer("/Response/TotalCount")
            .and_then(Value::as_u64)
            .ok_or_else(|| {
                FetchError::Decode(format!(
                    "{origin}: $.Response.TotalCount: missing or not a non-negative integer"
                ))
            })?;
        let ids = offset_paging::page_ids(
            &body,
            "/Response/VpnConnectionSet",
            "$.Response.VpnConnectionSet",
            &["VpnConnectionId"],
        )
        .map_err(|error| FetchError::Decode(format!("{origin}: {error}")))?;
        Ok(OffsetPage {
            origin: origin.to_string(),
            body,
            total,
            ids,
        })
    }
}

impl PageApi for Api {
    /// The page at `offset`, retried as the policy says.
    async fn page(&self, offset: u64) -> Result<OffsetPage, FetchError> {
        let what = format!("{} {ACTION} Offset={offset}", self.requests.shown);
        self.requests
            .retry
            .run(&what, || self.attempt(offset, &what))
            .await
    }
}

/// The body of a response, or the error it reports: `Response.Error` first
/// (with any status), then the HTTP status, then the JSON itself.
fn read_body(
    origin: &str,
    status: StatusCode,
    retry_after: Option<std::time::Duration>,
    bytes: &[u8],
) -> Result<Value, FetchError> {
    tencent_shared::read_body(origin, status, retry_after, bytes, |body| {
        let error = body.pointer("/Response/Error")?;
        let request_id = body.pointer("/Response/RequestId").and_then(Value::as_str);
        Some(api_error(origin, error, request_id, retry_after))
    })
}

/// The class of a `Response.Error` by its code, with what to do about it.
fn api_error(
    origin: &str,
    error: &Value,
    request_id: Option<&str>,
    retry_after: Option<std::time::Duration>,
) -> FetchError {
    let code = error.get("Code").and_then(Value::as_str).unwrap_or("?");
    let text = error.get("Message").and_then(Value::as_str).unwrap_or("");
    let request = request_id
        .map(|id| format!(" (RequestId {id})"))
        .unwrap_or_default();
    let hint = match code {
        "AuthFailure.SignatureExpire" => {
            "; the request's timestamp is more than 5 minutes off the server's clock: check this \
             machine's clock"
        }
        "AuthFailure.SecretIdNotFound" | "AuthFailure.SignatureFailure" => {
            "; check secret_id and secret_key"
        }
        "AuthFailure.TokenFailure" => "; the token is missing, wrong or expired",
        "UnsupportedRegion" | "InvalidParameterValue.Region" => "; check the source's region",
        _ => "",
    };
    let message = format!("{origin}: {code}: {text}{request}{hint}");
    let family = code.split('.').next().unwrap_or(code);
    match family {
        "AuthFailure" | "UnauthorizedOperation" => FetchError::Auth(message),
        "RequestLimitExceeded" => FetchError::Throttled {
            message,
            retry_after,
        },
        "InternalError" | "ResourceUnavailable" | "ServiceUnavailable" => {
            FetchError::Server(message)
        }
        "UnsupportedRegion" | "InvalidAction" | "NoSuchVersion" => FetchError::Config(message),
        _ => FetchError::Rejected(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_for(code: &str) -> FetchError {
        let body =
            json!({"Response": {"Error": {"Code": code, "Message": "m"}, "RequestId": "r-1"}});
        read_body("vpc", StatusCode::OK, None, body.to_string().as_bytes()).unwrap_err()
    }

    #[test]
    fn api_errors_are_classified_by_code() {
        let cases = [
            ("AuthFailure.SignatureFailure", "auth"),
            ("AuthFailure.SignatureExpire", "auth"),
            ("AuthFailure.SecretIdNotFound", "auth"),
            ("UnauthorizedOperation", "auth"),
            ("RequestLimitExceeded", "throttled"),
            ("RequestLimitExceeded.UinLimitExceeded", "throttled"),
            ("InternalError", "server"),
            ("UnsupportedRegion", "config"),
            ("InvalidParameterValue", "rejected"),
            ("SomethingNew", "rejected"),
        ];
        for (code, class) in cases {
            assert_eq!(error_for(code).class(), class, "{code}");
        }
        assert_eq!(
            error_for("AuthFailure.SignatureExpire").to_string(),
            "authentication failed: vpc: AuthFailure.SignatureExpire: m (RequestId r-1); the request's \
             timestamp is more than 5 minutes off the server's clock: check this machine's clock"
        );
        assert!(error_for("RequestLimitExceeded").is_retryable());
        assert!(!error_for("AuthFailure.SignatureFailure").is_retryable());
    }

    #[test]
    fn http_statuses_without_an_api_error() {
        let read = |status: u16, body: &str| {
            read_body(
                "vpc",
                StatusCode::from_u16(status).unwrap(),
                None,
                body.as_bytes(),
            )
        };
        assert_eq!(
            read(502, "<html>bad gateway</html>")
                .unwrap_err()
                .to_string(),
            "server error: vpc: HTTP 502 Bad Gateway: <html>bad gateway</html>"
        );
        assert_eq!(read(429, "").unwrap_err().class(), "throttled");
        assert_eq!(read(404, "{}").unwrap_err().class(), "rejected");
        assert_eq!(read(200, "{\"Response\": {").unwrap_err().class(), "decode");
        assert_eq!(
            read(
                500,
                r#"{"Response": {"Error": {"Code": "InternalError", "Message": "x"}}}"#
            )
            .unwrap_err()
            .to_string(),
            "server error: vpc: InternalError: x"
        );
        assert_eq!(read(200, "{\"a\": 1}").unwrap(), json!({"a": 1}));
    }
}
