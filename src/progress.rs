//! The live progress lines on a terminal: one line per source with its
//! pages and items so far, redrawn while a run fetches. indicatif draws
//! them (on stderr, cleared at the end); off a terminal nothing is drawn and
//! the collector's log lines tell the story instead.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::oneshot;

use crate::collector::SourceProgress;
use crate::config::SourceConfig;

const REDRAW_INTERVAL: Duration = Duration::from_millis(120);

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
        ProgressDisplay {
            stop: Some(stop),
            bars,
        }
    }

    /// Stops redrawing and clears the lines.
    pub fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.bars.clear();
    }
}
