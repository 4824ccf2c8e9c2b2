//! `vpnsnap demo`: the whole job on the built-in simulators in one command:
//! start them, collect a scripted history through the real collectors and
//! store, then print the answers to the main questions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use super::UsageError;
use crate::cli::{Cli, DemoArgs};
use crate::collector::CollectOptions;
use crate::demo::{Scale, Simulators, script};
use crate::exit::Exit;
use crate::http::RetryPolicy;
use crate::query::{self, Format, QueryDb};
use crate::runner::{self, RunRequest};
use crate::shutdown::Shutdown;
use crate::time::Timestamp;
use crate::timeline::{self, Request};

/// The database the demo writes unless `--db` names another.
pub const DEFAULT_DATABASE: &str = "vpnsnap-demo.db";

/// How far apart the demo records its runs.
const RUN_INTERVAL: Duration = Duration::from_secs(3600);

/// The questions the demo answers at the end, in order.
const QUESTIONS: [(&str, &str); 5] = [
    ("The estate now", "current"),
    ("Status changes", "status-changes"),
    ("Outages", "outages"),
    ("IKE/IPsec policy and PSK changes", "policy-changes"),
    ("Weak crypto in the live estate", "weak-crypto"),
];

pub fn run(cli: &Cli, args: &DemoArgs) -> Result<Exit> {
    let database = match &cli.db {
        Some(path) if path.exists() => {
            return Err(UsageError(format!(
                "{} exists: the demo writes a fresh database; pass a new --db PATH",
                path.display()
            ))
            .into());
        }
        Some(path) => {
            // The demo writes its config and secrets beside the database.
            let config = path.with_extension("toml");
            if let Some(existing) = crate::demo::files_written(&config)
                .into_iter()
                .find(|file| file.exists())
            {
                return Err(UsageError(format!(
                    "{} exists: the demo writes its config and secrets beside the database \
                     and never overwrites a file; pass a --db PATH whose .toml does not exist",
                    existing.display()
                ))
                .into());
            }
            if report_path(path).exists() {
                return Err(UsageError(format!(
                    "{} exists: the demo writes its report beside the database and never \
                     overwrites a file; pass another --db PATH",
                    report_path(path).display()
                ))
                .into());
            }
            path.clone()
        }
        None => {
            let path = PathBuf::from(DEFAULT_DATABASE);
            remove_previous_demo(&path)?;
            path
        }
    };
    let database = std::path::absolute(&database).unwrap_or(database);
    let config_path = database.with_extension("toml");
    let mut out = std::io::stdout().lock();

    let sims = Simulators::start(Scale::Demo).context("starting the simulators")?;
    sims.write_config(&config_path, &database, "")
        .with_context(|| format!("writing {}", config_path.display()))?;
    let env = |name: &str| std::env::var(name).ok();
    let config = crate::config::load(&config_path, &env)?;
    let fingerprinter = Arc::new(super::fingerprinter(Some(&config), &database)?);
    writeln!(
        out,
        "vpnsnap demo: Huawei Cloud, OpenStack (Keystone + Neutron), Tencent Cloud API 3.0 and \
         legacy simulators on 127.0.0.1;\n{} runs into {}\n",
        args.runs,
        database.display()
    )?;

    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let shutdown = Shutdown::on_signals(&runtime);
    let mut request = RunRequest {
        sources: config.sources.clone(),
        database: database.clone(),
        options: CollectOptions {
            max_concurrency: 4,
            retry: RetryPolicy {
                max_retries: 1,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(200),
            },
            request_timeout: Duration::from_secs(5),
            source_deadline: Duration::from_secs(30),
            max_response_bytes: crate::http::DEFAULT_MAX_RESPONSE_BYTES,
            limits: crate::listing::ListingLimits::default(),
        },
        wait: Duration::ZERO,
        metrics_file: None,
        show_progress: false,
        configured_sources: Vec::new(),
        observed_at: None,
    };
    // The demo's clock: its runs are recorded an hour apart, the last now,
    // so that outages last hours and `--since 2h` or `--at "3 hours ago"`
    // pick out part of the story. Only the recorded time is the demo's; the
    // collectors talk to the simulators as they would to a cloud.
    let now = Timestamp::now();
    let runs = usize::from(args.runs);
    for run in 1..=runs {
        for change in script::before_run(&sims, run) {
            writeln!(out, "  change: {change}")?;
        }
        let hours_before = u64::try_from(runs - run).unwrap_or(u64::MAX);
        let observed_at = hours_before
            .checked_mul(RUN_INTERVAL.as_secs())
            .and_then(|seconds| now.checked_sub(Duration::from_secs(seconds)))
            .ok_or_else(|| anyhow::anyhow!("{runs} runs an hour apart reach before year 0"))?;
        request.observed_at = Some(observed_at);
        let report = runner::collect_once(&runtime, &request, &fingerprinter, &shutdown)?;
        writeln!(
            out,
            "run {run} at {observed_at}: {}",
            report
                .summary
                .sources
                .iter()
                .map(|source| match &source.error {
                    Some(_) => format!("{} FAILED", source.source),
                    None => format!(
                        "{} {} conns/{} new versions",
                        source.source,
                        source.items,
                        source.versions_written()
                    ),
                })
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    drop(sims);
    drop(runtime);

    let db = QueryDb::open(&database)?;
    for (title, name) in QUESTIONS {
        writeln!(
            out,
            "\n== {title}: vpnsnap --db {} query {name}",
            shown(&database)
        )?;
        let question = query::find(name)?;
        let table = query::run(&db, &question, &[], Timestamp::now())?;
        query::write(&mut out, &table, Format::Table)?;
    }
    let report = write_report(&db, &database)?;
    writeln!(
        out,
        "\n== The timeline: {} (open it in a browser)",
        shown(&report)
    )?;
    writeln!(
        out,
        "\nExplore further:\n  \
         vpnsnap --db {db} query --list\n  \
         vpnsnap --db {db} query history --connection vpn-new-branch\n  \
         vpnsnap --db {db} query changes --since 2h --format json\n  \
         vpnsnap --db {db} query as-of --at \"3 hours ago\"\n  \
         vpnsnap --db {db} query diff --from \"4 hours ago\" --to now\n  \
         vpnsnap --db {db} sql \"SELECT source, name, status, last_seen FROM current_connections\"\n  \
         sqlite3 {db} \"SELECT observed_at, source, name, event, changed_fields FROM connection_events ORDER BY observed_at\"\n\
         The simulators stopped with the demo; `vpnsnap simulate` keeps them running for collect and run.",
        db = shown(&database)
    )?;
    Ok(Exit::Success)
}

/// Writes the report of the whole recorded history beside the database
/// (`vpnsnap-demo-report.html` for the default one); returns its path.
fn write_report(db: &QueryDb, database: &Path) -> Result<PathBuf> {
    let path = report_path(database);
    let now = Timestamp::now();
    let (first, last) = timeline::recorded_span(db, now)?.unwrap_or((now, now));
    // A margin of 2% each side, so that the first and last runs show.
    let span = last.datetime() - first.datetime();
    let margin = if span > chrono::TimeDelta::zero() {
        span / 50
    } else {
        chrono::TimeDelta::seconds(1)
    };
    let request = Request {
        since: Timestamp::from_datetime(first.datetime() - margin),
        until: Timestamp::from_datetime(last.datetime() + margin),
        sources: Vec::new(),
        connections: Vec::new(),
        database: shown(database),
        generated_at: now,
    };
    let report = timeline::render(db, &request)?;
    std::fs::write(&path, report.html)
        .with_context(|| format!("writing the report {}", path.display()))?;
    Ok(path)
}

/// The report beside the database: `vpnsnap-demo-report.html` for
/// `vpnsnap-demo.db`.
fn report_path(database: &Path) -> PathBuf {
    let stem = database
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vpnsnap-demo".into());
    database.with_file_name(format!("{stem}-report.html"))
}

/// The database as the user would type it: relative to the current folder
/// when inside it.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|dir| path.strip_prefix(dir).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The default demo database is the demo's own: a previous one (and its
/// WAL, key and lock files) is replaced.
fn remove_previous_demo(database: &Path) -> Result<()> {
    let files = ["", "-wal", "-shm", ".fingerprint-key", ".lock"].map(|suffix| {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    });
    // The previous default demo's own config and secrets, too.
    let config = database.with_extension("toml");
    let written = crate::demo::files_written(&config);
    for path in files
        .into_iter()
        .chain(written)
        .chain([report_path(database)])
    {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("removing the previous {}", path.display()));
            }
        }
    }
    Ok(())
}
