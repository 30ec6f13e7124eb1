//! The on-disk compile cache: where it lives, its entries, and how it stays bounded.

use std::ffi::OsString;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

/// The most the cache folder holds: past it, the least recently used entries are deleted
/// (a JS or Python agent compiles to ~40 MB, so this keeps about fifty).
const MAX_BYTES: u64 = 2 << 30;
/// Temporary files older than this were left by a writer that died.
const STALE_TMP: Duration = Duration::from_secs(3600);

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

/// Compiled components on disk, one entry per (component sha256, engine configuration).
///
/// An entry is `<name>.cwasm`, the raw `Component::serialize` output (so it can be mapped
/// straight from the file), and `<name>.sum`: `MAGIC`, the artifact's length and its CRC-32.
/// The checksum catches torn writes and bit rot cheaply (a 37 MB artifact in a few ms);
/// anything that fails it, or fails to deserialize, is deleted and rebuilt. Deserializing
/// runs native code from the file, so the cache folder must be as trusted as the runtime
/// binary itself. The folder stays under `MAX_BYTES`: writing an entry evicts the least
/// recently used ones.
pub(crate) struct DiskCache {
    dir: PathBuf,
    /// Hash of the wasmtime version and every setting that changes compiled code: entries of
    /// another engine configuration have other names and are never read.
    engine_hash: String,
}

const MAGIC: &[u8; 8] = b"CRCWASM2";
const SUM_LEN: usize = MAGIC.len() + 8 + 4;

impl DiskCache {
    pub(crate) fn new(dir: PathBuf, engine: &Engine) -> Self {
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

    pub(crate) fn load(&self, engine: &Engine, key: &[u8; 32]) -> Option<Component> {
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
                mark_used(&sum);
                Some(component)
            }
            Err(e) => {
                self.discard(&artifact, &sum, &format!("does not deserialize ({e})"));
                None
            }
        }
    }

    /// Write an entry; failures only cost the next start a compile, so they are warnings.
    pub(crate) fn store(&self, key: &[u8; 32], component: &Component) {
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
        if let Err(e) = evict(&self.dir, MAX_BYTES, &artifact) {
            tracing::warn!("compile cache: cannot trim {}: {e}", self.dir.display());
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

/// Record that an entry was used: eviction goes by its checksum file's modification time
/// (the artifact's stays that of its writing).
fn mark_used(sum: &Path) {
    if let Ok(file) = std::fs::File::open(sum) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// Delete the least recently used entries until the `.cwasm` artifacts in `dir` take at most
/// `limit` bytes, never `keep` (the entry just written); also delete temporary files that a
/// dead writer left. A process still running a deleted entry keeps its mapping.
fn evict(dir: &Path, limit: u64, keep: &Path) -> std::io::Result<()> {
    let now = SystemTime::now();
    let mut entries = Vec::new();
    let mut total = 0u64;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = entry.metadata()?;
        let modified = meta.modified()?;
        match path.extension().and_then(|e| e.to_str()) {
            Some("tmp") if now.duration_since(modified).unwrap_or_default() > STALE_TMP => {
                let _ = std::fs::remove_file(&path);
            }
            Some("cwasm") => {
                let used = std::fs::metadata(path.with_extension("sum"))
                    .and_then(|m| m.modified())
                    .unwrap_or(modified);
                total += meta.len();
                entries.push((used, meta.len(), path));
            }
            _ => {}
        }
    }
    entries.sort();
    for (_, len, path) in entries {
        if total <= limit {
            break;
        }
        if path == keep {
            continue;
        }
        tracing::debug!("compile cache: evicting {}", path.display());
        std::fs::remove_file(&path)?;
        let _ = std::fs::remove_file(path.with_extension("sum"));
        total -= len;
    }
    Ok(())
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

    fn entry(dir: &Path, name: &str, len: usize, used_secs: u64) -> PathBuf {
        let artifact = dir.join(format!("{name}.cwasm"));
        std::fs::write(&artifact, vec![0u8; len]).unwrap();
        let sum = artifact.with_extension("sum");
        std::fs::write(&sum, b"sum").unwrap();
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(used_secs);
        std::fs::File::open(&sum)
            .unwrap()
            .set_modified(when)
            .unwrap();
        artifact
    }

    #[test]
    fn eviction_deletes_the_least_recently_used_entries_but_never_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let newest_written = entry(dir.path(), "a", 100, 1_000); // least recently used
        let old = entry(dir.path(), "b", 100, 2_000);
        let recent = entry(dir.path(), "c", 100, 3_000);
        let stale_tmp = dir.path().join(".x-1-0.tmp");
        std::fs::write(&stale_tmp, b"half").unwrap();
        std::fs::File::open(&stale_tmp)
            .unwrap()
            .set_modified(SystemTime::UNIX_EPOCH)
            .unwrap();
        let live_tmp = dir.path().join(".y-1-0.tmp");
        std::fs::write(&live_tmp, b"being written").unwrap();

        evict(dir.path(), 250, &newest_written).unwrap();
        assert!(newest_written.exists() && recent.exists());
        assert!(!old.exists() && !old.with_extension("sum").exists());
        assert!(!stale_tmp.exists() && live_tmp.exists());

        evict(dir.path(), 1_000, &newest_written).unwrap();
        assert!(
            newest_written.exists() && recent.exists(),
            "under the limit"
        );
    }

    #[test]
    fn a_use_makes_an_entry_the_most_recent() {
        let dir = tempfile::tempdir().unwrap();
        let a = entry(dir.path(), "a", 100, 1_000);
        let b = entry(dir.path(), "b", 100, 2_000);
        let c = entry(dir.path(), "c", 100, 3_000);
        mark_used(&a.with_extension("sum"));
        evict(dir.path(), 200, &c).unwrap();
        assert!(a.exists() && c.exists() && !b.exists());
    }
}
