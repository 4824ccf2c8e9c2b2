//! `vpnsnap run`: collect on the schedule until SIGINT/SIGTERM, or once
//! with `--once`.

use anyhow::{Context, Result};

use super::{UsageError, collect_now, prepare_collection, print_report};
use crate::cli::{Cli, RunArgs, SummaryFormat};
use crate::config::parse_schedule;
use crate::exit::Exit;
use crate::runner;
use crate::scheduler::{self, Stopped};
use crate::shutdown::Shutdown;
use crate::time::Timestamp;

pub fn run(cli: &Cli, args: &RunArgs) -> Result<Exit> {
    let prepared = prepare_collection(cli, &args.run)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let shutdown = Shutdown::on_signals(&runtime);
    let format = args.run.format;
    let quiet = cli.quiet;
    if args.once {
        return collect_now(&runtime, &prepared, &shutdown, format, quiet);
    }
    let schedule = match (&args.schedule, &prepared.config.schedule) {
        (Some(expression), _) => parse_schedule(expression)
            .map_err(|reason| UsageError(format!("--schedule {reason}")))?,
        (None, Some(schedule)) => schedule.clone(),
        (None, None) => {
            return Err(UsageError(format!(
                "no schedule: set `schedule` in {} or pass --schedule \"CRON\"",
                prepared.config.path.display()
            ))
            .into());
        }
    };
    // Why the scheduler stopped before a signal, if it did.
    let mut failed: Option<Exit> = None;
    let stopped = scheduler::run_on_schedule(
        &runtime,
        &schedule,
        &shutdown,
        |next| {
            if quiet {
                return;
            }
            match format {
                SummaryFormat::Text => println!("next run at {}", Timestamp::from_datetime(next)),
                SummaryFormat::Json => eprintln!("next run at {}", Timestamp::from_datetime(next)),
            }
        },
        |_| {
            let result = runner::collect_once(
                &runtime,
                &prepared.request,
                &prepared.fingerprinter,
                &shutdown,
            );
            match result {
                Ok(report) => {
                    if let Err(error) = print_report(&report, format, quiet) {
                        tracing::error!("printing the run summary: {error:#}");
                    }
                    if report.failed_sources() > 0 {
                        tracing::error!(
                            "run {}: {} of {} sources failed",
                            report.summary.run_id,
                            report.failed_sources(),
                            report.summary.sources.len()
                        );
                    }
                    // Alerting would read a stale file from now on: stop,
                    // and let the service manager restart and report it.
                    if report.metrics_error.is_some() {
                        failed = Some(Exit::MetricsFailed);
                        return false;
                    }
                }
                Err(error) if error.is_interrupted() => {}
                Err(error) => tracing::error!("run skipped: {error}"),
            }
            true
        },
    );
    match stopped {
        Stopped::ShutdownRequested => {
            tracing::info!("stopped by signal");
            Ok(Exit::Success)
        }
        Stopped::TickFailed => {
            tracing::error!("stopping: the metrics file could not be written");
            Ok(failed.unwrap_or(Exit::Failure))
        }
        // parse_schedule refused a schedule without a future time; one
        // can still run out (a year field) while the scheduler runs.
        Stopped::ScheduleExhausted => {
            tracing::warn!("the schedule has no further times: stopping");
            Ok(Exit::Success)
        }
    }
}
