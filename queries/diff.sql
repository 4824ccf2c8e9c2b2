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
-- Read three times below: computed once.
states AS MATERIALIZED (
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
-- The fields changed between the two versions of a connection changed in
-- between, each with its first and last change's version (one pass over
-- the changes, grouped; a window function over them had cost twice as
-- much at 144,205 changes, issue 19).
steps AS (
    SELECT
        s.connection,
        s.source,
        s.connection_id,
        s.new_name,
        fc.field,
        min(v.version) AS first_version,
        max(v.version) AS last_version
    FROM states s
    CROSS JOIN versions v ON v.connection = s.connection
        AND v.version > s.old_version AND v.version <= s.new_version
    CROSS JOIN field_changes fc ON fc.version_id = v.id
    WHERE s.old_live IS NOT NULL AND s.new_live IS NOT NULL AND s.old_live <> s.new_live
    GROUP BY s.connection, fc.field
),
-- Each such field's value before its first change and after its last one
-- (read once: the final selection both tests and shows them).
ends AS MATERIALIZED (
    SELECT
        st.source,
        st.connection_id,
        st.new_name,
        st.field,
        (SELECT fc.old_value FROM versions v
         CROSS JOIN field_changes fc ON fc.version_id = v.id AND fc.field = st.field
         WHERE v.connection = st.connection AND v.version = st.first_version) AS old_value,
        (SELECT fc.new_value FROM versions v
         CROSS JOIN field_changes fc ON fc.version_id = v.id AND fc.field = st.field
         WHERE v.connection = st.connection AND v.version = st.last_version) AS new_value
    FROM steps st
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
    SELECT st.source, st.connection_id, st.new_name, 'changed', st.field, st.old_value, st.new_value
    FROM ends st
    WHERE st.old_value IS NOT st.new_value
)
ORDER BY source, connection_id, field;
