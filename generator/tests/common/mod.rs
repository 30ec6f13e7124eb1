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
