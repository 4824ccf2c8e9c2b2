-- V1: the history store, vpnsnap's core.
-- Why: every collection or import is a run; a connection gets a new version only
-- when its content changed, a tombstone when a complete listing no longer has it,
-- and one field_changes row per changed field. Observations are implied (see
-- README "How history works"), so storage grows with changes, not with runs.

-- Facts about the database itself (e.g. which PSK fingerprint key wrote it).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per collection or import, written in the same transaction as its data.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('collect', 'import')),
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    vpnsnap_version TEXT NOT NULL
);

-- Per run, what each source's listing gave. outcome:
--   ok       the listing was complete: absent connections got tombstones;
--   partial  only some connections were listed (e.g. single-object bodies):
--            they were stored, nothing was inferred about the others;
--   failed   nothing was stored and nothing inferred.
CREATE TABLE run_sources (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    source TEXT NOT NULL,
    provider TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'partial', 'failed')),
    item_count INTEGER NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    recreated INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    warnings TEXT,
    PRIMARY KEY (source, run_id)
) WITHOUT ROWID;
CREATE INDEX run_sources_by_run ON run_sources (run_id);

-- Identity: one row per (source, provider's connection id), never reused.
CREATE TABLE connections (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    provider TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    UNIQUE (source, connection_id)
);

-- Versions: the normalized content of a connection from the run that first
-- observed it (observed_at) until the next version (valid_to, NULL while latest).
-- Tombstones (event 'deleted') carry only the name; content_hash is NULL.
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    connection INTEGER NOT NULL REFERENCES connections (id),
    version INTEGER NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('created', 'changed', 'deleted', 'recreated')),
    run_id INTEGER NOT NULL REFERENCES runs (id),
    observed_at TEXT NOT NULL,
    previous_observed_at TEXT,
    valid_to TEXT,
    content_hash BLOB,
    normalizer_version INTEGER,
    region TEXT,
    account TEXT,
    name TEXT,
    status TEXT,
    provider_status TEXT,
    gateway_id TEXT,
    gateway_ip TEXT,
    peer_gateway_id TEXT,
    peer_address TEXT,
    local_subnets TEXT,
    peer_subnets TEXT,
    routing TEXT,
    admin_state_up INTEGER,
    ike_version TEXT,
    ike_auth_algorithm TEXT,
    ike_encryption_algorithm TEXT,
    ike_dh_group TEXT,
    ike_lifetime_seconds INTEGER,
    ike_negotiation_mode TEXT,
    ike_local_id TEXT,
    ike_peer_id TEXT,
    dpd_interval INTEGER,
    dpd_timeout INTEGER,
    dpd_action TEXT,
    ipsec_auth_algorithm TEXT,
    ipsec_encryption_algorithm TEXT,
    ipsec_pfs TEXT,
    ipsec_transform_protocol TEXT,
    ipsec_encapsulation_mode TEXT,
    ipsec_lifetime_seconds INTEGER,
    ipsec_lifetime_kilobytes INTEGER,
    psk_fingerprint TEXT,
    created_at TEXT,
    updated_at TEXT,
    tags TEXT,
    UNIQUE (connection, version)
);
CREATE INDEX versions_latest ON versions (connection) WHERE valid_to IS NULL;


-- The provider's objects as received, secrets replaced by "[redacted]":
-- raw_jsonb is the connection, related_jsonb the objects it references (OpenStack
-- policies, vpnservice, endpoint groups) keyed by role. Stored as SQLite JSONB
-- (about a fifth smaller than text; json_extract reads it as is, json() prints
-- it) and kept apart from versions so that scans of versions stay narrow.
CREATE TABLE version_raw (
    version_id INTEGER PRIMARY KEY REFERENCES versions (id),
    raw_jsonb BLOB NOT NULL,
    related_jsonb BLOB
);

-- One row per changed field of a version (dotted names: ike.encryption_algorithm,
-- raw.mtu, related.ikepolicy.name). Values are text: strings as they are,
-- numbers in decimal, true/false, lists as JSON arrays; NULL means absent.
CREATE TABLE field_changes (
    version_id INTEGER NOT NULL REFERENCES versions (id),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    PRIMARY KEY (version_id, field)
) WITHOUT ROWID;
CREATE INDEX field_changes_by_field ON field_changes (field);

-- Every version with its validity interval.
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
    json(r.raw_jsonb) AS raw_json,
    json(r.related_jsonb) AS related_json
FROM versions v
JOIN connections c ON c.id = v.connection
LEFT JOIN version_raw r ON r.version_id = v.id;

-- The latest live version of each connection, with the last time its
-- source's listing was complete (and so showed it).
CREATE VIEW current_connections AS
SELECT
    cv.*,
    (SELECT max(rs.observed_at) FROM run_sources rs
     WHERE rs.source = cv.source AND rs.outcome = 'ok') AS last_seen
FROM connection_versions cv
WHERE cv.valid_to IS NULL AND cv.event <> 'deleted';

-- One row per field change, with when it was observed and the source's
-- previous complete observation: the change happened in between.
CREATE VIEW connection_changes AS
SELECT
    v.observed_at,
    v.previous_observed_at,
    c.source,
    c.provider,
    c.connection_id,
    v.name,
    v.version,
    v.event,
    fc.field,
    fc.old_value,
    fc.new_value
FROM field_changes fc
JOIN versions v ON v.id = fc.version_id
JOIN connections c ON c.id = v.connection;

-- One row per version: created, changed, deleted or recreated, with the
-- names of the fields that changed as a JSON array.
CREATE VIEW connection_events AS
SELECT
    v.observed_at,
    v.previous_observed_at,
    c.source,
    c.provider,
    c.connection_id,
    v.name,
    v.version,
    v.event,
    v.status,
    (SELECT json_group_array(field) FROM
        (SELECT fc.field FROM field_changes fc WHERE fc.version_id = v.id ORDER BY fc.field)
    ) AS changed_fields
FROM versions v
JOIN connections c ON c.id = v.connection;
