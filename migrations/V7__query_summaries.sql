-- V7: covering indexes for the estate-wide questions (issue 19).
-- Why: `current`, `weak-crypto`, `changes` and `status-changes` over the
-- whole estate read one `versions` row per connection or per version in the
-- window. Those rows are wide (every model column) and, a connection's
-- versions being spread over the file, one random page each: at a million
-- versions the questions spent most of their time copying pages of the
-- table (measured: 40-50% of `changes` over a day in the kernel's page
-- copies). An index holding the columns a question reads answers it from
-- the index alone, in the index's order.
--
-- Both indexes replace one of V1/V2 with the same leading columns (so every
-- plan that used the old one can use the new one), and add no index to
-- maintain per version written; their entries are wider. No column is
-- added and nothing needs filling: SQLite builds an index from the rows
-- already stored.

-- The latest version of each connection (valid_to IS NULL), replacing V1's
-- versions_latest (connection): `current` and `weak-crypto` read their
-- columns here, and the store's load of the latest versions (id, version,
-- event, content_hash) reads it without the table. valid_to is a column
-- of the index (always NULL in it) so that SQLite counts the index as
-- covering a query that names it.
DROP INDEX versions_latest;
CREATE INDEX versions_latest_covering ON versions (
    connection, valid_to, event, version, content_hash, observed_at, name,
    status, provider_status, gateway_ip, peer_address,
    ike_version, ike_auth_algorithm, ike_encryption_algorithm, ike_dh_group, ike_negotiation_mode,
    ipsec_auth_algorithm, ipsec_encryption_algorithm, ipsec_pfs
) WHERE valid_to IS NULL;

-- The versions observed in a window, replacing V2's versions_by_time
-- (observed_at): `changes` and `status-changes` (and `diff`'s versions)
-- read what they show of a version from here.
DROP INDEX versions_by_time;
CREATE INDEX versions_by_time ON versions (
    observed_at, connection, version, event, previous_observed_at, name
);
