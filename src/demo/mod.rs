//! The built-in estate: the four simulators started together on
//! 127.0.0.1, a config that points at them with the demo credentials, and
//! the scripted history `vpnsnap demo` collects (see [`script`]).
//! `vpnsnap simulate` and the benchmarks use the same simulators.

pub mod script;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::sim::huaweicloud::{self, HuaweiSim, HuaweiSimConfig};
use crate::sim::openstack::{self, OpenStackSim, OpenStackSimConfig};
use crate::sim::tencent::{self, TencentSim, TencentSimConfig};
use crate::sim::tencent_legacy::{self, TencentLegacySim, TencentLegacySimConfig};

/// The source names of the demo config, one per provider.
pub const HUAWEI_SOURCE: &str = "hw-demo";
pub const OPENSTACK_SOURCE: &str = "os-demo";
pub const TENCENT_SOURCE: &str = "tc-demo";
pub const TENCENT_LEGACY_SOURCE: &str = "tcl-demo";

/// The Huawei region the demo config names (any region works: the
/// endpoint is the simulator's).
const HUAWEI_REGION: &str = "cn-north-4";
/// The legacy API's short region name.
const LEGACY_REGION: &str = "gz";

/// The four simulators, running.
pub struct Simulators {
    pub huawei: HuaweiSim,
    pub openstack: OpenStackSim,
    pub tencent: TencentSim,
    pub tencent_legacy: TencentLegacySim,
}

impl std::fmt::Debug for Simulators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulators")
            .field("huawei", &self.huawei.url())
            .field("openstack", &self.openstack.url())
            .field("tencent", &self.tencent.url())
            .field("tencent_legacy", &self.tencent_legacy.url())
            .finish()
    }
}

/// How big the simulated estates are.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// The demo's small, hand-readable estates.
    Demo,
    /// `n` generated connections per provider.
    PerProvider(usize),
}

impl Simulators {
    /// Starts the four simulators with estates of `scale`.
    pub fn start(scale: Scale) -> std::io::Result<Simulators> {
        let (huawei_estate, openstack_estate, tencent_estate, legacy_estate) = match scale {
            Scale::Demo => (
                huaweicloud::generate_estate(5, 11),
                openstack::Estate::sample(),
                tencent::generate_estate(4, 13),
                tencent_legacy::generate_estate(3, 17),
            ),
            Scale::PerProvider(count) => (
                huaweicloud::generate_estate(count, 11),
                openstack::generate_estate(count, 7),
                tencent::generate_estate(count, 13),
                tencent_legacy::generate_estate(count, 17),
            ),
        };
        Ok(Simulators {
            huawei: HuaweiSim::start(HuaweiSimConfig {
                estate: huawei_estate,
                ..HuaweiSimConfig::default()
            })?,
            openstack: OpenStackSim::start(OpenStackSimConfig {
                estate: openstack_estate,
                ..OpenStackSimConfig::default()
            })?,
            tencent: TencentSim::start(TencentSimConfig {
                estate: tencent_estate,
                ..TencentSimConfig::default()
            })?,
            tencent_legacy: TencentLegacySim::start(TencentLegacySimConfig {
                estate: legacy_estate,
                ..TencentLegacySimConfig::default()
            })?,
        })
    }

    /// Adds `latency` to every answer of every simulator.
    pub fn set_latency(&self, latency: Duration) {
        self.huawei.faults().set_latency(latency);
        self.openstack.faults().set_latency(latency);
        self.tencent.faults().set_latency(latency);
        self.tencent_legacy.faults().set_latency(latency);
    }

    /// Writes a config for the simulators to `config`, with `database`,
    /// and the demo secrets in owner-only files in `<config>.secrets/`
    /// (secrets are never written into a config). `extra` is added to the
    /// top level (e.g. `[runtime]` keys).
    pub fn write_config(
        &self,
        config: &Path,
        database: &Path,
        extra: &str,
    ) -> std::io::Result<PathBuf> {
        self.write_config_with(config, database, extra, PageSizes::default())
    }

    /// [`Simulators::write_config`] with each source's `page_size` set
    /// where `page_sizes` gives one (the benchmarks page as the issue
    /// states rather than by each kind's default).
    pub fn write_config_with(
        &self,
        config: &Path,
        database: &Path,
        extra: &str,
        page_sizes: PageSizes,
    ) -> std::io::Result<PathBuf> {
        // Nothing is overwritten: a file in the way stops the demo before
        // it writes anything (and each file is created new, besides).
        if let Some(existing) = files_written(config).into_iter().find(|path| path.exists()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists, and the demo never overwrites a file",
                    existing.display()
                ),
            ));
        }
        let secrets = secrets_folder(config);
        std::fs::create_dir_all(&secrets)?;
        let secret = |name: &'static str, value: &str| -> std::io::Result<String> {
            debug_assert!(SECRET_FILES.contains(&name));
            let path = secrets.join(name);
            write_owner_only(&path, value)?;
            Ok(format!(
                "{{ file = {} }}",
                toml_string(&path.display().to_string())
            ))
        };
        let mut text = String::new();
        let _ = writeln!(
            text,
            "# Written by vpnsnap for its simulators on 127.0.0.1 (demo credentials).\n\
             database = {}\n{extra}",
            toml_string(&database.display().to_string())
        );
        let _ = writeln!(
            text,
            "\n[[source]]\nname = \"{HUAWEI_SOURCE}\"\nkind = \"huaweicloud\"\nregion = \"{HUAWEI_REGION}\"\n\
             endpoint = {}\nproject_id = \"{}\"\naccess_key = \"{}\"\nsecret_key = {}",
            toml_string(&self.huawei.url()),
            huaweicloud::DEMO_PROJECT_ID,
            huaweicloud::DEMO_ACCESS_KEY,
            secret("huawei-secret-key", huaweicloud::DEMO_SECRET_KEY)?,
        );
        page_size_line(&mut text, page_sizes.huawei);
        let _ = writeln!(
            text,
            "\n[[source]]\nname = \"{OPENSTACK_SOURCE}\"\nkind = \"openstack\"\nregion = \"{}\"\n\
             auth_url = {}\nusername = \"{}\"\npassword = {}\nproject_name = \"{}\"",
            openstack::DEMO_REGION,
            toml_string(&self.openstack.auth_url()),
            openstack::DEMO_USERNAME,
            secret("openstack-password", openstack::DEMO_PASSWORD)?,
            openstack::DEMO_PROJECT_NAME,
        );
        page_size_line(&mut text, page_sizes.openstack);
        let _ = writeln!(
            text,
            "\n[[source]]\nname = \"{TENCENT_SOURCE}\"\nkind = \"tencent\"\nregion = \"{}\"\n\
             endpoint = {}\nsecret_id = \"{}\"\nsecret_key = {}",
            tencent::DEMO_REGION,
            toml_string(&self.tencent.url()),
            tencent::DEMO_SECRET_ID,
            secret("tencent-secret-key", tencent::DEMO_SECRET_KEY)?,
        );
        page_size_line(&mut text, page_sizes.tencent);
        let _ = writeln!(
            text,
            "\n[[source]]\nname = \"{TENCENT_LEGACY_SOURCE}\"\nkind = \"tencent-legacy\"\nregion = \"{LEGACY_REGION}\"\n\
             endpoint = {}\nsecret_id = \"{}\"\nsecret_key = {}",
            toml_string(&self.tencent_legacy.url()),
            tencent_legacy::DEMO_SECRET_ID,
            secret("tencent-legacy-secret-key", tencent_legacy::DEMO_SECRET_KEY)?,
        );
        page_size_line(&mut text, page_sizes.tencent_legacy);
        write_new(config, &text, 0o644)?;
        Ok(secrets)
    }
}

/// Per-source `page_size` keys for [`Simulators::write_config_with`];
/// `None` leaves the kind's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageSizes {
    pub huawei: Option<u32>,
    pub openstack: Option<u32>,
    pub tencent: Option<u32>,
    pub tencent_legacy: Option<u32>,
}

/// Adds `page_size = n` to the source table just written, if set.
fn page_size_line(text: &mut String, page_size: Option<u32>) {
    if let Some(page_size) = page_size {
        let _ = writeln!(text, "page_size = {page_size}");
    }
}

/// The demo secrets' file names, in `<config>.secrets/`.
const SECRET_FILES: [&str; 4] = [
    "huawei-secret-key",
    "openstack-password",
    "tencent-secret-key",
    "tencent-legacy-secret-key",
];

/// `<config>.secrets`, where the demo secrets go.
pub fn secrets_folder(config: &Path) -> PathBuf {
    let mut name = config.as_os_str().to_owned();
    name.push(".secrets");
    PathBuf::from(name)
}

/// Every file [`Simulators::write_config`] writes for `config`: the config
/// and its secrets.
pub fn files_written(config: &Path) -> Vec<PathBuf> {
    let secrets = secrets_folder(config);
    std::iter::once(config.to_path_buf())
        .chain(SECRET_FILES.iter().map(|name| secrets.join(name)))
        .collect()
}

fn write_owner_only(path: &Path, value: &str) -> std::io::Result<()> {
    write_new(path, value, 0o600)
}

/// Writes a file that must not exist yet (a link planted there is not
/// followed), with `mode`.
fn write_new(path: &Path, value: &str, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|error| {
            std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
        })?;
    file.write_all(value.as_bytes())
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(quoted, "\\u{:04X}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
