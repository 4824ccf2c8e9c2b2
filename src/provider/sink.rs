//! What a fetch needs and where it puts what it gets: the [`FetchContext`]
//! (the source, its HTTP client, the retry policy, the progress counters)
//! and the [`PageSink`] every response body is emitted into. A fetch knows
//! nothing of what the sink does with a body (the listing decodes,
//! normalizes and spools it); it only learns whether the sink refused it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::Value;

use super::source::SourceConfig;
use crate::http::{Client, FetchError, RetryPolicy};

/// Where a fetch emits the response bodies of one source's listing, in
/// order. An error (a body that does not decode, a spool that cannot be
/// written) fails the fetch.
pub trait PageSink {
    /// Takes one response body; `origin` (a URL without secrets, or a
    /// file) names it in errors.
    fn add_body(&mut self, origin: &str, body: Value) -> Result<(), FetchError>;

    /// Takes one response body as its JSON text, which the listing splits
    /// into its connections without parsing the body whole.
    fn add_text(&mut self, origin: &str, text: String) -> Result<(), FetchError>;

    /// Discards every body taken so far: the listing is being taken again
    /// from the start.
    fn reset(&mut self) -> Result<(), FetchError>;
}

/// What a provider's fetch code gets: the source's HTTP client, the retry
/// policy, and where to report progress.
#[derive(Debug)]
pub struct FetchContext<'a> {
    pub source: &'a SourceConfig,
    pub client: Client,
    pub retry: RetryPolicy,
    pub progress: &'a SourceProgress,
}

/// Pages and items fetched so far by one source, read by progress displays
/// while the fetch runs.
#[derive(Debug, Default)]
pub struct SourceProgress {
    pages: AtomicU64,
    items: AtomicU64,
    finished: AtomicBool,
}

impl SourceProgress {
    /// Records one response body holding `items` objects.
    pub fn page_fetched(&self, items: usize) {
        self.pages.fetch_add(1, Ordering::Relaxed);
        self.items.fetch_add(items as u64, Ordering::Relaxed);
    }

    pub fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }

    pub fn items(&self) -> u64 {
        self.items.load(Ordering::Relaxed)
    }

    /// Records that the source's fetch has ended, either way.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
    }

    /// Whether the source's fetch has ended, either way.
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }
}

/// A sink that keeps the bodies as they came, counting the connections
/// of `kind` in them: what a fetch emitted, for its tests.
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct VecSink {
    kind: super::ProviderKind,
    pub bodies: Vec<(String, Value)>,
}

#[cfg(test)]
impl VecSink {
    pub fn new(kind: super::ProviderKind) -> VecSink {
        VecSink {
            kind,
            bodies: Vec::new(),
        }
    }
}

#[cfg(test)]
impl PageSink for VecSink {
    fn add_body(&mut self, origin: &str, body: Value) -> Result<(), FetchError> {
        self.bodies.push((origin.to_string(), body));
        Ok(())
    }

    fn add_text(&mut self, origin: &str, text: String) -> Result<(), FetchError> {
        let body = serde_json::from_str(&text)
            .map_err(|error| FetchError::Decode(format!("{origin}: {error}")))?;
        self.add_body(origin, body)
    }

    fn reset(&mut self) -> Result<(), FetchError> {
        self.bodies.clear();
        Ok(())
    }
}

#[cfg(test)]
impl VecSink {
    /// The connections of `kind` in the bodies kept.
    pub fn connection_count(&self) -> usize {
        self.bodies
            .iter()
            .map(|(_, body)| {
                super::decode_page(self.kind, body.clone()).map_or(0, |page| page.connections.len())
            })
            .sum()
    }
}
