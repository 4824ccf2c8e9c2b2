//! Import: saved API responses of one source, read as one listing.
//!
//! Several files of one source are one listing (its pages). The listing is
//! complete, and so proves deletions, only when every connection body in it
//! is a list body; single-object ("show") bodies make it partial. For
//! OpenStack, policy, vpnservice and endpoint-group bodies may come along and
//! are resolved into the connections.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::fingerprint::PskFingerprinter;
use crate::provider::{
    self, DecodeError, NormalizeContext, Normalized, ProviderKind, Related, is_single_object_body,
};
use crate::store::{SourceOutcome, SourceResult};
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
    #[error("{file}: not a {kind} response body: {error}")]
    Decode {
        file: PathBuf,
        kind: ProviderKind,
        error: DecodeError,
    },
    #[error(
        "{first} and {second} both hold connection {connection_id:?} with different content; \
         one listing holds each connection once"
    )]
    Conflict {
        first: PathBuf,
        second: PathBuf,
        connection_id: String,
    },
    #[error(
        "none of the files holds {kind} connections (only referenced objects such as policies)"
    )]
    NoConnections { kind: ProviderKind },
}

/// Reads, decodes and normalizes the files into one source listing.
pub fn read_listing(
    request: &ImportRequest,
    fingerprinter: &PskFingerprinter,
) -> Result<SourceResult, ImportError> {
    let mut connections: Vec<(&Path, String, Value)> = Vec::new();
    let mut related = Related::default();
    let mut any_list = false;
    let mut any_single = false;
    for file in &request.files {
        let body = read_json(file)?;
        let single = is_single_object_body(&body);
        let page =
            provider::decode_page(request.kind, body).map_err(|error| ImportError::Decode {
                file: file.clone(),
                kind: request.kind,
                error,
            })?;
        if !page.connections.is_empty() || page.related.is_empty() {
            any_single |= single;
            any_list |= !single;
        }
        for (kind, path, object) in page.related {
            related
                .insert(kind, object, &path)
                .map_err(|error| ImportError::Decode {
                    file: file.clone(),
                    kind: request.kind,
                    error,
                })?;
        }
        connections.extend(
            page.connections
                .into_iter()
                .map(|(path, object)| (file.as_path(), path, object)),
        );
    }
    if !any_list && !any_single {
        return Err(ImportError::NoConnections { kind: request.kind });
    }
    let context = NormalizeContext {
        source: &request.source,
        region: request.region.as_deref(),
        account: request.account.as_deref(),
    };
    let mut items: Vec<Normalized> = Vec::with_capacity(connections.len());
    let mut found_in: HashMap<String, (usize, &Path)> = HashMap::new();
    let mut warnings = Vec::new();
    for (file, path, object) in connections {
        let item = provider::normalize(
            request.kind,
            &path,
            object,
            &related,
            &context,
            fingerprinter,
        )
        .map_err(|error| ImportError::Decode {
            file: file.to_path_buf(),
            kind: request.kind,
            error,
        })?;
        warnings.extend(
            item.warnings
                .iter()
                .map(|warning| format!("{}: {warning}", file.display())),
        );
        let connection_id = item.connection.connection_id.clone();
        match found_in.get(&connection_id) {
            Some(&(index, first)) => {
                if items[index].content_hash != item.content_hash {
                    return Err(ImportError::Conflict {
                        first: first.to_path_buf(),
                        second: file.to_path_buf(),
                        connection_id,
                    });
                }
            }
            None => {
                found_in.insert(connection_id, (items.len(), file));
                items.push(item);
            }
        }
    }
    let outcome = if any_single {
        SourceOutcome::Partial(items)
    } else {
        SourceOutcome::Complete(items)
    };
    Ok(SourceResult {
        source: request.source.clone(),
        provider: request.kind,
        observed_at: request.observed_at,
        outcome,
        warnings,
    })
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
