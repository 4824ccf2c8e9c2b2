//! A hostile OpenStack for measuring memory by hand (issue 16): the
//! simulated Keystone + Neutron on 127.0.0.1 with VPNaaS collections that
//! never end (`Paging::Endless`), so the first referenced collection a
//! collection lists, the IKE policies, pages on for ever. Writes a config of
//! one source against it and serves until killed.
//!
//!     cargo build --release --bin vpnsnap --example endless_openstack
//!     target/release/examples/endless_openstack /tmp/endless 4096 &
//!     VPNSNAP_CONFIG=/tmp/endless/vpnsnap.toml OS_PASSWORD=demo-Passw0rd \
//!         /usr/bin/time -v target/release/vpnsnap collect
//!
//! Arguments: the folder for the config (written again at every start, for
//! the port changes) and the database; the bytes of description each made-up
//! object carries (default 0: objects as Neutron returns them); then any
//! top-level keys for the config, e.g. `"max_referenced_bytes = 1048576"`.

use std::path::PathBuf;

use vpnsnap::sim::openstack::{OpenStackSim, OpenStackSimConfig, Paging};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: endless_openstack DIR [PADDING]")?,
    );
    let padding = args
        .next()
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(0);
    let sim = OpenStackSim::start(OpenStackSimConfig {
        paging: Paging::Endless { padding },
        ..OpenStackSimConfig::default()
    })?;
    let top: String = args.map(|key| format!("{key}\n")).collect();
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("vpnsnap.toml");
    std::fs::write(
        &config,
        format!(
            "{top}[[source]]\nname = \"endless\"\nkind = \"openstack\"\nregion = \"RegionOne\"\n\
             auth_url = \"{}\"\nusername = \"demo\"\npassword = {{ env = \"OS_PASSWORD\" }}\n\
             project_name = \"demo\"\n",
            sim.auth_url()
        ),
    )?;
    println!(
        "serving endless VPNaaS collections ({padding} bytes of description per object) at {}; \
         config {}",
        sim.url(),
        config.display()
    );
    loop {
        std::thread::park();
    }
}
