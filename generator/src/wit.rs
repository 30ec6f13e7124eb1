//! Loading a WIT directory and finding the wasi:http 0.2 `proxy` world in it.
//!
//! Accepts any directory laid out like `wit/` (a root package plus `deps/`), so an SDK
//! maintainer can point `--wit` at another wasi:http 0.2.x release.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wit_parser::{PackageId, Resolve, WorldId};

use crate::error::{Error, Result};

/// The parsed WIT and the world the SDKs are generated for.
#[derive(Clone)]
pub struct Wit {
    /// Everything parsed from the directory.
    pub resolve: Resolve,
    /// The `wasi:http/proxy@0.2.x` world.
    pub world: WorldId,
    /// The `wasi:http@0.2.x` package.
    pub package: PackageId,
    /// The directory it was loaded from.
    pub dir: PathBuf,
    /// The files each package was parsed from.
    pub package_files: HashMap<PackageId, Vec<PathBuf>>,
}

impl Wit {
    /// Parses `dir` (a WIT package with a `deps/` folder) and selects `wasi:http/proxy@0.2.x`.
    pub fn load(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::new("WIT directory not found")
                .at(dir.display().to_string())
                .hint("run from the repository root (where wit/ lives) or pass --wit DIR; scripts/vendor-wit recreates wit/"));
        }
        let mut resolve = Resolve::default();
        let sources = match resolve.push_dir(dir) {
            Ok((_, sources)) => sources,
            // wit-parser's rendering carries file:line:col and the offending source line.
            Err(err) => return Err(Error::new(format!("cannot parse WIT: {}", resolve.render_error(&err)))
                .at(dir.display().to_string())
                .hint("the directory must hold a WIT package and its dependencies in deps/; scripts/vendor-wit --check tells whether wit/ was edited")),
        };
        let package_files = resolve
            .packages
            .iter()
            .filter_map(|(id, _)| {
                let mut files: Vec<PathBuf> =
                    sources.package_paths(id)?.map(Path::to_path_buf).collect();
                files.sort();
                Some((id, files))
            })
            .collect();
        let package = find_http_package(&resolve, dir)?;
        let world = resolve.packages[package].worlds.get("proxy").copied().ok_or_else(|| {
            Error::new(format!("package {} has no world `proxy`", resolve.packages[package].name))
                .at(dir.display().to_string())
                .hint("the SDKs are generated for wasi:http/proxy; is this a complete wasi:http 0.2 package?")
        })?;
        Ok(Self {
            resolve,
            world,
            package,
            dir: dir.to_path_buf(),
            package_files,
        })
    }

    /// `wasi:http@0.2.12`.
    pub fn package_id(&self) -> String {
        self.resolve.packages[self.package].name.to_string()
    }
}

/// The newest `wasi:http@0.2.x` in the resolve; other majors/minors are refused with a reason.
fn find_http_package(resolve: &Resolve, dir: &Path) -> Result<PackageId> {
    let mut seen = Vec::new();
    let mut best: Option<(PackageId, semver::Version)> = None;
    for (id, pkg) in resolve.packages.iter() {
        if pkg.name.namespace != "wasi" || pkg.name.name != "http" {
            continue;
        }
        seen.push(pkg.name.to_string());
        let Some(version) = &pkg.name.version else {
            continue;
        };
        if version.major != 0 || version.minor != 2 {
            continue;
        }
        if best.as_ref().is_none_or(|(_, v)| version > v) {
            best = Some((id, version.clone()));
        }
    }
    best.map(|(id, _)| id).ok_or_else(|| {
        let found = if seen.is_empty() { "no wasi:http package at all".to_string() } else { format!("found {}", seen.join(", ")) };
        Error::new(format!("no wasi:http 0.2.x package in the WIT ({found})"))
            .at(dir.display().to_string())
            .hint("the generator targets wasi:http 0.2.x (0.3 is a different, async API); put the wasi:http 0.2 WIT in deps/")
    })
}
