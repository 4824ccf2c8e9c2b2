-- V8: the listing key of each connection's latest version.
-- Why: most runs change about 1% of an estate. A listing keys every
-- connection object as it comes (an HMAC of the object as received, the
-- objects it references, the normalizer version and the source, under the
-- database's PSK fingerprint key; see README "How history works") and
-- passes over those whose key is their latest version's: no normalizing,
-- no comparison, nothing written. The key is a cache, not history: one row
-- per connection whose latest version is live, replaced when a version is
-- written or a listing keys the same content differently, deleted with a
-- tombstone. A connection without a row is simply normalized.
--
-- A key counts only while version_id is still the connection's latest
-- version: a version written by anything that does not keep the keys (an
-- earlier vpnsnap opening the database after a rollback) leaves a key
-- that no longer applies, and the connection is normalized.
--
-- connection   connections.id
-- version_id   versions.id of the latest version the key was stored with
-- listing_key  16 bytes
CREATE TABLE listing_keys (
    connection INTEGER PRIMARY KEY REFERENCES connections (id),
    version_id INTEGER NOT NULL REFERENCES versions (id),
    listing_key BLOB NOT NULL
);

