//! Collecting: runs the configured sources' listings concurrently (bounded),
//! each under its own deadline and retry policy, and turns each into the
//! [`SourceResult`] the store writes, handing it over as soon as the
//! source's listing ends. No database is touched here (a listing's spool
//! is scratch space, not the history).

use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::fingerprint::PskFingerprinter;
use crate::http::{FetchError, HttpOptions, RetryPolicy, build_client};
use crate::listing::{
    KnownVersions, ListingBuilder, ListingContext, ListingLimits, SourceOutcome, SourceResult,
};
use crate::provider::{self, FetchContext, SourceConfig, SourceProgress, TlsRoots};
use crate::time::Timestamp;

/// How a collection runs (the runner makes it from the config's runtime
/// keys).
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Sources fetched at the same time.
    pub max_concurrency: usize,
    pub retry: RetryPolicy,
    /// Per request.
    pub request_timeout: Duration,
    /// Per source, all its requests and retries included.
    pub source_deadline: Duration,
    /// The largest response body read; a larger one fails the source.
    pub max_response_bytes: u64,
    /// The most pages and objects one source's listing may hold.
    pub limits: ListingLimits,
}

/// One source's collection: the result for the store and how it went.
#[derive(Debug)]
pub struct Collected {
    pub result: SourceResult,
    pub duration: Duration,
    /// The failure's class ([`FetchError::class`]) when it failed.
    pub error_class: Option<&'static str>,
    pub pages: u64,
}

/// Collects `sources` concurrently, at most `options.max_concurrency` at a
/// time, and hands each result to `on_collected` (with the source's index
/// in `sources`) as soon as that source's fetch ends, so a caller can store
/// one source while others are still fetching. A source that fails or
/// passes its deadline comes back as [`SourceOutcome::Failed`]; the others
/// are unaffected. An error from `on_collected` stops the collection (the
/// fetches still running are abandoned) and is returned. `progress` holds
/// one entry per source, in order. `observed_at` is the observation time
/// recorded for every source, or `None` for each source's own start (a
/// caller with its own clock: the demo).
pub async fn collect<E>(
    sources: &[SourceConfig],
    options: &CollectOptions,
    fingerprinter: Arc<PskFingerprinter>,
    progress: &[Arc<SourceProgress>],
    known: &[Arc<KnownVersions>],
    observed_at: Option<Timestamp>,
    mut on_collected: impl FnMut(usize, Collected) -> Result<(), E>,
) -> Result<(), E> {
    let permits = Arc::new(Semaphore::new(options.max_concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for (index, source) in sources.iter().enumerate() {
        let source = source.clone();
        let options = options.clone();
        let fingerprinter = Arc::clone(&fingerprinter);
        let permits = Arc::clone(&permits);
        let progress = progress
            .get(index)
            .cloned()
            .unwrap_or_else(|| Arc::new(SourceProgress::default()));
        let known = known.get(index).cloned().unwrap_or_default();
        tasks.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = permits.acquire_owned().await.ok();
            let observed_at = observed_at.unwrap_or_else(Timestamp::now);
            let listing = Listing { observed_at, known };
            let collected =
                collect_source_knowing(&source, &options, &fingerprinter, &progress, listing).await;
            (index, collected)
        });
    }
    let mut reported = vec![false; sources.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, collected)) => {
                reported[index] = true;
                on_collected(index, collected)?;
            }
            Err(error) => tracing::error!("a collection task ended abnormally: {error}"),
        }
    }
    for (index, source) in sources.iter().enumerate() {
        if !reported[index] {
            let abnormal = failed(
                source,
                observed_at.unwrap_or_else(Timestamp::now),
                "the collection task ended abnormally",
                None,
                Duration::ZERO,
            );
            on_collected(index, abnormal)?;
        }
    }
    Ok(())
}

/// Collects one source under its deadline, observed now.
pub async fn collect_source(
    source: &SourceConfig,
    options: &CollectOptions,
    fingerprinter: &PskFingerprinter,
    progress: &SourceProgress,
) -> Collected {
    collect_source_at(source, options, fingerprinter, progress, Timestamp::now()).await
}

/// Collects one source under its deadline, recording `observed_at` as its
/// observation time.
pub async fn collect_source_at(
    source: &SourceConfig,
    options: &CollectOptions,
    fingerprinter: &PskFingerprinter,
    progress: &SourceProgress,
    observed_at: Timestamp,
) -> Collected {
    let listing = Listing {
        observed_at,
        known: Arc::default(),
    };
    collect_source_knowing(source, options, fingerprinter, progress, listing).await
}

/// When a source's listing is observed, and what the store holds of its
/// latest versions (to pass over the connections unchanged since).
struct Listing {
    observed_at: Timestamp,
    known: Arc<KnownVersions>,
}

async fn collect_source_knowing(
    source: &SourceConfig,
    options: &CollectOptions,
    fingerprinter: &PskFingerprinter,
    progress: &SourceProgress,
    Listing { observed_at, known }: Listing,
) -> Collected {
    let started = Instant::now();
    let context = ListingContext {
        source: source.name.clone(),
        kind: source.kind,
        region: Some(source.region.clone()),
        account: source.account.clone(),
        observed_at,
        fingerprinter: fingerprinter.clone(),
        limits: options.limits,
    };
    let fetched = tokio::time::timeout(
        options.source_deadline,
        fetch(source, options, progress, context, known),
    )
    .await
    .unwrap_or(Err(FetchError::Deadline(options.source_deadline)));
    let duration = started.elapsed();
    progress.finish();
    let result = fetched.and_then(|listing| Ok(listing.finish()?));
    match result {
        Ok(result) => {
            tracing::info!(
                "source {}: listed {} connections in {} pages, {:.1}s",
                source.name,
                progress.items(),
                progress.pages(),
                duration.as_secs_f64()
            );
            Collected {
                result,
                duration,
                error_class: None,
                pages: progress.pages(),
            }
        }
        Err(error) => {
            // Whatever a server echoed of the source's own credentials.
            let secrets: Vec<&str> = source
                .settings
                .secrets()
                .into_iter()
                .map(|secret| secret.expose_secret())
                .collect();
            let message = provider::scrub(&error.to_string(), &secrets);
            tracing::error!("source {}: {message}", source.name);
            let mut collected =
                failed(source, observed_at, &message, Some(error.class()), duration);
            collected.pages = progress.pages();
            if let SourceOutcome::Failed { item_count, .. } = &mut collected.result.outcome {
                *item_count = usize::try_from(progress.items()).unwrap_or(usize::MAX);
            }
            collected
        }
    }
}

async fn fetch(
    source: &SourceConfig,
    options: &CollectOptions,
    progress: &SourceProgress,
    listing_context: ListingContext,
    known: Arc<KnownVersions>,
) -> Result<ListingBuilder, FetchError> {
    // Pages are normalized as they come and spooled to disk, so the listing
    // holds neither the pages' JSON nor the connections in memory.
    let mut listing = ListingBuilder::streaming_knowing(listing_context, known)?;
    let client = build_client(&HttpOptions {
        timeout: options.request_timeout,
        max_response_bytes: options.max_response_bytes,
        ca_file: source.tls.ca_file.clone(),
        system_roots: source.tls.roots == TlsRoots::System,
    })?;
    let context = FetchContext {
        source,
        client,
        retry: options.retry,
        progress,
    };
    provider::fetch(&context, &mut listing).await?;
    Ok(listing)
}

fn failed(
    source: &SourceConfig,
    observed_at: Timestamp,
    error: &str,
    error_class: Option<&'static str>,
    duration: Duration,
) -> Collected {
    Collected {
        result: SourceResult {
            source: source.name.clone(),
            provider: source.kind,
            region: Some(source.region.clone()),
            account: source.account.clone(),
            observed_at,
            outcome: SourceOutcome::Failed {
                error: error.to_string(),
                item_count: 0,
            },
            warnings: Vec::new(),
        },
        duration,
        error_class,
        pages: 0,
    }
}
