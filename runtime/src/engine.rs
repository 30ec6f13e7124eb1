//! The wasmtime engine: configuration, the epoch ticker, compiling components (cached in
//! memory and on disk), linking.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::cache::{default_cache_dir, DiskCache};
use crate::instances::ParkingBudget;
use crate::state::State;

/// How often the epoch advances; deadlines are counted in these ticks.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Engine-wide settings.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Use the pooling instance allocator (falls back to on-demand when the OS refuses the reservation).
    pub pooling: bool,
    /// Component instances alive at once (pooling).
    pub max_instances: u32,
    /// Linear memory one instance may grow to.
    pub instance_memory_limit: usize,
    /// Wall-clock budget of one inbound request, guest execution and host calls included.
    pub request_timeout: Duration,
    /// Where compiled components are kept between runs (`None`: in memory only). The default
    /// is [`crate::cache::default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// Threads serving connections, each a single-threaded runtime (0: one per core).
    pub serving_threads: usize,
    /// Requests one instance may serve, one after another (1: a fresh instance per request, as
    /// in Spin). Above 1, a guest's globals persist between requests.
    pub max_instance_reuse: u32,
    /// How long a reusable instance may wait for its next request before it is dropped.
    pub idle_instance_timeout: Duration,
    /// How long an HTTP/1 client may take to send a request head, and how long an idle
    /// keep-alive connection stays open.
    pub header_read_timeout: Duration,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            pooling: true,
            max_instances: 1000,
            instance_memory_limit: 512 << 20,
            request_timeout: Duration::from_secs(60),
            cache_dir: Some(default_cache_dir()),
            serving_threads: 0,
            max_instance_reuse: 1,
            idle_instance_timeout: Duration::from_secs(1),
            header_read_timeout: Duration::from_secs(30),
        }
    }
}

impl RuntimeOptions {
    /// Whether an instance may serve more than one request.
    pub fn reuses_instances(&self) -> bool {
        self.max_instance_reuse > 1
    }

    /// How many serving threads an app gets.
    pub fn serving_threads(&self) -> usize {
        match self.serving_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

type FileStamp = (PathBuf, u64, Option<std::time::SystemTime>);

pub(crate) struct EngineInner {
    pub engine: Engine,
    pub linker: Linker<State>,
    pub options: RuntimeOptions,
    /// Compiled components by the sha256 of their bytes: one compile per distinct file.
    compiled: Mutex<HashMap<[u8; 32], Component>>,
    /// sha256 of component files by (path, length, modification time).
    keys: Mutex<HashMap<FileStamp, [u8; 32]>>,
    disk: Option<DiskCache>,
    stop_ticker: Arc<AtomicBool>,
    /// Shared by every app's parked instances (instance reuse).
    pub parking: Arc<ParkingBudget>,
}

impl Drop for EngineInner {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
    }
}

impl EngineInner {
    pub fn new(options: RuntimeOptions) -> Result<Self> {
        let engine = if options.pooling {
            match Engine::new(&config(&options, true)) {
                Ok(engine) => engine,
                Err(e) => {
                    tracing::warn!(
                        "pooling allocator unavailable ({e:#}); using on-demand allocation"
                    );
                    Engine::new(&config(&options, false))?
                }
            }
        } else {
            Engine::new(&config(&options, false))?
        };

        let mut linker = Linker::new(&engine);
        // Guests built through the preview1 adapter (Go, Python, JS) import wasi:cli and friends too.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        crate::error_code::add_to_linker(&mut linker)?;

        // One ticker thread per engine, never per request.
        let stop_ticker = Arc::new(AtomicBool::new(false));
        let weak = engine.weak();
        let stop = stop_ticker.clone();
        std::thread::Builder::new()
            .name("courier-epoch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })?;

        let parking = Arc::new(ParkingBudget::new(options.max_instances as usize / 2));
        let disk = options
            .cache_dir
            .as_ref()
            .map(|dir| DiskCache::new(dir.clone(), &engine));
        Ok(Self {
            engine,
            linker,
            options,
            compiled: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
            disk,
            stop_ticker,
            parking,
        })
    }

    /// Compile (or fetch from the cache) the component at `path` and pre-instantiate it.
    pub fn prepare(&self, id: &str, path: &Path) -> Result<ProxyPre<State>> {
        let cannot_read = |e: std::io::Error| {
            anyhow::anyhow!("component `{id}`: cannot read {}: {e}", path.display())
        };
        let meta = std::fs::metadata(path).map_err(cannot_read)?;
        let stamp = (path.to_path_buf(), meta.len(), meta.modified().ok());
        // Hashing a 13 MB guest costs ~15 ms; apps often name one file for several components.
        let known = self
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&stamp)
            .copied();
        let mut bytes = None;
        let key = match known {
            Some(key) => key,
            None => {
                let read = std::fs::read(path).map_err(cannot_read)?;
                let key: [u8; 32] = Sha256::digest(&read).into();
                bytes = Some(read);
                self.keys
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(stamp, key);
                key
            }
        };
        let cached = self
            .compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        let component = match cached {
            Some(c) => c,
            None => {
                let from_disk = self.disk.as_ref().and_then(|d| d.load(&self.engine, &key));
                let c = match from_disk {
                    Some(c) => c,
                    None => {
                        let bytes = match bytes {
                            Some(b) => b,
                            None => std::fs::read(path).map_err(cannot_read)?,
                        };
                        let c = compile(&self.engine, id, path, &bytes)?;
                        if let Some(disk) = &self.disk {
                            disk.store(&key, &c);
                        }
                        c
                    }
                };
                self.compiled
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, c.clone());
                c
            }
        };
        if let Some(item) = wasip3_item(&self.engine, &component) {
            anyhow::bail!(
                "component `{id}` ({}) is a WASIp3 component ({item}), which Courier does not serve\n  \
                 hint: Courier serves wasi:http 0.2.x components (the wasi:http/proxy world): build \
                 this one for wasm32-wasip2, e.g. on an SDK from `courier generate`",
                path.display()
            );
        }
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "component `{id}` ({}) imports something Courier does not provide\n  \
                 hint: Courier hosts the wasi:http/proxy world plus wasi:cli; Spin-only interfaces \
                 (key-value, sqlite, variables, …) are not available",
                    path.display()
                )
            })?;
        ProxyPre::new(pre)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "component `{id}` ({}) does not export wasi:http/incoming-handler@0.2.x\n  \
                 hint: an HTTP component must implement the wasi:http proxy world",
                    path.display()
                )
            })
    }
}

/// The first `wasi:*@0.3` import or export, if any: a WASIp3 component. It gets its own
/// message, since the generic ones (a missing import, no incoming-handler) would mislead.
fn wasip3_item(engine: &Engine, component: &Component) -> Option<String> {
    let ty = component.component_type();
    let p3 = |name: &str| name.starts_with("wasi:") && name.contains("@0.3");
    let imports = ty.imports(engine).map(|(name, _)| name);
    let exports = ty.exports(engine).map(|(name, _)| name);
    let found = imports.chain(exports).find(|name| p3(name));
    found.map(str::to_string)
}

fn compile(engine: &Engine, id: &str, path: &Path, bytes: &[u8]) -> Result<Component> {
    let is_core_module = bytes.len() >= 8 && bytes[..4] == *b"\0asm" && bytes[4..8] == [1, 0, 0, 0];
    if is_core_module {
        anyhow::bail!(
            "component `{id}`: {} is a core WebAssembly module, not a component\n  \
             hint: build for wasm32-wasip2, or make a component of a WASI preview1 reactor with `courier componentize {} -o app.wasm`",
            path.display(),
            path.display()
        );
    }
    if !bytes.starts_with(b"\0asm") {
        // wasmtime's own message lists the expected and found bytes over a dozen lines.
        anyhow::bail!(
            "component `{id}`: {} is not a WebAssembly file (it does not start with \\0asm)",
            path.display()
        );
    }
    let started = std::time::Instant::now();
    let component = Component::new(engine, bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "component `{id}`: {} is not a valid component",
                path.display()
            )
        })?;
    tracing::info!(
        component = id,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "compiled"
    );
    Ok(component)
}

fn config(options: &RuntimeOptions, pooling: bool) -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    if pooling {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(options.max_instances);
        pool.total_memories(options.max_instances);
        pool.total_tables(options.max_instances * 2);
        pool.total_core_instances(options.max_instances * 4);
        // Interpreters (JS, Python) carry large vmctx and tables.
        pool.max_component_instance_size(10 << 20);
        pool.max_core_instance_size(10 << 20);
        pool.max_memories_per_component(16);
        pool.max_tables_per_component(16);
        pool.table_elements(100_000);
        pool.max_memory_size(options.instance_memory_limit);
        pool.linear_memory_keep_resident(2 << 20);
        pool.table_keep_resident(512 << 10);
        // Reset only the pages an instance dirtied (Linux ≥ 6.7), instead of memsetting the
        // whole keep-resident prefix after every request.
        pool.pagemap_scan(wasmtime::Enabled::Auto);
        // Keep the top of each fiber stack mapped: without it every request page-faults its
        // stack back in. Stacks are not zeroed either way (wasmtime's default).
        pool.async_stack_keep_resident(128 << 10);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    config
}
