//! The collection lock: at most one collection per database at a time,
//! across processes. It is an OS file lock (`flock`) on `<database>.lock`,
//! so the kernel releases it when its holder exits or is killed; the file
//! also names the holder (pid and start time) for whoever has to wait. A
//! file left behind by a killed holder is simply locked again: the stale
//! holder is logged and taken over.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::time::Timestamp;

/// How often a waiting collector tries the lock again.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Who holds (or last held) the lock, as written in the lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub started_at: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {} (started {})", self.pid, self.started_at)
    }
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another collection holds the lock and the wait ran out.
    #[error(
        "another collection holds {database}: {holder}; waited {waited:.1}s (use --wait DURATION, e.g. --wait 5m, to wait longer)",
        holder = holder_text(holder.as_ref()),
        waited = waited.as_secs_f64()
    )]
    Busy {
        database: PathBuf,
        holder: Option<Holder>,
        waited: Duration,
    },
    /// A shutdown was requested while waiting for the holder.
    #[error(
        "interrupted while waiting for another collection ({holder}) to release {database}: nothing was collected",
        holder = holder_text(holder.as_ref())
    )]
    Interrupted {
        database: PathBuf,
        holder: Option<Holder>,
    },
    /// The lock file could not be opened, locked or written.
    #[error("lock file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct CollectionLock {
    file: File,
    path: PathBuf,
}

impl CollectionLock {
    /// The lock file of `database`.
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock of `database`, trying again until `wait` has passed.
    pub fn acquire(database: &Path, wait: Duration) -> Result<CollectionLock, LockError> {
        CollectionLock::acquire_unless(database, wait, || false)
    }

    /// Like [`CollectionLock::acquire`], but gives up waiting as soon as
    /// `stop` returns true (a shutdown was requested); it is asked between
    /// tries.
    pub fn acquire_unless(
        database: &Path,
        wait: Duration,
        stop: impl Fn() -> bool,
    ) -> Result<CollectionLock, LockError> {
        let path = CollectionLock::path_for(database);
        let io_error = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let file = open_lock_file(&path).map_err(io_error)?;
        let started = Instant::now();
        let mut announced = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if stop() => {
                    return Err(LockError::Interrupted {
                        database: database.to_path_buf(),
                        holder: read_holder(&file),
                    });
                }
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    if !announced {
                        announced = true;
                        tracing::info!(
                            "waiting up to {wait:?} for another collection ({}) to release {}",
                            holder_text(read_holder(&file).as_ref()),
                            database.display()
                        );
                    }
                    std::thread::sleep(POLL_INTERVAL.min(wait.saturating_sub(started.elapsed())));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Busy {
                        database: database.to_path_buf(),
                        holder: read_holder(&file),
                        waited: started.elapsed(),
                    });
                }
                Err(TryLockError::Error(error)) => return Err(io_error(error)),
            }
        }
        if let Some(stale) = read_holder(&file) {
            tracing::info!(
                "taking over the collection lock {} last held by {stale}, which has exited",
                path.display()
            );
        }
        let mut lock = CollectionLock { file, path };
        match lock.write_holder() {
            Ok(()) => Ok(lock),
            Err(source) => Err(LockError::Io {
                path: lock.path.clone(),
                source,
            }),
        }
    }

    fn write_holder(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        writeln!(
            self.file,
            "pid={}\nstarted_at={}",
            std::process::id(),
            Timestamp::now()
        )?;
        self.file.flush()
    }
}

impl Drop for CollectionLock {
    fn drop(&mut self) {
        // Empty the file so the next holder does not report a stale one;
        // closing the file releases the lock.
        if let Err(error) = self.file.set_len(0) {
            tracing::debug!("emptying {}: {error}", self.path.display());
        }
    }
}

/// Opens (creating it, mode 0600) the lock file, never through a symbolic
/// link: one planted there would make the holder's line overwrite whatever
/// it points at.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// The holder for a message, or that it is not known (the lock file was
/// being rewritten, or the holder is an older vpnsnap).
fn holder_text(holder: Option<&Holder>) -> String {
    holder.map_or_else(|| "holder unknown".to_string(), ToString::to_string)
}

/// Reads the holder from a lock file; `None` when empty or unreadable.
fn read_holder(mut file: &File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    let mut pid = None;
    let mut started_at = None;
    for line in text.lines() {
        match line.split_once('=') {
            Some(("pid", value)) => pid = value.trim().parse().ok(),
            Some(("started_at", value)) => started_at = Some(value.trim().to_string()),
            _ => {}
        }
    }
    Some(Holder {
        pid: pid?,
        started_at: started_at?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_first_holders_pid_then_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("vpn.db");
        let first = CollectionLock::acquire(&database, Duration::ZERO).unwrap();
        let error = CollectionLock::acquire(&database, Duration::from_millis(250)).unwrap_err();
        match &error {
            LockError::Busy {
                holder: Some(holder),
                waited,
                ..
            } => {
                assert_eq!(holder.pid, std::process::id());
                assert!(*waited >= Duration::from_millis(250));
            }
            other => panic!("expected Busy with a holder, got {other:?}"),
        }
        assert!(
            error
                .to_string()
                .contains(&format!("pid {}", std::process::id()))
        );
        drop(first);
        CollectionLock::acquire(&database, Duration::ZERO).unwrap();
    }

    #[test]
    fn a_stop_request_ends_the_wait_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("vpn.db");
        let _first = CollectionLock::acquire(&database, Duration::ZERO).unwrap();
        let tries = std::cell::Cell::new(0);
        let error = CollectionLock::acquire_unless(&database, Duration::from_secs(600), || {
            tries.set(tries.get() + 1);
            tries.get() == 3
        })
        .unwrap_err();
        assert_eq!(tries.get(), 3);
        match &error {
            LockError::Interrupted {
                holder: Some(holder),
                ..
            } => assert_eq!(holder.pid, std::process::id()),
            other => panic!("expected Interrupted with a holder, got {other:?}"),
        }
        assert!(error.to_string().starts_with(&format!(
            "interrupted while waiting for another collection (pid {} (started ",
            std::process::id()
        )));
    }

    #[test]
    fn a_file_left_by_a_dead_holder_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("vpn.db");
        std::fs::write(
            CollectionLock::path_for(&database),
            "pid=999999\nstarted_at=2026-01-01T00:00:00.000Z\n",
        )
        .unwrap();
        let lock = CollectionLock::acquire(&database, Duration::ZERO).unwrap();
        let text = std::fs::read_to_string(CollectionLock::path_for(&database)).unwrap();
        assert!(text.starts_with(&format!("pid={}\n", std::process::id())));
        drop(lock);
    }

    #[test]
    fn a_link_planted_as_the_lock_file_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("h.db");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me\n").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("h.db.lock")).unwrap();
        let Err(error) = CollectionLock::acquire(&database, Duration::ZERO) else {
            panic!("a link is not a lock file");
        };
        assert!(error.to_string().contains("h.db.lock"), "{error}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    }
}
