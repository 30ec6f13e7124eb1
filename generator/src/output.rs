//! Writing a generated SDK to disk and checking a checked-in SDK for drift.
//!
//! The SDK directory also gets a `.courier-generated` manifest listing every generated
//! file, so a later run can delete files the generator no longer emits without touching
//! anything else there (a `target/`, a `Cargo.lock`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use similar::TextDiff;

use crate::error::{Error, Result};

/// Name of the manifest written beside the generated files.
pub const MANIFEST: &str = ".courier-generated";

/// Every file of one generated SDK, keyed by path relative to the SDK directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sdk {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Sdk {
    pub(crate) fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        let mut files: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let mut manifest = String::from(
            "# Files written by `courier generate`; do not edit them, regenerate instead.\n",
        );
        for path in files.keys() {
            manifest.push_str(path);
            manifest.push('\n');
        }
        files.insert(MANIFEST.to_string(), manifest.into_bytes());
        Self { files }
    }

    /// Writes the SDK into `dir`, creating it, rewriting only changed files, and deleting
    /// files that an earlier run's manifest lists but this run no longer emits.
    pub fn write(&self, dir: &Path) -> Result<()> {
        for stale in previous_files(dir)?
            .iter()
            .filter(|p| !self.files.contains_key(*p))
        {
            let path = dir.join(stale);
            if path.is_file() {
                fs::remove_file(&path).map_err(|e| Error::io("remove stale file", &path, e))?;
                // Folders it leaves empty go too (a renamed Python package); `remove_dir`
                // fails on the first one that still holds something, which ends the climb.
                let mut folder = path.parent();
                while let Some(f) = folder.filter(|f| *f != dir) {
                    if fs::remove_dir(f).is_err() {
                        break;
                    }
                    folder = f.parent();
                }
            }
        }
        for (rel, contents) in &self.files {
            let path = dir.join(rel);
            if fs::read(&path).ok().as_deref() == Some(contents.as_slice()) {
                continue;
            }
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
            }
            fs::write(&path, contents).map_err(|e| Error::io("write", &path, e))?;
        }
        Ok(())
    }

    /// Compares with what is in `dir`: `None` when identical, else a unified diff
    /// (from the checked-in file to the regenerated one) of every difference.
    pub fn diff(&self, dir: &Path) -> Result<Option<String>> {
        let mut out = String::new();
        for (rel, contents) in &self.files {
            let path = dir.join(rel);
            let on_disk = match fs::read(&path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io("read", &path, e)),
            };
            if on_disk.as_deref() == Some(contents.as_slice()) {
                continue;
            }
            if on_disk.as_deref().map(crlf_to_lf).as_deref() == Some(contents.as_slice()) {
                // A line-by-line diff of this would show every line unchanged.
                out.push_str(&format!(
                    "{rel}: differs only in line endings (CRLF on disk, LF generated; \
                     a checkout with core.autocrlf?)\n"
                ));
                continue;
            }
            let old = on_disk
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let new = String::from_utf8_lossy(contents);
            let old_name = if on_disk.is_some() {
                format!("a/{rel}")
            } else {
                "/dev/null".into()
            };
            out.push_str(
                &TextDiff::from_lines(old.as_ref(), new.as_ref())
                    .unified_diff()
                    .context_radius(3)
                    .header(&old_name, &format!("b/{rel}"))
                    .to_string(),
            );
        }
        let previous = previous_files(dir)?;
        for stale in previous.iter().filter(|p| !self.files.contains_key(*p)) {
            if dir.join(stale).is_file() {
                out.push_str(&format!("stale file {stale}: no longer generated\n"));
            }
        }
        for extra in self
            .unexpected_files(dir)?
            .into_iter()
            .filter(|p| !previous.contains(p))
        {
            out.push_str(&format!(
                "unexpected file {extra}: not generated, yet built into the SDK with the \
                 generated sources; move it out of {}\n",
                dir.display()
            ));
        }
        Ok((!out.is_empty()).then_some(out))
    }

    /// Files in `dir` that the generator does not emit but that look like part of the SDK:
    /// the same extension as a generated file (a stray `.go` file is compiled into the
    /// package). Build output and lock files (`target/`, `node_modules/`, `__pycache__/`,
    /// `Cargo.lock`) are not the generator's business.
    fn unexpected_files(&self, dir: &Path) -> Result<Vec<String>> {
        let extension = |p: &str| p.rsplit_once('.').map(|(_, e)| e.to_string());
        let extensions: BTreeSet<String> = self.files.keys().filter_map(|p| extension(p)).collect();
        let mut found = Vec::new();
        let mut folders = vec![(dir.to_path_buf(), String::new())];
        while let Some((folder, prefix)) = folders.pop() {
            let entries = match fs::read_dir(&folder) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io("list", &folder, e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("list", &folder, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let rel = format!("{prefix}{name}");
                if entry.path().is_dir() {
                    if !name.starts_with('.') && !BUILD_FOLDERS.contains(&name.as_str()) {
                        folders.push((entry.path(), format!("{rel}/")));
                    }
                } else if !self.files.contains_key(&rel)
                    && extension(&name).is_some_and(|e| extensions.contains(&e))
                {
                    found.push(rel);
                }
            }
        }
        found.sort();
        Ok(found)
    }
}

/// Folders that builds and package managers create inside an SDK.
const BUILD_FOLDERS: &[&str] = &["target", "node_modules", "__pycache__"];

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

fn previous_files(dir: &Path) -> Result<Vec<String>> {
    let path = dir.join(MANIFEST);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            // Never follow a manifest entry out of the SDK directory.
            .filter(|l| !l.split('/').any(|part| part == ".." || part.is_empty()))
            .map(str::to_string)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("read", &path, e)),
    }
}
