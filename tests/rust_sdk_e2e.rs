//! End to end: the example guest (languages/rust/example, on the generated Rust SDK) is
//! built for wasm32-wasip2, served by the reference runtime, and asked over real loopback
//! HTTP to fetch from a real upstream. Needs `rustup target add wasm32-wasip2`.
//!
//! The upstream and the client are a few lines of HTTP/1.1 over tokio sockets, so this
//! test adds no dependency to the `courier` package.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use common::{example_wasm, get};

/// An upstream that records request lines and holds each request until a second one is
/// in flight (or 3 s pass), answering `together` or `alone`: sequential sends from the
/// guest would see `alone`.
struct Upstream {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Upstream {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (arrived, watch) = tokio::sync::watch::channel(0usize);
        let arrived = Arc::new(arrived);
        let record = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let (record, arrived, mut watch) = (record.clone(), arrived.clone(), watch.clone());
                tokio::spawn(async move {
                    let Some(head) = read_head(&mut conn).await else {
                        return;
                    };
                    record
                        .lock()
                        .unwrap()
                        .push(head.lines().next().unwrap_or_default().to_string());
                    arrived.send_modify(|n| *n += 1);
                    let together =
                        tokio::time::timeout(Duration::from_secs(3), watch.wait_for(|n| *n >= 2))
                            .await
                            .is_ok();
                    let body = if together { "together" } else { "alone" };
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = conn.write_all(reply.as_bytes()).await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        Self { addr, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_head(conn: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut byte).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Writes a spin.toml for the example guest and serves it.
async fn serve(allowed_outbound_hosts: &str) -> (courier_runtime::RunningApp, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "courier-rust-e2e-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = dir.join("spin.toml");
    std::fs::write(
        &manifest,
        format!(
            "spin_manifest_version = 2\n\
             [application]\nname = \"rust-sdk-e2e\"\n\
             [[trigger.http]]\nroute = \"/...\"\ncomponent = \"example\"\n\
             [component.example]\nsource = {:?}\nallowed_outbound_hosts = [{allowed_outbound_hosts}]\n",
            example_wasm().display().to_string()
        ),
    )
    .unwrap();
    let runtime =
        courier_runtime::Runtime::new(courier_runtime::RuntimeOptions::default()).unwrap();
    let app = runtime
        .load(&manifest, courier_runtime::LoadOptions::default())
        .await
        .unwrap();
    let running = app.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    (running, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_guest_fetches_from_an_allowed_upstream_with_concurrent_sends() {
    let up = Upstream::start().await;
    let (running, dir) = serve(&format!("\"http://127.0.0.1:{}\"", up.addr.port())).await;
    let reply = get(
        running.local_addr(),
        &format!("/?url=http://127.0.0.1:{}/hello?x=1", up.addr.port()),
    )
    .await;
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);

    assert_eq!(reply.status, 200, "body: {}", reply.body);
    assert_eq!(reply.header("x-upstream-status"), Some("200"));
    // Both sends were in flight at once, or the upstream would have answered `alone`.
    assert_eq!(reply.body, "together");
    assert_eq!(
        up.seen(),
        ["GET /hello?x=1 HTTP/1.1", "GET /hello?x=1 HTTP/1.1"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_upstream_surfaces_the_wit_error_code() {
    let up = Upstream::start().await;
    // Allowed: a different port only.
    let (running, dir) = serve(&format!("\"http://127.0.0.1:{}\"", up.addr.port() + 1)).await;
    let reply = get(
        running.local_addr(),
        &format!("/?url=http://127.0.0.1:{}/hello", up.addr.port()),
    )
    .await;
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);

    assert_eq!(reply.status, 502, "body: {}", reply.body);
    assert_eq!(reply.header("x-error-code"), Some("HTTP-request-denied"));
    assert_eq!(reply.body.trim(), "HTTP-request-denied");
    assert!(
        up.seen().is_empty(),
        "a denied request reached the upstream: {:?}",
        up.seen()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_response_reaches_the_client_chunk_by_chunk() {
    // An upstream that sends one chunk, then holds the second until the test has seen the
    // first at the client: a relay that buffered would never let it through.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let up = listener.local_addr().unwrap();
    let seen_first = Arc::new(tokio::sync::Notify::new());
    let release = seen_first.clone();
    tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        read_head(&mut conn).await.unwrap();
        let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-up: 1\r\n\r\n";
        conn.write_all(format!("{head}5\r\nfirst\r\n").as_bytes())
            .await
            .unwrap();
        release.notified().await;
        conn.write_all(b"6\r\nsecond\r\n0\r\n\r\n").await.unwrap();
    });
    let (running, dir) = serve(&format!("\"http://127.0.0.1:{}\"", up.port())).await;
    let mut client = TcpStream::connect(running.local_addr()).await.unwrap();
    let request =
        format!("GET /relay?url=http://{up}/ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    client.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let first = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&got).contains("first") {
            let n = client.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "closed before the first chunk: {}",
                String::from_utf8_lossy(&got)
            );
            got.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    seen_first.notify_one();
    assert!(
        first.is_ok(),
        "the first chunk did not arrive before the upstream sent the rest"
    );
    client.read_to_end(&mut got).await.unwrap();
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.contains("x-up: 1"),
        "the upstream's headers are relayed: {text}"
    );
    assert!(text.contains("second"), "{text}");
}
