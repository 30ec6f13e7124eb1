//! Builds the example guest (languages/rust/example) on the checked-in Rust SDK for
//! wasm32-wasip2, as a user would, and checks that the result is a component exporting
//! the wasi:http incoming handler. Needs `rustup target add wasm32-wasip2`.

mod common;

use std::process::Command;

#[test]
fn example_guest_builds_for_wasm32_wasip2() {
    let repo = common::repo();
    let example = repo.join("languages/rust/example");
    let target_dir = repo.join("target/wasm-guests");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--target", "wasm32-wasip2", "--release"])
        .current_dir(&example)
        .env("CARGO_TARGET_DIR", &target_dir)
        // Host flags (e.g. -C target-cpu) do not apply to the wasm target.
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "building {} failed (is the target installed? `rustup target add wasm32-wasip2`):\n{stderr}",
        example.display()
    );
    assert!(
        !stderr.contains("warning:"),
        "the SDK or example has warnings:\n{stderr}"
    );

    let wasm =
        std::fs::read(target_dir.join("wasm32-wasip2/release/courier_rust_example.wasm")).unwrap();
    // Component binaries use layer 1 in the preamble (core modules use layer 0).
    assert_eq!(&wasm[..8], b"\0asm\x0d\0\x01\0", "not a component");
    let exports_handler = wasm
        .windows(b"wasi:http/incoming-handler@0.2".len())
        .any(|w| w == b"wasi:http/incoming-handler@0.2");
    assert!(
        exports_handler,
        "the component does not mention wasi:http/incoming-handler"
    );
}
