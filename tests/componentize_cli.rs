//! `courier componentize` as the Go SDK's README runs it: a WASI preview1 reactor in, a
//! wasi:http component out, the world defaulting to the wasi:http/proxy of `--wit`.

mod common;

use std::path::Path;

fn componentize(dir: &Path, args: &[&str]) -> (i32, String) {
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit");
    let wit = wit.to_str().expect("a UTF-8 checkout path");
    let args: Vec<&str> = ["componentize", "--wit", wit]
        .iter()
        .chain(args)
        .copied()
        .collect();
    common::courier(dir, &args)
}

#[test]
fn a_reactor_becomes_a_component_of_the_vendored_proxy_world() {
    let dir = tempfile::tempdir().unwrap();
    let http =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/deps/http.wit"))
            .unwrap();
    let version = http
        .lines()
        .find_map(|l| l.strip_prefix("package wasi:http@"))
        .and_then(|v| v.strip_suffix(';'))
        .expect("wit/deps/http.wit names its package");
    let core = wat::parse_str(format!(
        r#"(module
            (memory (export "memory") 1)
            (func (export "_initialize"))
            (func (export "wasi:http/incoming-handler@{version}#handle") (param i32 i32))
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 1024))"#
    ))
    .unwrap();
    std::fs::write(dir.path().join("core.wasm"), core).unwrap();

    let (code, text) = componentize(dir.path(), &["core.wasm", "-o", "app.wasm"]);
    assert_eq!(code, 0, "{text}");
    let app = std::fs::read(dir.path().join("app.wasm")).unwrap();
    assert_eq!(app[4..8], [0x0d, 0, 1, 0], "a component");
    let exported = format!("wasi:http/incoming-handler@{version}");
    assert!(String::from_utf8_lossy(&app).contains(&exported));
}

#[test]
fn a_missing_input_and_a_wrong_world_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = componentize(dir.path(), &["nope.wasm", "-o", "app.wasm"]);
    assert_ne!(code, 0);
    assert!(text.contains("nope.wasm"), "{text}");

    std::fs::write(
        dir.path().join("core.wasm"),
        wat::parse_str("(module)").unwrap(),
    )
    .unwrap();
    let (code, text) = componentize(
        dir.path(),
        &["--world", "wasi:http/nope", "core.wasm", "-o", "app.wasm"],
    );
    assert_ne!(code, 0);
    assert!(text.contains("wasi:http/nope"), "{text}");

    // Outside the repository, the default --wit is the source tree's, and says so.
    let (_, text) = common::courier(dir.path(), &["componentize", "core.wasm", "-o", "app.wasm"]);
    assert!(
        text.contains("using the source tree courier was built from"),
        "{text}"
    );
    assert!(!text.contains("no WIT folder"), "{text}");
    let (code, text) = common::courier(
        dir.path(),
        &[
            "componentize",
            "--wit",
            "missing",
            "core.wasm",
            "-o",
            "app.wasm",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("no WIT folder at missing") && text.contains("--wit DIR"),
        "{text}"
    );
}
