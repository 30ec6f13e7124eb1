//! `courier up` as a user runs it: it serves an app over loopback, logs the line that would
//! allow a denied request, and refuses a bad app before serving, without a panic.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{example_wasm, get, probe_wasm};

struct Up {
    child: Child,
    addr: std::net::SocketAddr,
    /// What it printed before it served: loading, and the warnings of the load.
    startup: Vec<String>,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Up {
    /// Start `courier up` on the manifest and wait for its "Serving … on http://ADDR" line.
    fn start(manifest: &std::path::Path) -> Up {
        Self::start_with(manifest, &[])
    }

    fn start_with(manifest: &std::path::Path, args: &[&str]) -> Up {
        let mut child = Command::new(env!("CARGO_BIN_EXE_courier"))
            .args(["up", "--listen", "127.0.0.1:0", "-f"])
            .arg(manifest)
            .args(args)
            .stderr(Stdio::piped())
            .spawn()
            .expect("courier runs");
        let (tx, stderr) = mpsc::channel();
        let pipe = child.stderr.take();
        // The guard owns the child from here on, so it is killed and reaped on every path.
        let mut up = Up {
            child,
            addr: ([0, 0, 0, 0], 0).into(),
            startup: Vec::new(),
            stderr,
        };
        let pipe = pipe.expect("stderr is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let line = up
                .stderr
                .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
                .expect("courier up prints where it serves");
            if let Some(url) = line.split(" on http://").nth(1) {
                up.addr = url.trim().parse().expect("a socket address");
                return up;
            }
            up.startup.push(line);
        }
    }

    /// Lines printed so far.
    fn logged(&self) -> String {
        std::thread::sleep(Duration::from_millis(200));
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }
}

fn manifest(dir: &std::path::Path, allowed: &str) -> std::path::PathBuf {
    let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"up\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"example\"\n\
         [component.example]\nsource = {:?}\nallowed_outbound_hosts = [{allowed}]\n",
        example_wasm().display().to_string()
    );
    let path = dir.join("spin.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_and_logs_the_line_that_would_allow_a_denied_request() {
    let dir = tempfile::tempdir().unwrap();
    let up = Up::start(&manifest(dir.path(), ""));
    let reply = get(up.addr, "/?url=http://127.0.0.1:9/x").await;
    assert_eq!(
        reply.header("x-error-code"),
        Some("HTTP-request-denied"),
        "{}",
        reply.body
    );
    let logged = up.logged();
    // Spin's three lines, at Spin's levels: the denial an error, the rest warnings.
    let line = |text: &str| {
        logged
            .lines()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("no line with {text:?} in:\n{logged}"))
            .to_string()
    };
    assert!(line("Outbound network destination not allowed: http://127.0.0.1:9").contains("ERROR"));
    assert!(line("disallowed destination 'http://127.0.0.1:9'").contains("WARN"));
    assert!(line("add 'allowed_outbound_hosts = [\"http://127.0.0.1:9\"]'").contains("WARN"));
    // stderr is a pipe here, not a terminal: no colour codes in the log.
    assert!(!logged.contains('\u{1b}'), "{logged:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_h2c_flag_sends_the_http2_preface_to_that_authority_only() {
    use std::io::Read;
    // A bare TCP listener that keeps the first bytes of each connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream = listener.local_addr().unwrap();
    let (tx, first_bytes) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 16];
            let n = stream.read(&mut buf).unwrap_or(0);
            let _ = tx.send(buf[..n].to_vec());
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest(dir.path(), "\"http://127.0.0.1:*\", \"http://localhost:*\"");
    let up = Up::start_with(
        &manifest,
        &["--outbound-h2c-prior-knowledge", &upstream.to_string()],
    );
    // The example fetches its URL twice at once: one or two connections per request.
    let opened = || {
        std::thread::sleep(Duration::from_millis(300));
        let all: Vec<String> = first_bytes
            .try_iter()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect();
        assert!(!all.is_empty(), "no connection reached the upstream");
        all
    };
    get(up.addr, &format!("/?url=http://{upstream}/")).await;
    let seen = opened();
    assert!(
        seen.iter().all(|b| b.starts_with("PRI * HTTP/2.0")),
        "{seen:?}"
    );
    // Another spelling of the same server is another authority: HTTP/1.1.
    get(
        up.addr,
        &format!("/?url=http://localhost:{}/", upstream.port()),
    )
    .await;
    let seen = opened();
    assert!(
        seen.iter().all(|b| b.starts_with("GET / HTTP/1.1")),
        "{seen:?}"
    );
}

/// The runtime's probe guest on every path (see runtime/tests/guests/probe).
fn probe_manifest(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("spin.toml");
    std::fs::write(
        &path,
        format!(
            "spin_manifest_version = 2\n[application]\nname = \"probe\"\n[[trigger.http]]\nroute = \"/...\"\n\
             component = \"probe\"\n[component.probe]\nsource = {:?}\n",
            probe_wasm().display().to_string()
        ),
    )
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_past_its_memory_limit_fails_and_the_log_says_whose_limit() {
    let dir = tempfile::tempdir().unwrap();
    let up = Up::start(&probe_manifest(dir.path()));
    assert_eq!(get(up.addr, "/alloc?mb=600").await.status, 500);
    let logged = up.logged();
    let line = logged
        .lines()
        .find(|l| l.contains("memory.grow"))
        .unwrap_or_else(|| panic!("no memory.grow line in:\n{logged}"));
    assert!(
        line.contains("past the instance memory limit of 512 MiB"),
        "{line}"
    );
    assert!(line.contains("component=probe"), "{line}");
    assert_eq!(get(up.addr, "/alloc?mb=8").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_reuse_is_opt_in_and_bounded_by_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = probe_manifest(dir.path());
    // The probe's `/count` answers how many requests its instance has served.
    async fn counts(up: &Up) -> Vec<String> {
        let mut counts = Vec::new();
        for _ in 0..3 {
            counts.push(get(up.addr, "/count").await.body);
            // Time for the instance to be parked before the next request.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        counts
    }
    assert_eq!(counts(&Up::start(&path)).await, ["1", "1", "1"]);
    // One serving thread: parked instances stay with the thread that ran them.
    let reusing = Up::start_with(
        &path,
        &["--max-instance-reuse-count", "2", "--threads", "1"],
    );
    assert_eq!(counts(&reusing).await, ["1", "2", "1"]);
    let logged = reusing.logged();
    assert!(
        logged.contains("Instance reuse: up to 2 requests per instance"),
        "{logged}"
    );
}

#[test]
fn runtime_config_that_loads_but_cannot_work_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("runtime-config.toml");
    std::fs::write(
        &config,
        "[outbound_http]\nmax_connections = 0\n\
         [[client_tls]]\ncomponent_ids = [\"exmaple\"]\nhosts = [\"svc.test\"]\n",
    )
    .unwrap();
    let up = Up::start_with(
        &manifest(dir.path(), ""),
        &["--runtime-config-file", config.to_str().unwrap()],
    );
    let startup = up.startup.join("\n");
    assert!(
        startup
            .contains("[[client_tls]] #1 names component `exmaple`, which this app does not have"),
        "{startup}"
    );
    assert!(
        startup.contains("limit of 0 lets no outbound HTTP request connect"),
        "{startup}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_cleanly() {
    // An upstream that answers after a second.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = conn.read(&mut head).await;
                tokio::time::sleep(Duration::from_secs(1)).await;
                let _ = conn
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nslow")
                    .await;
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut up = Up::start(&manifest(dir.path(), &format!("\"http://{upstream}\"")));
    let addr = up.addr;
    let in_flight =
        tokio::spawn(async move { get(addr, &format!("/?url=http://{upstream}/")).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &up.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let reply = in_flight.await.unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (200, "slow"));
    let status = tokio::task::spawn_blocking(move || {
        let status = up.child.wait().unwrap();
        (status, up.logged())
    });
    let (status, logged) = status.await.unwrap();
    assert_eq!(status.code(), Some(0), "{logged}");
    assert!(
        logged.contains("Stopping: requests in flight get up to"),
        "{logged}"
    );
}

#[test]
fn a_bad_app_stops_before_serving_with_the_key_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = manifest(dir.path(), "\"localhost:3000\"");
    let out = Command::new(env!("CARGO_BIN_EXE_courier"))
        .args(["up", "--listen", "127.0.0.1:0", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Failed to load component `example`"),
        "{stderr}"
    );
    assert!(stderr.contains("does not contain a scheme"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn no_manifest_says_where_it_looked_and_how_to_name_one() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = common::courier(dir.path(), &["up", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no manifest at spin.toml"), "{text}");
    assert!(text.contains("courier up -f path/to/spin.toml"), "{text}");
}

#[test]
fn a_manifest_given_without_f_gets_a_hint_and_a_folder_names_its_spin_toml() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = common::courier(dir.path(), &["up", "--listen", "127.0.0.1:0", "spin.toml"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("courier up -f spin.toml"), "{text}");
    // A folder: its spin.toml is the manifest (here a bad one, so the load error shows it was read).
    manifest(dir.path(), "\"localhost:3000\"");
    let (code, text) = common::courier(dir.path(), &["up", "--listen", "127.0.0.1:0", "-f", "."]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("does not contain a scheme"), "{text}");
}
