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

/// `text` (an error body, or the start of one) with the value of every
/// secret-named key replaced by `"[redacted]"`: through the JSON when it
/// parses, else wherever `"key": "value"` or `key=value` appears in it (a
/// body cut short, or not JSON at all).
pub fn redact_text(text: &str) -> String {
    if let Ok(value) = serde_json::from_str::<Value>(text)
        && (value.is_object() || value.is_array())
    {
        let mut redacted = value.clone();
        redact_secrets(&mut redacted);
        // A body with no secret keeps its text as the server wrote it.
        if redacted == value {
            return text.to_string();
        }
        return serde_json::to_string(&redacted).unwrap_or_else(|_| REDACTED.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, key, after)) = next_key(rest) {
        out.push_str(before);
        out.push_str(key);
        if is_secret_key(key.trim_matches('"')) {
            let (separator, value_len) = value_after(after);
            out.push_str(&after[..separator]);
            if value_len > 0 {
                out.push_str(if after[separator..].starts_with('"') {
                    "\"[redacted]\""
                } else {
                    REDACTED
                });
            }
            rest = &after[separator + value_len..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The next word or quoted string that may be a key: the text before it,
/// it, and the text after it.
fn next_key(text: &str) -> Option<(&str, &str, &str)> {
    let start = text.find(|c: char| c == '"' || c.is_alphanumeric() || c == '_')?;
    let (before, from) = text.split_at(start);
    let len = if let Some(quoted) = from.strip_prefix('"') {
        quoted.find('"').map_or(from.len(), |end| end + 2)
    } else {
        from.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(from.len())
    };
    let (key, after) = from.split_at(len);
    Some((before, key, after))
}

/// After a key: the length of `: ` / `=` (with spaces) and of the value
/// that follows (a quoted string or a run up to `&`, `,`, `}`, space or
/// the end); `(0, 0)` when no value follows.
fn value_after(text: &str) -> (usize, usize) {
    let trimmed = text.trim_start();
    let mut separator = text.len() - trimmed.len();
    let Some(sign) = trimmed.chars().next().filter(|c| *c == ':' || *c == '=') else {
        return (0, 0);
    };
    separator += sign.len_utf8();
    let value = &text[separator..];
    let spaces = value.len() - value.trim_start().len();
    separator += spaces;
    let value = &text[separator..];
    let len = if let Some(quoted) = value.strip_prefix('"') {
        let mut escaped = false;
        let mut end = None;
        for (index, c) in quoted.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                end = Some(index + 2);
                break;
            }
        }
        end.unwrap_or(value.len())
    } else {
        value
            .find(|c: char| matches!(c, '&' | ',' | '}' | ']' | ';') || c.is_whitespace())
            .unwrap_or(value.len())
    };
    (separator, len)
}

/// `text` with every occurrence of each secret value (of 4 characters or
/// more: shorter ones would blank ordinary words) replaced by
/// `[redacted]`: what a server echoes of a source's own credentials.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_string();
    for secret in secrets {
        if secret.chars().count() >= 4 && text.contains(secret) {
            text = text.replace(secret, REDACTED);
        }
    }
    text
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

    #[test]
    fn error_texts_lose_their_secret_values_whole_or_cut_short() {
        assert_eq!(
            redact_text(r#"{"message": "bad", "psk": "s3cret"}"#),
            r#"{"message":"bad","psk":"[redacted]"}"#
        );
        assert_eq!(
            redact_text(
                r#"{"vpn_connection": {"id": "c1", "PreSharedKey": "s3c\"ret", "name": "x"#
            ),
            r#"{"vpn_connection": {"id": "c1", "PreSharedKey": "[redacted]", "name": "x"#
        );
        assert_eq!(
            redact_text("<html>psk=s3cret&name=a pre_shared_key: abc def</html>"),
            "<html>psk=[redacted]&name=a pre_shared_key: [redacted] def</html>"
        );
        assert_eq!(redact_text("plain text, no key"), "plain text, no key");
        assert_eq!(
            redact_text("{ \"code\": 4000,  \"message\": \"bad\" }"),
            "{ \"code\": 4000,  \"message\": \"bad\" }"
        );
        assert_eq!(
            scrub(
                "login failed for pw Hunter22 (Hunter22)",
                &["Hunter22", "ab"]
            ),
            "login failed for pw [redacted] ([redacted])"
        );
    }
}
