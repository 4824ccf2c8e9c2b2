//! A configured source as the layers above the providers receive it: its
//! name, kind, region, account and endpoint ([`SourceConfig`]) and its
//! kind's own keys ([`SourceSettings`]). The config loader builds these;
//! each kind's `settings` module reads and describes its keys.

use super::kind::ProviderKind;
use super::{huaweicloud, openstack, tencent, tencent_legacy};
use crate::keys::{Secret, describe};

/// One resolved `[[source]]`.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// The unique name (1 to 64 of `a-z 0-9 _ -`, checked by the config loader).
    pub name: String,
    /// Which provider, and so which variant [`SourceConfig::settings`] is.
    pub kind: ProviderKind,
    /// The provider's region (for OpenStack, the catalog region).
    pub region: String,
    /// The account the connections belong to: the Huawei Cloud project id,
    /// or the OpenStack project id when given; `None` otherwise.
    pub account: Option<String>,
    /// The endpoint as configured; see [`SourceConfig::endpoint_or_default`].
    pub endpoint: Option<String>,
    /// Which certificates the source's HTTPS endpoint may present.
    pub tls: TlsSettings,
    /// The kind's own keys.
    pub settings: SourceSettings,
}

impl SourceConfig {
    /// The configured endpoint, else the kind's default for the region
    /// (`None` for OpenStack, whose endpoint comes from the service catalog).
    pub fn endpoint_or_default(&self) -> Option<String> {
        self.endpoint
            .clone()
            .or_else(|| self.settings.default_endpoint(&self.region))
    }

    /// Writes the source's table for `vpnsnap config check`, secrets masked.
    pub fn describe(&self, out: &mut String) {
        out.push_str("[[source]]\n");
        describe::text(out, "name", &self.name);
        describe::text(out, "kind", self.kind.as_str());
        describe::text(out, "region", &self.region);
        match (&self.endpoint, self.settings.default_endpoint(&self.region)) {
            (Some(endpoint), _) => describe::text(out, "endpoint", endpoint),
            (None, Some(default)) => describe::text_or_default(out, "endpoint", &default, true),
            (None, None) => describe::comment(
                out,
                &format!("endpoint not set; {} has no default", self.kind),
            ),
        }
        if let Some(ca_file) = &self.tls.ca_file {
            describe::text(out, "ca_file", &ca_file.display().to_string());
        }
        describe::text_or_default(
            out,
            "tls_roots",
            self.tls.roots.as_str(),
            self.tls.roots == TlsRoots::Builtin,
        );
        self.settings.describe(out);
    }
}

/// A source's own keys, by kind: what its `[[source]]` table says beyond
/// `name`, `kind`, `region` and `endpoint`.
#[derive(Debug, Clone)]
pub enum SourceSettings {
    HuaweiCloud(huaweicloud::Settings),
    OpenStack(openstack::Settings),
    Tencent(tencent::Settings),
    TencentLegacy(tencent_legacy::Settings),
}

/// The trust a source's TLS connections start from: every kind may name a
/// private CA (Huawei Cloud Stack, private Tencent and OpenStack endpoints)
/// and use the system's roots. Verification is always on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// `ca_file`: extra CA certificates (PEM, at least one) to trust.
    pub ca_file: Option<std::path::PathBuf>,
    /// `tls_roots`: the roots trusted beside `ca_file`.
    pub roots: TlsRoots,
}

/// `tls_roots = "builtin"` (the Mozilla roots built into vpnsnap, the
/// default) or `"system"` (those and the operating system's store).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TlsRoots {
    #[default]
    Builtin,
    System,
}

impl TlsRoots {
    /// The value as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsRoots::Builtin => "builtin",
            TlsRoots::System => "system",
        }
    }
}

impl SourceSettings {
    /// The kind these settings belong to.
    pub fn kind(&self) -> ProviderKind {
        match self {
            SourceSettings::HuaweiCloud(_) => ProviderKind::HuaweiCloud,
            SourceSettings::OpenStack(_) => ProviderKind::OpenStack,
            SourceSettings::Tencent(_) => ProviderKind::Tencent,
            SourceSettings::TencentLegacy(_) => ProviderKind::TencentLegacy,
        }
    }

    /// The endpoint used when none is configured (`None`: OpenStack takes
    /// it from the service catalog).
    pub fn default_endpoint(&self, region: &str) -> Option<String> {
        match self {
            SourceSettings::HuaweiCloud(_) => Some(huaweicloud::settings::default_endpoint(region)),
            SourceSettings::OpenStack(_) => None,
            SourceSettings::Tencent(_) => Some(tencent::settings::default_endpoint(region)),
            SourceSettings::TencentLegacy(_) => {
                Some(tencent_legacy::settings::default_endpoint(region))
            }
        }
    }

    /// The account the source's connections belong to, if its keys name one.
    pub fn account(&self) -> Option<&str> {
        match self {
            SourceSettings::HuaweiCloud(settings) => settings.account(),
            SourceSettings::OpenStack(settings) => settings.account(),
            SourceSettings::Tencent(settings) => settings.account(),
            SourceSettings::TencentLegacy(settings) => settings.account(),
        }
    }

    /// The configured secrets (keys, passwords, tokens), for taking out of
    /// every error text ([`super::scrub`]).
    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            SourceSettings::HuaweiCloud(settings) => settings.auth.secrets(),
            SourceSettings::OpenStack(settings) => settings.auth.secrets(),
            SourceSettings::Tencent(settings) => std::iter::once(&settings.secret_key)
                .chain(&settings.token)
                .collect(),
            SourceSettings::TencentLegacy(settings) => vec![&settings.secret_key],
        }
    }

    /// Writes the keys for `vpnsnap config check`, secrets masked.
    pub fn describe(&self, out: &mut String) {
        match self {
            SourceSettings::HuaweiCloud(settings) => settings.describe(out),
            SourceSettings::OpenStack(settings) => settings.describe(out),
            SourceSettings::Tencent(settings) => settings.describe(out),
            SourceSettings::TencentLegacy(settings) => settings.describe(out),
        }
    }
}
