//! `courier generate` as a user runs it: write SDKs elsewhere, then check them for drift.

mod common;

#[test]
fn check_finds_drift_in_another_folder_and_its_hint_rewrites_that_folder() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let check = ["generate", "--lang", "rust", "--out", out_dir, "--check"];

    let (code, text) = common::courier(root, &check);
    assert_eq!(code, 1, "an empty folder has drifted: {text}");
    let hint = format!("run `courier generate --lang rust --out {out_dir}`");
    assert!(text.contains(&hint), "{text}");

    let (code, text) = common::courier(root, &check[..5]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = common::courier(root, &check);
    assert_eq!(code, 0, "what was just written is up to date: {text}");
}
