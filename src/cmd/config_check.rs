//! `vpnsnap config check`: validate the config and print it resolved.

use anyhow::Result;

use super::UsageError;
use crate::cli::{Cli, ConfigCommand};

pub fn run(cli: &Cli, command: &ConfigCommand) -> Result<()> {
    match command {
        ConfigCommand::Check => {
            let config = super::load_config(cli)?.ok_or_else(|| {
                UsageError(format!(
                    "no config to check: {} does not exist (name one with --config PATH or $VPNSNAP_CONFIG)",
                    crate::config::DEFAULT_FILE
                ))
            })?;
            super::require_sources(&config)?;
            print!("{}", config.describe());
            Ok(())
        }
    }
}
