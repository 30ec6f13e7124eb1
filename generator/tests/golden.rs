//! Golden tests: pin each backend's output for the vendored WIT, file by file.
//!
//! The pinned copies live in tests/golden/<lang>/ and are generated with package name
//! `golden-sdk`. The raw bindings (wit-bindgen's output, thousands of lines) are left out
//! here; the drift test pins them through the checked-in SDK. After an intended change,
//! refresh with `UPDATE_GOLDEN=1 cargo test -p courier-generator --test golden` and review
//! the diff.

mod common;

use courier_generator::Language;

#[test]
fn rust_backend_matches_golden_files() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Rust, Some("golden-sdk"));
    common::check_golden(&sdk, "rust", |p| p != "src/bindings.rs", "golden");
}
