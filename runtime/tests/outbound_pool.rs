//! Keep-alive pooling across instances, `[outbound_http] max_connections` and cleartext
//! HTTP/2 by prior knowledge, observed from real loopback upstreams.

mod support;

use std::time::Duration;

use courier_runtime::LoadOptions;
use support::net::{SlowUpstream, TlsUpstream};
use support::{fetch, serve_with, TestApp, Upstream};

fn manifest() -> String {
    "spin_manifest_version = 2\n[application]\nname = \"pool\"\n\
     [[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n\
     [component.front]\nsource = \"{probe}\"\nallowed_outbound_hosts = [\"http://127.0.0.1:*\", \"http://localhost:*\", \"http://self\"]\n"
        .to_string()
}

async fn serve(app: &TestApp, runtime_config: &str) -> courier_runtime::RunningApp {
    let config = app.write("runtime-config.toml", runtime_config);
    serve_with(
        app,
        LoadOptions {
            runtime_config: Some(config),
            ..Default::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_requests_from_many_instances_share_one_connection() {
    let up = Upstream::start().await;
    let app = TestApp::new(&manifest());
    // An [outbound_http] table without the key keeps pooling on (Spin's documented default).
    let running = serve(&app, "[outbound_http]\nmax_connections = 100\n").await;
    for i in 0..20 {
        let body = fetch(running.local_addr(), &format!("http://{}/n{i}", up.addr)).await;
        assert_eq!(body, format!("status=200\nupstream saw GET /n{i}"));
    }
    assert_eq!(up.seen().len(), 20);
    assert_eq!(up.connection_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_pooling_off_every_request_opens_a_connection() {
    let up = Upstream::start().await;
    let app = TestApp::new(&manifest());
    let running = serve(&app, "[outbound_http]\nconnection_pooling = false\n").await;
    for i in 0..10 {
        assert!(
            fetch(running.local_addr(), &format!("http://{}/n{i}", up.addr))
                .await
                .starts_with("status=200")
        );
    }
    assert_eq!(up.connection_count(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_requests_go_through_the_pooled_client() {
    let app = TestApp::new(&manifest());
    let running = serve(&app, "").await;
    for _ in 0..5 {
        assert_eq!(
            fetch(running.local_addr(), "/hello").await,
            "status=200\nhello from probe at /hello"
        );
    }
}

/// Run `n` fetches of a slow upstream at once and return the bodies.
async fn concurrent(
    addr: std::net::SocketAddr,
    upstream: std::net::SocketAddr,
    n: usize,
) -> Vec<String> {
    let tasks: Vec<_> = (0..n)
        .map(|i| tokio::spawn(async move { fetch(addr, &format!("http://{upstream}/c{i}")).await }))
        .collect();
    let mut bodies = Vec::new();
    for task in tasks {
        bodies.push(task.await.unwrap());
    }
    bodies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_connections_caps_open_connections_and_requests_wait_for_a_permit() {
    let delay = Duration::from_millis(300);
    // Control: without a limit the same load opens several connections at once.
    let free = SlowUpstream::start(delay).await;
    let app = TestApp::new(&manifest());
    let running = serve(&app, "").await;
    let bodies = concurrent(running.local_addr(), free.addr, 4).await;
    assert!(bodies.iter().all(|b| b == "status=200\nslow"), "{bodies:?}");
    assert!(free.max_in_flight() >= 2, "control run never overlapped");

    for config in [
        "[outbound_http]\nmax_connections = 1\n",
        "[outbound_http]\nmax_connections = 1\nconnection_pooling = false\n",
    ] {
        let capped = SlowUpstream::start(delay).await;
        let app = TestApp::new(&manifest());
        let running = serve(&app, config).await;
        let bodies = concurrent(running.local_addr(), capped.addr, 4).await;
        assert!(
            bodies.iter().all(|b| b == "status=200\nslow"),
            "{config}: {bodies:?}"
        );
        assert_eq!(capped.max_in_flight(), 1, "{config}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleartext_http2_by_prior_knowledge_only_for_the_named_authority() {
    let up = TlsUpstream::cleartext().await;
    let app = TestApp::new(&manifest());
    let authority = up.addr.to_string();
    let running = serve_with(
        &app,
        LoadOptions {
            h2c_prior_knowledge: Some(authority.clone()),
            ..Default::default()
        },
    )
    .await;
    let addr = running.local_addr();
    for i in 0..3 {
        assert_eq!(
            fetch(addr, &format!("http://{authority}/h2c{i}")).await,
            format!("status=200\nupstream saw HTTP/2.0 GET /h2c{i} client-cert=false")
        );
    }
    // One HTTP/2 connection carries every request.
    assert_eq!(up.connection_count(), 1);
    // The authority must match as written: `localhost:PORT` names the same server, not the
    // same text, so it gets HTTP/1.1.
    let other = format!("localhost:{}", up.addr.port());
    assert_eq!(
        fetch(addr, &format!("http://{other}/h1")).await,
        "status=200\nupstream saw HTTP/1.1 GET /h1 client-cert=false"
    );
}

/// An upstream that answers the first request on each connection (keep-alive) and drops the
/// connection when a second request arrives on it, as a server closing an idle connection
/// just as a request goes out. Counts connections and the requests it answered.
async fn closes_reused_connections() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = conn
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst")
                    .await;
                // The next request on this connection gets no answer: the connection ends.
                let _ = conn.read(&mut buf).await;
            });
        }
    });
    (addr, connections)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_lost_on_a_connection_closed_under_it_is_sent_again_but_a_post_is_not() {
    let (upstream, connections) = closes_reused_connections().await;
    let app = TestApp::new(&manifest());
    let running = serve(&app, "[outbound_http]\nmax_connections = 100\n").await;
    let addr = running.local_addr();
    let url = format!("http://{upstream}/x");
    assert_eq!(fetch(addr, &url).await, "status=200\nfirst");
    // Goes out on the pooled connection, which the upstream drops: sent again on a new one.
    assert_eq!(fetch(addr, &url).await, "status=200\nfirst");
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
    // A POST with a body may have had effects: it is not sent twice.
    let post = format!("/fetch?url={}&method=POST&body=once", support::enc(&url));
    let reply = support::get(addr, &post, &[]).await.body;
    assert!(reply.starts_with("error="), "{reply}");
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
}
