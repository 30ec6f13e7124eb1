//! What the benchmark talks to: a native upstream, a native hyper proxy doing the same hop as
//! the guest, the Courier app, and (when installed) `wasmtime serve`. Proxies run in child
//! processes so their CPU and memory are their own; the child side lives here too.

use std::convert::Infallible;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

/// The environment variable that turns the bench binary into one of its child servers.
pub const CHILD_ENV: &str = "COURIER_BENCH_CHILD";

/// Accept HTTP/1.1 connections on `listener` forever, answering with `handler`; `accepted`
/// counts the connections.
async fn serve_forever<F, Fut>(listener: TcpListener, accepted: Arc<AtomicU64>, handler: F)
where
    F: Fn(hyper::Request<hyper::body::Incoming>) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = hyper::Response<Full<Bytes>>> + Send + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        accepted.fetch_add(1, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let handler = handler.clone();
                async move { Ok::<_, Infallible>(handler(req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The loopback upstream every proxy calls: a fixed small body.
pub struct Upstream {
    pub addr: SocketAddr,
    accepted: Arc<AtomicU64>,
}

impl Upstream {
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicU64::new(0));
        tokio::spawn(serve_forever(listener, accepted.clone(), |_req| async {
            hyper::Response::new(Full::new(Bytes::from_static(b"hello from upstream")))
        }));
        Ok(Self { addr, accepted })
    }

    /// Connections accepted so far: a pooled client opens a handful, not one per request.
    pub fn connections(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

/// `?url=` of a request target, percent-decoded.
fn url_param(target: &http::Uri) -> Option<String> {
    let query = target.query()?;
    let raw = query.split('&').find_map(|p| p.strip_prefix("url="))?;
    let mut out = Vec::new();
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The native twin of the probe's `/fetch`: one pooled outbound GET, answered as
/// `status=<code>\n<body>`.
async fn run_native_proxy() -> Result<()> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<HttpConnector, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).build(connector);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    announce(listener.local_addr()?);
    // Nobody reads the native proxy's own connection count.
    tokio::spawn(serve_forever(listener, Arc::default(), move |req| {
        let client = client.clone();
        async move {
            let text = match url_param(req.uri()).map(|u| u.parse::<http::Uri>()) {
                Some(Ok(uri)) => match client.get(uri).await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match response.into_body().collect().await {
                            Ok(body) => format!(
                                "status={status}\n{}",
                                String::from_utf8_lossy(&body.to_bytes())
                            ),
                            Err(e) => format!("body-error={e}"),
                        }
                    }
                    Err(e) => format!("error={e}"),
                },
                _ => "hello from native".to_string(),
            };
            hyper::Response::new(Full::new(Bytes::from(text)))
        }
    }));
    wait_for_parent().await;
    Ok(())
}

pub const APP: &str = r#"spin_manifest_version = 2
[application]
name = "bench"
[[trigger.http]]
route = "/back/..."
component = "back"
[[trigger.http]]
route = "/..."
component = "front"
[component.front]
source = "{probe}"
allowed_outbound_hosts = ["http://127.0.0.1:*", "http://back.spin.internal", "http://self"]
[component.back]
source = "{probe}"
"#;

/// Requests per instance in the instance-reuse rows: `wasmtime serve`'s default for WASIp3.
pub const REUSE_COUNT: u32 = 128;

/// Serve the probe app with Courier, compile cache in `cache`, each instance serving up to
/// `max_instance_reuse` requests (1: a fresh instance per request, the default).
async fn run_courier(probe: &Path, cache: &Path, max_instance_reuse: u32) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let manifest = dir.path().join("spin.toml");
    std::fs::write(
        &manifest,
        APP.replace("{probe}", &probe.display().to_string()),
    )?;
    let runtime = courier_runtime::Runtime::new(courier_runtime::RuntimeOptions {
        cache_dir: Some(cache.to_path_buf()),
        max_instance_reuse,
        ..Default::default()
    })?;
    let app = runtime
        .load(&manifest, courier_runtime::LoadOptions::default())
        .await?;
    let running = app.serve("127.0.0.1:0".parse()?).await?;
    announce(running.local_addr());
    wait_for_parent().await;
    running.shutdown().await;
    Ok(())
}

fn announce(addr: SocketAddr) {
    println!("READY {addr}");
}

/// Children live until the parent closes their stdin (or dies).
async fn wait_for_parent() {
    let _ = tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await;
}

/// Child entry point: `COURIER_BENCH_CHILD=native|courier|courier-reuse`.
pub fn child_main(kind: &str) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        match kind {
            "native" => run_native_proxy().await,
            "courier" | "courier-reuse" => {
                let probe = PathBuf::from(std::env::var("COURIER_BENCH_PROBE")?);
                let cache = PathBuf::from(std::env::var("COURIER_BENCH_CACHE")?);
                let reuse = if kind == "courier" { 1 } else { REUSE_COUNT };
                run_courier(&probe, &cache, reuse).await
            }
            other => bail!("unknown child kind {other:?}"),
        }
    })
}

/// A server in a child process; killed when dropped.
pub struct Child {
    pub addr: SocketAddr,
    pub process: std::process::Child,
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Child {
    /// Re-run this binary as a child server of `kind`.
    pub fn spawn(kind: &str, env: &[(&str, &Path)]) -> Result<Self> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        command.env(CHILD_ENV, kind);
        for (k, v) in env {
            command.env(k, v);
        }
        Self::start(command)
    }

    /// `wasmtime serve` of `probe`, when a `wasmtime` binary is on PATH.
    /// `wasmtime serve` from PATH, else the one `scripts/bench-tools` installs.
    pub fn wasmtime_serve(probe: &Path, workspace: &Path) -> Result<Option<Self>> {
        let installed = workspace.join(".courier/tools/bin/wasmtime");
        let Some(wasmtime) =
            find_on_path("wasmtime").or_else(|| installed.is_file().then_some(installed))
        else {
            return Ok(None);
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut command = Command::new(wasmtime);
        command
            .args(["serve", "-S", "cli", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .arg(probe);
        let started = Instant::now();
        let mut process = command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        while std::net::TcpStream::connect(addr).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                let _ = process.kill();
                bail!("wasmtime serve did not start listening on {addr}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Some(Self { addr, process }))
    }

    fn start(mut command: Command) -> Result<Self> {
        let mut process = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = process.stdout.take().context("child stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(addr) = line.trim().strip_prefix("READY ") else {
            let _ = process.kill();
            bail!("child server did not start (said {line:?})");
        };
        Ok(Self {
            addr: addr.parse()?,
            process,
        })
    }

    /// CPU time (user + system) the child has used so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64> {
        process_cpu_seconds(&self.process.id().to_string())
    }

    /// CPU µs the child spent per request since it had used `since` CPU seconds.
    pub fn cpu_us_per_request(&self, since: f64, requests: u64) -> Result<f64> {
        Ok((self.cpu_seconds()? - since) / requests.max(1) as f64 * 1e6)
    }

    /// Minor page faults the child has taken so far (field 10 of `/proc/<pid>/stat`).
    pub fn minor_faults(&self) -> Result<u64> {
        stat_fields(&self.process.id().to_string())?
            .get(7)
            .and_then(|f| f.parse().ok())
            .context("short /proc/<pid>/stat")
    }

    /// Resident set size of the child, in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.process.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmRSS missing from /proc/<pid>/status")
    }
}

/// The fields of `/proc/<pid>/stat` after the parenthesised command name: index 0 is the
/// state (field 3 in proc(5)), so field N is at index N - 3.
fn stat_fields(pid: &str) -> Result<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let rest = stat
        .rsplit_once(')')
        .context("malformed /proc/<pid>/stat")?
        .1;
    Ok(rest.split_whitespace().map(str::to_owned).collect())
}

/// CPU time (user + system) that process `pid` (a number, or `self`) has used, in seconds.
pub fn process_cpu_seconds(pid: &str) -> Result<f64> {
    // utime and stime are fields 14 and 15.
    let ticks: f64 = stat_fields(pid)?
        .get(11..13)
        .context("short /proc/<pid>/stat")?
        .iter()
        .map(|f| f.parse::<f64>().unwrap_or(0.0))
        .sum();
    // USER_HZ is 100 on every Linux configuration we run on.
    Ok(ticks / 100.0)
}

/// The whole machine's CPU time so far, in `/proc/stat` ticks: (busy, idle).
pub fn machine_ticks() -> Result<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let line = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .context("no cpu line in /proc/stat")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal …: idle and iowait are idle.
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    let busy = ticks.iter().take(8).sum::<u64>() - idle;
    Ok((busy, idle))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
