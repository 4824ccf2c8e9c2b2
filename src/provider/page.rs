//! What a provider's decoder and normalizer produce, shared by every
//! provider and read by the listing and the store: a decoded [`Page`], the
//! objects connections reference ([`Related`]), the normalizer's
//! [`ProviderOutput`] and the finished [`Normalized`] connection, and
//! [`DecodeError`] for a body that is not the documented shape.

use std::collections::HashMap;

use serde_json::Value;

use super::kind::ProviderKind;
use super::redact::redact_secrets;
use crate::http::{FetchError, SinkClass, SinkError};
use crate::model::Connection;

/// A body that is not the documented shape: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DecodeError {
    /// JSON path into the body, e.g. `$.vpn_connections[2].id`.
    pub path: String,
    pub message: String,
}

impl DecodeError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Bytes of SHA-256 kept of a content hash (see [`content`](super::content)):
/// ample to tell one connection's versions apart.
pub const CONTENT_HASH_BYTES: usize = 16;

/// A response body that is not the documented shape of its kind, named
/// by its origin (a URL without secrets, or a file).
#[derive(Debug, thiserror::Error)]
#[error("{origin}: not a {kind} response body: {error}")]
pub struct UndecodableBody {
    pub origin: String,
    pub kind: ProviderKind,
    pub error: DecodeError,
}

impl SinkError for UndecodableBody {
    fn class(&self) -> SinkClass {
        SinkClass::Decode
    }
}

impl From<UndecodableBody> for FetchError {
    fn from(error: UndecodableBody) -> FetchError {
        FetchError::Listing(Box::new(error))
    }
}

/// Kinds of objects a connection can reference by id (OpenStack: directly
/// or, for subnets, through its endpoint group or vpnservice; Huawei Cloud:
/// its customer gateway and VPN gateway).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelatedKind {
    IkePolicy,
    IpsecPolicy,
    VpnService,
    EndpointGroup,
    /// A Neutron subnet (`{"id", "cidr"}`), named by a `subnet` endpoint
    /// group's endpoints or a vpnservice's `subnet_id`.
    Subnet,
    /// A Huawei Cloud customer gateway (`cgw_id`): the peer's IP or FQDN.
    CustomerGateway,
    /// A Huawei Cloud VPN gateway (`vgw_id`): its EIPs or private IPs.
    VpnGateway,
}

impl RelatedKind {
    /// Every kind, in one fixed order.
    pub const ALL: [RelatedKind; 7] = [
        RelatedKind::IkePolicy,
        RelatedKind::IpsecPolicy,
        RelatedKind::VpnService,
        RelatedKind::EndpointGroup,
        RelatedKind::Subnet,
        RelatedKind::CustomerGateway,
        RelatedKind::VpnGateway,
    ];

    /// The keys of the kind's list body and show body in its provider's API
    /// (`{"ikepolicies": [...]}`, `{"ikepolicy": {...}}`).
    pub fn body_keys(self) -> (&'static str, &'static str) {
        match self {
            RelatedKind::IkePolicy => ("ikepolicies", "ikepolicy"),
            RelatedKind::IpsecPolicy => ("ipsecpolicies", "ipsecpolicy"),
            RelatedKind::VpnService => ("vpnservices", "vpnservice"),
            RelatedKind::EndpointGroup => ("endpoint_groups", "endpoint_group"),
            RelatedKind::Subnet => ("subnets", "subnet"),
            RelatedKind::CustomerGateway => ("customer_gateways", "customer_gateway"),
            RelatedKind::VpnGateway => ("vpn_gateways", "vpn_gateway"),
        }
    }
}

/// Objects collected alongside the connections and referenced by id,
/// already redacted, and the memory they hold. They are kept as compact JSON
/// text and parsed again by [`Related::get`]: a parsed object takes several
/// times its text (see [`footprint`]), and a listing holds every policy,
/// endpoint group, subnet or gateway of the project while each is read
/// only by the connections naming it.
#[derive(Debug, Default, Clone)]
pub struct Related {
    objects: HashMap<(RelatedKind, String), Box<str>>,
    bytes: u64,
    /// The kinds of the objects held.
    kinds: Vec<RelatedKind>,
}

impl Related {
    /// Adds an object; `path` locates it for the error when it has no id.
    pub fn insert(
        &mut self,
        kind: RelatedKind,
        mut object: Value,
        path: &str,
    ) -> Result<(), DecodeError> {
        let id = match object.get("id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => {
                return Err(DecodeError::new(
                    format!("{path}.id"),
                    "missing or not a string",
                ));
            }
        };
        redact_secrets(&mut object);
        if !self.kinds.contains(&kind) {
            self.kinds.push(kind);
        }
        let text = json_text(&object).into_boxed_str();
        self.bytes += entry_bytes(&id, &text);
        if let Some(replaced) = self.objects.insert((kind, id.clone()), text) {
            self.bytes -= entry_bytes(&id, &replaced);
        }
        Ok(())
    }

    /// The memory the objects held take: their text and their keys.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The `kind` object `id`, parsed from its text.
    pub fn get(&self, kind: RelatedKind, id: &str) -> Option<Value> {
        let text = self.objects.get(&(kind, id.to_string()))?;
        serde_json::from_str(text).ok()
    }

    /// The text of every object held under `id`, whatever its kind, in
    /// the order of [`RelatedKind::ALL`].
    pub fn named<'a>(&'a self, id: &str) -> impl Iterator<Item = (RelatedKind, &'a str)> + 'a {
        let mut key = (RelatedKind::IkePolicy, id.to_string());
        RelatedKind::ALL.into_iter().filter_map(move |kind| {
            if !self.kinds.contains(&kind) {
                return None;
            }
            key.0 = kind;
            self.objects.get(&key).map(|text| (kind, text.as_ref()))
        })
    }

    /// Whether no object is held.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Whether any object of `kind` is held.
    pub fn has_any(&self, kind: RelatedKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Objects held, for tests.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.objects.len()
    }
}

/// One held object's memory: its key and its text.
fn entry_bytes(id: &str, text: &str) -> u64 {
    let key = size_of::<(RelatedKind, String)>() + id.len();
    (key + size_of::<Box<str>>() + text.len()) as u64
}

/// Slots of a B-tree node (`std`'s `B` is 6: up to 11 entries a node).
const MAP_NODE_SLOTS: usize = 11;

/// The memory a parsed JSON value holds, estimated from its shape rather
/// than its text (a body of small values, `[0,0,...]`, takes 16 times its
/// text): the value itself, a string's text, an array's elements, an
/// object's keys, values and B-tree nodes (counted two thirds full, as
/// nodes filled in document order are on average). Allocator rounding is
/// not counted.
pub fn footprint(value: &Value) -> usize {
    let own = size_of::<Value>();
    own + match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        Value::String(text) => text.len(),
        Value::Array(items) => items.iter().map(footprint).sum(),
        Value::Object(members) => {
            let slot = size_of::<String>() + size_of::<Value>();
            let nodes = members.len().div_ceil(MAP_NODE_SLOTS * 2 / 3);
            let node = MAP_NODE_SLOTS * slot + 2 * size_of::<usize>();
            let members: usize = members
                .iter()
                .map(|(key, value)| key.len() + footprint(value) - own)
                .sum();
            nodes * node + members
        }
    }
}

/// What one response body contained: connection objects as received
/// (unredacted, with their JSON paths), objects they reference, and the
/// total the server announced, if any.
#[derive(Debug, Default)]
pub struct Page {
    pub connections: Vec<(String, Value)>,
    pub related: Vec<(RelatedKind, String, Value)>,
    pub total_count: Option<u64>,
}

/// Where the objects being normalized came from.
#[derive(Debug, Clone, Copy)]
pub struct NormalizeContext<'a> {
    pub source: &'a str,
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
}

/// What a provider's normalizer makes of one (already redacted) object.
#[derive(Debug)]
pub struct ProviderOutput {
    pub connection: Connection,
    /// The referenced objects that went into the model (OpenStack), by role
    /// (`ikepolicy`, `ipsecpolicy`, `vpnservice`, `local_ep_group`, `peer_ep_group`,
    /// and `subnets`, the `{id, cidr}` of each subnet resolved).
    pub related: Option<Value>,
    /// What the model does not cover of the connection object.
    pub unmapped: Value,
    /// What the model does not cover of `related`.
    pub unmapped_related: Value,
    pub warnings: Vec<String>,
}

/// One connection, normalized, with its redacted raw JSON (kept as compact
/// text: a listing of many connections holds these until it is stored).
#[derive(Debug, Clone)]
pub struct Normalized {
    pub connection: Connection,
    /// The object as received, secrets replaced by `"[redacted]"`, keys sorted.
    pub raw_json: String,
    /// Referenced objects that went into the model, redacted (OpenStack).
    pub related_json: Option<String>,
    /// See [`content`](super::content): equal hashes mean no new version.
    pub content_hash: [u8; CONTENT_HASH_BYTES],
    /// What the model does not cover of the object (for `raw.*` changes),
    /// as compact JSON text: parsed values cost several times their text,
    /// and only a changed connection needs them.
    pub unmapped_json: String,
    /// What the model does not cover of the referenced objects, likewise.
    pub unmapped_related_json: String,
    pub warnings: Vec<String>,
}

impl Normalized {
    /// What the model does not cover of the object, parsed back (`null`
    /// if the text is somehow not JSON, which covers nothing).
    pub fn unmapped_value(&self) -> Value {
        serde_json::from_str(&self.unmapped_json).unwrap_or(Value::Null)
    }

    /// What the model does not cover of the referenced objects, parsed back.
    pub fn unmapped_related_value(&self) -> Value {
        serde_json::from_str(&self.unmapped_related_json).unwrap_or(Value::Null)
    }

    /// The redacted raw JSON, parsed back.
    pub fn raw_value(&self) -> Option<Value> {
        serde_json::from_str(&self.raw_json).ok()
    }

    /// The referenced objects' JSON, parsed back.
    pub fn related_value(&self) -> Option<Value> {
        self.related_json
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
    }
}

/// `value` as compact JSON text, the same text as `Value::to_string` but
/// written straight into a buffer rather than through `fmt` (several times
/// faster on the ingest path).
pub fn json_text(value: &Value) -> String {
    // A `Value` always serializes (its keys are strings); the fallback
    // writes the same text.
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;

    #[test]
    fn footprint_counts_what_a_parsed_value_holds_not_its_text() {
        let value = size_of::<Value>();
        assert_eq!(footprint(&json!(null)), value);
        assert_eq!(footprint(&json!("abcd")), value + 4);
        // Three numbers: each a whole value, however short its text.
        assert_eq!(footprint(&json!([0, 0, 0])), 4 * value);
        // One node of eleven (key, value) slots for up to seven members.
        let node = 11 * (size_of::<String>() + value) + 2 * size_of::<usize>();
        assert_eq!(footprint(&json!({"id": "x"})), value + node + 2 + 1);
        let eight: Map<String, Value> = (0..8).map(|n| (n.to_string(), json!(n))).collect();
        assert_eq!(footprint(&Value::Object(eight)), value + 2 * node + 8);
    }

    #[test]
    fn related_bytes_follow_what_is_held() {
        let mut related = Related::default();
        let small = json!({"id": "ike-1", "name": "a"});
        let large = json!({"id": "ike-1", "name": "a".repeat(1000)});
        related
            .insert(RelatedKind::IkePolicy, small.clone(), "$")
            .unwrap();
        let one = related.bytes();
        assert_eq!(one, entry_bytes("ike-1", &small.to_string()));
        // The same id again replaces the object: its bytes are given back.
        related
            .insert(RelatedKind::IkePolicy, large.clone(), "$")
            .unwrap();
        assert_eq!(related.bytes(), entry_bytes("ike-1", &large.to_string()));
        assert_eq!(
            related.get(RelatedKind::IkePolicy, "ike-1"),
            Some(large),
            "read back as it was"
        );
        assert_eq!(related.bytes(), one + 999);
        // Another kind is another object.
        related.insert(RelatedKind::Subnet, small, "$").unwrap();
        assert_eq!(related.bytes(), 2 * one + 999);
    }
}
