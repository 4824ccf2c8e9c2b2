//! Providers: what each cloud's API bodies look like and how their objects
//! become the model. One folder per provider; [`ProviderKind`] is the
//! single list of providers, and the `match`es in this file (and in
//! `kind.rs` and `source.rs`) are the only dispatch.
//!
//! The provider-independent steps live beside it: the pre-shared key is
//! taken out and fingerprinted, then every secret-named key is redacted
//! (`redact.rs`), before a provider's normalizer ever sees the object; the
//! content hash (`content.rs`) decides whether a listing shows a change.
//! A fetch emits its bodies into a [`PageSink`] (`sink.rs`) and knows
//! nothing of the listing, the collector or the store.

pub mod body;
pub mod content;
pub mod fields;
pub mod huaweicloud;
mod kind;
mod listing_key;
pub mod offset_paging;
pub mod openstack;
mod page;
#[cfg(test)]
mod pinned;
mod redact;
mod sink;
mod source;
pub mod tencent;
pub mod tencent_legacy;
pub mod tencent_shared;
#[cfg(test)]
mod tests;
pub mod vocabulary;

use serde_json::Value;

pub use kind::{ProviderKind, volatile_paths};
pub use listing_key::{LISTING_KEY_BYTES, ListingKey, ListingKeyer};
pub use page::{
    CONTENT_HASH_BYTES, DecodeError, NormalizeContext, Normalized, Page, ProviderOutput, Related,
    RelatedKind, UndecodableBody, footprint as json_footprint, json_text,
};
pub use redact::{REDACTED, redact_secrets, redact_text, scrub};
#[cfg(test)]
pub(crate) use sink::VecSink;
pub use sink::{FetchContext, PageSink, SourceProgress};
pub use source::{SourceConfig, SourceSettings, TlsRoots, TlsSettings};

use crate::fingerprint::PskFingerprinter;
use crate::http::FetchError;
use crate::keys::{ConfigError, SourceKeys};
use content::{content_hash_of_text, stable_raw_json};
use redact::top_level_psk;

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

/// The key of the body that shows one connection, for kinds that have
/// such a request (both Tencent APIs answer every request with a list).
fn single_object_key(kind: ProviderKind) -> Option<&'static str> {
    match kind {
        ProviderKind::HuaweiCloud => Some(huaweicloud::SINGLE_OBJECT_KEY),
        ProviderKind::OpenStack => Some(openstack::SINGLE_OBJECT_KEY),
        ProviderKind::Tencent | ProviderKind::TencentLegacy => None,
    }
}

/// The kinds of referenced object whose mere presence in a listing a
/// normalizer reads (Huawei Cloud resolves gateways only when any were
/// collected), so that a listing key covers it.
fn presence_matters(kind: ProviderKind) -> &'static [RelatedKind] {
    match kind {
        ProviderKind::HuaweiCloud => &huaweicloud::gateways::KINDS,
        ProviderKind::OpenStack | ProviderKind::Tencent | ProviderKind::TencentLegacy => &[],
    }
}

/// The key of the top-level array that a list body of `kind` holds its
/// connections in, for kinds whose list bodies can be split without
/// parsing the connections (see [`crate::provider::ListingKeyer::of_text`]).
pub fn connection_list_key(kind: ProviderKind) -> Option<&'static str> {
    match kind {
        ProviderKind::HuaweiCloud => Some(huaweicloud::CONNECTIONS_KEY),
        ProviderKind::OpenStack => Some(openstack::CONNECTIONS_KEY),
        ProviderKind::Tencent | ProviderKind::TencentLegacy => None,
    }
}

/// Whether a body holds one connection (a "show" response) rather than a
/// listing: a listing made of such bodies is partial, and proves nothing
/// about the connections it does not contain. Any kind's show key counts,
/// whatever the body's kind: a body carrying a stray one proves nothing
/// either, and a partial listing is the safe reading.
pub fn is_single_object_body(body: &Value) -> bool {
    ProviderKind::ALL
        .into_iter()
        .filter_map(single_object_key)
        .any(|key| body.get(key).is_some())
}

/// Whether a body lists or shows connections, rather than only objects that
/// connections reference (OpenStack policies, vpnservices, endpoint groups,
/// subnets; Huawei Cloud customer gateways and VPN gateways): only such bodies make a listing, so that an empty list of
/// policies is never taken for an empty list of connections.
pub fn is_connection_body(kind: ProviderKind, body: &Value) -> bool {
    match kind {
        ProviderKind::OpenStack => openstack::is_connection_body(body),
        ProviderKind::HuaweiCloud => huaweicloud::is_connection_body(body),
        ProviderKind::Tencent | ProviderKind::TencentLegacy => true,
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
    let stable_raw_json = stable_raw_json(kind, &object);
    let mut output = match kind {
        ProviderKind::HuaweiCloud => huaweicloud::normalize(path, object, related, context)?,
        ProviderKind::OpenStack => openstack::normalize(path, object, related, context)?,
        ProviderKind::Tencent => tencent::normalize(path, object, context)?,
        ProviderKind::TencentLegacy => tencent_legacy::normalize(path, object, context)?,
    };
    output.connection.psk_fingerprint = psk_fingerprint;
    let related_json = output.related.as_ref().map(json_text);
    let content_hash = content_hash_of_text(
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

/// Reads the keys of `kind` from a `[[source]]` table: the one dispatch
/// from a kind to its settings.
pub fn read_settings(
    kind: ProviderKind,
    keys: &mut SourceKeys<'_>,
) -> Result<SourceSettings, ConfigError> {
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
    listing: &mut (dyn PageSink + Send),
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
