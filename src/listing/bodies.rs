//! The bodies of one listing as they are processed: decoded, their
//! referenced objects kept, their connections normalized (as each body
//! comes, or all at the end) and deduplicated by id.

use std::collections::HashMap;

use serde_json::Value;

use super::{Listed, ListingContext, ListingError, SourceOutcome, SourceResult, Spool};
use crate::provider::{
    self, CONTENT_HASH_BYTES, Related, RelatedKind, UndecodableBody, is_connection_body,
    is_single_object_body,
};

/// What the normalizer thread is asked to do, in order.
pub(super) enum Message {
    /// `size`: the body's estimated memory, held in flight until processed.
    Body {
        origin: String,
        body: Value,
        size: usize,
    },
    Reset,
}

impl Message {
    /// The memory a body holds in flight (none for a reset).
    pub(super) fn size(&self) -> usize {
        match self {
            Message::Body { size, .. } => *size,
            Message::Reset => 0,
        }
    }
}

/// The bodies of one listing, decoded, and normalized as they come or at
/// the end.
#[derive(Debug)]
pub(super) struct Bodies {
    context: ListingContext,
    /// When the connections are normalized, and what is kept until then.
    when: When,
    related: Related,
    /// Bodies taken, resets included (a relisting costs requests too).
    pages: u64,
    /// Connection objects taken since the last reset.
    connections: u64,
    /// Referenced objects taken since the last reset, by kind.
    related_counts: HashMap<RelatedKind, u64>,
    any_list: bool,
    any_single: bool,
}

/// When a listing's connections are normalized.
#[derive(Debug)]
enum When {
    /// In `finish`: the connections wait, each with its origin and path.
    AtFinish(Vec<(String, String, Value)>),
    /// As each page comes, into a spool.
    AsTheyCome {
        normalized: Box<Normalizing>,
        /// The first normalize error or conflict, returned by `finish` as
        /// it would have been had everything been normalized there.
        error: Option<ListingError>,
    },
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
    fn add(
        &mut self,
        context: &ListingContext,
        origin: &str,
        (path, object): (String, Value),
        related: &Related,
    ) -> Result<(), ListingError> {
        let kind = context.kind;
        let item = provider::normalize(
            kind,
            &path,
            object,
            related,
            &context.normalize_context(),
            &context.fingerprinter,
        )
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
    /// Bodies whose connections are normalized in [`Bodies::finish`].
    pub(super) fn deferred(context: ListingContext) -> Bodies {
        Bodies::new(context, When::AtFinish(Vec::new()))
    }

    /// Bodies whose connections are normalized and spooled as they come.
    pub(super) fn streaming(context: ListingContext) -> Result<Bodies, ListingError> {
        let when = When::AsTheyCome {
            normalized: Box::new(Normalizing::new(Listed::Spooled(Spool::new()?))),
            error: None,
        };
        Ok(Bodies::new(context, when))
    }

    fn new(context: ListingContext, when: When) -> Bodies {
        Bodies {
            context,
            when,
            related: Related::default(),
            pages: 0,
            connections: 0,
            related_counts: HashMap::new(),
            any_list: false,
            any_single: false,
        }
    }

    pub(super) fn process(&mut self, message: Message) -> Result<(), ListingError> {
        match message {
            Message::Body { origin, body, .. } => self.add_body(&origin, body),
            Message::Reset => self.reset(),
        }
    }

    fn add_body(&mut self, origin: &str, body: Value) -> Result<(), ListingError> {
        let kind = self.context.kind;
        let decode_error = |error| UndecodableBody {
            origin: origin.to_string(),
            kind,
            error,
        };
        let limits = self.context.limits;
        self.pages += 1;
        if self.pages > limits.max_pages {
            return Err(ListingError::TooManyPages {
                limit: limits.max_pages,
            });
        }
        let single = is_single_object_body(&body);
        let connection_body = is_connection_body(kind, &body);
        let page = provider::decode_page(kind, body).map_err(decode_error)?;
        if connection_body {
            self.any_single |= single;
            self.any_list |= !single;
        }
        self.connections += page.connections.len() as u64;
        if self.connections > limits.max_objects {
            return Err(ListingError::TooManyObjects {
                what: format!("{kind} connections"),
                limit: limits.max_objects,
            });
        }
        for (kind, path, object) in page.related {
            let count = self.related_counts.entry(kind).or_default();
            *count += 1;
            if *count > limits.max_objects {
                return Err(ListingError::TooManyObjects {
                    what: format!("referenced {} objects", kind.body_keys().0),
                    limit: limits.max_objects,
                });
            }
            self.related
                .insert(kind, object, &path)
                .map_err(decode_error)?;
        }
        if self.related.bytes() > limits.max_referenced_bytes {
            return Err(ListingError::TooManyReferencedBytes {
                limit: limits.max_referenced_bytes,
                origin: origin.to_string(),
            });
        }
        match &mut self.when {
            When::AsTheyCome { normalized, error } => {
                for connection in page.connections {
                    if error.is_some() {
                        break;
                    }
                    if let Err(failed) =
                        normalized.add(&self.context, origin, connection, &self.related)
                    {
                        *error = Some(failed);
                    }
                }
            }
            When::AtFinish(waiting) => waiting.extend(
                page.connections
                    .into_iter()
                    .map(|(path, object)| (origin.to_string(), path, object)),
            ),
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<(), ListingError> {
        self.related = Related::default();
        self.connections = 0;
        self.related_counts.clear();
        self.any_list = false;
        self.any_single = false;
        match &mut self.when {
            When::AtFinish(waiting) => waiting.clear(),
            When::AsTheyCome { normalized, error } => {
                **normalized = Normalizing::new(Listed::Spooled(Spool::new()?));
                *error = None;
            }
        }
        Ok(())
    }

    pub(super) fn finish(self) -> Result<SourceResult, ListingError> {
        let kind = self.context.kind;
        if !self.any_list && !self.any_single {
            return Err(ListingError::NoConnections { kind });
        }
        let normalized = match self.when {
            When::AsTheyCome {
                error: Some(error), ..
            } => return Err(error),
            When::AsTheyCome { normalized, .. } => *normalized,
            When::AtFinish(waiting) => {
                let mut normalized =
                    Normalizing::new(Listed::Memory(Vec::with_capacity(waiting.len())));
                for (origin, path, object) in waiting {
                    normalized.add(&self.context, &origin, (path, object), &self.related)?;
                }
                normalized
            }
        };
        let Normalizing {
            listed, warnings, ..
        } = normalized;
        let outcome = if self.any_single {
            SourceOutcome::Partial(listed)
        } else {
            SourceOutcome::Complete(listed)
        };
        Ok(SourceResult {
            source: self.context.source,
            provider: kind,
            region: self.context.region,
            account: self.context.account,
            observed_at: self.context.observed_at,
            outcome,
            warnings,
        })
    }
}
