//! Import: saved API responses of one source, read as one listing (see
//! [`crate::listing`] for what makes a listing complete).

use std::path::PathBuf;
use std::sync::Arc;

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
/// versions (`known`, from [`crate::store::Store::known_versions`]).
pub fn read_listing(
    request: &ImportRequest,
    fingerprinter: &PskFingerprinter,
    known: Arc<KnownVersions>,
) -> Result<SourceResult, ImportError> {
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
    let mut builder = ListingBuilder::deferred_knowing(context, known);
    for file in &request.files {
        let text = std::fs::read_to_string(file).map_err(|source| ImportError::Read {
            file: file.to_path_buf(),
            source,
        })?;
        builder.add_text(&file.display().to_string(), text)?;
    }
    Ok(builder.finish()?)
}
