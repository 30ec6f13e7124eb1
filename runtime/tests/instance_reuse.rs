//! Instance reuse, opt-in: an instance serves up to `max_instance_reuse` requests one after
//! another; a trap, a timeout or an idle spell ends it early; without the option every
//! request gets a fresh instance. The probe's `/count` answers how many times its instance has
//! been asked.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use courier_runtime::{LoadOptions, RunningApp, Runtime, RuntimeOptions};
use support::{get, serve_on, TestApp};

const APP: &str = r#"spin_manifest_version = 2
[application]
name = "reuse"
[[trigger.http]]
route = "/..."
component = "probe"
[component.probe]
source = "{probe}"
"#;

/// Two components on `/a/...` and `/b/...`; `a` may chain to itself.
const TWO_COMPONENTS: &str = r#"spin_manifest_version = 2
[application]
name = "two"
[[trigger.http]]
route = "/a/..."
component = "a"
[[trigger.http]]
route = "/b/..."
component = "b"
[component.a]
source = "{probe}"
allowed_outbound_hosts = ["http://a.spin.internal"]
[component.b]
source = "{probe}"
"#;

async fn serve(options: RuntimeOptions) -> (RunningApp, TestApp) {
    let app = TestApp::new(APP);
    let running = serve_on(
        &Runtime::new(options).unwrap(),
        &app,
        LoadOptions::default(),
    )
    .await;
    (running, app)
}

/// `n` sequential `/count` requests. The pause lets the finished instance be parked before
/// the next request arrives (it is parked just after its response is written).
async fn counts(addr: SocketAddr, n: usize) -> Vec<u32> {
    let mut counts = Vec::new();
    for _ in 0..n {
        let reply = get(addr, "/count", &[]).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        counts.push(reply.body.parse().unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    counts
}

/// One serving thread: parked instances belong to the thread that ran them, and most of
/// these tests follow one instance from request to request.
fn one_thread() -> RuntimeOptions {
    RuntimeOptions {
        serving_threads: 1,
        request_timeout: Duration::from_secs(1),
        ..Default::default()
    }
}

fn reusing(max: u32) -> RuntimeOptions {
    RuntimeOptions {
        max_instance_reuse: max,
        ..one_thread()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_gets_a_fresh_instance_by_default() {
    let (running, _app) = serve(one_thread()).await;
    assert_eq!(counts(running.local_addr(), 4).await, [1, 1, 1, 1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_serves_up_to_the_limit_then_a_fresh_one_takes_over() {
    let (running, _app) = serve(reusing(3)).await;
    assert_eq!(counts(running.local_addr(), 7).await, [1, 2, 3, 1, 2, 3, 1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trap_or_a_timeout_ends_a_reused_instance() {
    let (running, _app) = serve(reusing(100)).await;
    let addr = running.local_addr();
    assert_eq!(counts(addr, 2).await, [1, 2]);
    // The parked instance takes the trap, and is not handed another request.
    assert_eq!(get(addr, "/trap", &[]).await.status, 500);
    assert_eq!(counts(addr, 2).await, [1, 2]);
    // Likewise an instance stopped at its deadline.
    assert_eq!(get(addr, "/spin", &[]).await.status, 500);
    assert_eq!(counts(addr, 1).await, [1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_idle_past_the_timeout_is_dropped() {
    let (running, _app) = serve(RuntimeOptions {
        idle_instance_timeout: Duration::from_millis(150),
        ..reusing(100)
    })
    .await;
    let addr = running.local_addr();
    assert_eq!(counts(addr, 3).await, [1, 2, 3]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(counts(addr, 2).await, [1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_never_share_an_instance() {
    let (running, _app) = serve(RuntimeOptions {
        serving_threads: 2,
        ..reusing(1000)
    })
    .await;
    let addr = running.local_addr();
    // Eight clients at once, 25 requests each: every instance counts its own requests, so
    // across all instances each count k appears no more often than count k-1 (no instance
    // skips a number, none serves two requests at once).
    let clients: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(async move {
                let mut seen = Vec::new();
                for _ in 0..25 {
                    seen.push(get(addr, "/count", &[]).await.body.parse::<u32>().unwrap());
                }
                seen
            })
        })
        .collect();
    let mut histogram = std::collections::BTreeMap::<u32, usize>::new();
    for client in clients {
        for count in client.await.unwrap() {
            *histogram.entry(count).or_default() += 1;
        }
    }
    let total: usize = histogram.values().sum();
    assert_eq!(total, 200);
    let instances = histogram[&1];
    assert!(instances < 200, "no instance was reused: {histogram:?}");
    let last = *histogram.keys().last().unwrap();
    assert!(
        (1..=last).all(|k| histogram.contains_key(&k)),
        "{histogram:?}"
    );
    let mut previous = usize::MAX;
    for (count, times) in &histogram {
        assert!(
            *times <= previous,
            "count {count} seen {times} times, more than the count below it: {histogram:?}"
        );
        previous = *times;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_instances_never_take_the_last_slots_of_the_pool() {
    // A pool of two instances: a chained request runs two instances of `a` at once. Were
    // both parked afterwards, `b` would find the pool full; half the pool is the cap.
    let app = TestApp::new(TWO_COMPONENTS);
    let runtime = Runtime::new(RuntimeOptions {
        max_instances: 2,
        ..reusing(100)
    })
    .unwrap();
    let running = serve_on(&runtime, &app, LoadOptions::default()).await;
    let addr = running.local_addr();
    let nested = get(
        addr,
        "/a/fetch?url=http%3A%2F%2Fa.spin.internal%2Fa%2Fcount",
        &[],
    )
    .await;
    assert_eq!(nested.body, "status=200\n1");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let other = get(addr, "/b/count", &[]).await;
    assert_eq!((other.status, other.body.as_str()), (200, "1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_frees_idle_instances_without_another_request() {
    // A pool of two gives one parking slot. `a`'s parked instance holds it, so `b`'s
    // instances cannot be parked (each `b` request counts 1) until the sweeper, not a
    // request to `a`, drops the idle one.
    let app = TestApp::new(TWO_COMPONENTS);
    let runtime = Runtime::new(RuntimeOptions {
        max_instances: 2,
        idle_instance_timeout: Duration::from_millis(150),
        ..reusing(100)
    })
    .unwrap();
    let running = serve_on(&runtime, &app, LoadOptions::default()).await;
    let addr = running.local_addr();
    let count = |path: &'static str| async move {
        let reply = get(addr, path, &[]).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        reply.body
    };
    assert_eq!(count("/a/count").await, "1");
    assert_eq!(
        [count("/b/count").await, count("/b/count").await],
        ["1", "1"]
    );
    // `b`'s last instance was not parked either, so after this only `a`'s is idle.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        [count("/b/count").await, count("/b/count").await],
        ["1", "2"]
    );
}
