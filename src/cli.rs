//! Command-line interface: clap derive types only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::provider::ProviderKind;
use crate::time::Timestamp;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (collect: every source ok)
  1  failure: nothing could be stored
  2  usage or configuration error
  3  collect: some sources failed, the others were stored
  4  collect: another collection holds the database and --wait ran out";

/// Keeps the versioned history of your cloud VPN (IPsec) connections in SQLite.
#[derive(Debug, Parser)]
#[command(name = "vpnsnap", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Config file [default: ./vpnsnap.toml]
    #[arg(long, global = true, value_name = "PATH", env = "VPNSNAP_CONFIG")]
    pub config: Option<PathBuf>,

    /// Database file; overrides `database` in the config
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// More detail on stderr (-v, -vv); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every configured source (or the named ones) and store one run
    Collect(CollectArgs),
    /// Collect on a schedule until stopped (SIGINT/SIGTERM)
    Run(RunArgs),
    /// Ingest saved API responses of one source as one run
    Import(ImportArgs),
    /// Work with the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Args)]
#[command(after_help = "\
Several files are one listing of the source (its pages). The listing proves deletions only
when every connection file is a list body; single-object bodies are stored without
inferring anything about other connections.

Examples:
  vpnsnap --db vpn.db import --source hw-prod --kind huaweicloud page1.json page2.json
  vpnsnap import --source os-lab --observed-at 2026-11-20T08:00:00Z conns.json ikepolicies.json ipsecpolicies.json")]
pub struct ImportArgs {
    /// The source's name: its identity in history ([a-z0-9_-]+)
    #[arg(long, value_name = "NAME")]
    pub source: String,

    /// Provider kind; needed when the source is not in the config
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<ProviderKind>,

    /// When the responses were taken (RFC3339) [default: now]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub observed_at: Option<Timestamp>,

    /// Region to record; defaults to the source's configured region
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Account (project, tenant or app id) to record; defaults to the configured one
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,

    /// Saved response bodies (JSON)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Sources are fetched concurrently, then stored as one run. A source that fails is
recorded as failed; nothing is inferred about its connections. SIGINT/SIGTERM while
waiting for the database or fetching stops the run: nothing of it is stored (exit 1).

Exit codes: 0 every source ok, 3 some sources failed and the others were stored,
1 nothing could be stored, 2 usage or configuration error, 4 the database is held
by another collection.

Examples:
  vpnsnap collect
  vpnsnap collect --source hw-cn-north-4 --source os-lab --format json")]
pub struct CollectArgs {
    #[command(flatten)]
    pub run: CollectionArgs,
}

/// What `collect` and `run` share: which sources, how long to wait for the
/// database, where the summary and metrics go.
#[derive(Debug, Args)]
pub struct CollectionArgs {
    /// Collect only this source (repeatable) [default: every source]
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,

    /// How the run summary is printed on stdout
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,

    /// Wait this long for another collection on the same database, then exit 4
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,

    /// Write Prometheus textfile metrics here after every run; overrides metrics_file
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
}

/// `vpnsnap run`: the scheduler.
#[derive(Debug, Args)]
#[command(after_help = "\
Collects on the config's `schedule` (cron syntax, seconds first), or --schedule. A tick
that comes while a run is still going is skipped and logged; runs never overlap.
SIGINT/SIGTERM stops fetching, stores nothing partial and exits 0.

Examples:
  vpnsnap run
  vpnsnap run --schedule \"0 */5 * * * *\" --metrics-file /var/lib/node_exporter/vpnsnap.prom
  vpnsnap run --once        # one collection, exit code as for collect")]
pub struct RunArgs {
    /// Cron expression (seconds first) instead of the config's schedule
    #[arg(long, value_name = "CRON")]
    pub schedule: Option<String>,

    /// Run one collection now and exit with collect's exit code
    #[arg(long)]
    pub once: bool,

    #[command(flatten)]
    pub run: CollectionArgs,
}

/// How `collect` prints its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// One line per source
    Text,
    /// One JSON object
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config and print it resolved, secrets shown as ***
    Check,
}

fn parse_kind(text: &str) -> Result<ProviderKind, String> {
    text.parse()
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(text)
}
