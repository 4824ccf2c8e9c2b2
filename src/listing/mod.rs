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
//!   normalizes them in [`ListingBuilder::finish`], on the caller's thread:
//!   saved files may hold the objects a page references after the page.

mod bodies;
mod result;
mod spool;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use serde_json::Value;

use crate::fingerprint::PskFingerprinter;
use crate::http::{FetchError, SinkClass, SinkError};
use crate::provider::{NormalizeContext, PageSink, ProviderKind, UndecodableBody};
use crate::time::Timestamp;
use bodies::{Bodies, Message};

pub use result::{SourceOutcome, SourceResult};
pub use spool::{Listed, ListedKey, Spool, SpoolError};

/// Why bodies do not make a listing; each names the body's origin (a file
/// or a URL).
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    #[error(transparent)]
    Decode(#[from] UndecodableBody),
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
    #[error("no {kind} connections among the bodies, only referenced objects such as policies")]
    NoConnections { kind: ProviderKind },
    #[error("keeping the listing in its temporary spool: {0}")]
    Spool(#[from] SpoolError),
    #[error("cannot start the thread that normalizes the listing: {0}")]
    Thread(std::io::Error),
    #[error("the thread that normalizes the listing ended abnormally (a bug)")]
    Panicked,
    #[error("the listing already failed")]
    Stopped,
}

impl SinkError for ListingError {
    fn class(&self) -> SinkClass {
        match self {
            ListingError::Spool(_)
            | ListingError::Thread(_)
            | ListingError::Panicked
            | ListingError::Stopped => SinkClass::Local,
            ListingError::Decode(_)
            | ListingError::Conflict { .. }
            | ListingError::NoConnections { .. } => SinkClass::Decode,
            ListingError::TooManyPages { .. } | ListingError::TooManyObjects { .. } => {
                SinkClass::Paging
            }
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
/// listing past either fails (class `paging`), so that endless pages cost
/// neither unbounded disk (the spool) nor memory (referenced objects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingLimits {
    /// Response bodies, every collection and relisting included.
    pub max_pages: u64,
    /// Objects of one collection: connections, or one kind of referenced
    /// object (policies, vpnservices, endpoint groups, subnets).
    pub max_objects: u64,
}

/// Far above any real estate: 20,000 pages.
pub const DEFAULT_MAX_PAGES: u64 = 20_000;
/// Far above any real estate: 100,000 objects of one collection.
pub const DEFAULT_MAX_OBJECTS: u64 = 100_000;

impl Default for ListingLimits {
    fn default() -> ListingLimits {
        ListingLimits {
            max_pages: DEFAULT_MAX_PAGES,
            max_objects: DEFAULT_MAX_OBJECTS,
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
    },
    /// The normalizer thread stopped at an error, already returned.
    Stopped,
}

/// Bodies waiting in the channel to a normalizer thread: enough to keep it
/// busy, few enough to keep memory flat.
const BODIES_IN_FLIGHT: usize = 4;

impl ListingBuilder {
    /// A builder that keeps the connections and normalizes them all in
    /// [`ListingBuilder::finish`], on the caller's thread.
    pub fn deferred(context: ListingContext) -> ListingBuilder {
        ListingBuilder {
            state: State::Here(Box::new(Bodies::deferred(context))),
        }
    }

    /// A builder that normalizes each page's connections on its own thread
    /// as the page is added, with the referenced objects added before it.
    /// A normalize error is returned by `finish`; a body that does not
    /// decode by a later `add_body`, or by `finish`.
    pub fn streaming(context: ListingContext) -> Result<ListingBuilder, ListingError> {
        let name = format!("normalize-{}", context.source);
        let bodies = Bodies::streaming(context)?;
        let (messages, received) = sync_channel(BODIES_IN_FLIGHT);
        let abandoned = Arc::new(AtomicBool::new(false));
        let skip = Arc::clone(&abandoned);
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(move || normalize_bodies(bodies, received, &skip))
            .map_err(ListingError::Thread)?;
        Ok(ListingBuilder {
            state: State::Thread {
                messages,
                thread,
                abandoned,
            },
        })
    }

    /// Adds one response body; `origin` names it in errors.
    pub fn add_body(&mut self, origin: &str, body: Value) -> Result<(), ListingError> {
        let origin = origin.to_string();
        self.send(Message::Body { origin, body })
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
            State::Thread { messages, .. } => messages.send(message).is_ok(),
            State::Stopped => return Err(ListingError::Stopped),
        };
        // A closed channel means the thread stopped at an error: that one
        // is the answer.
        if sent { Ok(()) } else { Err(self.stop()) }
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
) -> Result<Bodies, ListingError> {
    for message in messages {
        if abandoned.load(Ordering::Relaxed) {
            break;
        }
        bodies.process(message)?;
    }
    Ok(bodies)
}

fn joined(thread: JoinHandle<Result<Bodies, ListingError>>) -> Result<Bodies, ListingError> {
    thread.join().unwrap_or(Err(ListingError::Panicked))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn context() -> ListingContext {
        ListingContext {
            source: "hw".into(),
            kind: ProviderKind::HuaweiCloud,
            region: Some("cn-north-4".into()),
            account: None,
            observed_at: Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap(),
            fingerprinter: PskFingerprinter::new(b"test"),
            limits: ListingLimits::default(),
        }
    }

    fn page(ids: &[&str]) -> Value {
        let connections: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "name": format!("vpn-{id}"), "status": "ACTIVE", "psk": "secret"}))
            .collect();
        json!({ "vpn_connections": connections })
    }

    fn listed_ids(result: SourceResult) -> Vec<String> {
        match result.outcome {
            SourceOutcome::Complete(listed) => listed
                .keys()
                .unwrap()
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
            other => panic!("expected a complete listing, got {other:?}"),
        }
    }

    #[test]
    fn a_streaming_builder_gives_what_a_deferred_one_gives() {
        let pages = [page(&["b", "a"]), page(&["c", "a"])];
        let mut deferred = ListingBuilder::deferred(context());
        let mut threaded = ListingBuilder::streaming(context()).unwrap();
        for (index, body) in pages.iter().enumerate() {
            deferred
                .add_body(&format!("page {index}"), body.clone())
                .unwrap();
            threaded
                .add_body(&format!("page {index}"), body.clone())
                .unwrap();
        }
        let deferred = listed_ids(deferred.finish().unwrap());
        let threaded = threaded.finish().unwrap();
        assert_eq!(listed_ids(threaded), deferred);
        assert_eq!(deferred, ["b", "a", "c"]);
    }

    #[test]
    fn listing_errors_keep_their_error_class_through_fetch_error() {
        let class = |error: ListingError| FetchError::from(error).class();
        assert_eq!(class(ListingError::Stopped), "local");
        assert_eq!(class(ListingError::Panicked), "local");
        assert_eq!(
            class(ListingError::NoConnections {
                kind: ProviderKind::OpenStack
            }),
            "decode"
        );
        let conflict = ListingError::Conflict {
            first: "a".into(),
            second: "b".into(),
            connection_id: "c".into(),
        };
        assert_eq!(class(conflict), "decode");
        let undecodable = UndecodableBody {
            origin: "page 1".into(),
            kind: ProviderKind::Tencent,
            error: crate::provider::DecodeError::new("$", "not an object"),
        };
        assert_eq!(
            FetchError::from(undecodable).to_string(),
            "page 1: not a tencent response body: $: not an object"
        );
        assert_eq!(
            class(ListingError::Decode(UndecodableBody {
                origin: "page 2".into(),
                kind: ProviderKind::Tencent,
                error: crate::provider::DecodeError::new("$", "x"),
            })),
            "decode"
        );
    }

    #[test]
    fn a_listing_stops_at_its_page_and_object_limits() {
        let limited = |max_pages, max_objects| ListingContext {
            limits: ListingLimits {
                max_pages,
                max_objects,
            },
            ..context()
        };
        // Pages: every body counts, resets do not give them back.
        let mut listing = ListingBuilder::deferred(limited(3, 100));
        listing.add_body("p1", page(&["a"])).unwrap();
        listing.reset().unwrap();
        listing.add_body("p2", page(&["b"])).unwrap();
        listing.add_body("p3", page(&["c"])).unwrap();
        let error = listing.add_body("p4", page(&["d"])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "more than 3 response bodies in one listing (max_pages): the server's paging does \
             not end"
        );
        assert_eq!(FetchError::from(error).class(), "paging");
        // Objects of one collection, on the normalizer's thread too.
        let mut listing = ListingBuilder::streaming(limited(100, 5)).unwrap();
        listing.add_body("p1", page(&["a", "b", "c"])).unwrap();
        let error = listing
            .add_body("p2", page(&["d", "e", "f"]))
            .err()
            .or_else(|| listing.finish().err())
            .expect("past the object limit");
        assert_eq!(
            error.to_string(),
            "more than 5 huaweicloud connections in one listing (max_objects): the server's \
             paging does not end"
        );
    }

    #[test]
    fn a_reset_discards_what_the_thread_was_given_before_it() {
        let mut threaded = ListingBuilder::streaming(context()).unwrap();
        threaded.add_body("first pass", page(&["x", "y"])).unwrap();
        threaded.reset().unwrap();
        threaded.add_body("second pass", page(&["z"])).unwrap();
        let result = threaded.finish().unwrap();
        assert_eq!(listed_ids(result), ["z"]);
    }

    #[test]
    fn a_body_that_does_not_decode_fails_a_later_add_or_the_finish() {
        let mut threaded = ListingBuilder::streaming(context()).unwrap();
        threaded
            .add_body("https://vpn.example/bad", json!({"unexpected": []}))
            .unwrap();
        // The thread stops at the error; it surfaces once the channel closes.
        let mut error = None;
        for _ in 0..100 {
            if let Err(failed) = threaded.add_body("next", page(&["a"])) {
                error = Some(failed);
                break;
            }
        }
        let error = match error {
            Some(error) => error,
            None => threaded.finish().unwrap_err(),
        };
        assert!(
            matches!(&error, ListingError::Decode(body) if body.origin == "https://vpn.example/bad"),
            "{error}"
        );
    }
}
