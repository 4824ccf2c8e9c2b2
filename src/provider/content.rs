//! A version's content hash: what decides whether a listing shows a change.
//!
//! Content = the model's field values + the redacted raw JSON + the
//! referenced objects' JSON, minus the provider's volatile fields
//! ([`volatile_paths`]). JSON maps are ordered by key, so
//! the same content always serializes, and hashes, the same way.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::fields::{lookup, remove};
use super::kind::{ProviderKind, volatile_paths};
use super::page::{CONTENT_HASH_BYTES, json_text};
use crate::model::Connection;

/// Bytes the model's field values usually take as hashed (most fit).
const FIELDS_CAPACITY: usize = 1024;

/// The content hash of a normalized connection with its redacted raw JSON
/// and referenced objects. `raw_json` and `related_json` are `raw` and the
/// referenced objects as compact JSON text (what is stored), hashed as they
/// are rather than serialized again.
pub fn content_hash(
    kind: ProviderKind,
    connection: &Connection,
    raw: &Value,
    raw_json: &str,
    related_json: Option<&str>,
) -> [u8; CONTENT_HASH_BYTES] {
    let stable = stable_raw_json(kind, raw);
    content_hash_of_text(
        connection,
        stable.as_deref().unwrap_or(raw_json),
        related_json,
    )
}

/// `raw` without the volatile fields of `kind`, as compact JSON text, when
/// it has any of them; `None` means the raw JSON text as stored is what
/// [`content_hash_of_text`] hashes.
pub fn stable_raw_json(kind: ProviderKind, raw: &Value) -> Option<String> {
    let volatile = volatile_paths(kind);
    if !volatile.iter().any(|path| lookup(raw, path).is_some()) {
        return None;
    }
    let mut stable = raw.clone();
    for path in volatile {
        remove(&mut stable, path);
    }
    Some(json_text(&stable))
}

/// The content hash from text: `stable_raw_json` is the redacted raw JSON
/// without volatile fields (see [`stable_raw_json`]), `related_json` the
/// referenced objects, both compact JSON text. Equal to [`content_hash`].
pub fn content_hash_of_text(
    connection: &Connection,
    stable_raw_json: &str,
    related_json: Option<&str>,
) -> [u8; CONTENT_HASH_BYTES] {
    // The field values go through one buffer: hashing many small pieces
    // one by one costs more than copying them.
    let mut fields = Vec::with_capacity(FIELDS_CAPACITY);
    for value in connection.field_refs() {
        match value {
            Some(value) => value.write_json(&mut fields),
            None => fields.push(b'-'),
        }
        fields.push(0x1f);
    }
    let mut hasher = Sha256::new();
    hasher.update(&fields);
    hasher.update(stable_raw_json.as_bytes());
    hasher.update(b"\x1f");
    if let Some(related) = related_json {
        hasher.update(related.as_bytes());
    }
    let digest = hasher.finalize();
    let mut hash = [0u8; CONTENT_HASH_BYTES];
    hash.copy_from_slice(&digest[..CONTENT_HASH_BYTES]);
    hash
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use serde_json::json;

    use super::*;
    use crate::model::Status;

    /// Hashes what is written into it.
    struct HashWriter(Sha256);

    impl Write for HashWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn write_json(writer: &mut HashWriter, value: &Value) {
        // Writing into a hasher cannot fail, and a serde_json::Value always serializes.
        let _ = serde_json::to_writer(writer, value);
    }

    /// The hash as first defined: every part serialized from its value.
    fn hash_from_values(connection: &Connection, raw: &Value, related: &Value) -> [u8; 16] {
        let mut writer = HashWriter(Sha256::new());
        for value in connection.field_values() {
            match value {
                Some(value) => write_json(&mut writer, &value.to_json()),
                None => writer.0.update(b"-"),
            }
            writer.0.update(b"\x1f");
        }
        write_json(&mut writer, raw);
        writer.0.update(b"\x1f");
        write_json(&mut writer, related);
        let digest = writer.0.finalize();
        let mut hash = [0u8; CONTENT_HASH_BYTES];
        hash.copy_from_slice(&digest[..CONTENT_HASH_BYTES]);
        hash
    }

    #[test]
    fn hashing_the_stored_text_equals_hashing_the_values() {
        let mut connection = Connection::new("os", "openstack", "c1", Status::Active);
        connection.name = Some("tunnel \"A\" \u{e9}\n".into());
        connection.peer_subnets = Some(vec!["10.0.0.0/8".into(), "a\\b".into()]);
        connection.local_subnets = Some(vec![]);
        connection.admin_state_up = Some(true);
        connection.ike.lifetime_seconds = Some(-3600);
        connection.routing = Some(crate::model::Routing::Bgp);
        let raw = json!({"id": "c1", "name": "tunnel \"A\" \u{e9}", "mtu": 1500,
                         "peer_cidrs": ["10.0.0.0/8"], "nested": {"z": null, "a": 1.5}});
        let related = json!({"ikepolicy": {"lifetime": {"units": "seconds", "value": 3600}}});
        assert_eq!(
            content_hash(
                ProviderKind::OpenStack,
                &connection,
                &raw,
                &raw.to_string(),
                Some(&related.to_string()),
            ),
            hash_from_values(&connection, &raw, &related)
        );
    }

    #[test]
    fn volatile_fields_do_not_change_the_hash() {
        let connection = Connection::new("hw", "huaweicloud", "c1", Status::Active);
        let hash = |raw: Value| {
            content_hash(
                ProviderKind::HuaweiCloud,
                &connection,
                &raw,
                &raw.to_string(),
                None,
            )
        };
        assert_eq!(
            hash(json!({"id": "c1", "bgp_peer": {"state_duration": "1h", "state": "up"}})),
            hash(json!({"id": "c1", "bgp_peer": {"state_duration": "2h", "state": "up"}}))
        );
        assert_ne!(
            hash(json!({"id": "c1", "bgp_peer": {"state": "up"}})),
            hash(json!({"id": "c1", "bgp_peer": {"state": "down"}}))
        );
    }

    /// The hash existing databases hold for this content: computing it any
    /// other way must give these bytes, or every connection gets a new version.
    #[test]
    fn the_hash_of_a_fixed_object_is_pinned() {
        let mut connection = Connection::new("hw", "huaweicloud", "c1", Status::Down);
        connection.region = Some("eu-west-101".into());
        connection.name = Some("tunnel \"A\" \u{e9}".into());
        connection.peer_subnets = Some(vec!["10.0.0.0/8".into(), "10.1.0.0/16".into()]);
        connection.admin_state_up = Some(false);
        connection.ike.lifetime_seconds = Some(86400);
        connection.tags = Some(vec![]);
        let raw = json!({"id": "c1", "name": "tunnel \"A\" \u{e9}", "mtu": 1500,
                         "bgp_peer": {"state": "up"}, "psk": "[redacted]"});
        let hash = |raw: &Value| {
            hex::encode(content_hash(
                ProviderKind::HuaweiCloud,
                &connection,
                raw,
                &raw.to_string(),
                Some("{\"ikepolicy\":{}}"),
            ))
        };
        assert_eq!(hash(&raw), "09e179ac2b40d560e721189080614a8c");
        let mut volatile = raw.clone();
        volatile["bgp_peer"]["state_duration"] = json!("3d 4h");
        volatile["request_id"] = json!("req-1");
        assert_eq!(hash(&volatile), "09e179ac2b40d560e721189080614a8c");
    }
}
