//! Model tests against the vendored WIT, plus edited copies of it for the failure paths.

use std::path::{Path, PathBuf};

use super::*;

fn vendored() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit")
}

fn model() -> Model {
    let wit = Wit::load(&vendored()).expect("vendored WIT loads");
    Model::from_wit(&wit).expect("model builds")
}

/// A copy of the vendored WIT with `edit` applied to deps/http.wit.
fn edited(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("deps")).unwrap();
    for entry in std::fs::read_dir(vendored().join("deps")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap();
        let text = if name == "http.wit" {
            edit(&text)
        } else {
            text
        };
        std::fs::write(dir.path().join("deps").join(name), text).unwrap();
    }
    std::fs::copy(vendored().join("world.wit"), dir.path().join("world.wit")).unwrap();
    dir
}

fn names(cases: &[Case]) -> Vec<&str> {
    cases.iter().map(|c| c.wit_name.as_str()).collect()
}

/// The case names of `variant <name> { ... }` read straight from the WIT text, as an
/// independent count to compare the model against.
fn cases_in_text(text: &str, variant: &str) -> Vec<String> {
    let start = text.find(&format!("variant {variant} {{")).unwrap();
    let body = &text[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n  }").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('@'))
        .map(|l| {
            l.trim_end_matches(',')
                .split('(')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn names_the_package_and_world() {
    let m = model();
    assert_eq!(m.package, "wasi:http@0.2.12");
    assert_eq!(m.version, "0.2.12");
    assert_eq!(m.world, "wasi:http/proxy@0.2.12");
}

#[test]
fn every_error_code_case_comes_from_the_wit_in_order() {
    let m = model();
    let text = std::fs::read_to_string(vendored().join("deps/http.wit")).unwrap();
    assert_eq!(names(&m.error_codes), cases_in_text(&text, "error-code"));
    assert!(
        m.error_codes.len() >= 38,
        "wasi:http 0.2.12 has 39 error codes"
    );
}

#[test]
fn error_codes_keep_wit_spelling_and_payloads() {
    let m = model();
    let case = |n: &str| {
        m.error_codes
            .iter()
            .find(|c| c.wit_name == n)
            .unwrap()
            .clone()
    };
    assert_eq!(case("HTTP-request-denied").payload, None);
    assert_eq!(case("connection-refused").payload, None);
    assert_eq!(
        case("DNS-error").payload,
        Some(TypeRef::Record("DNS-error-payload".into()))
    );
    assert_eq!(
        case("HTTP-request-body-size").payload,
        Some(TypeRef::Option(Box::new(TypeRef::U64)))
    );
    assert_eq!(
        case("HTTP-request-header-size").payload,
        Some(TypeRef::Option(Box::new(TypeRef::Record(
            "field-size-payload".into()
        ))))
    );
    assert_eq!(
        case("internal-error").payload,
        Some(TypeRef::Option(Box::new(TypeRef::String)))
    );
    assert!(case("DNS-error").docs.is_none() || case("DNS-error").docs.unwrap().len() > 3);
}

#[test]
fn payload_records_are_collected_with_their_fields() {
    let m = model();
    let mut records: Vec<_> = m.records.iter().map(|r| r.wit_name.as_str()).collect();
    records.sort();
    assert_eq!(
        records,
        [
            "DNS-error-payload",
            "TLS-alert-received-payload",
            "field-size-payload"
        ]
    );
    let dns = m.record("DNS-error-payload").unwrap();
    let fields: Vec<_> = dns
        .fields
        .iter()
        .map(|f| (f.wit_name.as_str(), &f.ty))
        .collect();
    assert_eq!(
        fields,
        [
            ("rcode", &TypeRef::Option(Box::new(TypeRef::String))),
            ("info-code", &TypeRef::Option(Box::new(TypeRef::U16)))
        ]
    );
}

#[test]
fn methods_schemes_and_header_errors() {
    let m = model();
    assert_eq!(
        names(&m.methods),
        ["get", "head", "post", "put", "delete", "connect", "options", "trace", "patch", "other"]
    );
    assert_eq!(m.methods.last().unwrap().payload, Some(TypeRef::String));
    assert_eq!(names(&m.schemes), ["HTTP", "HTTPS", "other"]);
    assert_eq!(
        names(&m.header_errors),
        ["invalid-syntax", "forbidden", "immutable"]
    );
}

#[test]
fn request_options_are_getter_setter_pairs_of_durations() {
    let m = model();
    let duration = TypeRef::Alias {
        wit_name: "duration".into(),
        target: Box::new(TypeRef::U64),
    };
    let options: Vec<_> = m
        .request_options
        .iter()
        .map(|o| (o.wit_name.as_str(), &o.ty))
        .collect();
    assert_eq!(
        options,
        [
            ("connect-timeout", &duration),
            ("first-byte-timeout", &duration),
            ("between-bytes-timeout", &duration)
        ]
    );
}

#[test]
fn handler_signatures() {
    let m = model();
    let out = &m.outgoing_handler;
    assert_eq!(out.interface, "wasi:http/outgoing-handler@0.2.12");
    assert_eq!(
        out.params,
        [
            (
                "request".to_string(),
                TypeRef::Own("outgoing-request".into())
            ),
            (
                "options".to_string(),
                TypeRef::Option(Box::new(TypeRef::Own("request-options".into())))
            ),
        ]
    );
    assert_eq!(
        out.result,
        Some(TypeRef::Result {
            ok: Some(Box::new(TypeRef::Own("future-incoming-response".into()))),
            err: Some(Box::new(TypeRef::Variant("error-code".into()))),
        })
    );
    let inc = &m.incoming_handler;
    assert_eq!(inc.interface, "wasi:http/incoming-handler@0.2.12");
    assert_eq!(inc.params.len(), 2);
    assert_eq!(inc.result, None);
}

#[test]
fn an_added_error_code_appears_in_the_model() {
    let dir = edited(|t| {
        t.replace(
            "    connection-refused,",
            "    connection-refused,\n    teapot-refused,",
        )
    });
    let m = Model::from_wit(&Wit::load(dir.path()).unwrap()).unwrap();
    let names = names(&m.error_codes);
    let at = names
        .iter()
        .position(|n| *n == "connection-refused")
        .unwrap();
    assert_eq!(names[at + 1], "teapot-refused");
    assert_eq!(m.error_codes.len(), model().error_codes.len() + 1);
}

#[test]
fn a_missing_directory_says_where_and_what_to_do() {
    let err = Wit::load(Path::new("/nonexistent/wit")).err().unwrap();
    assert_eq!(err.location(), Some("/nonexistent/wit"));
    assert!(err.hint_text().unwrap().contains("--wit"));
}

#[test]
fn a_syntax_error_is_reported_with_its_wit_location() {
    let dir = edited(|t| t.replacen("variant error-code {", "variant error-code {{", 1));
    let err = Wit::load(dir.path()).err().unwrap().to_string();
    assert!(err.contains("http.wit:"), "{err}");
}

#[test]
fn a_wit_without_wasi_http_0_2_is_refused() {
    let dir = edited(|t| t.replace("package wasi:http@0.2.12;", "package wasi:http@0.3.0;"));
    // Other packages still import wasi:http@0.2.12 in world.wit, so loading fails or
    // finds no 0.2 package; either way the error names the problem instead of panicking.
    let err = Wit::load(dir.path()).err().unwrap().to_string();
    assert!(err.contains("0.2") || err.contains("wasi:http"), "{err}");
}

#[test]
fn a_missing_variant_points_at_the_interface() {
    let dir = edited(|t| {
        let start = t.find("  variant header-error {").unwrap();
        let end = start + t[start..].find("\n  }").unwrap() + 4;
        // Keep the name in use elsewhere resolvable: turn the variant into an enum.
        format!(
            "{}  enum header-error {{ invalid-syntax, forbidden, immutable }}{}",
            &t[..start],
            &t[end..]
        )
    });
    let err = Model::from_wit(&Wit::load(dir.path()).unwrap())
        .err()
        .unwrap();
    assert!(err.message().contains("expected a variant"), "{err}");
    assert!(err.location().unwrap().contains("http.wit:"), "{err}");
}
