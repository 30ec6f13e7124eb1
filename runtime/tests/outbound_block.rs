//! `[outbound_networking] block_networks` applied after DNS: names, IP literals, IPv4-mapped
//! IPv6 literals, the test-only resolver, and self requests.

mod support;

use std::collections::HashMap;

use courier_runtime::LoadOptions;
use support::{fetch, serve_with, TestApp, Upstream};

fn manifest() -> String {
    "spin_manifest_version = 2\n[application]\nname = \"block\"\n\
     [[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n\
     [component.front]\nsource = \"{probe}\"\nallowed_outbound_hosts = [\"http://*:*\", \"http://self\"]\n"
        .to_string()
}

async fn serve(
    app: &TestApp,
    blocked: &str,
    resolve: &[(&str, String)],
) -> courier_runtime::RunningApp {
    let config = app.write(
        "runtime-config.toml",
        &format!("[outbound_networking]\nblock_networks = [{blocked}]\n"),
    );
    serve_with(
        app,
        LoadOptions {
            runtime_config: Some(config),
            test_only_resolve: resolve
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<HashMap<_, _>>(),
            ..Default::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_is_blocked_by_name_by_literal_and_through_ipv4_mapped_ipv6() {
    let up = Upstream::start().await;
    let port = up.addr.port();
    let app = TestApp::new(&manifest());
    let resolve = [("svc.example.test", up.addr.to_string())];
    let running = serve(&app, "\"127.0.0.0/8\", \"::1/128\"", &resolve).await;
    let addr = running.local_addr();
    for url in [
        format!("http://localhost:{port}/"),
        format!("http://127.0.0.1:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        "http://svc.example.test/".to_string(),
        "/hello".to_string(),
    ] {
        assert_eq!(
            fetch(addr, &url).await,
            "error=DestinationIpProhibited",
            "{url}"
        );
    }
    assert_eq!(up.connection_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_blocks_loopback_and_other_networks_do_not() {
    let up = Upstream::start().await;
    let port = up.addr.port();
    let app = TestApp::new(&manifest());
    let running = serve(&app, "\"private\"", &[]).await;
    assert_eq!(
        fetch(running.local_addr(), &format!("http://localhost:{port}/")).await,
        "error=DestinationIpProhibited"
    );
    // Control: a list that does not cover loopback lets the same requests through.
    let running = serve(&app, "\"10.0.0.0/8\", \"192.168.0.0/16\"", &[]).await;
    for url in [
        format!("http://localhost:{port}/a"),
        format!("http://127.0.0.1:{port}/b"),
        format!("http://[::ffff:127.0.0.1]:{port}/c"),
    ] {
        assert!(
            fetch(running.local_addr(), &url)
                .await
                .starts_with("status=200"),
            "{url}"
        );
    }
    assert_eq!(up.seen().len(), 3);
}
