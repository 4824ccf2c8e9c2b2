-- V3: `current_connections.last_seen` is never earlier than the version's
-- own observation.
-- Why: a version first observed by a partial listing (single-object bodies)
-- after the source's latest complete listing was reported as last seen
-- before it existed. A partial listing proves nothing about the other
-- connections, so the latest complete listing still counts for them; the
-- version's own `valid_from` counts for it. `vpnsnap query current` already
-- answers this way.
DROP VIEW current_connections;

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
