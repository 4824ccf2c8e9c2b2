//! TEMPORARY STUB until the config loader lands.
use crate::provider::ProviderKind;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);
pub struct Config {
    pub path: PathBuf,
    pub database: PathBuf,
    pub fingerprint_key: Option<SecretString>,
    pub sources: Vec<SourceConfig>,
}
pub struct SourceConfig {
    pub name: String,
    pub kind: ProviderKind,
    pub region: String,
    pub account: Option<String>,
}
impl Config {
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name == name)
    }
    pub fn describe(&self) -> String {
        String::new()
    }
}
pub fn load(path: &Path, _env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    Err(ConfigError(format!("stub {}", path.display())))
}
pub fn validate_source_name(name: &str) -> Result<(), String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        Ok(())
    } else {
        Err("must match [a-z0-9_-]+".into())
    }
}
