//! Assembling one source's listing from response bodies: its pages, and for
//! OpenStack the referenced objects, decoded, normalized and deduplicated
//! into what the store writes. Import feeds it files; collectors feed it
//! HTTP responses.
//!
//! A listing is complete, and so proves deletions, only when every
//! connection body in it is a list body; single-object ("show") bodies make
//! it partial.

use std::collections::HashMap;

use serde_json::Value;

use crate::fingerprint::PskFingerprinter;
use crate::provider::{
    self, DecodeError, NormalizeContext, Normalized, ProviderKind, Related, is_single_object_body,
};
use crate::store::{SourceOutcome, SourceResult};
use crate::time::Timestamp;

/// Why bodies do not make a listing; each names the body's origin (a file
/// or a URL).
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    #[error("{origin}: not a {kind} response body: {error}")]
    Decode {
        origin: String,
        kind: ProviderKind,
        error: DecodeError,
    },
    #[error(
        "{first} and {second} both hold connection {connection_id:?} with different content; \
         one listing holds each connection once"
    )]
    Conflict {
        first: String,
        second: String,
        connection_id: String,
    },
    #[error("no {kind} connections among the bodies, only referenced objects such as policies")]
    NoConnections { kind: ProviderKind },
}

/// Where a listing's connections come from and when it was taken.
#[derive(Debug, Clone, Copy)]
pub struct ListingContext<'a> {
    pub source: &'a str,
    pub kind: ProviderKind,
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub observed_at: Timestamp,
}

/// Collects the bodies of one listing; see the module docs.
#[derive(Debug)]
pub struct ListingBuilder {
    kind: ProviderKind,
    connections: Vec<(String, String, Value)>,
    related: Related,
    any_list: bool,
    any_single: bool,
}

impl ListingBuilder {
    pub fn new(kind: ProviderKind) -> ListingBuilder {
        ListingBuilder {
            kind,
            connections: Vec::new(),
            related: Related::default(),
            any_list: false,
            any_single: false,
        }
    }

    /// Adds one response body; `origin` names it in errors.
    pub fn add_body(&mut self, origin: &str, body: Value) -> Result<(), ListingError> {
        let decode_error = |error| ListingError::Decode {
            origin: origin.to_string(),
            kind: self.kind,
            error,
        };
        let single = is_single_object_body(&body);
        let page = provider::decode_page(self.kind, body).map_err(decode_error)?;
        if !page.connections.is_empty() || page.related.is_empty() {
            self.any_single |= single;
            self.any_list |= !single;
        }
        for (kind, path, object) in page.related {
            self.related
                .insert(kind, object, &path)
                .map_err(decode_error)?;
        }
        self.connections.extend(
            page.connections
                .into_iter()
                .map(|(path, object)| (origin.to_string(), path, object)),
        );
        Ok(())
    }

    /// Connections added so far.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// Normalizes everything added into one source result.
    pub fn finish(
        self,
        context: &ListingContext<'_>,
        fingerprinter: &PskFingerprinter,
    ) -> Result<SourceResult, ListingError> {
        if !self.any_list && !self.any_single {
            return Err(ListingError::NoConnections { kind: self.kind });
        }
        let normalize_context = NormalizeContext {
            source: context.source,
            region: context.region,
            account: context.account,
        };
        let mut items: Vec<Normalized> = Vec::with_capacity(self.connections.len());
        let mut found_in: HashMap<String, (usize, String)> = HashMap::new();
        let mut warnings = Vec::new();
        for (origin, path, object) in self.connections {
            let item = provider::normalize(
                self.kind,
                &path,
                object,
                &self.related,
                &normalize_context,
                fingerprinter,
            )
            .map_err(|error| ListingError::Decode {
                origin: origin.clone(),
                kind: self.kind,
                error,
            })?;
            warnings.extend(
                item.warnings
                    .iter()
                    .map(|warning| format!("{origin}: {warning}")),
            );
            let connection_id = item.connection.connection_id.clone();
            match found_in.get(&connection_id) {
                Some((index, first)) => {
                    if items[*index].content_hash != item.content_hash {
                        return Err(ListingError::Conflict {
                            first: first.clone(),
                            second: origin,
                            connection_id,
                        });
                    }
                }
                None => {
                    found_in.insert(connection_id, (items.len(), origin));
                    items.push(item);
                }
            }
        }
        let outcome = if self.any_single {
            SourceOutcome::Partial(items)
        } else {
            SourceOutcome::Complete(items)
        };
        Ok(SourceResult {
            source: context.source.to_string(),
            provider: self.kind,
            observed_at: context.observed_at,
            outcome,
            warnings,
        })
    }
}
