//! End-to-end: the probe guest served by the runtime over real loopback HTTP, making outbound
//! requests to a real recording upstream under Spin's permission model.

mod support;

use std::collections::HashMap;

use courier_runtime::LoadOptions;
use support::{enc, fetch, get, serve, serve_on, serve_with, TestApp, Upstream};

fn app(components: &str) -> String {
    format!("spin_manifest_version = 2\n[application]\nname = \"test\"\n{components}")
}

fn one(allowed: &str) -> String {
    app(&format!(
        "[[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n[component.front]\nsource = \"{{probe}}\"\nallowed_outbound_hosts = [{allowed}]\n"
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_request_reaches_the_upstream_with_host_from_the_url() {
    let up = Upstream::start().await;
    let app = TestApp::new(&one(&format!("\"http://127.0.0.1:{}\"", up.addr.port())));
    let running = serve(&app).await;
    let body = fetch(
        running.local_addr(),
        &format!("http://127.0.0.1:{}/get?some=arg", up.addr.port()),
    )
    .await;
    assert_eq!(body, "status=200\nupstream saw GET /get?some=arg");
    let seen = up.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].header("host"),
        vec![format!("127.0.0.1:{}", up.addr.port())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_requests_never_connect() {
    let up = Upstream::start().await;
    let port = up.addr.port();
    // No list at all, then a list that allows another port, another scheme and another host.
    for allowed in [
        String::new(),
        format!("\"http://127.0.0.1:{}\"", port + 1),
        format!("\"https://127.0.0.1:{port}\""),
        format!("\"http://localhost:{port}\""),
        "\"http://self\"".to_string(),
    ] {
        let app = TestApp::new(&one(&allowed));
        let running = serve(&app).await;
        let body = fetch(running.local_addr(), &format!("http://127.0.0.1:{port}/x")).await;
        assert_eq!(body, "error=HttpRequestDenied", "allowed = [{allowed}]");
    }
    assert_eq!(up.connection_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcard_and_range_patterns() {
    let up = Upstream::start().await;
    let port = up.addr.port();
    let app = TestApp::new(&one(&format!(
        "\"*://127.0.0.0/24:{}..{}\"",
        port,
        port + 1
    )));
    let running = serve(&app).await;
    assert!(
        fetch(running.local_addr(), &format!("http://127.0.0.1:{port}/in"))
            .await
            .starts_with("status=200")
    );
    // The range is half-open: its end is excluded.
    assert_eq!(
        fetch(
            running.local_addr(),
            &format!("http://127.0.0.1:{}/out", port + 1)
        )
        .await,
        "error=HttpRequestDenied"
    );
    assert_eq!(up.seen().len(), 1);
}

const CHAIN: &str = r#"
[[trigger.http]]
route = "/..."
component = "front"
[[trigger.http]]
route = { private = true }
component = "back"
[[trigger.http]]
route = "/other/..."
component = "other"
[component.front]
source = "{probe}"
allowed_outbound_hosts = ["http://back.spin.internal"]
environment = { NAME = "front" }
[component.back]
source = "{probe}"
environment = { NAME = "back" }
[component.other]
source = "{probe}"
environment = { NAME = "other" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaining_reaches_a_private_component_in_memory() {
    let app = TestApp::new(&app(CHAIN));
    let running = serve(&app).await;
    let addr = running.local_addr();
    assert_eq!(
        fetch(addr, "http://back.spin.internal/hello/from/front").await,
        "status=200\nhello from back at /hello/from/front"
    );
    // Any port and path: chaining ignores the port, but the permission check does not.
    assert_eq!(
        fetch(addr, "http://back.spin.internal:8080/x").await,
        "error=HttpRequestDenied"
    );
    // Host names are case-insensitive: the permission check and the dispatch agree.
    assert_eq!(
        fetch(addr, "http://BACK.Spin.Internal/hello/x").await,
        "status=200\nhello from back at /hello/x"
    );
    // Only `back` is granted.
    assert_eq!(
        fetch(addr, "http://other.spin.internal/other/x").await,
        "error=HttpRequestDenied"
    );
    // The private component has no route: from outside its path belongs to the catch-all.
    assert_eq!(
        get(addr, "/hello", &[]).await.body,
        "hello from front at /hello"
    );
    // What the chained target sees.
    let headers = fetch(addr, "http://back.spin.internal/headers?q=1").await;
    assert!(
        headers.contains("authority: back.spin.internal\n"),
        "{headers}"
    );
    assert!(headers.contains("spin-path-info: /headers\n"), "{headers}");
    assert!(
        headers.contains("spin-client-addr: 0.0.0.0:0\n"),
        "{headers}"
    );
    assert!(
        headers.contains("spin-full-url: http://back.spin.internal/headers?q=1\n"),
        "{headers}"
    );
    // The synthetic route match (spec 3.5).
    for line in [
        "spin-matched-route: /...\n",
        "spin-raw-component-route: /...\n",
        "spin-component-route: \n",
        "spin-base-path: /\n",
    ] {
        assert!(headers.contains(line), "{line:?} in {headers}");
    }
    assert!(!headers.contains("spin-path-match-"), "{headers}");
    // A target that traps is an ordinary 500 with an empty body for its caller, which goes on.
    assert_eq!(
        fetch(addr, "http://back.spin.internal/trap").await,
        "status=500\n"
    );
    assert_eq!(
        fetch(addr, "http://back.spin.internal/after").await,
        "status=200\nhello from back at /after"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcard_chaining_expands_to_real_components_only() {
    let text = app(CHAIN).replace(
        "[\"http://back.spin.internal\"]",
        "[\"http://*.spin.internal\"]",
    );
    let app = TestApp::new(&text);
    let running = serve(&app).await;
    let addr = running.local_addr();
    assert_eq!(
        fetch(addr, "http://other.spin.internal/y").await,
        "status=200\nhello from other at /y"
    );
    assert_eq!(
        fetch(addr, "http://ghost.spin.internal/y").await,
        "error=HttpRequestDenied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_without_a_trigger_is_no_chaining_target() {
    // `*.spin.internal` expands to every component id, `lonely` included; but only a
    // trigger, public or private, makes a component a target (spec 3.3).
    let manifest = CHAIN.replace("http://back.spin.internal", "http://*.spin.internal")
        + "[component.lonely]\nsource = \"{probe}\"\n";
    let app = TestApp::new(&app(&manifest));
    let running = serve(&app).await;
    let addr = running.local_addr();
    assert_eq!(
        fetch(addr, "http://lonely.spin.internal/x").await,
        "error=DestinationNotFound"
    );
    assert_eq!(
        fetch(addr, "http://back.spin.internal/x").await,
        "status=200\nhello from back at /x"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_the_matcher_cannot_parse_is_denied_even_under_a_catch_all() {
    // `xn--a` is not valid punycode: the http crate takes the name, the url crate (which
    // Spin's matcher uses) does not, and such a request is denied (spec 1.6), never sent.
    let app = TestApp::new(&one("\"*://*:*\""));
    let running = serve(&app).await;
    assert_eq!(
        fetch(running.local_addr(), "http://xn--a.example/").await,
        "error=HttpRequestDenied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_all_host_chaining_to_an_unknown_component_is_an_error_not_a_trap() {
    let app = TestApp::new(&one("\"http://*:*\""));
    let running = serve(&app).await;
    assert_eq!(
        fetch(running.local_addr(), "http://ghost.spin.internal/").await,
        "error=DestinationNotFound"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chains_deeper_than_sixteen_hops_are_a_loop() {
    let app = TestApp::new(&one("\"http://front.spin.internal\""));
    let running = serve(&app).await;
    let addr = running.local_addr();
    let relay = |hops: u32| async move {
        get(
            addr,
            &format!("/relay?to=front.spin.internal&n={hops}"),
            &[],
        )
        .await
        .body
    };
    // Sixteen hops: every hop answers, so the reply nests sixteen statuses around the end.
    let sixteen = relay(16).await;
    assert_eq!(sixteen, format!("{}end", "status=200\n".repeat(16)));
    // The seventeenth hop is refused where it would start, and every caller above still answers.
    let seventeen = relay(17).await;
    assert_eq!(
        seventeen,
        format!("{}error=LoopDetected", "status=200\n".repeat(16))
    );
    // A component that calls itself forever is stopped the same way.
    assert!(relay(100_000).await.ends_with("error=LoopDetected"));
}

const SELF: &str = r#"
[[trigger.http]]
route = "/fetch"
component = "front"
[[trigger.http]]
route = "/hello/..."
component = "b"
[[trigger.http]]
route = { private = true }
component = "hidden"
[component.front]
source = "{probe}"
allowed_outbound_hosts = [ALLOWED]
[component.b]
source = "{probe}"
environment = { NAME = "b" }
[component.hidden]
source = "{probe}"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_requests_go_to_our_own_listener_through_the_router() {
    for allowed in ["\"http://self\"", "\"https://self.alt\"", "\"*://*:*\""] {
        let app = TestApp::new(&app(&SELF.replace("ALLOWED", allowed)));
        let running = serve(&app).await;
        let addr = running.local_addr();
        assert_eq!(
            fetch(addr, "/hello/x").await,
            "status=200\nhello from b at /hello/x",
            "{allowed}"
        );
        assert_eq!(
            fetch(addr, "http://self.alt/hello/y").await,
            "status=200\nhello from b at /hello/y",
            "{allowed}"
        );
        // Private components are not routed: a self request cannot reach them.
        assert_eq!(fetch(addr, "/hidden").await, "status=404\n", "{allowed}");
    }
    let app = TestApp::new(&app(&SELF.replace("ALLOWED", "\"http://localhost:1\"")));
    let running = serve(&app).await;
    assert_eq!(
        fetch(running.local_addr(), "/hello/x").await,
        "error=HttpRequestDenied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_requests_ignore_a_spoofed_host_header() {
    let decoy = Upstream::start().await;
    let app = TestApp::new(&app(&SELF.replace("ALLOWED", "\"http://self\"")));
    let running = serve(&app).await;
    let spoofed = decoy.addr.to_string();
    let reply = get(
        running.local_addr(),
        &format!("/fetch?url={}", enc("/hello/z")),
        &[("host", &spoofed)],
    )
    .await;
    assert_eq!(reply.body, "status=200\nhello from b at /hello/z");
    assert_eq!(decoy.connection_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_headers_are_refused_to_the_guest() {
    let up = Upstream::start().await;
    let app = TestApp::new(&one(&format!("\"http://127.0.0.1:{}\"", up.addr.port())));
    let running = serve(&app).await;
    let url = enc(&format!("http://127.0.0.1:{}/", up.addr.port()));
    for header in [
        "host:evil.example",
        "connection:close",
        "transfer-encoding:chunked",
        "upgrade:h2c",
        "keep-alive:5",
    ] {
        let reply = get(
            running.local_addr(),
            &format!("/fetch?url={url}&h={}", enc(header)),
            &[],
        )
        .await;
        assert_eq!(reply.body, "header-error=Forbidden", "{header}");
    }
    let reply = get(
        running.local_addr(),
        &format!("/fetch?url={url}&h={}", enc("x-custom:yes")),
        &[],
    )
    .await;
    assert!(reply.body.starts_with("status=200"), "{reply:?}");
    assert_eq!(up.seen()[0].header("x-custom"), vec!["yes"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_in_patterns() {
    let up = Upstream::start().await;
    let port = up.addr.port();
    let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"v\"\n[variables]\nhost = {{ default = \"127.0.0.1\" }}\nport = {{ default = \"{port}\" }}\n\
         [[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n[component.front]\nsource = \"{{probe}}\"\n\
         allowed_outbound_hosts = [\"http://{{{{ host }}}}:{{{{ port }}}}\"]\n"
    );
    let app = TestApp::new(&text);
    let running = serve(&app).await;
    assert!(
        fetch(running.local_addr(), &format!("http://127.0.0.1:{port}/"))
            .await
            .starts_with("status=200")
    );
    drop(running);
    // An explicit value wins over the default.
    let options = LoadOptions {
        variables: HashMap::from([("host".into(), "localhost".into())]),
        ..Default::default()
    };
    let running = serve_with(&app, options).await;
    assert_eq!(
        fetch(running.local_addr(), &format!("http://127.0.0.1:{port}/")).await,
        "error=HttpRequestDenied"
    );
    assert!(
        fetch(running.local_addr(), &format!("http://localhost:{port}/"))
            .await
            .starts_with("status=200")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_that_breaks_at_run_time_denies_every_request_of_its_component() {
    // A required variable passes load validation; a value that makes an invalid host is
    // only found at run time, and then the whole list is unusable (spec 1.7), the literal
    // entry included. A variable [variables] does not declare never resolves: the app
    // still loads, as in Spin, and that list denies everything too. Other components keep
    // their lists.
    let up = Upstream::start().await;
    let port = up.addr.port();
    let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"v\"\n[variables]\nhost = {{ required = true }}\n\
         [[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n\
         [[trigger.http]]\nroute = \"/other/...\"\ncomponent = \"other\"\n\
         [[trigger.http]]\nroute = \"/undeclared/...\"\ncomponent = \"undeclared\"\n\
         [component.front]\nsource = \"{{probe}}\"\n\
         allowed_outbound_hosts = [\"http://127.0.0.1:{port}\", \"http://{{{{ host }}}}\"]\n\
         [component.undeclared]\nsource = \"{{probe}}\"\n\
         allowed_outbound_hosts = [\"http://127.0.0.1:{port}\", \"http://{{{{ nowhere }}}}\"]\n\
         [component.other]\nsource = \"{{probe}}\"\nallowed_outbound_hosts = [\"http://127.0.0.1:{port}\"]\n"
    );
    let app = TestApp::new(&text);
    let options = LoadOptions {
        variables: HashMap::from([("host".into(), "bad host".into())]),
        ..Default::default()
    };
    let running = serve_with(&app, options).await;
    let addr = running.local_addr();
    assert_eq!(
        fetch(addr, &format!("http://127.0.0.1:{port}/")).await,
        "error=HttpRequestDenied"
    );
    let url = enc(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        get(addr, &format!("/undeclared/fetch?url={url}"), &[])
            .await
            .body,
        "error=HttpRequestDenied"
    );
    assert_eq!(up.connection_count(), 0);
    assert!(get(addr, &format!("/other/fetch?url={url}"), &[])
        .await
        .body
        .starts_with("status=200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spins_well_known_paths_come_before_the_router() {
    // A catch-all route does not shadow them; a self request reaches them too (spec 3.1, 4).
    let app = TestApp::new(&one("\"http://self\""));
    let running = serve(&app).await;
    let addr = running.local_addr();
    let health = get(addr, "/.well-known/spin/health", &[]).await;
    assert_eq!((health.status, health.body.as_str()), (200, "OK"));
    let info = get(addr, "/.well-known/spin/info", &[]).await;
    assert_eq!(info.status, 200);
    assert!(info.body.contains("\"name\": \"test\""), "{}", info.body);
    let other = get(addr, "/.well-known/spin/other", &[]).await;
    assert_eq!((other.status, other.body.as_str()), (404, ""));
    assert_eq!(
        fetch(addr, "/.well-known/spin/health").await,
        "status=200\nOK"
    );
    // Other /.well-known paths are the app's.
    assert_eq!(
        get(addr, "/.well-known/other", &[]).await.body,
        "hello from probe at /.well-known/other"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trap_or_a_runaway_guest_fails_only_its_own_request() {
    let app = TestApp::new(&one(""));
    let running = serve(&app).await;
    let addr = running.local_addr();
    assert_eq!(get(addr, "/trap", &[]).await.status, 500);
    let started = std::time::Instant::now();
    assert_eq!(get(addr, "/spin", &[]).await.status, 500);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(get(addr, "/ok", &[]).await.body, "hello from probe at /ok");
}

/// The probe app (`one("")`) on a runtime of its own, with other engine options.
async fn serve_probe(options: courier_runtime::RuntimeOptions) -> courier_runtime::RunningApp {
    let runtime = courier_runtime::Runtime::new(options).unwrap();
    serve_on(&runtime, &TestApp::new(&one("")), LoadOptions::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_timeout_too_large_for_the_clock_means_no_limit() {
    let running = serve_probe(courier_runtime::RuntimeOptions {
        request_timeout: std::time::Duration::MAX,
        ..Default::default()
    })
    .await;
    let reply = get(running.local_addr(), "/ok", &[]).await;
    assert_eq!(reply.body, "hello from probe at /ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_cut_off_by_the_deadline_does_not_end_as_complete() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let running = serve_probe(courier_runtime::RuntimeOptions {
        request_timeout: std::time::Duration::from_secs(1),
        ..Default::default()
    })
    .await;
    let mut client = tokio::net::TcpStream::connect(running.local_addr())
        .await
        .unwrap();
    client
        .write_all(b"GET /big?mb=64 HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    // Not reading: the guest blocks on full buffers until its deadline passes mid-body.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mut received = Vec::new();
    let read = client.read_to_end(&mut received);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), read).await;
    assert!(received.starts_with(b"HTTP/1.1 200"), "the head went out");
    assert!(received.len() < 64 << 20, "the body was cut short");
    assert!(
        !received.ends_with(b"\r\n0\r\n\r\n"),
        "a cut-off body must not end with the last chunk, as if complete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_every_instance_busy_a_request_gets_503_and_may_retry() {
    let running = serve_probe(courier_runtime::RuntimeOptions {
        max_instances: 1,
        request_timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .await;
    let addr = running.local_addr();
    // The one instance loops until its deadline.
    let spinning = tokio::spawn(async move { get(addr, "/spin", &[]).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let busy = get(addr, "/ok", &[]).await;
    assert_eq!(busy.status, 503);
    assert_eq!(busy.headers["retry-after"], "1");
    assert_eq!(spinning.await.unwrap().status, 500);
    assert_eq!(get(addr, "/ok", &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_head_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let running = serve_probe(courier_runtime::RuntimeOptions {
        header_read_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let addr = running.local_addr();
    let half_head = tokio::net::TcpStream::connect(addr).await.unwrap();
    let silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut half_head = half_head;
    half_head
        .write_all(b"GET /ok HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    for (name, mut stream) in [
        ("half a head", half_head),
        ("no bytes", silent),
        ("idle keep-alive", idle),
    ] {
        let mut received = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            stream.read_to_end(&mut received),
        )
        .await;
        assert!(closed.is_ok(), "{name}: still open after 5 s");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_out_of_time_together_are_not_resumed_once_more_each() {
    // 200 clients connect at once (more than a default listen backlog of 128 holds: the rest
    // would retry their SYN a second later). Their guests share one serving thread, block for
    // half their time (so none holds up the others' start), then loop. Resuming each for one
    // more epoch slice (10 ms) once its deadline has passed would answer the last ones
    // hundreds of milliseconds late.
    let timeout = std::time::Duration::from_secs(1);
    let running = serve_probe(courier_runtime::RuntimeOptions {
        request_timeout: timeout,
        serving_threads: 1,
        ..Default::default()
    })
    .await;
    let addr = running.local_addr();
    let spinning: Vec<_> = (0..200)
        .map(|_| {
            tokio::spawn(async move {
                let sent = std::time::Instant::now();
                let status = get(addr, "/spin?wait_ms=500", &[]).await.status;
                (status, sent.elapsed())
            })
        })
        .collect();
    let mut latest = std::time::Duration::ZERO;
    for request in spinning {
        let (status, took) = request.await.unwrap();
        assert_eq!(status, 500);
        latest = latest.max(took);
    }
    let late = latest.saturating_sub(timeout);
    assert!(
        late < std::time::Duration::from_millis(300),
        "a runaway guest was answered {late:?} after its deadline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_guest_yields_its_serving_thread_to_other_connections() {
    // One serving thread and a long deadline: the looping guest keeps running throughout.
    let running = serve_probe(courier_runtime::RuntimeOptions {
        request_timeout: std::time::Duration::from_secs(60),
        serving_threads: 1,
        ..Default::default()
    })
    .await;
    let addr = running.local_addr();
    let spinning = tokio::spawn(async move { get(addr, "/spin", &[]).await });
    // Give the loop time to start on the thread before the second connection arrives.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(get(addr, "/ok", &[]).await.body, "hello from probe at /ok");
    assert!(
        !spinning.is_finished(),
        "the looping guest should still be running"
    );
    // Shutting down ends the looping instance with its thread, and so its connection (the
    // request then fails in the client, which is all that is asked of it here).
    running.shutdown().await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), spinning).await;
    assert!(ended.is_ok(), "the looping request outlived the shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spin_headers_describe_the_route_and_cannot_be_spoofed() {
    let text = app("[[trigger.http]]\nroute = \"/api/users/:user_id/...\"\ncomponent = \"front\"\n[component.front]\nsource = \"{probe}\"\n");
    let app = TestApp::new(&text);
    let running = serve(&app).await;
    let addr = running.local_addr();
    let reply = get(
        addr,
        "/api/users/42/headers",
        &[("spin-full-url", "http://evil/")],
    )
    .await;
    let body = reply.body;
    assert!(body.contains("spin-path-match-user-id: 42\n"), "{body}");
    assert!(body.contains("spin-path-info: /headers\n"), "{body}");
    assert!(
        body.contains("spin-matched-route: /api/users/:user_id/...\n"),
        "{body}"
    );
    assert!(
        body.contains("spin-component-route: /api/users/:user_id\n"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "spin-full-url: http://{addr}/api/users/42/headers\n"
        )),
        "{body}"
    );
    assert!(!body.contains("evil"), "{body}");
    assert_eq!(get(addr, "/elsewhere", &[]).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cannot_pose_as_a_chained_request() {
    // Spec 3.6: a `*.spin.internal` Host from the network is removed (the guest sees the
    // listen address instead), and so is Connection, always.
    let app = TestApp::new(&one(""));
    let running = serve(&app).await;
    let addr = running.local_addr();
    let body = get(
        addr,
        "/headers",
        &[("host", "back.spin.internal"), ("connection", "keep-alive")],
    )
    .await
    .body;
    assert!(body.starts_with(&format!("authority: {addr}\n")), "{body}");
    assert!(!body.contains("spin.internal"), "{body}");
    assert!(!body.contains("connection:"), "{body}");
    assert!(
        body.contains(&format!("spin-full-url: http://{addr}/headers\n")),
        "{body}"
    );
    // An ordinary Host is kept, and the guest sees it as the authority.
    let body = get(addr, "/headers", &[("host", "app.example:8080")])
        .await
        .body;
    assert!(body.starts_with("authority: app.example:8080\n"), "{body}");
}

/// wasi:http field values are bytes: one that is not UTF-8 reaches the guest (Spin answers
/// 500, spec 5.3; README, "The runtime's outbound rules").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_value_that_is_not_utf8_reaches_the_guest() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::new(&one(""));
    let running = serve(&app).await;
    let mut stream = tokio::net::TcpStream::connect(running.local_addr())
        .await
        .unwrap();
    stream
        .write_all(
            b"GET /headers HTTP/1.1\r\nhost: x\r\nx-bin: a\xffb\r\nconnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.unwrap();
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 200 "), "{reply}");
    // The probe prints values lossily: the byte arrived, as U+FFFD.
    assert!(reply.contains("x-bin: a\u{fffd}b\n"), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_networks_apply_after_the_policy_check() {
    let up = Upstream::start().await;
    let port = up.addr.port();
    let app = TestApp::new(&app(&SELF.replace(
        "ALLOWED",
        &format!("\"http://self\", \"http://127.0.0.1:{port}\""),
    )));
    let config = app.write(
        "runtime-config.toml",
        "[outbound_networking]\nblock_networks = [\"private\"]\n",
    );
    let options = LoadOptions {
        runtime_config: Some(config),
        ..Default::default()
    };
    let running = serve_with(&app, options).await;
    assert_eq!(
        fetch(running.local_addr(), &format!("http://127.0.0.1:{port}/")).await,
        "error=DestinationIpProhibited"
    );
    assert_eq!(
        fetch(running.local_addr(), "/hello/x").await,
        "error=DestinationIpProhibited"
    );
    assert_eq!(up.connection_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_only_resolver_maps_names_after_the_policy_check() {
    let up = Upstream::start().await;
    let app = TestApp::new(&one("\"http://svc.example.test\""));
    let options = LoadOptions {
        test_only_resolve: HashMap::from([("svc.example.test".into(), up.addr.to_string())]),
        ..Default::default()
    };
    let running = serve_with(&app, options).await;
    let addr = running.local_addr();
    assert!(fetch(addr, "http://svc.example.test/a")
        .await
        .starts_with("status=200"));
    assert!(fetch(addr, "http://svc.example.test:80/b")
        .await
        .starts_with("status=200"));
    assert_eq!(
        fetch(addr, "http://svc.example.test:8080/c").await,
        "error=HttpRequestDenied"
    );
    // Names match case-insensitively, in the policy and in the resolver alike.
    assert!(fetch(addr, "http://SVC.Example.Test/d")
        .await
        .starts_with("status=200"));
    let seen = up.seen();
    assert_eq!(seen.len(), 3);
    // Host carries the port only when it is not the scheme's default.
    assert_eq!(seen[0].header("host"), vec!["svc.example.test"]);
    assert_eq!(seen[1].header("host"), vec!["svc.example.test"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_port_is_connection_refused() {
    // Bound but not listening, and held: a released port could go to a parallel listener.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let closed = socket.local_addr().unwrap();
    let app = TestApp::new(&one("\"http://127.0.0.1:*\""));
    let running = serve(&app).await;
    assert_eq!(
        fetch(running.local_addr(), &format!("http://{closed}/")).await,
        "error=ConnectionRefused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_over_its_memory_limit_fails_only_its_own_request() {
    let app = TestApp::new(&one(""));
    let running = serve(&app).await;
    let addr = running.local_addr();
    assert_eq!(
        get(addr, "/alloc?mb=16", &[]).await.body,
        "allocated 16 MiB"
    );
    // The default limit is 512 MiB per instance.
    assert_eq!(get(addr, "/alloc?mb=600", &[]).await.status, 500);
    assert_eq!(
        get(addr, "/alloc?mb=16", &[]).await.body,
        "allocated 16 MiB"
    );
}
