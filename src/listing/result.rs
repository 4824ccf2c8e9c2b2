//! What a source's listing amounts to, as the store receives it: a
//! [`SourceResult`] whose [`SourceOutcome`] is a complete listing (which
//! proves deletions), a partial one (which proves nothing about the
//! connections it lacks) or a failure (which proves nothing at all).

use super::spool::Listed;
use crate::provider::ProviderKind;
use crate::time::Timestamp;

/// One source's listing in a run.
#[derive(Debug)]
pub struct SourceResult {
    pub source: String,
    pub provider: ProviderKind,
    /// The provider's region, when known (an import may not know it).
    pub region: Option<String>,
    /// The account (project id), when known.
    pub account: Option<String>,
    /// When the listing was taken.
    pub observed_at: Timestamp,
    pub outcome: SourceOutcome,
    /// Normalization warnings (JSON paths and what was wrong).
    pub warnings: Vec<String>,
}

/// What a source's listing amounted to.
#[derive(Debug)]
pub enum SourceOutcome {
    /// Every connection of the source: absent ones are deleted.
    Complete(Listed),
    /// Some connections (e.g. single-object bodies): nothing is inferred
    /// about the others.
    Partial(Listed),
    /// The listing failed: nothing is stored or inferred.
    Failed { error: String, item_count: usize },
}
