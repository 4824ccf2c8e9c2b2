//! Subcommands, one file each: thin layers over the library. This file
//! holds what they share: finding the config, the database and the PSK
//! fingerprint key.

pub mod collect;
pub mod config_check;
pub mod demo;
pub mod import;
pub mod query;
pub mod run;
pub mod simulate;
pub mod sql;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use secrecy::ExposeSecret;

use crate::cli::{Cli, Command};
use crate::config::{Config, DEFAULT_FILE};
use crate::exit::Exit;
use crate::fingerprint::PskFingerprinter;

/// A mistake in how vpnsnap was called or configured ([`Exit::Usage`]).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    match &cli.command {
        Command::Collect(args) => collect::run(&cli, args),
        Command::Run(args) => run::run(&cli, args),
        Command::Demo(args) => demo::run(&cli, args),
        Command::Simulate(args) => simulate::run(&cli, args),
        Command::Import(args) => import::run(&cli, args).map(|()| Exit::Success),
        Command::Config(command) => config_check::run(&cli, command).map(|()| Exit::Success),
        Command::Query(args) => query::run(&cli, args).map(|()| Exit::Success),
        Command::Sql(args) => sql::run(&cli, args).map(|()| Exit::Success),
    }
}

/// Loads the config, which this command cannot do without.
pub fn require_config(cli: &Cli) -> Result<Config> {
    load_config(cli)?.ok_or_else(|| {
        UsageError(format!(
            "no config: write {DEFAULT_FILE}, or pass --config PATH or set $VPNSNAP_CONFIG"
        ))
        .into()
    })
}

/// Loads the config: the one named (which must exist), else `./vpnsnap.toml`
/// if it exists. `None` when no config was named and the default is absent.
pub fn load_config(cli: &Cli) -> Result<Option<Config>> {
    // clap has already read `$VPNSNAP_CONFIG` into `--config`.
    let named = cli.config.is_some();
    let path = crate::config::locate(cli.config.as_deref(), None);
    if !named && !path.exists() {
        return Ok(None);
    }
    let env = |name: &str| std::env::var(name).ok();
    let config = crate::config::load(&path, &env)?;
    Ok(Some(config))
}

/// The database: `--db`, else the config's `database`.
pub fn database_path(cli: &Cli, config: Option<&Config>) -> Result<PathBuf> {
    match (&cli.db, config) {
        (Some(path), _) => Ok(path.clone()),
        (None, Some(config)) => Ok(config.database.clone()),
        (None, None) => Err(UsageError(format!(
            "no database given: pass --db PATH, or write a config ({DEFAULT_FILE}, --config PATH or $VPNSNAP_CONFIG)"
        ))
        .into()),
    }
}

/// The PSK fingerprinter: the config's `fingerprint_key`, else the key file
/// beside the database (created on first use).
pub fn fingerprinter(config: Option<&Config>, database: &Path) -> Result<PskFingerprinter> {
    if let Some(key) = config.and_then(|config| config.fingerprint_key.as_ref()) {
        return Ok(PskFingerprinter::new(key.expose_secret().as_bytes()));
    }
    let key_file = PskFingerprinter::key_file_for(database);
    PskFingerprinter::from_key_file(&key_file).context("loading the PSK fingerprint key")
}
