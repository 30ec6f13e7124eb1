//! `courier hosts check` as a user runs it: the verdict, the explanation, the exit status.

mod common;

fn check(args: &[&str]) -> (i32, String) {
    let args: Vec<&str> = ["hosts", "check"].iter().chain(args).copied().collect();
    common::courier(std::path::Path::new("."), &args)
}

#[test]
fn allowed_names_the_matching_entry() {
    let (code, text) = check(&[
        "--allow",
        "http://other.test",
        "--allow",
        "https://*.example.com",
        "https://api.example.com/v1",
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("allowed by entry #1 \"https://*.example.com\""),
        "{text}"
    );
}

#[test]
fn denied_says_why_for_each_entry_and_suggests_a_line() {
    let (code, text) = check(&[
        "--allow",
        "https://*.example.com",
        "--allow",
        "http://example.com:8080..8090",
        "http://example.com:8090/",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("the apex"), "{text}");
    assert!(text.contains("the end is excluded"), "{text}");
    assert!(
        text.contains("allowed_outbound_hosts = [\"http://example.com:8090\"]"),
        "{text}"
    );
}

#[test]
fn a_suggestion_that_would_not_load_says_what_it_lacks() {
    let (code, text) = check(&["--allow", "http://example.com", "ftp://example.com"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("\"ftp://example.com:<port>\""), "{text}");
    let (_, text) = check(&["--allow", "http://example.com", "https://example.org"]);
    assert!(
        !text.contains("note:"),
        "a suggestion that loads needs no note: {text}"
    );
}

#[test]
fn a_url_that_cannot_be_parsed_is_a_usage_error_like_an_invalid_entry() {
    for url in ["", "not a url", "//evil.com/x"] {
        let (code, text) = check(&["--allow", "http://example.com", url]);
        assert_eq!(code, 2, "{url:?}: {text}");
    }
}

#[test]
fn an_empty_list_denies_everything() {
    let (code, text) = check(&["https://example.com"]);
    assert_eq!(code, 1, "{text}");
}

#[test]
fn invalid_patterns_exit_2_with_the_load_message() {
    for (pattern, want) in [
        ("example.com", "does not contain a scheme"),
        ("*://127.0.0.0/24", "does not have a known default port"),
        ("http://example.com/path", "path"),
    ] {
        let (code, text) = check(&["--allow", pattern, "http://example.com"]);
        assert_eq!(code, 2, "{pattern}: {text}");
        assert!(text.contains(want), "{pattern}: {text}");
    }
}

#[test]
fn variables_self_and_chaining() {
    let (code, text) = check(&[
        "--allow",
        "http://{{ host }}:3000",
        "--var",
        "host=localhost",
        "http://localhost:3000/x",
    ]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = check(&["--allow", "http://self", "/api/items"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = check(&["--allow", "http://localhost", "/api/items"]);
    assert_eq!(code, 1, "{text}");
    // `self.alt` is compared as written, as the runtime does: `SELF.ALT` is just a host.
    let (code, text) = check(&["--allow", "http://self", "https://self.alt/api"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = check(&["--allow", "http://self", "http://SELF.ALT/api"]);
    assert_eq!(code, 1, "{text}");
    let chain = ["--allow", "http://*.spin.internal", "--component", "back"];
    assert_eq!(
        check(&[&chain[..], &["http://back.spin.internal/"]].concat()).0,
        0
    );
    assert_eq!(
        check(&[&chain[..], &["http://ghost.spin.internal/"]].concat()).0,
        1
    );
}

#[test]
fn a_reader_that_went_away_is_not_a_crash() {
    // `courier hosts check … | head -0`: every write meets a closed pipe.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_courier"))
        .args([
            "hosts",
            "check",
            "--allow",
            "http://a.test",
            "http://b.test/",
        ])
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The verdict still shows in the exit status: denied.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
}

#[test]
fn entries_that_expand_to_nothing_are_explained() {
    let (code, text) = check(&[
        "--allow",
        "http://*.spin.internal",
        "http://back.spin.internal/",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("the entries given expand to none"), "{text}");
    assert!(text.contains("--component"), "{text}");
}

#[test]
fn a_scheme_relative_url_is_not_a_self_request() {
    let (code, text) = check(&["--allow", "http://self", "//evil.example/x"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("scheme-relative"), "{text}");
    assert!(!text.contains("allowed"), "{text}");
}
