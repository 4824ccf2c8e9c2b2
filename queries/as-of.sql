-- The estate as last observed at or before a point in time, without the
-- connections deleted by then: same columns as `current`, last_seen being
-- the last observation at or before that time.
--
-- :at      time  required  the point in time
-- :source  text            only this source
WITH seen AS (
    SELECT source, max(observed_at) AS last_ok
    FROM run_sources
    WHERE outcome = 'ok' AND observed_at <= :at
    GROUP BY source
)
SELECT
    c.source,
    c.connection_id,
    v.name,
    v.status,
    v.provider_status,
    v.gateway_ip,
    v.peer_address,
    max(v.observed_at, coalesce(s.last_ok, '')) AS last_seen
FROM connections c
JOIN versions v ON v.id = (
    SELECT latest.id FROM versions latest
    WHERE latest.connection = c.id AND latest.observed_at <= :at
    ORDER BY latest.observed_at DESC, latest.version DESC
    LIMIT 1
)
LEFT JOIN seen s ON s.source = c.source
WHERE v.event <> 'deleted'
  AND (:source IS NULL OR c.source = :source)
ORDER BY c.source, c.connection_id;
