//! A connection object's listing key: what lets a listing pass over an
//! object unchanged since its stored version without normalizing it.
//!
//! The key is an HMAC-SHA256, under the database's PSK fingerprint key, of
//! everything a normalized connection depends on: the normalizer version,
//! the provider kind and the source's context, the object as received, and
//! the referenced objects it names ([`Related`]). Equal keys therefore mean
//! an equal normalized connection, and the store keeps the key of each
//! connection's latest version. The object is hashed before redaction, so
//! the key is keyed like a PSK fingerprint: without the key, it tells
//! nothing of the pre-shared key inside.
//!
//! Two spellings of an object hash differently: the text as received
//! ([`ListingKeyer::of_text`], for saved files and OpenStack's connection
//! pages) and the parsed value serialized ([`ListingKeyer::of_value`], for
//! other HTTP bodies). A key that
//! differs only costs a normalization, which then finds the content equal.
//! An object holding one of its kind's volatile members (session
//! durations, counters; [`ListingKeyer::has_volatile`]) is to be stored
//! with its value key, which leaves them out: its text key changes with
//! them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::Write;

use hmac::{Hmac, Mac};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::Sha256;

use super::fields::remove;
use super::kind::{ProviderKind, volatile_paths};
use super::page::{NormalizeContext, Related, RelatedKind};
use crate::fingerprint::PskFingerprinter;
use crate::model::NORMALIZER_VERSION;

/// Bytes of the HMAC kept: ample to tell one connection's versions apart.
pub const LISTING_KEY_BYTES: usize = 16;

/// A connection object's listing key; see the module docs.
pub type ListingKey = [u8; LISTING_KEY_BYTES];

/// Marks a part absent; a present part is marked by [`PRESENT`] and its
/// length, so that no two sequences of parts hash alike.
const ABSENT: u8 = 0;
const PRESENT: u8 = 1;

/// Computes the listing keys of one source's listing.
#[derive(Clone)]
pub struct ListingKeyer {
    kind: ProviderKind,
    /// Keyed, with the normalizer version, kind and context absorbed.
    prefix: Hmac<Sha256>,
}

impl fmt::Debug for ListingKeyer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListingKeyer")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl ListingKeyer {
    pub fn new(
        kind: ProviderKind,
        context: &NormalizeContext<'_>,
        fingerprinter: &PskFingerprinter,
    ) -> ListingKeyer {
        let mut prefix = fingerprinter.mac_for(b"vpnsnap listing key");
        let version = NORMALIZER_VERSION.to_string();
        for part in [
            Some(version.as_str()),
            Some(kind.as_str()),
            Some(context.source),
            context.region,
            context.account,
        ] {
            match part {
                Some(part) => absorb(&mut prefix, part.as_bytes()),
                None => prefix.update(&[ABSENT]),
            }
        }
        ListingKeyer { kind, prefix }
    }

    /// The key of a connection object's JSON text as received; `None` when
    /// the text is not an object. To be stored only for an object without
    /// volatile members ([`ListingKeyer::has_volatile`]).
    pub fn of_text(&self, text: &str, related: &Related) -> Option<ListingKey> {
        if !text.trim_start().starts_with('{') {
            return None;
        }
        let strings = if related.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str::<TopLevelStrings>(text).ok()?.0
        };
        let mut mac = self.prefix.clone();
        absorb(&mut mac, b"text");
        absorb(&mut mac, text.as_bytes());
        self.add_related(&mut mac, strings.iter().map(|text| text.as_ref()), related);
        Some(finish(mac))
    }

    /// Whether `object` holds any of its kind's volatile members.
    pub fn has_volatile(&self, object: &Value) -> bool {
        volatile_paths(self.kind)
            .iter()
            .any(|path| super::fields::lookup(object, path).is_some())
    }

    /// The key of a parsed connection object, without its kind's volatile
    /// members.
    pub fn of_value(&self, object: &Value, related: &Related) -> ListingKey {
        let volatile = volatile_paths(self.kind);
        let stable = if self.has_volatile(object) {
            let mut stable = object.clone();
            for path in volatile {
                remove(&mut stable, path);
            }
            Cow::Owned(stable)
        } else {
            Cow::Borrowed(object)
        };
        let mut mac = self.prefix.clone();
        absorb(&mut mac, b"value");
        // Without its length: serialized JSON is self-delimiting (no JSON
        // text is the start of another), and serializing a Value cannot
        // fail.
        let _ = serde_json::to_writer(MacWriter(&mut mac), stable.as_ref());
        let strings = match stable.as_ref() {
            Value::Object(map) if !related.is_empty() => {
                map.values().filter_map(Value::as_str).collect::<Vec<_>>()
            }
            _ => Vec::new(),
        };
        self.add_related(&mut mac, strings.into_iter(), related);
        finish(mac)
    }

    /// Absorbs the referenced objects the connection can read: those named
    /// by its top-level string members, and those they name in turn (an
    /// OpenStack vpnservice's subnet, an endpoint group's subnets); and,
    /// for kinds whose normalizer asks whether any object of a kind was
    /// collected at all, the answer.
    fn add_related<'a>(
        &self,
        mac: &mut Hmac<Sha256>,
        strings: impl Iterator<Item = &'a str>,
        related: &Related,
    ) {
        for kind in super::presence_matters(self.kind) {
            mac.update(&[u8::from(related.has_any(*kind))]);
        }
        if related.is_empty() {
            return;
        }
        // Each object once, however often it is named.
        let mut absorbed: HashSet<(RelatedKind, &str)> = HashSet::new();
        let mut named = Vec::new();
        for id in strings {
            absorb_named(mac, id, related, &mut absorbed, &mut named);
        }
        for text in named {
            let Ok(object) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            let mut strings = Vec::new();
            strings_in(&object, &mut strings);
            for id in strings {
                absorb_named(mac, id, related, &mut absorbed, &mut Vec::new());
            }
        }
    }
}

/// Absorbs the objects `id` names that are not absorbed yet, adding their
/// texts to `named`. A normalizer trims some ids before it looks them up
/// (an endpoint group's subnets), so the trimmed id counts too.
fn absorb_named<'r>(
    mac: &mut Hmac<Sha256>,
    id: &str,
    related: &'r Related,
    absorbed: &mut HashSet<(RelatedKind, &'r str)>,
    named: &mut Vec<&'r str>,
) {
    let trimmed = id.trim();
    let candidates = std::iter::once(id).chain((trimmed != id).then_some(trimmed));
    for candidate in candidates {
        for (kind, text) in related.named(candidate) {
            if absorbed.insert((kind, text)) {
                mac.update(&[kind_tag(kind)]);
                absorb(mac, candidate.as_bytes());
                absorb(mac, text.as_bytes());
                named.push(text);
            }
        }
    }
}

/// One byte per kind, its place in [`RelatedKind::ALL`].
fn kind_tag(kind: RelatedKind) -> u8 {
    RelatedKind::ALL
        .iter()
        .position(|each| *each == kind)
        .map_or(u8::MAX, |index| index as u8)
}

/// Absorbs one present part with its length.
fn absorb(mac: &mut Hmac<Sha256>, bytes: &[u8]) {
    mac.update(&[PRESENT]);
    mac.update(&(bytes.len() as u64).to_le_bytes());
    mac.update(bytes);
}

fn finish(mac: Hmac<Sha256>) -> ListingKey {
    let digest = mac.finalize().into_bytes();
    let mut key = [0u8; LISTING_KEY_BYTES];
    key.copy_from_slice(&digest[..LISTING_KEY_BYTES]);
    key
}

/// Every string inside `value`, at any depth.
fn strings_in<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => found.push(text),
        Value::Array(items) => items.iter().for_each(|item| strings_in(item, found)),
        Value::Object(map) => map.values().for_each(|item| strings_in(item, found)),
        _ => {}
    }
}

struct MacWriter<'a>(&'a mut Hmac<Sha256>);

impl Write for MacWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The values of a JSON object's top-level string members, borrowed from
/// its text where they have no escapes; other members are skipped unread.
struct TopLevelStrings<'a>(Vec<Cow<'a, str>>);

impl<'de> Deserialize<'de> for TopLevelStrings<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevelStrings<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = Vec::new();
        while map.next_key::<IgnoredAny>()?.is_some() {
            if let Member::Text(text) = map.next_value::<Member<'de>>()? {
                found.push(text);
            }
        }
        Ok(TopLevelStrings(found))
    }
}

/// One member's value: its text if it is a string, else skipped.
enum Member<'a> {
    Text(Cow<'a, str>),
    Other,
}

impl<'de> Deserialize<'de> for Member<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MemberVisitor)
    }
}

struct MemberVisitor;

impl<'de> Visitor<'de> for MemberVisitor {
    type Value = Member<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Member::Text(Cow::Borrowed(text)))
    }

    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Member::Text(Cow::Owned(text.to_string())))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Member::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Member::Other)
    }
}

#[cfg(test)]
mod tests;
