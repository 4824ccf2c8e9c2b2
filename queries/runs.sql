-- The most recent runs, newest first, one row per source: its outcome, the
-- connections listed, what changed and the error of a failed source. With
-- since or until, every run started in that window (unless limit is given).
--
-- :limit   integer  how many runs (default 20; every run in the window with since or until)
-- :since   time     only runs started at or after this time
-- :until   time     only runs started at or before this time
-- :source  text     only this source's rows
WITH recent AS (
    SELECT * FROM runs
    WHERE (:since IS NULL OR started_at >= :since)
      AND (:until IS NULL OR started_at <= :until)
    ORDER BY id DESC
    LIMIT coalesce(:limit, CASE WHEN :since IS NULL AND :until IS NULL THEN 20 ELSE -1 END)
)
SELECT
    r.id AS run_id,
    r.kind,
    r.started_at,
    r.finished_at,
    rs.source,
    rs.provider,
    rs.observed_at,
    rs.outcome,
    rs.item_count,
    rs.created,
    rs.changed,
    rs.deleted,
    rs.recreated,
    rs.error
FROM recent r
LEFT JOIN run_sources rs ON rs.run_id = r.id
WHERE :source IS NULL OR rs.source = :source
ORDER BY r.id DESC, rs.source;
