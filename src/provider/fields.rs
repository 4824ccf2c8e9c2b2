//! A consuming reader over one JSON object as a provider sent it.
//!
//! Normalizers read fields through [`Fields`] by dotted path; every value read
//! is removed, so what is left at the end ([`Fields::into_unmapped`]) is the
//! part of the provider's object that the model does not cover. The store
//! diffs that remainder (as `raw.*` change records), so a change outside the
//! model is still recorded as a field change and never silently lost.
//!
//! A value of the wrong type is left in place (so it shows up in the
//! remainder) and produces a warning naming its JSON path.

use serde_json::{Map, Value};

/// A consuming reader over a JSON object; see the module docs.
#[derive(Debug)]
pub struct Fields {
    root: Value,
    /// JSON path of `root` in the body it came from, e.g. `$.vpn_connections[3]`.
    path: String,
    warnings: Vec<String>,
}

impl Fields {
    /// Reads `object`, which sits at `path` in its body (used in warnings).
    pub fn new(object: Value, path: impl Into<String>) -> Fields {
        Fields {
            root: object,
            path: path.into(),
            warnings: Vec::new(),
        }
    }

    /// The JSON path of a dotted field below this object.
    pub fn path_of(&self, dotted: &str) -> String {
        format!("{}.{}", self.path, dotted)
    }

    /// Whether the object has a non-null value at `dotted`.
    pub fn has(&self, dotted: &str) -> bool {
        lookup(&self.root, dotted).is_some_and(|value| !value.is_null())
    }

    /// Looks at a value without consuming it.
    pub fn peek(&self, dotted: &str) -> Option<&Value> {
        lookup(&self.root, dotted).filter(|value| !value.is_null())
    }

    /// Removes and returns the value at `dotted`; JSON `null` counts as absent.
    pub fn take(&mut self, dotted: &str) -> Option<Value> {
        remove(&mut self.root, dotted).filter(|value| !value.is_null())
    }

    /// A string; numbers are accepted and written in decimal. Empty strings
    /// and the string `"null"` (any case) count as absent.
    pub fn text(&mut self, dotted: &str) -> Option<String> {
        self.consume(dotted, "a string", |value| match value {
            Value::String(text) => Some(trimmed(std::mem::take(text))),
            Value::Number(number) => Some(Some(number.to_string())),
            _ => None,
        })
    }

    /// An integer; numeric strings (`"3600"`) are accepted. `"null"` and empty
    /// strings count as absent.
    pub fn integer(&mut self, dotted: &str) -> Option<i64> {
        self.consume(dotted, "an integer", |value| match value {
            Value::Number(number) => number.as_i64().map(Some),
            Value::String(text) if is_null_text(text) => Some(None),
            Value::String(text) => text.trim().parse::<i64>().ok().map(Some),
            _ => None,
        })
    }

    /// A boolean; `"true"`/`"false"` strings and 0/1 are accepted.
    pub fn boolean(&mut self, dotted: &str) -> Option<bool> {
        self.consume(dotted, "a boolean", |value| {
            let flag = match value {
                Value::Bool(flag) => *flag,
                Value::String(text) => match text.trim() {
                    word if word.eq_ignore_ascii_case("true") || word == "1" => true,
                    word if word.eq_ignore_ascii_case("false") || word == "0" => false,
                    _ => return None,
                },
                Value::Number(number) => match number.as_i64() {
                    Some(1) => true,
                    Some(0) => false,
                    _ => return None,
                },
                _ => return None,
            };
            Some(Some(flag))
        })
    }

    /// A list of strings (numbers accepted). A single string is taken as a
    /// one-item list.
    pub fn strings(&mut self, dotted: &str) -> Option<Vec<String>> {
        self.consume(dotted, "a list of strings", |value| match value {
            Value::Array(items)
                if items
                    .iter()
                    .all(|item| matches!(item, Value::String(_) | Value::Number(_))) =>
            {
                let items = items.iter_mut().map(|item| match item {
                    Value::String(text) => trim_owned(std::mem::take(text)),
                    Value::Number(number) => number.to_string(),
                    // Not reached: the guard admits strings and numbers only.
                    _ => String::new(),
                });
                Some(Some(items.collect()))
            }
            Value::String(text) => Some(Some(vec![trim_owned(std::mem::take(text))])),
            _ => None,
        })
    }

    /// Reads the non-null value at `dotted` with `convert`, which returns
    /// `None` for a value of the wrong type (and must then leave it as it
    /// is: it stays, with a warning naming `expected`) or what the value
    /// reads as, and may move out of it: the value is then removed.
    fn consume<T>(
        &mut self,
        dotted: &str,
        expected: &str,
        convert: impl FnOnce(&mut Value) -> Option<Option<T>>,
    ) -> Option<T> {
        let (parent, leaf) = parent_mut(&mut self.root, dotted)?;
        let value = parent.get_mut(leaf).filter(|value| !value.is_null())?;
        match convert(value) {
            Some(read) => {
                parent.remove(leaf);
                read
            }
            None => self.wrong_type(dotted, expected),
        }
    }

    /// Records a warning about `dotted` (e.g. an unknown enum value) without
    /// consuming it.
    pub fn warn(&mut self, dotted: &str, message: &str) {
        let path = self.path_of(dotted);
        self.warnings.push(format!("{path}: {message}"));
    }

    fn wrong_type<T>(&mut self, dotted: &str, expected: &str) -> Option<T> {
        let found = self.peek(dotted).map(json_type_name).unwrap_or("nothing");
        self.warn(
            dotted,
            &format!("expected {expected}, found {found}; left out of the model"),
        );
        None
    }

    /// Warnings collected so far.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// What was not read, with emptied objects pruned, and the warnings.
    pub fn into_unmapped(mut self) -> (Value, Vec<String>) {
        prune(&mut self.root);
        let unmapped = match self.root {
            Value::Null => Value::Object(Map::new()),
            other => other,
        };
        (unmapped, self.warnings)
    }
}

/// `"null"`, `"NULL"` or an empty string: providers' ways of saying "absent".
pub fn is_null_text(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || text.eq_ignore_ascii_case("null")
}

/// The JSON type of a value, for messages.
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value at a dotted path of nested objects.
pub fn lookup<'a>(root: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted
        .split('.')
        .try_fold(root, |value, key| value.as_object()?.get(key))
}

/// Removes and returns the value at a dotted path of nested objects.
pub fn remove(root: &mut Value, dotted: &str) -> Option<Value> {
    let (parent, leaf) = parent_mut(root, dotted)?;
    parent.remove(leaf)
}

/// The object holding the last key of a dotted path, and that key.
fn parent_mut<'a, 'k>(
    root: &'a mut Value,
    dotted: &'k str,
) -> Option<(&'a mut Map<String, Value>, &'k str)> {
    let (parent, leaf) = match dotted.rsplit_once('.') {
        Some((parent_path, leaf)) => (
            parent_path
                .split('.')
                .try_fold(root, |value, key| value.as_object_mut()?.get_mut(key))?,
            leaf,
        ),
        None => (root, dotted),
    };
    Some((parent.as_object_mut()?, leaf))
}

/// `text` trimmed, reusing its buffer when there is nothing to trim.
fn trim_owned(text: String) -> String {
    if text.trim().len() == text.len() {
        text
    } else {
        text.trim().to_string()
    }
}

/// `text` trimmed, or `None` when that leaves it empty or `"null"` (any case).
fn trimmed(text: String) -> Option<String> {
    let text = trim_owned(text);
    (!text.is_empty() && !text.eq_ignore_ascii_case("null")).then_some(text)
}

/// Removes objects left empty by reading: an empty object in the remainder
/// means "nothing unmapped here".
fn prune(value: &mut Value) {
    if let Value::Object(map) = value {
        for child in map.values_mut() {
            prune(child);
        }
        map.retain(|_, child| !matches!(child, Value::Object(inner) if inner.is_empty()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reading_consumes_and_leaves_the_rest() {
        let mut fields = Fields::new(
            json!({"id": "a", "ike": {"enc": "aes-128", "dpd": {"timeout": "15"}}, "mtu": 1500}),
            "$.items[0]",
        );
        assert_eq!(fields.text("id").as_deref(), Some("a"));
        assert_eq!(fields.text("ike.enc").as_deref(), Some("aes-128"));
        assert_eq!(fields.integer("ike.dpd.timeout"), Some(15));
        let (unmapped, warnings) = fields.into_unmapped();
        assert_eq!(unmapped, json!({"mtu": 1500}));
        assert!(warnings.is_empty());
    }

    #[test]
    fn wrong_types_stay_unmapped_with_a_warning() {
        let mut fields = Fields::new(json!({"lifetime": "soon", "pfs": "null"}), "$");
        assert_eq!(fields.integer("lifetime"), None);
        assert_eq!(fields.text("pfs"), None);
        let (unmapped, warnings) = fields.into_unmapped();
        assert_eq!(unmapped, json!({"lifetime": "soon"}));
        assert_eq!(
            warnings,
            vec![
                "$.lifetime: expected an integer, found a string; left out of the model"
                    .to_string()
            ]
        );
    }
}
