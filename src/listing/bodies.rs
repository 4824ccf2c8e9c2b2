//! The bodies of one listing as they are processed: decoded, their
//! referenced objects kept, and their connections handed to normalizing
//! (as each body comes, or all at the end; keying, normalizing and
//! deduplicating by id are [`super::normalizing`]'s).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::normalizing::{Keying, Normalizing, Object, prepare_ahead};
use super::split::{SplitText, json_error, split_list_body};
use super::{KnownVersions, Listed, ListingContext, ListingError, SourceOutcome, SourceResult};
use crate::provider::{
    self, ListingKeyer, Related, RelatedKind, UndecodableBody, is_connection_body,
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
    /// A body as JSON text (a saved file, an OpenStack page of
    /// connections): its memory is its length.
    Text {
        origin: String,
        text: String,
    },
    Reset,
}

impl Message {
    /// The memory a body holds in flight (none for a reset).
    pub(super) fn size(&self) -> usize {
        match self {
            Message::Body { size, .. } => *size,
            Message::Text { text, .. } => text.len(),
            Message::Reset => 0,
        }
    }
}

/// The bodies of one listing, decoded, and normalized as they come or at
/// the end.
#[derive(Debug)]
pub(super) struct Bodies {
    context: ListingContext,
    keyer: ListingKeyer,
    /// The source's latest stored versions, by listing key.
    known: Arc<KnownVersions>,
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
    /// The bodies split without their connections validated (deferred
    /// listings, whose connections hold them until the finish anyway), so
    /// that a listing that fails reports a malformed body's JSON error, as
    /// when such a body was refused whole as it came.
    split: Vec<(String, Arc<String>)>,
}

/// When a listing's connections are normalized.
#[derive(Debug)]
enum When {
    /// In `finish`: the connections wait, each with its origin and path.
    AtFinish(Vec<(String, String, Object)>),
    /// As each page comes, into a spool.
    AsTheyCome {
        normalized: Box<Normalizing>,
        /// The first normalize error or conflict, returned by `finish` as
        /// it would have been had everything been normalized there.
        error: Option<ListingError>,
    },
}

impl Bodies {
    /// Bodies whose connections are normalized in [`Bodies::finish`].
    pub(super) fn deferred(context: ListingContext, known: Arc<KnownVersions>) -> Bodies {
        Bodies::new(context, known, When::AtFinish(Vec::new()))
    }

    /// Bodies whose connections are normalized and spooled as they come.
    pub(super) fn streaming(
        context: ListingContext,
        known: Arc<KnownVersions>,
    ) -> Result<Bodies, ListingError> {
        let when = When::AsTheyCome {
            normalized: Box::new(Normalizing::new(Listed::spooled()?)),
            error: None,
        };
        Ok(Bodies::new(context, known, when))
    }

    fn new(context: ListingContext, known: Arc<KnownVersions>, when: When) -> Bodies {
        let keyer = ListingKeyer::new(
            context.kind,
            &context.normalize_context(),
            &context.fingerprinter,
        );
        Bodies {
            context,
            keyer,
            known,
            when,
            related: Related::default(),
            pages: 0,
            connections: 0,
            related_counts: HashMap::new(),
            any_list: false,
            any_single: false,
            split: Vec::new(),
        }
    }

    pub(super) fn process(&mut self, message: Message) -> Result<(), ListingError> {
        match message {
            Message::Body { origin, body, .. } => self.add_body(&origin, body, Vec::new()),
            Message::Text { origin, text } => self.add_text(&origin, text),
            Message::Reset => self.reset(),
        }
    }

    /// Adds a body given as JSON text: a list body of a kind that has a
    /// [`provider::connection_list_key`] is split without parsing its
    /// connections (most will be passed over unchanged); any other body,
    /// or one that does not split, is parsed whole.
    fn add_text(&mut self, origin: &str, text: String) -> Result<(), ListingError> {
        if let Some(list_key) = provider::connection_list_key(self.context.kind)
            && let Some((shell, ranges)) = split_list_body(&text, list_key)
        {
            let path = format!("$.{list_key}");
            let body = Arc::new(text);
            let connections = ranges
                .into_iter()
                .enumerate()
                .map(|(index, range)| {
                    let text = SplitText {
                        body: Arc::clone(&body),
                        range,
                    };
                    (format!("{path}[{index}]"), Object::Text(text))
                })
                .collect();
            let added = self.add_body(origin, shell, connections);
            let failed = matches!(self.when, When::AsTheyCome { error: Some(_), .. });
            // The split left this body's connections unvalidated: once the
            // listing has failed, a malformed one (here or split before)
            // fails it with its JSON error, as when it was parsed whole.
            if (added.is_err() || failed)
                && let Some(malformed) = first_malformed(&self.split, Some((origin, &body)))
            {
                return Err(malformed);
            }
            if matches!(self.when, When::AtFinish(_)) {
                self.split.push((origin.to_string(), body));
            }
            return added;
        }
        let body = serde_json::from_str(&text).map_err(|error| json_error(origin, &error))?;
        self.add_body(origin, body, Vec::new())
    }

    /// Adds a body; `split` holds the connections of a list body taken out
    /// of it as text, which come before any the body still holds.
    fn add_body(
        &mut self,
        origin: &str,
        body: Value,
        split: Vec<(String, Object)>,
    ) -> Result<(), ListingError> {
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
        let connections: Vec<(String, Object)> = split
            .into_iter()
            .chain(
                page.connections
                    .into_iter()
                    .map(|(path, object)| (path, Object::Parsed(object))),
            )
            .collect();
        self.connections += connections.len() as u64;
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
        let keying = Keying {
            context: &self.context,
            keyer: &self.keyer,
            known: &self.known,
        };
        match &mut self.when {
            When::AsTheyCome { normalized, error } => {
                for connection in connections {
                    if error.is_some() {
                        break;
                    }
                    if let Err(failed) = normalized.add(&keying, origin, connection, &self.related)
                    {
                        *error = Some(failed);
                    }
                }
            }
            When::AtFinish(waiting) => waiting.extend(
                connections
                    .into_iter()
                    .map(|(path, object)| (origin.to_string(), path, object)),
            ),
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<(), ListingError> {
        self.related = Related::default();
        self.split.clear();
        self.connections = 0;
        self.related_counts.clear();
        self.any_list = false;
        self.any_single = false;
        match &mut self.when {
            When::AtFinish(waiting) => waiting.clear(),
            When::AsTheyCome { normalized, error } => {
                **normalized = Normalizing::new(Listed::spooled()?);
                *error = None;
            }
        }
        Ok(())
    }

    /// Replaces the latest stored versions that connections are passed
    /// over by: only for bodies normalized at the finish, which have not
    /// used them yet.
    pub(super) fn know(&mut self, known: Arc<KnownVersions>) {
        self.known = known;
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
                let keying = Keying {
                    context: &self.context,
                    keyer: &self.keyer,
                    known: &self.known,
                };
                let mut normalized = Normalizing::new(Listed::in_memory());
                let mut waiting = waiting;
                prepare_ahead(&mut waiting, &keying, &self.related);
                for (origin, path, object) in waiting {
                    if let Err(error) =
                        normalized.add(&keying, &origin, (path, object), &self.related)
                    {
                        return Err(first_malformed(&self.split, None).unwrap_or(error));
                    }
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

/// The JSON error of the first of the bodies `split` (origin, text), then
/// `current` if given, that is not JSON.
fn first_malformed(
    split: &[(String, Arc<String>)],
    current: Option<(&str, &str)>,
) -> Option<ListingError> {
    let split = split
        .iter()
        .map(|(origin, body)| (origin.as_str(), body.as_str()));
    split.chain(current).find_map(|(origin, body)| {
        let error = serde_json::from_str::<Value>(body).err()?;
        Some(json_error(origin, &error))
    })
}
