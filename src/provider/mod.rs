//! Providers: what each cloud's API bodies look like and how their objects
//! become the model. One file per provider; [`ProviderKind`] is the single
//! list of providers, and the `match`es in this file are the only dispatch.
//!
//! The provider-independent steps live here: the pre-shared key is taken out
//! and fingerprinted, then every secret-named key is redacted, before a
//! provider's normalizer ever sees the object.

pub mod body;
pub mod fields;
pub mod huaweicloud;
pub mod offset_paging;
pub mod openstack;
#[cfg(test)]
mod pinned;
pub mod tencent;
pub mod tencent_legacy;
pub mod tencent_shared;
pub mod vocabulary;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::collector::FetchContext;
use crate::content::{self, CONTENT_HASH_BYTES};
use crate::fingerprint::PskFingerprinter;
use crate::http::FetchError;
use crate::listing::ListingBuilder;
use crate::model::Connection;

/// The kinds of source vpnsnap can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderKind {
    /// Huawei Cloud VPN, API v5.
    HuaweiCloud,
    /// OpenStack Neutron VPNaaS v2.0.
    OpenStack,
    /// Tencent Cloud VPC API 3.0 (`DescribeVpnConnections`).
    Tencent,
    /// Tencent Cloud legacy VPC API v2 (`DescribeVpnConn`).
    TencentLegacy,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::HuaweiCloud,
        ProviderKind::OpenStack,
        ProviderKind::Tencent,
        ProviderKind::TencentLegacy,
    ];

    /// The name used in the config (`kind = "..."`), the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::HuaweiCloud => "huaweicloud",
            ProviderKind::OpenStack => "openstack",
            ProviderKind::Tencent => "tencent",
            ProviderKind::TencentLegacy => "tencent-legacy",
        }
    }

    /// The kinds' names joined for messages: `huaweicloud | openstack | ...`.
    pub fn names() -> String {
        ProviderKind::ALL.map(ProviderKind::as_str).join(" | ")
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProviderKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ProviderKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| format!("unknown kind {name:?} (expected {})", ProviderKind::names()))
    }
}

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

/// Kinds of objects a connection can reference by id (OpenStack), directly
/// or, for subnets, through its endpoint group or vpnservice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelatedKind {
    IkePolicy,
    IpsecPolicy,
    VpnService,
    EndpointGroup,
    /// A Neutron subnet (`{"id", "cidr"}`), named by a `subnet` endpoint
    /// group's endpoints or a vpnservice's `subnet_id`.
    Subnet,
}

/// Objects collected alongside the connections and referenced by id,
/// already redacted.
#[derive(Debug, Default, Clone)]
pub struct Related {
    objects: HashMap<(RelatedKind, String), Value>,
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
        self.objects.insert((kind, id), object);
        Ok(())
    }

    pub fn get(&self, kind: RelatedKind, id: &str) -> Option<&Value> {
        self.objects.get(&(kind, id.to_string()))
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    pub fn len(&self) -> usize {
        self.objects.len()
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

/// Reads a response body of `kind`: any list or single-object body the
/// provider returns for connections (and, for OpenStack, the policy,
/// vpnservice, endpoint-group and subnet bodies).
pub fn decode_page(kind: ProviderKind, body: Value) -> Result<Page, DecodeError> {
    match kind {
        ProviderKind::HuaweiCloud => huaweicloud::decode_page(body),
        ProviderKind::OpenStack => openstack::decode_page(body),
        ProviderKind::Tencent => tencent::decode_page(body),
        ProviderKind::TencentLegacy => tencent_legacy::decode_page(body),
    }
}

/// Whether a body holds one connection (a "show" response) rather than a
/// listing: a listing made of such bodies is partial, and proves nothing
/// about the connections it does not contain.
pub fn is_single_object_body(body: &Value) -> bool {
    ["vpn_connection", "ipsec_site_connection"]
        .iter()
        .any(|key| body.get(key).is_some())
}

/// Whether a body lists or shows connections, rather than only objects that
/// connections reference (OpenStack policies, vpnservices, endpoint groups,
/// subnets): only such bodies make a listing, so that an empty list of
/// policies is never taken for an empty list of connections.
pub fn is_connection_body(kind: ProviderKind, body: &Value) -> bool {
    match kind {
        ProviderKind::OpenStack => openstack::is_connection_body(body),
        ProviderKind::HuaweiCloud | ProviderKind::Tencent | ProviderKind::TencentLegacy => true,
    }
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
    /// See [`crate::content`]: equal hashes mean no new version.
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

/// Normalizes one connection object of `kind` found at `path` in its body.
pub fn normalize(
    kind: ProviderKind,
    path: &str,
    mut object: Value,
    related: &Related,
    context: &NormalizeContext<'_>,
    fingerprinter: &PskFingerprinter,
) -> Result<Normalized, DecodeError> {
    if !object.is_object() {
        return Err(DecodeError::new(path, "expected a connection object"));
    }
    let psk_fingerprint = top_level_psk(&object).map(|psk| fingerprinter.fingerprint(psk));
    redact_secrets(&mut object);
    // The text is taken before the normalizer consumes the object.
    let raw_json = json_text(&object);
    let stable_raw_json = content::stable_raw_json(kind, &object);
    let mut output = match kind {
        ProviderKind::HuaweiCloud => huaweicloud::normalize(path, object, context)?,
        ProviderKind::OpenStack => openstack::normalize(path, object, related, context)?,
        ProviderKind::Tencent => tencent::normalize(path, object, context)?,
        ProviderKind::TencentLegacy => tencent_legacy::normalize(path, object, context)?,
    };
    output.connection.psk_fingerprint = psk_fingerprint;
    let related_json = output.related.as_ref().map(json_text);
    let content_hash = content::content_hash_of_text(
        &output.connection,
        stable_raw_json.as_deref().unwrap_or(&raw_json),
        related_json.as_deref(),
    );
    Ok(Normalized {
        connection: output.connection,
        raw_json,
        related_json,
        content_hash,
        unmapped_json: json_text(&output.unmapped),
        unmapped_related_json: json_text(&output.unmapped_related),
        warnings: output.warnings,
    })
}

/// `value` as compact JSON text, the same text as `Value::to_string` but
/// written straight into a buffer rather than through `fmt` (several times
/// faster on the ingest path).
pub fn json_text(value: &Value) -> String {
    // A `Value` always serializes (its keys are strings); the fallback
    // writes the same text.
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

/// Fields of a connection object that change on every call without anything
/// having changed (session durations, message counters, request ids): they
/// are kept in the stored raw JSON of a version but never make a new one.
pub fn volatile_paths(kind: ProviderKind) -> &'static [&'static str] {
    match kind {
        // The one list: the normalizer drops the same paths from its
        // unmapped remainder. Both spellings of the BGP message counters
        // are listed (`num_message_*` as the API sends them).
        ProviderKind::HuaweiCloud => &[
            "request_id",
            "bgp_peer.state_duration",
            "bgp_peer.num_message_received",
            "bgp_peer.num_message_sent",
            "bgp_peer.received_messages",
            "bgp_peer.sent_messages",
            "bgp_peer.received_updates",
            "bgp_peer.sent_updates",
        ],
        ProviderKind::OpenStack => &[],
        ProviderKind::Tencent => &["RequestId"],
        ProviderKind::TencentLegacy => &[],
    }
}

/// The replacement for every secret value kept in raw JSON.
pub const REDACTED: &str = "[redacted]";

/// Key names (compared case-insensitively, ignoring `_` and `-`) whose
/// values are secrets: `psk`, `preSharedKey`, `PreShareKey`, ...
fn is_secret_key(key: &str) -> bool {
    const SECRET_KEYS: [&[u8]; 3] = [b"psk", b"presharedkey", b"presharekey"];
    if !key.is_ascii() {
        // Some non-ASCII letters lowercase to ASCII ones (the Kelvin sign to
        // `k`): fold by Unicode rules, allocating, for these rare keys only.
        let folded: String = key
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        return SECRET_KEYS.contains(&folded.as_bytes());
    }
    // Called for every key of every object: compare without allocating.
    let folded = key
        .bytes()
        .filter(|byte| *byte != b'_' && *byte != b'-')
        .map(|byte| byte.to_ascii_lowercase());
    SECRET_KEYS
        .iter()
        .any(|secret| folded.clone().eq(secret.iter().copied()))
}

/// The connection's own pre-shared key, if it has a non-empty one.
fn top_level_psk(object: &Value) -> Option<&str> {
    object
        .as_object()?
        .iter()
        .find_map(|(key, value)| match value {
            Value::String(psk) if is_secret_key(key) && !psk.is_empty() => Some(psk.as_str()),
            _ => None,
        })
}

/// Replaces the value of every secret-named key, at any depth, by `"[redacted]"`.
pub fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if is_secret_key(key) {
                    if !child.is_null() {
                        *child = Value::from(REDACTED);
                    }
                } else {
                    redact_secrets(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// Helpers the normalizers' unit tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use serde_json::Value;

    use super::{NormalizeContext, Normalized, ProviderKind, Related, normalize};
    use crate::fingerprint::PskFingerprinter;

    /// Normalizes every connection of a decoded page through [`normalize`],
    /// as a listing would.
    pub fn normalize_all(
        kind: ProviderKind,
        connections: Vec<(String, Value)>,
        related: &Related,
        context: &NormalizeContext<'_>,
    ) -> Vec<Normalized> {
        let fingerprinter = PskFingerprinter::new(b"test");
        connections
            .into_iter()
            .map(|(path, object)| {
                normalize(kind, &path, object, related, context, &fingerprinter)
                    .unwrap_or_else(|error| panic!("{path}: {error}"))
            })
            .collect()
    }

    /// `Some` of the items as owned strings, for list fields.
    pub fn strings(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|item| item.to_string()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth_and_case() {
        let mut body = json!({
            "psk": "a", "PSK": "b", "nested": [{"preSharedKey": "c", "PreShareKey": "d", "pre_shared_key": "e"}],
            "name": "psk"
        });
        redact_secrets(&mut body);
        assert_eq!(
            body,
            json!({
                "psk": REDACTED, "PSK": REDACTED,
                "nested": [{"preSharedKey": REDACTED, "PreShareKey": REDACTED, "pre_shared_key": REDACTED}],
                "name": "psk"
            })
        );
    }

    #[test]
    fn huawei_bgp_counters_change_neither_the_hash_nor_the_unmapped_fields() {
        let bgp = |received: u64, duration: &str| {
            json!({"id": "c1", "status": "ACTIVE", "style": "BGP", "bgp_peer": {
                "peer_ip_address": "169.254.70.2", "state": "Established",
                "state_duration": duration, "num_message_received": received,
                "num_message_sent": received, "num_received_routes": 2
            }})
        };
        let context = NormalizeContext {
            source: "hw",
            region: None,
            account: None,
        };
        let fingerprinter = PskFingerprinter::new(b"test");
        let normalized = |object| {
            normalize(
                ProviderKind::HuaweiCloud,
                "$",
                object,
                &Related::default(),
                &context,
                &fingerprinter,
            )
            .unwrap()
        };
        let first = normalized(bgp(18231, "3d 4h"));
        let later = normalized(bgp(18999, "3d 5h"));
        assert_eq!(first.content_hash, later.content_hash);
        assert_eq!(
            later.unmapped_value(),
            json!({"bgp_peer": {"peer_ip_address": "169.254.70.2", "state": "Established",
                                "num_received_routes": 2}})
        );
        let routes_changed = normalized(json!({"id": "c1", "status": "ACTIVE", "style": "BGP",
            "bgp_peer": {"peer_ip_address": "169.254.70.2", "state": "Established",
                         "num_received_routes": 3}}));
        assert_ne!(first.content_hash, routes_changed.content_hash);
    }

    #[test]
    fn secret_key_names_fold_case_dashes_and_underscores() {
        for key in [
            "psk",
            "PSK",
            "pre_shared_key",
            "Pre-Shared-Key",
            "PreShareKey",
            "PS\u{212A}",
        ] {
            assert!(is_secret_key(key), "{key:?}");
        }
        for key in ["pskid", "ps", "preshared", "shared_key", "p\u{e9}sk", ""] {
            assert!(!is_secret_key(key), "{key:?}");
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in ProviderKind::ALL {
            assert_eq!(kind.as_str().parse::<ProviderKind>(), Ok(kind));
        }
        assert!("aws".parse::<ProviderKind>().is_err());
    }
}

/// A source's own keys, by kind: what its `[[source]]` table says beyond
/// `name`, `kind`, `region` and `endpoint`.
#[derive(Debug, Clone)]
pub enum SourceSettings {
    HuaweiCloud(huaweicloud::Settings),
    OpenStack(openstack::Settings),
    Tencent(tencent::Settings),
    TencentLegacy(tencent_legacy::Settings),
}

/// Reads the keys of `kind` from a `[[source]]` table: the one dispatch
/// from a kind to its settings.
pub fn read_settings(
    kind: ProviderKind,
    keys: &mut crate::config::SourceKeys<'_>,
) -> Result<SourceSettings, crate::config::ConfigError> {
    Ok(match kind {
        ProviderKind::HuaweiCloud => {
            SourceSettings::HuaweiCloud(huaweicloud::settings::read(keys)?)
        }
        ProviderKind::OpenStack => SourceSettings::OpenStack(openstack::settings::read(keys)?),
        ProviderKind::Tencent => SourceSettings::Tencent(tencent::settings::read(keys)?),
        ProviderKind::TencentLegacy => {
            SourceSettings::TencentLegacy(tencent_legacy::settings::read(keys)?)
        }
    })
}

/// Lists every connection of the configured source into `listing`, with the
/// kind's protocol: authentication, signing, paging and error bodies.
pub async fn fetch(
    context: &FetchContext<'_>,
    listing: &mut ListingBuilder,
) -> Result<(), FetchError> {
    match &context.source.settings {
        SourceSettings::HuaweiCloud(settings) => {
            huaweicloud::fetch(context, settings, listing).await
        }
        SourceSettings::OpenStack(settings) => openstack::fetch(context, settings, listing).await,
        SourceSettings::Tencent(settings) => tencent::fetch(context, settings, listing).await,
        SourceSettings::TencentLegacy(settings) => {
            tencent_legacy::fetch(context, settings, listing).await
        }
    }
}

/// The source's extra trusted CA certificates, for kinds that have them.
pub fn ca_file(settings: &SourceSettings) -> Option<&std::path::Path> {
    match settings {
        SourceSettings::OpenStack(settings) => settings.ca_file.as_deref(),
        SourceSettings::HuaweiCloud(_)
        | SourceSettings::Tencent(_)
        | SourceSettings::TencentLegacy(_) => None,
    }
}

impl SourceSettings {
    /// The kind these settings belong to.
    pub fn kind(&self) -> ProviderKind {
        match self {
            SourceSettings::HuaweiCloud(_) => ProviderKind::HuaweiCloud,
            SourceSettings::OpenStack(_) => ProviderKind::OpenStack,
            SourceSettings::Tencent(_) => ProviderKind::Tencent,
            SourceSettings::TencentLegacy(_) => ProviderKind::TencentLegacy,
        }
    }

    /// The endpoint used when none is configured (`None`: OpenStack takes
    /// it from the service catalog).
    pub fn default_endpoint(&self, region: &str) -> Option<String> {
        match self {
            SourceSettings::HuaweiCloud(_) => Some(huaweicloud::settings::default_endpoint(region)),
            SourceSettings::OpenStack(_) => None,
            SourceSettings::Tencent(_) => Some(tencent::settings::default_endpoint(region)),
            SourceSettings::TencentLegacy(_) => {
                Some(tencent_legacy::settings::default_endpoint(region))
            }
        }
    }

    /// The account the source's connections belong to, if its keys name one.
    pub fn account(&self) -> Option<&str> {
        match self {
            SourceSettings::HuaweiCloud(settings) => settings.account(),
            SourceSettings::OpenStack(settings) => settings.account(),
            SourceSettings::Tencent(settings) => settings.account(),
            SourceSettings::TencentLegacy(settings) => settings.account(),
        }
    }

    /// Writes the keys for `vpnsnap config check`, secrets masked.
    pub fn describe(&self, out: &mut String) {
        match self {
            SourceSettings::HuaweiCloud(settings) => settings.describe(out),
            SourceSettings::OpenStack(settings) => settings.describe(out),
            SourceSettings::Tencent(settings) => settings.describe(out),
            SourceSettings::TencentLegacy(settings) => settings.describe(out),
        }
    }
}
