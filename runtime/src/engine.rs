//! The wasmtime engine: configuration, the epoch ticker, compiling components (cached in
//! memory and on disk), linking.

use std::collections::HashMap;
use std::ffi::OsString;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

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
    /// is [`default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// Threads serving connections, each a single-threaded runtime (0: one per core).
    pub serving_threads: usize,
}

/// The default compile-cache folder: `$XDG_CACHE_HOME/courier`, else `~/.cache/courier`
/// (the XDG default), else `courier-cache` in the temporary folder. Never relative: a
/// process started in another folder (one `courier up` per app) must find the same cache.
pub fn default_cache_dir() -> PathBuf {
    cache_dir_from(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
}

fn cache_dir_from(xdg_cache_home: Option<OsString>, home: Option<OsString>) -> PathBuf {
    // The XDG spec ignores a relative $XDG_CACHE_HOME, and so do we.
    let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(dir) = absolute(xdg_cache_home) {
        return dir.join("courier");
    }
    if let Some(home) = absolute(home) {
        return home.join(".cache").join("courier");
    }
    std::env::temp_dir().join("courier-cache")
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
        }
    }
}

impl RuntimeOptions {
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
             hint: build for wasm32-wasip2, or adapt it with a wasi preview1 adapter",
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

/// Compiled components on disk, one entry per (component sha256, engine configuration).
///
/// An entry is `<name>.cwasm`, the raw `Component::serialize` output (so it can be mapped
/// straight from the file), and `<name>.sum`: `MAGIC`, the artifact's length and its CRC-32.
/// The checksum catches torn writes and bit rot cheaply (a 37 MB artifact in a few ms);
/// anything that fails it, or fails to deserialize, is deleted and rebuilt. Deserializing
/// runs native code from the file, so the cache folder must be as trusted as the runtime
/// binary itself.
struct DiskCache {
    dir: PathBuf,
    /// Hash of the wasmtime version and every setting that changes compiled code: entries of
    /// another engine configuration have other names and are never read.
    engine_hash: String,
}

const MAGIC: &[u8; 8] = b"CRCWASM2";
const SUM_LEN: usize = MAGIC.len() + 8 + 4;

impl DiskCache {
    fn new(dir: PathBuf, engine: &Engine) -> Self {
        let mut hasher = Sha256Hasher(Sha256::new());
        std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut hasher);
        hasher.0.update(MAGIC);
        let digest = hasher.0.finalize();
        Self {
            dir,
            engine_hash: hex(&digest[..8]),
        }
    }

    /// The artifact and checksum paths of `key`.
    fn paths(&self, key: &[u8; 32]) -> (PathBuf, PathBuf) {
        let name = format!("{}-{}", hex(key), self.engine_hash);
        (
            self.dir.join(format!("{name}.cwasm")),
            self.dir.join(format!("{name}.sum")),
        )
    }

    fn sum(artifact: &[u8]) -> [u8; SUM_LEN] {
        let mut sum = [0u8; SUM_LEN];
        sum[..MAGIC.len()].copy_from_slice(MAGIC);
        sum[MAGIC.len()..MAGIC.len() + 8].copy_from_slice(&(artifact.len() as u64).to_le_bytes());
        sum[MAGIC.len() + 8..].copy_from_slice(&crc32fast::hash(artifact).to_le_bytes());
        sum
    }

    fn discard(&self, artifact: &Path, sum: &Path, why: &str) {
        tracing::warn!("compile cache: {} {why}; rebuilding it", artifact.display());
        let _ = std::fs::remove_file(artifact);
        let _ = std::fs::remove_file(sum);
    }

    fn load(&self, engine: &Engine, key: &[u8; 32]) -> Option<Component> {
        let (artifact, sum) = self.paths(key);
        let expected = match std::fs::read(&sum) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if artifact.exists() {
                    self.discard(&artifact, &sum, "has no checksum");
                }
                return None;
            }
            Err(e) => {
                tracing::warn!("compile cache: cannot read {}: {e}", sum.display());
                return None;
            }
        };
        let bytes = match std::fs::read(&artifact) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.discard(&artifact, &sum, &format!("cannot be read ({e})"));
                return None;
            }
        };
        if expected[..] != Self::sum(&bytes)[..] {
            self.discard(&artifact, &sum, "is corrupt");
            return None;
        }
        drop(bytes);
        // SAFETY: the file was produced by `Component::serialize` of an engine with the same
        // compatibility hash (the file name) and is unchanged since (the checksum); the cache
        // folder is trusted like the binary (see the type's documentation).
        match unsafe { Component::deserialize_file(engine, &artifact) } {
            Ok(component) => {
                tracing::debug!("compile cache: hit {}", artifact.display());
                Some(component)
            }
            Err(e) => {
                self.discard(&artifact, &sum, &format!("does not deserialize ({e})"));
                None
            }
        }
    }

    /// Write an entry; failures only cost the next start a compile, so they are warnings.
    fn store(&self, key: &[u8; 32], component: &Component) {
        let (artifact, sum) = self.paths(key);
        let result = (|| -> Result<()> {
            let bytes = component.serialize()?;
            std::fs::create_dir_all(&self.dir)?;
            // Artifact first, checksum last: a reader never accepts a half-written entry.
            self.write_atomically(key, &artifact, &bytes)?;
            self.write_atomically(key, &sum, &Self::sum(&bytes))?;
            Ok(())
        })();
        if let Err(e) = result {
            tracing::warn!("compile cache: cannot write {}: {e:#}", artifact.display());
        }
    }

    /// Write to a temporary file, then rename over `path`.
    fn write_atomically(&self, key: &[u8; 32], path: &Path, bytes: &[u8]) -> Result<()> {
        // Unique per process and write, so concurrent loads never share a temporary file.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(
            ".{}-{}-{n}.tmp",
            hex(&key[..8]),
            std::process::id()
        ));
        std::fs::write(&tmp, bytes)?;
        if let Err(e) = std::fs::rename(&tmp, path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        Ok(())
    }
}

/// Feeds `Hash` output into sha256, which (unlike `DefaultHasher`) is stable across builds.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().unwrap_or_default())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(xdg: Option<&str>, home: Option<&str>) -> PathBuf {
        cache_dir_from(xdg.map(OsString::from), home.map(OsString::from))
    }

    #[test]
    fn the_cache_follows_xdg_then_home_and_is_never_relative() {
        assert_eq!(
            dir(Some("/x/cache"), Some("/home/a")),
            Path::new("/x/cache/courier")
        );
        assert_eq!(
            dir(None, Some("/home/a")),
            Path::new("/home/a/.cache/courier")
        );
        assert_eq!(
            dir(Some(""), Some("/home/a")),
            Path::new("/home/a/.cache/courier")
        );
        assert_eq!(
            dir(Some("rel"), Some("/home/a")),
            Path::new("/home/a/.cache/courier")
        );
        assert_eq!(dir(None, None), std::env::temp_dir().join("courier-cache"));
        assert!(dir(Some("rel"), Some("also-rel")).is_absolute());
    }
}
