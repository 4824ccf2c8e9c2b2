//! Import: saved API responses of one source, read as one listing (see
//! [`crate::listing`] for what makes a listing complete).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use crate::fingerprint::PskFingerprinter;
use crate::listing::SourceResult;
use crate::listing::{KnownVersions, ListingBuilder, ListingContext, ListingError, ListingLimits};
use crate::provider::ProviderKind;
use crate::time::Timestamp;

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub source: String,
    pub kind: ProviderKind,
    pub region: Option<String>,
    pub account: Option<String>,
    pub observed_at: Timestamp,
    pub files: Vec<PathBuf>,
}

/// Why files could not be imported; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Listing(#[from] ListingError),
}

/// Reads, decodes and normalizes the files into one source listing,
/// passing over the connections unchanged since the source's latest stored
/// versions, which `known` gives (from
/// [`crate::store::Store::known_versions`]) while the files are read: see
/// [`finish_knowing`].
pub fn read_listing<E>(
    request: &ImportRequest,
    fingerprinter: &PskFingerprinter,
    known: impl FnOnce() -> Result<KnownVersions, E>,
) -> Result<Result<SourceResult, ImportError>, E> {
    finish_knowing(|| read_files(request, fingerprinter), known)
}

/// Finishes the deferred listing that `read` gives (its bodies added, not
/// normalized yet), passing over the connections unchanged since the
/// latest stored versions that `known` gives. `known` runs on the calling
/// thread while `read` runs on a second one (on this one after, if none
/// can be started): for a large source each takes about a tenth of an
/// import. Its error is the outer one, and comes first.
pub fn finish_knowing<E>(
    read: impl FnOnce() -> Result<ListingBuilder, ImportError> + Send,
    known: impl FnOnce() -> Result<KnownVersions, E>,
) -> Result<Result<SourceResult, ImportError>, E> {
    let read = Mutex::new(Some(read));
    let take = || {
        let read = read.lock().unwrap_or_else(PoisonError::into_inner).take();
        read.map(|read| read())
    };
    let (known, read) = std::thread::scope(|scope| {
        let reading = std::thread::Builder::new()
            .name("read-files".into())
            .spawn_scoped(scope, take)
            .ok();
        let known = known();
        let read = match reading {
            Some(reading) => reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => take(),
        };
        (known, read)
    });
    let known = known?;
    Ok(match read {
        Some(read) => read.and_then(|builder| Ok(builder.finish_knowing(Arc::new(known))?)),
        // Taken by a thread that did not give it back: it panicked, and
        // that was raised above.
        None => Err(ListingError::Panicked.into()),
    })
}

/// The request's files added, in order, to a deferred builder: read and split, not
/// normalized yet.
fn read_files(
    request: &ImportRequest,
    fingerprinter: &PskFingerprinter,
) -> Result<ListingBuilder, ImportError> {
    // Saved files may hold the objects a page references after the page:
    // everything is normalized at the end.
    let context = ListingContext {
        source: request.source.clone(),
        kind: request.kind,
        region: request.region.clone(),
        account: request.account.clone(),
        observed_at: request.observed_at,
        fingerprinter: fingerprinter.clone(),
        limits: ListingLimits::default(),
    };
    let mut builder = ListingBuilder::deferred(context);
    for file in &request.files {
        let text = std::fs::read_to_string(file).map_err(|source| ImportError::Read {
            file: file.to_path_buf(),
            source,
        })?;
        builder.add_text(&file.display().to_string(), text)?;
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreadable() -> Result<ListingBuilder, ImportError> {
        Err(ImportError::Read {
            file: PathBuf::from("saved.json"),
            source: std::io::Error::other("gone"),
        })
    }

    #[test]
    fn the_latest_versions_error_comes_before_the_files_error() {
        let both = finish_knowing(unreadable, || Err::<KnownVersions, _>("database locked"));
        assert_eq!(both.unwrap_err(), "database locked");
        let files = finish_knowing(unreadable, || Ok::<_, &str>(KnownVersions::default()));
        let error = files.unwrap().unwrap_err();
        assert_eq!(error.to_string(), "saved.json: cannot read: gone");
    }
}
