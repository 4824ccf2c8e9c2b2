//! Reading the keys of one TOML table (the top level or one `[[source]]`)
//! with their positions: typed accessors (credentials are in
//! `credentials.rs`) that remember which keys were asked for and read, and
//! report the keys nobody asked for at the end.

use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::PathBuf;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::error::{ConfigError, Problem, closest, line_of};

/// What the loader needs to know about the file being read.
pub(crate) struct Context<'a> {
    /// The text, to turn byte offsets into lines.
    pub(crate) text: &'a str,
    /// The file as the user named it, for messages.
    pub(crate) file: String,
    /// The folder relative paths resolve against.
    pub(crate) dir: PathBuf,
    pub(crate) env: &'a dyn Fn(&str) -> Option<String>,
    /// The keys of the file's top level, named when one turns up in a
    /// `[[source]]` table.
    pub(crate) top_level_keys: &'a [&'a str],
}

impl Context<'_> {
    pub(crate) fn line(&self, offset: usize) -> usize {
        line_of(self.text, offset)
    }

    /// `path` as written in the config, resolved against the config's folder.
    pub(crate) fn resolve(&self, path: &str) -> PathBuf {
        self.dir.join(path)
    }
}

type Entry<'a> = (&'a Spanned<DeString<'a>>, &'a Spanned<DeValue<'a>>);

/// The keys of one table of the config file, read one by one.
///
/// Every accessor names its key, so the reader knows the vocabulary of the
/// table; [`SourceKeys::finish`] then reports keys outside it (with a "did
/// you mean") and keys that were recognised but not used by the form the
/// table takes. Errors carry the line of the key (or of the table).
pub struct SourceKeys<'a> {
    pub(super) ctx: &'a Context<'a>,
    table: &'a DeTable<'a>,
    span: Range<usize>,
    label: Option<String>,
    vocabulary: String,
    pub(super) env_prefix: String,
    known: Vec<&'static str>,
    consumed: Vec<&'static str>,
}

impl<'a> SourceKeys<'a> {
    pub(crate) fn new(
        ctx: &'a Context<'a>,
        table: &'a DeTable<'a>,
        span: Range<usize>,
        label: Option<String>,
        vocabulary: String,
        env_prefix: String,
    ) -> SourceKeys<'a> {
        SourceKeys {
            ctx,
            table,
            span,
            label,
            vocabulary,
            env_prefix,
            known: Vec::new(),
            consumed: Vec::new(),
        }
    }

    /// Names the table in messages from now on (`source "name"`).
    pub(crate) fn set_label(&mut self, label: String, env_prefix: String) {
        self.label = Some(label);
        self.env_prefix = env_prefix;
    }

    /// Names the table's vocabulary in unknown-key messages (`keys for huaweicloud`).
    pub(crate) fn set_vocabulary(&mut self, vocabulary: String) {
        self.vocabulary = vocabulary;
    }

    fn note(&mut self, key: &'static str) {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
    }

    pub(super) fn take(&mut self, key: &'static str) -> Option<Entry<'a>> {
        self.note(key);
        let table: &'a DeTable<'a> = self.table;
        let entry = table.get_key_value(key)?;
        if !self.consumed.contains(&key) {
            self.consumed.push(key);
        }
        Some(entry)
    }

    /// Whether `key` is present (without reading it). The key becomes part
    /// of the table's vocabulary.
    pub fn has(&mut self, key: &'static str) -> bool {
        self.note(key);
        self.table.contains_key(key)
    }

    /// Whether any of `keys` is present; all of them join the vocabulary.
    pub fn any_of(&mut self, keys: &[&'static str]) -> bool {
        let mut found = false;
        for key in keys {
            found |= self.has(key);
        }
        found
    }

    fn problem_at(&self, offset: usize, key: Option<&str>, message: String) -> Problem {
        Problem {
            file: self.ctx.file.clone(),
            line: self.ctx.line(offset),
            source_label: self.label.clone(),
            key: key.map(str::to_string),
            message,
        }
    }

    pub(super) fn problem(&self, offset: usize, key: Option<&str>, message: String) -> ConfigError {
        ConfigError::from_problem(self.problem_at(offset, key, message))
    }

    fn is_known(&self, key: &str) -> bool {
        self.known.contains(&key)
    }

    /// An error about `key`, at its line (at the table's when it is absent).
    pub fn error(&self, key: &str, message: impl fmt::Display) -> ConfigError {
        self.problem(
            self.key_offset(key),
            Some(key),
            format!("\"{key}\": {message}"),
        )
    }

    fn key_offset(&self, key: &str) -> usize {
        match self.table.get_key_value(key) {
            Some((name, _)) => name.span().start,
            None => self.span.start,
        }
    }

    /// The line of `key` (of the table when it is absent).
    pub(crate) fn key_line(&self, key: &str) -> usize {
        self.ctx.line(self.key_offset(key))
    }

    /// An error about the table as a whole, at its first line.
    pub fn table_error(&self, message: impl fmt::Display) -> ConfigError {
        self.problem(self.span.start, None, message.to_string())
    }

    /// The error for a required key that is absent, pointing at a present
    /// key that looks like a typo of it.
    pub fn missing(&self, key: &'static str) -> ConfigError {
        let strangers = self
            .table
            .keys()
            .filter(|name| !self.is_known(name.get_ref()));
        let typo = closest(key, strangers.map(|name| name.get_ref().as_ref()));
        match typo.and_then(|typo| self.table.get_key_value(typo)) {
            Some((name, _)) => self.problem(
                name.span().start,
                Some(name.get_ref()),
                format!(
                    "unknown key \"{}\" (did you mean \"{key}\"? it is required here)",
                    name.get_ref()
                ),
            ),
            None => self.problem(
                self.span.start,
                Some(key),
                format!("missing required key \"{key}\""),
            ),
        }
    }

    pub(super) fn wrong_type(
        &self,
        key: &str,
        expected: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> ConfigError {
        let found = value.get_ref().type_str();
        self.error(
            key,
            format!("must be {expected}, not {} {found}", article(found)),
        )
    }

    pub(super) fn text_of(
        &self,
        key: &'static str,
        value: &'a Spanned<DeValue<'a>>,
    ) -> Result<&'a str, ConfigError> {
        match value.get_ref() {
            DeValue::String(text) if text.is_empty() => Err(self.error(key, "must not be empty")),
            DeValue::String(text) => Ok(text.as_ref()),
            _ => Err(self.wrong_type(key, "a string", value)),
        }
    }

    /// A non-empty string that must be present.
    pub fn required_text(&mut self, key: &'static str) -> Result<String, ConfigError> {
        self.optional_text(key)?.ok_or_else(|| self.missing(key))
    }

    /// A non-empty string, if present.
    pub fn optional_text(&mut self, key: &'static str) -> Result<Option<String>, ConfigError> {
        match self.take(key) {
            Some((_, value)) => Ok(Some(self.text_of(key, value)?.to_string())),
            None => Ok(None),
        }
    }

    /// `true` or `false`, if present.
    pub fn optional_bool(&mut self, key: &'static str) -> Result<Option<bool>, ConfigError> {
        match self.take(key) {
            Some((_, value)) => match value.get_ref() {
                DeValue::Boolean(flag) => Ok(Some(*flag)),
                _ => Err(self.wrong_type(key, "true or false", value)),
            },
            None => Ok(None),
        }
    }

    /// One of a fixed set of names, if present.
    pub fn optional_choice<T: Copy>(
        &mut self,
        key: &'static str,
        choices: &[(&'static str, T)],
    ) -> Result<Option<T>, ConfigError> {
        let Some(text) = self.optional_text(key)? else {
            return Ok(None);
        };
        match choices.iter().find(|(name, _)| *name == text) {
            Some((_, choice)) => Ok(Some(*choice)),
            None => {
                let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
                Err(self.error(
                    key,
                    format!("must be one of {}, not {text:?}", names.join(" | ")),
                ))
            }
        }
    }

    /// An integer within `range`, if present.
    pub fn optional_integer_in(
        &mut self,
        key: &'static str,
        range: RangeInclusive<u32>,
    ) -> Result<Option<u32>, ConfigError> {
        let Some((_, value)) = self.take(key) else {
            return Ok(None);
        };
        let expected = if *range.end() == u32::MAX {
            format!("an integer of at least {}", range.start())
        } else {
            format!("an integer from {} to {}", range.start(), range.end())
        };
        let DeValue::Integer(integer) = value.get_ref() else {
            return Err(self.wrong_type(key, &expected, value));
        };
        let number = i128::from_str_radix(integer.as_str(), integer.radix()).ok();
        match number.and_then(|number| u32::try_from(number).ok()) {
            Some(number) if range.contains(&number) => Ok(Some(number)),
            _ => Err(self.error(key, format!("must be {expected}, not {integer}"))),
        }
    }

    /// An array of non-empty strings; empty when absent.
    pub fn string_list(&mut self, key: &'static str) -> Result<Vec<String>, ConfigError> {
        let Some((_, value)) = self.take(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(key, "an array of strings", value));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(text) if !text.is_empty() => Ok(text.to_string()),
                DeValue::String(_) => Err(self.error(key, "must not contain empty strings")),
                _ => Err(self.wrong_type(key, "an array of strings", item)),
            })
            .collect()
    }

    /// An array of tables (`[[source]]`), each with its span; empty when absent.
    pub(crate) fn array_of_tables(
        &mut self,
        key: &'static str,
    ) -> Result<Vec<(&'a DeTable<'a>, Range<usize>)>, ConfigError> {
        let Some((_, value)) = self.take(key) else {
            return Ok(Vec::new());
        };
        let expected = format!("an array of tables ([[{key}]])");
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(key, &expected, value));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(table) => Ok((table, item.span())),
                _ => Err(self.wrong_type(key, &expected, item)),
            })
            .collect()
    }

    /// Reports every key that was not read: unknown ones (with the nearest
    /// known key and the vocabulary), and known ones the form of this
    /// table does not use.
    pub fn finish(self) -> Result<(), ConfigError> {
        let mut entries: Vec<Entry<'a>> = self.table.iter().collect();
        entries.sort_by_key(|(name, _)| name.span().start);
        let mut problems = Vec::new();
        for (name, _) in entries {
            let key = name.get_ref().as_ref();
            if self.consumed.contains(&key) {
                continue;
            }
            let message = if self.is_known(key) {
                format!("\"{key}\" is not used with the other keys given here; remove it")
            } else {
                let hint = match closest(key, self.known.iter().copied()) {
                    Some(near) => format!("did you mean \"{near}\"? "),
                    None => String::new(),
                };
                let placement = if self.label.is_some() && self.ctx.top_level_keys.contains(&key) {
                    "; top-level keys go before the first [[source]]"
                } else {
                    ""
                };
                format!(
                    "unknown key \"{key}\" ({hint}{}: {}){placement}",
                    self.vocabulary,
                    self.known.join(", ")
                )
            };
            problems.push(self.problem_at(name.span().start, Some(key), message));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid { problems })
        }
    }
}

fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
