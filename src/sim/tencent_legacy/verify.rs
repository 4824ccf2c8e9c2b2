//! The legacy endpoint's side of its v1-style signature (PROVIDERS.md §3a):
//! the string to sign rebuilt from the request as received (`GET`, the
//! `Host` header, the path, then every query parameter but `Signature`,
//! sorted by key bytewise and joined as raw `key=value` with `&`), the
//! `Signature` checked as `base64(HMAC-SHA1 or HMAC-SHA256)` under the
//! SecretKey, and the `Timestamp` window.
//!
//! Written apart from the client's signer on purpose: were the client to
//! sort, join or encode differently from the specification, or sign a host
//! other than the one it sends, this check fails, where calling the
//! client's own function on the client's own inputs would agree with any
//! bug. The published vectors pin it (see the tests).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// How far `Timestamp` may be from the server's clock.
pub const MAX_SKEW_SECONDS: i64 = 7200;

/// The parameter carrying the signature, the only one left out of what is
/// signed.
const SIGNATURE: &str = "Signature";

/// The HMAC's hash, as the `SignatureMethod` parameter names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// `HmacSHA1`, the default when the parameter is absent.
    Sha1,
    /// `HmacSHA256`.
    Sha256,
}

impl Hash {
    /// The hash a `SignatureMethod` value names (`HmacSHA1` when absent);
    /// `None` for any other value, spelling included.
    pub fn named(signature_method: Option<&str>) -> Option<Hash> {
        match signature_method {
            None | Some("HmacSHA1") => Some(Hash::Sha1),
            Some("HmacSHA256") => Some(Hash::Sha256),
            Some(_) => None,
        }
    }
}

/// `method + host + path + "?" + k1=v1&k2=v2...`: the received parameters
/// (decoded, not re-encoded) but `Signature`, sorted by key as bytes.
pub fn string_to_sign(method: &str, host: &str, path: &str, params: &[(String, String)]) -> String {
    let mut signed: Vec<&(String, String)> =
        params.iter().filter(|(key, _)| key != SIGNATURE).collect();
    signed.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let pairs: Vec<String> = signed
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    format!("{method}{host}{path}?{}", pairs.join("&"))
}

/// Whether `claimed` (the `Signature` parameter as received) is the
/// base64 HMAC of `source` under `secret_key` with `hash`.
pub fn signature_matches(hash: Hash, secret_key: &str, source: &str, claimed: &str) -> bool {
    let Ok(claimed) = STANDARD.decode(claimed) else {
        return false;
    };
    match hash {
        Hash::Sha1 => mac_matches::<Hmac<Sha1>>(secret_key, source, &claimed),
        Hash::Sha256 => mac_matches::<Hmac<Sha256>>(secret_key, source, &claimed),
    }
}

/// Compares in constant time, as a real endpoint should.
fn mac_matches<M: Mac + hmac::digest::KeyInit>(key: &str, message: &str, claimed: &[u8]) -> bool {
    let Ok(mut mac) = <M as Mac>::new_from_slice(key.as_bytes()) else {
        return false;
    };
    mac.update(message.as_bytes());
    mac.verify_slice(claimed).is_ok()
}

/// Whether a request signed at `timestamp` is inside the replay window of
/// a server whose clock reads `now` (both unix seconds).
pub fn fresh(timestamp: i64, now: i64) -> bool {
    timestamp.abs_diff(now) <= MAX_SKEW_SECONDS.unsigned_abs()
}

/// The `Signature` value for `source`: what a client computes, for the
/// simulator's tests, which send hand-made requests.
#[cfg(test)]
pub(super) fn sign(hash: Hash, secret_key: &str, source: &str) -> String {
    fn mac<M: Mac + hmac::digest::KeyInit>(key: &str, message: &str) -> Vec<u8> {
        let mut mac = <M as Mac>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(message.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
    STANDARD.encode(match hash {
        Hash::Sha1 => mac::<Hmac<Sha1>>(secret_key, source),
        Hash::Sha256 => mac::<Hmac<Sha256>>(secret_key, source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published vector (PROVIDERS.md §3a).
    const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA";
    const HOST: &str = "cvm.api.qcloud.com";
    const PATH: &str = "/v2/index.php";

    /// The vector's parameters as a server receives them: in no particular
    /// order, with the `Signature` that must be left out.
    fn received(method: &str, signature: &str) -> Vec<(String, String)> {
        [
            ("Timestamp", "1465185768"),
            ("SignatureMethod", method),
            ("Signature", signature),
            ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA"),
            ("Region", "ap-guangzhou"),
            ("Nonce", "11886"),
            ("InstanceIds.0", "ins-09dx96dg"),
            ("Action", "DescribeInstances"),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
    }

    fn check(hash: Hash, key: &str, params: &[(String, String)]) -> bool {
        let claimed = params
            .iter()
            .find(|(name, _)| name == "Signature")
            .map_or("", |(_, value)| value.as_str());
        signature_matches(
            hash,
            key,
            &string_to_sign("GET", HOST, PATH, params),
            claimed,
        )
    }

    #[test]
    fn the_published_vectors_verify() {
        let sha1 = received("HmacSHA1", "nPVnY6njQmwQ8ciqbPl5Qe+Oru4=");
        assert_eq!(
            string_to_sign("GET", HOST, PATH, &sha1),
            "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg\
             &Nonce=11886&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA\
             &SignatureMethod=HmacSHA1&Timestamp=1465185768"
        );
        assert!(check(Hash::Sha1, KEY, &sha1));
        let sha256 = received("HmacSHA256", "0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s=");
        assert!(check(Hash::Sha256, KEY, &sha256));
        assert_eq!(
            sign(
                Hash::Sha256,
                KEY,
                &string_to_sign("GET", HOST, PATH, &sha256)
            ),
            "0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s="
        );
    }

    #[test]
    fn anything_near_the_vector_is_refused() {
        let genuine = received("HmacSHA1", "nPVnY6njQmwQ8ciqbPl5Qe+Oru4=");
        // A parameter changed after signing.
        let mut changed = genuine.clone();
        changed[5].1 = "11887".into();
        assert!(!check(Hash::Sha1, KEY, &changed));
        // A parameter added after signing.
        let mut added = genuine.clone();
        added.push(("limit".into(), "50".into()));
        assert!(!check(Hash::Sha1, KEY, &added));
        // The wrong secret, or the right one with the other hash.
        assert!(!check(
            Hash::Sha1,
            "Gu5t9xGARNpq86cd98joQYCN3Cozk1qB",
            &genuine
        ));
        assert!(!check(Hash::Sha256, KEY, &genuine));
        // Another host or path than the one signed.
        let source = string_to_sign("GET", "cvm.api.qcloud.com:443", PATH, &genuine);
        assert!(!signature_matches(
            Hash::Sha1,
            KEY,
            &source,
            "nPVnY6njQmwQ8ciqbPl5Qe+Oru4="
        ));
        // A signature that is not base64, or is cut short.
        assert!(!signature_matches(Hash::Sha1, KEY, "x", "not base64!"));
        assert!(!check(
            Hash::Sha1,
            KEY,
            &received("HmacSHA1", "nPVnY6njQmwQ8ciqbPl5Qe+O")
        ));
    }

    #[test]
    fn keys_sort_as_bytes_and_values_stay_raw() {
        let params: Vec<(String, String)> = [("b", "x y/+="), ("B", "2"), ("a.1", "é"), ("a", "1")]
            .into_iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        assert_eq!(
            string_to_sign("GET", "h:8080", "/p", &params),
            "GETh:8080/p?B=2&a=1&a.1=é&b=x y/+="
        );
    }

    #[test]
    fn methods_and_the_timestamp_window() {
        assert_eq!(Hash::named(None), Some(Hash::Sha1));
        assert_eq!(Hash::named(Some("HmacSHA1")), Some(Hash::Sha1));
        assert_eq!(Hash::named(Some("HmacSHA256")), Some(Hash::Sha256));
        assert_eq!(Hash::named(Some("hmacsha256")), None);
        let now = 1_700_000_000;
        assert!(fresh(now - 7200, now));
        assert!(fresh(now + 7200, now));
        assert!(!fresh(now - 7201, now));
        assert!(!fresh(now + 7201, now));
        assert!(!fresh(i64::MIN, now));
        assert!(!fresh(i64::MAX, now));
    }
}
