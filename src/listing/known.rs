//! What the store holds of one source's latest versions, by listing key:
//! what lets a listing pass over a connection unchanged since then without
//! normalizing it (see [`crate::provider::ListingKeyer`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::provider::{CONTENT_HASH_BYTES, ListingKey};

/// Per listing key, the connection whose latest stored version has it and
/// that version's content hash.
#[derive(Debug, Default)]
pub struct KnownVersions {
    by_key:
        HashMap<ListingKey, (Box<str>, [u8; CONTENT_HASH_BYTES]), BuildHasherDefault<KeyHasher>>,
}

/// Hashes a listing key by its first eight bytes: a keyed HMAC's output is
/// uniform already, and no server can aim its objects at one bucket
/// without the database's key.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for (index, byte) in bytes.iter().take(8).enumerate() {
            self.0 ^= u64::from(*byte) << (8 * index);
        }
    }
}

impl KnownVersions {
    pub fn insert(
        &mut self,
        listing_key: ListingKey,
        connection_id: &str,
        content_hash: [u8; CONTENT_HASH_BYTES],
    ) {
        self.by_key
            .insert(listing_key, (connection_id.into(), content_hash));
    }

    /// The connection id and content hash stored with `listing_key`.
    pub fn get(&self, listing_key: &ListingKey) -> Option<(&str, &[u8; CONTENT_HASH_BYTES])> {
        self.by_key
            .get(listing_key)
            .map(|(connection_id, hash)| (connection_id.as_ref(), hash))
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}
