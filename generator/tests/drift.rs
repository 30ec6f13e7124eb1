//! The checked-in SDKs must be exactly what the generator emits today, and the drift
//! check must notice when they are not.

mod common;

use courier_generator::{Language, MANIFEST};

#[test]
fn checked_in_sdks_have_not_drifted() {
    for &language in Language::ALL {
        let sdk = common::generate_from(&common::vendored_wit(), language, None);
        let dir = language.sdk_dir(&common::repo().join("languages"));
        if let Some(diff) = sdk.diff(&dir).unwrap() {
            panic!(
                "{} drifted; run `courier generate --lang {language}`:\n{diff}",
                dir.display()
            );
        }
    }
}

#[test]
fn generation_is_deterministic() {
    let a = common::generate_from(&common::vendored_wit(), Language::Rust, None);
    let b = common::generate_from(&common::vendored_wit(), Language::Rust, None);
    assert_eq!(a, b);
}

#[test]
fn drift_is_reported_as_a_unified_diff_and_fixed_by_write() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Rust, None);
    let dir = tempfile::tempdir().unwrap();
    sdk.write(dir.path()).unwrap();
    assert_eq!(sdk.diff(dir.path()).unwrap(), None);

    // A hand edit, a deleted file and a stale file listed by an old manifest.
    let error_rs = dir.path().join("src/error.rs");
    let edited = std::fs::read_to_string(&error_rs)
        .unwrap()
        .replace("HTTP-request-denied", "denied");
    std::fs::write(&error_rs, edited).unwrap();
    std::fs::remove_file(dir.path().join("src/send.rs")).unwrap();
    std::fs::write(
        dir.path().join("src/old.rs"),
        "// from an older generator\n",
    )
    .unwrap();
    let manifest = dir.path().join(MANIFEST);
    let mut listed = std::fs::read_to_string(&manifest).unwrap();
    listed.push_str("src/old.rs\n");
    std::fs::write(&manifest, listed).unwrap();
    // Files the generator never listed (a build's target/, a lock file) are not its business.
    std::fs::write(dir.path().join("Cargo.lock"), "# not generated\n").unwrap();

    let diff = sdk.diff(dir.path()).unwrap().expect("drift is found");
    assert!(
        diff.contains("--- a/src/error.rs\n+++ b/src/error.rs"),
        "{diff}"
    );
    let has = |sign: char, text: &str| {
        diff.lines()
            .any(|l| l.starts_with(sign) && l.contains(text))
    };
    assert!(
        has(
            '-',
            r#"ErrorCode::HttpRequestDenied => f.write_str("denied"),"#
        ),
        "{diff}"
    );
    assert!(
        has(
            '+',
            r#"ErrorCode::HttpRequestDenied => f.write_str("HTTP-request-denied"),"#
        ),
        "{diff}"
    );
    assert!(diff.contains("--- /dev/null\n+++ b/src/send.rs"), "{diff}");
    assert!(diff.contains("stale file src/old.rs"), "{diff}");
    assert!(!diff.contains("Cargo.lock"), "{diff}");

    sdk.write(dir.path()).unwrap();
    assert_eq!(sdk.diff(dir.path()).unwrap(), None);
    assert!(!dir.path().join("src/old.rs").exists());
    assert!(dir.path().join("Cargo.lock").exists());
}

#[test]
fn a_stray_source_file_in_an_sdk_is_drift_but_build_output_is_not() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Go, None);
    let dir = tempfile::tempdir().unwrap();
    sdk.write(dir.path()).unwrap();
    // Go compiles every .go file of the folder into the package.
    std::fs::write(
        dir.path().join("zz_extra.go"),
        "package courier\n\nfunc Backdoor() {}\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("target")).unwrap();
    std::fs::write(dir.path().join("target/build.go"), "package x\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine\n").unwrap();
    let diff = sdk
        .diff(dir.path())
        .unwrap()
        .expect("the stray file is drift");
    assert!(
        diff.starts_with("unexpected file zz_extra.go: not generated"),
        "{diff}"
    );
    assert_eq!(diff.lines().count(), 1, "{diff}");
    // Writing never deletes what it did not write.
    sdk.write(dir.path()).unwrap();
    assert!(dir.path().join("zz_extra.go").exists());
}

#[test]
fn a_file_that_differs_only_in_line_endings_says_so() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Rust, None);
    let dir = tempfile::tempdir().unwrap();
    sdk.write(dir.path()).unwrap();
    let wire = dir.path().join("src/wire.rs");
    let text = std::fs::read_to_string(&wire).unwrap();
    std::fs::write(&wire, text.replace('\n', "\r\n")).unwrap();
    let diff = sdk.diff(dir.path()).unwrap().expect("CRLF is drift");
    assert_eq!(
        diff,
        "src/wire.rs: differs only in line endings (CRLF on disk, LF generated; a checkout with core.autocrlf?)\n"
    );
}

#[test]
fn renaming_a_package_leaves_no_empty_folder_behind() {
    let dir = tempfile::tempdir().unwrap();
    common::generate_from(&common::vendored_wit(), Language::Python, None)
        .write(dir.path())
        .unwrap();
    assert!(dir.path().join("courier_sdk").is_dir());
    common::generate_from(&common::vendored_wit(), Language::Python, Some("acme_http"))
        .write(dir.path())
        .unwrap();
    assert!(dir.path().join("acme_http").is_dir());
    assert!(!dir.path().join("courier_sdk").exists());
}
