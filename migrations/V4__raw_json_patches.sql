-- V4: a superseded version's raw JSON is stored as a JSON merge patch
-- (RFC 7396) against an earlier version of the same connection stored in full.
-- Why: most changes touch a field or two of a ~1 KB object, yet every new
-- version kept the whole object again: raw JSON was most of the database
-- (issue 9's storage target). A version row of version_raw is now either
--   full   base_version_id IS NULL: raw_jsonb / related_jsonb are the objects;
--   patch  base_version_id names a full row: the objects are
--          json_patch(base.raw_jsonb, raw_jsonb) (likewise related_jsonb).
-- vpnsnap stores a patch only when applying it with SQLite's own json_patch
-- gives back exactly the object received (checked at write time), and only
-- when it is at most half the object's size; otherwise the row is full and
-- later versions patch against it. A patch's base is always a full row, so
-- reading any version takes one json_patch, never a chain. The views apply
-- the patch: connection_versions.raw_json / related_json are as before.
ALTER TABLE version_raw ADD COLUMN base_version_id INTEGER REFERENCES versions (id);

DROP VIEW current_connections;
DROP VIEW connection_versions;

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
    json(CASE WHEN r.base_version_id IS NULL THEN r.raw_jsonb
              ELSE json_patch(b.raw_jsonb, r.raw_jsonb) END) AS raw_json,
    json(CASE WHEN r.base_version_id IS NULL THEN r.related_jsonb
              ELSE json_patch(b.related_jsonb, r.related_jsonb) END) AS related_json
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
