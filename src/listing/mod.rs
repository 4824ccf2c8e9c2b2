//! Assembling one source's listing from response bodies: its pages, and for
//! OpenStack the referenced objects, decoded, normalized and deduplicated
//! into what the store writes. Import feeds it files; collectors feed it
//! HTTP responses.
//!
//! A listing is complete, and so proves deletions, only when every
//! connection body in it is a list body; single-object ("show") bodies make
//! it partial.
//!
//! A builder is made for one source ([`ListingContext`]) in one of two
//! ways, which give the same outcome, in the same order, with the same
//! first error:
//! - [`ListingBuilder::streaming`] (a collection) hands each body to a
//!   thread of its own, which normalizes the page's connections and streams
//!   them into an on-disk [`Spool`]: normalizing one page overlaps fetching
//!   the next, and a collection holds neither the pages' JSON (beyond a few
//!   bodies in the channel) nor the normalized connections in memory. Its
//!   caller adds the objects a page references (OpenStack's policies,
//!   vpnservices, endpoint groups) before the page, as the OpenStack
//!   collector does.
//! - [`ListingBuilder::deferred`] (an import) keeps the connections and
//!   normalizes them in [`ListingBuilder::finish`], on the caller's thread
//!   (with a second thread preparing them from 2,000 connections, then
//!   added in order): saved files may hold the objects a page references
//!   after the page.

mod bodies;
mod inflight;
mod known;
mod normalizing;
mod result;
mod split;
mod spool;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use serde_json::Value;

use crate::fingerprint::PskFingerprinter;
use crate::http::{FetchError, SinkClass, SinkError};
use crate::provider::{NormalizeContext, PageSink, ProviderKind, UndecodableBody, json_footprint};
use crate::time::Timestamp;
use bodies::{Bodies, Message};
use inflight::InFlight;

pub use known::KnownVersions;
pub use result::{SourceOutcome, SourceResult};
pub use spool::{Listed, ListedEntry, ListedKey, Spool, SpoolError};

/// Why bodies do not make a listing; each names the body's origin (a file
/// or a URL).
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    #[error(transparent)]
    Decode(#[from] UndecodableBody),
    #[error("{origin}: invalid JSON at line {line}, column {column}: {message}")]
    Json {
        origin: String,
        line: usize,
        column: usize,
        message: String,
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
    #[error(
        "more than {limit} response bodies in one listing (max_pages): the server's paging \
         does not end"
    )]
    TooManyPages { limit: u64 },
    #[error(
        "more than {limit} {what} in one listing (max_objects): the server's paging does not end"
    )]
    TooManyObjects { what: String, limit: u64 },
    #[error(
        "the referenced objects (OpenStack policies, vpnservices, endpoint groups, subnets; \
         Huawei Cloud gateways) of one listing take more than {limit} bytes of memory (max_referenced_bytes) after {origin}: the \
         server's collections are too large or do not end"
    )]
    TooManyReferencedBytes { limit: u64, origin: String },
    #[error(
        "no {kind} connections among the bodies, only objects connections reference (policies, \
         gateways)"
    )]
    NoConnections { kind: ProviderKind },
    #[error("keeping the listing in its temporary spool: {0}")]
    Spool(#[from] SpoolError),
    #[error("cannot start the thread that normalizes the listing: {0}")]
    Thread(std::io::Error),
    #[error("the thread that normalizes the listing ended abnormally (a bug)")]
    Panicked,
    #[error("the listing already failed")]
    Stopped,
    #[error(
        "a streaming listing is given the latest stored versions when it is made, not at its \
         finish (a bug)"
    )]
    KnownAtFinish,
}

impl SinkError for ListingError {
    fn class(&self) -> SinkClass {
        match self {
            ListingError::Spool(_)
            | ListingError::Thread(_)
            | ListingError::Panicked
            | ListingError::Stopped
            | ListingError::KnownAtFinish => SinkClass::Local,
            ListingError::Decode(_)
            | ListingError::Json { .. }
            | ListingError::Conflict { .. }
            | ListingError::NoConnections { .. } => SinkClass::Decode,
            ListingError::TooManyPages { .. } | ListingError::TooManyObjects { .. } => {
                SinkClass::Paging
            }
            ListingError::TooManyReferencedBytes { .. } => SinkClass::TooLarge,
        }
    }
}

impl From<ListingError> for FetchError {
    fn from(error: ListingError) -> FetchError {
        FetchError::Listing(Box::new(error))
    }
}

/// Where a listing's connections come from, when it was taken, and the
/// key their pre-shared keys are fingerprinted with.
#[derive(Debug, Clone)]
pub struct ListingContext {
    pub source: String,
    pub kind: ProviderKind,
    pub region: Option<String>,
    pub account: Option<String>,
    pub observed_at: Timestamp,
    pub fingerprinter: PskFingerprinter,
    /// How much one listing may hold.
    pub limits: ListingLimits,
}

/// The most one listing may hold, whatever a server's paging says: a
/// listing past any fails (class `paging`, or `too_large` for memory), so
/// that endless or huge pages cost neither unbounded disk (the spool) nor
/// memory (referenced objects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingLimits {
    /// Response bodies, every collection and relisting included.
    pub max_pages: u64,
    /// Objects of one collection: connections, or one kind of referenced
    /// object (policies, vpnservices, endpoint groups, subnets).
    pub max_objects: u64,
    /// Memory the referenced objects may take, all kinds together, as
    /// [`Related::bytes`](crate::provider::Related::bytes) counts it (their
    /// compact JSON text and keys, as they are held): they stay in memory
    /// for the whole listing, while connections go to the spool.
    pub max_referenced_bytes: u64,
}

/// Far above any real estate: 20,000 pages.
pub const DEFAULT_MAX_PAGES: u64 = 20_000;
/// Far above any real estate: 100,000 objects of one collection.
pub const DEFAULT_MAX_OBJECTS: u64 = 100_000;
/// 128 MiB of referenced objects, held as text: more than what the
/// simulator's generated estate of 100,000 connections (`max_objects`)
/// references (97,592 objects, mostly endpoint groups, 97 MiB when they
/// were held parsed; a fraction of that as text); with the bodies in
/// flight, a collection against endless referenced collections stays
/// under 300 MiB unless its pages near `max_response_bytes`.
pub const DEFAULT_MAX_REFERENCED_BYTES: u64 = 128 << 20;

impl Default for ListingLimits {
    fn default() -> ListingLimits {
        ListingLimits {
            max_pages: DEFAULT_MAX_PAGES,
            max_objects: DEFAULT_MAX_OBJECTS,
            max_referenced_bytes: DEFAULT_MAX_REFERENCED_BYTES,
        }
    }
}

impl ListingContext {
    /// What a provider's normalizer is told of the source.
    pub fn normalize_context(&self) -> NormalizeContext<'_> {
        NormalizeContext {
            source: &self.source,
            region: self.region.as_deref(),
            account: self.account.as_deref(),
        }
    }
}

/// Collects the bodies of one listing; see the module docs.
#[derive(Debug)]
pub struct ListingBuilder {
    state: State,
}

#[derive(Debug)]
enum State {
    /// Bodies are processed on the caller's thread as they are added.
    Here(Box<Bodies>),
    /// Bodies go to a normalizer thread, so that normalizing one page
    /// overlaps fetching the next.
    Thread {
        messages: SyncSender<Message>,
        thread: JoinHandle<Result<Bodies, ListingError>>,
        /// Set when the builder is dropped unfinished (a deadline, an
        /// abandoned run): the thread skips what is still queued.
        abandoned: Arc<AtomicBool>,
        /// The memory of the bodies queued or being normalized.
        in_flight: Arc<InFlight>,
    },
    /// The normalizer thread stopped at an error, already returned.
    Stopped,
}

/// Bodies waiting in the channel to a normalizer thread: enough to keep it
/// busy, few enough to keep memory flat (and their size is bounded too, by
/// [`inflight::BYTES_IN_FLIGHT`]).
const BODIES_IN_FLIGHT: usize = 4;

impl ListingBuilder {
    /// A builder that keeps the connections and normalizes them all in
    /// [`ListingBuilder::finish`], on the caller's thread (and a second
    /// one for 2,000 connections or more).
    pub fn deferred(context: ListingContext) -> ListingBuilder {
        ListingBuilder::deferred_knowing(context, Arc::default())
    }

    /// A deferred builder that passes over the connections unchanged since
    /// the source's latest stored versions (`known`) without normalizing
    /// them.
    pub fn deferred_knowing(context: ListingContext, known: Arc<KnownVersions>) -> ListingBuilder {
        ListingBuilder {
            state: State::Here(Box::new(Bodies::deferred(context, known))),
        }
    }

    /// A builder that normalizes each page's connections on its own thread
    /// as the page is added, with the referenced objects added before it.
    /// A normalize error is returned by `finish`; a body that does not
    /// decode by a later `add_body`, or by `finish`.
    pub fn streaming(context: ListingContext) -> Result<ListingBuilder, ListingError> {
        ListingBuilder::streaming_knowing(context, Arc::default())
    }

    /// A streaming builder that passes over the connections unchanged since
    /// the source's latest stored versions (`known`) without normalizing
    /// them.
    pub fn streaming_knowing(
        context: ListingContext,
        known: Arc<KnownVersions>,
    ) -> Result<ListingBuilder, ListingError> {
        let name = format!("normalize-{}", context.source);
        let bodies = Bodies::streaming(context, known)?;
        let (messages, received) = sync_channel(BODIES_IN_FLIGHT);
        let abandoned = Arc::new(AtomicBool::new(false));
        let skip = Arc::clone(&abandoned);
        let in_flight = Arc::new(InFlight::default());
        let released = Arc::clone(&in_flight);
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                let normalized = normalize_bodies(bodies, received, &skip, &released);
                released.close();
                normalized
            })
            .map_err(ListingError::Thread)?;
        Ok(ListingBuilder {
            state: State::Thread {
                messages,
                thread,
                abandoned,
                in_flight,
            },
        })
    }

    /// Adds one response body; `origin` names it in errors.
    pub fn add_body(&mut self, origin: &str, body: Value) -> Result<(), ListingError> {
        let origin = origin.to_string();
        let size = match self.state {
            State::Thread { .. } => json_footprint(&body),
            _ => 0,
        };
        self.send(Message::Body { origin, body, size })
    }

    /// Adds one response body as JSON text (a saved file, an OpenStack
    /// page of connections); `origin` names
    /// it in errors. A list body's connections are split out without being
    /// parsed, so that those unchanged cost only their listing key.
    pub fn add_text(&mut self, origin: &str, text: String) -> Result<(), ListingError> {
        let origin = origin.to_string();
        self.send(Message::Text { origin, text })
    }

    /// Discards everything added so far (a listing that has to be taken
    /// again from the start).
    pub fn reset(&mut self) -> Result<(), ListingError> {
        match self.state {
            State::Stopped => Ok(()),
            _ => self.send(Message::Reset),
        }
    }

    /// Processes `message` here, or hands it to the normalizer thread.
    /// With [`BODIES_IN_FLIGHT`] bodies already waiting this blocks the
    /// calling (async) thread until the normalizer takes one, a few
    /// milliseconds: that back-pressure is what keeps a fast server from
    /// filling memory with pages.
    fn send(&mut self, message: Message) -> Result<(), ListingError> {
        let sent = match &mut self.state {
            State::Here(bodies) => return bodies.process(message),
            State::Thread {
                messages,
                in_flight,
                ..
            } => in_flight.hold(message.size()) && messages.send(message).is_ok(),
            State::Stopped => return Err(ListingError::Stopped),
        };
        // A closed channel means the thread stopped at an error: that one
        // is the answer.
        if sent { Ok(()) } else { Err(self.stop()) }
    }

    /// Finishes a deferred builder as [`ListingBuilder::finish`] does,
    /// passing over the connections unchanged since the source's latest
    /// stored versions `known`, which may thus be read while the bodies are
    /// added (an import reads them from the database while its files are
    /// read and split); they replace any the builder was made with, which
    /// a deferred builder has not used yet. A streaming builder passed over connections as they
    /// came, with the versions it was made with: refused
    /// ([`ListingError::KnownAtFinish`]).
    pub fn finish_knowing(
        mut self,
        known: Arc<KnownVersions>,
    ) -> Result<SourceResult, ListingError> {
        match &mut self.state {
            State::Here(bodies) => bodies.know(known),
            State::Thread { .. } => return Err(ListingError::KnownAtFinish),
            State::Stopped => return Err(ListingError::Stopped),
        }
        self.finish()
    }

    /// Normalizes everything added into one source result.
    pub fn finish(mut self) -> Result<SourceResult, ListingError> {
        match std::mem::replace(&mut self.state, State::Stopped) {
            State::Here(bodies) => bodies.finish(),
            State::Thread {
                messages, thread, ..
            } => {
                drop(messages);
                joined(thread)?.finish()
            }
            State::Stopped => Err(ListingError::Stopped),
        }
    }

    /// Waits for the normalizer thread, which stopped at an error, and
    /// returns that error.
    fn stop(&mut self) -> ListingError {
        match std::mem::replace(&mut self.state, State::Stopped) {
            State::Thread {
                messages, thread, ..
            } => {
                drop(messages);
                match joined(thread) {
                    Err(error) => error,
                    Ok(_) => ListingError::Stopped,
                }
            }
            _ => ListingError::Stopped,
        }
    }
}

/// A fetch emits its bodies into the listing.
impl PageSink for ListingBuilder {
    fn add_body(&mut self, origin: &str, body: Value) -> Result<(), FetchError> {
        Ok(ListingBuilder::add_body(self, origin, body)?)
    }

    fn add_text(&mut self, origin: &str, text: String) -> Result<(), FetchError> {
        Ok(ListingBuilder::add_text(self, origin, text)?)
    }

    fn reset(&mut self) -> Result<(), FetchError> {
        Ok(ListingBuilder::reset(self)?)
    }
}

impl Drop for ListingBuilder {
    fn drop(&mut self) {
        if let State::Thread { abandoned, .. } = &self.state {
            abandoned.store(true, Ordering::Relaxed);
        }
    }
}

/// The normalizer thread: processes the messages in order until the
/// builder is finished or dropped, or the first error.
fn normalize_bodies(
    mut bodies: Bodies,
    messages: Receiver<Message>,
    abandoned: &AtomicBool,
    in_flight: &InFlight,
) -> Result<Bodies, ListingError> {
    for message in messages {
        if abandoned.load(Ordering::Relaxed) {
            break;
        }
        let size = message.size();
        let processed = bodies.process(message);
        in_flight.release(size);
        processed?;
    }
    Ok(bodies)
}

fn joined(thread: JoinHandle<Result<Bodies, ListingError>>) -> Result<Bodies, ListingError> {
    thread.join().unwrap_or(Err(ListingError::Panicked))
}

#[cfg(test)]
mod split_tests;
#[cfg(test)]
mod tests;
