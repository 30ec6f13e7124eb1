//! The outbound-hop benchmark (`cargo bench -p courier-bench`, about 3½ minutes).
//!
//! Workload: inbound GET → Rust probe guest → one outbound GET to a loopback upstream →
//! response. Baselines are measured in the same run: a native hyper proxy doing the same
//! hop, and `wasmtime serve` with the same guest when a `wasmtime` binary is on PATH.
//! Courier runs twice: as it ships (a fresh instance per request) and with instance reuse
//! on (opt-in), for the throughput and chained-hop rows. The servers under test run in
//! child processes; the load generator and the upstream run here.
//! Runs are interleaved (A B A B …, five rounds) and the median is reported, as ratios to the
//! baseline with the range of the per-round ratios.
//! Prints a table and writes JSON to `target/courier/bench.json`.

// The same allocator as the `courier` binary, for every process of the run (Courier, the
// native baseline, the load generator and the upstream alike).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod load;
mod report;
mod servers;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use load::{Limit, Outcome};
use report::{Machine, Report, Row};
use servers::{Child, Upstream, REUSE_COUNT};

/// Interleaved rounds per figure (the performance notes ask for at least five).
const ROUNDS: usize = 5;
const THROUGHPUT_RUN: Duration = Duration::from_secs(3);
const LATENCY_RUN: Duration = Duration::from_secs(2);
const SOAK_RUN: Duration = Duration::from_secs(8);

pub fn main() -> ExitCode {
    if let Ok(kind) = std::env::var(servers::CHILD_ENV) {
        return match servers::child_main(&kind) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bench child {kind}: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("courier bench: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("courier bench failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Build the probe guest the runtime tests use (same command and target folder).
fn build_probe() -> Result<PathBuf> {
    let root = workspace();
    let target_dir = root.join("target/guests");
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "build",
                "--release",
                "--quiet",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
            ])
            .arg(root.join("runtime/tests/guests/probe/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target_dir)
            .env_remove("RUSTFLAGS")
            .status()
            .context("running cargo to build the probe guest")?;
    if !status.success() {
        bail!("building the probe guest failed; is the target installed? (rustup target add wasm32-wasip2)");
    }
    Ok(target_dir.join("wasm32-wasip2/release/probe.wasm"))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Round i of `a` over round i of `b`: each round runs its targets back to back.
fn round_ratios(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a / b).collect()
}

/// Per round: what the chained hop adds over a direct request, over what the self-request
/// hop adds.
fn hop_ratios(direct: &[f64], chained: &[f64], self_hop: &[f64]) -> Vec<f64> {
    let added = |hop: &[f64]| {
        hop.iter()
            .zip(direct)
            .map(|(h, d)| h - d)
            .collect::<Vec<_>>()
    };
    round_ratios(&added(chained), &added(self_hop))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Interleave runs of `targets` ROUNDS times; return each target's outcomes in order.
async fn interleaved(
    targets: &[(SocketAddr, &str)],
    connections: usize,
    duration: Duration,
) -> Result<Vec<Vec<Outcome>>> {
    let mut all: Vec<Vec<Outcome>> = targets.iter().map(|_| Vec::new()).collect();
    for round in 0..ROUNDS {
        for i in round_order(round, targets.len()) {
            let (addr, path) = targets[i];
            let outcome = load::run(addr, path, connections, Limit::For(duration)).await?;
            if outcome.errors > 0 {
                eprintln!("  warning: {} errors against {addr}{path}", outcome.errors);
            }
            all[i].push(outcome);
        }
    }
    Ok(all)
}

/// The order of `n` targets in `round`: alternated too (ABAB, then BABA) so that no target
/// always runs first.
fn round_order(round: usize, n: usize) -> Vec<usize> {
    if round.is_multiple_of(2) {
        (0..n).collect()
    } else {
        (0..n).rev().collect()
    }
}

/// Server CPU (µs) per request of `child` on each of `paths` at 8 connections, interleaved
/// like `interleaved`: each path's rounds, in order.
async fn cpu_per_request(child: &Child, paths: &[&str]) -> Result<Vec<Vec<f64>>> {
    let mut all: Vec<Vec<f64>> = paths.iter().map(|_| Vec::new()).collect();
    for round in 0..ROUNDS {
        for i in round_order(round, paths.len()) {
            let before = child.cpu_seconds()?;
            let outcome = load::run(child.addr, paths[i], 8, Limit::For(LATENCY_RUN)).await?;
            all[i].push(child.cpu_us_per_request(before, outcome.ok)?);
        }
    }
    Ok(all)
}

/// Spawn a Courier child with `cache` and time spawn → first proxied response.
async fn first_request(probe: &Path, cache: &Path, path: &str) -> Result<Duration> {
    let started = Instant::now();
    let child = Child::spawn(
        "courier",
        &[
            ("COURIER_BENCH_PROBE", probe),
            ("COURIER_BENCH_CACHE", cache),
        ],
    )?;
    let (status, body) = load::get_once(child.addr, path).await?;
    let elapsed = started.elapsed();
    if status != 200 || !body.starts_with("status=200") {
        bail!("first request answered {status}: {body}");
    }
    Ok(elapsed)
}

/// Cold and warm first request (ms) to another guest; any answer counts, since only the
/// time to load and run it is measured.
async fn extra_guest(path: &Path) -> Result<(String, f64, f64)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    // `js/agent.wasm` says more than `agent.wasm`.
    let parts: Vec<_> = path.iter().rev().take(2).collect();
    let short = parts
        .iter()
        .rev()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let name = format!("{short} ({:.1} MB)", bytes.len() as f64 / 1e6);
    // A private copy and cache, so the file cannot change between runs.
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("guest.wasm");
    std::fs::write(&copy, &bytes)?;
    let cache = dir.path().join("cache");
    let mut times = Vec::new();
    for _ in 0..4 {
        let started = Instant::now();
        let child = Child::spawn(
            "courier",
            &[
                ("COURIER_BENCH_PROBE", &copy),
                ("COURIER_BENCH_CACHE", &cache),
            ],
        )?;
        load::get_once(child.addr, "/").await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let cold = times.remove(0);
    Ok((name, median(times), cold))
}

/// The first-request rows: the Rust probe from a cold, then a warm compile cache, and the
/// JS and Python conformance agents (built by `courier conformance`) plus any other guests
/// named in COURIER_BENCH_EXTRA_GUESTS.
async fn first_request_rows(
    report: &mut Report,
    probe: &Path,
    cache_dir: &Path,
    fetch: &str,
) -> Result<()> {
    eprintln!("first request from process start…");
    let cold = first_request(probe, cache_dir, fetch).await?;
    let mut warm = Vec::new();
    for _ in 0..5 {
        warm.push(first_request(probe, cache_dir, fetch).await?.as_secs_f64() * 1e3);
    }
    let warm = median(warm);
    report.push(Row::new(
        "first request, warm compile cache, from process start (ms): Rust probe",
        warm,
        "cold cache",
        cold.as_secs_f64() * 1e3,
        "≤ 150 ms",
        warm <= 150.0,
    ));

    let mut guests: Vec<PathBuf> = Vec::new();
    for lang in ["js", "python"] {
        let agent = workspace().join(format!("target/courier/{lang}/agent.wasm"));
        if agent.is_file() {
            guests.push(agent);
        } else {
            report.skip(
                &format!("first request, warm compile cache: {lang} agent"),
                &format!(
                    "skipped: {} not built (run `cargo run -- conformance --lang {lang}` first)",
                    agent.display()
                ),
            );
        }
    }
    guests.extend(
        std::env::var("COURIER_BENCH_EXTRA_GUESTS")
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
    );
    for guest in &guests {
        let (name, warm, cold) = extra_guest(guest).await?;
        eprintln!("  {name}: warm {warm:.0} ms, cold {cold:.0} ms");
        report.push(Row::new(
            &format!("first request, warm compile cache, from process start (ms): {name}"),
            warm,
            "cold cache",
            cold,
            "≤ 150 ms",
            warm <= 150.0,
        ));
    }
    Ok(())
}

async fn expect(addr: SocketAddr, path: &str, want: &str) -> Result<()> {
    let (status, body) = load::get_once(addr, path).await?;
    if status != 200 || body != want {
        bail!("{addr}{path} answered {status} {body:?}, expected {want:?}");
    }
    Ok(())
}

async fn run() -> Result<()> {
    let bench_started = Instant::now();
    let machine = Machine::detect();
    eprintln!("courier bench on {machine}");
    let probe = build_probe()?;
    let upstream = Upstream::start().await?;
    let fetch = format!("/fetch?url={}", enc(&format!("http://{}/", upstream.addr)));
    let want = "status=200\nhello from upstream";
    let cache_dir = workspace().join("target/courier/bench-cache");
    let _ = std::fs::remove_dir_all(&cache_dir);
    let mut report = Report::new(machine);

    // A soak profiles one path only: it skips the first-request rows.
    let soak = SoakTarget::from_env()?;
    if soak.is_none() {
        first_request_rows(&mut report, &probe, &cache_dir, &fetch).await?;
    }

    let native = Child::spawn("native", &[])?;
    let courier_env = [
        ("COURIER_BENCH_PROBE", probe.as_path()),
        ("COURIER_BENCH_CACHE", cache_dir.as_path()),
    ];
    let courier = Child::spawn("courier", &courier_env)?;
    // The same app with instance reuse on (opt-in; `courier up --max-instance-reuse-count`).
    let reuse = Child::spawn("courier-reuse", &courier_env)?;
    expect(native.addr, &fetch, want).await?;
    let chain = format!("/fetch?url={}", enc("http://back.spin.internal/back/x"));
    let self_hop = format!("/fetch?url={}", enc("/back/x"));
    let hop_want = "status=200\nhello from probe at /back/x";
    for child in [&courier, &reuse] {
        expect(child.addr, &fetch, want).await?;
        expect(child.addr, &chain, hop_want).await?;
        expect(child.addr, &self_hop, hop_want).await?;
        expect(child.addr, "/back/x", "hello from probe at /back/x").await?;
    }

    if let Some(SoakTarget {
        soak,
        reuse: on_reuse,
    }) = soak
    {
        let courier = if on_reuse { &reuse } else { &courier };
        let (child, path) = match soak {
            Soak::Native => (&native, fetch.as_str()),
            Soak::Fetch => (courier, fetch.as_str()),
            Soak::Direct => (courier, "/back/x"),
            Soak::Chain => (courier, chain.as_str()),
            Soak::SelfRequest => (courier, self_hop.as_str()),
        };
        return run_soak(child, path).await;
    }
    if std::env::var_os("COURIER_BENCH_QUICK").is_some() {
        return quick(
            &[("courier", &courier), ("courier, instance reuse", &reuse)],
            &native,
            &fetch,
            &chain,
            &self_hop,
        )
        .await;
    }

    eprintln!("warming up…");
    for addr in [native.addr, courier.addr, reuse.addr] {
        load::run(addr, &fetch, 8, Limit::For(Duration::from_secs(1))).await?;
    }

    eprintln!("throughput at 8 connections…");
    let servers = [&courier, &native, &reuse];
    let before = servers
        .iter()
        .map(|s| Ok((s.cpu_seconds()?, s.minor_faults()?)))
        .collect::<Result<Vec<_>>>()?;
    let runs = interleaved(
        &servers.map(|s| (s.addr, fetch.as_str())),
        8,
        THROUGHPUT_RUN,
    )
    .await?;
    let rps_rounds = |runs: &[Outcome]| runs.iter().map(Outcome::rps).collect::<Vec<_>>();
    let (courier_rounds, native_rounds, reuse_rounds) = (
        rps_rounds(&runs[0]),
        rps_rounds(&runs[1]),
        rps_rounds(&runs[2]),
    );
    let (courier_rps, native_rps, reuse_rps) = (
        median(courier_rounds.clone()),
        median(native_rounds.clone()),
        median(reuse_rounds.clone()),
    );
    // CPU per request is steadier than throughput on a shared machine.
    let served = |runs: &[Outcome]| runs.iter().map(|o| o.ok).sum::<u64>();
    // A fresh instance whose memory reset left pages to fault back in would show in the
    // faults (the performance notes' M5: about none per request).
    let (mut cpu, mut faults) = (Vec::new(), Vec::new());
    for (i, server) in servers.iter().enumerate() {
        let (cpu_before, faults_before) = before[i];
        let requests = served(&runs[i]);
        cpu.push(server.cpu_us_per_request(cpu_before, requests)?);
        faults.push((server.minor_faults()? - faults_before) as f64 / requests.max(1) as f64);
    }
    report.note(format!(
        "server CPU per request at 8 connections: courier {:.0} µs ({:.0} µs with instance reuse), native {:.0} µs (ratio {:.1})",
        cpu[0], cpu[2], cpu[1], cpu[0] / cpu[1]
    ));
    report.note(format!(
        "minor page faults per request at 8 connections: courier {:.3} ({:.3} with instance reuse), native {:.3}",
        faults[0], faults[2], faults[1]
    ));
    // The load generator and upstream share the machine: what they spend, and what is left
    // idle, says whether the throughput rows are CPU-bound.
    let harness_us = |runs: &[Outcome]| {
        runs.iter().map(|o| o.harness_cpu_s).sum::<f64>() / served(runs) as f64 * 1e6
    };
    let idle = |runs: &[Outcome]| median(runs.iter().map(|o| o.machine_idle * 100.0).collect());
    report.note(format!(
        "load generator and upstream CPU per request at 8 connections: {:.0} µs while courier serves, {:.0} µs while native does; machine idle {:.0}% and {:.0}%",
        harness_us(&runs[0]),
        harness_us(&runs[1]),
        idle(&runs[0]),
        idle(&runs[1])
    ));
    report.push(
        Row::new(
            "throughput at 8 connections (req/s) vs native hyper proxy",
            courier_rps,
            "native proxy",
            native_rps,
            "ratio ≥ 0.4",
            courier_rps / native_rps >= 0.4,
        )
        .spread(&round_ratios(&courier_rounds, &native_rounds)),
    );
    report.push(
        Row::new(
            &format!("… with instance reuse (opt-in, {REUSE_COUNT} requests per instance)"),
            reuse_rps,
            "native proxy",
            native_rps,
            "ratio ≥ 0.4",
            reuse_rps / native_rps >= 0.4,
        )
        .spread(&round_ratios(&reuse_rounds, &native_rounds)),
    );

    eprintln!("latency at 1 connection…");
    let runs = interleaved(
        &[(courier.addr, &fetch), (native.addr, &fetch)],
        1,
        LATENCY_RUN,
    )
    .await?;
    let p50s = |runs: &[Outcome]| {
        runs.iter()
            .map(|o| o.percentile_us(0.5))
            .collect::<Vec<_>>()
    };
    let (courier_p50s, native_p50s) = (p50s(&runs[0]), p50s(&runs[1]));
    let courier_p50 = median(courier_p50s.clone());
    let native_p50 = median(native_p50s.clone());
    let courier_p99 = median(runs[0].iter().map(|o| o.percentile_us(0.99)).collect());
    let native_p99 = median(runs[1].iter().map(|o| o.percentile_us(0.99)).collect());
    let limit = 1.5 * native_p50 + 100.0;
    report.push(
        Row::new(
            "p50 latency at 1 connection (µs) vs native hyper proxy",
            courier_p50,
            "native proxy",
            native_p50,
            &format!("≤ 1.5× native + 100 µs = {limit:.0} µs"),
            courier_p50 <= limit,
        )
        .spread(&round_ratios(&courier_p50s, &native_p50s)),
    );
    report.note(format!(
        "p99 at 1 connection: courier {courier_p99:.0} µs, native {native_p99:.0} µs"
    ));

    match Child::wasmtime_serve(&probe, &workspace())? {
        Some(wasmtime) => {
            eprintln!("wasmtime serve baseline…");
            expect(wasmtime.addr, &fetch, want).await?;
            let runs = interleaved(
                &[(courier.addr, &fetch), (wasmtime.addr, &fetch)],
                8,
                THROUGHPUT_RUN,
            )
            .await?;
            let (ours_rounds, theirs_rounds) = (rps_rounds(&runs[0]), rps_rounds(&runs[1]));
            let ours = median(ours_rounds.clone());
            let theirs = median(theirs_rounds.clone());
            report.push(
                Row::new(
                    "throughput at 8 connections (req/s) vs wasmtime serve",
                    ours,
                    "wasmtime serve",
                    theirs,
                    "ratio ≥ 2",
                    ours / theirs >= 2.0,
                )
                .spread(&round_ratios(&ours_rounds, &theirs_rounds)),
            );
        }
        None => report.skip(
            "throughput at 8 connections vs wasmtime serve",
            "skipped: no `wasmtime` on PATH or in .courier/tools (run scripts/bench-tools)",
        ),
    }

    eprintln!("chained hop vs self-request hop…");
    let runs = interleaved(
        &[
            (courier.addr, "/back/x"),
            (courier.addr, &chain),
            (courier.addr, &self_hop),
        ],
        1,
        LATENCY_RUN,
    )
    .await?;
    let (direct_p50s, chain_p50s, self_p50s) = (p50s(&runs[0]), p50s(&runs[1]), p50s(&runs[2]));
    let direct = median(direct_p50s.clone());
    let chained = median(chain_p50s.clone()) - direct;
    let self_req = median(self_p50s.clone()) - direct;
    report.push(
        Row::new(
            "in-memory chained hop (µs added at p50 over a direct request, 1 connection)",
            chained,
            "self-request hop",
            self_req,
            "ratio ≤ 0.5",
            chained / self_req <= 0.5,
        )
        .spread(&hop_ratios(&direct_p50s, &chain_p50s, &self_p50s)),
    );
    // The same hops as server CPU per request under load, where latency's wake-ups drop out.
    for (child, figure) in [
        (&courier, "in-memory chained hop (server CPU µs added per request over a direct one, 8 connections)".to_string()),
        (&reuse, format!("… with instance reuse (opt-in, {REUSE_COUNT} requests per instance)")),
    ] {
        let rounds = cpu_per_request(child, &["/back/x", &chain, &self_hop]).await?;
        let cpu: Vec<f64> = rounds.iter().cloned().map(median).collect();
        report.push(
            Row::new(
                &figure,
                cpu[1] - cpu[0],
                "self-request hop",
                cpu[2] - cpu[0],
                "ratio ≤ 0.5",
                (cpu[1] - cpu[0]) / (cpu[2] - cpu[0]) <= 0.5,
            )
            .spread(&hop_ratios(&rounds[0], &rounds[1], &rounds[2])),
        );
    }
    drop(native);
    drop(courier);
    drop(reuse);

    eprintln!("resident memory after 10k and 100k requests…");
    let fresh = Child::spawn("courier", &courier_env)?;
    let connections_before = upstream.connections();
    let first = load::run(fresh.addr, &fetch, 8, Limit::Requests(10_000)).await?;
    let rss_10k = fresh.rss_kib()? as f64 / 1024.0;
    let rest = load::run(fresh.addr, &fetch, 8, Limit::Requests(90_000)).await?;
    let rss_100k = fresh.rss_kib()? as f64 / 1024.0;
    report.note(format!(
        "connections the upstream accepted from a fresh Courier during those 100,000 proxied requests at 8 connections: {}",
        upstream.connections() - connections_before
    ));
    if first.errors + rest.errors > 0 {
        report.note(format!(
            "{} errors during the 100k-request run",
            first.errors + rest.errors
        ));
    }
    report.push(Row::new(
        "resident memory after 100,000 requests (MiB)",
        rss_100k,
        "after 10,000",
        rss_10k,
        "ratio ≤ 1.10",
        rss_100k / rss_10k <= 1.10,
    ));
    drop(fresh);

    report.note(format!(
        "whole run: {:.0} s",
        bench_started.elapsed().as_secs_f64()
    ));
    print!("{}", report.table());
    let json_path = workspace().join("target/courier/bench.json");
    if let Some(dir) = json_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&json_path, serde_json::to_string_pretty(&report.json())?)?;
    eprintln!("wrote {}", json_path.display());
    Ok(())
}

/// `COURIER_BENCH_SOAK=<path>`: a steady 8-connection load on one path, for a profiler to
/// attach to (`perf record -p <pid>`); `reuse-<path>` serves it with instance reuse on.
struct SoakTarget {
    soak: Soak,
    reuse: bool,
}

enum Soak {
    /// The native proxy's hop.
    Native,
    /// Courier's proxied request (the throughput row's workload).
    Fetch,
    /// A request the guest answers itself.
    Direct,
    /// A chained hop to another component.
    Chain,
    /// A self-request hop over loopback.
    SelfRequest,
}

impl SoakTarget {
    fn from_env() -> Result<Option<Self>> {
        let Ok(value) = std::env::var("COURIER_BENCH_SOAK") else {
            return Ok(None);
        };
        let (reuse, path) = match value.strip_prefix("reuse-") {
            Some(path) => (true, path),
            None => (false, value.as_str()),
        };
        let soak = match path {
            "native" if !reuse => Soak::Native,
            "fetch" => Soak::Fetch,
            "direct" => Soak::Direct,
            "chain" => Soak::Chain,
            "self" => Soak::SelfRequest,
            _ => bail!(
                "COURIER_BENCH_SOAK={value:?}: expected native, or fetch, direct, chain or self, \
                 each optionally prefixed with reuse-"
            ),
        };
        Ok(Some(Self { soak, reuse }))
    }
}

/// Prints the server's pid, then `soak: load on` once warm; the load runs for `SOAK_RUN`
/// after that line.
async fn run_soak(child: &Child, path: &str) -> Result<()> {
    load::run(child.addr, path, 8, Limit::For(Duration::from_secs(2))).await?;
    eprintln!("soak: server pid {}", child.process.id());
    eprintln!("soak: load on");
    let cpu = child.cpu_seconds()?;
    let o = load::run(child.addr, path, 8, Limit::For(SOAK_RUN)).await?;
    eprintln!(
        "soak: {} requests, {:.0} req/s, {:.1} server CPU µs/req, {} errors",
        o.ok,
        o.rps(),
        child.cpu_us_per_request(cpu, o.ok)?,
        o.errors
    );
    Ok(())
}

/// `COURIER_BENCH_QUICK=1`: one short run per server at 8 and 1 connections, with CPU per
/// request and latency percentiles, for iterating on the runtime.
async fn quick(
    couriers: &[(&str, &Child)],
    native: &Child,
    fetch: &str,
    chain: &str,
    self_hop: &str,
) -> Result<()> {
    let mut runs = Vec::new();
    for (name, courier) in couriers {
        runs.push((name.to_string(), *courier, fetch));
        runs.push((format!("{name} direct"), *courier, "/back/x"));
        runs.push((format!("{name} chained"), *courier, chain));
        runs.push((format!("{name} self-request"), *courier, self_hop));
    }
    runs.push(("native".to_string(), native, fetch));
    for (name, child, fetch) in runs {
        load::run(child.addr, fetch, 8, Limit::For(Duration::from_secs(1))).await?;
        for connections in [8, 1] {
            let cpu = child.cpu_seconds()?;
            let o = load::run(child.addr, fetch, connections, Limit::For(THROUGHPUT_RUN)).await?;
            let cpu_us = child.cpu_us_per_request(cpu, o.ok)?;
            eprintln!(
                "{name} c={connections}: {:.0} req/s, p50 {:.0} µs, p99 {:.0} µs, {cpu_us:.0} CPU µs/req (load generator and upstream {:.0}), machine idle {:.0}%, {} errors",
                o.rps(),
                o.percentile_us(0.5),
                o.percentile_us(0.99),
                o.harness_cpu_s / o.ok as f64 * 1e6,
                o.machine_idle * 100.0,
                o.errors
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_ratios_pair_rounds_and_subtract_the_direct_request() {
        // Round 0: (30 - 10) / (50 - 10); round 1: (25 - 5) / (85 - 5).
        assert_eq!(
            hop_ratios(&[10.0, 5.0], &[30.0, 25.0], &[50.0, 85.0]),
            [0.5, 0.25]
        );
        assert_eq!(round_ratios(&[1.0, 3.0], &[2.0, 4.0]), [0.5, 0.75]);
    }
}
