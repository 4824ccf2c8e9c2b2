-- The status of every connection across a window, as `vpnsnap report`
-- draws it: one row per version valid at some time between since and
-- until, oldest first per connection. A version is valid from valid_from
-- to valid_to (NULL for a connection's latest version); a deleted version
-- (event deleted) has no status.
--
-- :since   time  required  the window's start
-- :until   time  required  the window's end
-- :source  text            only this source
SELECT
    c.source,
    c.connection_id,
    v.name,
    v.version,
    v.event,
    v.status,
    v.observed_at AS valid_from,
    v.valid_to
-- CROSS JOIN fixes the join order (connections, then each one's versions
-- from the (connection, observed_at, version) index): for a long window
-- the observed_at index would look up nearly every row one by one.
FROM connections c
CROSS JOIN versions v ON v.connection = c.id
WHERE v.observed_at <= :until
  AND (v.valid_to IS NULL OR v.valid_to > :since)
  AND (:source IS NULL OR c.source = :source)
ORDER BY c.source, c.connection_id, v.version;
