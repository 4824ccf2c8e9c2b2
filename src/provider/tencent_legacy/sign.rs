//! The legacy API's request signature (PROVIDERS.md §3a, "v1 style"):
//! every parameter but `Signature`, sorted by key (bytewise), joined as
//! `key=value` with `&` using the raw (not URL-encoded) values, prefixed with
//! `METHOD + host + path + "?"`, then `base64(HMAC-SHA1 or HMAC-SHA256)`
//! under the SecretKey. The pieces are public so that tests can check each
//! against PROVIDERS.md's vectors; the simulator verifies signatures with
//! code of its own.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Hmac;

pub use super::settings::SignatureMethod;

/// The parameter carrying the signature, left out of what is signed.
pub const SIGNATURE: &str = "Signature";

/// `METHOD + host + path + "?" + k1=v1&k2=v2...` over `params` sorted by
/// key, without any `Signature` parameter. Arrays are expected flattened
/// already (`Name.0`, `Name.1`, ...).
pub fn string_to_sign(method: &str, host: &str, path: &str, params: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> =
        params.iter().filter(|(key, _)| *key != SIGNATURE).collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let joined = sorted
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    format!("{method}{host}{path}?{joined}")
}

/// `base64(HMAC(secret_key, string_to_sign))` with the method's hash.
pub fn signature(method: SignatureMethod, secret_key: &str, string_to_sign: &str) -> String {
    let digest = match method {
        SignatureMethod::HmacSha1 => {
            crate::mac::digest::<Hmac<sha1::Sha1>>(secret_key.as_bytes(), string_to_sign.as_bytes())
        }
        SignatureMethod::HmacSha256 => crate::mac::digest::<Hmac<sha2::Sha256>>(
            secret_key.as_bytes(),
            string_to_sign.as_bytes(),
        ),
    };
    STANDARD.encode(digest)
}

/// The method named by a `SignatureMethod` parameter.
pub fn method_named(name: &str) -> Option<SignatureMethod> {
    [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256]
        .into_iter()
        .find(|method| method.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published vector (PROVIDERS.md §3a).
    const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA";

    fn params(method: &'static str) -> Vec<(&'static str, &'static str)> {
        // Deliberately unsorted, with a Signature that must be left out.
        vec![
            ("Timestamp", "1465185768"),
            ("SignatureMethod", method),
            ("Signature", "ignored"),
            ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA"),
            ("Region", "ap-guangzhou"),
            ("Nonce", "11886"),
            ("InstanceIds.0", "ins-09dx96dg"),
            ("Action", "DescribeInstances"),
        ]
    }

    #[test]
    fn hmac_sha1_matches_the_vector() {
        let source = string_to_sign(
            "GET",
            "cvm.api.qcloud.com",
            "/v2/index.php",
            &params("HmacSHA1"),
        );
        assert_eq!(
            source,
            "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg\
             &Nonce=11886&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA\
             &SignatureMethod=HmacSHA1&Timestamp=1465185768"
        );
        assert_eq!(
            signature(SignatureMethod::HmacSha1, KEY, &source),
            "nPVnY6njQmwQ8ciqbPl5Qe+Oru4="
        );
    }

    #[test]
    fn hmac_sha256_matches_the_vector() {
        let source = string_to_sign(
            "GET",
            "cvm.api.qcloud.com",
            "/v2/index.php",
            &params("HmacSHA256"),
        );
        assert!(source.ends_with("&SignatureMethod=HmacSHA256&Timestamp=1465185768"));
        assert_eq!(
            signature(SignatureMethod::HmacSha256, KEY, &source),
            "0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s="
        );
    }

    #[test]
    fn keys_sort_bytewise_and_values_stay_raw() {
        assert_eq!(
            string_to_sign(
                "GET",
                "h:8080",
                "/p",
                &[("b", "x y/+="), ("B", "2"), ("a.1", "é"), ("a", "1")]
            ),
            "GETh:8080/p?B=2&a=1&a.1=é&b=x y/+="
        );
        assert_eq!(method_named("HmacSHA1"), Some(SignatureMethod::HmacSha1));
        assert_eq!(method_named("hmacsha256"), None);
    }
}
