//! `vpnsnap collect`: fetch the configured sources concurrently, store them
//! as one run, print a summary per source (with `-q`, only when a source
//! failed).

use anyhow::{Context, Result};

use crate::cli::{Cli, CollectArgs};
use crate::exit::Exit;
use crate::shutdown::Shutdown;

pub fn run(cli: &Cli, args: &CollectArgs) -> Result<Exit> {
    let prepared = super::prepare_collection(cli, &args.run)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let shutdown = Shutdown::on_signals(&runtime);
    super::collect_now(&runtime, &prepared, &shutdown, args.run.format, cli.quiet)
}
