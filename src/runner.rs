//! One collection run end to end, as `collect` and every tick of `run` do
//! it: take the database's collection lock, fetch the sources concurrently
//! and store each into the run's one write transaction (begun by the first)
//! as its listing ends, commit, write the metrics file. A shutdown signal
//! before the commit abandons the run: nothing is stored.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::collector::{self, CollectOptions, Collected};
use crate::config::{RuntimeSettings, SourceConfig};
use crate::exit::Exit;
use crate::fingerprint::PskFingerprinter;
use crate::http::RetryPolicy;
use crate::listing::ListingLimits;
use crate::lock::CollectionLock;
use crate::metrics::{self, RunMetrics, SourceMetrics};
use crate::progress::ProgressDisplay;
use crate::provider::SourceProgress;
use crate::shutdown::Shutdown;
use crate::store::{Outcome, RunKind, RunSummary, SourceSummary, Store};
use crate::time::Timestamp;

/// Everything one run needs.
#[derive(Debug)]
pub struct RunRequest {
    pub sources: Vec<SourceConfig>,
    pub database: PathBuf,
    pub options: CollectOptions,
    /// How long to wait for another collection's lock.
    pub wait: Duration,
    pub metrics_file: Option<PathBuf>,
    /// Every configured source's name: the metrics file covers them all,
    /// those `sources` leaves out with their last stored run.
    pub configured_sources: Vec<String>,
    /// Live progress lines on stderr (a terminal only).
    pub show_progress: bool,
    /// The run's clock: the observation time recorded for every source and
    /// the run's start, instead of now. `None` but for the demo, which
    /// records its runs an hour apart.
    pub observed_at: Option<Timestamp>,
}

/// The collection options the config's runtime keys give.
pub fn collect_options(settings: &RuntimeSettings) -> CollectOptions {
    CollectOptions {
        max_concurrency: settings.max_concurrency as usize,
        retry: RetryPolicy {
            max_retries: settings.max_retries,
            ..RetryPolicy::default()
        },
        request_timeout: Duration::from_secs(settings.timeout_seconds.into()),
        source_deadline: Duration::from_secs(settings.source_deadline_seconds.into()),
        max_response_bytes: settings.max_response_bytes.into(),
        limits: ListingLimits {
            max_pages: settings.max_pages.into(),
            max_objects: settings.max_objects.into(),
            max_referenced_bytes: settings.max_referenced_bytes.into(),
        },
    }
}

/// How a source's fetch went, beside what the store made of it.
#[derive(Debug, Clone, Copy)]
pub struct FetchReport {
    pub duration: Duration,
    pub error_class: Option<&'static str>,
    pub pages: u64,
}

/// What a finished run did.
#[derive(Debug)]
pub struct RunReport {
    pub summary: RunSummary,
    pub started_at: Timestamp,
    pub duration: Duration,
    /// In the order of `summary.sources`.
    pub fetches: Vec<FetchReport>,
    /// Why the metrics file could not be written after the run was stored.
    pub metrics_error: Option<String>,
}

impl RunReport {
    /// Sources whose listing failed.
    pub fn failed_sources(&self) -> usize {
        self.summary
            .sources
            .iter()
            .filter(|source| source.outcome == Outcome::Failed)
            .count()
    }

    /// How the run ends the process: every source ok, some failed (the
    /// others stored), or all failed (nothing stored but the failures);
    /// a metrics file that could not be written overrides the first two.
    pub fn exit(&self) -> Exit {
        let sources = match self.failed_sources() {
            0 => Exit::Success,
            failed if failed == self.summary.sources.len() => Exit::Failure,
            _ => Exit::SomeSourcesFailed,
        };
        match (&self.metrics_error, sources) {
            (Some(_), Exit::Success | Exit::SomeSourcesFailed) => Exit::MetricsFailed,
            _ => sources,
        }
    }
}

/// Why a run stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    #[error("interrupted while fetching: nothing from this run was stored")]
    Interrupted,
    #[error("starting the run: {0}")]
    Start(String),
    #[error("storing the run into {database}: {source}")]
    Store {
        database: PathBuf,
        source: crate::store::StoreError,
    },
}

impl RunError {
    /// Whether a shutdown request ended the run (while it waited for the
    /// lock or fetched): nothing was stored, and nothing is wrong.
    pub fn is_interrupted(&self) -> bool {
        matches!(
            self,
            RunError::Interrupted | RunError::Lock(crate::lock::LockError::Interrupted { .. })
        )
    }
}

/// Runs one collection; see the module docs.
pub fn collect_once(
    runtime: &tokio::runtime::Runtime,
    request: &RunRequest,
    fingerprinter: &Arc<PskFingerprinter>,
    shutdown: &Shutdown,
) -> Result<RunReport, RunError> {
    let _lock = CollectionLock::acquire_unless(&request.database, request.wait, || {
        shutdown.is_requested()
    })?;
    let store_error = |source| RunError::Store {
        database: request.database.clone(),
        source,
    };
    let mut store = Store::open(&request.database).map_err(store_error)?;
    // Read under the lock, so they stay the latest until the run is stored.
    let known = request
        .sources
        .iter()
        .map(|source| store.known_versions(&source.name).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()
        .map_err(store_error)?;

    let started_at = request.observed_at.unwrap_or_else(Timestamp::now);
    let clock = Instant::now();
    // One transaction for the whole run, begun by the first source to end,
    // so that each source is stored the moment its listing ends while the
    // others still fetch.
    let mut writer = store.begin_run(RunKind::Collect, started_at, fingerprinter);
    let progress: Vec<Arc<SourceProgress>> =
        request.sources.iter().map(|_| Arc::default()).collect();
    let display = request
        .show_progress
        .then(|| ProgressDisplay::start(runtime, &request.sources, &progress));
    let mut stored: Vec<Option<(SourceSummary, FetchReport)>> =
        request.sources.iter().map(|_| None).collect();
    let store_source = |index: usize, collected: Collected| {
        let summary = writer.write_source(&collected.result)?;
        let fetch = FetchReport {
            duration: collected.duration,
            error_class: collected.error_class,
            pages: collected.pages,
        };
        stored[index] = Some((summary, fetch));
        Ok(())
    };
    let collected = runtime.block_on(async {
        tokio::select! {
            collected = collector::collect(
                &request.sources,
                &request.options,
                Arc::clone(fingerprinter),
                &progress,
                &known,
                request.observed_at,
                store_source,
            ) => Some(collected),
            () = shutdown.requested() => None,
        }
    });
    if let Some(display) = display {
        display.finish();
    }
    // Interrupted (also while the last source was being written): dropping
    // the writer rolls the run back.
    collected
        .ok_or(RunError::Interrupted)?
        .map_err(store_error)?;
    if shutdown.is_requested() {
        return Err(RunError::Interrupted);
    }
    let finished_at = match request.observed_at {
        None => Timestamp::now(),
        Some(start) => start.checked_add(clock.elapsed()).unwrap_or(start),
    };
    let run_id = writer.commit(finished_at).map_err(store_error)?;
    let (sources, fetches): (Vec<_>, Vec<_>) = stored.into_iter().flatten().unzip();
    let summary = RunSummary { run_id, sources };
    let mut report = RunReport {
        summary,
        started_at,
        duration: clock.elapsed(),
        fetches,
        metrics_error: None,
    };
    if let Some(path) = &request.metrics_file
        && let Err(error) = write_metrics(&store, request, path, &report)
    {
        let error = format!("writing the metrics file {}: {error}", path.display());
        tracing::error!("{error}");
        report.metrics_error = Some(error);
    }
    Ok(report)
}

/// Writes the metrics file. A failure leaves the stored run as it is; the
/// caller turns it into [`Exit::MetricsFailed`].
fn write_metrics(
    store: &Store,
    request: &RunRequest,
    path: &std::path::Path,
    report: &RunReport,
) -> std::io::Result<()> {
    let last_successes = store.last_successes().unwrap_or_else(|error| {
        tracing::warn!("reading last successes for the metrics: {error}");
        Default::default()
    });
    // Configured sources this run left out keep their last stored figures,
    // so a `--source` run does not make the others vanish from monitoring.
    let left_out: Vec<SourceSummary> = request
        .configured_sources
        .iter()
        .filter(|name| {
            !report
                .summary
                .sources
                .iter()
                .any(|source| &source.source == *name)
        })
        .filter_map(|name| match store.last_source_summary(name) {
            Ok(summary) => summary,
            Err(error) => {
                tracing::warn!("reading the last run of source {name} for the metrics: {error}");
                None
            }
        })
        .collect();
    let collected = report
        .summary
        .sources
        .iter()
        .zip(&report.fetches)
        .map(|(summary, fetch)| (summary, Some(fetch.duration)));
    let stored = left_out.iter().map(|summary| (summary, None));
    let run = RunMetrics {
        finished_at: Timestamp::now(),
        duration: report.duration,
        exit: report.exit(),
        sources: collected
            .chain(stored)
            .map(|(summary, duration)| SourceMetrics {
                summary,
                duration,
                last_success: last_successes.get(&summary.source).copied(),
            })
            .collect(),
    };
    metrics::write(path, &run)
}
