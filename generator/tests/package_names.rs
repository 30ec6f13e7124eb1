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

/// `good` names are accepted and `bad` ones refused, each with the reason in the message.
fn accepts(language: Language, good: &[&str], bad: &[(&str, &str)]) {
    for name in good {
        language
            .validate_package_name(name)
            .unwrap_or_else(|e| panic!("{language} {name}: {e}"));
    }
    for (name, reason) in bad {
        let err = language
            .validate_package_name(name)
            .expect_err(&format!("{language} {name} should be refused"))
            .to_string();
        assert!(err.contains(reason), "{language} {name}: {err}");
    }
}

#[test]
fn names_each_language_would_refuse_or_misread_are_refused() {
    accepts(
        Language::Rust,
        &["my-http", "http_sdk", "selfish"],
        &[
            ("self", "Rust already uses it"),
            ("crate", "Rust already uses it"),
            ("std", "Rust already uses it"),
            ("fn", "Rust already uses it"),
            ("proc-macro", "Rust already uses it"),
            ("1st", "not a valid Rust package name"),
        ],
    );
    accepts(
        Language::Python,
        &["my_http", "x_", "a__b", "_private", "none_such"],
        &[
            ("for", "not a valid Python package name"),
            ("wit_world", "componentize-py's bindings"),
            ("componentize_py_types", "componentize-py's bindings"),
            ("json", "standard library"),
            ("http", "standard library"),
            ("My_http", "not a valid Python package name"),
        ],
    );
    accepts(
        Language::Js,
        &["courier-sdk", "my.http_sdk", "@me/http"],
        &[
            ("node_modules", "npm refuses"),
            ("favicon.ico", "npm refuses"),
            ("Courier", "not a valid npm package name"),
            ("", "not a valid npm package name"),
            (".hidden", "not a valid npm package name"),
            ("@me", "not a valid npm package name"),
            ("a b", "not a valid npm package name"),
            ("@Me/x", "not a valid npm package name"),
        ],
    );
    accepts(
        Language::Go,
        &[
            "example.com/httpsdk",
            "example.com/foo/v2",
            "gopkg.in/yaml.v3",
        ],
        &[
            ("example.com/func", "is a Go keyword"),
            ("example.com/type/v2", "is a Go keyword"),
            ("example.com/main", "no program can import"),
            ("httpsdk", "not a usable Go module path"),
        ],
    );
}

#[test]
fn a_go_package_is_named_as_the_go_tool_names_it() {
    use courier_generator::backend::go::package_of;
    assert_eq!(package_of("example.com/acme/httpsdk"), "httpsdk");
    assert_eq!(package_of("example.com/foo/v2"), "foo");
    assert_eq!(package_of("gopkg.in/yaml.v3"), "yaml");
    assert_eq!(package_of("example.com/my-sdk"), "mysdk");
    // Only gopkg.in uses the `.vN` suffix for versions.
    assert_eq!(package_of("example.com/yaml.v3"), "yamlv3");
}
