//! The `vpnsnap` binary: parse the command line, set up logging, run, and
//! turn the outcome into an exit code.

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use vpnsnap::cli::Cli;
use vpnsnap::cmd::{self, UsageError};
use vpnsnap::config::ConfigError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match cmd::run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error
                .chain()
                .any(|cause| cause.is::<UsageError>() || cause.is::<ConfigError>())
            {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// `vpnsnap ... | head` closing the pipe early is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == ErrorKind::BrokenPipe)
}
