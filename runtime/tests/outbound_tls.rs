//! Outbound HTTPS against loopback TLS upstreams with a CA made during the test:
//! `[[client_tls]]` roots, mTLS, HTTP/2 through ALPN, and the TLS error mapping.

mod support;

use std::collections::HashMap;

use courier_runtime::LoadOptions;
use support::net::{TestCa, TlsUpstream};
use support::{enc, get, serve_with, TestApp};

const NAME: &str = "svc.example.test";

fn manifest() -> String {
    format!(
        "spin_manifest_version = 2\n[application]\nname = \"tls\"\n\
         [[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n\
         [[trigger.http]]\nroute = \"/other/...\"\ncomponent = \"other\"\n\
         [component.front]\nsource = \"{{probe}}\"\nallowed_outbound_hosts = [\"https://{NAME}:*\"]\n\
         [component.other]\nsource = \"{{probe}}\"\nallowed_outbound_hosts = [\"https://{NAME}:*\"]\n"
    )
}

/// Serve the app with `runtime_config` (may be empty) and `NAME` resolving to `upstream`.
async fn serve(
    app: &TestApp,
    runtime_config: &str,
    upstream: std::net::SocketAddr,
) -> courier_runtime::RunningApp {
    let config = app.write("runtime-config.toml", runtime_config);
    serve_with(
        app,
        LoadOptions {
            runtime_config: Some(config),
            test_only_resolve: HashMap::from([(NAME.into(), upstream.to_string())]),
            ..Default::default()
        },
    )
    .await
}

async fn fetch(addr: std::net::SocketAddr, route: &str, port: u16) -> String {
    let url = format!("https://{NAME}:{port}/p");
    let reply = get(addr, &format!("{route}/fetch?url={}", enc(&url)), &[]).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body
}

fn client_tls(component: &str, ca_file: &str, extra: &str) -> String {
    format!(
        "[[client_tls]]\ncomponent_ids = [\"{component}\"]\nhosts = [\"{NAME}\"]\nca_roots_file = \"{ca_file}\"\n{extra}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_ca_is_trusted_only_where_client_tls_says() {
    let ca = TestCa::new("Courier test CA");
    let up = TlsUpstream::start(&ca.leaf(&[NAME]), &[b"http/1.1"], None).await;
    let app = TestApp::new(&manifest());
    ca.write(app.dir.path(), "ca.pem");
    let running = serve(&app, &client_tls("front", "ca.pem", ""), up.addr).await;
    let addr = running.local_addr();
    let port = up.addr.port();
    assert_eq!(
        fetch(addr, "", port).await,
        "status=200\nupstream saw HTTP/1.1 GET /p client-cert=false"
    );
    // `other` has no [[client_tls]]: the platform's and webpki's roots, neither with the test CA.
    assert_eq!(fetch(addr, "/other", port).await, "error=TlsProtocolError");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_client_tls_table_for_a_component_and_host_wins() {
    let ca = TestCa::new("Courier test CA");
    let other_ca = TestCa::new("Another CA");
    let up = TlsUpstream::start(&ca.leaf(&[NAME]), &[b"http/1.1"], None).await;
    let port = up.addr.port();
    for (first, second, expected) in [
        (
            "ca.pem",
            "other.pem",
            "status=200\nupstream saw HTTP/1.1 GET /p client-cert=false",
        ),
        ("other.pem", "ca.pem", "error=TlsProtocolError"),
    ] {
        let app = TestApp::new(&manifest());
        ca.write(app.dir.path(), "ca.pem");
        other_ca.write(app.dir.path(), "other.pem");
        let config = format!(
            "{}\n{}",
            client_tls("front", first, ""),
            client_tls("front", second, "")
        );
        let running = serve(&app, &config, up.addr).await;
        assert_eq!(
            fetch(running.local_addr(), "", port).await,
            expected,
            "first {first}, then {second}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_ca_an_untrusted_certificate_is_a_tls_protocol_error() {
    let ca = TestCa::new("Courier test CA");
    let up = TlsUpstream::start(&ca.leaf(&[NAME]), &[b"http/1.1"], None).await;
    let app = TestApp::new(&manifest());
    let running = serve(&app, "", up.addr).await;
    assert_eq!(
        fetch(running.local_addr(), "", up.addr.port()).await,
        "error=TlsProtocolError"
    );
    // A CA that did not sign the server's certificate is no better.
    let stranger = TestCa::new("Someone else");
    stranger.write(app.dir.path(), "stranger.pem");
    let running = serve(&app, &client_tls("front", "stranger.pem", ""), up.addr).await;
    assert_eq!(
        fetch(running.local_addr(), "", up.addr.port()).await,
        "error=TlsProtocolError"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_is_a_tls_protocol_error() {
    let ca = TestCa::new("Courier test CA");
    let up = TlsUpstream::start(&ca.leaf(&["elsewhere.example.test"]), &[b"http/1.1"], None).await;
    let app = TestApp::new(&manifest());
    ca.write(app.dir.path(), "ca.pem");
    let running = serve(&app, &client_tls("front", "ca.pem", ""), up.addr).await;
    assert_eq!(
        fetch(running.local_addr(), "", up.addr.port()).await,
        "error=TlsProtocolError"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_presents_the_configured_client_certificate() {
    let server_ca = TestCa::new("Server CA");
    let client_ca = TestCa::new("Client CA");
    let up = TlsUpstream::start(&server_ca.leaf(&[NAME]), &[b"http/1.1"], Some(&client_ca)).await;
    let app = TestApp::new(&manifest());
    server_ca.write(app.dir.path(), "ca.pem");
    let client = client_ca.leaf(&["front.client.test"]);
    app.write("client.pem", &client.cert_pem);
    app.write("client.key", &client.key_pem);
    let config = client_tls(
        "front",
        "ca.pem",
        "client_cert_file = \"client.pem\"\nclient_private_key_file = \"client.key\"\n",
    ) + &client_tls("other", "ca.pem", "");
    let running = serve(&app, &config, up.addr).await;
    let addr = running.local_addr();
    let port = up.addr.port();
    assert_eq!(
        fetch(addr, "", port).await,
        "status=200\nupstream saw HTTP/1.1 GET /p client-cert=true"
    );
    // `other` trusts the server but has no identity: the server refuses it.
    let refused = fetch(addr, "/other", port).await;
    assert!(refused.starts_with("error="), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_negotiated_through_alpn_and_its_connection_is_shared() {
    let ca = TestCa::new("Courier test CA");
    let up = TlsUpstream::start(&ca.leaf(&[NAME]), &[b"h2", b"http/1.1"], None).await;
    let app = TestApp::new(&manifest());
    ca.write(app.dir.path(), "ca.pem");
    let running = serve(&app, &client_tls("front", "ca.pem", ""), up.addr).await;
    for _ in 0..5 {
        assert_eq!(
            fetch(running.local_addr(), "", up.addr.port()).await,
            "status=200\nupstream saw HTTP/2.0 GET /p client-cert=false"
        );
    }
    assert_eq!(up.connection_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_connections_are_pooled_too() {
    let ca = TestCa::new("Courier test CA");
    let up = TlsUpstream::start(&ca.leaf(&[NAME]), &[b"http/1.1"], None).await;
    let app = TestApp::new(&manifest());
    ca.write(app.dir.path(), "ca.pem");
    let running = serve(&app, &client_tls("front", "ca.pem", ""), up.addr).await;
    for _ in 0..5 {
        assert!(fetch(running.local_addr(), "", up.addr.port())
            .await
            .starts_with("status=200"));
    }
    assert_eq!(up.connection_count(), 1);
}
