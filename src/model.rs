//! The provider-independent connection model: one [`Connection`] per provider
//! connection, identified by (source name, provider's connection id).
//!
//! [`FIELDS`] is the one list of the model's content fields: their dotted names
//! (as they appear in change records), their storage columns and their types.
//! The store, the diff and the content hash all walk this list, so adding a
//! field means adding it here, to [`Connection::field_refs`] and to a migration.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Bumped whenever normalization would produce different output from the same
/// raw JSON. Every stored version records the normalizer version that made it.
/// 2: Tencent's PFS `NULL` reads as `disabled` (no PFS), no longer as absent.
/// 3: OpenStack `local_subnets` / `peer_subnets` hold CIDRs: a `subnet`
/// endpoint group's ids and a vpnservice's `subnet_id` resolve to their
/// subnets' `cidr` (they were stored as subnet ids), or leave the field
/// absent with a warning; endpoint groups are read by `type`.
/// 4: Huawei Cloud connections resolve their gateways: `peer_address` is
/// the customer gateway's `id_value` (it was absent), and `gateway_ip` the
/// address `vgw_ip` names (it held `vgw_ip` as given: an EIP id, for
/// public gateways).
pub const NORMALIZER_VERSION: i64 = 4;

/// A connection's state, in one vocabulary across providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Active,
    Down,
    Pending,
    Error,
    Frozen,
    Unknown,
}

impl Status {
    /// Every status, in declaration order.
    pub const ALL: [Status; 6] = [
        Status::Active,
        Status::Down,
        Status::Pending,
        Status::Error,
        Status::Frozen,
        Status::Unknown,
    ];

    /// The stored and shown name (`ACTIVE`, `DOWN`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Down => "DOWN",
            Status::Pending => "PENDING",
            Status::Error => "ERROR",
            Status::Frozen => "FROZEN",
            Status::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How traffic is steered into the tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Routing {
    Policy,
    Static,
    Bgp,
}

impl Routing {
    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Policy => "policy",
            Routing::Static => "static",
            Routing::Bgp => "bgp",
        }
    }
}

/// Phase 1 (IKE) parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IkePolicy {
    /// `v1` or `v2`.
    pub version: Option<String>,
    pub auth_algorithm: Option<String>,
    pub encryption_algorithm: Option<String>,
    pub dh_group: Option<String>,
    pub lifetime_seconds: Option<i64>,
    /// `main` or `aggressive` (IKEv1 only).
    pub negotiation_mode: Option<String>,
    pub local_id: Option<String>,
    pub peer_id: Option<String>,
}

/// Dead peer detection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dpd {
    pub interval: Option<i64>,
    pub timeout: Option<i64>,
    pub action: Option<String>,
}

/// Phase 2 (IPsec) parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpsecPolicy {
    pub auth_algorithm: Option<String>,
    pub encryption_algorithm: Option<String>,
    /// A DH group (`group14`), or `disabled`.
    pub pfs: Option<String>,
    pub transform_protocol: Option<String>,
    pub encapsulation_mode: Option<String>,
    pub lifetime_seconds: Option<i64>,
    pub lifetime_kilobytes: Option<i64>,
}

/// One VPN connection as vpnsnap understands it, whatever the provider.
/// Every optional field is `None` when the provider did not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The configured source (account + region) it was listed from.
    pub source: String,
    /// The provider kind, e.g. `huaweicloud`.
    pub provider: String,
    pub connection_id: String,
    pub region: Option<String>,
    /// Project, tenant or app id where known.
    pub account: Option<String>,
    pub name: Option<String>,
    pub status: Status,
    /// The provider's own words for the status, e.g. `PENDING_CREATE`, `6/unavailable`.
    pub provider_status: Option<String>,
    pub gateway_id: Option<String>,
    pub gateway_ip: Option<String>,
    pub peer_gateway_id: Option<String>,
    pub peer_address: Option<String>,
    pub local_subnets: Option<Vec<String>>,
    pub peer_subnets: Option<Vec<String>>,
    pub routing: Option<Routing>,
    pub admin_state_up: Option<bool>,
    pub ike: IkePolicy,
    pub dpd: Dpd,
    pub ipsec: IpsecPolicy,
    /// Keyed fingerprint of the pre-shared key (see `fingerprint`), never the key.
    pub psk_fingerprint: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// `key=value` (or a bare tag), sorted.
    pub tags: Option<Vec<String>>,
}

/// The type of a model field, which decides its column type and how its
/// value is written in change records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Integer,
    Boolean,
    /// A list of strings, stored as a JSON array.
    List,
}

/// A content field of the model.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Dotted name used in change records: `ike.encryption_algorithm`.
    pub name: &'static str,
    /// Column in `versions` (and the analyst views): `ike_encryption_algorithm`.
    pub column: &'static str,
    pub kind: FieldKind,
}

const fn field(name: &'static str, column: &'static str, kind: FieldKind) -> Field {
    Field { name, column, kind }
}

use FieldKind::{Boolean, Integer, List, Text};

/// Every content field, in storage order. Identity (`source`, `provider`,
/// `connection_id`) is not content: it never changes for a connection.
pub const FIELDS: &[Field] = &[
    field("region", "region", Text),
    field("account", "account", Text),
    field("name", "name", Text),
    field("status", "status", Text),
    field("provider_status", "provider_status", Text),
    field("gateway_id", "gateway_id", Text),
    field("gateway_ip", "gateway_ip", Text),
    field("peer_gateway_id", "peer_gateway_id", Text),
    field("peer_address", "peer_address", Text),
    field("local_subnets", "local_subnets", List),
    field("peer_subnets", "peer_subnets", List),
    field("routing", "routing", Text),
    field("admin_state_up", "admin_state_up", Boolean),
    field("ike.version", "ike_version", Text),
    field("ike.auth_algorithm", "ike_auth_algorithm", Text),
    field("ike.encryption_algorithm", "ike_encryption_algorithm", Text),
    field("ike.dh_group", "ike_dh_group", Text),
    field("ike.lifetime_seconds", "ike_lifetime_seconds", Integer),
    field("ike.negotiation_mode", "ike_negotiation_mode", Text),
    field("ike.local_id", "ike_local_id", Text),
    field("ike.peer_id", "ike_peer_id", Text),
    field("dpd.interval", "dpd_interval", Integer),
    field("dpd.timeout", "dpd_timeout", Integer),
    field("dpd.action", "dpd_action", Text),
    field("ipsec.auth_algorithm", "ipsec_auth_algorithm", Text),
    field(
        "ipsec.encryption_algorithm",
        "ipsec_encryption_algorithm",
        Text,
    ),
    field("ipsec.pfs", "ipsec_pfs", Text),
    field("ipsec.transform_protocol", "ipsec_transform_protocol", Text),
    field("ipsec.encapsulation_mode", "ipsec_encapsulation_mode", Text),
    field("ipsec.lifetime_seconds", "ipsec_lifetime_seconds", Integer),
    field(
        "ipsec.lifetime_kilobytes",
        "ipsec_lifetime_kilobytes",
        Integer,
    ),
    field("psk_fingerprint", "psk_fingerprint", Text),
    field("created_at", "created_at", Text),
    field("updated_at", "updated_at", Text),
    field("tags", "tags", List),
];

/// A field's value; `None` (in an `Option<FieldValue>`) means absent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldValue {
    Text(String),
    Integer(i64),
    Boolean(bool),
    List(Vec<String>),
}

impl FieldValue {
    /// How the value reads in change records and query output: strings as
    /// they are, numbers in decimal, `true`/`false`, lists as JSON arrays.
    pub fn display(&self) -> String {
        match self {
            FieldValue::Text(text) => text.clone(),
            FieldValue::Integer(number) => number.to_string(),
            FieldValue::Boolean(flag) => flag.to_string(),
            FieldValue::List(items) => Value::from(items.clone()).to_string(),
        }
    }

    /// The value as JSON, for hashing.
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Text(text) => Value::from(text.as_str()),
            FieldValue::Integer(number) => Value::from(*number),
            FieldValue::Boolean(flag) => Value::from(*flag),
            FieldValue::List(items) => Value::from(items.clone()),
        }
    }
}

/// A field's value borrowed from its [`Connection`] (see
/// [`Connection::field_refs`]): what hashing reads without copying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRef<'a> {
    Text(&'a str),
    Integer(i64),
    Boolean(bool),
    List(&'a [String]),
}

impl FieldRef<'_> {
    /// The owned value.
    pub fn to_value(self) -> FieldValue {
        match self {
            FieldRef::Text(text) => FieldValue::Text(text.to_string()),
            FieldRef::Integer(number) => FieldValue::Integer(number),
            FieldRef::Boolean(flag) => FieldValue::Boolean(flag),
            FieldRef::List(items) => FieldValue::List(items.to_vec()),
        }
    }

    /// Appends the value as compact JSON: the same text as
    /// [`FieldValue::to_json`] serializes to.
    pub fn write_json(self, out: &mut Vec<u8>) {
        // Writing into a Vec cannot fail, and these types always serialize.
        let _ = match self {
            FieldRef::Text(text) => serde_json::to_writer(out, text),
            FieldRef::Integer(number) => serde_json::to_writer(out, &number),
            FieldRef::Boolean(flag) => serde_json::to_writer(out, &flag),
            FieldRef::List(items) => serde_json::to_writer(out, items),
        };
    }
}

fn text(value: &Option<String>) -> Option<FieldRef<'_>> {
    value.as_deref().map(FieldRef::Text)
}

fn integer(value: Option<i64>) -> Option<FieldRef<'static>> {
    value.map(FieldRef::Integer)
}

fn list(value: &Option<Vec<String>>) -> Option<FieldRef<'_>> {
    value.as_deref().map(FieldRef::List)
}

impl Connection {
    /// A connection with only its identity and status set.
    pub fn new(source: &str, provider: &str, connection_id: &str, status: Status) -> Connection {
        Connection {
            source: source.to_string(),
            provider: provider.to_string(),
            connection_id: connection_id.to_string(),
            region: None,
            account: None,
            name: None,
            status,
            provider_status: None,
            gateway_id: None,
            gateway_ip: None,
            peer_gateway_id: None,
            peer_address: None,
            local_subnets: None,
            peer_subnets: None,
            routing: None,
            admin_state_up: None,
            ike: IkePolicy::default(),
            dpd: Dpd::default(),
            ipsec: IpsecPolicy::default(),
            psk_fingerprint: None,
            created_at: None,
            updated_at: None,
            tags: None,
        }
    }

    /// The content fields' values, in the order of [`FIELDS`].
    pub fn field_values(&self) -> Vec<Option<FieldValue>> {
        self.field_refs()
            .into_iter()
            .map(|value| value.map(FieldRef::to_value))
            .collect()
    }

    /// The content fields' values borrowed, in the order of [`FIELDS`]:
    /// the one place that lists them.
    pub fn field_refs(&self) -> [Option<FieldRef<'_>>; FIELDS.len()] {
        [
            text(&self.region),
            text(&self.account),
            text(&self.name),
            Some(FieldRef::Text(self.status.as_str())),
            text(&self.provider_status),
            text(&self.gateway_id),
            text(&self.gateway_ip),
            text(&self.peer_gateway_id),
            text(&self.peer_address),
            list(&self.local_subnets),
            list(&self.peer_subnets),
            self.routing.map(|routing| FieldRef::Text(routing.as_str())),
            self.admin_state_up.map(FieldRef::Boolean),
            text(&self.ike.version),
            text(&self.ike.auth_algorithm),
            text(&self.ike.encryption_algorithm),
            text(&self.ike.dh_group),
            integer(self.ike.lifetime_seconds),
            text(&self.ike.negotiation_mode),
            text(&self.ike.local_id),
            text(&self.ike.peer_id),
            integer(self.dpd.interval),
            integer(self.dpd.timeout),
            text(&self.dpd.action),
            text(&self.ipsec.auth_algorithm),
            text(&self.ipsec.encryption_algorithm),
            text(&self.ipsec.pfs),
            text(&self.ipsec.transform_protocol),
            text(&self.ipsec.encapsulation_mode),
            integer(self.ipsec.lifetime_seconds),
            integer(self.ipsec.lifetime_kilobytes),
            text(&self.psk_fingerprint),
            text(&self.created_at),
            text(&self.updated_at),
            list(&self.tags),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_match_field_kinds() {
        let mut connection = Connection::new("s", "huaweicloud", "id-1", Status::Down);
        connection.local_subnets = Some(vec!["10.0.0.0/24".into()]);
        connection.admin_state_up = Some(true);
        connection.ike.lifetime_seconds = Some(3600);
        connection.tags = Some(vec!["env=prod".into()]);
        connection.routing = Some(Routing::Bgp);
        let values = connection.field_values();
        assert_eq!(values.len(), FIELDS.len());
        for (field, value) in FIELDS.iter().zip(&values) {
            let matches = matches!(
                (field.kind, value),
                (_, None)
                    | (FieldKind::Text, Some(FieldValue::Text(_)))
                    | (FieldKind::Integer, Some(FieldValue::Integer(_)))
                    | (FieldKind::Boolean, Some(FieldValue::Boolean(_)))
                    | (FieldKind::List, Some(FieldValue::List(_)))
            );
            assert!(
                matches,
                "field {} has a value of the wrong kind",
                field.name
            );
            assert_eq!(field.column, field.name.replace('.', "_"));
        }
    }
}
