//! Writing a source's `listing_keys` rows (migration V8): the listing key
//! of each connection's latest version, stored with that version, or
//! deleted.
//!
//! Keys to store wait and are written [`KEYS_PER_STATEMENT`] at a time by
//! one statement: written one by one, each `INSERT OR REPLACE` (which may
//! delete a row) opened a statement journal and copied the 16 KiB page it
//! changed into it.

use std::sync::OnceLock;

use rusqlite::{ToSql, Transaction};

use super::StoreError;
use super::summary::Writes;
use crate::provider::ListingKey;

/// At most this many keys wait, and go in one statement.
const KEYS_PER_STATEMENT: usize = 500;

/// The listing keys a source's writing stores or deletes; those stored are
/// written by [`ListingKeys::flush`] at the latest.
#[derive(Default)]
pub(super) struct ListingKeys {
    /// Connection, version id and key.
    waiting: Vec<(i64, i64, ListingKey)>,
}

impl ListingKeys {
    /// Stores `listing_key` as the one of `connection`'s latest version
    /// (`version_id`), or deletes the one stored (after writing the keys
    /// waiting, so that the last one set counts). Each statement counts in
    /// `writes`.
    pub(super) fn set(
        &mut self,
        tx: &Transaction<'_>,
        connection: i64,
        version_id: i64,
        listing_key: Option<&ListingKey>,
        writes: &mut Writes,
    ) -> Result<(), StoreError> {
        let Some(key) = listing_key else {
            self.flush(tx, writes)?;
            tx.prepare_cached("DELETE FROM listing_keys WHERE connection = ?1")?
                .execute([connection])?;
            return writes.tick();
        };
        self.waiting.push((connection, version_id, *key));
        if self.waiting.len() == KEYS_PER_STATEMENT {
            self.flush(tx, writes)?;
        }
        Ok(())
    }

    /// Writes the keys waiting, in the order set.
    pub(super) fn flush(
        &mut self,
        tx: &Transaction<'_>,
        writes: &mut Writes,
    ) -> Result<(), StoreError> {
        if self.waiting.is_empty() {
            return Ok(());
        }
        let values: Vec<&dyn ToSql> = self
            .waiting
            .iter()
            .flat_map(|(connection, version_id, key)| -> [&dyn ToSql; 3] {
                [connection, version_id, key]
            })
            .collect();
        // The statement for a full batch is kept; the one for the last,
        // shorter batch of a source is not (it would crowd the cache).
        static FULL: OnceLock<String> = OnceLock::new();
        match self.waiting.len() {
            KEYS_PER_STATEMENT => tx
                .prepare_cached(FULL.get_or_init(|| insert_keys(KEYS_PER_STATEMENT)))?
                .execute(values.as_slice())?,
            rows => tx.prepare(&insert_keys(rows))?.execute(values.as_slice())?,
        };
        self.waiting.clear();
        writes.tick()
    }
}

/// The statement that stores `rows` keys.
fn insert_keys(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT OR REPLACE INTO listing_keys (connection, version_id, listing_key) VALUES ",
    );
    for row in 0..rows {
        sql.push_str(if row == 0 { "(?, ?, ?)" } else { ", (?, ?, ?)" });
    }
    sql
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn keys_are_stored_as_set_replacing_and_deleting_stored_ones() {
        let mut sqlite = Connection::open_in_memory().unwrap();
        sqlite.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        sqlite
            .execute_batch(include_str!("../../migrations/V8__listing_keys.sql"))
            .unwrap();
        let key = |connection: i64, round: u8| {
            let mut key = [round; 16];
            key[..8].copy_from_slice(&connection.to_be_bytes());
            key
        };
        let tx = sqlite.transaction().unwrap();
        tx.execute(
            "INSERT INTO listing_keys VALUES (7, 70, x'00'), (8, 80, x'00'), (2600, 9, x'01')",
            [],
        )
        .unwrap();
        let mut keys = ListingKeys::default();
        let mut writes = Writes::new(None);
        // Five full statements and a shorter one of 3 keys.
        for connection in 1..=2_503 {
            keys.set(
                &tx,
                connection,
                connection * 10 + 1,
                Some(&key(connection, 0xa5)),
                &mut writes,
            )
            .unwrap();
        }
        // 8's key was written with the first 500; 2,502's still waits and
        // is written before the deletion, which then removes it.
        keys.set(&tx, 8, 81, None, &mut writes).unwrap();
        keys.set(&tx, 9, 91, None, &mut writes).unwrap();
        keys.set(&tx, 2_502, 25_021, None, &mut writes).unwrap();
        keys.flush(&tx, &mut writes).unwrap();
        // Each statement counted, so that a fault can be injected between
        // any two: five full batches, the short one, three deletions.
        assert_eq!(writes.done(), 9);
        let rows: Vec<(i64, i64, Vec<u8>, String)> = tx
            .prepare(
                "SELECT connection, version_id, listing_key, typeof(version_id) \
                 FROM listing_keys ORDER BY connection",
            )
            .unwrap()
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut expected: Vec<(i64, i64, Vec<u8>, String)> = (1..=2_503)
            .filter(|connection| ![8, 9, 2_502].contains(connection))
            .map(|connection| {
                let key = key(connection, 0xa5).to_vec();
                (connection, connection * 10 + 1, key, "integer".to_string())
            })
            .collect();
        expected.push((2_600, 9, vec![1], "integer".to_string()));
        assert_eq!(rows, expected);
    }
}
