-- V6: raw JSON is stored as JSON text, no longer as SQLite JSONB.
-- Why: JSONB needs SQLite 3.45 (2024) to read. The SQLite that analysts'
-- machines ship (Debian 12: 3.40, Ubuntu 22.04: 3.37, RHEL 9: 3.34, macOS:
-- 3.43, and Python's sqlite3 module, Datasette and DBeaver built on them)
-- failed every query of connection_versions and current_connections with
-- "malformed JSON". JSONB saved about a tenth of the raw JSON's size; not
-- worth losing the analysts. The merge-patch scheme of V4 stays: a row is
-- either full (base_version_id IS NULL) or an RFC 7396 patch of a full row.
--
-- version_raw is rebuilt (its columns were declared BLOB and named *_jsonb):
--   raw_json       the connection as received (secrets redacted), or its patch
--   related_json   the objects it references keyed by role, or their patch
-- The conversion is checked before the old table is dropped: for every
-- version, the object the views read is the same text after as before
-- (the check's constraint fails the migration, and its transaction, if not).

CREATE TABLE version_raw_text (
    version_id INTEGER PRIMARY KEY REFERENCES versions (id),
    raw_json TEXT NOT NULL,
    related_json TEXT,
    base_version_id INTEGER REFERENCES versions (id)
);

INSERT INTO version_raw_text (version_id, raw_json, related_json, base_version_id)
SELECT version_id, json(raw_jsonb), json(related_jsonb), base_version_id
FROM version_raw;

CREATE TEMP TABLE v6_check (
    versions_read_differently INTEGER NOT NULL,
    rows_missing INTEGER NOT NULL,
    CONSTRAINT every_version_reads_the_same_after_v6
        CHECK (versions_read_differently = 0 AND rows_missing = 0)
);
INSERT INTO v6_check (versions_read_differently, rows_missing)
SELECT
    (SELECT count(*)
     FROM version_raw o
     LEFT JOIN version_raw ob ON ob.version_id = o.base_version_id
     JOIN version_raw_text n ON n.version_id = o.version_id
     LEFT JOIN version_raw_text nb ON nb.version_id = n.base_version_id
     WHERE json(CASE WHEN o.base_version_id IS NULL THEN o.raw_jsonb
                     ELSE json_patch(ob.raw_jsonb, o.raw_jsonb) END)
           IS NOT (CASE WHEN n.base_version_id IS NULL THEN n.raw_json
                        ELSE json_patch(nb.raw_json, n.raw_json) END)
        OR json(CASE WHEN o.base_version_id IS NULL THEN o.related_jsonb
                     ELSE json_patch(ob.related_jsonb, o.related_jsonb) END)
           IS NOT (CASE WHEN n.base_version_id IS NULL THEN n.related_json
                        ELSE json_patch(nb.related_json, n.related_json) END)),
    (SELECT count(*) FROM version_raw) - (SELECT count(*) FROM version_raw_text);
DROP TABLE v6_check;

DROP VIEW current_connections;
DROP VIEW connection_versions;
DROP TABLE version_raw;
ALTER TABLE version_raw_text RENAME TO version_raw;

-- Every version with its validity interval. raw_json / related_json are the
-- objects as received: a full row as stored, a patch applied to its base;
-- both through a JSON function, so that SQLite 3.38 to 3.44 type them alike
-- (json_array(raw_json) nests an object, not a string, for either row).
-- Reads on SQLite 3.38 and later (JSON functions built in).
CREATE VIEW connection_versions AS
SELECT
    v.id AS version_id,
    c.source,
    c.provider,
    c.connection_id,
    v.version,
    v.event,
    v.observed_at AS valid_from,
    v.valid_to,
    v.previous_observed_at,
    v.run_id,
    v.region,
    v.account,
    v.name,
    v.status,
    v.provider_status,
    v.gateway_id,
    v.gateway_ip,
    v.peer_gateway_id,
    v.peer_address,
    v.local_subnets,
    v.peer_subnets,
    v.routing,
    v.admin_state_up,
    v.ike_version,
    v.ike_auth_algorithm,
    v.ike_encryption_algorithm,
    v.ike_dh_group,
    v.ike_lifetime_seconds,
    v.ike_negotiation_mode,
    v.ike_local_id,
    v.ike_peer_id,
    v.dpd_interval,
    v.dpd_timeout,
    v.dpd_action,
    v.ipsec_auth_algorithm,
    v.ipsec_encryption_algorithm,
    v.ipsec_pfs,
    v.ipsec_transform_protocol,
    v.ipsec_encapsulation_mode,
    v.ipsec_lifetime_seconds,
    v.ipsec_lifetime_kilobytes,
    v.psk_fingerprint,
    v.created_at,
    v.updated_at,
    v.tags,
    v.normalizer_version,
    CASE WHEN r.base_version_id IS NULL THEN json(r.raw_json)
         ELSE json_patch(b.raw_json, r.raw_json) END AS raw_json,
    CASE WHEN r.base_version_id IS NULL THEN json(r.related_json)
         ELSE json_patch(b.related_json, r.related_json) END AS related_json
FROM versions v
JOIN connections c ON c.id = v.connection
LEFT JOIN version_raw r ON r.version_id = v.id
LEFT JOIN version_raw b ON b.version_id = r.base_version_id;

-- The latest live version of each connection (as in V3).
CREATE VIEW current_connections AS
SELECT
    cv.*,
    max(
        cv.valid_from,
        coalesce(
            (SELECT max(rs.observed_at) FROM run_sources rs
             WHERE rs.source = cv.source AND rs.outcome = 'ok'),
            ''
        )
    ) AS last_seen
FROM connection_versions cv
WHERE cv.valid_to IS NULL AND cv.event <> 'deleted';
