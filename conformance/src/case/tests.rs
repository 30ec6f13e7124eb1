use std::path::Path;

use super::*;
use crate::placeholder::{Context, UpstreamAddr};

const GOOD: &str = r#"
id = "X01"
title = "a good case"
tier = "core"
needs = ["policy"]

[upstreams.U]
mode = "static"
[[upstreams.U.routes]]
path = "/a"
status = 201
body = "made"
[upstreams.U.expect]
requests = 1
[[upstreams.U.expect.request]]
method = "GET"
target = "/a?x=1"
headers = { host = ["{U}"] }

[[steps]]
url = "http://{U}/a?x=1"
[steps.expect]
status = 201
body = "made"

[[steps]]
url = "http://{U.host}:{U.port+1}/"
[steps.expect]
error = ["HTTP-request-denied"]
"#;

fn load(text: &str) -> Result<LoadedCase, CaseError> {
    parse(Path::new("cases/X01.toml"), text)
}

fn at(text: &str) -> (Option<(usize, usize)>, Option<String>, String) {
    let e = load(text).unwrap_err();
    (e.at, e.field, e.message)
}

#[test]
fn a_good_case_loads_and_instantiates() {
    let c = load(GOOD).unwrap();
    assert_eq!(c.case.id, "X01");
    assert_eq!(c.case.steps.len(), 2);
    assert_eq!(c.case.components()[0].id, "agent");
    assert_eq!(c.case.components()[0].run_path().as_deref(), Some("/run"));
    let mut ctx = Context::default();
    ctx.upstreams.insert(
        "U".into(),
        UpstreamAddr {
            addr: "127.0.0.1:4321".parse().unwrap(),
            scheme: "http",
        },
    );
    let inst = c.instantiate(&ctx).unwrap();
    assert_eq!(
        inst.steps[0].url.as_deref(),
        Some("http://127.0.0.1:4321/a?x=1")
    );
    assert_eq!(inst.steps[1].url.as_deref(), Some("http://127.0.0.1:4322/"));
    assert_eq!(
        inst.upstreams["U"].expect.request[0].headers["host"],
        vec!["127.0.0.1:4321".to_string()]
    );
    assert_eq!(inst.steps[0].expect.status, Some(StatusSet(vec![201])));
}

#[test]
fn an_unknown_top_level_field_is_rejected_at_its_line() {
    let text = GOOD.replace("tier = \"core\"\n", "tier = \"core\"\ntitel = \"typo\"\n");
    let (pos, _, msg) = at(&text);
    assert_eq!(pos, Some((5, 1)));
    assert!(msg.contains("unknown field `titel`"), "{msg}");
}

#[test]
fn an_unknown_nested_field_is_rejected_at_its_line() {
    let text = GOOD.replace(
        "status = 201\nbody = \"made\"\n\n[[steps]]",
        "stauts = 201\n\n[[steps]]",
    );
    let (pos, _, msg) = at(&text);
    assert_eq!(pos, Some((23, 1)));
    assert!(msg.contains("unknown field `stauts`"), "{msg}");
}

#[test]
fn malformed_toml_is_rejected_with_line_and_column() {
    let (pos, _, msg) = at("id = \"X01\ntitle = \"t\"\n");
    assert_eq!(pos.map(|p| p.0), Some(1));
    assert!(!msg.is_empty());
    let (pos, _, _) = at("id = \"X01\"\ntitle = \"t\"\ntier = core\n");
    assert_eq!(pos, Some((3, 8)));
}

#[test]
fn a_bad_enum_value_names_the_choices() {
    let (pos, _, msg) = at(&GOOD.replace("tier = \"core\"", "tier = \"gold\""));
    assert_eq!(pos, Some((4, 8)));
    assert!(msg.contains("core") && msg.contains("optional"), "{msg}");
}

#[test]
fn a_bad_body_table_is_rejected_with_the_reason() {
    let text = GOOD.replace(
        "body = \"made\"\n\n[[steps]]",
        "body = { txt = \"made\" }\n\n[[steps]]",
    );
    let (pos, _, msg) = at(&text);
    assert_eq!(pos, Some((24, 8)));
    assert!(msg.contains("bad body entry `txt`"), "{msg}");
}

#[test]
fn semantic_errors_name_the_field() {
    let e = load(&GOOD.replace("needs = [\"policy\"]", "needs = []")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("needs"));
    assert!(e.message.contains("uses `policy`"), "{e}");
    assert!(
        e.to_string().starts_with("cases/X01.toml: `needs`: "),
        "{e}"
    );

    let (_, field, msg) = at(&GOOD.replace("http://{U}/a?x=1\"", "http://{W}/a?x=1\""));
    assert_eq!(field.as_deref(), Some("steps[0].url"));
    assert!(msg.contains("unknown placeholder `{W}`"), "{msg}");

    let (_, field, msg) = at(&GOOD.replace("HTTP-request-denied", "HttpRequestDenied"));
    assert_eq!(field.as_deref(), Some("steps[1].expect"));
    assert!(
        msg.contains("`HttpRequestDenied` is not a wasi:http error-code"),
        "{msg}"
    );

    let (_, field, _) = at(&GOOD.replace(
        "[steps.expect]\nstatus = 201",
        "[steps.expect]\nbody_len = 1",
    ));
    assert_eq!(field.as_deref(), Some("steps[0].expect"));

    let (_, field, msg) =
        at(&GOOD.replace("needs = [\"policy\"]", "needs = [\"policy\", \"teleport\"]"));
    assert_eq!(field.as_deref(), Some("needs"));
    assert!(msg.contains("unknown feature `teleport`"), "{msg}");
}

#[test]
fn the_id_must_match_the_file_name() {
    let e = parse(Path::new("cases/X02.toml"), GOOD).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("id"));
    assert!(e.message.contains("differs from the file name `X02`"));
}

#[test]
fn components_are_checked() {
    let extra = "\n[[app.components]]\nid = \"agent\"\nroute = \"/...\"\n[[app.components]]\nid = \"Back\"\nroute = \"/b/...\"\n";
    let text = GOOD.replace("needs = [\"policy\"]", "needs = [\"policy\", \"manifest\"]") + extra;
    let (_, field, msg) = at(&text);
    assert_eq!(field.as_deref(), Some("app.components[1]"));
    assert!(msg.contains("kebab-case"), "{msg}");
    let text = GOOD.replace("needs = [\"policy\"]", "needs = [\"policy\", \"manifest\", \"private-routes\"]")
        + "\n[[app.components]]\nid = \"agent\"\nroute = \"/...\"\n[[app.components]]\nid = \"back\"\nprivate = true\nroute = \"/b\"\n";
    let (_, field, msg) = at(&text);
    assert_eq!(field.as_deref(), Some("app.components[1]"));
    assert!(
        msg.contains("either a `route` or `private = true`"),
        "{msg}"
    );
}

#[test]
fn load_dir_reports_every_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("X01.toml"), GOOD).unwrap();
    std::fs::write(dir.path().join("X02.toml"), "id = 3").unwrap();
    std::fs::write(
        dir.path().join("X03.toml"),
        GOOD.replace("X01", "X03").replace("tier", "teir"),
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "not a case").unwrap();
    let (ok, broken) = load_dir(dir.path()).unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert_eq!(broken[0].id, "X02");
    assert!(broken[0].error.file.ends_with("X02.toml"));
    assert_eq!(broken[0].error.at, Some((1, 6)));
    assert_eq!(broken[1].id, "X03");

    let empty = tempfile::tempdir().unwrap();
    assert!(load_dir(empty.path()).is_err());
}

#[test]
fn ids_that_differ_only_in_case_are_one_too_many() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("X01.toml"), GOOD).unwrap();
    std::fs::write(
        dir.path().join("x01.toml"),
        GOOD.replace("\"X01\"", "\"x01\""),
    )
    .unwrap();
    let (ok, broken) = load_dir(dir.path()).unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].error.message.contains("only in case"),
        "{:?}",
        broken[0]
    );
}

#[test]
fn sizes_that_would_exhaust_the_harness_are_load_errors() {
    let (_, field, msg) = at(&GOOD.replace(
        "url = \"http://{U}/a?x=1\"",
        "url = \"http://{U}/a?x=1\"\nrepeat = 4294967295",
    ));
    assert_eq!(field.as_deref(), Some("steps[0].repeat"));
    assert!(msg.contains("10000"), "{msg}");
    let (_, _, msg) = at(&GOOD.replace(
        "body = \"made\"\n\n[[steps]]",
        "body = { pattern = 1000000000000000 }\n\n[[steps]]",
    ));
    assert!(msg.contains("1 GiB"), "{msg}");
    let (_, field, _) = at(&GOOD.replace("tier = \"core\"", "tier = \"core\"\ntimeout_s = 0"));
    assert_eq!(field.as_deref(), Some("timeout_s"));
    let (_, field, msg) = at(&GOOD.replace(
        "url = \"http://{U}/a?x=1\"",
        "url = \"http://{U}/a?x=1\"\napi = \"teleport\"",
    ));
    assert_eq!(field.as_deref(), Some("steps[0].api"));
    assert!(msg.contains("unknown api `teleport`"), "{msg}");
}

#[test]
fn derived_needs_follow_what_the_case_uses() {
    let text = r#"
id = "X01"
title = "t"
tier = "optional"
[app]
resolve = { "svc.example.test" = "127.0.0.1" }
runtime_config = "[outbound_networking]"
[[app.components]]
id = "agent"
route = "/..."
[[app.components]]
id = "back"
private = true
[[steps]]
url = "http://back.spin.internal/x"
[steps.expect]
status = 200
[[steps]]
url = "/hello"
[steps.expect]
status = 200
"#;
    let e = load(text).unwrap_err();
    assert!(e.message.contains("uses `chaining`"), "{e}");
    let fixed = text.replace(
        "tier = \"optional\"",
        "tier = \"optional\"\nneeds = [\"manifest\", \"private-routes\", \"chaining\", \"self-requests\", \"runtime-config\", \"test-resolver\"]",
    );
    load(&fixed).unwrap();
}

/// Spellings the catalogue and conformance-tests use load as their equivalents.
#[test]
fn other_spellings_of_the_same_things_load() {
    let text = r#"
id = "X01"
title = "spellings"
tier = "sdk-optional"
needs = ["runtime-config", "private-routes", "manifest"]

[upstreams.U]
mode = "echo-body"
[upstreams.U.expect]
[[upstreams.U.expect.request]]
body_sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

[app.runtime_config.outbound_http]
max_connections = 3

[[app.components]]
id = "agent"
route = "/..."
[[app.components]]
id = "back"
route = { private = true }

[[steps]]
url = "{HTTP_SERVER_U}/x"
body = "hello"
[steps.expect]
error = "connection-refused"
body_sha256 = "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"
"#;
    let c = load(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.case.tier, Tier::Optional);
    assert_eq!(c.case.upstreams["U"].mode, Mode::Echo);
    assert_eq!(
        c.case.app.runtime_config.as_deref().map(str::trim),
        Some("[outbound_http]\nmax_connections = 3")
    );
    let comps = c.case.components();
    assert!(!comps[0].is_private() && comps[1].is_private());
    assert_eq!(comps[1].run_path(), None);
    assert_eq!(
        c.case.steps[0].expect.error.as_deref(),
        Some(&["connection-refused".to_string()][..])
    );
}

#[test]
fn bad_base64_and_bad_sha256_are_load_errors() {
    let (_, _, msg) = at(&GOOD.replace(
        "body = \"made\"\n[upstreams",
        "body = { base64 = \"!!\" }\n[upstreams",
    ));
    assert!(msg.contains("bad base64 body"), "{msg}");
    let (_, field, msg) = at(&GOOD.replace(
        "method = \"GET\"",
        "method = \"GET\"\nbody_sha256 = \"abc\"",
    ));
    assert_eq!(field.as_deref(), Some("upstreams.U.expect"));
    assert!(msg.contains("not 64 hex digits"), "{msg}");
}
