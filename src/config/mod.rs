//! The config file, `vpnsnap.toml`: found ([`locate`]), parsed with the
//! position of every key, checked, and resolved once into a [`Config`]
//! ([`load`]): relative paths made absolute against the config's folder,
//! identifiers and secrets read from the environment or from files,
//! defaults filled in. Nothing downstream reads the environment or the file.
//!
//! ```toml
//! database = "vpnsnap.db"        # default; relative to the config's folder
//! schedule = "0 */15 * * * *"    # cron, seconds first (optional)
//! # fingerprint_key = { env = "VPNSNAP_FINGERPRINT_KEY" }   # optional secret; unset is an error
//!
//! [[source]]
//! name = "hw-cn-north-4"         # unique; 1 to 64 of a-z 0-9 _ -
//! kind = "huaweicloud"           # huaweicloud | openstack | tencent | tencent-legacy
//! region = "cn-north-4"
//! endpoint = "https://vpn.cn-north-4.myhuaweicloud.com"   # optional
//! project_id = "0a1b2c3d"
//! access_key = { env = "HW_ACCESS_KEY" }
//! secret_key = { file = "/etc/vpnsnap/hw.sk" }
//! ```
//!
//! Each kind's keys are read by its `provider::<kind>::settings` module
//! through [`SourceKeys`]. Identifiers (access key ids, user names) may be
//! written literally or as `{ env = "VAR" }` / `{ file = "PATH" }`; secrets
//! only in the latter two forms. Values from the environment or a file are
//! trimmed of surrounding whitespace; an unset or empty variable and an
//! unreadable or empty file are errors.
//!
//! Every error names the file and line, the source and the key; the
//! problems of the whole file are reported together.

mod runtime;
mod schedule;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use cron::Schedule;
use toml::de::DeTable;

use crate::fingerprint::PskFingerprinter;
use crate::provider::{self, ProviderKind, TlsRoots, TlsSettings};

pub use crate::keys::{ConfigError, Identifier, Origin, Problem, Secret, SourceKeys, describe};
pub use crate::provider::SourceConfig;
pub use runtime::RuntimeSettings;
pub use schedule::parse_schedule;

use crate::keys::{Context, line_of};

/// The config file used when neither `--config` nor `VPNSNAP_CONFIG` names one.
pub const DEFAULT_FILE: &str = "vpnsnap.toml";
/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "VPNSNAP_CONFIG";
/// The database used when the config names none, beside the config file.
pub const DEFAULT_DATABASE: &str = "vpnsnap.db";

/// The keys allowed at the top level of the file.
pub(crate) const TOP_LEVEL_KEYS: [&str; 13] = [
    "database",
    "schedule",
    "fingerprint_key",
    "max_concurrency",
    "max_retries",
    "timeout_seconds",
    "source_deadline_seconds",
    "max_response_bytes",
    "max_pages",
    "max_objects",
    "max_referenced_bytes",
    "metrics_file",
    "source",
];

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file, absolute.
    pub path: PathBuf,
    /// The database file, absolute.
    pub database: PathBuf,
    /// When `vpnsnap run` collects; [`Schedule::source`] gives the
    /// expression as written.
    pub schedule: Option<Schedule>,
    /// The PSK fingerprint key; its UTF-8 bytes are the HMAC key. Without it
    /// the key file beside the database is used
    /// ([`PskFingerprinter::key_file_for`]).
    pub fingerprint_key: Option<Secret>,
    /// How collections run.
    pub runtime: RuntimeSettings,
    /// The sources, in file order; names are unique.
    pub sources: Vec<SourceConfig>,
}

impl Config {
    /// The source named `name`.
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|source| source.name == name)
    }

    /// The resolved configuration as TOML-like text, for `vpnsnap config
    /// check`: defaults filled in and marked, where each credential came
    /// from, and `"***"` for every secret.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        describe::comment(
            &mut out,
            &format!(
                "vpnsnap configuration, resolved from {}",
                self.path.display()
            ),
        );
        describe::text(&mut out, "database", &self.database.display().to_string());
        match &self.schedule {
            Some(schedule) => describe::text(&mut out, "schedule", schedule.source()),
            None => describe::comment(&mut out, "schedule not set"),
        }
        match &self.fingerprint_key {
            Some(key) => describe::secret(&mut out, "fingerprint_key", key),
            None => describe::comment(
                &mut out,
                &format!(
                    "fingerprint_key not set: the key file beside the database is used, {}",
                    PskFingerprinter::key_file_for(&self.database).display()
                ),
            ),
        }
        self.runtime.describe(&mut out);
        for source in &self.sources {
            out.push('\n');
            source.describe(&mut out);
        }
        out
    }
}

/// The config file to use: `--config PATH`, else `$VPNSNAP_CONFIG` (when
/// set and not empty), else `vpnsnap.toml` in the current folder.
pub fn locate(explicit: Option<&Path>, env_value: Option<&OsStr>) -> PathBuf {
    match (explicit, env_value.filter(|value| !value.is_empty())) {
        (Some(path), _) => path.to_path_buf(),
        (None, Some(value)) => PathBuf::from(value),
        (None, None) => PathBuf::from(DEFAULT_FILE),
    }
}

/// Reads and resolves the config file at `path`; `env` looks up
/// environment variables. A missing file is [`ConfigError::NotFound`].
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let text = fs::read_to_string(path).map_err(|error| match error.kind() {
        io::ErrorKind::NotFound => ConfigError::NotFound {
            path: path.to_path_buf(),
        },
        _ => ConfigError::Read {
            path: path.to_path_buf(),
            error,
        },
    })?;
    load_from_str(&text, path, env)
}

/// Resolves `text` as the config file at `path` (which locates relative
/// paths and names the file in messages; it is not read).
pub fn load_from_str(
    text: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let document = DeTable::parse(text).map_err(|error| ConfigError::Syntax {
        file: file.clone(),
        line: error.span().map_or(1, |span| line_of(text, span.start)),
        message: error.message().trim_end().to_string(),
    })?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    let ctx = Context {
        text,
        file,
        dir,
        env,
        top_level_keys: &TOP_LEVEL_KEYS,
    };

    let mut problems = Vec::new();
    let mut top = SourceKeys::new(
        &ctx,
        document.get_ref(),
        document.span(),
        None,
        "top-level keys".to_string(),
        "VPNSNAP".to_string(),
    );
    let database = gather(&mut problems, top.optional_path("database"))?.flatten();
    let schedule = gather(&mut problems, read_schedule(&mut top))?.flatten();
    let fingerprint_key = gather(&mut problems, top.optional_secret("fingerprint_key"))?.flatten();
    let runtime = gather(&mut problems, RuntimeSettings::read(&mut top))?.unwrap_or_default();
    let tables = gather(&mut problems, top.array_of_tables("source"))?.unwrap_or_default();
    gather(&mut problems, top.finish())?;

    let mut names = HashMap::new();
    let mut sources = Vec::with_capacity(tables.len());
    for (index, (table, span)) in tables.into_iter().enumerate() {
        let source = read_source(&ctx, table, span, index + 1, &mut names);
        sources.extend(gather(&mut problems, source)?);
    }

    if !problems.is_empty() {
        problems.sort_by_key(|problem| problem.line);
        return Err(ConfigError::Invalid { problems });
    }
    Ok(Config {
        database: database.unwrap_or_else(|| ctx.resolve(DEFAULT_DATABASE)),
        path: absolute,
        schedule,
        fingerprint_key,
        runtime,
        sources,
    })
}

/// Checks a source name: 1 to 64 characters from `a-z`, `0-9`, `_`, `-`.
pub fn validate_source_name(name: &str) -> Result<(), String> {
    let allowed = |byte: u8| matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-');
    if (1..=64).contains(&name.len()) && name.bytes().all(allowed) {
        Ok(())
    } else {
        Err(format!(
            "invalid source name {name:?}: use 1 to 64 characters from a-z, 0-9, \"_\" and \"-\""
        ))
    }
}

/// Keeps the problems of an invalid part so the rest of the file is still
/// checked; other errors end the load.
fn gather<T>(
    problems: &mut Vec<Problem>,
    result: Result<T, ConfigError>,
) -> Result<Option<T>, ConfigError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ConfigError::Invalid { problems: found }) => {
            problems.extend(found);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

fn read_schedule(keys: &mut SourceKeys<'_>) -> Result<Option<Schedule>, ConfigError> {
    let Some(expression) = keys.optional_text("schedule")? else {
        return Ok(None);
    };
    parse_schedule(&expression)
        .map(Some)
        .map_err(|reason| keys.error("schedule", reason))
}

/// The region as an endpoint host part would need it.
fn check_region(keys: &SourceKeys<'_>, region: &str) -> Result<(), ConfigError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if region.chars().all(allowed) {
        Ok(())
    } else {
        Err(keys.error(
            "region",
            format!("{region:?} is not a region name (letters, digits, \"-\", \"_\" and \".\")"),
        ))
    }
}

fn read_source<'a>(
    ctx: &'a Context<'a>,
    table: &'a DeTable<'a>,
    span: Range<usize>,
    number: usize,
    names: &mut HashMap<String, usize>,
) -> Result<SourceConfig, ConfigError> {
    let mut keys = SourceKeys::new(
        ctx,
        table,
        span,
        Some(format!("[[source]] #{number}")),
        "keys for a source".to_string(),
        format!("SOURCE{number}"),
    );
    let name = keys.required_text("name")?;
    validate_source_name(&name).map_err(|message| keys.error("name", message))?;
    keys.set_label(
        format!("source {name:?}"),
        name.to_ascii_uppercase().replace('-', "_"),
    );
    let line = keys.key_line("name");
    if let Some(first) = names.get(&name) {
        return Err(keys.error(
            "name",
            format!(
                "the [[source]] on line {first} has this name already; source names must be unique"
            ),
        ));
    }
    names.insert(name.clone(), line);

    let kind: ProviderKind = keys
        .required_text("kind")?
        .parse()
        .map_err(|message: String| keys.error("kind", message))?;
    keys.set_vocabulary(format!("keys for {kind}"));
    let region = keys.required_text("region")?;
    check_region(&keys, &region)?;
    let endpoint = keys.optional_url("endpoint")?;
    let settings = provider::read_settings(kind, &mut keys)?;
    let tls = TlsSettings {
        ca_file: keys.optional_ca_file("ca_file")?,
        roots: keys
            .optional_choice(
                "tls_roots",
                &[("builtin", TlsRoots::Builtin), ("system", TlsRoots::System)],
            )?
            .unwrap_or_default(),
    };
    keys.finish()?;
    Ok(SourceConfig {
        name,
        kind,
        region,
        account: settings.account().map(str::to_string),
        endpoint,
        tls,
        settings,
    })
}
