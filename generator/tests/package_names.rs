//! `--package-name` changes the name and nothing else, in every language: the output under a
//! custom name, with the name turned back, is the default output file for file (which the
//! drift test pins to the checked-in SDK).

mod common;

use courier_generator::Language;

#[test]
fn rust_crate_name() {
    common::check_renamed(
        Language::Rust,
        "acme-http",
        &[("acme-http", "courier-sdk"), ("acme_http", "courier_sdk")],
        &["courier-sdk", "courier_sdk"],
    );
}

#[test]
fn python_package_name() {
    common::check_renamed(
        Language::Python,
        "acme_http",
        &[("acme_http", "courier_sdk")],
        &["courier_sdk", "courier-sdk"],
    );
}

#[test]
fn js_package_name() {
    common::check_renamed(
        Language::Js,
        "acme-http",
        &[("acme-http", "courier-sdk")],
        &["courier-sdk"],
    );
}

#[test]
fn go_module_path_and_package() {
    common::check_renamed(
        Language::Go,
        "example.com/acme/httpsdk",
        &[
            ("example.com/acme/httpsdk", "courier.dev/courier"),
            ("httpsdk", "courier"),
        ],
        &["courier.dev/courier"],
    );
}
