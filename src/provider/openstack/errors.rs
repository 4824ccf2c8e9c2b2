//! What an OpenStack service said when it refused a request: Neutron's
//! `{"NeutronError": {"type", "message", "detail"}}`, Keystone's (and the
//! auth middleware's) `{"error": {"code", "title", "message"}}`, and the
//! `x-openstack-request-id` header, read before the status is classified.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::http::{FetchError, retry_after};

/// The request id header of every OpenStack service.
pub const REQUEST_ID: &str = "x-openstack-request-id";

/// How much of a body that is not an error document is quoted.
const QUOTED_BODY_CHARS: usize = 200;

/// ` (request id req-...)`, or nothing when the header is absent.
pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

/// A refused request: status, the service's error type and message, and
/// the request id.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub status: StatusCode,
    /// `NeutronError.type` or `error.title`.
    pub kind: Option<String>,
    pub message: Option<String>,
    /// Set for 429 and 503 when the server asked for a pause.
    pub retry_after: Option<std::time::Duration>,
    /// ` (request id ...)` or empty.
    request_id: String,
}

impl ErrorBody {
    /// Reads the error document in `text`, whichever form it has.
    pub fn read(status: StatusCode, headers: &HeaderMap, text: &str) -> ErrorBody {
        // Secret values out first: an error body may echo an object.
        let text = &crate::provider::redact_text(text);
        let (kind, message) = match serde_json::from_str::<Value>(text) {
            Ok(body) => parse(&body),
            Err(_) => (None, quote(text)),
        };
        ErrorBody {
            status,
            kind,
            message,
            retry_after: retry_after(headers),
            request_id: request_id(headers),
        }
    }

    /// The class of the failure: 429 throttled, 5xx server (both retried),
    /// anything else a rejected request. 401 and 403 are the caller's to
    /// turn into authentication errors (it knows who logged in).
    pub fn into_fetch_error(self, what: &str) -> FetchError {
        let message = format!("{what}: {self}");
        match self.status.as_u16() {
            429 => FetchError::Throttled {
                message,
                retry_after: self.retry_after,
            },
            500..=599 => FetchError::Server(message),
            _ => FetchError::Rejected(message),
        }
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        match (&self.kind, &self.message) {
            (Some(kind), Some(message)) => write!(f, ": {kind}: {message}")?,
            (Some(text), None) | (None, Some(text)) => write!(f, ": {text}")?,
            (None, None) => {}
        }
        f.write_str(&self.request_id)
    }
}

fn parse(body: &Value) -> (Option<String>, Option<String>) {
    let text = |value: &Value, key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .filter(|text| !text.trim().is_empty())
            .map(|text| text.trim().to_string())
    };
    if let Some(error) = body.get("NeutronError") {
        return match error {
            Value::String(message) => (None, Some(message.clone())),
            _ => (
                text(error, "type"),
                text(error, "message").or_else(|| text(error, "detail")),
            ),
        };
    }
    if let Some(error) = body.get("error") {
        return (text(error, "title"), text(error, "message"));
    }
    (None, quote(&body.to_string()))
}

/// The start of a body, on one line.
fn quote(text: &str) -> Option<String> {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(QUOTED_BODY_CHARS)
        .collect();
    (!line.is_empty()).then_some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn neutron_and_keystone_error_bodies() {
        let error = ErrorBody::read(
            StatusCode::CONFLICT,
            &headers(&[(REQUEST_ID, "req-1")]),
            r#"{"NeutronError": {"type": "IKEPolicyInUse", "message": "IKEPolicy p1 is in use", "detail": ""}}"#,
        );
        assert_eq!(
            error.to_string(),
            "HTTP 409 Conflict: IKEPolicyInUse: IKEPolicy p1 is in use (request id req-1)"
        );
        assert!(matches!(
            error.into_fetch_error("GET u"),
            FetchError::Rejected(message) if message == "GET u: HTTP 409 Conflict: IKEPolicyInUse: IKEPolicy p1 is in use (request id req-1)"
        ));

        let error = ErrorBody::read(
            StatusCode::UNAUTHORIZED,
            &HeaderMap::new(),
            r#"{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}"#,
        );
        assert_eq!(
            error.to_string(),
            "HTTP 401 Unauthorized: Unauthorized: The request you have made requires authentication."
        );

        let error = ErrorBody::read(
            StatusCode::BAD_GATEWAY,
            &headers(&[(REQUEST_ID, "req-2")]),
            "<html>\n  <body>Bad   gateway</body></html>",
        );
        assert_eq!(
            error.to_string(),
            "HTTP 502 Bad Gateway: <html> <body>Bad gateway</body></html> (request id req-2)"
        );
        assert!(matches!(
            error.into_fetch_error("GET u"),
            FetchError::Server(_)
        ));

        let error = ErrorBody::read(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "3")]),
            "",
        );
        assert_eq!(error.to_string(), "HTTP 429 Too Many Requests");
        let error = error.into_fetch_error("GET u");
        assert_eq!(error.retry_after(), Some(std::time::Duration::from_secs(3)));
    }
}
