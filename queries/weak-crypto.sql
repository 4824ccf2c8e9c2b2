-- Live connections using weak cryptography, one row per weakness: MD5 or
-- SHA-1 integrity, DES or 3DES encryption, DH group 1, 2 or 5 (IKE or PFS),
-- IKEv1 aggressive mode, or PFS disabled. `since` is when the setting took
-- its current value: the version that last changed the field, or else the
-- connection's creation or recreation. With at, the estate as it was then.
--
-- :source  text  only this source
-- :at      time  the estate as last observed at or before this time (default: now)
WITH live AS (
    -- Each half runs only in its case (constant conditions): the latest
    -- versions come from their partial index, which holds every column
    -- read here (V7).
    SELECT v.connection, c.source, c.connection_id, v.name, v.ike_version, v.ike_auth_algorithm,
           v.ike_encryption_algorithm, v.ike_dh_group, v.ike_negotiation_mode,
           v.ipsec_auth_algorithm, v.ipsec_encryption_algorithm, v.ipsec_pfs
    FROM versions v
    JOIN connections c ON c.id = v.connection
    WHERE :at IS NULL AND v.valid_to IS NULL AND v.event <> 'deleted'
      AND (:source IS NULL OR c.source = :source)
    UNION ALL
    SELECT v.connection, c.source, c.connection_id, v.name, v.ike_version, v.ike_auth_algorithm,
           v.ike_encryption_algorithm, v.ike_dh_group, v.ike_negotiation_mode,
           v.ipsec_auth_algorithm, v.ipsec_encryption_algorithm, v.ipsec_pfs
    FROM versions v
    JOIN connections c ON c.id = v.connection
    WHERE :at IS NOT NULL AND v.observed_at <= :at
      AND (v.valid_to IS NULL OR v.valid_to > :at) AND v.event <> 'deleted'
      AND (:source IS NULL OR c.source = :source)
),
findings AS (
    SELECT connection, source, connection_id, name, 'ike.auth_algorithm' AS field,
           ike_auth_algorithm AS value, 'IKE integrity ' || ike_auth_algorithm AS weakness
    FROM live WHERE ike_auth_algorithm IN ('md5', 'sha1')
    UNION ALL
    SELECT connection, source, connection_id, name, 'ike.encryption_algorithm',
           ike_encryption_algorithm, 'IKE encryption ' || ike_encryption_algorithm
    FROM live WHERE ike_encryption_algorithm IN ('des', '3des')
    UNION ALL
    SELECT connection, source, connection_id, name, 'ike.dh_group',
           ike_dh_group, 'IKE DH ' || ike_dh_group
    FROM live WHERE ike_dh_group IN ('group1', 'group2', 'group5')
    UNION ALL
    SELECT connection, source, connection_id, name, 'ike.negotiation_mode',
           ike_negotiation_mode, 'IKEv1 aggressive mode'
    FROM live WHERE ike_negotiation_mode = 'aggressive' AND ike_version IS NOT 'v2'
    UNION ALL
    SELECT connection, source, connection_id, name, 'ipsec.auth_algorithm',
           ipsec_auth_algorithm, 'IPsec integrity ' || ipsec_auth_algorithm
    FROM live WHERE ipsec_auth_algorithm IN ('md5', 'sha1')
    UNION ALL
    SELECT connection, source, connection_id, name, 'ipsec.encryption_algorithm',
           ipsec_encryption_algorithm, 'IPsec encryption ' || ipsec_encryption_algorithm
    FROM live WHERE ipsec_encryption_algorithm IN ('des', '3des')
    UNION ALL
    SELECT connection, source, connection_id, name, 'ipsec.pfs', ipsec_pfs,
           CASE ipsec_pfs WHEN 'disabled' THEN 'PFS disabled' ELSE 'PFS DH ' || ipsec_pfs END
    FROM live WHERE ipsec_pfs IN ('disabled', 'group1', 'group2', 'group5')
)
SELECT
    f.source,
    f.connection_id,
    f.name,
    f.weakness,
    f.field,
    f.value,
    -- The latest such version, found walking back from the newest.
    (SELECT v.observed_at FROM versions v
     WHERE v.connection = f.connection
       AND (:at IS NULL OR v.observed_at <= :at)
       AND (v.event IN ('created', 'recreated')
            OR EXISTS (SELECT 1 FROM field_changes fc
                       WHERE fc.version_id = v.id AND fc.field = f.field))
     ORDER BY v.observed_at DESC
     LIMIT 1) AS since
FROM findings f
ORDER BY f.source, f.connection_id, f.field;
