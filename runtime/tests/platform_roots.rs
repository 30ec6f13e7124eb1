//! With no matching `[[client_tls]]`, the platform's CA roots are trusted as well as
//! webpki's (Spin 4.0.1+). They are found as OpenSSL finds them, so `SSL_CERT_FILE` names
//! a bundle. A test binary of its own: it sets that variable for the whole process.

mod support;

use std::collections::HashMap;

use courier_runtime::LoadOptions;
use support::net::{TestCa, TlsUpstream};
use support::{enc, get, serve_with, TestApp};

const NAME: &str = "svc.example.test";

async fn fetch_through_new_app(upstream: std::net::SocketAddr, runtime_config: &str) -> String {
    let app = TestApp::new(&format!(
        "spin_manifest_version = 2\n[application]\nname = \"roots\"\n\
         [[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n\
         [component.front]\nsource = \"{{probe}}\"\nallowed_outbound_hosts = [\"https://{NAME}:*\"]\n"
    ));
    let config = app.write("runtime-config.toml", runtime_config);
    let running = serve_with(
        &app,
        LoadOptions {
            runtime_config: Some(config),
            test_only_resolve: HashMap::from([(NAME.into(), upstream.to_string())]),
            ..Default::default()
        },
    )
    .await;
    let url = format!("https://{NAME}:{}/p", upstream.port());
    get(
        running.local_addr(),
        &format!("/fetch?url={}", enc(&url)),
        &[],
    )
    .await
    .body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_roots_named_by_ssl_cert_file_are_trusted_by_default() {
    let ca = TestCa::new("Courier platform test CA");
    let up = TlsUpstream::start(&ca.leaf(&[NAME]), &[b"http/1.1"], None).await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = ca.write(dir.path(), "bundle.pem");
    let only_webpki =
        "[[client_tls]]\ncomponent_ids = [\"front\"]\nhosts = [\"svc.example.test\"]\n\
                       ca_use_webpki_roots = true\n";
    let platform_too =
        "[[client_tls]]\ncomponent_ids = [\"front\"]\nhosts = [\"svc.example.test\"]\n\
                        ca_use_platform_roots = true\n";

    // The system's bundle does not hold the test CA.
    assert_eq!(
        fetch_through_new_app(up.addr, "").await,
        "error=TlsProtocolError"
    );
    // Set before any app reads the platform's roots again; nothing else in this binary runs.
    std::env::set_var("SSL_CERT_FILE", &bundle);
    std::env::set_var("SSL_CERT_DIR", dir.path());
    let ok = "status=200\nupstream saw HTTP/1.1 GET /p client-cert=false";
    assert_eq!(fetch_through_new_app(up.addr, "").await, ok);
    assert_eq!(fetch_through_new_app(up.addr, platform_too).await, ok);
    // A table that turns the platform's roots off is obeyed.
    assert_eq!(
        fetch_through_new_app(up.addr, only_webpki).await,
        "error=TlsProtocolError"
    );
}
