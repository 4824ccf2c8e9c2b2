-- Everything that happened in a window, oldest first: one row per created,
-- deleted or recreated event (field is NULL) and one per changed field
-- (including the fields a recreation changed), each observed between
-- previous_observed_at and observed_at.
--
-- :since   time  only what was observed at or after this time
-- :until   time  only what was observed at or before this time
-- :source  text  only this source
SELECT * FROM (
    -- With --since or --until the versions come from the observed_at index
    -- (one range; '' and '9999' stand for an open end), which is fast for
    -- the hours a postmortem looks at; without either, a plain scan is
    -- faster. Each half of this union runs only in its case (constant
    -- conditions).
    SELECT
        v.observed_at, v.previous_observed_at, c.source, c.connection_id, v.name, v.version,
        v.event, NULL AS field, NULL AS old_value, NULL AS new_value
    FROM versions v
    JOIN connections c ON c.id = v.connection
    WHERE (:since IS NOT NULL OR :until IS NOT NULL)
      AND v.observed_at BETWEEN coalesce(:since, '') AND coalesce(:until, '9999')
      AND v.event IN ('created', 'deleted', 'recreated')
      AND (:source IS NULL OR c.source = :source)
    UNION ALL
    SELECT
        v.observed_at, v.previous_observed_at, c.source, c.connection_id, v.name, v.version,
        v.event, fc.field, fc.old_value, fc.new_value
    FROM versions v
    JOIN connections c ON c.id = v.connection
    JOIN field_changes fc ON fc.version_id = v.id
    WHERE (:since IS NOT NULL OR :until IS NOT NULL)
      AND v.observed_at BETWEEN coalesce(:since, '') AND coalesce(:until, '9999')
      AND (:source IS NULL OR c.source = :source)
    UNION ALL
    SELECT
        v.observed_at, v.previous_observed_at, c.source, c.connection_id, v.name, v.version,
        v.event, NULL, NULL, NULL
    FROM versions v
    JOIN connections c ON c.id = v.connection
    WHERE :since IS NULL AND :until IS NULL
      AND v.event IN ('created', 'deleted', 'recreated')
      AND (:source IS NULL OR c.source = :source)
    UNION ALL
    SELECT
        v.observed_at, v.previous_observed_at, c.source, c.connection_id, v.name, v.version,
        v.event, fc.field, fc.old_value, fc.new_value
    FROM versions v
    JOIN connections c ON c.id = v.connection
    JOIN field_changes fc ON fc.version_id = v.id
    WHERE :since IS NULL AND :until IS NULL
      AND (:source IS NULL OR c.source = :source)
)
ORDER BY observed_at, source, connection_id, version, field;
