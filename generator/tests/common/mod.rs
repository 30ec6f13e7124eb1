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

/// Generating under package name `custom` changes the name and nothing else: its output, with
/// each `(custom spelling, default spelling)` of `spellings` turned back (in order), is the
/// default output file for file, and no `leftovers` (spellings only the default name may
/// produce) remain in it. The drift test pins the default output to the checked-in SDK, so
/// together they pin both.
pub fn check_renamed(
    language: Language,
    custom: &str,
    spellings: &[(&str, &str)],
    leftovers: &[&str],
) {
    let default = generate_from(&vendored_wit(), language, None);
    let renamed = generate_from(&vendored_wit(), language, Some(custom));
    let back = |text: &str| {
        spellings
            .iter()
            .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
    };
    let mut failures = Vec::new();
    let mut mapped = std::collections::BTreeMap::new();
    for (path, bytes) in &renamed.files {
        let text = String::from_utf8_lossy(bytes);
        for leftover in leftovers {
            if text.contains(leftover) {
                failures.push(format!("{path} still says `{leftover}` under `{custom}`"));
            }
        }
        mapped.insert(back(path), back(&text));
    }
    for (path, bytes) in &default.files {
        let expected = String::from_utf8_lossy(bytes);
        match mapped.remove(path) {
            Some(got) if got == expected => {}
            Some(got) => failures.push(format!(
                "{path} differs beyond the package name:\n{}",
                similar::TextDiff::from_lines(expected.as_ref(), got.as_str())
                    .unified_diff()
                    .header("default name", "renamed back")
            )),
            None => failures.push(format!("{path}: not generated under `{custom}`")),
        }
    }
    for path in mapped.keys() {
        failures.push(format!("{path}: generated only under `{custom}`"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
