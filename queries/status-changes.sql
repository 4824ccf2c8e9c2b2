-- Every change of a connection's status, oldest first: it went from
-- from_status to to_status between previous_observed_at (its source's
-- previous complete listing) and observed_at.
--
-- :connection  connection  only this connection (provider id or name)
-- :from        status      only changes away from this status
-- :to          status      only changes to this status
-- :source      text        only this source
-- :since       time        only changes observed at or after this time
-- :until       time        only changes observed at or before this time
WITH target AS (
    SELECT id, source, connection_id FROM connections
    WHERE (:connection IS NULL OR id = :connection)
      AND (:source IS NULL OR source = :source)
)
SELECT * FROM (
    -- The whole estate over a window: the versions observed in it, from the
    -- observed_at index (which holds what is shown of them, V7), then each
    -- one's status change. Otherwise (one connection, or no window) each
    -- connection's versions from the (connection, version) index. Each half
    -- runs only in its case (constant conditions).
    SELECT
        v.observed_at,
        v.previous_observed_at,
        c.source,
        c.connection_id,
        v.name,
        fc.old_value AS from_status,
        fc.new_value AS to_status
    FROM versions v
    CROSS JOIN field_changes fc ON fc.version_id = v.id AND fc.field = 'status'
    CROSS JOIN connections c ON c.id = v.connection
    WHERE :connection IS NULL AND (:since IS NOT NULL OR :until IS NOT NULL)
      AND v.observed_at BETWEEN coalesce(:since, '') AND coalesce(:until, '9999')
      AND (:source IS NULL OR c.source = :source)
      AND (:from IS NULL OR fc.old_value = :from)
      AND (:to IS NULL OR fc.new_value = :to)
    UNION ALL
    SELECT
        v.observed_at,
        v.previous_observed_at,
        t.source,
        t.connection_id,
        v.name,
        fc.old_value,
        fc.new_value
    -- CROSS JOIN fixes the join order (connections, versions, changes): one
    -- connection's versions come from the (connection, version) index.
    FROM target t
    CROSS JOIN versions v ON v.connection = t.id
    CROSS JOIN field_changes fc ON fc.version_id = v.id AND fc.field = 'status'
    WHERE NOT (:connection IS NULL AND (:since IS NOT NULL OR :until IS NOT NULL))
      AND (:since IS NULL OR v.observed_at >= :since)
      AND (:until IS NULL OR v.observed_at <= :until)
      AND (:from IS NULL OR fc.old_value = :from)
      AND (:to IS NULL OR fc.new_value = :to)
)
ORDER BY observed_at, source, connection_id;
