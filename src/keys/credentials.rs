//! Credentials in the config: identifiers (written literally or taken
//! from the environment or a file) and secrets (only from the environment
//! or a file), resolved at load time. A secret's value never reaches a
//! message or `Debug` output.

use std::fmt;
use std::fs;
use std::io;
use std::ops::Range;
use std::path::PathBuf;

use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, closest};
use super::table::SourceKeys;

/// Where a credential's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written in the config (identifiers only).
    Literal,
    /// `{ env = "VAR" }`.
    Env(String),
    /// `{ file = "PATH" }`, resolved against the config's folder.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Literal => f.write_str("the config"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// A resolved identifier (access key id, SecretId, user name, ...): not a
/// secret, so it may be shown, but it may come from the environment or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    value: String,
    origin: Origin,
}

impl Identifier {
    /// An identifier with this value, read from `origin`.
    pub fn new(value: impl Into<String>, origin: Origin) -> Identifier {
        Identifier {
            value: value.into(),
            origin,
        }
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Where the value came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// A resolved secret (secret key, password, token, fingerprint key). Its
/// `Debug` shows only where it came from; read it with
/// [`ExposeSecret::expose_secret`] at the moment it is used.
#[derive(Clone)]
pub struct Secret {
    value: SecretString,
    origin: Origin,
}

impl Secret {
    /// A secret with this value, read from `origin`.
    pub fn new(value: impl Into<String>, origin: Origin) -> Secret {
        Secret {
            value: SecretString::from(value.into()),
            origin,
        }
    }

    /// Where the value came from (shown instead of the value).
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

impl ExposeSecret<str> for Secret {
    fn expose_secret(&self) -> &str {
        self.value.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(***, from {})", self.origin)
    }
}

impl SourceKeys<'_> {
    /// An identifier that must be present: a literal string or
    /// `{ env = "VAR" }` / `{ file = "PATH" }`.
    pub fn identifier(&mut self, key: &'static str) -> Result<Identifier, ConfigError> {
        self.optional_identifier(key)?
            .ok_or_else(|| self.missing(key))
    }

    /// An identifier, if present.
    pub fn optional_identifier(
        &mut self,
        key: &'static str,
    ) -> Result<Option<Identifier>, ConfigError> {
        let Some((_, value)) = self.take(key) else {
            return Ok(None);
        };
        let identifier = match value.get_ref() {
            DeValue::String(_) => Identifier::new(self.text_of(key, value)?, Origin::Literal),
            DeValue::Table(table) => {
                let (text, origin) = self.resolve_reference(key, table, value.span())?;
                Identifier::new(text, origin)
            }
            _ => {
                return Err(self.wrong_type(
                    key,
                    "a string, { env = \"VAR\" } or { file = \"PATH\" }",
                    value,
                ));
            }
        };
        Ok(Some(identifier))
    }

    /// A secret that must be present: `{ env = "VAR" }` or `{ file = "PATH" }`.
    pub fn secret(&mut self, key: &'static str) -> Result<Secret, ConfigError> {
        self.optional_secret(key)?.ok_or_else(|| self.missing(key))
    }

    /// A secret, if present. A literal string is refused, with the fix.
    pub fn optional_secret(&mut self, key: &'static str) -> Result<Option<Secret>, ConfigError> {
        let Some((_, value)) = self.take(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Table(table) => {
                let (text, origin) = self.resolve_reference(key, table, value.span())?;
                Ok(Some(Secret::new(text, origin)))
            }
            DeValue::String(_) => {
                let variable = format!("{}_{}", self.env_prefix, key.to_ascii_uppercase());
                Err(self.error(
                    key,
                    format!(
                        "is a secret and cannot be written in the config file; write \
                         {key} = {{ env = \"{variable}\" }} or {key} = {{ file = \"/path/to/file\" }}"
                    ),
                ))
            }
            _ => Err(self.wrong_type(key, "{ env = \"VAR\" } or { file = \"PATH\" }", value)),
        }
    }

    /// Reads `{ env = "VAR" }` or `{ file = "PATH" }` and resolves it.
    fn resolve_reference(
        &self,
        key: &'static str,
        table: &DeTable<'_>,
        span: Range<usize>,
    ) -> Result<(String, Origin), ConfigError> {
        let at = |offset: usize, message: String| {
            self.problem(offset, Some(key), format!("\"{key}\": {message}"))
        };
        let expected = "{ env = \"VAR\" } or { file = \"PATH\" }";
        let mut reference = None;
        for (name, value) in table.iter() {
            let name_text = name.get_ref().as_ref();
            if !matches!(name_text, "env" | "file") {
                let hint = match closest(name_text, ["env", "file"]) {
                    Some(near) => format!("did you mean \"{near}\"? "),
                    None => String::new(),
                };
                return Err(at(
                    name.span().start,
                    format!("unknown key \"{name_text}\" ({hint}expected {expected})"),
                ));
            }
            let text = match value.get_ref() {
                DeValue::String(text) if !text.trim().is_empty() => text.as_ref(),
                _ => {
                    return Err(at(
                        value.span().start,
                        format!("{name_text} must be a non-empty string"),
                    ));
                }
            };
            if reference.is_some() {
                return Err(at(span.start, "give env or file, not both".to_string()));
            }
            reference = Some((name_text, text));
        }
        let value_and_origin = match reference {
            None => {
                return Err(at(
                    span.start,
                    format!("expected {expected}, not an empty table"),
                ));
            }
            Some(("env", variable)) => {
                match (self.ctx.env)(variable).filter(|value| !value.trim().is_empty()) {
                    Some(value) => (trimmed(value), Origin::Env(variable.to_string())),
                    None => {
                        return Err(at(
                            span.start,
                            format!("environment variable {variable} is not set or is empty"),
                        ));
                    }
                }
            }
            Some((_, file)) => {
                let path = self.ctx.resolve(file);
                let text = fs::read_to_string(&path).map_err(|error| {
                    let reason = match error.kind() {
                        io::ErrorKind::InvalidData => "it is not UTF-8 text".to_string(),
                        _ => error.to_string(),
                    };
                    at(
                        span.start,
                        format!("cannot read file {}: {reason}", path.display()),
                    )
                })?;
                warn_if_exposed(&path);
                let value = trimmed(text);
                if value.is_empty() {
                    return Err(at(span.start, format!("file {} is empty", path.display())));
                }
                (value, Origin::File(path))
            }
        };
        Ok(value_and_origin)
    }
}

/// Warns (once per file and process) when a file holding a secret may be
/// read by its group or by others, as ssh does of its keys.
pub fn warn_if_exposed(path: &std::path::Path) {
    use std::collections::HashSet;
    use std::os::unix::fs::PermissionsExt;
    use std::sync::{Mutex, OnceLock, PoisonError};

    static WARNED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let Ok(metadata) = fs::metadata(path) else {
        return;
    };
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return;
    }
    let first = WARNED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(path.to_path_buf());
    if first {
        tracing::warn!(
            "{}: holds a secret but is readable by {} (mode {mode:03o}); chmod 600 it",
            path.display(),
            match (mode & 0o070 != 0, mode & 0o007 != 0) {
                (true, true) => "its group and others",
                (true, false) => "its group",
                _ => "others",
            }
        );
    }
}

/// `raw` without surrounding whitespace; the original buffer is wiped, as
/// it may hold a secret.
fn trimmed(mut raw: String) -> String {
    let value = raw.trim().to_string();
    raw.zeroize();
    value
}
