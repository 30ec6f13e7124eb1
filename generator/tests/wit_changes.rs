//! A change in the WIT reaches the generated code through the model alone: no template
//! names a WIT case.

mod common;

use courier_generator::{Language, Model, Wit};

fn changed_lines(before: &str, after: &str) -> Vec<String> {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| format!("{}{}", c.tag(), c.value().trim_end()))
        .collect()
}

#[test]
fn adding_an_error_code_changes_the_generated_enums_only_there() {
    let templates_before = snapshot_templates();
    let dir = common::edited_wit(|t| {
        t.replace(
            "    connection-refused,",
            "    connection-refused,\n    /// The upstream is a teapot.\n    teapot-refused(option<u16>),",
        )
    });
    let before = common::generate_from(&common::vendored_wit(), Language::Rust, None);
    let after = common::generate_from(dir.path(), Language::Rust, None);

    let error_rs = changed_lines(
        &common::text(&before, "src/error.rs"),
        &common::text(&after, "src/error.rs"),
    );
    assert!(
        error_rs.iter().all(|l| l.starts_with('+')),
        "only additions: {error_rs:#?}"
    );
    for line in &error_rs {
        // prettyplease wraps long match arms in a block: a lone `}` belongs to a new arm.
        assert!(
            line.contains("TeapotRefused")
                || line.contains("teapot-refused")
                || line.contains("is a teapot")
                || line.trim_start_matches('+').trim() == "}",
            "unexpected change in error.rs: {line}\n{error_rs:#?}"
        );
    }
    for expected in [
        "+    TeapotRefused(Option<u16>),",
        "+            ErrorCode::TeapotRefused(_) => \"teapot-refused\",",
        "+        \"teapot-refused\",",
    ] {
        assert!(
            error_rs.iter().any(|l| l == expected),
            "missing {expected:?} in {error_rs:#?}"
        );
    }
    // The raw bindings gained the case too (wit-bindgen sees the same WIT).
    assert!(common::text(&after, "src/bindings.rs")
        .contains("TeapotRefused(::core::option::Option<u16>)"));
    assert!(common::text(&after, "README.md")
        .contains("| `teapot-refused` | `ErrorCode::TeapotRefused(..)` |"));
    // Files that do not depend on error-code are byte-identical.
    for path in [
        "src/send.rs",
        "src/executor.rs",
        "src/request.rs",
        "src/wire.rs",
    ] {
        assert_eq!(before.files[path], after.files[path], "{path} changed");
    }
    assert_eq!(
        snapshot_templates(),
        templates_before,
        "generation must not touch templates"
    );
}

#[test]
fn removing_a_method_and_adding_a_scheme_follow_the_wit() {
    let dir = common::edited_wit(|t| {
        t.replacen("    trace,\n", "", 1)
            .replacen("    HTTPS,\n", "    HTTPS,\n    WS,\n", 1)
    });
    let sdk = common::generate_from(dir.path(), Language::Rust, None);
    let wire = common::text(&sdk, "src/wire.rs");
    assert!(!wire.contains("\"TRACE\""), "{wire}");
    assert!(wire.contains("\"ws\" => raw::Scheme::Ws,"), "{wire}");
    assert!(wire.contains("\"PATCH\" => raw::Method::Patch,"), "{wire}");
}

#[test]
fn a_new_request_option_gets_a_field_and_a_builder_method() {
    let dir = common::edited_wit(|t| {
        t.replacen(
            "    between-bytes-timeout: func() -> option<duration>;",
            "    between-bytes-timeout: func() -> option<duration>;\n    total-timeout: func() -> option<duration>;\n    set-total-timeout: func(duration: option<duration>) -> result;",
            1,
        )
    });
    let wit = Wit::load(dir.path()).unwrap();
    let model = Model::from_wit(&wit).unwrap();
    assert_eq!(
        model.request_options.last().unwrap().wit_name,
        "total-timeout"
    );
    let sdk = courier_generator::generate(Language::Rust, &wit, &model, None).unwrap();
    assert!(common::text(&sdk, "src/options.rs")
        .contains("pub total_timeout: Option<std::time::Duration>,"));
    assert!(common::text(&sdk, "src/request.rs")
        .contains("pub fn total_timeout(mut self, value: std::time::Duration) -> Self"));
}

#[test]
fn package_name_renames_the_crate() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Rust, Some("acme-http"));
    assert!(common::text(&sdk, "Cargo.toml").contains("name = \"acme-http\""));
    assert!(common::text(&sdk, "README.md").contains("acme_http::http_component!(handle);"));
    let wit = Wit::load(&common::vendored_wit()).unwrap();
    let model = Model::from_wit(&wit).unwrap();
    let err = courier_generator::generate(Language::Rust, &wit, &model, Some("9 bad")).unwrap_err();
    assert!(
        err.to_string().contains("not a valid Rust package name"),
        "{err}"
    );
}

/// `file:line:col` of the first line of deps/http.wit in `dir` that contains `text`.
fn wit_location(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("deps/http.wit");
    let source = std::fs::read_to_string(&path).unwrap();
    let (line, found) = source
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(text))
        .unwrap();
    let col = found.len() - found.trim_start().len() + 1;
    format!("{}:{}:{col}", path.display(), line + 1)
}

#[test]
fn an_unsupported_payload_is_an_error_with_a_location_not_a_panic() {
    let dir = common::edited_wit(|t| {
        t.replace(
            "    connection-refused,",
            "    connection-refused,\n    odd-one(tuple<u8, u8>),",
        )
    });
    let wit = Wit::load(dir.path()).unwrap();
    let model = Model::from_wit(&wit).unwrap();
    let at = format!(
        "{} (error-code.odd-one)",
        wit_location(dir.path(), "odd-one")
    );
    for &language in Language::ALL {
        let err = courier_generator::generate(language, &wit, &model, None).unwrap_err();
        assert_eq!(err.location(), Some(at.as_str()), "{language}: {err}");
        assert!(err.hint_text().is_some(), "{language}: {err}");
    }
}

#[test]
fn a_missing_case_the_sdks_rely_on_is_named_with_where_to_look() {
    // Methods without their catch-all: the SDKs map unknown methods to it.
    let dir = common::edited_wit(|t| t.replacen("    other(string),\n", "", 1));
    let wit = Wit::load(dir.path()).unwrap();
    let model = Model::from_wit(&wit).unwrap();
    let first = format!("{} (method.get)", wit_location(dir.path(), "    get,"));
    for &language in Language::ALL {
        let err = courier_generator::generate(language, &wit, &model, None).unwrap_err();
        assert!(
            err.message().contains("no `other(string)` case"),
            "{language}: {err}"
        );
        assert_eq!(err.location(), Some(first.as_str()), "{language}: {err}");
    }

    // An error code the SDKs report their own refusals with.
    let dir = common::edited_wit(|t| {
        t.replace(
            "    internal-error(option<string>)",
            "    internal-failure(option<string>)",
        )
    });
    let wit = Wit::load(dir.path()).unwrap();
    let model = Model::from_wit(&wit).unwrap();
    let first = format!(
        "{} (error-code.DNS-timeout)",
        wit_location(dir.path(), "    DNS-timeout,")
    );
    for language in [Language::Go, Language::Js] {
        let err = courier_generator::generate(language, &wit, &model, None).unwrap_err();
        assert!(
            err.message().contains("no case `internal-error`"),
            "{language}: {err}"
        );
        assert_eq!(err.location(), Some(first.as_str()), "{language}: {err}");
    }
}

fn snapshot_templates() -> Vec<(String, Vec<u8>)> {
    let dir = common::repo().join("templates/rust");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.display().to_string(), std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}
