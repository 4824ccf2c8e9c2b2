//! Prometheus textfile-collector metrics, written after every run: per
//! source the last run's outcome, last success, duration, connections,
//! versions written and deletions; per run the total duration. Every
//! configured source is in the file: one this run did not collect
//! (`--source`) with the figures of its last stored run. The file is
//! replaced atomically (temp file in the same folder, then rename), so the
//! node exporter never reads half a file, and is readable by all (0644)
//! whatever the umask.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::exit::Exit;
use crate::store::{Outcome, SourceSummary};
use crate::time::Timestamp;

/// One source's figures for the metrics file.
#[derive(Debug, Clone)]
pub struct SourceMetrics<'a> {
    pub summary: &'a SourceSummary,
    /// How long this run's fetch took; `None` for a configured source the
    /// run did not collect (`--source`), whose figures are from its last
    /// stored run.
    pub duration: Option<Duration>,
    /// The last time this source's listing was complete (this run or an
    /// earlier one), if ever.
    pub last_success: Option<Timestamp>,
}

/// One run's figures.
#[derive(Debug, Clone)]
pub struct RunMetrics<'a> {
    pub finished_at: Timestamp,
    pub duration: Duration,
    /// How the run ended the process (`vpnsnap_run_exit_code`).
    pub exit: Exit,
    pub sources: Vec<SourceMetrics<'a>>,
}

/// The metrics in Prometheus text exposition format.
pub fn render(run: &RunMetrics<'_>) -> String {
    let mut out = String::new();
    let mut family = |name: &str, help: &str, samples: Vec<(String, f64)>| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let per_source = |value: &dyn Fn(&SourceMetrics<'_>) -> Option<f64>| -> Vec<(String, f64)> {
        run.sources
            .iter()
            .filter_map(|source| {
                let labels = format!(
                    "{{source=\"{}\",provider=\"{}\"}}",
                    escape(&source.summary.source),
                    escape(&source.summary.provider)
                );
                value(source).map(|value| (labels, value))
            })
            .collect()
    };
    family(
        "vpnsnap_source_up",
        "1 when the source's last listing succeeded (ok or partial), 0 when it failed.",
        per_source(&|source| {
            Some(f64::from(u8::from(
                source.summary.outcome != Outcome::Failed,
            )))
        }),
    );
    let outcomes: Vec<(String, f64)> = run
        .sources
        .iter()
        .flat_map(|source| {
            Outcome::ALL.map(|outcome| {
                (
                    format!(
                        "{{source=\"{}\",outcome=\"{}\"}}",
                        escape(&source.summary.source),
                        outcome.as_str()
                    ),
                    f64::from(u8::from(source.summary.outcome == outcome)),
                )
            })
        })
        .collect();
    family(
        "vpnsnap_source_last_run_outcome",
        "The outcome of the source's last run: 1 on the label that applies.",
        outcomes,
    );
    family(
        "vpnsnap_source_last_success_timestamp_seconds",
        "When the source's listing last succeeded (Unix time); 0 if it never has.",
        // 0 rather than no series, so that `time() - ...` alerts on a
        // source that has never succeeded.
        per_source(&|source| Some(source.last_success.map_or(0.0, unix_seconds))),
    );
    family(
        "vpnsnap_source_duration_seconds",
        "How long fetching the source took in the last run.",
        per_source(&|source| source.duration.map(|duration| duration.as_secs_f64())),
    );
    family(
        "vpnsnap_source_connections",
        "Connections the source listed in the last run.",
        per_source(&|source| Some(source.summary.items as f64)),
    );
    family(
        "vpnsnap_source_versions_written",
        "Versions written for the source in the last run (created, changed, recreated, deleted).",
        per_source(&|source| Some(source.summary.versions_written() as f64)),
    );
    family(
        "vpnsnap_source_deletions",
        "Connections of the source recorded as deleted in the last run.",
        per_source(&|source| Some(source.summary.deleted as f64)),
    );
    family(
        "vpnsnap_run_duration_seconds",
        "How long the last run took, fetching and storing.",
        vec![(String::new(), run.duration.as_secs_f64())],
    );
    family(
        "vpnsnap_run_finished_timestamp_seconds",
        "When the last run finished (Unix time).",
        vec![(String::new(), unix_seconds(run.finished_at))],
    );
    family(
        "vpnsnap_run_exit_code",
        &format!(
            "The last run's exit code: {} all ok, {} some sources failed, {} nothing stored.",
            Exit::Success.code(),
            Exit::SomeSourcesFailed.code(),
            Exit::Failure.code(),
        ),
        vec![(String::new(), f64::from(run.exit.code()))],
    );
    out
}

/// Writes the metrics to `path` atomically.
pub fn write(path: &Path, run: &RunMetrics<'_>) -> std::io::Result<()> {
    let text = render(run);
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vpnsnap.prom".to_string());
    // The textfile collector reads only `*.prom`, so the temp file is not
    // picked up half-written. Its name is unpredictable and it is created
    // new, so that nothing planted in the folder in advance (a link) is
    // written through.
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|error| std::io::Error::other(error.to_string()))?;
    let temp = folder.join(format!(".{file_name}.{}.tmp", hex::encode(random)));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        // Readable by the node exporter, whatever the umask (the units
        // under contrib/systemd set 0077): metrics hold no secret.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn unix_seconds(at: Timestamp) -> f64 {
    at.datetime().timestamp_millis() as f64 / 1000.0
}

/// Escapes a label value: backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_source_labels() {
        let ok = SourceSummary {
            source: "hw-prod".into(),
            provider: "huaweicloud".into(),
            outcome: Outcome::Complete,
            items: 12,
            created: 2,
            changed: 1,
            deleted: 1,
            ..SourceSummary::default()
        };
        let failed = SourceSummary {
            source: "os-lab".into(),
            provider: "openstack".into(),
            outcome: Outcome::Failed,
            error: Some("authentication failed".into()),
            ..SourceSummary::default()
        };
        let at = Timestamp::parse_rfc3339("2026-11-22T10:00:00Z").unwrap();
        let run = RunMetrics {
            finished_at: at,
            duration: Duration::from_millis(1500),
            exit: Exit::SomeSourcesFailed,
            sources: vec![
                SourceMetrics {
                    summary: &ok,
                    duration: Some(Duration::from_millis(1200)),
                    last_success: Some(at),
                },
                SourceMetrics {
                    summary: &failed,
                    duration: Some(Duration::from_millis(300)),
                    last_success: None,
                },
            ],
        };
        let text = render(&run);
        for line in [
            "vpnsnap_source_up{source=\"hw-prod\",provider=\"huaweicloud\"} 1",
            "vpnsnap_source_up{source=\"os-lab\",provider=\"openstack\"} 0",
            "vpnsnap_source_last_run_outcome{source=\"os-lab\",outcome=\"failed\"} 1",
            "vpnsnap_source_last_run_outcome{source=\"os-lab\",outcome=\"ok\"} 0",
            "vpnsnap_source_last_success_timestamp_seconds{source=\"hw-prod\",provider=\"huaweicloud\"} 1795341600",
            // Never succeeded: 0, so that `time() - ...` alerts on it.
            "vpnsnap_source_last_success_timestamp_seconds{source=\"os-lab\",provider=\"openstack\"} 0",
            "vpnsnap_source_versions_written{source=\"hw-prod\",provider=\"huaweicloud\"} 4",
            "vpnsnap_source_deletions{source=\"hw-prod\",provider=\"huaweicloud\"} 1",
            "vpnsnap_source_connections{source=\"hw-prod\",provider=\"huaweicloud\"} 12",
            "vpnsnap_run_duration_seconds 1.5",
            "vpnsnap_run_exit_code 3",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
    }

    /// A successful run of no sources.
    fn empty_run() -> RunMetrics<'static> {
        RunMetrics {
            finished_at: Timestamp::parse_rfc3339("2026-11-22T10:00:00Z").unwrap(),
            duration: Duration::from_secs(1),
            exit: Exit::Success,
            sources: Vec::new(),
        }
    }

    #[test]
    fn writes_atomically_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vpnsnap.prom");
        let run = empty_run();
        write(&path, &run).unwrap();
        write(&path, &run).unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["vpnsnap.prom".to_string()]);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("vpnsnap_run_exit_code 0")
        );
    }

    #[test]
    fn a_link_planted_at_the_old_temp_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me\n").unwrap();
        let path = dir.path().join("vpnsnap.prom");
        // The name the temp file used to have: predictable from the pid.
        let planted = dir
            .path()
            .join(format!(".vpnsnap.prom.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let run = empty_run();
        write(&path, &run).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("vpnsnap_run_exit_code")
        );
        // Only the metrics file, the victim and the planted link remain.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }
}
