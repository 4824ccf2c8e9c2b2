//! A version's content hash: what decides whether a listing shows a change.
//!
//! Content = the model's field values + the redacted raw JSON + the
//! referenced objects' JSON, minus the provider's volatile fields
//! ([`crate::provider::volatile_paths`]). JSON maps are ordered by key, so
//! the same content always serializes, and hashes, the same way.

use std::io::Write;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::Connection;
use crate::provider::fields::{lookup, remove};
use crate::provider::{ProviderKind, volatile_paths};

/// Bytes of SHA-256 kept: ample to tell one connection's versions apart.
pub const CONTENT_HASH_BYTES: usize = 16;

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

/// The content hash of a normalized connection with its redacted raw JSON
/// and referenced objects.
pub fn content_hash(
    kind: ProviderKind,
    connection: &Connection,
    raw: &Value,
    related: Option<&Value>,
) -> [u8; CONTENT_HASH_BYTES] {
    let mut writer = HashWriter(Sha256::new());
    for value in connection.field_values() {
        match value {
            Some(value) => write_json(&mut writer, &value.to_json()),
            None => writer.0.update(b"-"),
        }
        writer.0.update(b"\x1f");
    }
    let volatile = volatile_paths(kind);
    if volatile.iter().any(|path| lookup(raw, path).is_some()) {
        let mut stable = raw.clone();
        for path in volatile {
            remove(&mut stable, path);
        }
        write_json(&mut writer, &stable);
    } else {
        write_json(&mut writer, raw);
    }
    writer.0.update(b"\x1f");
    if let Some(related) = related {
        write_json(&mut writer, related);
    }
    let digest = writer.0.finalize();
    let mut hash = [0u8; CONTENT_HASH_BYTES];
    hash.copy_from_slice(&digest[..CONTENT_HASH_BYTES]);
    hash
}

fn write_json(writer: &mut HashWriter, value: &Value) {
    // Writing into a hasher cannot fail, and a serde_json::Value always serializes.
    let _ = serde_json::to_writer(writer, value);
}
