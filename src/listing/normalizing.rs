//! Turning a listing's connection objects into its listed connections, in
//! order, each id once: each object keyed and passed over when its listing
//! key is that of its latest stored version, else parsed and normalized
//! ([`Keying::prepare`], independent of every other object), then added in
//! listing order ([`Normalizing::add`]: warnings, repeats and conflicts).
//! An import prepares a large listing's objects ahead on two threads
//! ([`prepare_ahead`]) and adds the prepared results in order, so that it
//! lists, warns and fails exactly as one thread does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use serde_json::Value;

use super::split::SplitText;
use super::{KnownVersions, Listed, ListedEntry, ListingContext, ListingError};
use crate::provider::{
    self, CONTENT_HASH_BYTES, ListingKey, ListingKeyer, Normalized, Related, UndecodableBody,
};

/// A connection object waiting to be keyed and perhaps normalized: parsed,
/// still the text it came as (from a list body split without parsing its
/// connections), or already prepared ahead.
#[derive(Debug)]
pub(super) enum Object {
    Parsed(Value),
    Text(SplitText),
    Ready(Result<Prepared, ListingError>),
}

/// A connection object keyed, and normalized unless passed over: what
/// adding it to the listing needs, whatever order it was prepared in.
#[derive(Debug)]
pub(super) enum Prepared {
    /// Its listing key is that of the latest stored version of
    /// `connection_id`, whose content hash is `content_hash`.
    Unchanged {
        connection_id: String,
        content_hash: [u8; CONTENT_HASH_BYTES],
        listing_key: ListingKey,
    },
    /// New or changed, with the listing key it came with.
    Normalized(Box<Normalized>, ListingKey),
}

/// What keying and normalizing a connection needs of its listing.
pub(super) struct Keying<'a> {
    pub(super) context: &'a ListingContext,
    pub(super) keyer: &'a ListingKeyer,
    pub(super) known: &'a KnownVersions,
}

impl Keying<'_> {
    /// Keys `object` (found at `path` of the body `origin`) and, unless its
    /// key is that of its latest stored version, parses and normalizes it.
    fn prepare(
        &self,
        origin: &str,
        path: &str,
        object: Object,
        related: &Related,
    ) -> Result<Prepared, ListingError> {
        let kind = self.context.kind;
        let (listing_key, object) = match object {
            Object::Ready(prepared) => return prepared,
            Object::Parsed(object) => (self.keyer.of_value(&object, related), object),
            Object::Text(text) => {
                let key = self.keyer.of_text(text.get(), related);
                if let Some(key) = key
                    && let Some(unchanged) = self.unchanged(key)
                {
                    return Ok(unchanged);
                }
                let object = text.parse(origin, path, kind)?;
                // The text key changes with volatile members: such an
                // object is stored with its value key, which leaves them out.
                match key {
                    Some(key) if !self.keyer.has_volatile(&object) => (key, object),
                    _ => (self.keyer.of_value(&object, related), object),
                }
            }
        };
        if let Some(unchanged) = self.unchanged(listing_key) {
            return Ok(unchanged);
        }
        let item = provider::normalize(
            kind,
            path,
            object,
            related,
            &self.context.normalize_context(),
            &self.context.fingerprinter,
        )
        .map_err(|error| UndecodableBody {
            origin: origin.to_string(),
            kind,
            error,
        })?;
        Ok(Prepared::Normalized(Box::new(item), listing_key))
    }

    /// The connection passed over with `listing_key`, if a stored latest
    /// version has that key.
    fn unchanged(&self, listing_key: ListingKey) -> Option<Prepared> {
        let (connection_id, content_hash) = self.known.get(&listing_key)?;
        Some(Prepared::Unchanged {
            connection_id: connection_id.to_string(),
            content_hash: *content_hash,
            listing_key,
        })
    }
}

/// The connections normalized so far, each id once.
#[derive(Debug)]
pub(super) struct Normalizing {
    pub(super) listed: Listed,
    /// Per connection id: its content hash and the body it came from (an
    /// index into `origins`), to tell a repeat from a conflict.
    found_in: HashMap<String, ([u8; CONTENT_HASH_BYTES], usize)>,
    origins: Vec<String>,
    pub(super) warnings: Vec<String>,
}

impl Normalizing {
    pub(super) fn new(listed: Listed) -> Normalizing {
        Normalizing {
            listed,
            found_in: HashMap::new(),
            origins: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Adds one connection object unless the listing already holds the
    /// same content under its id: passed over when its listing key is
    /// that of its latest stored version, else normalized (here, unless
    /// prepared ahead).
    pub(super) fn add(
        &mut self,
        keying: &Keying<'_>,
        origin: &str,
        (path, object): (String, Object),
        related: &Related,
    ) -> Result<(), ListingError> {
        match keying.prepare(origin, &path, object, related)? {
            Prepared::Unchanged {
                connection_id,
                content_hash,
                listing_key,
            } => {
                if self.first_time(origin, &connection_id, content_hash)? {
                    self.listed.push_unchanged(ListedEntry {
                        connection_id,
                        content_hash,
                        listing_key: Some(listing_key),
                        unchanged: true,
                    })?;
                }
            }
            Prepared::Normalized(item, listing_key) => {
                self.warnings.extend(
                    item.warnings
                        .iter()
                        .map(|warning| format!("{origin}: {warning}")),
                );
                // A connection that warns is normalized by every run, so
                // that every run reports its warnings.
                let listing_key = item.warnings.is_empty().then_some(listing_key);
                if self.first_time(origin, &item.connection.connection_id, item.content_hash)? {
                    self.listed.push_keyed(*item, listing_key)?;
                }
            }
        }
        Ok(())
    }

    /// Whether `connection_id` is new to the listing; a repeat with other
    /// content is a conflict.
    fn first_time(
        &mut self,
        origin: &str,
        connection_id: &str,
        content_hash: [u8; CONTENT_HASH_BYTES],
    ) -> Result<bool, ListingError> {
        match self.found_in.get(connection_id) {
            Some((hash, first)) => {
                if *hash != content_hash {
                    return Err(ListingError::Conflict {
                        first: self.origins[*first].clone(),
                        second: origin.to_string(),
                        connection_id: connection_id.to_string(),
                    });
                }
                Ok(false)
            }
            None => {
                if self.origins.last().map(String::as_str) != Some(origin) {
                    self.origins.push(origin.to_string());
                }
                let origin_index = self.origins.len() - 1;
                self.found_in
                    .insert(connection_id.to_string(), (content_hash, origin_index));
                Ok(true)
            }
        }
    }
}

/// Below this many waiting connections, preparing them on a second thread
/// costs more than it saves.
pub(super) const PREPARE_AHEAD_MIN: usize = 2_000;

/// Connections a thread takes at a time: small enough that the two threads
/// finish together however the new and changed connections are spread.
const CHUNK: usize = 64;

/// Prepares the waiting connections (origin, path, object) on two threads
/// (each keyed, and parsed and normalized unless passed over: independent
/// of one another), each result kept in its slot, before they are added
/// one by one in order. Past a chunk holding an error nothing is prepared:
/// adding in order stops at that error or an earlier one.
pub(super) fn prepare_ahead(
    waiting: &mut [(String, String, Object)],
    keying: &Keying<'_>,
    related: &Related,
) {
    if waiting.len() < PREPARE_AHEAD_MIN {
        return;
    }
    let chunks = Mutex::new(waiting.chunks_mut(CHUNK).enumerate());
    let failed_chunk = AtomicUsize::new(usize::MAX);
    let prepare_chunks = || {
        loop {
            // Chunks are taken in order: once one failed, every one taken
            // after it comes after the error.
            let next = chunks.lock().unwrap_or_else(PoisonError::into_inner).next();
            let Some((index, chunk)) = next else { break };
            if index > failed_chunk.load(Ordering::Relaxed) {
                break;
            }
            for (origin, path, object) in chunk {
                let taken = std::mem::replace(object, Object::Parsed(Value::Null));
                let prepared = keying.prepare(origin, path, taken, related);
                let failed = prepared.is_err();
                *object = Object::Ready(prepared);
                if failed {
                    failed_chunk.fetch_min(index, Ordering::Relaxed);
                    break;
                }
            }
        }
    };
    std::thread::scope(|scope| {
        // A second thread that cannot be started leaves every chunk to
        // this one.
        let other = std::thread::Builder::new()
            .name("prepare-ahead".into())
            .spawn_scoped(scope, prepare_chunks)
            .ok();
        prepare_chunks();
        // A panic there is a bug that one thread would have met as well:
        // it is raised here as it would have been.
        if let Some(Err(panic)) = other.map(|other| other.join()) {
            std::panic::resume_unwind(panic);
        }
    });
}
