//! `SDK-HMAC-SHA256`, Huawei Cloud's AK/SK request signing (PROVIDERS.md §1):
//! the canonical request, the string to sign, the signature and the
//! `Authorization` header. Pure functions over the parts of a request; the
//! clock is passed in.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The header carrying the signing time.
pub const DATE_HEADER: &str = "x-sdk-date";

/// `YYYYMMDDTHHMMSSZ`, the `X-Sdk-Date` format.
pub fn sdk_date(now: DateTime<Utc>) -> String {
    now.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Percent-encodes everything but `A-Z a-z 0-9 - _ . ~`, with uppercase hex.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (an invalid escape stays as written).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical URI of a (percent-encoded) request path: each segment
/// decoded and encoded again, and a trailing `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = path
        .split('/')
        .map(|segment| encode(&decode(segment)))
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query of a raw (percent-encoded) query string: pairs
/// decoded, sorted by key then value, encoded again and joined by `&`.
pub fn canonical_query(raw_query: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The parts of a request that are signed. `headers` are the signed ones,
/// names in any case, values as sent.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// The path as sent (percent-encoded).
    pub path: &'a str,
    /// The query as sent (percent-encoded), without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// The canonical request and the `SignedHeaders` list.
pub fn canonical_request(parts: &RequestParts<'_>) -> (String, String) {
    let mut headers: Vec<(String, &str)> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    headers.sort();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        parts.method.to_ascii_uppercase(),
        canonical_uri(parts.path),
        canonical_query(parts.query),
        canonical_headers,
        signed_headers,
        hex::encode(Sha256::digest(parts.body)),
    );
    (canonical, signed_headers)
}

/// `SDK-HMAC-SHA256\n{date}\n{hex(sha256(canonical request))}`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// `hex(HMAC-SHA256(secret key, string to sign))`.
pub fn signature(secret_key: &str, string_to_sign: &str) -> String {
    hex::encode(mac(secret_key, string_to_sign).finalize().into_bytes())
}

/// The keyed MAC over `message`, for signing and for constant-time checks.
pub fn mac(secret_key: &str, message: &str) -> Hmac<Sha256> {
    let mut mac = crate::mac::keyed::<Hmac<Sha256>>(secret_key.as_bytes());
    mac.update(message.as_bytes());
    mac
}

/// Signs `parts` (whose headers must include `x-sdk-date` with `sdk_date`)
/// and returns the `Authorization` header value.
pub fn authorization(
    access_key: &str,
    secret_key: &str,
    sdk_date: &str,
    parts: &RequestParts<'_>,
) -> String {
    let (canonical, signed_headers) = canonical_request(parts);
    let signature = signature(secret_key, &string_to_sign(sdk_date, &canonical));
    format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn sign(parts: &RequestParts<'_>, secret_key: &str, date: &str) -> (String, String) {
        let (canonical, _) = canonical_request(parts);
        let signature = signature(secret_key, &string_to_sign(date, &canonical));
        (canonical, signature)
    }

    #[test]
    fn vector_1_get_and_post() {
        let headers = [
            ("Host", "service.endpoint.myhuaweicloud.com"),
            ("X-Sdk-Date", "20200608T023900Z"),
        ];
        let get = RequestParts {
            method: "GET",
            path: "/resources",
            query: Some("size=1"),
            headers: &headers,
            body: b"",
        };
        let (canonical, signature) = sign(&get, "SecretKey", "20200608T023900Z");
        assert_eq!(
            canonical,
            format!(
                "GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\n\
                 x-sdk-date:20200608T023900Z\n\nhost;x-sdk-date\n{EMPTY_HASH}"
            )
        );
        assert_eq!(
            signature,
            "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );
        assert_eq!(
            authorization("AccessKey", "SecretKey", "20200608T023900Z", &get),
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, \
             Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );

        let post = RequestParts {
            method: "POST",
            body: br#"{"name":"test","id":1}"#,
            ..get
        };
        let (_, signature) = sign(&post, "SecretKey", "20200608T023900Z");
        assert_eq!(
            signature,
            "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
        );
    }

    #[test]
    fn vector_2_only_the_date_signed() {
        let parts = RequestParts {
            method: "GET",
            path: "/path",
            query: Some("limit=1"),
            headers: &[("X-Sdk-Date", "20060102T150405Z")],
            body: b"",
        };
        let (_, signature) = sign(&parts, "SecretKey", "20060102T150405Z");
        assert_eq!(
            signature,
            "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
    }

    #[test]
    fn vector_3_paged_listing() {
        let parts = RequestParts {
            method: "GET",
            path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            query: Some("limit=2&marker=13551d6b-755d-4757-b956-536f674975c0"),
            headers: &[
                ("content-type", "application/json"),
                ("host", "service.region.example.com"),
                ("x-sdk-date", "20191115T033655Z"),
            ],
            body: b"",
        };
        let (canonical, signature) = sign(
            &parts,
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            "20191115T033655Z",
        );
        assert_eq!(
            hex::encode(Sha256::digest(canonical.as_bytes())),
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert_eq!(
            signature,
            "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    #[test]
    fn query_sorted_by_key_then_value_and_reencoded() {
        assert_eq!(
            canonical_query(Some(
                "b=2&a=z&a=y&marker=2022-12-09T07%3A24%3A27.674Z&e=a%20b"
            )),
            "a=y&a=z&b=2&e=a%20b&marker=2022-12-09T07%3A24%3A27.674Z"
        );
        assert_eq!(canonical_query(None), "");
        assert_eq!(canonical_query(Some("flag")), "flag=");
    }

    #[test]
    fn uri_segments_reencoded_with_a_trailing_slash() {
        assert_eq!(
            canonical_uri("/v5/p/vpn-connection"),
            "/v5/p/vpn-connection/"
        );
        assert_eq!(canonical_uri("/a%20b/c:d/"), "/a%20b/c%3Ad/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(encode("a b+é~"), "a%20b%2B%C3%A9~");
        assert_eq!(decode("a%20b%zz%4"), "a b%zz%4");
    }

    #[test]
    fn sdk_date_format() {
        let now = DateTime::parse_from_rfc3339("2020-06-08T02:39:00.789Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(sdk_date(now), "20200608T023900Z");
    }
}
