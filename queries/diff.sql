-- What differs between the estate as last observed at `from` and at `to`:
-- connections added (change = added), removed (removed) and changed (one
-- row per field whose value at `to` differs from its value at `from`, a
-- field changed and changed back is not listed).
--
-- :from  time  required  the earlier point in time
-- :to    time  required  the later point in time
WITH pairs AS (
    SELECT
        c.id AS connection,
        c.source,
        c.connection_id,
        (SELECT v.id FROM versions v
         WHERE v.connection = c.id AND v.observed_at <= :from
         ORDER BY v.observed_at DESC, v.version DESC LIMIT 1) AS old_id,
        (SELECT v.id FROM versions v
         WHERE v.connection = c.id AND v.observed_at <= :to
         ORDER BY v.observed_at DESC, v.version DESC LIMIT 1) AS new_id
    FROM connections c
),
states AS (
    SELECT
        p.connection,
        p.source,
        p.connection_id,
        CASE WHEN o.event <> 'deleted' THEN o.id END AS old_live,
        o.version AS old_version,
        o.name AS old_name,
        CASE WHEN n.event <> 'deleted' THEN n.id END AS new_live,
        n.version AS new_version,
        n.name AS new_name
    FROM pairs p
    LEFT JOIN versions o ON o.id = p.old_id
    LEFT JOIN versions n ON n.id = p.new_id
),
changed AS (
    SELECT s.connection, fc.field, min(v.version) AS first_version, max(v.version) AS last_version
    FROM states s
    JOIN versions v ON v.connection = s.connection
        AND v.version > s.old_version AND v.version <= s.new_version
    JOIN field_changes fc ON fc.version_id = v.id
    WHERE s.old_live IS NOT NULL AND s.new_live IS NOT NULL AND s.old_live <> s.new_live
    GROUP BY s.connection, fc.field
)
SELECT * FROM (
    SELECT s.source, s.connection_id, s.new_name AS name, 'added' AS change,
           NULL AS field, NULL AS old_value, NULL AS new_value
    FROM states s
    WHERE s.old_live IS NULL AND s.new_live IS NOT NULL
    UNION ALL
    SELECT s.source, s.connection_id, s.old_name, 'removed', NULL, NULL, NULL
    FROM states s
    WHERE s.old_live IS NOT NULL AND s.new_live IS NULL
    UNION ALL
    SELECT s.source, s.connection_id, s.new_name, 'changed', ch.field, first.old_value, last.new_value
    FROM changed ch
    JOIN states s ON s.connection = ch.connection
    JOIN versions fv ON fv.connection = ch.connection AND fv.version = ch.first_version
    JOIN field_changes first ON first.version_id = fv.id AND first.field = ch.field
    JOIN versions lv ON lv.connection = ch.connection AND lv.version = ch.last_version
    JOIN field_changes last ON last.version_id = lv.id AND last.field = ch.field
    WHERE first.old_value IS NOT last.new_value
)
ORDER BY source, connection_id, field;
