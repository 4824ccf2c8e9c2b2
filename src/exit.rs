//! Every exit code vpnsnap ends with, its number and what it means: the one
//! list that `--help`, the binary's `main`, the run summary and the metrics
//! file take their numbers from. Imports nothing from the crate.

use std::fmt::Write as _;
use std::process::ExitCode;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done; for a collection, every source is ok.
    Success,
    /// Nothing could be stored: any error, and a collection in which every
    /// source failed (the run records the failures, nothing else).
    Failure,
    /// A mistake in how vpnsnap was called or configured (clap's own code
    /// for a bad command line too).
    Usage,
    /// A collection in which some sources failed; the others were stored.
    SomeSourcesFailed,
    /// Another collection holds the database and `--wait` ran out.
    Busy,
    /// A collection was stored but its metrics file could not be written:
    /// alerting would read a stale file. Takes precedence over
    /// [`Exit::Success`] and [`Exit::SomeSourcesFailed`].
    MetricsFailed,
    /// A second SIGINT/SIGTERM while stopping: the process exits at once,
    /// storing nothing of the run. 128 + SIGINT, as a shell reports a
    /// process its signal ended; not listed in `--help`.
    Aborted,
}

impl Exit {
    /// The codes `--help` lists, in order.
    const LISTED: [Exit; 6] = [
        Exit::Success,
        Exit::Failure,
        Exit::Usage,
        Exit::SomeSourcesFailed,
        Exit::Busy,
        Exit::MetricsFailed,
    ];

    /// The process exit code.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::SomeSourcesFailed => 3,
            Exit::Busy => 4,
            Exit::MetricsFailed => 5,
            Exit::Aborted => 130,
        }
    }

    /// What the code means, as `--help` says it.
    pub const fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success (collect: every source ok)",
            Exit::Failure => "failure: nothing could be stored",
            Exit::Usage => "usage or configuration error",
            Exit::SomeSourcesFailed => "collect: some sources failed, the others were stored",
            Exit::Busy => "collect, import: another collection holds the database (--wait ran out)",
            Exit::MetricsFailed => {
                "collect, run: the run was stored but the metrics file could not be written"
            }
            Exit::Aborted => "a second SIGINT/SIGTERM: stopped at once, nothing of the run stored",
        }
    }

    /// The "Exit codes:" section of `vpnsnap --help`.
    pub fn help() -> String {
        let mut text = String::from("Exit codes:");
        for exit in Exit::LISTED {
            let _ = write!(text, "\n  {}  {}", exit.code(), exit.meaning());
        }
        text
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_the_codes_in_order_with_their_meanings() {
        assert_eq!(
            Exit::help(),
            "\
Exit codes:
  0  success (collect: every source ok)
  1  failure: nothing could be stored
  2  usage or configuration error
  3  collect: some sources failed, the others were stored
  4  collect, import: another collection holds the database (--wait ran out)
  5  collect, run: the run was stored but the metrics file could not be written"
        );
    }

    #[test]
    fn aborted_is_128_plus_sigint() {
        assert_eq!(Exit::Aborted.code(), 128 + 2);
    }
}
