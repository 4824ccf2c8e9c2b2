//! One snapshot series for the side-by-side run against git-history
//! (`benches/vs_git_history.sh`, issue 19): a synthetic Huawei Cloud v5
//! estate of N connections saved R times as list bodies
//! (`{"vpn_connections": [...], "page_info": ..., "total_count": N}`), one
//! file per snapshot, with a share of the connections changed before each
//! snapshot after the first (a status flip, an IKE encryption change or an
//! `updated_at` edit, as in `benches/ingest.rs`). Deterministic: the same
//! arguments write the same bytes.
//!
//!     cargo build --release --example snapshot_series
//!     target/release/examples/snapshot_series DIR [CONNECTIONS [SNAPSHOTS [CHURN_PERCENT]]]
//!
//! Defaults: 10,000 connections, 30 snapshots, 1% churn (changes per
//! snapshot = CONNECTIONS x CHURN_PERCENT / 100, rounded; a connection may be
//! drawn twice). Writes `DIR/snapshot-0001.json`... and `DIR/series.tsv`: one
//! line per snapshot, its file name and the time it is observed at (15 minutes
//! apart from 2026-01-01T00:00:00Z), tab-separated.
//!
//! The connection objects and the mutations are a copy of those in
//! `benches/ingest.rs` rather than a shared module, so that work on that
//! benchmark never changes this series unnoticed.

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde_json::{Value, json};
use vpnsnap::time::Timestamp;

const USAGE: &str = "usage: snapshot_series DIR [CONNECTIONS [SNAPSHOTS [CHURN_PERCENT]]]";
/// 2026-01-01T00:00:00Z.
const FIRST_OBSERVED: i64 = 1_767_225_600;
const INTERVAL_SECONDS: i64 = 900;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or(USAGE)?);
    let connections: usize = parse(args.next(), 10_000, "CONNECTIONS")?;
    let snapshots: usize = parse(args.next(), 30, "SNAPSHOTS")?;
    let churn: f64 = parse(args.next(), 1.0, "CHURN_PERCENT")?;
    if args.next().is_some()
        || connections == 0
        || snapshots == 0
        || !(0.0..=100.0).contains(&churn)
    {
        return Err(format!(
            "{USAGE}\n(CONNECTIONS and SNAPSHOTS at least 1, CHURN_PERCENT from 0 to 100)"
        )
        .into());
    }
    let changed_per_snapshot = (connections as f64 * churn / 100.0).round() as usize;
    std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;

    let mut estate: Vec<Value> = (0..connections).map(connection).collect();
    let mut random = Lcg(0x5eed);
    let mut manifest = String::new();
    let mut bytes = 0u64;
    for snapshot in 0..snapshots {
        if snapshot > 0 {
            for _ in 0..changed_per_snapshot {
                let index = random.below(estate.len());
                mutate(&mut estate[index], &mut random);
            }
        }
        let name = format!("snapshot-{:04}.json", snapshot + 1);
        let path = dir.join(&name);
        let body = json!({
            "vpn_connections": estate,
            "page_info": {"current_count": estate.len()},
            "request_id": format!("series-{:04}", snapshot + 1),
            "total_count": estate.len(),
        });
        let mut out = BufWriter::new(
            File::create(&path).map_err(|error| format!("{}: {error}", path.display()))?,
        );
        serde_json::to_writer(&mut out, &body)?;
        out.write_all(b"\n")?;
        out.flush()?;
        bytes += std::fs::metadata(&path)?.len();
        let observed_at =
            Timestamp::from_unix_seconds(FIRST_OBSERVED + snapshot as i64 * INTERVAL_SECONDS)
                .ok_or("an observed time out of range")?;
        manifest.push_str(&format!("{name}\t{observed_at}\n"));
    }
    let manifest_path = dir.join("series.tsv");
    std::fs::write(&manifest_path, manifest)
        .map_err(|error| format!("{}: {error}", manifest_path.display()))?;
    println!(
        "{snapshots} snapshots of {connections} connections, {changed_per_snapshot} changes per \
         snapshot after the first, {bytes} bytes, in {}",
        dir.display()
    );
    Ok(())
}

fn parse<T: std::str::FromStr>(
    arg: Option<String>,
    default: T,
    name: &str,
) -> Result<T, Box<dyn Error>> {
    match arg {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("{name}: not a number: {text:?}\n{USAGE}").into()),
    }
}

/// A realistic Huawei v5 connection object (as in `benches/ingest.rs`).
fn connection(index: usize) -> Value {
    json!({
        "id": format!("{:08x}-demo-4a8d-9f86-{:012x}", index, index * 7919),
        "name": format!("vpn-{index:05}"),
        "status": if index.is_multiple_of(10) { "DOWN" } else { "ACTIVE" },
        "vgw_id": format!("b32d91a4-demo-a8df-va86-{:012x}", index / 50),
        "vgw_ip": format!("0c464dad-demo-a8df-va86-{:012x}", index / 50),
        "style": "POLICY",
        "cgw_id": format!("5247ae10-demo-a8df-va86-{:012x}", index),
        "peer_subnets": [format!("192.168.{}.0/24", index % 250)],
        "tunnel_local_address": "169.254.56.225/30",
        "tunnel_peer_address": "169.254.56.226/30",
        "policy_rules": [{"rule_index": 1, "source": format!("10.{}.{}.0/24", index / 250 % 250, index % 250), "destination": [format!("192.168.{}.0/24", index % 250)]}],
        "ikepolicy": {
            "ike_version": "v2", "authentication_algorithm": "sha2-256", "encryption_algorithm": "aes-128",
            "dh_group": "group15", "authentication_method": "pre-share", "lifetime_seconds": 86400,
            "local_id_type": "ip", "local_id": format!("10.1.{}.{}", index / 250 % 250, index % 250),
            "peer_id_type": "ip", "peer_id": format!("88.{}.{}.164", index / 250 % 250, index % 250),
            "dpd": {"timeout": 15, "interval": 30, "msg": "seq-hash-notify"}
        },
        "ipsecpolicy": {
            "authentication_algorithm": "sha2-256", "encryption_algorithm": "aes-128", "pfs": "group15",
            "transform_protocol": "esp", "lifetime_seconds": 3600, "encapsulation_mode": "tunnel"
        },
        "created_at": format!("2025-06-26T13:{:02}:{:02}.626Z", index / 60 % 60, index % 60),
        "updated_at": "2025-06-26T13:41:34.626Z",
        "enterprise_project_id": "0",
        "ha_role": "master",
        "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": format!("net-{}", index % 7)}]
    })
}

/// A change an operator or the network would make (as in `benches/ingest.rs`).
fn mutate(object: &mut Value, random: &mut Lcg) {
    match random.below(3) {
        0 => {
            let down = object["status"] == "DOWN";
            object["status"] = Value::from(if down { "ACTIVE" } else { "DOWN" });
        }
        1 => {
            let aes128 = object["ikepolicy"]["encryption_algorithm"] == "aes-128";
            object["ikepolicy"]["encryption_algorithm"] =
                Value::from(if aes128 { "aes-256" } else { "aes-128" });
        }
        _ => {
            object["updated_at"] =
                Value::from(format!("2026-01-01T00:00:{:02}.000Z", random.below(60)))
        }
    }
}

/// A small deterministic generator, so every run writes the same series.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}
