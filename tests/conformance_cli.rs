//! `courier conformance` and `courier build` as a user runs them: the real binary, the real
//! Rust agent (built by `courier build`, cached), the in-process reference runtime and the
//! real upstream servers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use courier_conformance::report::{json as report_json, Report};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn courier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_courier"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("courier runs")
}

/// A usage error: exit status 2, and stderr names `what`.
fn assert_usage_error(out: &Output, what: &str) {
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(what), "{err}");
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Builds the Rust agent once per test binary (a cache hit after the first time).
fn rust_agent() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let out = courier(&["build", "--lang", "rust"]);
            assert!(
                out.status.success(),
                "courier build --lang rust failed:\n{}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
            let path = root().join("target/courier/rust/agent.wasm");
            assert!(path.is_file());
            path
        })
        .clone()
}

fn json(path: &Path) -> Report {
    report_json::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn outcomes(report: &Report) -> Vec<(String, String)> {
    report
        .results
        .iter()
        .map(|r| (r.case.clone(), r.outcome.to_string()))
        .collect()
}

#[test]
fn list_shows_the_suite_and_the_features() {
    let out = courier(&["conformance", "--list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for id in ["R01", "H03", "B05", "E05", "C02", "P12", "P17"] {
        assert!(
            s.lines().any(|l| l.starts_with(id)),
            "{id} missing from:\n{s}"
        );
    }
    assert!(s.contains("test-resolver"));
    // Columns line up: the tier is padded whatever its length.
    assert!(s.lines().any(|l| l.starts_with("R01    core     ")), "{s}");
    assert!(s.lines().any(|l| l.starts_with("B08    optional ")), "{s}");
}

#[test]
fn a_bad_case_file_fails_its_own_cells_and_the_rest_still_run() {
    rust_agent();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("X01.toml"),
        "id = \"X01\"\ntitle = \"t\"\ntier = \"core\"\nstpes = []\n",
    )
    .unwrap();
    std::fs::copy(
        root().join("conformance/cases/R01.toml"),
        dir.path().join("R01.toml"),
    )
    .unwrap();
    let cases = dir.path().to_str().unwrap();
    let out = courier(&["conformance", "--lang", "rust", "--cases", cases, "--plain"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    // Said at once, with the location, and again as the reason of the case's cells.
    for shown in [&stderr, &stdout] {
        assert!(
            shown.contains("X01.toml:4:1") && shown.contains("unknown field `stpes`"),
            "{shown}"
        );
    }
    assert!(stdout.contains("1 pass, 1 fail"), "{stdout}");
    // A filter that leaves the bad file out runs clean.
    let out = courier(&[
        "conformance",
        "--lang",
        "rust",
        "--cases",
        cases,
        "--filter",
        "R01",
        "--plain",
    ]);
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn rust_passes_cases_and_every_report_is_written() {
    rust_agent();
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f).to_string_lossy().into_owned();
    let out = courier(&[
        "conformance",
        "--lang",
        "rust",
        "--filter",
        "R01,H01,E01,P01,P12",
        "--plain",
        "--report",
        &format!("json={}", p("r.json")),
        "--report",
        &format!("junit={}", p("r.xml")),
        "--report",
        &format!("markdown={}", p("r.md")),
        "--report",
        &format!("html={}", p("r.html")),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let report = json(&dir.path().join("r.json"));
    let cells = outcomes(&report);
    assert_eq!(cells.len(), 5, "{cells:?}");
    assert!(cells.iter().all(|(_, o)| o == "pass"), "{cells:?}");
    assert_eq!(report.runtime, "reference");
    assert!(
        stdout.contains("conformance ok: 5 pass, 0 fail"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(
        xml.contains("<testsuite name=\"rust\" tests=\"5\" failures=\"0\""),
        "{xml}"
    );
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("| P12 |"), "{md}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<td>P01</td>"));
}

/// A case the agent cannot pass: the upstream answers 200 but the case wants 201.
const WRONG: &str = r#"
id = "Z01"
title = "expects the wrong status"
tier = "core"
[upstreams.U]
[[steps]]
url = "http://{U}/"
expect = { status = 201 }
"#;

/// A case it passes.
const RIGHT: &str = r#"
id = "Z02"
title = "expects the right status"
tier = "core"
[upstreams.U]
[upstreams.U.expect]
requests = 1
[[steps]]
url = "http://{U}/"
expect = { status = 200 }
"#;

fn cases_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Z01.toml"), WRONG).unwrap();
    std::fs::write(dir.path().join("Z02.toml"), RIGHT).unwrap();
    dir
}

#[test]
fn a_failing_cell_fails_the_run_with_its_reason() {
    rust_agent();
    let cases = cases_dir();
    let out_dir = tempfile::tempdir().unwrap();
    let report = out_dir.path().join("r.json");
    let out = courier(&[
        "conformance",
        "--lang",
        "rust",
        "--plain",
        "--cases",
        cases.path().to_str().unwrap(),
        "--report",
        &format!("json={}", report.display()),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let r = json(&report);
    assert_eq!(
        outcomes(&r),
        [("Z01".into(), "fail".into()), ("Z02".into(), "pass".into())]
    );
    assert_eq!(r.results[0].reason, "step 1 status: expected 201, got 200");
}

#[test]
fn shards_merge_into_the_whole_matrix() {
    rust_agent();
    let cases = cases_dir();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for shard in ["1/2", "2/2"] {
        let f = dir.path().join(format!("s{}.json", &shard[..1]));
        courier(&[
            "conformance",
            "--lang",
            "rust",
            "--plain",
            "--cases",
            cases.path().to_str().unwrap(),
            "--shard",
            shard,
            "--report",
            &format!("json={}", f.display()),
        ]);
        assert_eq!(
            outcomes(&json(&f)).len(),
            1,
            "each shard runs one of the two cells"
        );
        files.push(f.to_string_lossy().into_owned());
    }
    let merged = dir.path().join("all.json");
    let mut args = vec!["conformance", "merge"];
    args.extend(files.iter().map(String::as_str));
    let target = format!("json={}", merged.display());
    args.extend(["--report", &target, "--plain"]);
    let out = courier(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the merged matrix has a failure"
    );
    assert_eq!(
        outcomes(&json(&merged)),
        [("Z01".into(), "fail".into()), ("Z02".into(), "pass".into())]
    );
    let out = courier(&["conformance", "merge", &files[0], &files[0]]);
    assert_eq!(out.status.code(), Some(2), "overlapping shards are refused");
}

/// A project root of its own with one language whose agent is the Rust agent, so its
/// expectations file can be written freely.
fn project_with_expectations(expectations: &str) -> tempfile::TempDir {
    let agent = rust_agent();
    let dir = tempfile::tempdir().unwrap();
    let lang = dir.path().join("languages/mirror");
    std::fs::create_dir_all(lang.join("src")).unwrap();
    std::fs::write(lang.join("src/stamp"), "1").unwrap();
    std::fs::write(
        lang.join("language.toml"),
        format!(
            "name = \"mirror\"\n[build]\nworkdir = \"src\"\ninputs = [\"src\"]\nsteps = [[\"cp\", \"{}\", \"{{build_dir}}/a.wasm\"]]\noutput = \"{{build_dir}}/a.wasm\"\n",
            agent.display()
        ),
    )
    .unwrap();
    std::fs::write(lang.join("expectations.toml"), expectations).unwrap();
    dir
}

#[test]
fn documented_failures_are_xfail_and_stale_ones_xpass() {
    let cases = cases_dir();
    let project = project_with_expectations("[xfail]\nZ01 = \"documented deviation\"\n");
    let run = |project: &Path| {
        courier(&[
            "conformance",
            "--root",
            project.to_str().unwrap(),
            "--cases",
            cases.path().to_str().unwrap(),
            "--plain",
        ])
    };
    let out = run(project.path());
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}");
    assert!(
        s.contains("1 pass, 0 fail, 0 skip, 1 xfail, 0 xpass"),
        "{s}"
    );

    let stale = project_with_expectations("[xfail]\nZ02 = \"no longer true\"\n");
    let out = run(stale.path());
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains("1 fail, 0 skip, 0 xfail, 1 xpass"), "{s}");
}

#[test]
fn rules_cover_any_suite_and_entries_for_other_suites_are_ignored() {
    let cases = cases_dir();
    // Z01 expects 201 and gets 200; Q99 is not in this suite.
    let project = project_with_expectations(
        "[xfail]\nQ99 = \"a case of the project's own suite\"\n\
         [[xfail_rule]]\nexpected = \"201\"\ngot = \"200\"\nreason = \"answers 200 for everything\"\n",
    );
    let out = courier(&[
        "conformance",
        "--root",
        project.path().to_str().unwrap(),
        "--cases",
        cases.path().to_str().unwrap(),
        "--plain",
    ]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}{}", text(&out.stderr));
    assert!(
        s.contains("1 pass, 0 fail, 0 skip, 1 xfail, 0 xpass"),
        "{s}"
    );
    assert!(
        s.contains("documented by a rule: answers 200 for everything"),
        "{s}"
    );

    // In the project's own suite, an entry for a case it lacks is stale: an error.
    let own = project.path().join("conformance/cases");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(own.join("Z02.toml"), RIGHT).unwrap();
    let out = courier(&[
        "conformance",
        "--root",
        project.path().to_str().unwrap(),
        "--plain",
    ]);
    assert_usage_error(&out, "names `Q99`, which is not a case");
}

#[test]
fn a_runtime_without_a_feature_skips_with_the_reason() {
    rust_agent();
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("bare.toml");
    // `courier up` standing in for a runtime that declares no features.
    std::fs::write(
        &runtime,
        "name = \"bare\"\ncommand = [\"{courier}\", \"up\", \"-f\", \"{manifest}\", \"--listen\", \"{addr}\"]\n",
    )
    .unwrap();
    let report = dir.path().join("r.json");
    let out = courier(&[
        "conformance",
        "--lang",
        "rust",
        "--filter",
        "R01,P01",
        "--runtime",
        runtime.to_str().unwrap(),
        "--plain",
        "--report",
        &format!("json={}", report.display()),
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let r = json(&report);
    assert_eq!(r.runtime, "bare");
    assert_eq!(
        outcomes(&r),
        [("P01".into(), "skip".into()), ("R01".into(), "pass".into())]
    );
    assert_eq!(r.results[0].reason, "runtime `bare` lacks policy");
}

#[test]
fn a_missing_language_is_named() {
    let out = courier(&["conformance", "--lang", "cobol"]);
    assert_usage_error(&out, "no language `cobol`");
}

#[test]
fn two_reports_to_one_file_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    let json = format!("json={}", file.display());
    let md = format!("md={}", file.display());
    let out = courier(&["conformance", "--report", &json, "--report", &md]);
    assert_usage_error(&out, "one would overwrite the other");
    assert!(!file.exists());
}

#[test]
fn a_report_to_a_folder_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let json = format!("json={}", dir.path().display());
    let out = courier(&["conformance", "--report", &json]);
    assert_usage_error(&out, "is a folder");
}

#[test]
fn a_prebuilt_agent_is_a_column_of_its_own() {
    let agent = rust_agent();
    let agent = agent.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let out = courier(&[
        "conformance",
        "--agent",
        &format!("mine={agent}"),
        "--filter",
        "R01,P01",
        "--plain",
        "--report",
        &format!("json={}", report.display()),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r = json(&report);
    assert_eq!(r.languages, ["mine"], "only the named agent runs");
    assert_eq!(
        outcomes(&r),
        [("P01".into(), "pass".into()), ("R01".into(), "pass".into())]
    );

    let out = courier(&[
        "conformance",
        "--lang",
        "rust",
        "--agent",
        &format!("rust={agent}"),
    ]);
    assert_usage_error(&out, "named twice");

    let out = courier(&["conformance", "--agent", "mine=no/such/agent.wasm"]);
    assert_usage_error(&out, "no/such/agent.wasm");
}

#[test]
fn a_named_agent_that_is_not_an_http_component_stops_the_run_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.wasm");
    std::fs::write(&empty, wat::parse_str("(component)").unwrap()).unwrap();
    let out = courier(&[
        "conformance",
        "--filter",
        "R01",
        "--agent",
        &format!("mine={}", empty.display()),
    ]);
    assert_usage_error(&out, "--agent mine=");
    let err = text(&out.stderr);
    assert!(
        err.contains("component `empty`") && err.contains("does not export"),
        "{err}"
    );
    assert!(!err.contains("precompile"), "{err}");
}
