//! Normalizing the connections of a listing taken all at once (imports,
//! [`super::ListingBuilder::new`]) on every core, the results in listing
//! order. Normalizing is most of an import's work and each connection is
//! independent of the others once the referenced objects are known.

use std::num::NonZeroUsize;

use serde_json::Value;

use super::ListingError;
use crate::fingerprint::PskFingerprinter;
use crate::provider::{self, DecodeError, NormalizeContext, Normalized, ProviderKind, Related};

/// A connection object waiting to be normalized: the body it came from, its
/// JSON path there, the object.
pub(super) type Pending = (String, String, Value);

/// Below this many connections per thread, starting threads costs more than
/// it saves.
const CONNECTIONS_PER_THREAD: usize = 2_000;

/// A normalized connection, or why it could not be, with the body it came
/// from.
type Outcome = (String, Result<Normalized, DecodeError>);

/// Normalizes `pending`, in its order, on up to as many threads as the
/// machine has cores.
pub(super) fn normalize_in_order(
    kind: ProviderKind,
    pending: Vec<Pending>,
    related: &Related,
    context: &NormalizeContext<'_>,
    fingerprinter: &PskFingerprinter,
) -> Result<Vec<Outcome>, ListingError> {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = cores.min(pending.len() / CONNECTIONS_PER_THREAD).max(1);
    normalize_on_threads(kind, pending, related, context, fingerprinter, threads)
}

fn normalize_on_threads(
    kind: ProviderKind,
    pending: Vec<Pending>,
    related: &Related,
    context: &NormalizeContext<'_>,
    fingerprinter: &PskFingerprinter,
    threads: usize,
) -> Result<Vec<Outcome>, ListingError> {
    let normalize_all = |chunk: Vec<Pending>| -> Vec<Outcome> {
        chunk
            .into_iter()
            .map(|(origin, path, object)| {
                let item =
                    provider::normalize(kind, &path, object, related, context, fingerprinter);
                (origin, item)
            })
            .collect()
    };
    if threads <= 1 {
        return Ok(normalize_all(pending));
    }
    let chunk_len = pending.len().div_ceil(threads);
    let mut rest = pending.into_iter();
    let mut chunks: Vec<Vec<Pending>> = Vec::with_capacity(threads);
    loop {
        let chunk: Vec<Pending> = rest.by_ref().take(chunk_len).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    std::thread::scope(|scope| {
        let mut chunks = chunks.into_iter();
        let here = chunks.next().unwrap_or_default();
        let others = chunks
            .map(|chunk| {
                std::thread::Builder::new()
                    .name("normalize".to_string())
                    .spawn_scoped(scope, move || normalize_all(chunk))
                    .map_err(ListingError::Thread)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut normalized = normalize_all(here);
        for thread in others {
            normalized.extend(thread.join().map_err(|_| ListingError::Panicked)?);
        }
        Ok(normalized)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pending(count: usize) -> Vec<Pending> {
        (0..count)
            .map(|index| {
                let object = if index == 7 {
                    json!("not an object")
                } else {
                    json!({"id": format!("c{index}"), "name": format!("vpn-{index}"), "status": "ACTIVE"})
                };
                let page = index / 4;
                (format!("page {page}"), format!("$.vpn_connections[{}]", index % 4), object)
            })
            .collect()
    }

    fn summary(outcomes: Vec<Outcome>) -> Vec<(String, String)> {
        outcomes
            .into_iter()
            .map(|(origin, item)| match item {
                Ok(item) => (origin, item.connection.connection_id),
                Err(error) => (origin, error.to_string()),
            })
            .collect()
    }

    #[test]
    fn threads_give_the_same_outcomes_in_the_same_order_as_one() {
        let context = NormalizeContext {
            source: "hw",
            region: Some("cn-north-4"),
            account: None,
        };
        let fingerprinter = PskFingerprinter::new(b"test");
        let run = |threads| {
            let outcomes = normalize_on_threads(
                ProviderKind::HuaweiCloud,
                pending(11),
                &Related::default(),
                &context,
                &fingerprinter,
                threads,
            )
            .unwrap();
            summary(outcomes)
        };
        let one = run(1);
        assert_eq!(one.len(), 11);
        assert_eq!(one[0], ("page 0".to_string(), "c0".to_string()));
        assert_eq!(one[10], ("page 2".to_string(), "c10".to_string()));
        assert_eq!(one[7].0, "page 1");
        assert!(one[7].1.contains("$.vpn_connections[3]"), "{}", one[7].1);
        assert_eq!(run(3), one);
        assert_eq!(run(11), one);
        assert_eq!(run(20), one);
    }
}
