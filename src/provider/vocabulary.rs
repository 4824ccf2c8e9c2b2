//! The shared vocabulary: one lowercase spelling per algorithm, DH group,
//! IKE version, routing mode and tag across providers, so that the same
//! setting reads the same whichever cloud reported it.
//!
//! Algorithms use the Huawei/strongSwan style names (`aes-128`,
//! `aes-256-gcm-16`, `sha2-256`, `group14`); other providers' spellings are
//! mapped onto them (Tencent `AES-CBC-128`, `SHA`, `DH-GROUP2`; OpenStack
//! `sha256`). A name that is not recognised passes through trimmed and
//! lowercased: it is never dropped. The string `"null"` (any case) and the
//! empty string mean "absent".
//!
//! The `read*` functions apply these terms to values read through
//! [`Fields`] (routing modes, tags, IKE identities, a value spelled under two
//! keys), so a normalizer stays one line per field; [`index_array`] lets
//! `Fields` read arrays of objects element by element.

use serde_json::Value;

use crate::model::Routing;
use crate::provider::fields::{Fields, is_null_text};

/// Trimmed and lowercased; `None` for `"null"` or an empty string.
pub fn lowercase(raw: &str) -> Option<String> {
    (!is_null_text(raw)).then(|| raw.trim().to_lowercase())
}

/// An encryption or integrity algorithm in the shared vocabulary:
/// `aes-cbc-128` → `aes-128`, `3des-cbc` → `3des`, `sha` → `sha1`,
/// `sha256`/`SHA-256` → `sha2-256`, `AES128GCM128` → `aes-128-gcm-16`.
pub fn algorithm(raw: &str) -> Option<String> {
    let name = lowercase(raw)?;
    let mapped = match name.as_str() {
        "3des-cbc" => "3des",
        "des-cbc" => "des",
        "aes-cbc-128" | "aes128" => "aes-128",
        "aes-cbc-192" | "aes192" => "aes-192",
        "aes-cbc-256" | "aes256" => "aes-256",
        // Tencent names GCM by its ICV in bits; 128 bits is strongSwan's `-16` (octets).
        "aes128gcm128" => "aes-128-gcm-16",
        "aes192gcm128" => "aes-192-gcm-16",
        "aes256gcm128" => "aes-256-gcm-16",
        "sm4-cbc" => "sm4",
        "sha" | "sha-1" => "sha1",
        "sha256" | "sha-256" | "sha2_256" => "sha2-256",
        "sha384" | "sha-384" | "sha2_384" => "sha2-384",
        "sha512" | "sha-512" | "sha2_512" => "sha2-512",
        _ => return Some(name),
    };
    Some(mapped.to_string())
}

/// A Diffie-Hellman group: `dh-group14`, `DH-GROUP14`, `GROUP14`, `group14`
/// and a bare `14` all become `group14`.
pub fn dh_group(raw: &str) -> Option<String> {
    let name = lowercase(raw)?;
    let number = name
        .strip_prefix("dh-group")
        .or_else(|| name.strip_prefix("dh_group"))
        .or_else(|| name.strip_prefix("group"))
        .unwrap_or(&name);
    if !number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit()) {
        Some(format!("group{number}"))
    } else {
        Some(name)
    }
}

/// Perfect forward secrecy: a DH group as in [`dh_group`], or `disabled`
/// for `disable`, `disabled`, `none` and `off`.
pub fn pfs(raw: &str) -> Option<String> {
    let name = lowercase(raw)?;
    match name.as_str() {
        "disable" | "disabled" | "none" | "off" => Some("disabled".to_string()),
        _ => dh_group(&name),
    }
}

/// The IKE version: `v1`/`ikev1`/`IKEV1`/`1` → `v1`, likewise `v2`.
pub fn ike_version(raw: &str) -> Option<String> {
    let name = lowercase(raw)?;
    let mapped = match name.as_str() {
        "v1" | "ikev1" | "ike-v1" | "1" => "v1",
        "v2" | "ikev2" | "ike-v2" | "2" => "v2",
        _ => return Some(name),
    };
    Some(mapped.to_string())
}

/// A routing mode: any name containing `policy`, `static` or `bgp` (any
/// case), e.g. Huawei `POLICY`, Tencent `StaticRoute`, OpenStack `static`.
pub fn routing(raw: &str) -> Option<Routing> {
    let name = raw.trim().to_ascii_lowercase();
    if name.contains("bgp") {
        Some(Routing::Bgp)
    } else if name.contains("policy") {
        Some(Routing::Policy)
    } else if name.contains("static") {
        Some(Routing::Static)
    } else {
        None
    }
}

/// Reads the text at `key` and puts it in the vocabulary with `term`
/// (one of the functions above).
pub fn read(fields: &mut Fields, key: &str, term: fn(&str) -> Option<String>) -> Option<String> {
    fields.text(key).as_deref().and_then(term)
}

/// Reads a value a provider spells under two keys (Tencent's
/// `IntegrityAlgorithm` and the older `IntegrityAlgorith`): `preferred` wins
/// when present; `other` is read as well when it says the same, and stays
/// unmapped when it disagrees, so that difference is still recorded.
pub fn read_either(
    fields: &mut Fields,
    preferred: &str,
    other: &str,
    term: fn(&str) -> Option<String>,
) -> Option<String> {
    let Some(value) = read(fields, preferred, term) else {
        return read(fields, other, term);
    };
    let other_value = fields.peek(other).and_then(Value::as_str).and_then(term);
    if other_value.as_deref() == Some(value.as_str()) {
        fields.take(other);
    }
    Some(value)
}

/// Reads Tencent's PFS setting (`PfsDhGroup`, legacy `pfsDhGroup`) as
/// [`pfs`], except that the string `NULL` (any case), which elsewhere means
/// a missing value, is this setting's documented value for "no PFS" and
/// reads as `disabled`.
pub fn read_tencent_pfs(fields: &mut Fields, key: &str) -> Option<String> {
    let is_null = fields
        .peek(key)
        .and_then(Value::as_str)
        .is_some_and(|raw| raw.trim().eq_ignore_ascii_case("null"));
    if is_null {
        fields.take(key);
        return Some("disabled".to_string());
    }
    read(fields, key, pfs)
}

/// Reads a routing mode; one that is not recognised stays unmapped, with a warning.
pub fn read_routing(fields: &mut Fields, key: &str) -> Option<Routing> {
    let raw = fields.peek(key)?.as_str().map(str::to_string);
    match raw.as_deref().and_then(routing) {
        Some(mode) => {
            fields.take(key);
            Some(mode)
        }
        None => {
            fields.warn(
                key,
                "not a known routing mode (policy, static, bgp); left out of the model",
            );
            None
        }
    }
}

/// Reads an IKE identity given as a type (`address`/`ip` or `fqdn`, any case,
/// at `kind_key`) plus one key per type. The type stays unmapped, so a
/// change of type is recorded even when the value reads the same; without a
/// type, whichever value is present is used.
pub fn read_identity(
    fields: &mut Fields,
    kind_key: &str,
    address_key: &str,
    fqdn_key: &str,
) -> Option<String> {
    let kind = fields
        .peek(kind_key)
        .and_then(Value::as_str)
        .and_then(lowercase);
    let key = match kind.as_deref() {
        Some("address" | "ip") => address_key,
        Some("fqdn") => fqdn_key,
        None if fields.has(address_key) => address_key,
        None => fqdn_key,
        Some(_) => {
            fields.warn(
                kind_key,
                "not a known identity type (address, fqdn); identity left out of the model",
            );
            return None;
        }
    };
    fields.text(key)
}

/// Reads a list of tags `[{key_name: ..., value_name: ...}]` as sorted
/// `key=value` strings (a bare `key` when there is no value). An empty list
/// is `Some(vec![])`: "no tags" is a fact, unlike an absent list. A list of
/// another shape stays unmapped, with a warning.
pub fn read_tags(
    fields: &mut Fields,
    key: &str,
    key_name: &str,
    value_name: &str,
) -> Option<Vec<String>> {
    let items = fields.peek(key)?.as_array()?;
    let tags: Option<Vec<String>> = items
        .iter()
        .map(|item| {
            let tag_key = item.get(key_name)?.as_str()?;
            match item.get(value_name) {
                None | Some(Value::Null) => Some(tag_key.to_string()),
                Some(Value::String(value)) => Some(format!("{tag_key}={value}")),
                Some(Value::Number(value)) => Some(format!("{tag_key}={value}")),
                Some(_) => None,
            }
        })
        .collect();
    match tags {
        Some(mut tags) => {
            fields.take(key);
            tags.sort();
            Some(tags)
        }
        None => {
            let expected = format!(
                "expected a list of {{{key_name}, {value_name}}} objects; left out of the model"
            );
            fields.warn(key, &expected);
            None
        }
    }
}

/// Turns the array at `key` of `object` into an object keyed by index
/// (`{"0": ..., "1": ...}`) so [`Fields`] can read its elements by dotted
/// path (`policy_rules.0.source`), and returns its length; `None` when
/// there is no such array. What the elements leave unread then shows in the
/// remainder under `key.<index>`; an array read completely (or empty)
/// leaves nothing.
pub fn index_array(object: &mut Value, key: &str) -> Option<usize> {
    let slot = object.as_object_mut()?.get_mut(key)?;
    let Value::Array(items) = slot else {
        return None;
    };
    let count = items.len();
    let indexed = items
        .drain(..)
        .enumerate()
        .map(|(index, item)| (index.to_string(), item))
        .collect();
    *slot = Value::Object(indexed);
    Some(count)
}

#[cfg(test)]
mod tests;
