//! What a Huawei Cloud error response says: the provider's code and message
//! (`error_code`/`error_msg` from the service, `code`/`message` from the API
//! gateway) and the request id, with secrets taken out first.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// ` VPN.0004: message (request id ...)` from an error body and the
/// `X-Request-Id` header; a body that is not JSON shows its start.
pub(super) fn error_detail(headers: &HeaderMap, body: &[u8]) -> String {
    // Secret values out first: an error body may echo a connection.
    let redacted = crate::provider::redact_text(&String::from_utf8_lossy(body));
    let body = redacted.as_bytes();
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let field = |keys: &[&str]| -> Option<String> {
        let json = json.as_ref()?;
        keys.iter().find_map(|key| {
            let value = json.get(key).or_else(|| json.get("error")?.get(key))?;
            match value {
                Value::String(text) => Some(text.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            }
        })
    };
    let mut detail = String::new();
    match (
        field(&["error_code", "code"]),
        field(&["error_msg", "message"]),
    ) {
        (Some(code), Some(message)) => detail.push_str(&format!(" {code}: {message}")),
        (Some(code), None) => detail.push_str(&format!(" {code}")),
        (None, Some(message)) => detail.push_str(&format!(": {message}")),
        (None, None) if json.is_none() && !body.is_empty() => {
            let text = String::from_utf8_lossy(body);
            let snippet: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let snippet: String = snippet.chars().take(200).collect();
            detail.push_str(&format!(": {snippet}"));
        }
        (None, None) => {}
    }
    let request_id = field(&["request_id"]).or_else(|| {
        headers
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    });
    if let Some(id) = request_id {
        detail.push_str(&format!(" (request id {id})"));
    }
    detail
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn error_detail_reads_both_body_forms_and_the_header() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("hdr-1"));
        assert_eq!(
            error_detail(
                &headers,
                br#"{"error_code":"VPN.0004","error_msg":"not found","request_id":"body-1"}"#
            ),
            " VPN.0004: not found (request id body-1)"
        );
        assert_eq!(
            error_detail(
                &headers,
                br#"{"code":"APIGW.0301","message":"verify aksk signature fail"}"#
            ),
            " APIGW.0301: verify aksk signature fail (request id hdr-1)"
        );
        assert_eq!(
            error_detail(&HeaderMap::new(), b"<html>\n  Bad   Gateway</html>"),
            ": <html> Bad Gateway</html>"
        );
        assert_eq!(error_detail(&HeaderMap::new(), b""), "");
    }
}
