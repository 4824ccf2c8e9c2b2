//! Small readers for the outer shape of response bodies, shared by the
//! providers' `decode_page`: the top-level object, arrays of items with
//! their JSON paths, announced totals.

use serde_json::{Map, Value};

use super::DecodeError;
use super::fields::json_type_name;

/// The body's top-level object.
pub fn top_object(body: Value) -> Result<Map<String, Value>, DecodeError> {
    match body {
        Value::Object(map) => Ok(map),
        other => Err(DecodeError::new(
            "$",
            format!("expected a JSON object, found {}", json_type_name(&other)),
        )),
    }
}

/// The elements of the array `list`, each with its JSON path.
pub fn items(list: Value, path: &str) -> Result<Vec<(String, Value)>, DecodeError> {
    match list {
        Value::Array(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(index, item)| (format!("{path}[{index}]"), item))
            .collect()),
        other => Err(DecodeError::new(
            path,
            format!("expected an array, found {}", json_type_name(&other)),
        )),
    }
}

/// An announced total, if any.
pub fn count(value: Option<&Value>, path: &str) -> Result<Option<u64>, DecodeError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value.as_u64().map(Some).ok_or_else(|| {
            DecodeError::new(
                path,
                format!(
                    "expected a non-negative integer, found {}",
                    json_type_name(value)
                ),
            )
        }),
    }
}

/// Appends `item` unless the list has it already (subnet lists keep the
/// provider's order without repeats).
pub fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}
