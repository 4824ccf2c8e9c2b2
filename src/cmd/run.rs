//! `vpnsnap run`: collect on the schedule until SIGINT/SIGTERM, or once
//! with `--once`.

use std::str::FromStr;

use anyhow::{Context, Result};
use cron::Schedule;

use super::{UsageError, collect_now, prepare_collection, print_report};
use crate::cli::{Cli, RunArgs, SummaryFormat};
use crate::exit::Exit;
use crate::runner;
use crate::scheduler::{self, Stopped};
use crate::shutdown::Shutdown;

pub fn run(cli: &Cli, args: &RunArgs) -> Result<Exit> {
    let prepared = prepare_collection(cli, &args.run)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let shutdown = Shutdown::on_signals(&runtime);
    if args.once {
        return collect_now(&runtime, &prepared, &shutdown, args.run.format);
    }
    let schedule = match (&args.schedule, &prepared.config.schedule) {
        (Some(expression), _) => Schedule::from_str(expression).map_err(|error| {
            UsageError(format!(
                "--schedule {expression:?} is not a cron expression (seconds first, e.g. \"0 */15 * * * *\"): {error}"
            ))
        })?,
        (None, Some(schedule)) => schedule.clone(),
        (None, None) => {
            return Err(UsageError(format!(
                "no schedule: set `schedule` in {} or pass --schedule \"CRON\"",
                prepared.config.path.display()
            ))
            .into());
        }
    };
    let format = args.run.format;
    let quiet = cli.quiet;
    let stopped = scheduler::run_on_schedule(
        &runtime,
        &schedule,
        &shutdown,
        |next| {
            if quiet {
                return;
            }
            match format {
                SummaryFormat::Text => println!("next run at {}", next.to_rfc3339()),
                SummaryFormat::Json => eprintln!("next run at {}", next.to_rfc3339()),
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
                    if let Err(error) = print_report(&report, format) {
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
                }
                Err(error) if error.is_interrupted() => {}
                Err(error) => tracing::error!("run skipped: {error}"),
            }
        },
    );
    match stopped {
        Stopped::ShutdownRequested => tracing::info!("stopped by signal"),
        Stopped::ScheduleExhausted => {
            tracing::warn!("the schedule has no further times: stopping")
        }
    }
    Ok(Exit::Success)
}
