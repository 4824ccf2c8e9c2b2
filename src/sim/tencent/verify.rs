//! What the simulated API 3.0 endpoint checks before answering: the
//! `Authorization` header, recomputed from the request as received (its
//! signed headers' values, its body bytes), the timestamp against the
//! server's clock, the token, and the action, version and region headers.
//!
//! TC3-HMAC-SHA256 is implemented here from the protocol (PROVIDERS.md
//! §3b), apart from the client's signer on purpose: were the client to
//! canonicalise, derive the key or scope the date differently from the
//! specification, or sign something other than what it sends, this check
//! fails, where calling the client's own functions would agree with any
//! bug. The published vectors pin it (see the tests).

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::ApiError;
use crate::provider::tencent::{ACTION, VERSION};

/// How far a request's timestamp may be from the server's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// The algorithm, first word of the `Authorization` header.
const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The credential scope's service for the VPC API, whatever the host.
const SERVICE: &str = "vpc";
/// The credential scope's last element.
const REQUEST: &str = "tc3_request";

/// The credentials and region the simulator accepts.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    pub token: Option<&'a str>,
    pub region: &'a str,
    /// The server's clock, unix seconds.
    pub now: i64,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The parts of `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
/// SignedHeaders=a;b, Signature=HEX`.
struct Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let (algorithm, fields) = value.split_once(' ')?;
    if algorithm != ALGORITHM {
        return None;
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in fields.split(',') {
        match field.trim().split_once('=')? {
            ("Credential", value) => credential = Some(value),
            ("SignedHeaders", value) => signed_headers = Some(value),
            ("Signature", value) => signature = Some(value),
            _ => return None,
        }
    }
    let scope: Vec<&str> = credential?.split('/').collect();
    let [secret_id, date, service, REQUEST] = scope[..] else {
        return None;
    };
    Some(Authorization {
        secret_id,
        date,
        service,
        signed_headers: signed_headers?.split(';').collect(),
        signature: signature?,
    })
}

/// The UTC calendar day of a unix timestamp, `YYYY-MM-DD`.
fn utc_date(timestamp: i64) -> Option<String> {
    let instant: DateTime<Utc> = DateTime::from_timestamp(timestamp, 0)?;
    Some(instant.date_naive().to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// HMAC-SHA256; `None` only if the key were refused, which HMAC never does.
fn hmac_sha256(key: &[u8], message: &str) -> Option<Vec<u8>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(message.as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

/// The canonical request of a `POST /` whose signed headers are `signed`
/// (in the order listed), read from `headers` as received: `name:value`
/// with the value trimmed (and lowercased for `x-tc-action`), a blank line,
/// the list, the body's SHA-256. The error names what cannot be signed.
fn canonical_request(signed: &[&str], headers: &HeaderMap, body: &[u8]) -> Result<String, String> {
    let mut lines = vec!["POST".to_string(), "/".to_string(), String::new()];
    for name in signed {
        if *name != name.to_ascii_lowercase() {
            return Err("SignedHeaders must be lowercase.".into());
        }
        let value = header(headers, name)
            .ok_or_else(|| format!("The signed header {name} is not in the request."))?
            .trim();
        let value = match *name {
            "x-tc-action" => value.to_ascii_lowercase(),
            _ => value.to_string(),
        };
        lines.push(format!("{name}:{value}"));
    }
    lines.push(String::new());
    lines.push(signed.join(";"));
    lines.push(sha256_hex(body));
    Ok(lines.join("\n"))
}

/// The hex signature of a request signed at `timestamp` on `date` for
/// `service` whose canonical request is `canonical`: the key is derived
/// as `HMAC(HMAC(HMAC("TC3" + key, date), service), "tc3_request")`.
fn signature(
    secret_key: &str,
    timestamp: i64,
    date: &str,
    service: &str,
    canonical: &str,
) -> Option<String> {
    let to_sign = [
        ALGORITHM.to_string(),
        timestamp.to_string(),
        format!("{date}/{service}/{REQUEST}"),
        sha256_hex(canonical.as_bytes()),
    ]
    .join("\n");
    let mut key = format!("TC3{secret_key}").into_bytes();
    for part in [date, service, REQUEST] {
        key = hmac_sha256(&key, part)?;
    }
    Some(hex::encode(hmac_sha256(&key, &to_sign)?))
}

/// Checks a `POST /` request as the real endpoint does, in its order:
/// authorization, timestamp, signature, token, then action, version, region.
pub fn check(
    expected: &Expected<'_>,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let failure = |message: &str| ApiError::new("AuthFailure.SignatureFailure", message);
    let authorization = header(headers, "authorization").ok_or_else(|| {
        ApiError::new(
            "AuthFailure.InvalidAuthorization",
            "Authorization header is missing.",
        )
    })?;
    let authorization = parse_authorization(authorization).ok_or_else(|| {
        ApiError::new(
            "AuthFailure.InvalidAuthorization",
            "Authorization is not TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...",
        )
    })?;
    if authorization.secret_id != expected.secret_id {
        return Err(ApiError::new(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    }
    let timestamp: i64 = header(headers, "x-tc-timestamp")
        .and_then(|value| value.parse().ok())
        .ok_or_else(|| {
            ApiError::new(
                "MissingParameter",
                "X-TC-Timestamp is missing or not a number.",
            )
        })?;
    if timestamp.abs_diff(expected.now) > MAX_SKEW_SECONDS.unsigned_abs() {
        return Err(ApiError::new(
            "AuthFailure.SignatureExpire",
            &format!(
                "Signature expired. Timestamp {timestamp}, server time {}: more than {MAX_SKEW_SECONDS}s apart.",
                expected.now
            ),
        ));
    }
    if utc_date(timestamp).as_deref() != Some(authorization.date) {
        return Err(failure(
            "The credential scope's date is not the timestamp's.",
        ));
    }
    if authorization.service != SERVICE {
        return Err(failure("The credential scope's service is not vpc."));
    }
    let signed = &authorization.signed_headers;
    if !signed.contains(&"content-type") || !signed.contains(&"host") {
        return Err(failure("SignedHeaders must include content-type and host."));
    }
    if path != "/" {
        return Err(failure("The request URI is not /."));
    }
    let canonical =
        canonical_request(signed, headers, body).map_err(|message| failure(&message))?;
    let deserved = signature(
        expected.secret_key,
        timestamp,
        authorization.date,
        SERVICE,
        &canonical,
    );
    if deserved.as_deref() != Some(authorization.signature) {
        return Err(failure(
            "The provided credentials could not be validated. Please check your signature is correct.",
        ));
    }
    if header(headers, "x-tc-token") != expected.token {
        return Err(ApiError::new(
            "AuthFailure.TokenFailure",
            "The token is missing, invalid or expired.",
        ));
    }
    if header(headers, "x-tc-action") != Some(ACTION) {
        return Err(ApiError::new(
            "InvalidAction",
            "The action is not DescribeVpnConnections.",
        ));
    }
    if header(headers, "x-tc-version") != Some(VERSION) {
        return Err(ApiError::new(
            "NoSuchVersion",
            "The version is not 2017-03-12.",
        ));
    }
    match header(headers, "x-tc-region") {
        Some(region) if region == expected.region => Ok(()),
        Some(region) => Err(ApiError::new(
            "UnsupportedRegion",
            &format!("The region {region} is not supported."),
        )),
        None => Err(ApiError::new("MissingParameter", "X-TC-Region is missing.")),
    }
}

/// The `Authorization` value a client sends for `body` with the headers
/// `signed` (lowercase names, in signing order, values as sent), for the
/// simulator's tests, which send hand-made requests.
#[cfg(test)]
pub(super) fn authorization(
    secret_id: &str,
    secret_key: &str,
    timestamp: i64,
    signed: &[(&str, &str)],
    body: &[u8],
) -> String {
    let mut headers = HeaderMap::new();
    for (name, value) in signed {
        headers.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let names: Vec<&str> = signed.iter().map(|(name, _)| *name).collect();
    let date = utc_date(timestamp).unwrap();
    let canonical = canonical_request(&names, &headers, body).unwrap();
    let signature = signature(secret_key, timestamp, &date, SERVICE, &canonical).unwrap();
    format!(
        "{ALGORITHM} Credential={secret_id}/{date}/{SERVICE}/{REQUEST}, SignedHeaders={}, Signature={signature}",
        names.join(";")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published vector (PROVIDERS.md §3b), for the `cvm` service.
    const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3*******";
    const BODY: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const TIMESTAMP: i64 = 1551113065;

    fn vector_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/json; charset=utf-8".parse().unwrap(),
        );
        headers.insert("host", "cvm.tencentcloudapi.com".parse().unwrap());
        headers.insert("x-tc-action", "DescribeInstances".parse().unwrap());
        headers
    }

    fn vector_signature(signed: &[&str], headers: &HeaderMap, body: &str, key: &str) -> String {
        let canonical = canonical_request(signed, headers, body.as_bytes()).unwrap();
        signature(key, TIMESTAMP, "2019-02-25", "cvm", &canonical).unwrap()
    }

    #[test]
    fn the_published_vectors_verify() {
        assert_eq!(utc_date(TIMESTAMP).as_deref(), Some("2019-02-25"));
        assert_eq!(
            sha256_hex(BODY.as_bytes()),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let headers = vector_headers();
        let canonical =
            canonical_request(&["content-type", "host"], &headers, BODY.as_bytes()).unwrap();
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            vector_signature(&["content-type", "host"], &headers, BODY, SECRET_KEY),
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
        assert_eq!(
            vector_signature(
                &["content-type", "host", "x-tc-action"],
                &headers,
                BODY,
                SECRET_KEY
            ),
            "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
        );
        let parsed = parse_authorization(
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c",
        )
        .unwrap();
        assert_eq!(
            (parsed.date, parsed.service, parsed.signed_headers),
            ("2019-02-25", "cvm", vec!["content-type", "host"])
        );
    }

    #[test]
    fn anything_near_the_vector_signs_differently() {
        let genuine = "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c";
        let signed = ["content-type", "host"];
        let headers = vector_headers();
        let changed_body = BODY.replace("\"Limit\": 1", "\"Limit\": 2");
        assert_ne!(
            vector_signature(&signed, &headers, &changed_body, SECRET_KEY),
            genuine
        );
        assert_ne!(
            vector_signature(&signed, &headers, BODY, "Gu5t9xGARNpq86cd98joQYCN3******+"),
            genuine
        );
        let mut other_host = vector_headers();
        other_host.insert("host", "cvm.tencentcloudapi.com:8443".parse().unwrap());
        assert_ne!(
            vector_signature(&signed, &other_host, BODY, SECRET_KEY),
            genuine
        );
        let canonical = canonical_request(&signed, &headers, BODY.as_bytes()).unwrap();
        assert_ne!(
            signature(SECRET_KEY, TIMESTAMP + 1, "2019-02-25", "cvm", &canonical).unwrap(),
            genuine
        );
        assert_ne!(
            signature(SECRET_KEY, TIMESTAMP, "2019-02-25", "vpc", &canonical).unwrap(),
            genuine
        );
        assert!(canonical_request(&["content-type", "Host"], &headers, b"").is_err());
        assert!(canonical_request(&["content-type", "x-tc-region"], &headers, b"").is_err());
    }

    const NOW: i64 = 1_700_000_000;
    const BODY_VPC: &str = r#"{"Offset": 0, "Limit": 20}"#;

    fn expected() -> Expected<'static> {
        Expected {
            secret_id: "AKIDtest",
            secret_key: "test-secret",
            token: None,
            region: "ap-guangzhou",
            now: NOW,
        }
    }

    /// A request for the simulator signed at `timestamp` with `key`.
    fn request(timestamp: i64, key: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("content-type", "application/json"),
            ("host", "127.0.0.1:8080"),
            ("x-tc-action", ACTION),
            ("x-tc-version", VERSION),
            ("x-tc-region", "ap-guangzhou"),
        ] {
            headers.insert(name, value.parse().unwrap());
        }
        headers.insert("x-tc-timestamp", timestamp.to_string().parse().unwrap());
        let signed = [
            ("content-type", "application/json"),
            ("host", "127.0.0.1:8080"),
            ("x-tc-action", ACTION),
        ];
        let value = authorization("AKIDtest", key, timestamp, &signed, BODY_VPC.as_bytes());
        headers.insert("authorization", value.parse().unwrap());
        headers
    }

    fn code(result: Result<(), ApiError>) -> String {
        result.err().map_or("none".into(), |error| error.code)
    }

    #[test]
    fn check_accepts_a_signed_request_and_refuses_a_tampered_one() {
        let verdict = |headers: &HeaderMap, body: &str| {
            code(check(&expected(), "/", headers, body.as_bytes()))
        };
        assert_eq!(verdict(&request(NOW, "test-secret"), BODY_VPC), "none");
        assert_eq!(
            verdict(&request(NOW - 300, "test-secret"), BODY_VPC),
            "none"
        );
        // A parameter changed after signing.
        assert_eq!(
            verdict(
                &request(NOW, "test-secret"),
                r#"{"Offset": 20, "Limit": 20}"#
            ),
            "AuthFailure.SignatureFailure"
        );
        // The wrong secret.
        assert_eq!(
            verdict(&request(NOW, "other-secret"), BODY_VPC),
            "AuthFailure.SignatureFailure"
        );
        // A stale or future timestamp, even correctly signed.
        assert_eq!(
            verdict(&request(NOW - 301, "test-secret"), BODY_VPC),
            "AuthFailure.SignatureExpire"
        );
        assert_eq!(
            verdict(&request(NOW + 301, "test-secret"), BODY_VPC),
            "AuthFailure.SignatureExpire"
        );
        // A timestamp changed after signing (same day, inside the window).
        let mut moved = request(NOW, "test-secret");
        moved.insert("x-tc-timestamp", (NOW + 1).to_string().parse().unwrap());
        assert_eq!(verdict(&moved, BODY_VPC), "AuthFailure.SignatureFailure");
        // A signed header changed after signing.
        let mut other_host = request(NOW, "test-secret");
        other_host.insert("host", "127.0.0.1:8081".parse().unwrap());
        assert_eq!(
            verdict(&other_host, BODY_VPC),
            "AuthFailure.SignatureFailure"
        );
        // Another SecretId.
        let mut other_id = request(NOW, "test-secret");
        let value = other_id["authorization"]
            .to_str()
            .unwrap()
            .replace("AKIDtest", "AKIDelse");
        other_id.insert("authorization", value.parse().unwrap());
        assert_eq!(verdict(&other_id, BODY_VPC), "AuthFailure.SecretIdNotFound");
        assert_eq!(
            code(check(
                &expected(),
                "/other",
                &request(NOW, "test-secret"),
                BODY_VPC.as_bytes()
            )),
            "AuthFailure.SignatureFailure"
        );
    }

    #[test]
    fn malformed_authorizations_are_refused() {
        for value in [
            "TC3-HMAC-SHA1 Credential=a/2019-02-25/vpc/tc3_request, SignedHeaders=host, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/vpc/tc3, SignedHeaders=host, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/vpc, SignedHeaders=host, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/vpc/tc3_request/x, SignedHeaders=host, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/vpc/tc3_request, SignedHeaders=host",
            "TC3-HMAC-SHA256 Credential=a/2019-02-25/vpc/tc3_request, Other=1, SignedHeaders=host, Signature=00",
        ] {
            assert!(parse_authorization(value).is_none(), "{value}");
        }
    }
}
