//! Collecting from the Tencent Cloud legacy VPC API: `GET
//! .../v2/index.php?Action=DescribeVpnConn&...` signed with HmacSHA256 or
//! HmacSHA1 (a fresh `Nonce` and `Timestamp` on every attempt), paged by
//! `offset`/`limit` (see [`crate::provider::offset_paging`]), and the
//! body's non-zero `code` sorted into [`FetchError`] classes.

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::StatusCode;
use reqwest::header::HOST;
use secrecy::ExposeSecret;
use serde_json::Value;

use super::normalize::meaning;
use super::settings::{Settings, SignatureMethod};
use super::sign;
use crate::http::FetchError;
use crate::keys::Secret;
use crate::provider::FetchContext;
use crate::provider::PageSink;
use crate::provider::offset_paging::{self, OffsetPage};
use crate::provider::tencent_shared::{self, PageApi, Requests};

/// The action listed.
pub const ACTION: &str = "DescribeVpnConn";

/// Lists every tunnel of the source into `listing`.
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
    method: SignatureMethod,
    /// `vpcId` and `vpnGwId`, when configured.
    filters: Vec<(&'static str, String)>,
}

impl Api {
    fn new(context: &FetchContext<'_>, settings: &Settings) -> Result<Api, FetchError> {
        let mut filters = Vec::new();
        if let Some(vpc_id) = &settings.vpc_id {
            filters.push(("vpcId", vpc_id.clone()));
        }
        if let Some(gateway_id) = &settings.vpn_gateway_id {
            filters.push(("vpnGwId", gateway_id.clone()));
        }
        Ok(Api {
            requests: Requests::new(
                context,
                super::settings::DEFAULT_ENDPOINT,
                true,
                settings.page_size,
            )?,
            secret_id: settings.secret_id.as_str().to_string(),
            secret_key: settings.secret_key.clone(),
            method: settings.signature_method,
            filters,
        })
    }

    /// The request's parameters, `Signature` last, for `offset`.
    fn signed_params(&self, offset: u64) -> Vec<(&'static str, String)> {
        let mut params = vec![
            ("Action", ACTION.to_string()),
            ("Region", self.requests.region.clone()),
            ("Timestamp", chrono::Utc::now().timestamp().to_string()),
            ("Nonce", nonce().to_string()),
            ("SecretId", self.secret_id.clone()),
            ("SignatureMethod", self.method.as_str().to_string()),
            ("offset", offset.to_string()),
            ("limit", self.requests.page_size.to_string()),
        ];
        params.extend(self.filters.iter().cloned());
        let borrowed: Vec<(&str, &str)> = params
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        let source = sign::string_to_sign(
            "GET",
            &self.requests.host,
            self.requests.url.path(),
            &borrowed,
        );
        let signature = sign::signature(self.method, self.secret_key.expose_secret(), &source);
        params.push((sign::SIGNATURE, signature));
        params
    }

    /// One signed request for the page at `offset`.
    async fn attempt(&self, offset: u64, origin: &str) -> Result<OffsetPage, FetchError> {
        let mut url = self.requests.url.clone();
        url.query_pairs_mut()
            .extend_pairs(self.signed_params(offset));
        let request = self
            .requests
            .client
            .get(url)
            .header(HOST, &self.requests.host);
        let body = tencent_shared::send(
            &self.requests.client,
            request,
            origin,
            |status, retry_after, bytes| read_body(origin, status, retry_after, bytes),
        )
        .await?;
        let total = match body.get("totalCount") {
            Some(Value::Number(total)) => total.as_u64(),
            Some(Value::String(total)) => total.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            FetchError::Decode(format!(
                "{origin}: $.totalCount: missing or not a non-negative integer"
            ))
        })?;
        let ids = offset_paging::page_ids(&body, "/data", "$.data", &["unVpnConnId", "vpnConnId"])
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
        let what = format!("{} {ACTION} offset={offset}", self.requests.shown);
        self.requests
            .retry
            .run(&what, || self.attempt(offset, &what))
            .await
    }
}

/// A random positive `Nonce` (1 to 2^63-1, as the SDKs draw it), so that
/// reuse within the API's replay window is practically impossible.
fn nonce() -> u64 {
    static FALLBACK: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 8];
    let random = match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => {
            let nanos = chrono::Utc::now()
                .timestamp_nanos_opt()
                .unwrap_or_default()
                .unsigned_abs();
            nanos ^ FALLBACK.fetch_add(0x9E37_79B9, Ordering::Relaxed)
        }
    };
    (random & (u64::MAX >> 1)).max(1)
}

/// The body of a response, or the error it reports: a non-zero `code`
/// first (with any status), then the HTTP status, then the JSON itself.
fn read_body(
    origin: &str,
    status: StatusCode,
    retry_after: Option<std::time::Duration>,
    bytes: &[u8],
) -> Result<Value, FetchError> {
    tencent_shared::read_body(origin, status, retry_after, bytes, |body| {
        let code = match body.get("code")? {
            Value::Number(code) => code.as_i64(),
            Value::String(code) => code.trim().parse().ok(),
            _ => None,
        }
        .filter(|code| *code != 0)?;
        let message = body.get("message").and_then(Value::as_str).unwrap_or("");
        Some(api_error(origin, code, message, retry_after))
    })
}

/// The class of a non-zero `code`: 4100 (auth failed), 4200 (expired), 4300
/// (denied) and 4500 (replay: Nonce reused or clock more than 2 hours off)
/// are authentication errors, not retried; 4400 (request quota) is
/// throttling and 6000/6200 (internal error, temporarily unavailable) are
/// server errors, both retried; the rest (4000 invalid parameter, ...) are
/// refusals.
fn api_error(
    origin: &str,
    code: i64,
    message: &str,
    retry_after: Option<std::time::Duration>,
) -> FetchError {
    let text = format!(
        "{origin}: code {code} ({}): {message:?}",
        match code {
            6000 => "internal server error",
            6200 => "temporarily unavailable",
            _ => meaning(code),
        }
    );
    match code {
        4100 | 4200 | 4300 | 4500 => FetchError::Auth(text),
        4400 => FetchError::Throttled {
            message: text,
            retry_after,
        },
        6000 | 6200 => FetchError::Server(text),
        _ => FetchError::Rejected(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_for(code: i64) -> FetchError {
        let body = serde_json::json!({"code": code, "message": "m", "codeDesc": "x"});
        read_body("legacy", StatusCode::OK, None, body.to_string().as_bytes()).unwrap_err()
    }

    #[test]
    fn codes_are_classified() {
        let cases = [
            (4000, "rejected"),
            (4100, "auth"),
            (4200, "auth"),
            (4300, "auth"),
            (4400, "throttled"),
            (4500, "auth"),
            (6000, "server"),
            (5000, "rejected"),
        ];
        for (code, class) in cases {
            assert_eq!(error_for(code).class(), class, "{code}");
        }
        // A 5xx is retried whatever code its body gives.
        let body = serde_json::json!({"code": 5000, "message": "m"}).to_string();
        for status in [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::BAD_GATEWAY] {
            let error = read_body("legacy", status, None, body.as_bytes()).unwrap_err();
            assert_eq!(error.class(), "server", "{error}");
            assert!(error.is_retryable());
        }
        assert_eq!(
            error_for(4500).to_string(),
            "authentication failed: legacy: code 4500 (request rejected as a replay: the Nonce was \
             reused or the Timestamp is more than 2 hours off (check the clock)): \"m\""
        );
        let read = |status: u16, body: &str| {
            read_body(
                "legacy",
                StatusCode::from_u16(status).unwrap(),
                None,
                body.as_bytes(),
            )
        };
        assert_eq!(read(502, "bad gateway").unwrap_err().class(), "server");
        assert_eq!(read(200, "{\"code\": 0").unwrap_err().class(), "decode");
        assert_eq!(read(200, "{\"code\": \"0\"}").unwrap()["code"], "0");
    }

    #[test]
    fn nonces_are_positive_and_differ() {
        let nonces: std::collections::HashSet<u64> = (0..100).map(|_| nonce()).collect();
        assert_eq!(nonces.len(), 100);
        assert!(nonces.iter().all(|n| *n >= 1 && *n <= i64::MAX as u64));
    }
}
