-- Every version of one connection, oldest first: when it was valid, what
-- happened (created, changed, deleted, recreated), its status and the names
-- of the fields that changed.
--
-- :connection  connection  required  provider id or name
-- json-columns: changed_fields
SELECT
    v.version,
    v.observed_at AS valid_from,
    v.valid_to,
    v.event,
    v.status,
    (SELECT json_group_array(field) FROM (
        SELECT fc.field FROM field_changes fc WHERE fc.version_id = v.id ORDER BY fc.field
    )) AS changed_fields
FROM versions v
WHERE v.connection = :connection
ORDER BY v.version;
