//! The top-level keys that say how collections run ([`RuntimeSettings`]):
//! their ranges, defaults, and how `vpnsnap config check` shows them.

use std::path::PathBuf;

use crate::http::DEFAULT_MAX_RESPONSE_BYTES;
use crate::keys::{ConfigError, SourceKeys, describe};
use crate::listing::{DEFAULT_MAX_OBJECTS, DEFAULT_MAX_PAGES, DEFAULT_MAX_REFERENCED_BYTES};

/// How collections run: the top-level runtime keys, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeSettings {
    /// `max_concurrency`: sources fetched at the same time (1..=64, default 8).
    pub max_concurrency: u32,
    /// `max_retries`: retries of a retryable request (0..=10, default 4).
    pub max_retries: u32,
    /// `timeout_seconds`: per request (1..=3600, default 30).
    pub timeout_seconds: u32,
    /// `source_deadline_seconds`: per source, retries included (1..=86400,
    /// default 600).
    pub source_deadline_seconds: u32,
    /// `max_response_bytes`: the largest response body read (1024..=4 GiB - 1,
    /// default 64 MiB); a larger one fails its source.
    pub max_response_bytes: u32,
    /// `max_pages`: response bodies one source's listing may take (default
    /// 20,000); more fail the source.
    pub max_pages: u32,
    /// `max_objects`: objects of one collection (connections, or one kind
    /// of referenced object) one listing may hold (default 100,000).
    pub max_objects: u32,
    /// `max_referenced_bytes`: memory the referenced objects of one listing
    /// (OpenStack's policies, vpnservices, endpoint groups, subnets) may
    /// take (1024..=4 GiB - 1, default 128 MiB); more fail the source.
    pub max_referenced_bytes: u32,
    /// `metrics_file`: where Prometheus textfile metrics are written after
    /// every run; `--metrics-file` overrides.
    pub metrics_file: Option<PathBuf>,
}

impl Default for RuntimeSettings {
    fn default() -> RuntimeSettings {
        RuntimeSettings {
            max_concurrency: 8,
            max_retries: 4,
            timeout_seconds: 30,
            source_deadline_seconds: 600,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES as u32,
            max_pages: DEFAULT_MAX_PAGES as u32,
            max_objects: DEFAULT_MAX_OBJECTS as u32,
            max_referenced_bytes: DEFAULT_MAX_REFERENCED_BYTES as u32,
            metrics_file: None,
        }
    }
}

impl RuntimeSettings {
    pub(super) fn read(keys: &mut SourceKeys<'_>) -> Result<RuntimeSettings, ConfigError> {
        let defaults = RuntimeSettings::default();
        Ok(RuntimeSettings {
            max_concurrency: keys
                .optional_integer_in("max_concurrency", 1..=64)?
                .unwrap_or(defaults.max_concurrency),
            max_retries: keys
                .optional_integer_in("max_retries", 0..=10)?
                .unwrap_or(defaults.max_retries),
            timeout_seconds: keys
                .optional_integer_in("timeout_seconds", 1..=3600)?
                .unwrap_or(defaults.timeout_seconds),
            source_deadline_seconds: keys
                .optional_integer_in("source_deadline_seconds", 1..=86_400)?
                .unwrap_or(defaults.source_deadline_seconds),
            max_response_bytes: keys
                .optional_integer_in("max_response_bytes", 1024..=u32::MAX)?
                .unwrap_or(defaults.max_response_bytes),
            max_pages: keys
                .optional_integer_in("max_pages", 1..=u32::MAX)?
                .unwrap_or(defaults.max_pages),
            max_objects: keys
                .optional_integer_in("max_objects", 1..=u32::MAX)?
                .unwrap_or(defaults.max_objects),
            max_referenced_bytes: keys
                .optional_integer_in("max_referenced_bytes", 1024..=u32::MAX)?
                .unwrap_or(defaults.max_referenced_bytes),
            metrics_file: keys.optional_path("metrics_file")?,
        })
    }

    pub(super) fn describe(&self, out: &mut String) {
        let defaults = RuntimeSettings::default();
        let integer = |out: &mut String, key, value: u32, default: u32| {
            describe::integer(out, key, value, value == default);
        };
        integer(
            out,
            "max_concurrency",
            self.max_concurrency,
            defaults.max_concurrency,
        );
        integer(out, "max_retries", self.max_retries, defaults.max_retries);
        integer(
            out,
            "timeout_seconds",
            self.timeout_seconds,
            defaults.timeout_seconds,
        );
        integer(
            out,
            "source_deadline_seconds",
            self.source_deadline_seconds,
            defaults.source_deadline_seconds,
        );
        integer(
            out,
            "max_response_bytes",
            self.max_response_bytes,
            defaults.max_response_bytes,
        );
        integer(out, "max_pages", self.max_pages, defaults.max_pages);
        integer(out, "max_objects", self.max_objects, defaults.max_objects);
        integer(
            out,
            "max_referenced_bytes",
            self.max_referenced_bytes,
            defaults.max_referenced_bytes,
        );
        match &self.metrics_file {
            Some(path) => describe::text(out, "metrics_file", &path.display().to_string()),
            None => describe::comment(out, "metrics_file not set"),
        }
    }
}
