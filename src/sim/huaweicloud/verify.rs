//! The gateway's side of `SDK-HMAC-SHA256`: rebuilds the canonical request
//! from the request as received (method, raw path and query, the received
//! values of the headers named in `SignedHeaders`, the body) and checks the
//! signature and the `X-Sdk-Date` window.
//!
//! Written apart from the client's signer on purpose: were the client to
//! canonicalise differently from the specification (sort, encode, the Host
//! it really sends), this check fails, where calling the client's own
//! function on the client's own inputs would agree with any bug.

use axum::http::{HeaderMap, Method, Uri};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The largest difference the gateway allows between `X-Sdk-Date` and its clock.
pub const MAX_SKEW: TimeDelta = TimeDelta::minutes(15);

/// The key pair (and optional security token) the gateway accepts.
#[derive(Clone)]
pub struct KeyPair {
    pub access_key: String,
    pub secret_key: String,
    pub security_token: Option<String>,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .finish()
    }
}

/// Checks an AK/SK-signed request; the error is the gateway's message.
pub fn verify(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    keys: &KeyPair,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let authorization = header(headers, "authorization")
        .ok_or("Incorrect IAM authentication information: Authorization header not found")?;
    let fields = authorization
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or("Incorrect IAM authentication information: unsupported signing algorithm")?;
    let mut access = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in fields.split(',') {
        match field.trim().split_once('=') {
            Some(("Access", value)) => access = Some(value),
            Some(("SignedHeaders", value)) => signed_headers = Some(value),
            Some(("Signature", value)) => signature = Some(value),
            _ => {}
        }
    }
    let (Some(access), Some(signed_headers), Some(signature)) = (access, signed_headers, signature)
    else {
        return Err(
            "Incorrect IAM authentication information: malformed Authorization header".into(),
        );
    };
    if access != keys.access_key {
        return Err(format!(
            "Incorrect IAM authentication information: access key {access} does not exist"
        ));
    }
    let date = header(headers, "x-sdk-date")
        .ok_or("Incorrect IAM authentication information: X-Sdk-Date not found")?;
    let signed_at = NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| format!("Incorrect IAM authentication information: X-Sdk-Date {date:?} is not YYYYMMDDTHHMMSSZ"))?
        .and_utc();
    if (now - signed_at).abs() > MAX_SKEW {
        return Err(format!(
            "Incorrect IAM authentication information: X-Sdk-Date {date} is more than 15 minutes \
             from the gateway's time {}",
            now.format("%Y%m%dT%H%M%SZ")
        ));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    for required in ["host", "x-sdk-date"] {
        if !names.contains(&required) {
            return Err(format!(
                "Incorrect IAM authentication information: {required} is not a signed header"
            ));
        }
    }
    if headers.contains_key("x-project-id") && !names.contains(&"x-project-id") {
        return Err(
            "Incorrect IAM authentication information: x-project-id is sent but not signed".into(),
        );
    }
    if let Some(expected) = &keys.security_token
        && header(headers, "x-security-token") != Some(expected.as_str())
    {
        return Err(
            "Incorrect IAM authentication information: the security token is missing or wrong"
                .into(),
        );
    }
    let mut canonical = String::new();
    canonical.push_str(method.as_str());
    canonical.push('\n');
    canonical.push_str(&path_of(uri.path()));
    canonical.push('\n');
    canonical.push_str(&query_of(uri.query().unwrap_or("")));
    canonical.push('\n');
    for name in &names {
        let value = header(headers, name).ok_or_else(|| {
            format!("Incorrect IAM authentication information: signed header {name} not sent")
        })?;
        canonical.push_str(&format!("{name}:{}\n", value.trim()));
    }
    canonical.push('\n');
    canonical.push_str(signed_headers);
    canonical.push('\n');
    canonical.push_str(&hex_sha256(body));
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex_sha256(canonical.as_bytes())
    );
    let claimed = hex::decode(signature)
        .map_err(|_| "Incorrect IAM authentication information: verify aksk signature fail")?;
    let mut mac = crate::mac::keyed::<Hmac<Sha256>>(keys.secret_key.as_bytes());
    mac.update(to_sign.as_bytes());
    mac.verify_slice(&claimed)
        .map_err(|_| "Incorrect IAM authentication information: verify aksk signature fail".into())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// RFC 3986 unreserved characters pass; every other byte becomes `%XX`.
fn escape(raw: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::new();
    for &byte in raw {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out
}

/// Undoes `%XX` (and, in a query, `+` for a space, as form decoding does).
pub fn unescape(text: &str, plus_is_space: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16).ok()
        });
        match (first, hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                rest = &tail[2..];
                continue;
            }
            (b'+', _) if plus_is_space => out.push(b' '),
            _ => out.push(first),
        }
        rest = tail;
    }
    out
}

/// The canonical URI: every segment unescaped and escaped again, ending in `/`.
fn path_of(path: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for segment in path.split('/') {
        out.push(escape(&unescape(segment, false)));
    }
    let mut joined = out.join("/");
    if !joined.ends_with('/') {
        joined.push('/');
    }
    joined
}

/// The decoded query pairs, in the order sent.
pub fn query_pairs(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.find('=') {
            Some(at) => (unescape(&pair[..at], true), unescape(&pair[at + 1..], true)),
            None => (unescape(pair, true), Vec::new()),
        })
        .collect()
}

/// The canonical query: pairs sorted by key, then value (as bytes).
fn query_of(query: &str) -> String {
    let mut pairs = query_pairs(query);
    pairs.sort();
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{}={}", escape(key), escape(value)))
        .collect();
    encoded.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn at(date: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
            .unwrap()
            .and_utc()
    }

    fn request(
        uri: &str,
        headers: &[(&'static str, &str)],
        authorization: &str,
    ) -> (Uri, HeaderMap) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map.insert(
            "authorization",
            HeaderValue::from_str(authorization).unwrap(),
        );
        (uri.parse().unwrap(), map)
    }

    /// The third published vector, checked from the gateway's side.
    #[test]
    fn accepts_the_published_vector_and_nothing_near_it() {
        let keys = KeyPair {
            access_key: "QTWAOYTTINDUT2QVKYUC".into(),
            secret_key: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc".into(),
            security_token: None,
        };
        let headers = [
            ("content-type", "application/json"),
            ("host", "service.region.example.com"),
            ("x-sdk-date", "20191115T033655Z"),
        ];
        let authorization = "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, \
             SignedHeaders=content-type;host;x-sdk-date, \
             Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe";
        let path = "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs";
        let check = |uri: &str, headers: &[(&'static str, &str)], now: &str| {
            let (uri, map) = request(uri, headers, authorization);
            verify(&Method::GET, &uri, &map, b"", &keys, at(now))
        };
        let query = "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0";
        assert_eq!(
            check(&format!("{path}?{query}"), &headers, "20191115T034000Z"),
            Ok(())
        );
        // The same pairs in another order canonicalise the same.
        let swapped = "marker=13551d6b-755d-4757-b956-536f674975c0&limit=2";
        assert_eq!(
            check(&format!("{path}?{swapped}"), &headers, "20191115T034000Z"),
            Ok(())
        );
        let fail =
            Err("Incorrect IAM authentication information: verify aksk signature fail".to_string());
        assert_eq!(
            check(
                &format!("{path}?limit=3&marker=13551d6b-755d-4757-b956-536f674975c0"),
                &headers,
                "20191115T034000Z"
            ),
            fail
        );
        assert_eq!(
            check(&format!("{path}x?{query}"), &headers, "20191115T034000Z"),
            fail
        );
        let mut other_host = headers;
        other_host[1] = ("host", "service.region.example.com:8443");
        assert_eq!(
            check(&format!("{path}?{query}"), &other_host, "20191115T034000Z"),
            fail
        );
        let late = check(&format!("{path}?{query}"), &headers, "20191115T035200Z").unwrap_err();
        assert!(late.contains("more than 15 minutes"), "{late}");
    }

    #[test]
    fn escaping_matches_the_specification() {
        assert_eq!(path_of("/v5/p/vpn-connection"), "/v5/p/vpn-connection/");
        assert_eq!(query_of("b=1&a=2%3A0&a=1+2"), "a=1%202&a=2%3A0&b=1");
        assert_eq!(escape("é:".as_bytes()), "%C3%A9%3A");
    }
}
