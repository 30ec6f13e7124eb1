//! Any runtime started from a command template, one process per app: `wasmtime serve`,
//! `spin up`, `courier up`. Described by a TOML file in `conformance/runtimes/`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::future::BoxFuture;
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use super::{Adapter, AppFiles, Running, StartError};

/// `conformance/runtimes/<name>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalConfig {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The command, as arguments. Placeholders: `{addr}` (127.0.0.1:PORT), `{port}`,
    /// `{component}`, `{manifest}`, `{runtime_config}`, `{dir}` (the app's folder),
    /// `{courier}` (the running courier binary).
    pub command: Vec<String>,
    /// Appended when the app has a runtime config (e.g. `["--runtime-config-file",
    /// "{runtime_config}"]`).
    #[serde(default)]
    pub runtime_config_args: Vec<String>,
    /// Appended once per test-resolver entry, with `{host}` and `{ip}` (e.g.
    /// `["--test-only-resolve", "{host}={ip}"]`).
    #[serde(default)]
    pub resolve_args: Vec<String>,
    /// Features this runtime has (see the case model's list).
    #[serde(default)]
    pub features: Vec<String>,
    /// How long a cell waits for the runtime to listen.
    #[serde(default = "default_ready")]
    pub ready_timeout_s: u64,
    /// How long the warm-up start before the cells may take. A runtime with a compile cache
    /// (`wasmtime serve`, `spin up`, `courier up`) compiles the agent then, once; otherwise
    /// every parallel cell compiles it at the same time and runs out of `ready_timeout_s`.
    #[serde(default = "default_warm_up")]
    pub warm_up_timeout_s: u64,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// How to get the runtime, shown when its program is not found.
    #[serde(default)]
    pub install: Option<String>,
    /// Cases this runtime is documented to fail: case id → reason.
    #[serde(default)]
    pub xfail: BTreeMap<String, String>,
}

/// Can `program` be started: a path to a file, or a name found on PATH?
fn is_runnable(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

fn default_ready() -> u64 {
    30
}

fn default_warm_up() -> u64 {
    600
}

/// The app of the warm-up start: the agent alone, on every path.
const WARM_UP_MANIFEST: &str = r#"spin_manifest_version = 2
[application]
name = "courier-warm-up"
[[trigger.http]]
route = "/..."
component = "agent"
[component.agent]
source = "{source}"
"#;

pub struct External {
    config: ExternalConfig,
}

impl External {
    pub fn new(config: ExternalConfig) -> anyhow::Result<External> {
        for f in &config.features {
            if !crate::case::is_feature(f) {
                anyhow::bail!("runtime `{}`: unknown feature `{f}`", config.name);
            }
        }
        let Some(program) = config.command.first() else {
            anyhow::bail!("runtime `{}`: the command is empty", config.name);
        };
        // Once here, rather than as the same failure in every cell.
        if program != "{courier}" && !is_runnable(program) {
            let hint = config
                .install
                .as_deref()
                .unwrap_or("install it, or put the folder that holds it on PATH");
            let missing = if program.contains('/') {
                "does not exist"
            } else {
                "is not on PATH"
            };
            anyhow::bail!(
                "runtime `{}`: `{program}` {missing}\n  hint: {hint}",
                config.name
            );
        }
        Ok(External { config })
    }

    pub fn load(path: &Path) -> anyhow::Result<External> {
        let config: ExternalConfig = crate::toml_file::read(path).map_err(|e| {
            // The built-in runtime's file holds only its expectations: no command to run.
            match crate::toml_file::read::<toml::Table>(path) {
                Ok(table) if !table.contains_key("command") => anyhow::anyhow!(
                    "{}: no `command`, so it describes no runtime to start\n  hint: the built-in runtime is `--runtime reference`; another runtime's file names its command (see conformance/runtimes/wasmtime-serve.toml)",
                    path.display()
                ),
                _ => e,
            }
        })?;
        External::new(config).with_context(|| path.display().to_string())
    }

    /// Start the runtime on `app` and wait up to `timeout` for it to listen.
    async fn launch(
        &self,
        app: &AppFiles,
        timeout: Duration,
    ) -> Result<Box<dyn Running>, StartError> {
        let addr = free_port()?;
        let courier = std::env::current_exe().unwrap_or_default();
        let rc = app
            .runtime_config
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let subst = |a: &str| {
            a.replace("{addr}", &addr.to_string())
                .replace("{port}", &addr.port().to_string())
                .replace("{component}", &app.component.to_string_lossy())
                .replace("{manifest}", &app.manifest.to_string_lossy())
                .replace("{runtime_config}", &rc)
                .replace("{dir}", &app.dir.to_string_lossy())
                .replace("{courier}", &courier.to_string_lossy())
        };
        let mut argv: Vec<String> = self.config.command.iter().map(|a| subst(a)).collect();
        if app.runtime_config.is_some() {
            argv.extend(self.config.runtime_config_args.iter().map(|a| subst(a)));
        }
        for (host, ip) in &app.resolve {
            argv.extend(
                self.config
                    .resolve_args
                    .iter()
                    .map(|a| subst(a).replace("{host}", host).replace("{ip}", ip)),
            );
        }
        let mut child = tokio::process::Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(&app.dir)
            .envs(&self.config.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting `{}`", argv.join(" ")))?;
        let started = Instant::now();
        let deadline = started + timeout;
        // A long wait (the warm-up's cold compile) says it is still waiting, and on what.
        let mut next_note = started + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().map_err(anyhow::Error::from)? {
                let err = drain(child.stderr.take()).await;
                let out = drain(child.stdout.take()).await;
                return Err(StartError::Refused(format!(
                    "`{}` exited ({status}) before serving: {}{}",
                    argv.join(" "),
                    err.trim(),
                    out.trim()
                )));
            }
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                // Keep the pipes from filling up and blocking the runtime.
                discard(child.stdout.take());
                discard(child.stderr.take());
                return Ok(Box::new(Child { addr, child }) as Box<dyn Running>);
            }
            if Instant::now() > deadline {
                let _ = child.kill().await;
                return Err(StartError::Other(anyhow::anyhow!(
                    "`{}` did not listen on {addr} within {} s",
                    argv.join(" "),
                    timeout.as_secs()
                )));
            }
            if Instant::now() > next_note {
                crate::errln!(
                    "  still waiting for `{}` to listen on {addr} ({} s of {} s)",
                    argv[0],
                    started.elapsed().as_secs(),
                    timeout.as_secs()
                );
                next_note += Duration::from_secs(30);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

struct Child {
    addr: SocketAddr,
    child: tokio::process::Child,
}

impl Running for Child {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
    fn stop(mut self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let _ = self.child.kill().await;
        })
    }
}

/// A free loopback port for the runtime to bind. It is free only when checked, and the
/// runtime binds it later; a port the kernel hands out for `bind(0)` could be given to another
/// socket in between (a parallel cell's upstream), and a refused start would then look ready.
/// So it comes from below the ephemeral range, which `bind(0)` never uses.
fn free_port() -> anyhow::Result<SocketAddr> {
    let below = ephemeral_start().unwrap_or(32768).max(10_001);
    let span = u32::from(below - 10_000);
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let seed = std::process::id().wrapping_mul(7919);
    for _ in 0..64 {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A stride coprime with most spans walks the range; the pid spreads processes apart.
        let port = 10_000 + (seed.wrapping_add(n.wrapping_mul(7_717)) % span) as u16;
        if let Ok(l) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            return Ok(l.local_addr()?);
        }
    }
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

/// The first port of the kernel's ephemeral range (Linux).
fn ephemeral_start() -> Option<u16> {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    range.split_whitespace().next()?.parse().ok()
}

async fn drain(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut s = String::new();
    if let Some(mut p) = pipe {
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_millis(500), p.read_to_end(&mut buf)).await;
        s = String::from_utf8_lossy(&buf).into_owned();
    }
    s
}

/// Read `pipe` to its end in the background, throwing the output away.
fn discard(pipe: Option<impl tokio::io::AsyncRead + Send + Unpin + 'static>) {
    if let Some(mut pipe) = pipe {
        tokio::spawn(async move {
            let _ = tokio::io::copy(&mut pipe, &mut tokio::io::sink()).await;
        });
    }
}

impl Adapter for External {
    fn name(&self) -> &str {
        &self.config.name
    }

    fn supports(&self, feature: &str) -> bool {
        self.config.features.iter().any(|f| f == feature)
    }

    fn xfail(&self) -> &BTreeMap<String, String> {
        &self.config.xfail
    }

    fn prepare<'a>(&'a self, component: &'a Path) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let dir = tempfile::Builder::new()
                .prefix("courier-warm-up-")
                .tempdir()?;
            let manifest = dir.path().join("spin.toml");
            let source = toml::Value::String(component.to_string_lossy().into_owned());
            let text = WARM_UP_MANIFEST.replace("\"{source}\"", &source.to_string());
            std::fs::write(&manifest, text)?;
            let app = AppFiles {
                dir: dir.path().to_path_buf(),
                manifest,
                component: component.to_path_buf(),
                runtime_config: None,
                resolve: BTreeMap::new(),
            };
            let timeout = Duration::from_secs(self.config.warm_up_timeout_s);
            // Only a speed-up: each cell still reports its own start failure, with its app.
            match self.launch(&app, timeout).await {
                Ok(running) => running.stop().await,
                Err(e) => crate::errln!("warning: warm-up start of `{}`: {e}", self.config.name),
            }
            Ok(())
        })
    }

    fn start<'a>(
        &'a self,
        app: &'a AppFiles,
    ) -> BoxFuture<'a, Result<Box<dyn Running>, StartError>> {
        Box::pin(self.launch(app, Duration::from_secs(self.config.ready_timeout_s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(dir: &Path) -> AppFiles {
        AppFiles {
            dir: dir.to_path_buf(),
            manifest: dir.join("spin.toml"),
            component: dir.join("agent.wasm"),
            runtime_config: None,
            resolve: BTreeMap::new(),
        }
    }

    fn config(command: &[&str]) -> ExternalConfig {
        ExternalConfig {
            name: "test".into(),
            description: None,
            command: command.iter().map(|s| s.to_string()).collect(),
            runtime_config_args: vec![],
            resolve_args: vec![],
            features: vec!["policy".into()],
            ready_timeout_s: 5,
            warm_up_timeout_s: 30,
            env: BTreeMap::new(),
            install: None,
            xfail: BTreeMap::new(),
        }
    }

    #[tokio::test]
    async fn a_runtime_that_exits_refuses_the_app_with_its_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let ext = External::new(config(&[
            "sh",
            "-c",
            "echo 'bad manifest {manifest}' >&2; exit 3",
        ]))
        .unwrap();
        let Err(StartError::Refused(msg)) = ext.start(&app(dir.path())).await else {
            panic!("expected a refusal");
        };
        assert!(
            msg.contains("bad manifest") && msg.contains("spin.toml"),
            "{msg}"
        );
        assert!(ext.supports("policy") && !ext.supports("chaining"));
    }

    /// python3 is on the project's machines; it stands in for a runtime binding `{port}`.
    const LISTEN: &str = "import socket,sys,time; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); time.sleep(30)";

    #[tokio::test]
    async fn a_runtime_that_listens_is_ready_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let ext = External::new(config(&["python3", "-c", LISTEN, "{port}"])).unwrap();
        let running = ext.start(&app(dir.path())).await.unwrap();
        let addr = running.addr();
        assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
        running.stop().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    }

    #[tokio::test]
    async fn the_warm_up_start_pays_for_a_cold_compile_once() {
        let cache = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("spin.toml"), "source = \"agent.wasm\"").unwrap();
        // A runtime with a compile cache: it serves only a manifest naming the agent; its
        // first start compiles for 3 s, later ones find the cache and listen at once.
        let script = format!(
            "grep -q agent.wasm {{manifest}} || exit 9; \
             [ -f {c}/compiled ] || {{ sleep 3; touch {c}/compiled; }}; \
             exec python3 -c \"{LISTEN}\" {{port}}",
            c = cache.path().display()
        );
        let mut c = config(&["sh", "-c", &script]);
        c.ready_timeout_s = 1;
        let ext = External::new(c).unwrap();

        let cold = ext.start(&app(dir.path())).await;
        assert!(
            matches!(cold, Err(StartError::Other(_))),
            "a cold cell runs out of time"
        );
        ext.prepare(&dir.path().join("agent.wasm")).await.unwrap();
        assert!(
            cache.path().join("compiled").exists(),
            "the warm-up compiled"
        );
        let warm = ext.start(&app(dir.path())).await.unwrap();
        warm.stop().await;
    }

    #[test]
    fn runtime_ports_come_from_below_the_ephemeral_range() {
        let below = ephemeral_start().unwrap_or(32768);
        let ports: Vec<u16> = (0..20).map(|_| free_port().unwrap().port()).collect();
        assert!(
            ports.iter().all(|p| (10_000..below).contains(p)),
            "{ports:?}"
        );
        let distinct: std::collections::BTreeSet<_> = ports.iter().collect();
        assert!(distinct.len() > 15, "{ports:?}");
    }

    #[test]
    fn unknown_features_are_refused() {
        let mut c = config(&["sh"]);
        c.features.push("teleport".into());
        let err = External::new(c).err().unwrap().to_string();
        assert!(err.contains("unknown feature `teleport`"), "{err}");
    }

    #[test]
    fn a_missing_program_is_refused_once_with_the_install_hint() {
        let mut c = config(&["courier-no-such-runtime", "serve"]);
        let err = External::new(c.clone()).err().unwrap().to_string();
        assert!(
            err.contains("`courier-no-such-runtime` is not on PATH")
                && err.contains("hint: install it"),
            "{err}"
        );
        c.install = Some("scripts/get-it".into());
        let err = External::new(c).err().unwrap().to_string();
        assert!(err.contains("hint: scripts/get-it"), "{err}");
        let err = External::new(config(&["/no/such/dir/runtime"]))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("`/no/such/dir/runtime` does not exist"),
            "{err}"
        );
        assert!(External::new(config(&["{courier}", "up"])).is_ok());
        assert!(External::new(config(&["sh"])).is_ok());
    }
}
