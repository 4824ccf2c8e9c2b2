-- Everything that happened in a window, oldest first: one row per created,
-- deleted or recreated event (field is NULL) and one per changed field
-- (including the fields a recreation changed), each observed between
-- previous_observed_at and observed_at. The window is one range over
-- versions (observed_at), so the index versions_by_time serves it; '' and
-- '9999' stand for an open end (times are RFC3339 text).
--
-- :since   time  only what was observed at or after this time
-- :until   time  only what was observed at or before this time
-- :source  text  only this source
SELECT * FROM (
    SELECT
        v.observed_at,
        v.previous_observed_at,
        c.source,
        c.connection_id,
        v.name,
        v.version,
        v.event,
        NULL AS field,
        NULL AS old_value,
        NULL AS new_value
    FROM versions v
    JOIN connections c ON c.id = v.connection
    WHERE v.event IN ('created', 'deleted', 'recreated')
      AND v.observed_at BETWEEN coalesce(:since, '') AND coalesce(:until, '9999')
      AND (:source IS NULL OR c.source = :source)
    UNION ALL
    SELECT
        v.observed_at,
        v.previous_observed_at,
        c.source,
        c.connection_id,
        v.name,
        v.version,
        v.event,
        fc.field,
        fc.old_value,
        fc.new_value
    FROM versions v
    JOIN connections c ON c.id = v.connection
    JOIN field_changes fc ON fc.version_id = v.id
    WHERE v.observed_at BETWEEN coalesce(:since, '') AND coalesce(:until, '9999')
      AND (:source IS NULL OR c.source = :source)
)
ORDER BY observed_at, source, connection_id, version, field;
