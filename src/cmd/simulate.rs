//! `vpnsnap simulate`: keep the four simulators running with a config that
//! points at them, until Ctrl-C.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::{Cli, SimulateArgs};
use crate::demo::{Scale, Simulators};
use crate::exit::Exit;
use crate::shutdown::Shutdown;

pub fn run(cli: &Cli, args: &SimulateArgs) -> Result<Exit> {
    let config_path = args
        .config_out
        .clone()
        .unwrap_or_else(|| PathBuf::from("vpnsnap-sim.toml"));
    let config_path = std::path::absolute(&config_path).unwrap_or(config_path);
    let database = cli
        .db
        .clone()
        .unwrap_or_else(|| config_path.with_extension("db"));
    let scale = match args.scale {
        Some(count) => Scale::PerProvider(count),
        None => Scale::Demo,
    };
    let sims = Simulators::start(scale).context("starting the simulators")?;
    sims.set_latency(Duration::from_millis(args.latency));
    let secrets = sims
        .write_config(&config_path, &database, "schedule = \"*/30 * * * * *\"\n")
        .with_context(|| format!("writing {}", config_path.display()))?;
    let config = config_path.display();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Simulators running on 127.0.0.1 (Ctrl-C stops them):\n  \
         huaweicloud     {}\n  openstack       {} (Keystone)\n  tencent         {}\n  tencent-legacy  {}\n\
         {}\n\
         Config: {config} (demo credentials in {})\n\n\
         Collect once:       vpnsnap --config {config} collect\n\
         Every 30 seconds:   vpnsnap --config {config} run\n\
         Then:               vpnsnap --config {config} query current",
        sims.huawei.url(),
        sims.openstack.auth_url(),
        sims.tencent.url(),
        sims.tencent_legacy.url(),
        match args.scale {
            Some(count) => format!("{count} connections per provider"),
            None => "the demo's small estates".to_string(),
        },
        secrets.display(),
    )?;
    out.flush()?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let shutdown = Shutdown::on_signals(&runtime);
    runtime.block_on(shutdown.requested());
    drop(sims);
    Ok(Exit::Success)
}
