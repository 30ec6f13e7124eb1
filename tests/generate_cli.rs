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

#[test]
fn a_language_that_fails_leaves_every_sdk_unwritten() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    // The Go backend fails (its formatter does); rust, python and js generate fine.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_courier"))
        .args(["generate", "--out"])
        .arg(out.path())
        .env("COURIER_GOFMT", "/bin/false")
        .current_dir(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/bin/false failed"), "{stderr}");
    assert!(
        stderr.contains("COURIER_GOFMT must name a gofmt binary"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing is written when one language fails"
    );
}

#[test]
fn out_must_be_a_folder_outside_the_wit() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("afile");
    std::fs::write(&file, "").unwrap();
    let (code, text) = common::courier(root, &["generate", "--out", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("is not a directory"), "{text}");

    let (code, text) = common::courier(root, &["generate", "--out", "wit/../wit/deps"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("is inside the WIT directory"), "{text}");
    assert!(!root.join("wit/deps/rust").exists());

    let missing = dir.path().join("never");
    let (code, text) = common::courier(
        root,
        &[
            "generate",
            "--lang",
            "go",
            "--check",
            "--out",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("go/sdk: does not exist"), "{text}");
    assert!(!text.contains("+++"), "no diff of a whole SDK: {text}");
}

#[test]
fn the_drift_hint_quotes_what_the_shell_would_split() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("my sdks");
    std::fs::create_dir(&out).unwrap();
    let (code, text) = common::courier(
        root,
        &[
            "generate",
            "--lang",
            "rust",
            "--check",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!("--out '{}'", out.display())),
        "{text}"
    );
}

#[test]
fn the_default_folders_are_the_projects_wherever_it_runs() {
    let languages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("languages");
    let (code, text) = common::courier(&languages, &["generate", "--check"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("languages/go/sdk: up to date"), "{text}");
}
