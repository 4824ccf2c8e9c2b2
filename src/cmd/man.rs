//! `vpnsnap man`: the man page, vpnsnap(1), in roff, generated from the
//! command-line definition (clap_mangen): the options, the subcommands and
//! the exit codes.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;

pub fn run() -> Result<()> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(())
}
