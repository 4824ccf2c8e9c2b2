//! Command-line interface: clap derive types only.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::exit::Exit;
use crate::provider::ProviderKind;
use crate::query::Format;
use crate::time::Timestamp;

/// Keeps the versioned history of your cloud VPN (IPsec) connections in SQLite.
#[derive(Debug, Parser)]
#[command(name = "vpnsnap", version, after_help = Exit::help())]
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

    /// Only errors on stderr; collect and run print a run's summary only when a source failed
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Colour in log lines and help: auto (a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = clap::ColorChoice::Auto)]
    pub color: clap::ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole job on built-in simulators: collect a scripted history, answer the main questions
    Demo(DemoArgs),
    /// Keep the four provider simulators running, with a config that points at them
    Simulate(SimulateArgs),
    /// Fetch every configured source (or the named ones) and store one run
    Collect(CollectArgs),
    /// Collect on a schedule until stopped (SIGINT/SIGTERM)
    Run(RunArgs),
    /// Ingest saved API responses of one source as one run
    Import(ImportArgs),
    /// Work with the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Answer a named question about the history (see --list)
    Query(QueryArgs),
    /// Run one read-only SQL statement against the database
    Sql(SqlArgs),
    /// Print a shell's completion script on stdout
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout
    #[command(after_help = "Example: vpnsnap man > /usr/local/share/man/man1/vpnsnap.1")]
    Man,
    /// Write a self-contained HTML timeline of a window: statuses, outages, changes, collector runs
    Report(ReportArgs),
}

/// `vpnsnap completions`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  vpnsnap completions bash > /etc/bash_completion.d/vpnsnap
  vpnsnap completions zsh > \"${fpath[1]}/_vpnsnap\"
  vpnsnap completions fish > ~/.config/fish/completions/vpnsnap.fish")]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Several files are one listing of the source (its pages). The listing proves deletions only
when every connection file is a list body; single-object bodies are stored without
inferring anything about other connections. While a collection holds the database, the
import waits up to --wait (default 0), then exits 4.

Times (--observed-at) are RFC 3339 (2026-11-22T10:15:00Z), a date (2026-11-22, midnight UTC),
SQLite's 2026-11-22 10:15:00 (UTC), now, or a span before now (2h, 1h30m, 90m, 3 days ago).
Durations (--wait) are a span (5m, 30s, 1h30m) or plain seconds (300).

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

    /// When the responses were taken (see Times below) [default: now]
    #[arg(long, value_name = "TIME", value_parser = parse_time_before_now)]
    pub observed_at: Option<Timestamp>,

    /// Region to record; defaults to the source's configured region
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Account (project, tenant or app id) to record; defaults to the configured one
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,

    /// Wait this long for a collection on the same database, then exit 4 (5m, 30s, 300)
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    pub wait: Duration,

    /// Saved response bodies (JSON)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Sources are fetched concurrently, then stored as one run. A source that fails is
recorded as failed; nothing is inferred about its connections. SIGINT/SIGTERM while
waiting for the database or fetching stops the run: nothing of it is stored (exit 1).

With -q, a run in which every source is ok prints nothing; otherwise the summary goes
to stderr (for cron, which mails any output).

Exit codes: 0 every source ok, 3 some sources failed and the others were stored,
1 nothing could be stored, 2 usage or configuration error, 4 the database is held
by another collection, 5 the run was stored but the metrics file could not be written.

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

    /// Wait this long for another collection on the same database, then exit 4 (5m, 30s, 300)
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    pub wait: Duration,

    /// Write Prometheus textfile metrics here after every run; overrides metrics_file
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
}

/// `vpnsnap run`: the scheduler.
#[derive(Debug, Args)]
#[command(after_help = "\
Collects on the config's `schedule` (cron syntax, seconds first), or --schedule. A tick
that comes while a run is still going is skipped and logged; runs never overlap.
SIGINT/SIGTERM stops fetching, stores nothing partial and exits 0. A metrics file that
cannot be written stops the scheduler with exit 5. With -q, only runs in which a source
failed print their summary (on stderr).

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

/// `vpnsnap demo`.
#[derive(Debug, Args)]
#[command(after_help = "\
Starts simulated Huawei Cloud, OpenStack (Keystone + Neutron), Tencent Cloud API 3.0 and
legacy endpoints on 127.0.0.1, writes a config for them (vpnsnap-demo.toml, secrets in
vpnsnap-demo.toml.secrets/), runs the collections through the real collectors and store with
scripted changes between runs, recorded as observed an hour apart (the last now), then prints the current estate, status changes, outages, policy
changes and weak crypto. Without --db it replaces ./vpnsnap-demo.db; a --db that exists is refused.")]
pub struct DemoArgs {
    /// Collections to run (the scripted changes come before runs 2 to 6)
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub runs: u16,
}

/// `vpnsnap simulate`.
#[derive(Debug, Args)]
#[command(after_help = "\
Example: vpnsnap simulate --scale 5000 --latency 20 --config-out bench.toml
then, in another terminal: vpnsnap --config bench.toml collect")]
pub struct SimulateArgs {
    /// Where to write the config for the simulators [default: ./vpnsnap-sim.toml]
    #[arg(long, value_name = "PATH")]
    pub config_out: Option<PathBuf>,

    /// Generated connections per provider [default: the demo's small estates]
    #[arg(long, value_name = "N")]
    pub scale: Option<usize>,

    /// Milliseconds added to every answer
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
}

/// How `collect` prints its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// One line per source
    Text,
    /// One JSON object
    Json,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Each question is a file of queries/ built into vpnsnap; --list shows them with their
parameters (as text, or --format json|ndjson|csv). --file runs your own file of the same shape: a header comment describing it, then
one line per named parameter (-- :name text|time|connection|status|integer [required] what),
then one read-only SQL statement using :name.

Times are RFC 3339 (2026-11-22T10:15:00Z), a date (2026-11-22, midnight UTC), SQLite's
2026-11-22 10:15:00 (UTC), now, or a span before now (2h, 1h30m, 90m, 1 hour ago, 3 days ago,
1w); output times are RFC 3339 UTC with milliseconds (2026-11-22T10:15:00.000Z). A connection is its provider id
or its name: an exact match first, then a unique part of either.

Output: --format table when stdout is a terminal, json otherwise.

Examples:
  vpnsnap query --list
  vpnsnap query outages --connection vpn-1655 --since 3d
  vpnsnap query status-changes --to DOWN --since 2h --format csv
  vpnsnap query as-of --at 2026-11-17T12:00:00Z --source hw-prod
  vpnsnap query diff --from 2026-11-20 --to now
  vpnsnap query --file my.sql --param region=cn-north-4")]
pub struct QueryArgs {
    /// The question to answer
    #[arg(value_name = "NAME", required_unless_present_any = ["list", "file"], conflicts_with_all = ["list", "file"])]
    pub name: Option<String>,

    /// List the questions with their parameters
    #[arg(long)]
    pub list: bool,

    /// Run your own question file instead of a named one
    #[arg(long, value_name = "PATH", conflicts_with = "list")]
    pub file: Option<PathBuf>,

    /// A parameter of the question (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,

    /// Same as --param connection=ID_OR_NAME
    #[arg(long, value_name = "ID_OR_NAME")]
    pub connection: Option<String>,

    /// Same as --param source=NAME
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,

    /// Same as --param status=STATUS
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,

    /// Same as --param since=TIME
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Same as --param until=TIME
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Same as --param at=TIME
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// Same as --param from=VALUE (a time for diff, a status for status-changes)
    #[arg(long, value_name = "VALUE")]
    pub from: Option<String>,

    /// Same as --param to=VALUE (a time for diff, a status for status-changes)
    #[arg(long, value_name = "VALUE")]
    pub to: Option<String>,

    /// Same as --param limit=N
    #[arg(long, value_name = "N")]
    pub limit: Option<String>,

    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

impl QueryArgs {
    /// Every parameter given, the friendly flags as `--param`s.
    pub fn all_params(&self) -> Vec<(String, String)> {
        let mut params = self.params.clone();
        for (name, value) in self.flags() {
            if let Some(value) = value {
                params.push((name.to_string(), value.clone()));
            }
        }
        params
    }

    /// Whether parameter `name` was given by its own flag (`--since`), not `--param`.
    pub fn flag_given(&self, name: &str) -> bool {
        self.flags()
            .iter()
            .any(|(flag, value)| *flag == name && value.is_some())
    }

    fn flags(&self) -> [(&'static str, &Option<String>); 9] {
        [
            ("connection", &self.connection),
            ("source", &self.source),
            ("status", &self.status),
            ("since", &self.since),
            ("until", &self.until),
            ("at", &self.at),
            ("from", &self.from),
            ("to", &self.to),
            ("limit", &self.limit),
        ]
    }
}

#[derive(Debug, Args)]
#[command(after_help = "\
The database is opened read-only (and query_only): any write, schema change, ATTACH/DETACH,
transaction or PRAGMA that changes state is refused, and the database is left untouched.
SQL errors show SQLite's message with the line and column. The analyst views
(current_connections, connection_versions, connection_changes, connection_events) are
described in the README.

Output: --format table when stdout is a terminal, json otherwise.

Examples:
  vpnsnap sql \"SELECT source, count(*) FROM current_connections GROUP BY source\"
  vpnsnap sql --format csv \"SELECT * FROM connection_changes WHERE field = 'status'\"")]
pub struct SqlArgs {
    /// One SQL statement
    #[arg(value_name = "SQL")]
    pub sql: String,

    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config and print it resolved, secrets shown as ***
    Check,
}

fn parse_kind(text: &str) -> Result<ProviderKind, String> {
    text.parse()
}

/// A time in the one vocabulary, spans counting back from now.
fn parse_time_before_now(text: &str) -> Result<Timestamp, String> {
    crate::time::parse_time(text, Timestamp::now())
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::time::parse_duration(text)
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("{text:?} is not NAME=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn a_bad_command_line_exits_as_a_usage_error() {
        let error = Cli::try_parse_from(["vpnsnap", "--no-such-flag"]).unwrap_err();
        assert_eq!(error.exit_code(), i32::from(Exit::Usage.code()));
    }

    /// collect's help words the codes its own way; its numbers are Exit's.
    #[test]
    fn collect_help_names_the_exit_codes_collect_ends_with() {
        let command = Cli::command();
        let help = command
            .find_subcommand("collect")
            .and_then(|collect| collect.get_after_help())
            .map(|help| help.to_string())
            .unwrap_or_default();
        let (_, codes) = help.split_once("Exit codes: ").unwrap_or_default();
        let (codes, _) = codes.split_once(".\n").unwrap_or_default();
        let mut named: Vec<&str> = codes
            .split(',')
            .filter_map(|part| part.split_whitespace().next())
            .collect();
        named.sort();
        let mut expected: Vec<String> = [
            Exit::Success,
            Exit::Failure,
            Exit::Usage,
            Exit::SomeSourcesFailed,
            Exit::Busy,
            Exit::MetricsFailed,
        ]
        .map(|exit| exit.code().to_string())
        .to_vec();
        expected.sort();
        assert_eq!(named, expected);
    }
}

/// `vpnsnap report`.
#[derive(Debug, Args)]
#[command(after_help = "\
One HTML file, readable offline: a status band per connection (grouped by source) with the
uncertain start and end of each outage hatched, created/deleted/recreated and change markers
(tooltips give old -> new), each source's collector runs (failed ones with their error), then
tables of outages, changes and weak crypto at the window's end. Times as for query: RFC3339, a
date, now, or a time before now (30m, 2h, 3d ago, 1w). The database is only read.

Examples:
  vpnsnap report -o incident-4711.html
  vpnsnap report --since 2026-11-20T08:00:00Z --until 2026-11-20T14:00:00Z --source hw-prod
  vpnsnap report --since 7d --connection vpn-1655 --connection vpn-1656")]
pub struct ReportArgs {
    /// The window's start [default: 24 hours before --until]
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// The window's end [default: now]
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Only this source (repeatable)
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,

    /// Only this connection, by provider id or name (repeatable)
    #[arg(long = "connection", value_name = "ID_OR_NAME")]
    pub connections: Vec<String>,

    /// Where to write the page
    #[arg(short, long, value_name = "PATH", default_value = "report.html")]
    pub output: PathBuf,
}
