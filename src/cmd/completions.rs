//! `vpnsnap completions SHELL`: the shell's completion script, generated
//! from the command-line definition (clap_complete), so it never lags it.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "vpnsnap", &mut out);
    out.flush()?;
    Ok(())
}
