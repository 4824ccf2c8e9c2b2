//! Secrets in provider bodies: every value of a secret-named key (`psk`,
//! `preSharedKey`, ...) at any depth is replaced by [`REDACTED`] before an
//! object is normalized or stored, and the connection's own pre-shared key
//! is found for fingerprinting first.

use serde_json::Value;

/// The replacement for every secret value kept in raw JSON.
pub const REDACTED: &str = "[redacted]";

/// Key names (compared case-insensitively, ignoring `_` and `-`) whose
/// values are secrets: `psk`, `preSharedKey`, `PreShareKey`, ...
fn is_secret_key(key: &str) -> bool {
    const SECRET_KEYS: [&[u8]; 3] = [b"psk", b"presharedkey", b"presharekey"];
    if !key.is_ascii() {
        // Some non-ASCII letters lowercase to ASCII ones (the Kelvin sign to
        // `k`): fold by Unicode rules, allocating, for these rare keys only.
        let folded: String = key
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        return SECRET_KEYS.contains(&folded.as_bytes());
    }
    // Called for every key of every object: compare without allocating.
    let folded = key
        .bytes()
        .filter(|byte| *byte != b'_' && *byte != b'-')
        .map(|byte| byte.to_ascii_lowercase());
    SECRET_KEYS
        .iter()
        .any(|secret| folded.clone().eq(secret.iter().copied()))
}

/// The connection's own pre-shared key, if it has a non-empty one.
pub(super) fn top_level_psk(object: &Value) -> Option<&str> {
    object
        .as_object()?
        .iter()
        .find_map(|(key, value)| match value {
            Value::String(psk) if is_secret_key(key) && !psk.is_empty() => Some(psk.as_str()),
            _ => None,
        })
}

/// Replaces the value of every secret-named key, at any depth, by `"[redacted]"`.
pub fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if is_secret_key(key) {
                    if !child.is_null() {
                        *child = Value::from(REDACTED);
                    }
                } else {
                    redact_secrets(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_redacted_at_any_depth_and_case() {
        let mut body = json!({
            "psk": "a", "PSK": "b", "nested": [{"preSharedKey": "c", "PreShareKey": "d", "pre_shared_key": "e"}],
            "name": "psk"
        });
        redact_secrets(&mut body);
        assert_eq!(
            body,
            json!({
                "psk": REDACTED, "PSK": REDACTED,
                "nested": [{"preSharedKey": REDACTED, "PreShareKey": REDACTED, "pre_shared_key": REDACTED}],
                "name": "psk"
            })
        );
    }

    #[test]
    fn secret_key_names_fold_case_dashes_and_underscores() {
        for key in [
            "psk",
            "PSK",
            "pre_shared_key",
            "Pre-Shared-Key",
            "PreShareKey",
            "PS\u{212A}",
        ] {
            assert!(is_secret_key(key), "{key:?}");
        }
        for key in ["pskid", "ps", "preshared", "shared_key", "p\u{e9}sk", ""] {
            assert!(!is_secret_key(key), "{key:?}");
        }
    }
}
