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
//! The connection objects and the mutations are those of `benches/ingest.rs`
//! (`benches/support/synthetic.rs`).

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde_json::{Value, json};
use vpnsnap::time::Timestamp;

#[path = "../benches/support/synthetic.rs"]
mod synthetic;
use synthetic::{Lcg, connection, mutate};

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
