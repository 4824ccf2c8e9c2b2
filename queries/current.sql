-- The live estate: every connection whose latest version is not a deletion,
-- with when it was last seen (its source's latest complete listing, or the
-- partial listing that last changed it).
--
-- :source  text    only this source
-- :status  status  only connections in this status (ACTIVE, DOWN, PENDING, ERROR, FROZEN, UNKNOWN)
WITH seen AS (
    SELECT source, max(observed_at) AS last_ok
    FROM run_sources
    WHERE outcome = 'ok'
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
-- CROSS JOIN fixes the join order: the connections in output order (their
-- (source, connection_id) index), each one's latest version from the
-- covering index of latest versions (V7): no sort, no table row read.
FROM connections c
CROSS JOIN versions v ON v.connection = c.id AND v.valid_to IS NULL
LEFT JOIN seen s ON s.source = c.source
WHERE v.event <> 'deleted'
  AND (:source IS NULL OR c.source = :source)
  AND (:status IS NULL OR v.status = :status)
ORDER BY c.source, c.connection_id;
