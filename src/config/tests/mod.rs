//! Tests of the config loader: resolved values per kind, every error class
//! with its line, source and key, and secrets kept out of messages and output.
//! This file holds the fake environment and the helpers.

mod credentials;
mod describe;
mod file;
mod kinds;
mod sources;

use std::fs;
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;

use super::*;
use crate::provider::SourceSettings;
use crate::provider::huaweicloud::settings as huaweicloud;
use crate::provider::openstack::settings as openstack;
use crate::provider::tencent::settings as tencent;
use crate::provider::tencent_legacy::settings as tencent_legacy;

const PATH: &str = "/etc/vpnsnap/vpnsnap.toml";

/// The fake environment of these tests.
fn env(name: &str) -> Option<String> {
    let value = match name {
        "VPNSNAP_FINGERPRINT_KEY" => "fingerprint-key-value",
        "HW_ACCESS_KEY" => "AKIDHUAWEI",
        "HW_SECRET_KEY" => "hw-secret-key-value",
        "HW_TOKEN" => "hw-token-value",
        "OS_PASSWORD" => "os-password-value",
        "OS_APP_SECRET" => "os-app-secret-value",
        "OS_TOKEN" => "os-token-value",
        "TC_SECRET_ID" => "AKIDTENCENT",
        "TC_SECRET_KEY" => "tc-secret-key-value",
        "TC_TOKEN" => "tc-token-value",
        "PADDED" => "  padded-value\n",
        "EMPTY" => "",
        _ => return None,
    };
    Some(value.to_string())
}

/// Every secret value `env` hands out.
const SECRET_VALUES: [&str; 9] = [
    "fingerprint-key-value",
    "hw-secret-key-value",
    "hw-token-value",
    "os-password-value",
    "os-app-secret-value",
    "os-token-value",
    "tc-secret-key-value",
    "tc-token-value",
    "file-secret-value",
];

fn load_at(text: &str, path: &Path) -> Config {
    match load_from_str(text, path, &env) {
        Ok(config) => config,
        Err(error) => panic!("expected the config to load, got:\n{error}"),
    }
}

fn load_ok(text: &str) -> Config {
    load_at(text, Path::new(PATH))
}

fn load_err(text: &str) -> String {
    match load_from_str(text, Path::new("vpnsnap.toml"), &env) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(error) => error.to_string(),
    }
}

fn assert_contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
}

fn huawei(source: &SourceConfig) -> &huaweicloud::Settings {
    match &source.settings {
        SourceSettings::HuaweiCloud(settings) => settings,
        other => panic!("expected huaweicloud settings, got {other:?}"),
    }
}

fn openstack(source: &SourceConfig) -> &openstack::Settings {
    match &source.settings {
        SourceSettings::OpenStack(settings) => settings,
        other => panic!("expected openstack settings, got {other:?}"),
    }
}

fn tencent(source: &SourceConfig) -> &tencent::Settings {
    match &source.settings {
        SourceSettings::Tencent(settings) => settings,
        other => panic!("expected tencent settings, got {other:?}"),
    }
}

fn tencent_legacy(source: &SourceConfig) -> &tencent_legacy::Settings {
    match &source.settings {
        SourceSettings::TencentLegacy(settings) => settings,
        other => panic!("expected tencent-legacy settings, got {other:?}"),
    }
}

const HUAWEI: &str = r#"
[[source]]
name = "hw"
kind = "huaweicloud"
region = "cn-north-4"
project_id = "0a1b2c3d"
access_key = { env = "HW_ACCESS_KEY" }
secret_key = { env = "HW_SECRET_KEY" }
"#;

const OPENSTACK: &str = r#"
[[source]]
name = "os"
kind = "openstack"
region = "RegionOne"
auth_url = "https://keystone.example:5000/v3"
username = "vpnsnap"
password = { env = "OS_PASSWORD" }
"#;

const TENCENT: &str = r#"
[[source]]
name = "tc"
kind = "tencent"
region = "ap-guangzhou"
secret_id = { env = "TC_SECRET_ID" }
secret_key = { env = "TC_SECRET_KEY" }
"#;
