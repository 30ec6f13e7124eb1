//! Golden tests: pin each backend's output for the vendored WIT, file by file.
//!
//! The pinned copies live in tests/golden/<lang>/ and are generated with package name
//! `golden-sdk`. The raw bindings (wit-bindgen's output, thousands of lines) are left out
//! here; the drift test pins them through the checked-in SDK. After an intended change,
//! refresh with `UPDATE_GOLDEN=1 cargo test -p courier-generator --test golden` and review
//! the diff.

mod common;

use std::path::Path;

use courier_generator::Language;

const SKIPPED: &[&str] = &["src/bindings.rs"];

#[test]
fn rust_backend_matches_golden_files() {
    check_golden(Language::Rust);
}

fn check_golden(language: Language) {
    let sdk = common::generate_from(&common::vendored_wit(), language, Some("golden-sdk"));
    let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(language.name());
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for (path, contents) in sdk
        .files
        .iter()
        .filter(|(p, _)| !SKIPPED.contains(&p.as_str()))
    {
        let golden = golden_dir.join(path);
        if update {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, contents).unwrap();
            continue;
        }
        match std::fs::read(&golden) {
            Ok(expected) if &expected == contents => {}
            Ok(expected) => failures.push(format!(
                "{path} differs from the golden copy:\n{}",
                similar::TextDiff::from_lines(
                    String::from_utf8_lossy(&expected),
                    String::from_utf8_lossy(contents)
                )
                .unified_diff()
                .header("golden", "generated")
            )),
            Err(_) => failures.push(format!("{path}: no golden copy at {}", golden.display())),
        }
    }
    // A golden file the backend no longer emits is a change too.
    if !update {
        for entry in walk(&golden_dir) {
            let rel = entry
                .strip_prefix(&golden_dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if !sdk.files.contains_key(&rel) {
                failures.push(format!("{rel}: golden file is no longer generated"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended: UPDATE_GOLDEN=1 cargo test -p courier-generator --test golden",
        failures.join("\n")
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
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
