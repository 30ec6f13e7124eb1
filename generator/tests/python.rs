//! The Python backend: WIT changes reaching the SDK through the model alone, and its
//! package-name rules.

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
fn a_new_error_code_becomes_an_exception_class_and_nothing_else_changes() {
    let dir = common::edited_wit(|t| {
        t.replace(
            "    connection-refused,",
            "    connection-refused,\n    /// The upstream is a teapot.\n    teapot-refused(option<u16>),",
        )
    });
    let before = common::generate_from(&common::vendored_wit(), Language::Python, None);
    let after = common::generate_from(dir.path(), Language::Python, None);
    let errors = changed_lines(
        &common::text(&before, "courier_sdk/errors.py"),
        &common::text(&after, "courier_sdk/errors.py"),
    );
    assert!(
        errors.iter().all(|l| l.starts_with('+')),
        "only additions: {errors:#?}"
    );
    for expected in [
        "+class TeapotRefused(HttpError):",
        "+    code = \"teapot-refused\"",
        "+    \"teapot-refused\": TeapotRefused,",
        "+    if isinstance(raw_case, raw.ErrorCode_TeapotRefused):",
        "+        return TeapotRefused(message, raw_case.value)",
    ] {
        assert!(
            errors.iter().any(|l| l == expected),
            "missing {expected:?} in {errors:#?}"
        );
    }
    assert!(common::text(&after, "README.md")
        .contains("| `teapot-refused` | `errors.TeapotRefused` (`payload`) |"));
    for path in [
        "courier_sdk/http.py",
        "courier_sdk/body.py",
        "courier_sdk/poll_loop.py",
        "courier_sdk/_wire.py",
        "courier_sdk/options.py",
        "courier_sdk/handler.py",
    ] {
        assert_eq!(before.files[path], after.files[path], "{path} changed");
    }
}

#[test]
fn methods_schemes_and_request_options_follow_the_wit() {
    let dir = common::edited_wit(|t| {
        t.replacen("    trace,\n", "", 1)
            .replacen("    HTTPS,\n", "    HTTPS,\n    WS,\n", 1)
            .replacen(
                "    between-bytes-timeout: func() -> option<duration>;",
                "    between-bytes-timeout: func() -> option<duration>;\n    total-timeout: func() -> option<duration>;\n    set-total-timeout: func(duration: option<duration>) -> result;",
                1,
            )
    });
    let wit = Wit::load(dir.path()).unwrap();
    let model = Model::from_wit(&wit).unwrap();
    let sdk = courier_generator::generate(Language::Python, &wit, &model, None).unwrap();
    let wire = common::text(&sdk, "courier_sdk/_wire.py");
    assert!(!wire.contains("\"TRACE\""), "{wire}");
    assert!(wire.contains("\"PATCH\": raw.Method_Patch(),"), "{wire}");
    assert!(
        wire.contains("    if lowered == \"ws\":\n        return raw.Scheme_Ws()"),
        "{wire}"
    );
    let options = common::text(&sdk, "courier_sdk/options.py");
    assert!(
        options.contains("    total_timeout: float | None = None"),
        "{options}"
    );
    assert!(
        options.contains("options.set_total_timeout(value)"),
        "{options}"
    );
}

#[test]
fn the_package_name_is_the_module_and_is_checked() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Python, Some("acme_http"));
    assert!(sdk.files.contains_key("acme_http/http.py"));
    assert!(!sdk.files.keys().any(|p| p.starts_with("courier_sdk/")));
    assert!(common::text(&sdk, "README.md").contains("from acme_http.http import Request"));
    assert!(common::text(&sdk, "pyproject.toml").contains("name = \"acme_http\""));
    let wit = Wit::load(&common::vendored_wit()).unwrap();
    let model = Model::from_wit(&wit).unwrap();
    for bad in ["acme-http", "9lives", "class", "Acme", ""] {
        let err = courier_generator::generate(Language::Python, &wit, &model, Some(bad))
            .err()
            .unwrap_or_else(|| panic!("`{bad}` was accepted"));
        assert!(
            err.to_string().contains("not a valid Python package name"),
            "{err}"
        );
    }
}

#[test]
fn binding_module_names_are_pinned_for_every_interface_the_sdk_imports() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Python, None);
    let bindings = common::text(&sdk, "courier_sdk/_bindings.py");
    for flag in [
        "--import-interface-name wasi:http/types@0.2.12=http_types",
        "--import-interface-name wasi:http/outgoing-handler@0.2.12=outgoing_handler",
        "--export-interface-name wasi:http/incoming-handler@0.2.12=incoming_handler",
        "--import-interface-name wasi:io/streams@0.2.12=streams",
        "--import-interface-name wasi:io/poll@0.2.12=poll",
        "--import-interface-name wasi:io/error@0.2.12=io_error",
        "--import-interface-name wasi:clocks/monotonic-clock@0.2.12=monotonic_clock",
    ] {
        assert!(bindings.contains(flag), "{flag} missing:\n{bindings}");
    }
    // The checked-in language file builds with exactly these flags.
    let toml =
        std::fs::read_to_string(common::repo().join("languages/python/language.toml")).unwrap();
    for line in bindings
        .lines()
        .filter(|l| l.trim_start().starts_with("--"))
    {
        let (flag, value) = line.trim().split_once(' ').unwrap();
        assert!(
            toml.contains(&format!("\"{flag}\", \"{value}\"")),
            "language.toml lacks {flag} {value}"
        );
    }
}
