//! Writing the resolved configuration as TOML-like text for
//! `vpnsnap config check`: one `key = value` line per setting, a comment
//! saying where a credential came from or that a value is a default, and
//! `"***"` in place of every secret.

use super::credentials::{Identifier, Origin, Secret};

/// What is shown instead of a secret.
pub const MASK: &str = "***";

/// `value` as a TOML basic string.
pub fn quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn line(out: &mut String, key: &str, value: &str, comment: Option<&str>) {
    out.push_str(key);
    out.push_str(" = ");
    out.push_str(value);
    if let Some(comment) = comment {
        out.push_str("  # ");
        out.push_str(comment);
    }
    out.push('\n');
}

/// `key = "value"`.
pub fn text(out: &mut String, key: &str, value: &str) {
    line(out, key, &quote(value), None);
}

/// `key = "value"`, marked `# default` when it was not written.
pub fn text_or_default(out: &mut String, key: &str, value: &str, is_default: bool) {
    line(out, key, &quote(value), is_default.then_some("default"));
}

/// `key = "value"` if there is a value.
pub fn optional_text(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        text(out, key, value);
    }
}

/// `key = 123`, marked `# default` when it was not written.
pub fn integer(out: &mut String, key: &str, value: u32, is_default: bool) {
    line(
        out,
        key,
        &value.to_string(),
        is_default.then_some("default"),
    );
}

/// `key = true|false`, marked `# default` when it was not written.
pub fn boolean(out: &mut String, key: &str, value: bool, is_default: bool) {
    line(
        out,
        key,
        &value.to_string(),
        is_default.then_some("default"),
    );
}

/// `key = ["a", "b"]`, omitted when empty.
pub fn list(out: &mut String, key: &str, values: &[String]) {
    if !values.is_empty() {
        let items: Vec<String> = values.iter().map(|value| quote(value)).collect();
        line(out, key, &format!("[{}]", items.join(", ")), None);
    }
}

/// `key = "value"  # from env VAR`: identifiers are not secret.
pub fn identifier(out: &mut String, key: &str, value: &Identifier) {
    let from = match value.origin() {
        Origin::Literal => None,
        origin => Some(format!("from {origin}")),
    };
    line(out, key, &quote(value.as_str()), from.as_deref());
}

/// `key = "***"  # from file PATH`.
pub fn secret(out: &mut String, key: &str, value: &Secret) {
    line(
        out,
        key,
        &quote(MASK),
        Some(&format!("from {}", value.origin())),
    );
}

/// `key = "***"` if there is a secret.
pub fn optional_secret(out: &mut String, key: &str, value: Option<&Secret>) {
    if let Some(value) = value {
        secret(out, key, value);
    }
}

/// `# text`.
pub fn comment(out: &mut String, text: &str) {
    out.push_str("# ");
    out.push_str(text);
    out.push('\n');
}
