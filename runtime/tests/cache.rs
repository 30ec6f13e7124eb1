//! The on-disk compile cache: a miss writes an entry (`.cwasm` artifact + `.sum` checksum), a
//! new engine loads it without compiling and marks it used, and corrupt, unchecked or
//! undeserializable entries are detected, deleted and rebuilt.

mod support;

use std::path::{Path, PathBuf};

use courier_runtime::{LoadOptions, Runtime, RuntimeOptions};
use support::{get, TestApp};

const MANIFEST: &str = "spin_manifest_version = 2\n[application]\nname = \"cache\"\n\
    [[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n[component.front]\nsource = \"{probe}\"\n";

/// A fresh engine (empty in-memory cache) over `dir`, loading and serving the probe once.
async fn load_and_serve(app: &TestApp, dir: &Path) {
    let runtime = Runtime::new(RuntimeOptions {
        pooling: false,
        cache_dir: Some(dir.to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    let loaded = runtime
        .load(&app.manifest(), LoadOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let running = loaded.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let reply = get(running.local_addr(), "/x", &[]).await;
    assert_eq!(reply.body, "hello from probe at /x");
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|it| it.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    found.retain(|p| p.extension().is_some_and(|e| e == "cwasm"));
    found
}

/// The one entry (its artifact).
fn only_entry(dir: &Path) -> PathBuf {
    let found = entries(dir);
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

/// A modification time no rewrite can produce; inode numbers would not do, since a file
/// system may give a new file the inode of the one just deleted.
const AGED: std::time::Duration = std::time::Duration::from_secs(1_000_000);

/// Mark the entry as old, so a later rewrite shows in its modification time.
fn age(path: &Path) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::UNIX_EPOCH + AGED).unwrap();
}

fn is_aged(path: &Path) -> bool {
    std::fs::metadata(path).unwrap().modified().unwrap() == std::time::UNIX_EPOCH + AGED
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_miss_writes_an_entry_and_a_new_engine_hits_it() {
    let app = TestApp::new(MANIFEST);
    let cache = tempfile::tempdir().unwrap();
    assert!(entries(cache.path()).is_empty());
    load_and_serve(&app, cache.path()).await;
    let path = only_entry(cache.path());
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    // <sha256 of the component>-<engine configuration hash>.cwasm
    assert_eq!(name.len(), 64 + 1 + 16 + ".cwasm".len(), "{name}");
    age(&path);
    load_and_serve(&app, cache.path()).await;
    assert_eq!(only_entry(cache.path()), path);
    assert!(is_aged(&path), "a hit must not rewrite the entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hit_marks_the_entry_used_without_rewriting_it() {
    let app = TestApp::new(MANIFEST);
    let cache = tempfile::tempdir().unwrap();
    load_and_serve(&app, cache.path()).await;
    let path = only_entry(cache.path());
    let sum = path.with_extension("sum");
    age(&path);
    age(&sum);
    load_and_serve(&app, cache.path()).await;
    // Eviction goes by the checksum file's time: the least recently used entries go first.
    assert!(!is_aged(&sum), "a hit must mark the entry used");
    assert!(is_aged(&path), "a hit must not rewrite the entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_entries_are_rebuilt() {
    let app = TestApp::new(MANIFEST);
    let cache = tempfile::tempdir().unwrap();
    load_and_serve(&app, cache.path()).await;
    let path = only_entry(cache.path());
    let good = std::fs::read(&path).unwrap();

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0xff;
    let truncated = good[..good.len() / 2].to_vec();
    for (what, bytes) in [
        ("a flipped byte", flipped),
        ("a truncated file", truncated),
        ("garbage", b"not a compiled component".to_vec()),
        ("an empty file", Vec::new()),
    ] {
        std::fs::write(&path, &bytes).unwrap();
        load_and_serve(&app, cache.path()).await;
        let rebuilt = only_entry(cache.path());
        assert_eq!(rebuilt, path);
        assert_eq!(std::fs::read(&path).unwrap().len(), good.len(), "{what}");
        assert_ne!(std::fs::read(&path).unwrap(), bytes, "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_without_its_checksum_is_rebuilt() {
    let app = TestApp::new(MANIFEST);
    let cache = tempfile::tempdir().unwrap();
    load_and_serve(&app, cache.path()).await;
    let path = only_entry(cache.path());
    std::fs::remove_file(path.with_extension("sum")).unwrap();
    age(&path);
    load_and_serve(&app, cache.path()).await;
    assert_eq!(only_entry(cache.path()), path);
    assert!(!is_aged(&path), "the entry must have been rewritten");
    assert!(path.with_extension("sum").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_that_passes_its_checksum_but_fails_to_deserialize_is_rebuilt() {
    let app = TestApp::new(MANIFEST);
    let cache = tempfile::tempdir().unwrap();
    load_and_serve(&app, cache.path()).await;
    let path = only_entry(cache.path());
    let good = std::fs::read(&path).unwrap();
    let sum = std::fs::read(path.with_extension("sum")).unwrap();
    // A well-formed entry around an artifact wasmtime rejects (as one from another build would be).
    let forged = b"\x7fELF this is not a wasmtime artifact".to_vec();
    let mut forged_sum = sum[..8].to_vec();
    forged_sum.extend_from_slice(&(forged.len() as u64).to_le_bytes());
    forged_sum.extend_from_slice(&crc32fast::hash(&forged).to_le_bytes());
    std::fs::write(&path, &forged).unwrap();
    std::fs::write(path.with_extension("sum"), &forged_sum).unwrap();
    load_and_serve(&app, cache.path()).await;
    assert_eq!(std::fs::read(&path).unwrap(), good);
    assert_eq!(std::fs::read(path.with_extension("sum")).unwrap(), sum);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_cache_folder_only_costs_a_compile() {
    let app = TestApp::new(MANIFEST);
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "in the way").unwrap();
    load_and_serve(&app, &not_a_dir.join("cache")).await;
}
