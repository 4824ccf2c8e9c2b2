//! A list body given as JSON text, split in one pass without parsing its
//! connections ([`split_list_body`]): each connection stays a range of the
//! body's text ([`SplitText`]), keyed as it is and parsed only when it is
//! not passed over, so that a saved file's unchanged connections cost no
//! `Value` tree. Parsed, it fails as the whole body would.

use std::ops::Range;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::ListingError;
use crate::provider::{self, ProviderKind, UndecodableBody};

/// A connection's text: a range of its list body's text.
#[derive(Debug)]
pub(super) struct SplitText {
    pub(super) body: Arc<String>,
    pub(super) range: Range<usize>,
}

impl SplitText {
    pub(super) fn get(&self) -> &str {
        self.body.get(self.range.clone()).unwrap_or_default()
    }

    /// The connection parsed as the whole body's parse would read it: at
    /// the same depth (serde_json limits nesting), and on an error the
    /// whole body's error, so that a split body fails as one parsed whole.
    pub(super) fn parse(
        &self,
        origin: &str,
        path: &str,
        kind: ProviderKind,
    ) -> Result<Value, ListingError> {
        // Built by hand: `format!` grew its buffer from a few bytes, a
        // copy and reallocations per connection (8% of preparing one).
        let text = self.get();
        let mut nested = String::with_capacity(text.len() + 4);
        nested.push_str("[[");
        nested.push_str(text);
        nested.push_str("]]");
        if let Ok(Value::Array(mut outer)) = serde_json::from_str::<Value>(&nested)
            && outer.len() == 1
            && let Some(Value::Array(mut inner)) = outer.pop()
            && inner.len() == 1
            && let Some(object) = inner.pop()
        {
            return Ok(object);
        }
        Err(match serde_json::from_str::<Value>(&self.body) {
            Err(error) => json_error(origin, &error),
            Ok(_) => ListingError::Decode(UndecodableBody {
                origin: origin.to_string(),
                kind,
                error: provider::DecodeError::new(path, "not a JSON value on its own"),
            }),
        })
    }
}

/// A list body split at `list_key` without parsing its connections: the
/// body with an empty array there, and each connection's text, in one pass
/// over the text. `None` when the text is not an object holding an array at
/// `list_key`, is not JSON around that array, or holds `list_key` more than
/// once (it is then parsed whole, and any error is reported as for any
/// body).
///
/// The connections' texts are found by their structure alone (strings,
/// brackets, commas), not validated: each is either passed over because
/// its listing key is that of a stored version (which was the same text,
/// parsed when it was stored) or parsed ([`SplitText::parse`]), which fails
/// as the whole body would. Everything else is validated here: the members
/// outside the array are parsed (as deep as in the body), and so are the
/// keys; the separators and whitespace between them and between the
/// connections are checked. serde_json's validating skip of each connection
/// had been about half of an unchanged import's reading.
pub(super) fn split_list_body(text: &str, list_key: &str) -> Option<(Value, Vec<Range<usize>>)> {
    let bytes = text.as_bytes();
    let mut at = skip_whitespace(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let mut shell = Map::new();
    let mut connections = None;
    at = skip_whitespace(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        at += 1;
    } else {
        loop {
            let key_end = string_end(bytes, at)?;
            let key: String = serde_json::from_str(text.get(at..key_end)?).ok()?;
            at = skip_whitespace(bytes, key_end);
            if bytes.get(at) != Some(&b':') {
                return None;
            }
            at = skip_whitespace(bytes, at + 1);
            let value_end = if key == list_key {
                // A repeated key (the last one counts): the connections of
                // the earlier array would be neither kept nor parsed, so
                // such a body is parsed whole.
                if connections.is_some() {
                    return None;
                }
                let (ranges, end) = array_items(bytes, at)?;
                connections = Some(ranges);
                shell.insert(key, Value::Array(Vec::new()));
                end
            } else {
                let end = value_end(bytes, at)?;
                shell.insert(key, member_value(text.get(at..end)?)?);
                end
            };
            at = skip_whitespace(bytes, value_end);
            match bytes.get(at) {
                Some(b',') => at = skip_whitespace(bytes, at + 1),
                Some(b'}') => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    if skip_whitespace(bytes, at) != bytes.len() {
        return None;
    }
    Some((Value::Object(shell), connections?))
}

/// A member of the body's object parsed as the whole body's parse reads
/// it: one level down (serde_json limits nesting).
fn member_value(text: &str) -> Option<Value> {
    let mut nested = String::with_capacity(text.len() + 2);
    nested.push('[');
    nested.push_str(text);
    nested.push(']');
    match serde_json::from_str::<Value>(&nested).ok()? {
        Value::Array(mut values) if values.len() == 1 => values.pop(),
        _ => None,
    }
}

/// The ranges of the elements of the array at `at`, and where it ends.
fn array_items(bytes: &[u8], mut at: usize) -> Option<(Vec<Range<usize>>, usize)> {
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    let mut items = Vec::new();
    at = skip_whitespace(bytes, at + 1);
    if bytes.get(at) == Some(&b']') {
        return Some((items, at + 1));
    }
    loop {
        let end = value_end(bytes, at)?;
        items.push(at..end);
        at = skip_whitespace(bytes, end);
        match bytes.get(at) {
            Some(b',') => at = skip_whitespace(bytes, at + 1),
            Some(b']') => return Some((items, at + 1)),
            _ => return None,
        }
    }
}

/// Where the value starting at `at` ends, by its structure: a string at its
/// closing quote, an object or array at its closing bracket (strings
/// skipped), anything else before the next delimiter or whitespace. `None`
/// at the end of the text, at a delimiter, or in an unterminated string or
/// container. What lies inside is not checked (`tru`, `1x`, `[}`): such a
/// value is a connection's, refused when parsed, or a member's, parsed here.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => container_end(bytes, at),
        _ => {
            let rest = bytes.get(at..)?;
            let length = rest
                .iter()
                .position(|byte| matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            (length > 0).then_some(at + length)
        }
    }
}

/// The end of the object or array starting at `at`: past the bracket that
/// brings the nesting back to where it started. Brackets are counted, not
/// matched (`[}` closes): a mismatched text is refused when parsed.
fn container_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    while let Some(byte) = bytes.get(at) {
        match byte {
            b'"' => {
                at = string_end(bytes, at)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// Past the closing quote of the string starting at `at` (a quote), its
/// escapes skipped.
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut at = at + 1;
    loop {
        at += memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
        match bytes[at] {
            b'"' => return Some(at + 1),
            // The escaped character, whatever it is, cannot end the string.
            _ => at += 2,
        }
    }
}

/// Past JSON's whitespace (space, tab, line feed, carriage return) from `at`.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// A body that is not JSON, named by its origin.
pub(super) fn json_error(origin: &str, error: &serde_json::Error) -> ListingError {
    ListingError::Json {
        origin: origin.to_string(),
        line: error.line(),
        column: error.column(),
        message: json_error_message(error),
    }
}

/// serde_json's message without its own " at line L column C" suffix.
fn json_error_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(position) => message[..position].to_string(),
        None => message,
    }
}
