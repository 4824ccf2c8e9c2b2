-- One row per interval a connection was DOWN (consecutive DOWN versions),
-- oldest first. It went DOWN between last_up_observed_at (the last listing
-- that showed it in another status; NULL when it was created or recreated
-- DOWN) and down_observed_at, and came back between the last listing that
-- showed it DOWN (last_down_observed_at) and up_observed_at (NULL while
-- still down, or when it was deleted while down: see ended_by). min_duration_seconds counts from
-- down_observed_at to the last DOWN observation; max_duration_seconds from
-- last_up_observed_at to up_observed_at (NULL when either is unknown).
--
-- :connection  connection  only this connection (provider id or name)
-- :source      text        only this source
-- :since       time        only outages still going on at or after this time
-- :until       time        only outages that began at or before this time
WITH target AS (
    SELECT id, source, connection_id FROM connections
    WHERE (:connection IS NULL OR id = :connection)
      AND (:source IS NULL OR source = :source)
),
marked AS (
    SELECT
        v.connection,
        v.version,
        v.event <> 'deleted' AND v.status = 'DOWN' AS down,
        coalesce(lag(v.event <> 'deleted' AND v.status = 'DOWN') OVER per_connection, 0) AS down_before
    FROM target t
    CROSS JOIN versions v ON v.connection = t.id
    WINDOW per_connection AS (PARTITION BY v.connection ORDER BY v.version)
),
numbered AS (
    SELECT
        connection,
        version,
        down,
        sum(down AND NOT down_before) OVER (PARTITION BY connection ORDER BY version) AS island
    FROM marked
),
intervals AS (
    SELECT connection, min(version) AS first_version, max(version) AS last_version
    FROM numbered
    WHERE down
    GROUP BY connection, island
),
seen AS (
    SELECT source, max(observed_at) AS last_ok
    FROM run_sources
    WHERE outcome = 'ok'
    GROUP BY source
),
bounds AS (
    SELECT
        t.source,
        t.connection_id,
        last.name,
        CASE WHEN before.event IS NULL OR before.event = 'deleted' THEN NULL
             ELSE max(coalesce(first.previous_observed_at, ''), before.observed_at)
        END AS last_up_observed_at,
        first.observed_at AS down_observed_at,
        after.observed_at AS ended_at,
        CASE WHEN after.event = 'deleted' THEN 'deleted' ELSE after.status END AS ended_by,
        -- The last listing that showed it DOWN.
        CASE WHEN after.id IS NULL
             THEN max(last.observed_at, coalesce(s.last_ok, ''))
             ELSE max(last.observed_at, coalesce(after.previous_observed_at, ''))
        END AS last_down_observed_at
    FROM intervals i
    JOIN target t ON t.id = i.connection
    JOIN versions first ON first.connection = i.connection AND first.version = i.first_version
    JOIN versions last ON last.connection = i.connection AND last.version = i.last_version
    LEFT JOIN versions before ON before.connection = i.connection AND before.version = i.first_version - 1
    LEFT JOIN versions after ON after.connection = i.connection AND after.version = i.last_version + 1
    LEFT JOIN seen s ON s.source = t.source
)
SELECT
    source,
    connection_id,
    name,
    last_up_observed_at,
    down_observed_at,
    last_down_observed_at,
    CASE WHEN ended_by <> 'deleted' THEN ended_at END AS up_observed_at,
    unixepoch(last_down_observed_at) - unixepoch(down_observed_at) AS min_duration_seconds,
    CASE WHEN ended_by <> 'deleted' AND last_up_observed_at IS NOT NULL
         THEN unixepoch(ended_at) - unixepoch(last_up_observed_at)
    END AS max_duration_seconds,
    ended_by
FROM bounds
WHERE (:since IS NULL OR ended_at IS NULL OR ended_at >= :since)
  AND (:until IS NULL OR down_observed_at <= :until)
ORDER BY down_observed_at, source, connection_id;
