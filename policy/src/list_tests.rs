//! Tables for whole lists: spec vectors 1.12.A36–A40, B8, B10, B11 and 1.12.C,
//! plus validation, resolution, expansion and explanations.

use super::*;
use crate::{PortConfig, SchemeConfig};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn no_vars(_: &str) -> Option<String> {
    None
}

fn list(items: &[&str]) -> AllowedHosts {
    AllowedHosts::resolve(&strings(items), &no_vars, &[])
        .unwrap_or_else(|e| panic!("{items:?}: {}", e.full_message()))
}

fn url(text: &str, default_scheme: &str) -> OutboundUrl {
    OutboundUrl::parse(text, default_scheme)
        .unwrap_or_else(|e| panic!("{text:?}: {}", e.full_message()))
}

fn defaults(pairs: &[(&str, Option<&str>)]) -> HashMap<String, Option<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_owned)))
        .collect()
}

fn texts(hosts: &AllowedHosts) -> Vec<&str> {
    hosts.entries().iter().map(AllowedHost::as_str).collect()
}

/// Spec 1.12.C (absolute URLs): (list, URL, default scheme, allowed).
#[test]
fn vectors_c_matching() {
    let c1 = &["*://spin.fermyon.dev:443", "http://example.com:8383"][..];
    let c9 = &["http://*.example.com", "http://*.example2.com:8383"][..];
    #[rustfmt::skip]
    let cases: &[(&[&str], &str, &str, bool)] = &[
        (c1, "http://example.com:8383/foo/bar", "https", true),             // C1
        (c1, "https://spin.fermyon.dev", "https", true),                    // C2
        (c1, "https://spin.fermyon.dev/", "https", true),                   // C3
        (c1, "http://example.com/", "https", false),                        // C4
        (c1, "http://google.com/", "https", false),                         // C5
        (c1, "spin.fermyon.dev:443", "https", true),                        // C6
        (c1, "example.com:8383", "http", true),                             // C7
        (&["https://my.api.com/"], "https://my.api.com", "https", true),    // C8
        (&["https://my.api.com/"], "https://my.api.com/", "https", true),   // C8
        (c9, "http://a.example.com/foo/bar", "https", true),                // C9
        (c9, "http://a.b.example.com/foo/bar", "https", true),              // C10
        (c9, "http://a.b.example2.com:8383/foo/bar", "https", true),        // C11
        (c9, "http://example.com:8383/foo/bar", "https", false),            // C14
        (&["mysql://xyz.com"], "mysql://user:pass#word@xyz.com", "mysql", true),     // C16
        (&["mysql://xyz.com"], "mysql://user%3Apass%23word@xyz.com", "mysql", true), // C17
        (&["mysql://xyz.com"], "user%3Apass%23word@xyz.com", "mysql", true),         // C18
        (&["*://127.0.0.1/24:63551"], "tcp://127.0.0.1:63551", "tcp", true),         // C19
        (&["http://[::1]"], "http://[::1]", "https", true),                 // C20
        (&["http://[::1]"], "http://[::1]/some/path", "https", true),       // C20
        (&["http://[::1]"], "http://[::1]:80", "https", true),              // C20
        (&["http://2001:db8::/32"], "http://[2001:db8::1]", "https", true), // C22
        (&["http://2001:db8::/32"], "http://[2001:db8:abcd::1]/x", "https", true), // C22
        (&["http://*.Example.COM"], "http://foo.example.com", "https", true),      // C24
        (&["http://*.Example.COM"], "http://a.b.example.com/x", "https", true),    // C24
        (&["https://*"], "https://[100::1]:443", "https", true),            // C26
        (&["https://allowed.test"], "https://denied.test", "https", false), // C27
        (&["http://middle.spin.internal"], "http://middle.spin.internal/hello/from/front", "https", true), // C32
        (&["http://middle.spin.internal"], "http://back.spin.internal/hello/from/middle", "https", false), // C33
        (&["https://*.spin.internal"], "https://back.spin.internal/hello/from/middle", "https", true),     // C34
        (&["https://*.spin.internal"], "https://nobody.spin.internal/", "https", false),
        (&["http://localhost:8089"], "http://localhost:8089/", "https", true), // C35
        (&[], "http://localhost:1234", "https", false),                     // C36
        (&["*://127.0.0.0/24:6000"], "127.0.0.1:6000", "tcp", true),        // C37
        (&["*://127.0.0.2:6001"], "127.0.0.1:7", "tcp", false),             // C39
        (&["*://127.0.0.1:6002"], "127.0.0.1:7", "tcp", false),             // C40
    ];
    // The components of runtime-test `internal-http`, for `*.spin.internal`.
    let ids = strings(&["front", "middle", "back"]);
    for (items, request, default_scheme, expected) in cases {
        let hosts = AllowedHosts::resolve(&strings(items), &no_vars, &ids).unwrap();
        let request = url(request, default_scheme);
        assert_eq!(hosts.allows(&request), *expected, "{items:?} vs {request}");
        assert_eq!(
            hosts.explain(&request).is_allowed(),
            *expected,
            "explain: {items:?} vs {request}"
        );
    }
}

/// C41: allowed-hosts and the block list are separate checks; both must pass.
#[test]
fn vector_c41_allowed_and_blocked() {
    let hosts = list(&[
        "*://123.0.2.1:12345",
        "*://123.123.0.1:443",
        "*://127.0.0.1:3000",
    ]);
    let blocked =
        crate::BlockedNetworks::parse(&strings(&["123.123.123.123/16", "private"])).unwrap();
    let cases = [
        ("123.0.2.1:12345", true),
        ("123.0.2.1:25", false),
        ("123.0.2.2:12345", false),
        ("123.123.0.1:443", false),
        ("127.0.0.1:3000", false),
    ];
    for (addr, expected) in cases {
        let request = url(addr, "tcp");
        let ip: std::net::IpAddr = addr.split(':').next().unwrap().parse().unwrap();
        let ok = hosts.allows(&request) && !blocked.is_blocked(ip);
        assert_eq!(ok, expected, "{addr}");
    }
}

/// C28–C31 and spec 1.6: relative requests.
#[test]
fn relative_requests() {
    let cases: &[(&[&str], bool)] = &[
        (&["http://self"], true),     // C28
        (&["http://self.alt"], true), // C30 (after legacy conversion)
        (&["https://self"], true),
        (&[], false), // C31
        (&["https://*:443"], true),
        (&["http://*"], true),
        (&["*://*:*"], true),
        (&["http://example.com", "tcp://*:*"], false),
        (&["https://self/"], false), // literal host `self`
        (&["http://*.spin.internal"], false),
    ];
    for (items, expected) in cases {
        assert_eq!(list(items).allows_relative(), *expected, "{items:?}");
    }
    // C29/C30 via the legacy conversion.
    for legacy in [["self"], ["self.alt"]] {
        let converted = crate::convert_allowed_http_hosts(&strings(&legacy)).unwrap();
        let hosts = AllowedHosts::resolve(&converted, &no_vars, &[]).unwrap();
        assert!(hosts.allows_relative(), "{legacy:?}");
    }
}

/// ToSelf never matches an absolute URL, not even one whose host is `self`.
#[test]
fn self_never_matches_absolute_urls() {
    let hosts = list(&["http://self", "http://self.alt"]);
    for request in [
        "http://self/x",
        "http://self.alt/x",
        "http://localhost",
        "http://127.0.0.1",
    ] {
        assert!(!hosts.allows(&url(request, "https")), "{request}");
    }
    // ... but `https://self/` is the literal `self`, which does.
    assert!(list(&["https://self/"]).allows(&url("https://self/x", "https")));
}

/// Default ports, explicit default ports, and schemes without a default.
#[test]
fn port_rules_in_matching() {
    let cases: &[(&[&str], &str, &str, bool)] = &[
        (&["https://x"], "https://x:443/", "https", true),
        (&["https://x:443"], "https://x", "https", true),
        (&["https://x"], "https://x:8443", "https", false),
        (&["http://x"], "https://x", "https", false),
        (&["http://x:4444..5555"], "http://x:4444", "https", true),
        (&["http://x:4444..5555"], "http://x:5554", "https", true),
        (&["http://x:4444..5555"], "http://x:5555", "https", false),
        (&["tcp://x:7"], "tcp://x", "tcp", false),
        (&["tcp://x:*"], "tcp://x", "tcp", true),
        (&["*://x:80"], "ws://x:80", "https", false), // url drops ws's 80; the matcher knows no default
        (&["mysql://x"], "mysql://x:3306", "mysql", true),
        (&["mysql://x"], "mysql://x:3307", "mysql", false),
        (
            &["http://example.com:"],
            "http://example.com",
            "https",
            true,
        ),
        (&["http://[::1]:*"], "http://[::1]:12345", "https", true),
        (&["*://ff00::/8:80"], "http://[ff02::1]", "https", true),
        (&["*://ff00::/8:80"], "http://[fe80::1]", "https", false),
    ];
    for (items, request, default_scheme, expected) in cases {
        assert_eq!(
            list(items).allows(&url(request, default_scheme)),
            *expected,
            "{items:?} vs {request}"
        );
    }
}

/// Host rules in whole-list matching: apex, CIDR vs domains, normalisation.
#[test]
fn host_rules_in_matching() {
    let cases: &[(&[&str], &str, bool)] = &[
        (&["http://*.example.com"], "http://example.com", false),
        (
            &["http://*.example.com"],
            "http://EXAMPLE.com.evil.net",
            false,
        ),
        (&["http://0.0.0.0/0:*"], "http://localhost", false),
        (&["http://127.0.0.0/8:*"], "http://127.0.0.1:3000", true),
        (
            &["http://127.0.0.0/8:*"],
            "http://[::ffff:127.0.0.1]:3000",
            false,
        ),
        (&["https://bücher.de"], "https://xn--bcher-kva.de", true),
        (&["https://xn--bcher-kva.de"], "https://BÜCHER.de/x", true),
        (
            &["https://*.bücher.de"],
            "https://www.xn--bcher-kva.de",
            true,
        ),
        (&["https://EXAMPLE.COM"], "https://example.com", true),
        (&["https://[0:0::1]"], "https://[::1]", true),
        (&["http://192.168.1.1"], "http://192.168.1.1:80", true),
        (&["http://192.168.1.1"], "http://192.168.1.2", false),
        (&["HTTP://x:80"], "http://x", false),
    ];
    for (items, request, expected) in cases {
        assert_eq!(
            list(items).allows(&url(request, "https")),
            *expected,
            "{items:?} vs {request}"
        );
    }
}

/// A39/A40 and spec 1.8: `*.spin.internal` becomes one literal per component.
#[test]
fn expands_service_chaining_wildcard() {
    let ids = strings(&["first", "second", "third"]);
    let hosts =
        AllowedHosts::resolve(&strings(&["http://*.spin.internal"]), &no_vars, &ids).unwrap();
    assert_eq!(
        texts(&hosts),
        [
            "http://first.spin.internal:80",
            "http://second.spin.internal:80",
            "http://third.spin.internal:80"
        ]
    );
    for entry in hosts.entries() {
        assert!(entry.is_for_service_chaining());
        assert_eq!(entry.scheme, SchemeConfig::Exact("http".into()));
        assert_eq!(entry.port, PortConfig::Exact(80));
    }
    assert!(hosts.allows(&url("http://second.spin.internal/x", "https")));
    assert!(!hosts.allows(&url("http://fourth.spin.internal/x", "https")));
    assert!(!hosts.allows(&url("https://first.spin.internal/x", "https")));
    assert!(!hosts.allows(&url("http://first.spin.internal:8080/x", "https")));
    assert!(hosts.requires_service_chaining());

    // A40: order kept, other entries untouched.
    let raw = strings(&[
        "pg://localhost:5656",
        "http://*.spin.internal",
        "https://spinframework.dev",
    ]);
    let hosts = AllowedHosts::resolve(&raw, &no_vars, &ids).unwrap();
    assert_eq!(
        texts(&hosts),
        [
            "pg://localhost:5656",
            "http://first.spin.internal:80",
            "http://second.spin.internal:80",
            "http://third.spin.internal:80",
            "https://spinframework.dev",
        ]
    );

    // Scheme and port are kept; Courier's `*://*.spin.internal` means any port.
    let raw = strings(&["https://*.spin.internal:8443", "*://*.spin.internal"]);
    let hosts = AllowedHosts::resolve(&raw, &no_vars, &strings(&["a"])).unwrap();
    assert_eq!(
        texts(&hosts),
        ["https://a.spin.internal:8443", "*://a.spin.internal:*"]
    );
    assert!(hosts.allows(&url("http://a.spin.internal:1234/", "https")));
    assert!(hosts.allows(&url("https://a.spin.internal:8443/", "https")));
    assert!(!hosts.allows(&url("http://b.spin.internal/", "https")));

    // No components: the wildcard allows nothing. Other literals are not expanded.
    let hosts = AllowedHosts::resolve(
        &strings(&["http://*.spin.internal", "http://x.spin.internal"]),
        &no_vars,
        &[],
    )
    .unwrap();
    assert_eq!(texts(&hosts), ["http://x.spin.internal"]);
    // A catch-all host is not expanded and still allows chaining hosts (spec 3.7).
    assert!(list(&["http://*"]).allows(&url("http://nobody.spin.internal", "https")));
}

/// A36–A38, B10, C38: run-time template resolution.
#[test]
fn resolves_templates() {
    let vars = |name: &str| match name {
        "dbhost" => Some("example.com".to_owned()),
        "dbport" => Some("1234".to_owned()),
        "one" | "two" => Some(String::new()),
        "addr_prefix" => Some("127.0.0.0".to_owned()),
        "prefix_len" => Some("24".to_owned()),
        "bad" => Some("zoinks, Scooby!".to_owned()),
        "scheme_only" => Some("http://".to_owned()),
        _ => None,
    };
    let resolve = |items: &[&str]| AllowedHosts::resolve(&strings(items), &vars, &[]);

    // A36
    let hosts = resolve(&["http://{{ dbhost }}", "http://{{ dbhost }}:{{ dbport }}"]).unwrap();
    assert!(hosts.allows(&url("http://example.com", "https")));
    assert!(hosts.allows(&url("http://example.com:1234", "https")));
    assert!(!hosts.allows(&url("http://example.com:1235", "https")));
    // The text of a resolved entry is what it resolved to.
    assert_eq!(
        texts(&hosts),
        ["http://example.com", "http://example.com:1234"]
    );

    // A38: entries that resolve to nothing are skipped, not errors and not grants.
    let hosts = resolve(&[
        "https://{{ one }}",
        "{{ two }}",
        "https://three",
        "{{ scheme_only }}",
    ])
    .unwrap();
    assert_eq!(texts(&hosts), ["https://three"]);

    // C38
    let hosts = resolve(&["*://{{ addr_prefix }}/{{ prefix_len }}:6000"]).unwrap();
    assert!(hosts.allows(&url("127.0.0.1:6000", "tcp")));
    assert!(!hosts.allows(&url("127.0.1.1:6000", "tcp")));

    // B10: a bad value fails the whole list.
    let err = resolve(&["https://three", "http://{{ bad }}"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAllowedHost);
    assert_eq!(
        err.full_message(),
        "template \"http://{{ bad }}\" resolves to invalid config \"http://zoinks, Scooby!\": \
         Invalid allowed host \"zoinks, Scooby!\": invalid international domain name"
    );

    // A variable with no value fails the whole list too.
    let err = resolve(&["https://three", "http://{{ missing }}"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::VariableResolution);
    assert_eq!(
        err.full_message(),
        "could not resolve allowed host template \"http://{{ missing }}\": no value for variable \"missing\""
    );

    // Template syntax errors too.
    assert_eq!(
        resolve(&["http://{{ dbhost"]).unwrap_err().kind(),
        ErrorKind::InvalidTemplate
    );

    // A literal empty entry is not a template: it is an error.
    assert!(resolve(&[""]).is_err());
    assert!(resolve(&["http://"]).is_err());
}

/// A37, B11 and spec 1.7: load-time validation.
#[test]
fn validates_with_defaults() {
    let d = defaults(&[
        ("dbhost", Some("example.com")),
        ("dbport", Some("1234")),
        ("nodefault", None),
        ("invalid_default_host", Some("invalid host")),
        ("empty", Some("")),
        ("port_text", Some("notaport")),
    ]);
    let ok: &[&[&str]] = &[
        &["http://{{ dbhost }}", "http://{{ dbhost }}:{{ dbport }}"],
        &["http://{{ nodefault }}"],  // A37: deferred
        &["http://{{ undeclared }}"], // no default either
        &["http://{{ NoDefault }}"],  // not a valid name, so never declared: left to run time
        &["http://{{ invalid_default_host }}:{{ nodefault }}"], // not every variable has a default
        &["https://{{ empty }}", "{{ empty }}"], // skipped, as at run time
        &["*://*.spin.internal"],     // Courier's decision
        &[],
    ];
    for items in ok {
        validate(&strings(items), &d).unwrap_or_else(|e| panic!("{items:?}: {}", e.full_message()));
    }

    // B11: the exact chain of the loader's ui test.
    let err = validate(&strings(&["https://{{invalid_default_host}}"]), &d).unwrap_err();
    assert_eq!(
        format!("{:#}", anyhow::Error::from(err)),
        "using default variable value(s) with template \"https://{{ invalid_default_host }}\" results in invalid config \"https://invalid host\": \
         Invalid allowed host \"invalid host\": invalid international domain name"
    );

    let err = validate(&strings(&["http://{{ dbhost }}:{{ port_text }}"]), &d).unwrap_err();
    assert_eq!(
        err.chain().nth(1).unwrap().message(),
        "Invalid allowed host port \"notaport\""
    );

    // Literal entries are parsed fully, templated ones never hide a syntax error.
    for (items, top) in [
        (
            &["http://ok.com", "http://bad host"][..],
            "Invalid allowed host \"bad host\"",
        ),
        (
            &["http://{{ nodefault"][..],
            "Invalid template in allowed host \"http://{{ nodefault\"",
        ),
        (&["*://127.0.0.0/24"][..], "Invalid allowed host port \"\""),
        (&["*"][..], "\"*\" is not an allowed outbound host format."),
        // Spin parses every literal before it substitutes any template's defaults.
        (
            &["https://{{ invalid_default_host }}", "http://bad host"][..],
            "Invalid allowed host \"bad host\"",
        ),
    ] {
        let err = validate(&strings(items), &d).unwrap_err();
        assert!(
            err.to_string().starts_with(top),
            "{items:?}: {}",
            err.full_message()
        );
    }
}

/// B8: `insecure:allow-all` alone, or mixed with other entries.
#[test]
fn insecure_allow_all_is_rejected() {
    let lone = strings(&["insecure:allow-all"]);
    let message = "'insecure:allow-all' is not allowed - use '*://*:*' instead if you really want to allow all outbound traffic'";
    assert_eq!(
        validate(&lone, &HashMap::new()).unwrap_err().to_string(),
        message
    );
    assert_eq!(
        AllowedHosts::resolve(&lone, &no_vars, &[])
            .unwrap_err()
            .to_string(),
        message
    );

    let mixed = strings(&["spin.fermyon.dev", "insecure:allow-all"]);
    let err = validate(&mixed, &HashMap::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("\"spin.fermyon.dev\" does not contain a scheme"),
        "{err}"
    );
    // Compared as written: with spaces it is just an entry without a scheme.
    let padded = strings(&[" insecure:allow-all "]);
    let err = validate(&padded, &HashMap::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("\"insecure:allow-all\" does not contain a scheme"),
        "{err}"
    );
    let mixed = strings(&["http://ok.com", "insecure:allow-all"]);
    let err = validate(&mixed, &HashMap::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("\"insecure:allow-all\" does not contain a scheme"),
        "{err}"
    );
}

#[test]
fn explains_matches_and_mismatches() {
    let hosts = list(&[
        "https://api.example.com",
        "http://*.example.com",
        "https://*.example.com:8000..8080",
        "https://10.0.0.0/8",
        "https://self",
        "tcp://*:*",
    ]);
    let e = hosts.explain(&url("https://example.com:8080/x", "https"));
    assert!(!e.is_allowed());
    assert_eq!(e.url, "https://example.com:8080");
    let reasons: Vec<(usize, Vec<&str>)> = e
        .mismatches
        .iter()
        .map(|m| (m.index, m.reasons.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (0, vec!["host example.com is not api.example.com", "port 8080 is not 443"]),
            (
                1,
                vec![
                    "scheme \"https\" is not \"http\"",
                    "host \"example.com\" is the apex; '*.example.com' matches only its subdomains",
                    "port 8080 is not 80",
                ]
            ),
            (
                2,
                vec![
                    "host \"example.com\" is the apex; '*.example.com' matches only its subdomains",
                    "port 8080 is not in 8000..8080 (the end is excluded)",
                ]
            ),
            (
                3,
                vec![
                    "host \"example.com\" is a domain; the network 10.0.0.0/8 matches only IP addresses (no DNS lookup)",
                    "port 8080 is not 443",
                ]
            ),
            (4, vec!["'self' only grants relative requests to the app itself", "port 8080 is not 443"]),
            (5, vec!["scheme \"https\" is not \"tcp\""]),
        ]
    );
    let text = e.to_string();
    assert!(
        text.starts_with("https://example.com:8080: denied by every entry\n"),
        "{text}"
    );
    assert!(
        text.contains("  #5 \"tcp://*:*\": scheme \"https\" is not \"tcp\"\n"),
        "{text}"
    );

    let e = hosts.explain(&url("http://a.example.com", "https"));
    assert_eq!(e.matched, Some((1, "http://*.example.com".to_owned())));
    assert!(e
        .to_string()
        .starts_with("http://a.example.com: allowed by entry #1 \"http://*.example.com\"\n"));

    let e = hosts.explain(&url("https://www.other.com", "https"));
    assert!(e.mismatches[1]
        .reasons
        .contains(&"host \"www.other.com\" is not a subdomain of \"example.com\"".to_owned()));
    let e = hosts.explain(&url("https://1.2.3.4", "https"));
    assert!(e.mismatches[1].reasons.contains(
        &"host 1.2.3.4 is an IP address; a '*.' wildcard matches only domains".to_owned()
    ));
    assert!(e.mismatches[3]
        .reasons
        .contains(&"host 1.2.3.4 is not in the network 10.0.0.0/8".to_owned()));

    let e = list(&["tcp://x:7"]).explain(&url("tcp://x", "tcp"));
    assert_eq!(
        e.mismatches[0].reasons,
        ["the URL has no port and scheme \"tcp\" has no default port, so only port '*' matches"]
    );

    let e = list(&[]).explain(&url("https://x", "https"));
    assert_eq!(
        e.to_string(),
        "https://x: denied: the list is empty, so nothing is allowed\n"
    );
}

/// Spec 3.1: which hosts are chaining targets.
#[test]
fn chaining_targets() {
    let cases = [
        ("back.spin.internal", Some("back")),
        ("back.spin.internal:8080", Some("back")),
        ("my-component.spin.internal", Some("my-component")),
        ("back.SPIN.Internal", Some("back")),
        ("a.b.spin.internal", None),
        (".spin.internal", None),
        ("spin.internal", None),
        ("back.spin.internal.", None),
        ("back.spin.internals", None),
        ("back.example.com", None),
        ("back", None),
        ("", None),
        ("[::1]:80", None),
    ];
    for (host, expected) in cases {
        assert_eq!(chaining_target(host), expected, "{host:?}");
    }
}

/// Spec 1.7/1.8: templated chaining hosts do not require the chaining feature.
#[test]
fn service_chaining_requirement() {
    let cases: &[(&[&str], bool)] = &[
        (&["http://back.spin.internal"], true),
        (&["https://example.com", "*://*.spin.internal"], true),
        (&["http://{{ target }}.spin.internal"], false),
        (&["{{ url }}"], false),
        (&["http://*", "http://self"], false),
        (&["http://back.spin.internal/a"], false), // invalid: left to validate
        (&[], false),
    ];
    for (items, expected) in cases {
        assert_eq!(
            requires_service_chaining(&strings(items)),
            *expected,
            "{items:?}"
        );
    }
    // After resolution a templated one does name a chaining host.
    let lookup = |_: &str| Some("back".to_owned());
    let hosts = AllowedHosts::resolve(
        &strings(&["http://{{ target }}.spin.internal"]),
        &lookup,
        &[],
    )
    .unwrap();
    assert!(hosts.requires_service_chaining());
}

/// Hand-built configs (the enums are public) must not make explanations panic.
#[test]
fn explain_hand_built_entries() {
    let odd = AllowedHosts::new(vec![
        AllowedHost::from_parts(
            SchemeConfig::Any,
            HostConfig::AnySubdomain(String::new()),
            PortConfig::Any,
        ),
        AllowedHost::from_parts(
            SchemeConfig::Exact(String::new()),
            HostConfig::AnySubdomain("x".into()),
            PortConfig::Range(std::ops::Range { start: 9, end: 1 }),
        ),
    ]);
    let e = odd.explain(&url("http://example.com", "https"));
    assert!(e.is_allowed()); // "" is a suffix of everything
    assert_eq!(e.mismatches.len(), 1);
    let _ = e.to_string();
}

#[test]
fn empty_list_allows_nothing() {
    let hosts = AllowedHosts::default();
    assert!(hosts.is_empty());
    assert!(!hosts.allows(&url("https://example.com", "https")));
    assert!(!hosts.allows_relative());
    assert!(!hosts.requires_service_chaining());
}

/// Random-ish lists and URLs never panic anywhere in the pipeline.
#[test]
fn garbage_never_panics() {
    let entries = [
        "*://*:*",
        "{{ x }}",
        "{{",
        "http://{{ x }}:{{ y }}",
        "*.spin.internal",
        "://",
        "é://é",
        "http://*.spin.internal",
    ];
    let urls = [
        "",
        "/",
        "//",
        "@",
        "é",
        "http://[",
        "tcp://:0",
        "a:b:c",
        "%zz",
        "::1",
        "[::1]:99999",
    ];
    let values = [
        "", "http://", "*", "{{ x }}", "a b", "\u{0}", "1..2", "ff00::/8",
    ];
    for value in values {
        let lookup = |_: &str| Some(value.to_owned());
        for entry in entries {
            let raw = strings(&[entry]);
            let _ = validate(&raw, &defaults(&[("x", Some(value)), ("y", None)]));
            if let Ok(hosts) = AllowedHosts::resolve(&raw, &lookup, &strings(&["a", "b c", ""])) {
                for u in urls {
                    if let Ok(parsed) = OutboundUrl::parse(u, "https") {
                        let _ = hosts.allows(&parsed);
                        let _ = hosts.explain(&parsed).to_string();
                        let _ = crate::denial_advice(Some(&parsed));
                    }
                    let _ = chaining_target(u);
                }
            }
        }
    }
}
