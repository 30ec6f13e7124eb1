//! The Go backend: the copy of the bindings' runtime package it carries (checked against the
//! wit-bindgen-go crate the generator links), the pinned toolchain against that package's `go`
//! line, WIT changes reaching the SDK through the model alone, and the generated SDK passing
//! `gofmt -l` and `go vet`. Needs the pinned Go (`languages/go/setup`), which also formats
//! the SDK.

mod common;

use std::path::PathBuf;
use std::process::Command;

use courier_generator::backend::go::{witpkg_files, witpkg_go_version};
use courier_generator::Language;

const MODULE: &str = "golden.example/sdk";

/// The wit-bindgen-go crate's source folder, found through `cargo metadata`.
fn wit_bindgen_go_dir() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(common::repo().join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let key = "\"manifest_path\":\"";
    text.match_indices(key)
        .map(|(i, _)| {
            let rest = &text[i + key.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .find(|p| p.contains("wit-bindgen-go-"))
        .map(|p| PathBuf::from(p).parent().unwrap().to_path_buf())
        .expect("wit-bindgen-go is a dependency of the generator")
}

#[test]
fn witpkg_copy_matches_the_linked_crate() {
    let pkg = wit_bindgen_go_dir().join("src/pkg");
    for (path, contents) in witpkg_files() {
        let theirs = std::fs::read(pkg.join(path))
            .unwrap_or_else(|e| panic!("{}: {e}", pkg.join(path).display()));
        assert!(
            theirs == *contents,
            "templates/go/witpkg/{path} differs from {}: refresh the copy (templates/go/witpkg/README.md)",
            pkg.join(path).display()
        );
    }
    // Every Go file of the packages the bindings import is carried.
    for dir in ["wit/runtime", "wit/types", "wit/async"] {
        for entry in std::fs::read_dir(pkg.join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let rel = format!("{dir}/{name}");
            assert!(
                witpkg_files().iter().any(|(p, _)| *p == rel),
                "{rel} of the crate is not carried in templates/go/witpkg"
            );
        }
    }
}

fn version_tuple(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap()).collect()
}

#[test]
fn the_pinned_go_is_new_enough_for_the_runtime_package() {
    let setup = std::fs::read_to_string(common::repo().join("languages/go/setup")).unwrap();
    let pinned = setup
        .lines()
        .find_map(|l| l.strip_prefix("GO_VERSION="))
        .expect("languages/go/setup pins GO_VERSION");
    let needed = witpkg_go_version().unwrap();
    assert!(
        version_tuple(pinned) >= version_tuple(&needed),
        "languages/go/setup pins Go {pinned}, but the bindings' runtime package declares go {needed}"
    );
}

#[test]
fn adding_an_error_code_reaches_the_go_constants_names_and_conversion() {
    let wit = common::edited_wit(|t| {
        t.replacen(
            "    internal-error(option<string>)",
            "    HTTP-teapot,\n    internal-error(option<string>)",
            1,
        )
    });
    let sdk = common::generate_from(wit.path(), Language::Go, Some(MODULE));
    let errors = String::from_utf8_lossy(&sdk.files["errors.go"]).into_owned();
    assert!(errors.contains("CodeHttpTeapot"), "{errors}");
    assert!(errors.contains("\t\"HTTP-teapot\",\n"), "{errors}");
    assert!(
        errors.contains("case raw.ErrorCode_HttpTeapot:"),
        "{errors}"
    );
    // internal-error moved one place down, and the raw bindings have the new case too.
    assert!(errors.contains("CodeInternalError Code = 39"), "{errors}");
    let raw =
        String::from_utf8_lossy(&sdk.files["internal/wit/imports/wasi_http_types/wit_bindings.go"]);
    assert!(raw.contains("ErrorCode_HttpTeapot"));
}

#[test]
fn module_path_names_the_package_and_imports() {
    let sdk = common::generate_from(
        &common::vendored_wit(),
        Language::Go,
        Some("example.com/x/httpsdk"),
    );
    let client = String::from_utf8_lossy(&sdk.files["client.go"]).into_owned();
    assert!(client.starts_with("package httpsdk\n"), "{client}");
    assert!(client.contains("\"example.com/x/httpsdk/internal/wit/imports/wasi_http_types\""));
    assert!(
        String::from_utf8_lossy(&sdk.files["go.mod"]).contains("module example.com/x/httpsdk\n")
    );
    let wit = courier_generator::Wit::load(&common::vendored_wit()).unwrap();
    let model = courier_generator::Model::from_wit(&wit).unwrap();
    for bad in [
        "golden-sdk",
        "example.com/",
        "example.com/9lives",
        "a b.com/x",
    ] {
        let err = courier_generator::generate(Language::Go, &wit, &model, Some(bad))
            .err()
            .unwrap_or_else(|| panic!("`{bad}` was accepted"));
        assert!(
            err.to_string().contains("not a usable Go module path"),
            "{err}"
        );
    }
}

/// The pinned toolchain's `go`, installed by languages/go/setup.
fn go() -> PathBuf {
    let go = common::repo().join(".courier/toolchains/go/bin/go");
    assert!(
        go.is_file(),
        "{} is missing: run languages/go/setup (the Go SDK tests need the pinned Go)",
        go.display()
    );
    go
}

#[test]
fn the_generated_sdk_is_gofmt_clean_and_passes_go_vet() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Go, Some(MODULE));
    let dir = tempfile::tempdir().unwrap();
    sdk.write(dir.path()).unwrap();
    let gofmt = go().with_file_name("gofmt");
    let out = Command::new(gofmt)
        .arg("-l")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "gofmt -l lists files"
    );
    let vet = |args: &[&str]| {
        let out = Command::new(go())
            .arg("vet")
            .args(args)
            .current_dir(dir.path())
            .env("GOOS", "wasip1")
            .env("GOARCH", "wasm")
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "")
            .env("GOWORK", "off")
            .env("GOCACHE", common::repo().join("target/courier/go/cache"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "go vet {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The SDK's own packages with every default analyzer.
    vet(&[".", "./internal/inbound"]);
    // wit-bindgen-go's raw bindings convert uintptr to unsafe.Pointer and use unkeyed
    // generic composites by design; everything else must pass.
    vet(&["-unsafeptr=false", "-composites=false", "./..."]);
}
