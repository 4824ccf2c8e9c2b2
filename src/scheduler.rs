//! The scheduler behind `vpnsnap run`: waits for each time of a cron
//! schedule and runs one collection, never two at once. Ticks that pass
//! while a run is still going are skipped and logged; a shutdown request
//! ends the wait (or the run in progress) and the loop.

use chrono::{DateTime, Utc};
use cron::Schedule;

use crate::shutdown::Shutdown;
use crate::time::Timestamp;

/// Why the scheduler stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// SIGINT/SIGTERM.
    ShutdownRequested,
    /// The schedule has no more times (e.g. a year field in the past).
    ScheduleExhausted,
    /// A tick said the scheduler must not go on.
    TickFailed,
}

/// Runs `tick` at every time of `schedule` until a shutdown, the end of
/// the schedule, or a tick that returns `false`. `announce` is told each
/// next time before the wait.
pub fn run_on_schedule(
    runtime: &tokio::runtime::Runtime,
    schedule: &Schedule,
    shutdown: &Shutdown,
    mut announce: impl FnMut(DateTime<Utc>),
    mut tick: impl FnMut(DateTime<Utc>) -> bool,
) -> Stopped {
    loop {
        let now = Utc::now();
        let Some(next) = schedule.after(&now).next() else {
            return Stopped::ScheduleExhausted;
        };
        announce(next);
        let wait = (next - now).to_std().unwrap_or_default();
        let stopped = runtime.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(wait) => false,
                () = shutdown.requested() => true,
            }
        });
        if stopped {
            return Stopped::ShutdownRequested;
        }
        let go_on = tick(next);
        if shutdown.is_requested() {
            return Stopped::ShutdownRequested;
        }
        if !go_on {
            return Stopped::TickFailed;
        }
        let finished = Utc::now();
        let skipped = schedule
            .after(&next)
            .take_while(|time| *time <= finished)
            .count();
        if skipped > 0 {
            tracing::warn!(
                "skipped {skipped} scheduled run(s) while the run of {} was still going",
                Timestamp::from_datetime(next)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::time::Duration;

    use super::*;

    #[test]
    fn ticks_every_second_without_overlap_and_stops_on_request() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let schedule = Schedule::from_str("* * * * * *").unwrap();
        let (request, shutdown) = Shutdown::manual();
        let mut ticks: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        let stopped = run_on_schedule(
            &runtime,
            &schedule,
            &shutdown,
            |_| {},
            |_| {
                let started = Utc::now();
                // A run that takes 1.2 s: the tick that passes meanwhile is skipped.
                std::thread::sleep(Duration::from_millis(1200));
                ticks.push((started, Utc::now()));
                if ticks.len() == 2 {
                    request.send(true).unwrap();
                }
                true
            },
        );
        assert_eq!(stopped, Stopped::ShutdownRequested);
        assert_eq!(ticks.len(), 2);
        assert!(ticks[1].0 >= ticks[0].1, "runs overlapped: {ticks:?}");
    }

    #[test]
    fn a_tick_that_returns_false_stops_the_scheduler() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let schedule = Schedule::from_str("* * * * * *").unwrap();
        let mut ticks = 0;
        let stopped = run_on_schedule(
            &runtime,
            &schedule,
            &Shutdown::never(),
            |_| {},
            |_| {
                ticks += 1;
                false
            },
        );
        assert_eq!(stopped, Stopped::TickFailed);
        assert_eq!(ticks, 1);
    }
}
