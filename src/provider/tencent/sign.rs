//! TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0
//! (PROVIDERS.md §3b): the canonical request, the string to sign, the
//! derived signing key and the `Authorization` header. The pieces are
//! public so that tests can check each against PROVIDERS.md's vectors; the
//! simulator verifies signatures with code of its own.

use hmac::Hmac;
use sha2::{Digest, Sha256};

/// The algorithm's name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The service of the VPC API, in the credential scope. The SDKs derive it
/// from the host's first label; with an overridden endpoint (a proxy, the
/// simulator) it stays `vpc`.
pub const SERVICE: &str = "vpc";
/// The last element of every credential scope.
pub const TERMINATOR: &str = "tc3_request";

/// What is signed of one `POST /` request.
#[derive(Debug, Clone, Copy)]
pub struct Tc3Request<'a> {
    /// The `Host` header as sent: host, and `:port` when not the scheme's default.
    pub host: &'a str,
    /// The `Content-Type` header as sent.
    pub content_type: &'a str,
    /// `X-TC-Action`; when given it is signed too (its value lowercased).
    pub action: Option<&'a str>,
    /// The body exactly as sent.
    pub payload: &'a [u8],
    /// `X-TC-Timestamp`, unix seconds.
    pub timestamp: i64,
    /// The credential scope's service (see [`SERVICE`]).
    pub service: &'a str,
}

/// Lowercase hex of SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    crate::mac::digest::<Hmac<Sha256>>(key, message)
}

/// The canonical request of a `method uri?query` request whose signed
/// headers are `headers` (name and value as sent, in the order signed) and
/// whose body hashes to `payload_hash`. Names are lowercased, values trimmed.
pub fn canonical_request(
    method: &str,
    uri: &str,
    query: &str,
    headers: &[(&str, &str)],
    payload_hash: &str,
) -> String {
    let mut canonical = format!("{method}\n{uri}\n{query}\n");
    for (name, value) in headers {
        canonical.push_str(&name.to_ascii_lowercase());
        canonical.push(':');
        canonical.push_str(value.trim());
        canonical.push('\n');
    }
    canonical.push('\n');
    canonical.push_str(&signed_header_list(headers));
    canonical.push('\n');
    canonical.push_str(payload_hash);
    canonical
}

/// `content-type;host;...`: the lowercased names joined by `;`.
pub fn signed_header_list(headers: &[(&str, &str)]) -> String {
    headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(";")
}

/// The UTC date (`YYYY-MM-DD`) of a unix timestamp, as the scope has it.
pub fn scope_date(timestamp: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|instant| instant.format("%Y-%m-%d").to_string())
}

/// `{date}/{service}/tc3_request`.
pub fn credential_scope(date: &str, service: &str) -> String {
    format!("{date}/{service}/{TERMINATOR}")
}

/// `TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hex(sha256(canonical request))}`.
pub fn string_to_sign(timestamp: i64, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The hex signature of `string_to_sign` with the key derived from
/// `secret_key`, `date` and `service`.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    let date_key = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let service_key = hmac_sha256(&date_key, service.as_bytes());
    let signing_key = hmac_sha256(&service_key, TERMINATOR.as_bytes());
    hex::encode(hmac_sha256(&signing_key, string_to_sign.as_bytes()))
}

/// The signed headers of `request`, in signing order: `content-type`,
/// `host`, and `x-tc-action` (lowercased) when the request names its action.
fn signed_headers(request: &Tc3Request<'_>, action: &str) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("content-type", request.content_type.to_string()),
        ("host", request.host.to_string()),
    ];
    if request.action.is_some() {
        headers.push(("x-tc-action", action.to_ascii_lowercase()));
    }
    headers
}

/// The `Authorization` header value for `request`. `None` only for a
/// timestamp outside the calendar.
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    request: &Tc3Request<'_>,
) -> Option<String> {
    let date = scope_date(request.timestamp)?;
    let headers = signed_headers(request, request.action.unwrap_or_default());
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let canonical = canonical_request("POST", "/", "", &headers, &sha256_hex(request.payload));
    let scope = credential_scope(&date, request.service);
    let to_sign = string_to_sign(request.timestamp, &scope, &canonical);
    let signature = signature(secret_key, &date, request.service, &to_sign);
    Some(format!(
        "{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={}, Signature={signature}",
        signed_header_list(&headers)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published vector (PROVIDERS.md §3b, TencentCloud/signature-process-demo).
    const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******";
    const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3*******";
    const PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const CONTENT_TYPE: &str = "application/json; charset=utf-8";
    const TIMESTAMP: i64 = 1551113065;

    fn vector(action: Option<&'static str>) -> Tc3Request<'static> {
        Tc3Request {
            host: "cvm.tencentcloudapi.com",
            content_type: CONTENT_TYPE,
            action,
            payload: PAYLOAD.as_bytes(),
            timestamp: TIMESTAMP,
            service: "cvm",
        }
    }

    #[test]
    fn payload_hash_and_canonical_request_match_the_vector() {
        let payload_hash = sha256_hex(PAYLOAD.as_bytes());
        assert_eq!(
            payload_hash,
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let canonical = canonical_request(
            "POST",
            "/",
            "",
            &[
                ("Content-Type", CONTENT_TYPE),
                ("Host", " cvm.tencentcloudapi.com "),
            ],
            &payload_hash,
        );
        assert_eq!(
            canonical,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
             content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            string_to_sign(
                TIMESTAMP,
                &credential_scope("2019-02-25", "cvm"),
                &canonical
            ),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
    }

    #[test]
    fn signature_matches_the_vector() {
        assert_eq!(scope_date(TIMESTAMP).as_deref(), Some("2019-02-25"));
        assert_eq!(
            authorization(SECRET_ID, SECRET_KEY, &vector(None)).unwrap(),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn signature_with_the_action_header_matches_the_vector() {
        assert_eq!(
            authorization(SECRET_ID, SECRET_KEY, &vector(Some("DescribeInstances"))).unwrap(),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host;x-tc-action, \
             Signature=be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
        );
    }

    #[test]
    fn every_input_changes_the_signature() {
        let base = authorization(SECRET_ID, SECRET_KEY, &vector(None)).unwrap();
        let mut changed = vec![authorization(SECRET_ID, "other", &vector(None)).unwrap()];
        for edit in [
            |r: &mut Tc3Request| r.host = "cvm.tencentcloudapi.com:8443",
            |r: &mut Tc3Request| r.content_type = "application/json",
            |r: &mut Tc3Request| r.payload = b"{}",
            |r: &mut Tc3Request| r.timestamp += 1,
            |r: &mut Tc3Request| r.service = "vpc",
        ] {
            let mut request = vector(None);
            edit(&mut request);
            changed.push(authorization(SECRET_ID, SECRET_KEY, &request).unwrap());
        }
        let signature = |header: &str| header.rsplit('=').next().unwrap().to_string();
        for header in changed {
            assert_ne!(signature(&header), signature(&base), "{header}");
        }
    }
}
