//! The live progress lines on a terminal: one line per source with its
//! pages and items so far, redrawn while a run fetches. indicatif draws
//! them (on stderr, cleared at the end); off a terminal nothing is drawn and
//! the collector's log lines tell the story instead. Log lines written
//! while the lines are drawn go through [`LogWriter`], which lifts the
//! lines out of the way so that neither garbles the other.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::oneshot;

use crate::provider::SourceConfig;
use crate::provider::SourceProgress;

const REDRAW_INTERVAL: Duration = Duration::from_millis(120);

/// The progress lines being drawn, if any.
static DRAWN: Mutex<Option<MultiProgress>> = Mutex::new(None);

fn drawn() -> std::sync::MutexGuard<'static, Option<MultiProgress>> {
    // A panic while holding this lock cannot leave an `Option` half-set.
    DRAWN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where the log goes: stderr, with the progress lines (when drawn) hidden
/// while a log line is written and redrawn below it. The binary gives it
/// to the log subscriber (`with_writer(|| LogWriter)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let bars = drawn().clone();
        match bars {
            Some(bars) => bars.suspend(|| io::stderr().write_all(buf))?,
            None => io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// Progress lines being drawn; [`ProgressDisplay::finish`] removes them.
#[derive(Debug)]
pub struct ProgressDisplay {
    stop: Option<oneshot::Sender<()>>,
    bars: MultiProgress,
}

impl ProgressDisplay {
    /// Starts redrawing a line per source from `progress` (same order).
    pub fn start(
        runtime: &tokio::runtime::Runtime,
        sources: &[SourceConfig],
        progress: &[Arc<SourceProgress>],
    ) -> ProgressDisplay {
        let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let width = sources
            .iter()
            .map(|source| source.name.len())
            .max()
            .unwrap_or(0);
        let style = ProgressStyle::with_template("{spinner} {prefix} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let lines: Vec<(ProgressBar, Arc<SourceProgress>)> = sources
            .iter()
            .zip(progress)
            .map(|(source, progress)| {
                let bar = bars.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(format!("{:width$}", source.name));
                bar.set_message("waiting");
                (bar, Arc::clone(progress))
            })
            .collect();
        let (stop, mut stopped) = oneshot::channel();
        runtime.spawn(async move {
            let mut ticks = tokio::time::interval(REDRAW_INTERVAL);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = &mut stopped => break,
                }
                for (bar, progress) in &lines {
                    if bar.is_finished() {
                        continue;
                    }
                    let text = format!(
                        "{} pages, {} connections",
                        progress.pages(),
                        progress.items()
                    );
                    if progress.is_finished() {
                        bar.finish_with_message(format!("{text}, done"));
                    } else {
                        bar.set_message(text);
                        bar.tick();
                    }
                }
            }
            for (bar, _) in &lines {
                bar.finish_and_clear();
            }
        });
        *drawn() = Some(bars.clone());
        ProgressDisplay {
            stop: Some(stop),
            bars,
        }
    }

    /// Stops redrawing and clears the lines.
    pub fn finish(mut self) {
        *drawn() = None;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.bars.clear();
    }
}
