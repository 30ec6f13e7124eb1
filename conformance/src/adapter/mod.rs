//! Runtime adapters: how the harness gets a case's app served. `reference` runs Courier's own
//! runtime in-process; `external` starts any runtime from a command template. An adapter says
//! which features it has; a case needing a missing one is skipped with the reason.

mod external;
#[cfg(feature = "reference")]
mod reference;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

pub use external::{External, ExternalConfig};
#[cfg(feature = "reference")]
pub use reference::Reference;

/// A case's app as written to disk for one cell.
#[derive(Debug, Clone)]
pub struct AppFiles {
    pub dir: PathBuf,
    pub manifest: PathBuf,
    /// The language's agent component (the source of every component of the app).
    pub component: PathBuf,
    pub runtime_config: Option<PathBuf>,
    /// Test-only name resolution: host → IP.
    pub resolve: BTreeMap<String, String>,
}

/// Why an app did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The runtime refused the app (what `load_checks` expect).
    #[error("the runtime refused the app: {0}")]
    Refused(String),
    /// Something else went wrong (no free port, the runtime never became ready, …).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A served app.
pub trait Running: Send {
    fn addr(&self) -> SocketAddr;
    fn stop(self: Box<Self>) -> BoxFuture<'static, ()>;
}

pub trait Adapter: Send + Sync {
    /// The name shown in reports.
    fn name(&self) -> &str;
    fn supports(&self, feature: &str) -> bool;
    /// Cases this runtime is documented to fail, with the reason (its runtime file's `[xfail]`).
    fn xfail(&self) -> &BTreeMap<String, String>;
    /// Get ready to serve `component` many times, e.g. compile it once before the cells start,
    /// so no cell spends its time limit on the compiler.
    fn prepare<'a>(&'a self, component: &'a Path) -> BoxFuture<'a, anyhow::Result<()>> {
        let _ = component;
        Box::pin(async { Ok(()) })
    }
    fn start<'a>(
        &'a self,
        app: &'a AppFiles,
    ) -> BoxFuture<'a, Result<Box<dyn Running>, StartError>>;
    /// Whether every routed component should serve one request before the case, so that the
    /// case runs on instances that have already served one (a runtime that reuses them).
    fn primes_instances(&self) -> bool {
        false
    }
}

/// `conformance/runtimes/reference.toml`: what the built-in runtime is documented to fail.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceFile {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    xfail: BTreeMap<String, String>,
}

impl ReferenceFile {
    fn load(path: &Path) -> anyhow::Result<Self> {
        crate::toml_file::read(path)
    }
}

/// Finds an adapter by name: `reference`, a runtime file `<runtimes_dir>/<name>.toml`, or a
/// path to such a file.
pub fn by_name(name: &str, runtimes_dir: &Path) -> anyhow::Result<std::sync::Arc<dyn Adapter>> {
    #[cfg(feature = "reference")]
    if name == "reference" || name == "reference-reuse" {
        // The built-in runtime needs no command; its file, if any, holds only its deviations,
        // which hold with instance reuse too.
        let file = runtimes_dir.join("reference.toml");
        let xfail = if file.is_file() {
            ReferenceFile::load(&file)?.xfail
        } else {
            BTreeMap::new()
        };
        let reuse = name == "reference-reuse";
        return Ok(std::sync::Arc::new(Reference::new(xfail, reuse)?));
    }
    let given_as_path = name.ends_with(".toml") || name.contains(std::path::MAIN_SEPARATOR);
    if given_as_path {
        let path = PathBuf::from(name);
        if !path.is_file() {
            anyhow::bail!("--runtime {name}: no such file\n  hint: a runtime file is a .toml like those in conformance/runtimes/");
        }
        return Ok(std::sync::Arc::new(External::load(&path)?));
    }
    let path = runtimes_dir.join(format!("{name}.toml"));
    if !path.is_file() {
        let mut known = vec!["reference".to_string(), "reference-reuse".to_string()];
        if let Ok(rd) = std::fs::read_dir(runtimes_dir) {
            let mut files: Vec<String> = rd
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let p = e.path();
                    if p.extension()? != "toml" {
                        return None;
                    }
                    Some(p.file_stem()?.to_string_lossy().into_owned())
                })
                .collect();
            files.sort();
            // `reference.toml` holds the built-in runtime's expectations, not another runtime.
            known.extend(files.into_iter().filter(|f| f != "reference"));
        }
        anyhow::bail!(
            "no runtime `{name}` (known: {}); add {} to describe one",
            known.join(", "),
            path.display()
        );
    }
    Ok(std::sync::Arc::new(External::load(&path)?))
}

#[cfg(all(test, feature = "reference"))]
mod tests {
    use super::*;

    #[test]
    fn the_reference_runtime_reads_its_deviations_from_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let adapter = by_name("reference", dir.path()).unwrap();
        assert!(adapter.xfail().is_empty());
        std::fs::write(
            dir.path().join("reference.toml"),
            "[xfail]\nE07 = \"upstream bug\"\n",
        )
        .unwrap();
        let adapter = by_name("reference", dir.path()).unwrap();
        assert_eq!(adapter.xfail()["E07"], "upstream bug");
        std::fs::write(dir.path().join("reference.toml"), "[xfial]\n").unwrap();
        let err = by_name("reference", dir.path()).err().unwrap().to_string();
        assert!(err.contains("xfial"), "{err}");
    }

    #[test]
    fn an_unknown_runtime_lists_each_known_one_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("reference.toml"), "").unwrap();
        std::fs::write(dir.path().join("spin-up.toml"), "").unwrap();
        let err = by_name("nope", dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("(known: reference, reference-reuse, spin-up)"),
            "{err}"
        );
    }

    #[test]
    fn a_runtime_path_must_be_a_file_that_names_a_command() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().to_str().unwrap();
        let err = by_name(folder, dir.path()).err().unwrap().to_string();
        assert!(err.contains("no such file"), "{err}");
        let expectations = dir.path().join("reference.toml");
        std::fs::write(&expectations, "[xfail]\n").unwrap();
        let err = by_name(expectations.to_str().unwrap(), dir.path())
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("no `command`") && err.contains("--runtime reference"),
            "{err}"
        );
        let typo = dir.path().join("typo.toml");
        std::fs::write(
            &typo,
            "name = \"t\"\ncommand = [\"true\"]\nfeatures = [\"nope\"]\n",
        )
        .unwrap();
        let err = by_name(typo.to_str().unwrap(), dir.path()).err().unwrap();
        let err = format!("{err:#}");
        assert!(
            err.contains("typo.toml") && err.contains("unknown feature `nope`"),
            "{err}"
        );
    }

    #[test]
    fn reference_reuse_primes_instances_and_shares_the_reference_deviations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("reference.toml"),
            "[xfail]\nE07 = \"upstream bug\"\n",
        )
        .unwrap();
        let plain = by_name("reference", dir.path()).unwrap();
        assert!(!plain.primes_instances());
        let reuse = by_name("reference-reuse", dir.path()).unwrap();
        assert_eq!(reuse.name(), "reference-reuse");
        assert!(reuse.primes_instances());
        assert_eq!(reuse.xfail()["E07"], "upstream bug");
    }
}
