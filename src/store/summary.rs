//! What writing a run did, source by source ([`SourceSummary`], with its
//! [`Outcome`] as the `run_sources.outcome` column records it), and the
//! statement counter a test injects faults with ([`Writes`]). Both the run
//! (`run.rs`) and the per-source writer (`write.rs`) use them.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::StoreError;
use crate::listing::SourceOutcome;

/// How a source's listing went, as a run records it: the `outcome` column
/// of `run_sources`, the run summary's `outcome` and the metrics' label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Outcome {
    /// Every connection of the source was listed (`ok`). The default only
    /// so that a summary can be built with `..SourceSummary::default()`.
    #[default]
    Complete,
    /// Some connections were listed (`partial`).
    Partial,
    /// The listing failed (`failed`).
    Failed,
}

impl Outcome {
    /// Every outcome, in the order the metrics list them.
    pub const ALL: [Outcome; 3] = [Outcome::Complete, Outcome::Partial, Outcome::Failed];

    /// The word stored and shown: `ok`, `partial` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Complete => "ok",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
        }
    }
}

impl From<&SourceOutcome> for Outcome {
    fn from(outcome: &SourceOutcome) -> Outcome {
        match outcome {
            SourceOutcome::Complete(_) => Outcome::Complete,
            SourceOutcome::Partial(_) => Outcome::Partial,
            SourceOutcome::Failed { .. } => Outcome::Failed,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with the word (`outcome == "failed"`), as a reader of the
/// summary's JSON or of the database would; the integration tests and
/// benchmarks compare outcomes this way.
impl PartialEq<&str> for Outcome {
    fn eq(&self, word: &&str) -> bool {
        self.as_str() == *word
    }
}

impl ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Outcome {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Outcome> {
        let word = value.as_str()?;
        Outcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == word)
            .ok_or_else(|| FromSqlError::Other(format!("unknown outcome {word:?}").into()))
    }
}

/// What writing a source did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceSummary {
    pub source: String,
    pub provider: String,
    pub outcome: Outcome,
    pub items: usize,
    pub created: usize,
    pub changed: usize,
    pub deleted: usize,
    pub recreated: usize,
    pub unchanged: usize,
    pub warnings: usize,
    pub error: Option<String>,
}

impl SourceSummary {
    /// Versions written: every event counts one.
    pub fn versions_written(&self) -> usize {
        self.created + self.changed + self.deleted + self.recreated
    }
}

/// What writing a run did.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub run_id: i64,
    pub sources: Vec<SourceSummary>,
}

/// Counts statements so a test can inject a fault between two writes.
pub(super) struct Writes {
    done: usize,
    fail_after: Option<usize>,
}

impl Writes {
    /// A counter that fails the write after `fail_after` statements.
    pub(super) fn new(fail_after: Option<usize>) -> Writes {
        Writes {
            done: 0,
            fail_after,
        }
    }

    /// The statements counted so far.
    #[cfg(test)]
    pub(super) fn done(&self) -> usize {
        self.done
    }

    pub(super) fn tick(&mut self) -> Result<(), StoreError> {
        self.done += 1;
        match self.fail_after {
            Some(limit) if self.done > limit => Err(StoreError::InjectedFault(limit)),
            _ => Ok(()),
        }
    }
}
