//! What a source's listing holds until the run is written ([`Listed`]):
//! either the normalized connections in memory (imports, tests) or a
//! [`Spool`], a private temporary SQLite database on disk that a collection
//! streams each page into, so that a listing of any size costs disk rather
//! than memory.
//!
//! A spool is private to its connection and deleted when dropped; it holds
//! what the store would (redacted raw JSON, PSK fingerprints), never a
//! secret.

use std::borrow::Cow;

use rusqlite::{Connection as Sqlite, OptionalExtension, params};

use crate::provider::{CONTENT_HASH_BYTES, ListingKey, Normalized};

/// Why a spool cannot take or give back a connection.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("the temporary spool of a listing cannot encode a connection: {0}")]
    Encode(serde_json::Error),
    #[error(
        "the temporary spool of a listing (a file in $SQLITE_TMPDIR, else $TMPDIR, else /var/tmp \
         or /tmp): {0}"
    )]
    File(rusqlite::Error),
    #[error("the temporary spool of a listing has no connection {0} (a bug)")]
    Index(usize),
}

/// A listing's connections, in the order listed, each id once: each
/// normalized, or passed over as unchanged since its latest stored version
/// (its listing key matched; see [`crate::provider::ListingKeyer`]).
#[derive(Debug)]
pub struct Listed {
    held: Held,
}

#[derive(Debug)]
enum Held {
    Memory(Vec<Entry>),
    Spooled(Spool),
}

#[derive(Debug, Clone)]
enum Entry {
    Normalized(Box<Normalized>, Option<ListingKey>),
    Unchanged(ListedEntry),
}

impl From<Vec<Normalized>> for Listed {
    fn from(items: Vec<Normalized>) -> Listed {
        Listed {
            held: Held::Memory(
                items
                    .into_iter()
                    .map(|item| Entry::Normalized(Box::new(item), None))
                    .collect(),
            ),
        }
    }
}

/// A listed connection's id and content hash: all a run needs to tell an
/// unchanged connection.
pub type ListedKey = (String, [u8; CONTENT_HASH_BYTES]);

/// What the store reads of each listed connection before its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEntry {
    pub connection_id: String,
    pub content_hash: [u8; CONTENT_HASH_BYTES],
    /// The key to store with the connection's latest version; `None` when
    /// it is to have none (its normalizer warned, so that the warnings are
    /// reported by every run).
    pub listing_key: Option<ListingKey>,
    /// Passed over without normalizing: its listing key matched its
    /// latest stored version's, whose content hash it carries, and
    /// [`Listed::get`] has no content for it.
    pub unchanged: bool,
}

impl Listed {
    /// An empty listing held in memory.
    pub fn in_memory() -> Listed {
        Listed {
            held: Held::Memory(Vec::new()),
        }
    }

    /// An empty listing held in a new spool.
    pub fn spooled() -> Result<Listed, SpoolError> {
        Ok(Listed {
            held: Held::Spooled(Spool::new()?),
        })
    }

    pub fn len(&self) -> usize {
        match &self.held {
            Held::Memory(entries) => entries.len(),
            Held::Spooled(spool) => spool.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one normalized connection, without a listing key.
    pub fn push(&mut self, item: Normalized) -> Result<(), SpoolError> {
        self.push_keyed(item, None)
    }

    /// Appends one normalized connection with the listing key to store.
    pub fn push_keyed(
        &mut self,
        item: Normalized,
        listing_key: Option<ListingKey>,
    ) -> Result<(), SpoolError> {
        match &mut self.held {
            Held::Memory(entries) => {
                entries.push(Entry::Normalized(Box::new(item), listing_key));
                Ok(())
            }
            Held::Spooled(spool) => spool.push(&item, listing_key),
        }
    }

    /// Appends a connection passed over as unchanged.
    pub fn push_unchanged(&mut self, entry: ListedEntry) -> Result<(), SpoolError> {
        match &mut self.held {
            Held::Memory(entries) => {
                entries.push(Entry::Unchanged(entry));
                Ok(())
            }
            Held::Spooled(spool) => spool.push_unchanged(&entry),
        }
    }

    /// Every connection's id and content hash, in order.
    pub fn keys(&self) -> Result<Vec<ListedKey>, SpoolError> {
        Ok(self
            .entries()?
            .into_iter()
            .map(|entry| (entry.connection_id, entry.content_hash))
            .collect())
    }

    /// Every connection's entry, in order.
    pub fn entries(&self) -> Result<Vec<ListedEntry>, SpoolError> {
        match &self.held {
            Held::Memory(entries) => Ok(entries
                .iter()
                .map(|entry| match entry {
                    Entry::Normalized(item, listing_key) => ListedEntry {
                        connection_id: item.connection.connection_id.clone(),
                        content_hash: item.content_hash,
                        listing_key: *listing_key,
                        unchanged: false,
                    },
                    Entry::Unchanged(entry) => entry.clone(),
                })
                .collect()),
            Held::Spooled(spool) => spool.entries(),
        }
    }

    /// The normalized connection at `index` (as in [`Listed::entries`]);
    /// an error for one passed over as unchanged.
    pub fn get(&self, index: usize) -> Result<Cow<'_, Normalized>, SpoolError> {
        match &self.held {
            Held::Memory(entries) => match entries.get(index) {
                Some(Entry::Normalized(item, _)) => Ok(Cow::Borrowed(item.as_ref())),
                _ => Err(SpoolError::Index(index)),
            },
            Held::Spooled(spool) => spool.get(index).map(Cow::Owned),
        }
    }

    /// Every normalized connection, read back into memory (for tests and
    /// small listings); those passed over as unchanged are left out.
    pub fn to_vec(&self) -> Result<Vec<Normalized>, SpoolError> {
        let entries = self.entries()?;
        (0..self.len())
            .filter(|index| !entries[*index].unchanged)
            .map(|index| self.get(index).map(Cow::into_owned))
            .collect()
    }
}

/// Normalized connections waiting on disk; see the module docs.
pub struct Spool {
    sqlite: Sqlite,
    len: usize,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool").field("len", &self.len).finish()
    }
}

impl Spool {
    /// An empty spool in a new private temporary database.
    pub fn new() -> Result<Spool, SpoolError> {
        // An empty file name: a private on-disk database that SQLite deletes
        // on close. It is scratch space, so neither journal nor sync, and one
        // transaction that is never committed (reads see its own writes).
        // Its page cache is 256 KiB rather than SQLite's 2 MB: a spool is
        // written once in order and read once in order, so a larger cache
        // only held pages longer (beyond it, pages spill to the spool's
        // file, as they did beyond 2 MB). Peak RSS of collecting 100,000
        // connections over four sources: see README, Performance, figure 5.
        // (Where SQLite keeps temporary databases in memory, SQLITE_TEMP_STORE
        // = 3, the setting changes nothing.)
        let sqlite = Sqlite::open("").map_err(SpoolError::File)?;
        sqlite
            .execute_batch(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -256;
             CREATE TABLE listed (
                 seq INTEGER PRIMARY KEY,
                 connection_id TEXT NOT NULL,
                 content_hash BLOB NOT NULL,
                 listing_key BLOB,
                 unchanged INTEGER NOT NULL,
                 connection TEXT,
                 raw_json TEXT,
                 related_json TEXT,
                 unmapped_json TEXT,
                 unmapped_related_json TEXT,
                 warnings TEXT
             );
             BEGIN;",
            )
            .map_err(SpoolError::File)?;
        Ok(Spool { sqlite, len: 0 })
    }

    fn push(
        &mut self,
        item: &Normalized,
        listing_key: Option<ListingKey>,
    ) -> Result<(), SpoolError> {
        let connection = serde_json::to_string(&item.connection).map_err(SpoolError::Encode)?;
        let warnings = if item.warnings.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&item.warnings).map_err(SpoolError::Encode)?)
        };
        self.sqlite
            .prepare_cached(
                "INSERT INTO listed (seq, connection_id, content_hash, listing_key, unchanged, \
                 connection, raw_json, related_json, unmapped_json, unmapped_related_json, \
                 warnings) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    self.len as i64,
                    item.connection.connection_id,
                    item.content_hash.as_slice(),
                    listing_key.as_ref().map(|key| key.as_slice()),
                    connection,
                    item.raw_json,
                    item.related_json,
                    item.unmapped_json,
                    item.unmapped_related_json,
                    warnings,
                ])
            })
            .map_err(SpoolError::File)?;
        self.len += 1;
        Ok(())
    }

    fn push_unchanged(&mut self, entry: &ListedEntry) -> Result<(), SpoolError> {
        self.sqlite
            .prepare_cached(
                "INSERT INTO listed (seq, connection_id, content_hash, listing_key, unchanged) \
                 VALUES (?1, ?2, ?3, ?4, 1)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    self.len as i64,
                    entry.connection_id,
                    entry.content_hash.as_slice(),
                    entry.listing_key.as_ref().map(|key| key.as_slice()),
                ])
            })
            .map_err(SpoolError::File)?;
        self.len += 1;
        Ok(())
    }

    fn entries(&self) -> Result<Vec<ListedEntry>, SpoolError> {
        type Row = (String, Vec<u8>, Option<Vec<u8>>, bool);
        let rows: Vec<Row> = self
            .sqlite
            .prepare(
                "SELECT connection_id, content_hash, listing_key, unchanged FROM listed \
                 ORDER BY seq",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(SpoolError::File)?;
        rows.into_iter()
            .enumerate()
            .map(|(index, (connection_id, hash, listing_key, unchanged))| {
                Ok(ListedEntry {
                    connection_id,
                    content_hash: hash.try_into().map_err(|_| SpoolError::Index(index))?,
                    listing_key: listing_key
                        .map(|key| key.try_into().map_err(|_| SpoolError::Index(index)))
                        .transpose()?,
                    unchanged,
                })
            })
            .collect()
    }

    fn get(&self, index: usize) -> Result<Normalized, SpoolError> {
        let row = self
            .sqlite
            .prepare_cached(
                "SELECT content_hash, connection, raw_json, related_json, unmapped_json, \
                 unmapped_related_json, warnings FROM listed WHERE seq = ?1 AND unchanged = 0",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([index as i64], |row| {
                        Ok((
                            row.get::<_, Vec<u8>>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, Option<String>>(3)?,
                            row.get::<_, String>(4)?,
                            row.get::<_, String>(5)?,
                            row.get::<_, Option<String>>(6)?,
                        ))
                    })
                    .optional()
            })
            .map_err(SpoolError::File)?;
        let Some((hash, connection, raw_json, related_json, unmapped, unmapped_related, warnings)) =
            row
        else {
            return Err(SpoolError::Index(index));
        };
        Ok(Normalized {
            connection: serde_json::from_str(&connection).map_err(SpoolError::Encode)?,
            raw_json,
            related_json,
            content_hash: hash.try_into().map_err(|_| SpoolError::Index(index))?,
            unmapped_json: unmapped,
            unmapped_related_json: unmapped_related,
            warnings: match warnings {
                Some(text) => serde_json::from_str(&text).map_err(SpoolError::Encode)?,
                None => Vec::new(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Connection, Status};

    fn item(id: &str, hash: u8) -> Normalized {
        let mut connection = Connection::new("s", "huaweicloud", id, Status::Down);
        connection.ike.lifetime_seconds = Some(3600);
        connection.peer_subnets = Some(vec!["10.0.0.0/8".into()]);
        Normalized {
            connection,
            raw_json: format!(r#"{{"id":"{id}"}}"#),
            related_json: hash.is_multiple_of(2).then(|| "{}".to_string()),
            content_hash: [hash; CONTENT_HASH_BYTES],
            unmapped_json: "{}".into(),
            unmapped_related_json: "null".into(),
            warnings: if hash == 1 {
                vec!["$.x: odd".into()]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn a_spool_gives_back_what_it_was_given_in_order() {
        let items = vec![item("b", 1), item("a", 2), item("c", 3)];
        let mut spooled = Listed::spooled().unwrap();
        for item in items.clone() {
            spooled.push(item).unwrap();
        }
        let memory = Listed::from(items.clone());
        assert_eq!(spooled.len(), 3);
        assert_eq!(spooled.keys().unwrap(), memory.keys().unwrap());
        let back = spooled.to_vec().unwrap();
        for (back, item) in back.iter().zip(&items) {
            assert_eq!(back.connection, item.connection);
            assert_eq!(back.raw_json, item.raw_json);
            assert_eq!(back.related_json, item.related_json);
            assert_eq!(back.content_hash, item.content_hash);
            assert_eq!(back.unmapped_related_json, item.unmapped_related_json);
            assert_eq!(back.warnings, item.warnings);
        }
        assert!(matches!(spooled.get(3), Err(SpoolError::Index(3))));
    }

    fn spool_of(listed: &Listed) -> &Spool {
        match &listed.held {
            Held::Spooled(spool) => spool,
            Held::Memory(_) => panic!("a spooled listing holds a spool"),
        }
    }

    #[test]
    fn a_spool_many_times_its_page_cache_gives_back_everything() {
        let mut spooled = Listed::spooled().unwrap();
        let cache: i64 = spool_of(&spooled)
            .sqlite
            .query_row("PRAGMA cache_size", [], |row| row.get(0))
            .unwrap();
        assert_eq!(cache, -256, "the spool's page cache in KiB, negated");
        let cache_used = |spooled: &Listed| {
            let (mut current, mut highest) = (0, 0);
            // SAFETY: the handle is the spool's open connection, borrowed for
            // the call; sqlite3_db_status only writes the two integers.
            let status = unsafe {
                rusqlite::ffi::sqlite3_db_status(
                    spool_of(spooled).sqlite.handle(),
                    rusqlite::ffi::SQLITE_DBSTATUS_CACHE_USED,
                    &mut current,
                    &mut highest,
                    0,
                )
            };
            assert_eq!(status, rusqlite::ffi::SQLITE_OK);
            current
        };
        // About 4 MiB of raw JSON: sixteen times the cache.
        let padding = "x".repeat(2_000);
        let items: Vec<Normalized> = (0..2_000u32)
            .map(|index| {
                let mut item = item(&format!("c{index:05}"), (index % 7) as u8);
                item.raw_json = format!(r#"{{"id":"c{index:05}","pad":"{padding}"}}"#);
                item
            })
            .collect();
        for item in items.clone() {
            spooled.push(item).unwrap();
        }
        // The pages beyond the cache went to the spool's file: the memory its
        // cache holds stays near 256 KiB (about 2 MiB with SQLite's default).
        let written = cache_used(&spooled);
        assert!(written < 512 * 1024, "cache after writing: {written} bytes");
        assert_eq!(
            spooled.keys().unwrap(),
            Listed::from(items.clone()).keys().unwrap()
        );
        for index in [0, 1, 999, 1_998, 1_999] {
            let back = spooled.get(index).unwrap();
            assert_eq!(back.raw_json, items[index].raw_json);
            assert_eq!(back.connection, items[index].connection);
        }
        let back = spooled.to_vec().unwrap();
        assert_eq!(back.len(), items.len());
        assert!(
            back.iter()
                .zip(&items)
                .all(|(back, item)| back.raw_json == item.raw_json)
        );
        let read = cache_used(&spooled);
        assert!(read < 512 * 1024, "cache after reading: {read} bytes");
    }
}
