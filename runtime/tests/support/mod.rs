//! Test support: the probe guest (built for wasm32-wasip2 on first use), a recording upstream
//! server, an HTTP client, and apps written to temporary folders.

#![allow(dead_code)]

pub mod net;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// Build the probe component once per test binary and return its path.
pub fn probe_wasm() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let target_dir = root.join("../target/guests");
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["build", "--release", "--quiet", "--target", "wasm32-wasip2", "--manifest-path"])
                .arg(root.join("tests/guests/probe/Cargo.toml"))
                .env("CARGO_TARGET_DIR", &target_dir)
                .env_remove("RUSTFLAGS")
                .status()
                .expect("cargo runs");
            assert!(
                status.success(),
                "building the probe guest failed; is the target installed? (rustup target add wasm32-wasip2)"
            );
            target_dir.join("wasm32-wasip2/release/probe.wasm")
        })
        .clone()
}

/// One request as the upstream saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A recording upstream: answers `upstream saw <method> <target>` and counts connections.
pub struct Upstream {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Upstream {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(addr: &str) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (c, r) = (connections.clone(), requests.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let r = r.clone();
                            async move {
                                let method = req.method().to_string();
                                let target = req.uri().to_string();
                                let headers = req
                                    .headers()
                                    .iter()
                                    .map(|(n, v)| {
                                        (
                                            n.to_string(),
                                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                        )
                                    })
                                    .collect();
                                let body = req
                                    .into_body()
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes().to_vec())
                                    .unwrap_or_default();
                                let text = format!("upstream saw {method} {target}");
                                r.lock().unwrap().push(Seen {
                                    method,
                                    target,
                                    headers,
                                    body,
                                });
                                Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                                    Bytes::from(text),
                                )))
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            connections,
            requests,
            task,
        }
    }

    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.requests.lock().unwrap().clone()
    }
}

/// A response from the app under test.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

/// GET `path` from the app at `addr`, with extra headers.
pub async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut builder = hyper::Request::get(path);
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        builder = builder.header("host", addr.to_string());
    }
    for (n, v) in headers {
        builder = builder.header(*n, *v);
    }
    let response = sender
        .send_request(builder.body(Full::new(Bytes::new())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Ask the probe to `GET url` and return its report (`status=…` or `error=…`); the probe
/// itself must answer 200.
pub async fn fetch(addr: SocketAddr, url: &str) -> String {
    let reply = get(addr, &format!("/fetch?url={}", enc(url)), &[]).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body
}

/// Percent-encode a query value for the probe's `/fetch?url=…`.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An app in a temporary folder: `manifest` is spin.toml with `{probe}` replaced by the guest's path.
pub struct TestApp {
    pub dir: tempfile::TempDir,
}

impl TestApp {
    pub fn new(manifest: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let probe = probe_wasm();
        let text = manifest.replace("{probe}", &probe.display().to_string());
        std::fs::write(dir.path().join("spin.toml"), text).unwrap();
        Self { dir }
    }

    pub fn manifest(&self) -> PathBuf {
        self.dir.path().join("spin.toml")
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// One engine per test binary: components compile once.
pub fn runtime() -> courier_runtime::Runtime {
    static RT: OnceLock<courier_runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        courier_runtime::Runtime::new(courier_runtime::RuntimeOptions {
            request_timeout: std::time::Duration::from_secs(2),
            ..Default::default()
        })
        .unwrap()
    })
    .clone()
}

/// Load and serve `app` with default options.
pub async fn serve(app: &TestApp) -> courier_runtime::RunningApp {
    serve_with(app, courier_runtime::LoadOptions::default()).await
}

pub async fn serve_with(
    app: &TestApp,
    options: courier_runtime::LoadOptions,
) -> courier_runtime::RunningApp {
    serve_on(&runtime(), app, options).await
}

/// Load and serve `app` on a runtime of the test's own (other engine options).
pub async fn serve_on(
    runtime: &courier_runtime::Runtime,
    app: &TestApp,
    options: courier_runtime::LoadOptions,
) -> courier_runtime::RunningApp {
    let loaded = runtime
        .load(&app.manifest(), options)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    loaded.serve("127.0.0.1:0".parse().unwrap()).await.unwrap()
}
