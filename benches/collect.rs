//! Collection benchmark (issue 9, items 1, 2 and 5): the four simulators
//! with added latency, collected end to end through `vpnsnap collect`'s own
//! code, against the critical path of the requests; a no-change
//! re-collection; and the peak RSS of collecting a large estate, measured in
//! a child process (this binary re-executed) so the simulators' memory is
//! not counted.
//!
//!     cargo bench --bench collect               # 4 x 5,000 connections, 20 ms; RSS at 4 x 25,000
//!     cargo bench --bench collect -- --smoke    # small and quick (CI keeps it working)
//!     cargo bench --bench collect -- --rss-only # item 5 alone (it varies: run it several times)
//!
//! The critical path is counted from the requests each simulator received:
//! Huawei (its VPN gateways, then customer gateways and connections, both
//! by marker) and OpenStack (Keystone token, then each
//! collection's link-paged pages, one collection after the other) are
//! sequential chains, one request after another, except OpenStack's subnet
//! batches, `SUBNET_CONCURRENCY` at a time (a round each, unpaged here);
//! the Tencent sources
//! (offset paging) fetch the first page, then the rest `PAGE_CONCURRENCY`
//! at a time, so `r` requests take `1 + ceil((r - 1) / PAGE_CONCURRENCY)`
//! rounds. The critical path is the longest source's chain times the
//! latency.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use vpnsnap::cli::{Cli, Command};
use vpnsnap::demo::{PageSizes, Scale, Simulators};
use vpnsnap::provider::offset_paging::PAGE_CONCURRENCY;
use vpnsnap::provider::openstack::SUBNET_CONCURRENCY;
use vpnsnap::runner::{self, RunReport};
use vpnsnap::shutdown::Shutdown;
use vpnsnap::store::Store;

/// Re-executes this binary to measure memory: `--rss-child <config>`.
const RSS_CHILD: &str = "--rss-child";

const PAGE_SIZES: PageSizes = PageSizes {
    huawei: Some(200),
    openstack: Some(100),
    tencent: Some(100),
    tencent_legacy: Some(50),
};

struct Sizes {
    per_provider: usize,
    latency: Duration,
    rss_per_provider: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(index) = args.iter().position(|arg| arg == RSS_CHILD) {
        let config = args
            .get(index + 1)
            .expect("--rss-child takes a config path");
        rss_child(Path::new(config));
        return;
    }
    let smoke = args.iter().any(|arg| arg == "--smoke");
    let sizes = if smoke {
        Sizes {
            per_provider: 50,
            latency: Duration::from_millis(2),
            rss_per_provider: 250,
        }
    } else {
        Sizes {
            per_provider: 5_000,
            latency: Duration::from_millis(20),
            rss_per_provider: 25_000,
        }
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    if args.iter().any(|arg| arg == "--rss-only") {
        let (first, again) = peak_rss(dir.path(), sizes.rss_per_provider);
        print_rss(sizes.rss_per_provider, first, again);
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let database = std::env::var_os("VPNSNAP_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("collect.db"));

    let sims =
        Simulators::start(Scale::PerProvider(sizes.per_provider)).expect("the simulators start");
    sims.set_latency(sizes.latency);
    let config = dir.path().join("collect.toml");
    sims.write_config_with(&config, &database, "", PAGE_SIZES)
        .expect("the config is written");

    // 1. First collection against the critical path.
    let before = request_counts(&sims);
    let subnets_before = subnet_requests(&sims);
    let (first, first_wall) = collect(&runtime, &config);
    let requests = deltas(&before, &request_counts(&sims));
    let chains = chains(&requests, subnet_requests(&sims) - subnets_before);
    let critical = chains.iter().map(|(_, rounds)| *rounds).max().unwrap_or(0);
    let critical_time = sizes.latency * u32::try_from(critical).unwrap_or(u32::MAX);
    let connections: usize = first.summary.sources.iter().map(|s| s.created).sum();

    // 2. The same estate again.
    let size_before = database_bytes(&database);
    let (second, second_wall) = collect(&runtime, &config);
    let growth = database_bytes(&database).saturating_sub(size_before);
    let rewritten: usize = second
        .summary
        .sources
        .iter()
        .map(|source| source.versions_written())
        .sum();
    drop(sims);

    // 5. Peak RSS of a large collection, in a child process.
    let (rss_first, rss_again) = peak_rss(dir.path(), sizes.rss_per_provider);

    println!(
        "collect benchmark{}: {} connections over 4 simulated providers, {} ms per request",
        if smoke { " (smoke)" } else { "" },
        connections,
        sizes.latency.as_millis()
    );
    let pages: Vec<String> = chains
        .iter()
        .zip(&requests)
        .map(|((name, rounds), requests)| format!("{name} {requests} requests/{rounds} rounds"))
        .collect();
    println!("critical path: {}", pages.join(", "));
    let fetched: Vec<String> = first
        .summary
        .sources
        .iter()
        .zip(&first.fetches)
        .map(|(source, fetch)| format!("{} {:.3}", source.source, fetch.duration.as_secs_f64()))
        .collect();
    let slowest = first.fetches.iter().map(|fetch| fetch.duration).max();
    println!(
        "first collection: fetch seconds per source: {}; after the slowest fetch (normalizing, storing): {:.3}",
        fetched.join(", "),
        first_wall
            .saturating_sub(slowest.unwrap_or_default())
            .as_secs_f64()
    );
    println!("{:<52} {:>12} {:>10}", "measure", "value", "target");
    let row =
        |name: &str, value: String, target: &str| println!("{name:<52} {value:>12} {target:>10}");
    row(
        "1. first collection: wall seconds",
        format!("{:.3}", first_wall.as_secs_f64()),
        "",
    );
    row(
        "1. critical path: seconds (longest chain x latency)",
        format!("{:.3}", critical_time.as_secs_f64()),
        "",
    );
    row(
        "1. wall / critical path",
        format!(
            "{:.2}x",
            first_wall.as_secs_f64() / critical_time.as_secs_f64().max(f64::EPSILON)
        ),
        "<= 1.15x",
    );
    row(
        "2. no-change collection: versions written",
        rewritten.to_string(),
        "0",
    );
    row(
        "2. no-change collection: database growth (bytes)",
        growth.to_string(),
        "< 65536",
    );
    row(
        "2. no-change collection: wall seconds",
        format!("{:.3}", second_wall.as_secs_f64()),
        "",
    );
    print_rss(sizes.rss_per_provider, rss_first, rss_again);
}

/// What one child collection measured of itself.
struct Child {
    /// Peak RSS.
    kib: u64,
    /// The collection alone (`collect_once`: the database's opening
    /// included, the process's start not).
    wall_ms: u64,
    /// The whole process, user and system: not a ratio to `wall_ms`.
    cpu_ms: u64,
}

/// The rows of item 5.
fn print_rss(per_provider: usize, first: Child, again: Child) {
    let row =
        |name: &str, value: String, target: &str| println!("{name:<52} {value:>12} {target:>10}");
    row(
        &format!(
            "5. peak RSS collecting {} connections (MiB)",
            per_provider * 4
        ),
        format!("{:.1}", first.kib as f64 / 1024.0),
        "<= 100.0",
    );
    row(
        "5. ... its wall / CPU seconds",
        format!(
            "{:.2} / {:.2}",
            first.wall_ms as f64 / 1000.0,
            first.cpu_ms as f64 / 1000.0
        ),
        "",
    );
    row(
        "5. ... the same estate again (MiB)",
        format!("{:.1}", again.kib as f64 / 1024.0),
        "<= 100.0",
    );
    row(
        "5. ... its wall / CPU seconds",
        format!(
            "{:.2} / {:.2}",
            again.wall_ms as f64 / 1000.0,
            again.cpu_ms as f64 / 1000.0
        ),
        "",
    );
}

/// One `vpnsnap collect` run of `config`, as the command prepares it.
fn collect(runtime: &tokio::runtime::Runtime, config: &Path) -> (RunReport, Duration) {
    let cli = cli(config);
    let Command::Collect(args) = &cli.command else {
        unreachable!("the benchmark's command line is collect");
    };
    let prepared = vpnsnap::cmd::prepare_collection(&cli, &args.run).expect("the config loads");
    let started = Instant::now();
    let report = runner::collect_once(
        runtime,
        &prepared.request,
        &Arc::clone(&prepared.fingerprinter),
        &Shutdown::never(),
    )
    .expect("the run is stored");
    let wall = started.elapsed();
    for source in &report.summary.sources {
        assert_eq!(source.outcome, "ok", "source {} failed", source.source);
    }
    (report, wall)
}

fn cli(config: &Path) -> Cli {
    Cli::parse_from([
        "vpnsnap".as_ref(),
        "--quiet".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
        "collect".as_ref(),
    ])
}

fn request_counts(sims: &Simulators) -> [u64; 4] {
    [
        sims.huawei.faults().request_count(),
        sims.openstack.faults().request_count(),
        sims.tencent.faults().request_count(),
        sims.tencent_legacy.faults().request_count(),
    ]
}

fn deltas(before: &[u64; 4], after: &[u64; 4]) -> [u64; 4] {
    [0, 1, 2, 3].map(|index| after[index] - before[index])
}

/// The OpenStack simulator's subnet batch requests so far.
fn subnet_requests(sims: &Simulators) -> u64 {
    let requests = sims.openstack.requests();
    requests
        .iter()
        .filter(|request| request.contains("/v2.0/subnets?"))
        .count() as u64
}

/// Each source's name and the sequential rounds its requests take (see the
/// module docs); `subnet_batches` of OpenStack's requests went
/// `SUBNET_CONCURRENCY` at a time.
fn chains(requests: &[u64; 4], subnet_batches: u64) -> [(&'static str, u64); 4] {
    let offset_rounds =
        |requests: u64| 1 + requests.saturating_sub(1).div_ceil(PAGE_CONCURRENCY as u64);
    let subnet_rounds = subnet_batches.div_ceil(SUBNET_CONCURRENCY as u64);
    [
        ("huaweicloud", requests[0]),
        ("openstack", requests[1] - subnet_batches + subnet_rounds),
        ("tencent", offset_rounds(requests[2])),
        ("tencent-legacy", offset_rounds(requests[3])),
    ]
}

/// The database's size once its WAL is checkpointed into it.
fn database_bytes(path: &Path) -> u64 {
    let store = Store::open(path).expect("the benchmark database opens");
    store
        .sqlite()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("the WAL checkpoints");
    drop(store);
    let wal = {
        let mut name = path.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    };
    [path.to_path_buf(), wal]
        .iter()
        .map(|file| std::fs::metadata(file).map(|m| m.len()).unwrap_or(0))
        .sum()
}

/// Starts simulators of `per_provider` connections without latency and
/// collects them twice in a child process each, into one database: the
/// first collection stores everything, the second passes over everything
/// (the listing keys and latest versions read from the database). Returns
/// what each child measured.
fn peak_rss(dir: &Path, per_provider: usize) -> (Child, Child) {
    let sims = Simulators::start(Scale::PerProvider(per_provider)).expect("the simulators start");
    let config = dir.join("rss.toml");
    sims.write_config_with(&config, &dir.join("rss.db"), "", PAGE_SIZES)
        .expect("the config is written");
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let child = || {
        let output = std::process::Command::new(&exe)
            .arg(RSS_CHILD)
            .arg(&config)
            .output()
            .expect("the child runs");
        assert!(
            output.status.success(),
            "the child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find(|line| line.starts_with("peak-rss-kib "))
            .unwrap_or_else(|| panic!("the child printed no peak RSS: {stdout}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        let figure = |key: &str| -> u64 {
            words
                .chunks(2)
                .find(|pair| pair[0] == key)
                .and_then(|pair| pair.get(1)?.parse().ok())
                .unwrap_or_else(|| panic!("the child printed no {key}: {line}"))
        };
        Child {
            kib: figure("peak-rss-kib"),
            wall_ms: figure("wall-ms"),
            cpu_ms: figure("cpu-ms"),
        }
    };
    let first = child();
    (first, child())
}

/// The child: one `vpnsnap collect`, then its own peak RSS (VmHWM), the
/// collection's wall time and the process's CPU time (user and system).
fn rss_child(config: &Path) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let (report, wall) = collect(&runtime, config);
    drop(report);
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("VmHWM in /proc/self/status");
    // SAFETY: getrusage writes one `rusage` into the zeroed value it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let millis = |time: libc::timeval| time.tv_sec as u64 * 1000 + time.tv_usec as u64 / 1000;
    let cpu_ms = millis(usage.ru_utime) + millis(usage.ru_stime);
    println!(
        "peak-rss-kib {kib} wall-ms {} cpu-ms {cpu_ms}",
        wall.as_millis()
    );
}
