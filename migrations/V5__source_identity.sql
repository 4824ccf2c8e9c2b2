-- Why: a source name is one provider account and region for good. A collect
-- or import that lists a source under another kind, region or account (an
-- operator's typo in --kind, a config edited to point elsewhere) would
-- otherwise tombstone every connection stored under the name. Each source's
-- identity is recorded at its first run and checked at every later one.
--
-- kind     the provider kind (huaweicloud, openstack, tencent, tencent-legacy)
-- region   the provider's region; NULL while not known (an import without one)
-- account  the account (Huawei Cloud / OpenStack project id); NULL while not known
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    region TEXT,
    account TEXT
) WITHOUT ROWID;

-- Existing sources: the kind of their first run, and the region and account
-- their first versions were stored with.
INSERT INTO sources (name, kind, region, account)
SELECT
    rs.source,
    (SELECT first.provider FROM run_sources first
      WHERE first.source = rs.source ORDER BY first.run_id LIMIT 1),
    (SELECT v.region FROM versions v JOIN connections c ON c.id = v.connection
      WHERE c.source = rs.source AND v.region IS NOT NULL ORDER BY v.id LIMIT 1),
    (SELECT v.account FROM versions v JOIN connections c ON c.id = v.connection
      WHERE c.source = rs.source AND v.account IS NOT NULL ORDER BY v.id LIMIT 1)
FROM run_sources rs
GROUP BY rs.source;
