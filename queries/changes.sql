-- Everything that happened in a window, oldest first: one row per created,
-- deleted or recreated event (field is NULL) and one per changed field
-- (including the fields a recreation changed), each observed between
-- previous_observed_at and observed_at.
--
-- :since   time  only what was observed at or after this time
-- :until   time  only what was observed at or before this time
-- :source  text  only this source
SELECT * FROM (
    -- The versions observed in the window come from the observed_at index
    -- ('' and '9999' stand for an open end), which holds what is shown of
    -- them (V7); each one's field changes follow it, and a created or
    -- deleted version (which has none) gives its event's row. One pass and one sort:
    -- the union of events and changes this replaced read every version twice
    -- (issue 19: a day of 1M versions, 144,205 rows, 308 -> 203 ms of SQL).
    SELECT
        v.observed_at, v.previous_observed_at, c.source, c.connection_id, v.name, v.version,
        v.event, fc.field, fc.old_value, fc.new_value
    FROM versions v
    JOIN connections c ON c.id = v.connection
    LEFT JOIN field_changes fc ON fc.version_id = v.id
    WHERE v.observed_at BETWEEN coalesce(:since, '') AND coalesce(:until, '9999')
      AND (fc.field IS NOT NULL OR v.event <> 'changed')
      AND (:source IS NULL OR c.source = :source)
    UNION ALL
    -- A recreation with field changes has its event's row too.
    SELECT
        v.observed_at, v.previous_observed_at, c.source, c.connection_id, v.name, v.version,
        v.event, NULL, NULL, NULL
    FROM versions v
    JOIN connections c ON c.id = v.connection
    WHERE v.observed_at BETWEEN coalesce(:since, '') AND coalesce(:until, '9999')
      AND v.event = 'recreated'
      AND EXISTS (SELECT 1 FROM field_changes fc WHERE fc.version_id = v.id)
      AND (:source IS NULL OR c.source = :source)
)
ORDER BY observed_at, source, connection_id, version, field;
