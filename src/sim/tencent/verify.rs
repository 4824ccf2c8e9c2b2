//! What the simulated API 3.0 endpoint checks before answering: the
//! `Authorization` header, recomputed from the request as received (its
//! signed headers' values, its body bytes), the timestamp against the
//! server's clock, the token, and the action, version and region headers.
//! Only the key derivation is shared with the client's signer; the
//! canonical request is assembled here from what arrived, so a client that
//! signs something other than what it sends is refused.

use axum::http::HeaderMap;

use super::ApiError;
use crate::provider::tencent::sign;

/// How far a request's timestamp may be from the server's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

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
    let rest = value.strip_prefix(sign::ALGORITHM)?.strip_prefix(' ')?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let mut scope = credential?.split('/');
    let parts = (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    if scope.next().is_some() || parts.3 != sign::TERMINATOR {
        return None;
    }
    Some(Authorization {
        secret_id: parts.0,
        date: parts.1,
        service: parts.2,
        signed_headers: signed_headers?.split(';').collect(),
        signature: signature?,
    })
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
    if (timestamp - expected.now).abs() > MAX_SKEW_SECONDS {
        return Err(ApiError::new(
            "AuthFailure.SignatureExpire",
            &format!(
                "Signature expired. Timestamp {timestamp}, server time {}: more than {MAX_SKEW_SECONDS}s apart.",
                expected.now
            ),
        ));
    }
    if sign::scope_date(timestamp).as_deref() != Some(authorization.date) {
        return Err(failure(
            "The credential scope's date is not the timestamp's.",
        ));
    }
    if authorization.service != sign::SERVICE {
        return Err(failure("The credential scope's service is not vpc."));
    }
    let signed = &authorization.signed_headers;
    if !signed.contains(&"content-type") || !signed.contains(&"host") {
        return Err(failure("SignedHeaders must include content-type and host."));
    }
    if path != "/" {
        return Err(failure("The request URI is not /."));
    }
    let mut canonical = String::from("POST\n/\n\n");
    for name in signed {
        if name.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(failure("SignedHeaders must be lowercase."));
        }
        let value = header(headers, name)
            .ok_or_else(|| failure(&format!("The signed header {name} is not in the request.")))?;
        let value = value.trim();
        let value = if *name == "x-tc-action" {
            value.to_ascii_lowercase()
        } else {
            value.to_string()
        };
        canonical.push_str(&format!("{name}:{value}\n"));
    }
    canonical.push_str(&format!(
        "\n{}\n{}",
        signed.join(";"),
        sign::sha256_hex(body)
    ));
    let scope = format!(
        "{}/{}/{}",
        authorization.date,
        sign::SERVICE,
        sign::TERMINATOR
    );
    let to_sign = format!(
        "{}\n{timestamp}\n{scope}\n{}",
        sign::ALGORITHM,
        sign::sha256_hex(canonical.as_bytes())
    );
    let signature = sign::signature(
        expected.secret_key,
        authorization.date,
        sign::SERVICE,
        &to_sign,
    );
    if signature != authorization.signature {
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
    if header(headers, "x-tc-action") != Some(crate::provider::tencent::ACTION) {
        return Err(ApiError::new(
            "InvalidAction",
            "The action is not DescribeVpnConnections.",
        ));
    }
    if header(headers, "x-tc-version") != Some(crate::provider::tencent::VERSION) {
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
