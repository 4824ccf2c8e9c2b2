-- Every change of an IKE, IPsec or DPD setting or of the pre-shared key
-- (its fingerprint), oldest first, one row per field: it changed between
-- previous_observed_at and observed_at.
--
-- :connection  connection  only this connection (provider id or name)
-- :source      text        only this source
-- :since       time        only changes observed at or after this time
-- :until       time        only changes observed at or before this time
WITH target AS (
    SELECT id, source, connection_id FROM connections
    WHERE (:connection IS NULL OR id = :connection)
      AND (:source IS NULL OR source = :source)
)
SELECT
    v.observed_at,
    v.previous_observed_at,
    t.source,
    t.connection_id,
    v.name,
    fc.field,
    fc.old_value,
    fc.new_value
FROM target t
CROSS JOIN versions v ON v.connection = t.id
CROSS JOIN field_changes fc ON fc.version_id = v.id
WHERE (fc.field GLOB 'ike.*' OR fc.field GLOB 'ipsec.*' OR fc.field GLOB 'dpd.*'
       OR fc.field = 'psk_fingerprint')
  AND (:since IS NULL OR v.observed_at >= :since)
  AND (:until IS NULL OR v.observed_at <= :until)
ORDER BY v.observed_at, t.source, t.connection_id, fc.field;
