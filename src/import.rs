//! Import: saved API responses of one source, read as one listing (see
//! [`crate::listing`] for what makes a listing complete).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::fingerprint::PskFingerprinter;
use crate::listing::SourceResult;
use crate::listing::{ListingBuilder, ListingContext, ListingError, ListingLimits};
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
    #[error("{file}: invalid JSON at line {line}, column {column}: {message}")]
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Listing(#[from] ListingError),
}

/// Reads, decodes and normalizes the files into one source listing.
pub fn read_listing(
    request: &ImportRequest,
    fingerprinter: &PskFingerprinter,
) -> Result<SourceResult, ImportError> {
    // Saved files may hold the objects a page references after the page:
    // everything is normalized at the end.
    let mut builder = ListingBuilder::deferred(ListingContext {
        source: request.source.clone(),
        kind: request.kind,
        region: request.region.clone(),
        account: request.account.clone(),
        observed_at: request.observed_at,
        fingerprinter: fingerprinter.clone(),
        limits: ListingLimits::default(),
    });
    for file in &request.files {
        let body = read_json(file)?;
        builder.add_body(&file.display().to_string(), body)?;
    }
    Ok(builder.finish()?)
}

fn read_json(file: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(file).map_err(|source| ImportError::Read {
        file: file.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|error| ImportError::Json {
        file: file.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message: json_error_message(&error),
    })
}

/// serde_json's message without its own " at line L column C" suffix.
fn json_error_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(position) => message[..position].to_string(),
        None => message,
    }
}
