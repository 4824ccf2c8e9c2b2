//! A list body given as JSON text, split in one pass without parsing its
//! connections ([`split_list_body`]): each connection stays a range of the
//! body's text ([`SplitText`]), keyed as it is and parsed only when it is
//! not passed over, so that a saved file's unchanged connections cost no
//! `Value` tree. Parsed, it fails as the whole body would.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
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
            && let Some(Value::Array(mut inner)) = outer.pop()
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
/// `list_key` (it is then parsed whole, and any error is reported as for
/// any body).
pub(super) fn split_list_body(text: &str, list_key: &str) -> Option<(Value, Vec<Range<usize>>)> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let split = ListBody { list_key }.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    let (shell, connections) = split?;
    // Each connection's place in the text it was borrowed from.
    let start = text.as_ptr() as usize;
    let ranges = connections
        .into_iter()
        .map(|raw| {
            let offset = (raw.get().as_ptr() as usize).checked_sub(start)?;
            let range = offset..offset + raw.get().len();
            text.get(range.clone()).map(|_| range)
        })
        .collect::<Option<Vec<_>>>()?;
    Some((Value::Object(shell), ranges))
}

/// Reads a list body's members, all but `list_key` parsed, that one as the
/// texts of its elements; `None` inside when `list_key` is absent.
struct ListBody<'k> {
    list_key: &'k str,
}

type Split<'de> = Option<(Map<String, Value>, Vec<&'de RawValue>)>;

impl<'de> DeserializeSeed<'de> for ListBody<'_> {
    type Value = Split<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListBody<'_> {
    type Value = Split<'de>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut shell = Map::new();
        let mut connections = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == self.list_key {
                // A repeated key: the last one counts, as when parsed whole.
                connections = Some(map.next_value::<Vec<&'de RawValue>>()?);
                shell.insert(key.into_owned(), Value::Array(Vec::new()));
            } else {
                let value = map.next_value::<Value>()?;
                shell.insert(key.into_owned(), value);
            }
        }
        Ok(connections.map(|connections| (shell, connections)))
    }
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
