//! The bodies of one listing as they are processed: decoded, their
//! referenced objects kept, their connections normalized (as each body
//! comes, or all at the end) and deduplicated by id.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use super::{Listed, ListingContext, ListingError, SourceOutcome, SourceResult, Spool};
use crate::fingerprint::PskFingerprinter;
use crate::provider::{
    self, CONTENT_HASH_BYTES, NormalizeContext, ProviderKind, Related, UndecodableBody,
    is_connection_body, is_single_object_body,
};

/// What the normalizer thread is asked to do, in order.
pub(super) enum Message {
    Body { origin: String, body: Value },
    Reset,
}

/// The bodies of one listing, decoded, and normalized as they come or at
/// the end.
#[derive(Debug)]
pub(super) struct Bodies {
    kind: ProviderKind,
    /// Connections waiting for [`ListingBuilder::finish`] to normalize them.
    connections: Vec<(String, String, Value)>,
    /// Set when connections are normalized as their pages come.
    eager: Option<Eager>,
    /// Connection objects added so far (shared with the builder).
    added: Arc<AtomicUsize>,
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
            .map_err(|error| UndecodableBody {
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

impl Bodies {
    pub(super) fn new(kind: ProviderKind, added: Arc<AtomicUsize>) -> Bodies {
        Bodies {
            kind,
            connections: Vec::new(),
            eager: None,
            added,
            related: Related::default(),
            any_list: false,
            any_single: false,
        }
    }

    /// Bodies whose connections are normalized and spooled as they come.
    pub(super) fn normalizing(
        context: &ListingContext<'_>,
        fingerprinter: PskFingerprinter,
        added: Arc<AtomicUsize>,
    ) -> Result<Bodies, ListingError> {
        let mut bodies = Bodies::new(context.kind, added);
        bodies.eager = Some(Eager {
            source: context.source.to_string(),
            region: context.region.map(str::to_string),
            account: context.account.map(str::to_string),
            fingerprinter,
            normalized: Normalizing::new(Listed::Spooled(Spool::new()?)),
            error: None,
        });
        Ok(bodies)
    }

    pub(super) fn process(&mut self, message: Message) -> Result<(), ListingError> {
        match message {
            Message::Body { origin, body } => self.add_body(&origin, body),
            Message::Reset => self.reset(),
        }
    }

    fn add_body(&mut self, origin: &str, body: Value) -> Result<(), ListingError> {
        let decode_error = |error| UndecodableBody {
            origin: origin.to_string(),
            kind: self.kind,
            error,
        };
        let single = is_single_object_body(self.kind, &body);
        let connection_body = is_connection_body(self.kind, &body);
        let page = provider::decode_page(self.kind, body).map_err(decode_error)?;
        if connection_body {
            self.any_single |= single;
            self.any_list |= !single;
        }
        for (kind, path, object) in page.related {
            self.related
                .insert(kind, object, &path)
                .map_err(decode_error)?;
        }
        self.added
            .fetch_add(page.connections.len(), Ordering::Relaxed);
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

    fn reset(&mut self) -> Result<(), ListingError> {
        self.connections.clear();
        self.added.store(0, Ordering::Relaxed);
        self.related = Related::default();
        self.any_list = false;
        self.any_single = false;
        if let Some(eager) = &mut self.eager {
            eager.normalized = Normalizing::new(Listed::Spooled(Spool::new()?));
            eager.error = None;
        }
        Ok(())
    }

    pub(super) fn finish(
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
