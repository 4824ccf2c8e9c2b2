//! The loader's errors: which file and line, which source, what is wrong and
//! what to write instead. Secret values never appear in them.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file does not exist.
    #[error(
        "config file {} not found; create it, or name another one with --config PATH or VPNSNAP_CONFIG",
        path.display()
    )]
    NotFound { path: PathBuf },
    /// The config file exists but could not be read.
    #[error("cannot read config file {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    /// The file is not valid TOML: toml's own message and where.
    #[error("{file}:{line}: invalid TOML: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    /// The file is valid TOML but not a valid configuration: every problem
    /// found, in file order.
    #[error("{}", ProblemList(problems))]
    Invalid { problems: Vec<Problem> },
}

impl ConfigError {
    /// Whether the file was simply not there (the caller may offer to create it).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ConfigError::NotFound { .. })
    }

    /// The problems of an [`ConfigError::Invalid`] configuration (empty otherwise).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid { problems } => problems,
            _ => &[],
        }
    }

    pub(crate) fn from_problem(problem: Problem) -> ConfigError {
        ConfigError::Invalid {
            problems: vec![problem],
        }
    }
}

/// One thing wrong in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The config file as the user named it.
    pub file: String,
    /// 1-based line of the key or table concerned.
    pub line: usize,
    /// `source "name"`, or `[[source]] #N` while the name is not known;
    /// `None` at the top level.
    pub source_label: Option<String>,
    /// The key concerned, if any.
    pub key: Option<String>,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(label) = &self.source_label {
            write!(f, "{label}: ")?;
        }
        f.write_str(&self.message)
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// The 1-based line holding byte `offset` of `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

/// Levenshtein distance over characters, for "did you mean" suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            let insertion = current[j] + 1;
            let deletion = previous[j + 1] + 1;
            current.push(substitution.min(insertion).min(deletion));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let length = word.chars().count();
    let limit = (length / 3).clamp(2, 3);
    candidates
        .into_iter()
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}
