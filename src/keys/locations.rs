//! Keys that name where something is: endpoint URLs (never echoed when
//! they may carry credentials) and files, resolved against the config's
//! folder.

use std::fs;
use std::path::PathBuf;

use super::error::ConfigError;
use super::table::SourceKeys;

impl SourceKeys<'_> {
    /// An `http://` or `https://` URL that must be present.
    pub fn required_url(&mut self, key: &'static str) -> Result<String, ConfigError> {
        self.optional_url(key)?.ok_or_else(|| self.missing(key))
    }

    /// An `http://` or `https://` URL with a host and no user name or
    /// password in it, if present.
    pub fn optional_url(&mut self, key: &'static str) -> Result<Option<String>, ConfigError> {
        let Some(text) = self.optional_text(key)? else {
            return Ok(None);
        };
        let text = text.trim().to_string();
        // Never echo a URL that may carry credentials.
        let shown = if text.contains('@') {
            String::new()
        } else {
            format!(", not {text:?}")
        };
        let url = reqwest::Url::parse(&text).map_err(|error| {
            self.error(
                key,
                format!("must be an http:// or https:// URL ({error}){shown}"),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(self.error(key, format!("must be an http:// or https:// URL{shown}")));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(self.error(
                key,
                "must not contain a user name or password; credentials have their own keys",
            ));
        }
        Ok(Some(text))
    }

    /// A path resolved against the config's folder, if present.
    pub fn optional_path(&mut self, key: &'static str) -> Result<Option<PathBuf>, ConfigError> {
        Ok(self.optional_text(key)?.map(|path| self.ctx.resolve(&path)))
    }

    /// A path to an existing file, resolved against the config's folder, if present.
    pub fn optional_existing_file(
        &mut self,
        key: &'static str,
    ) -> Result<Option<PathBuf>, ConfigError> {
        let Some(path) = self.optional_path(key)? else {
            return Ok(None);
        };
        match fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => Ok(Some(path)),
            Ok(_) => Err(self.error(key, format!("{} is not a file", path.display()))),
            Err(error) => Err(self.error(key, format!("cannot read {}: {error}", path.display()))),
        }
    }

    /// A PEM file of CA certificates (at least one), resolved against the
    /// config's folder, if present: checked now, not at the first
    /// connection.
    pub fn optional_ca_file(&mut self, key: &'static str) -> Result<Option<PathBuf>, ConfigError> {
        let Some(path) = self.optional_existing_file(key)? else {
            return Ok(None);
        };
        let pem = fs::read(&path)
            .map_err(|error| self.error(key, format!("cannot read {}: {error}", path.display())))?;
        match reqwest::Certificate::from_pem_bundle(&pem) {
            Ok(certificates) if !certificates.is_empty() => Ok(Some(path)),
            Ok(_) => Err(self.error(
                key,
                format!(
                    "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    path.display()
                ),
            )),
            Err(error) => Err(self.error(
                key,
                format!("{} is not PEM certificates: {error}", path.display()),
            )),
        }
    }
}
