-- The most recent runs, newest first, one row per source: its outcome, the
-- connections listed, what changed and the error of a failed source.
--
-- :limit  integer  how many runs (default 20)
WITH recent AS (
    SELECT * FROM runs ORDER BY id DESC LIMIT coalesce(:limit, 20)
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
ORDER BY r.id DESC, rs.source;
