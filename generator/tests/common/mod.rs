//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use courier_generator::{Language, Model, Sdk, Wit};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn vendored_wit() -> PathBuf {
    repo().join("wit")
}

pub fn generate_from(dir: &Path, language: Language, package_name: Option<&str>) -> Sdk {
    let wit = Wit::load(dir).unwrap_or_else(|e| panic!("{e}"));
    let model = Model::from_wit(&wit).unwrap_or_else(|e| panic!("{e}"));
    courier_generator::generate(language, &wit, &model, package_name)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A copy of the vendored WIT with `edit` applied to deps/http.wit.
pub fn edited_wit(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&vendored_wit(), dir.path());
    let http = dir.path().join("deps/http.wit");
    let text = std::fs::read_to_string(&http).unwrap();
    let changed = edit(&text);
    assert_ne!(changed, text, "the edit changed nothing");
    std::fs::write(&http, changed).unwrap();
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn text(sdk: &Sdk, path: &str) -> String {
    String::from_utf8(
        sdk.files
            .get(path)
            .unwrap_or_else(|| panic!("{path} not generated"))
            .clone(),
    )
    .unwrap()
}

/// Compare the files of `sdk` that `pinned` selects with their golden copies in
/// tests/golden/<lang>/; `UPDATE_GOLDEN=1` rewrites the copies instead. A golden file the
/// backend no longer emits fails too. `test` names the test target, for the hint.
pub fn check_golden(sdk: &Sdk, lang: &str, pinned: impl Fn(&str) -> bool, test: &str) {
    let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(lang);
    let files = sdk.files.iter().filter(|(p, _)| pinned(p));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden_dir);
        for (path, contents) in files {
            let golden = golden_dir.join(path);
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, contents).unwrap();
        }
        return;
    }
    let mut failures = Vec::new();
    for (path, contents) in files {
        let golden = golden_dir.join(path);
        match std::fs::read(&golden) {
            Ok(expected) if &expected == contents => {}
            Ok(expected) => failures.push(format!(
                "{path} differs from the golden copy:\n{}",
                similar::TextDiff::from_lines(
                    String::from_utf8_lossy(&expected).as_ref(),
                    String::from_utf8_lossy(contents).as_ref()
                )
                .unified_diff()
                .header("golden", "generated")
            )),
            Err(_) => failures.push(format!("{path}: no golden copy at {}", golden.display())),
        }
    }
    for file in walk(&golden_dir) {
        let rel = file
            .strip_prefix(&golden_dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !sdk.files.contains_key(&rel) {
            failures.push(format!("{rel}: golden file is no longer generated"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended: UPDATE_GOLDEN=1 cargo test -p courier-generator --test {test}",
        failures.join("\n")
    );
}

/// Every file below `dir`.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
