//! Assembling one source's listing from response bodies: its pages, and for
//! OpenStack the referenced objects, decoded, normalized and deduplicated
//! into what the store writes. Import feeds it files; collectors feed it
//! HTTP responses.
//!
//! A listing is complete, and so proves deletions, only when every
//! connection body in it is a list body; single-object ("show") bodies make
//! it partial.
//!
//! A builder made with [`ListingBuilder::normalizing`] normalizes each
//! page's connections as the page is added and streams them into an
//! on-disk [`Spool`], so a collection holds neither the pages' JSON nor the
//! normalized connections in memory. Its caller adds the objects a page
//! references (OpenStack's policies, vpnservices, endpoint groups) before
//! the page, as the OpenStack collector does. Either way the outcome, its
//! order and its first error are the same.

use std::collections::HashMap;

use serde_json::Value;

use crate::content::CONTENT_HASH_BYTES;
use crate::fingerprint::PskFingerprinter;
use crate::provider::{
    self, DecodeError, NormalizeContext, ProviderKind, Related, is_single_object_body,
};
use crate::store::{Listed, SourceOutcome, SourceResult, Spool, StoreError};
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
    #[error("keeping the listing in its temporary spool: {0}")]
    Spool(#[from] StoreError),
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
    /// Connections waiting for [`ListingBuilder::finish`] to normalize them.
    connections: Vec<(String, String, Value)>,
    /// Set when connections are normalized as their pages come.
    eager: Option<Eager>,
    /// Connection objects added so far, normalized or not.
    added: usize,
    related: Related,
    any_list: bool,
    any_single: bool,
}

/// What normalizing a page as it comes needs, and what it has made so far.
#[derive(Debug)]
struct Eager {
    source: String,
    region: Option<String>,
    account: Option<String>,
    fingerprinter: PskFingerprinter,
    normalized: Normalizing,
    /// The first normalize error or conflict, returned by `finish` as it
    /// would have been had everything been normalized there.
    error: Option<ListingError>,
}

/// The connections normalized so far, each id once.
#[derive(Debug)]
struct Normalizing {
    listed: Listed,
    /// Per connection id: its content hash and the body it came from (an
    /// index into `origins`), to tell a repeat from a conflict.
    found_in: HashMap<String, ([u8; CONTENT_HASH_BYTES], usize)>,
    origins: Vec<String>,
    warnings: Vec<String>,
}

impl Normalizing {
    fn new(listed: Listed) -> Normalizing {
        Normalizing {
            listed,
            found_in: HashMap::new(),
            origins: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Normalizes one connection object and adds it unless the listing
    /// already holds the same content under its id.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        kind: ProviderKind,
        origin: &str,
        path: &str,
        object: Value,
        related: &Related,
        context: &NormalizeContext<'_>,
        fingerprinter: &PskFingerprinter,
    ) -> Result<(), ListingError> {
        let item = provider::normalize(kind, path, object, related, context, fingerprinter)
            .map_err(|error| ListingError::Decode {
                origin: origin.to_string(),
                kind,
                error,
            })?;
        self.warnings.extend(
            item.warnings
                .iter()
                .map(|warning| format!("{origin}: {warning}")),
        );
        let connection_id = item.connection.connection_id.clone();
        match self.found_in.get(&connection_id) {
            Some((hash, first)) => {
                if *hash != item.content_hash {
                    return Err(ListingError::Conflict {
                        first: self.origins[*first].clone(),
                        second: origin.to_string(),
                        connection_id,
                    });
                }
            }
            None => {
                if self.origins.last().map(String::as_str) != Some(origin) {
                    self.origins.push(origin.to_string());
                }
                let origin_index = self.origins.len() - 1;
                self.found_in
                    .insert(connection_id, (item.content_hash, origin_index));
                self.listed.push(item)?;
            }
        }
        Ok(())
    }
}

impl ListingBuilder {
    /// A builder that normalizes everything in [`ListingBuilder::finish`].
    pub fn new(kind: ProviderKind) -> ListingBuilder {
        ListingBuilder {
            kind,
            connections: Vec::new(),
            eager: None,
            added: 0,
            related: Related::default(),
            any_list: false,
            any_single: false,
        }
    }

    /// A builder that normalizes each page's connections as the page is
    /// added, with the referenced objects added before it, for the source
    /// `context` describes; `finish` must be given the same context.
    pub fn normalizing(
        context: &ListingContext<'_>,
        fingerprinter: PskFingerprinter,
    ) -> Result<ListingBuilder, ListingError> {
        let mut builder = ListingBuilder::new(context.kind);
        builder.eager = Some(Eager {
            source: context.source.to_string(),
            region: context.region.map(str::to_string),
            account: context.account.map(str::to_string),
            fingerprinter,
            normalized: Normalizing::new(Listed::Spooled(Spool::new()?)),
            error: None,
        });
        Ok(builder)
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
        self.added += page.connections.len();
        match &mut self.eager {
            Some(eager) => {
                let context = NormalizeContext {
                    source: &eager.source,
                    region: eager.region.as_deref(),
                    account: eager.account.as_deref(),
                };
                for (path, object) in page.connections {
                    if eager.error.is_some() {
                        break;
                    }
                    if let Err(error) = eager.normalized.add(
                        self.kind,
                        origin,
                        &path,
                        object,
                        &self.related,
                        &context,
                        &eager.fingerprinter,
                    ) {
                        eager.error = Some(error);
                    }
                }
            }
            None => self.connections.extend(
                page.connections
                    .into_iter()
                    .map(|(path, object)| (origin.to_string(), path, object)),
            ),
        }
        Ok(())
    }

    /// Discards everything added so far (a listing that has to be taken
    /// again from the start).
    pub fn reset(&mut self) -> Result<(), ListingError> {
        self.connections.clear();
        self.added = 0;
        self.related = Related::default();
        self.any_list = false;
        self.any_single = false;
        if let Some(eager) = &mut self.eager {
            eager.normalized = Normalizing::new(Listed::Spooled(Spool::new()?));
            eager.error = None;
        }
        Ok(())
    }

    /// Connections added so far.
    pub fn connection_count(&self) -> usize {
        self.added
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
        let mut normalized = match self.eager {
            Some(Eager {
                error: Some(error), ..
            }) => return Err(error),
            Some(eager) => eager.normalized,
            None => Normalizing::new(Listed::Memory(Vec::with_capacity(self.connections.len()))),
        };
        for (origin, path, object) in self.connections {
            normalized.add(
                self.kind,
                &origin,
                &path,
                object,
                &self.related,
                &normalize_context,
                fingerprinter,
            )?;
        }
        let Normalizing {
            listed, warnings, ..
        } = normalized;
        let outcome = if self.any_single {
            SourceOutcome::Partial(listed)
        } else {
            SourceOutcome::Complete(listed)
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
