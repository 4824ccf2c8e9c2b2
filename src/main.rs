//! The `vpnsnap` binary: parse the command line, set up logging, run, and
//! turn the outcome into an exit code.

use std::io::{ErrorKind, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use vpnsnap::cli::Cli;
use vpnsnap::cmd::{self, UsageError};
use vpnsnap::config::ConfigError;
use vpnsnap::lock::LockError;
use vpnsnap::progress::LogWriter;
use vpnsnap::runner::RunError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match cmd::run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code_of(&error))
        }
    }
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
        // Colours on a terminal only: not as escape codes in log files and
        // the journal.
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

/// 2 for usage and configuration errors, 4 when another collection holds
/// the database, 1 for everything else.
fn exit_code_of(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<UsageError>() || cause.is::<ConfigError>() {
            return 2;
        }
        if let Some(RunError::Lock(LockError::Busy { .. })) = cause.downcast_ref::<RunError>() {
            return 4;
        }
        if let Some(LockError::Busy { .. }) = cause.downcast_ref::<LockError>() {
            return 4;
        }
    }
    1
}

/// `vpnsnap ... | head` closing the pipe early is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == ErrorKind::BrokenPipe)
}
