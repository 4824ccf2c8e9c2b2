//! The `vpnsnap` binary: parse the command line, set up logging, run, and
//! turn the outcome into an [`Exit`], deciding here, once, what an error
//! means for it.

use std::io::{ErrorKind, IsTerminal};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

use vpnsnap::cli::Cli;
use vpnsnap::cmd::{self, UsageError};
use vpnsnap::color;
use vpnsnap::config::ConfigError;
use vpnsnap::exit::Exit;
use vpnsnap::lock::LockError;
use vpnsnap::progress::LogWriter;
use vpnsnap::runner::RunError;
use vpnsnap::store::StoreError;
use vpnsnap::time::Timestamp;

fn main() -> ExitCode {
    // clap writes help and errors before `--color` is parsed: it is read
    // first, so that they follow it too.
    let color = color::asked(std::env::args_os().skip(1));
    let cli = Cli::command()
        .color(color)
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
        .unwrap_or_else(|error| error.exit());
    init_logging(&cli);
    let exit = match cmd::run(cli) {
        Ok(exit) => exit,
        Err(error) if is_broken_pipe(&error) => Exit::Success,
        Err(error) => {
            eprintln!("error: {}", chain_once(&error));
            exit_for(&error)
        }
    };
    exit.into()
}

fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        // The migration library's "no migrations to apply" on every run is
        // not news.
        (false, 1) => "info,refinery_core=warn",
        (false, _) => "debug,refinery_core=warn,hyper_util=info",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        // stderr, around the progress lines when they are drawn.
        .with_writer(|| LogWriter)
        // Colours on a terminal only (not as escape codes in log files and
        // the journal), unless --color says otherwise.
        .with_ansi(color::wanted(
            cli.color,
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .with_target(false)
        .with_timer(LogTime)
        .init();
}

/// Log lines carry their time as every output time is written: RFC 3339
/// UTC with milliseconds (the default timer writes microseconds).
struct LogTime;

impl FormatTime for LogTime {
    fn format_time(&self, out: &mut Writer<'_>) -> std::fmt::Result {
        write!(out, "{}", Timestamp::now())
    }
}

/// What an error means for the exit code: a usage or configuration error,
/// another collection holding the database, else a failure.
fn exit_for(error: &anyhow::Error) -> Exit {
    for cause in error.chain() {
        if cause.is::<UsageError>() || cause.is::<ConfigError>() {
            return Exit::Usage;
        }
        // An identity refused by the store: the user's to fix, like usage.
        if let Some(StoreError::IdentityChanged { .. }) = cause.downcast_ref::<StoreError>() {
            return Exit::Usage;
        }
        if let Some(RunError::Lock(LockError::Busy { .. })) = cause.downcast_ref::<RunError>() {
            return Exit::Busy;
        }
        if let Some(LockError::Busy { .. }) = cause.downcast_ref::<LockError>() {
            return Exit::Busy;
        }
    }
    Exit::Failure
}

/// The error and its causes, `: `-separated as `{:#}` writes them, but each
/// cause only once: many errors already quote their source in their own
/// message (`cannot read: {source}`), which `{:#}` would repeat (tested
/// through the binary in tests/messages.rs).
fn chain_once(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// `vpnsnap ... | head` closing the pipe early is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == ErrorKind::BrokenPipe)
}
