//! Tables for the entry grammar: spec vectors 1.12.A and 1.12.B plus one table per rule.

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

fn exact(s: &str) -> SchemeConfig {
    SchemeConfig::Exact(s.to_owned())
}
fn lit(h: &str) -> HostConfig {
    HostConfig::Literal(Host::parse(h).unwrap())
}
fn sub(suffix: &str) -> HostConfig {
    HostConfig::AnySubdomain(suffix.to_owned())
}
fn cidr(n: &str) -> HostConfig {
    HostConfig::Cidr(n.parse().unwrap())
}
fn port(p: u16) -> PortConfig {
    PortConfig::Exact(p)
}
fn range(a: u16, b: u16) -> PortConfig {
    PortConfig::Range(a..b)
}

fn parse_ok(entry: &str) -> AllowedHost {
    AllowedHost::parse(entry)
        .unwrap_or_else(|e| panic!("{entry:?} should parse: {}", e.full_message()))
}

fn parse_err(entry: &str) -> PolicyError {
    match AllowedHost::parse(entry) {
        Ok(parsed) => panic!("{entry:?} should be rejected, got {parsed:?}"),
        Err(e) => e,
    }
}

fn check_accepted(cases: &[(&str, SchemeConfig, HostConfig, PortConfig)]) {
    for (entry, scheme, host, port) in cases {
        let parsed = parse_ok(entry);
        assert_eq!(&parsed.scheme, scheme, "scheme of {entry:?}");
        assert_eq!(&parsed.host, host, "host of {entry:?}");
        assert_eq!(&parsed.port, port, "port of {entry:?}");
        assert_eq!(parsed.as_str(), *entry, "text of {entry:?}");
    }
}

/// Spec 1.12.A, A1–A35 and A41 (A36–A40 are list-level: see list_tests).
#[test]
fn vectors_a_accepted() {
    use HostConfig::{Any as AnyHost, ToSelf};
    use SchemeConfig::Any as AnyScheme;
    #[rustfmt::skip]
    let cases = [
        ("http://spin.fermyon.dev", exact("http"), lit("spin.fermyon.dev"), port(80)),                // A1
        ("http://spin.fermyon.dev/", exact("http"), lit("spin.fermyon.dev"), port(80)),               // A2
        ("https://spin.fermyon.dev", exact("https"), lit("spin.fermyon.dev"), port(443)),             // A3
        ("http://spin.fermyon.dev:4444", exact("http"), lit("spin.fermyon.dev"), port(4444)),         // A4
        ("http://spin.fermyon.dev:4444/", exact("http"), lit("spin.fermyon.dev"), port(4444)),        // A5
        ("https://spin.fermyon.dev:5555", exact("https"), lit("spin.fermyon.dev"), port(5555)),       // A6
        ("http://spin.fermyon.dev:4444..5555", exact("http"), lit("spin.fermyon.dev"), range(4444, 5555)), // A7
        ("*://spin.fermyon.dev:7777", AnyScheme, lit("spin.fermyon.dev"), port(7777)),                // A8
        ("http://self", exact("http"), ToSelf, port(80)),                                             // A9
        ("http://localhost", exact("http"), lit("localhost"), port(80)),                              // A10
        ("http://localhost:3001", exact("http"), lit("localhost"), port(3001)),                       // A11
        ("http://*.example.com", exact("http"), sub(".example.com"), port(80)),                       // A12
        ("http://192.168.1.1", exact("http"), HostConfig::Literal(Host::Ipv4(Ipv4Addr::new(192, 168, 1, 1))), port(80)), // A13
        ("http://192.168.1.1:3002", exact("http"), lit("192.168.1.1"), port(3002)),                   // A14
        ("http://[::1]:8001", exact("http"), HostConfig::Literal(Host::Ipv6(Ipv6Addr::LOCALHOST)), port(8001)), // A15
        ("http://[::1]", exact("http"), lit("[::1]"), port(80)),                                      // A16
        ("*://127.0.0.0/24:80", AnyScheme, cidr("127.0.0.0/24"), port(80)),                           // A17
        ("*://ff00::/8:80", AnyScheme, cidr("ff00::/8"), port(80)),                                   // A18
        ("*://*:*", AnyScheme, AnyHost, PortConfig::Any),                                             // A19
        ("https://[::1]", exact("https"), lit("[::1]"), port(443)),                                   // A20
        ("http://[2001:db8::1]", exact("http"), lit("[2001:db8::1]"), port(80)),                      // A21
        ("http://[2001:db8::1]:443", exact("http"), lit("[2001:db8::1]"), port(443)),                 // A22
        ("http://[::1]:*", exact("http"), lit("[::1]"), PortConfig::Any),                             // A23
        ("http://[::1]:8000..9000", exact("http"), lit("[::1]"), range(8000, 9000)),                  // A24
        ("*://[::1]:80", AnyScheme, lit("[::1]"), port(80)),                                          // A25
        ("http://[::1]:8080/", exact("http"), lit("[::1]"), port(8080)),                              // A26
        ("http://ff00::/8", exact("http"), cidr("ff00::/8"), port(80)),                               // A27
        ("https://2001:db8::/32", exact("https"), cidr("2001:db8::/32"), port(443)),                  // A28
        ("http://::1/128", exact("http"), cidr("::1/128"), port(80)),                                 // A29
        ("http://10.0.0.0/8", exact("http"), cidr("10.0.0.0/8"), port(80)),                           // A30
        ("http://2001:db8::/32:443", exact("http"), cidr("2001:db8::/32"), port(443)),                // A31
        ("*://127.0.0.1/24:63551", AnyScheme, cidr("127.0.0.0/24"), port(63551)),                     // A32
        ("http://*.Example.COM", exact("http"), sub(".example.com"), port(80)),                       // A33
        ("mysql://xyz.com", exact("mysql"), lit("xyz.com"), port(3306)),                              // A34
        ("http://x.y", exact("http"), lit("x.y"), port(80)),                                          // A35
        ("*://my.db:*", AnyScheme, lit("my.db"), PortConfig::Any),                                    // A35
        ("http://example.com:", exact("http"), lit("example.com"), port(80)),                         // A41
        ("http://example.com:/", exact("http"), lit("example.com"), port(80)),                        // A41
    ];
    check_accepted(&cases);
}

/// Spec 1.12.B (entry-level rows; B8, B10, B11 are list-level: see list_tests).
#[test]
fn vectors_b_rejected() {
    let rejected = [
        "spin.fermyon.dev",                 // B1
        "spin.fermyon.dev:80",              // B2
        "localhost",                        // B3
        "localhost:3001",                   // B3
        "example.com",                      // B4
        "example.com:8080",                 // B4
        "*://127.0.0.0/24",                 // B5
        "http://spin.fermyon.dev/a",        // B7
        "http://spin.fermyon.dev:6666/a/b", // B7
        "http://*.fermyon.dev/a",           // B7
        "zootle! wurdl!",                   // B9
        "}{ !!**",                          // B9
        "http://[::1]/foo",                 // B12
        "http://ff00::/8/extra",            // B12
        "http://[::1",                      // B12
        "http://[::1]junk",                 // B12
        "http://[::1]::80",                 // B12
        "http://[v1.]",                     // B12
        "[::1]",                            // B12
        "[::1]:8080",                       // B12
        "http://example.com:notaport",      // B13
        "http://self:notaport",             // B13
        "http://self.alt:notaport",         // B13
        "http://*:notaport",                // B13
        "http://127.0.0.1:notaport",        // B13
        "http://[::1]:notaport",            // B13
        "http://*.example.com:notaport",    // B13
        "http://*.example.com:8O8O",        // B13
        "http://example.com:8080..70000",   // B14
        "http://*.example.com:8080..",      // B14
        "http://example.com:8080/p",        // B15
        "http://*.example.com:8080/p",      // B15
        "http://*.example.com/p",           // B15
        "http://127.0.0.0/24/p",            // B15
        "http://[::1junk",                  // B16
        "http://*.",                        // B16
        "http://*.:8080",                   // B16
        "http://example%.com",              // B16
        "http://example%2.com",             // B16
        "http://example%GG.com",            // B16
        "http://exa[mple.com",              // B16
        "http://exa\\mple.com",             // B16
        "http://example.com:80:90",         // B16
        "http://[vG.example]",              // B16
        "http://example.com:99999",         // B17
        "http://[::1]:99999",               // B17
        "http://ff00::/8:99999",            // B17
        "http://*.example.com:99999",       // B17
        "*",                                // B20
        ":",                                // B20
        "",                                 // B20
        "?",                                // B20
    ];
    for entry in rejected {
        let err = parse_err(entry);
        assert_eq!(err.kind(), ErrorKind::InvalidAllowedHost, "{entry:?}");
    }
}

/// B17: the top-level message is exactly this, whatever the host.
#[test]
fn out_of_range_port_message_is_exact() {
    for entry in [
        "http://example.com:99999",
        "http://[::1]:99999",
        "http://ff00::/8:99999",
        "http://*.example.com:99999",
    ] {
        let err = parse_err(entry);
        assert_eq!(
            err.to_string(),
            "Invalid allowed host port \"99999\"",
            "{entry:?}"
        );
        assert_eq!(
            err.chain().nth(1).unwrap().message(),
            "port \"99999\" is not a number"
        );
    }
}

/// B20 and B1–B4: the guidance messages of 1.9.
#[test]
fn missing_scheme_messages() {
    for entry in ["*", ":", "", "?", "  *  "] {
        let err = parse_err(entry);
        let shown = entry.trim();
        assert_eq!(
            err.to_string(),
            format!(
                "{shown:?} is not an allowed outbound host format.\n\
                 Hosts must be in the form <scheme>://<host>[:<port>], with '*' wildcards allowed for each.\n\
                 If you intended to allow all outbound networking, you can use '*://*:*' - this will obviate all network sandboxing.\n\
                 Learn more: https://spinframework.dev/v3/http-outbound#granting-http-permissions-to-components"
            )
        );
        assert!(err.chain().nth(1).is_none());
    }
    for entry in [
        "localhost",
        "example.com:8080",
        "insecure:allow-all",
        "spin.fermyon.dev",
        "http:/x",
    ] {
        assert_eq!(
            parse_err(entry).to_string(),
            format!(
                "{entry:?} does not contain a scheme (e.g., 'http://' or '*://')\n\
                 Learn more: https://spinframework.dev/v3/http-outbound#granting-http-permissions-to-components"
            )
        );
    }
}

/// Every error form with its whole chain.
#[test]
fn error_chains() {
    #[rustfmt::skip]
    let cases = [
        ("http://x:1/a", "\"http://x:1/a\" has a path but is not allowed to"),
        ("http://spin.fermyon.dev:6666/a/b", "\"http://spin.fermyon.dev:6666/a/b\" has a path but is not allowed to"),
        ("http://x:80//", "\"http://x:80//\" has a path but is not allowed to"),
        ("http://x/a", "Invalid allowed host \"x/a\": must not include a path"),
        ("http://x//", "Invalid allowed host \"x//\": must not include a path"),
        ("http://127.0.0.0/24/p", "Invalid allowed host \"127.0.0.0/24/p\": must not include a path"),
        ("http://example.com:notaport", "Invalid allowed host port \"notaport\": port \"notaport\" is not a number: invalid digit found in string"),
        ("http://example.com:8080..70000", "Invalid allowed host port \"8080..70000\": port range \"8080..70000\" contains non-number: number too large to fit in target type"),
        ("http://example.com:8080..", "Invalid allowed host port \"8080..\": port range \"8080..\" contains non-number: cannot parse integer from empty string"),
        ("http://example.com:{80,81}", "Invalid allowed host port \"{80,81}\": port lists are not yet supported"),
        ("*://127.0.0.0/24", "Invalid allowed host port \"\": no port was provided and the scheme \"*\" does not have a known default port number"),
        ("tcp://example.com", "Invalid allowed host port \"\": no port was provided and the scheme \"tcp\" does not have a known default port number"),
        ("HTTP://example.com", "Invalid allowed host port \"\": no port was provided and the scheme \"HTTP\" does not have a known default port number"),
        ("h2c://example.com:80", "Invalid allowed host scheme \"h2c\": only alphabetic characters are allowed"),
        ("s3://example.com:80", "Invalid allowed host scheme \"s3\": only alphabetic characters are allowed"),
        ("{http,https}://example.com:80", "Invalid allowed host scheme \"{http,https}\": scheme lists are not supported"),
        ("http://{a.com,b.com}", "Invalid allowed host \"{a.com,b.com}\": host lists are not yet supported"),
        ("http://{a.com", "Invalid allowed host \"{a.com\": host lists are not yet supported"),
        ("http://*.*.example.com", "Invalid allowed host \"*.*.example.com\": wildcards are allowed only as prefixes"),
        ("http://*.", "Invalid allowed host \"*.\": invalid wildcard host"),
        ("http://*.127.0.0.1", "Invalid allowed host \"*.127.0.0.1\": wildcard suffix must be a domain"),
        ("http://*.[::1]:80", "Invalid allowed host \"*.[::1]\": wildcard suffix must be a domain"),
        // Without a port, the last ':' inside the brackets is taken as the port separator.
        ("http://*.[::1]", "Invalid allowed host port \"1]\": port \"1]\" is not a number: invalid digit found in string"),
        ("http://*.exa mple.com", "Invalid allowed host \"*.exa mple.com\": invalid wildcard host: invalid international domain name"),
        ("http://a.*.com", "Invalid allowed host \"a.*.com\": wildcards are allowed only as subdomains"),
        ("http://*example.com", "Invalid allowed host \"*example.com\": wildcards are allowed only as subdomains"),
        ("http://invalid host", "Invalid allowed host \"invalid host\": invalid international domain name"),
        ("http://[vG.example]", "Invalid allowed host \"[vG.example]\": invalid IPv6 address"),
        ("http://", "Invalid allowed host \"\": empty host"),
        // Port is checked before scheme, scheme before host (Spin's order).
        ("s3://bad host:99999", "Invalid allowed host port \"99999\": port \"99999\" is not a number: number too large to fit in target type"),
        ("s3://bad host:80", "Invalid allowed host scheme \"s3\": only alphabetic characters are allowed"),
    ];
    for (entry, full) in cases {
        assert_eq!(parse_err(entry).full_message(), full, "{entry:?}");
    }
}

/// Schemes: any alphabetic text is kept as written; matching is case-sensitive.
#[test]
fn schemes() {
    #[rustfmt::skip]
    let cases = [
        ("redis://cache:6379", exact("redis"), lit("cache"), port(6379)),
        ("postgres://db", exact("postgres"), lit("db"), port(5432)),
        ("mqtt://broker", exact("mqtt"), lit("broker"), port(1883)),
        ("redis://cache", exact("redis"), lit("cache"), port(6379)),
        ("tcp://host:7", exact("tcp"), lit("host"), port(7)),
        ("udp://host:*", exact("udp"), lit("host"), PortConfig::Any),
        // Upper case parses with an explicit port but can never match a URL's scheme.
        ("HTTP://x:80", exact("HTTP"), lit("x"), port(80)),
    ];
    check_accepted(&cases);
    assert!(!exact("HTTP").allows("http"));
    assert!(SchemeConfig::Any.allows("anything"));
}

/// Hosts: normalisation of literals and suffixes (case, IDNA, punycode, IPs).
#[test]
fn host_normalisation() {
    #[rustfmt::skip]
    let cases = [
        ("https://EXAMPLE.com", exact("https"), lit("example.com"), port(443)),
        ("https://bücher.de", exact("https"), lit("xn--bcher-kva.de"), port(443)),
        ("https://xn--bcher-kva.de", exact("https"), lit("bücher.de"), port(443)),
        ("https://*.BÜCHER.de", exact("https"), sub(".xn--bcher-kva.de"), port(443)),
        ("https://*.xn--bcher-kva.de", exact("https"), sub(".xn--bcher-kva.de"), port(443)),
        ("http://[::FFFF:1.2.3.4]", exact("http"), lit("[::ffff:102:304]"), port(80)),
        ("http://[0:0::1]:81", exact("http"), lit("[::1]"), port(81)),
        ("  http://example.com  ", exact("http"), lit("example.com"), port(80)),
        ("http:// example.com", exact("http"), lit("example.com"), port(80)),
        // `self` is tested before the slash is stripped: `self/` is a literal (issue #3118).
        ("https://self/", exact("https"), lit("self"), port(443)),
        ("https://self", exact("https"), HostConfig::ToSelf, port(443)),
        ("http://self.alt", exact("http"), HostConfig::ToSelf, port(80)),
        ("http://self.alt:8080", exact("http"), HostConfig::ToSelf, port(8080)),
        ("http://SELF", exact("http"), lit("self"), port(80)),
        // A bare IP is a literal, a slash makes a network; host bits are dropped.
        ("http://10.1.2.3", exact("http"), lit("10.1.2.3"), port(80)),
        ("http://10.1.2.3/8", exact("http"), cidr("10.0.0.0/8"), port(80)),
        ("http://10.1.2.3/32", exact("http"), cidr("10.1.2.3/32"), port(80)),
        ("http://0.0.0.0/0:*", exact("http"), cidr("0.0.0.0/0"), PortConfig::Any),
        ("http://::/0:*", exact("http"), cidr("::/0"), PortConfig::Any),
        ("*://2001:db8::1/64:443", SchemeConfig::Any, cidr("2001:db8::/64"), port(443)),
        ("*://*:443", SchemeConfig::Any, HostConfig::Any, port(443)),
    ];
    check_accepted(&cases);
}

/// Ports: default, any, exact, half-open ranges (including empty ones, as in Spin).
#[test]
fn ports() {
    #[rustfmt::skip]
    let cases = [
        ("http://x:0", exact("http"), lit("x"), port(0)),
        ("http://x:65535", exact("http"), lit("x"), port(65535)),
        ("http://x:0..65535", exact("http"), lit("x"), range(0, 65535)),
        ("http://x:9000..8000", exact("http"), lit("x"), range(9000, 8000)),
        ("https://x:*/", exact("https"), lit("x"), PortConfig::Any),
    ];
    check_accepted(&cases);
    let r = range(4444, 5555);
    assert!(r.allows(Some(4444)) && r.allows(Some(5554)));
    assert!(!r.allows(Some(5555)) && !r.allows(Some(4443)));
    assert!(!range(9000, 8000).allows(Some(8500)));
    assert!(!port(80).allows(None) && !r.allows(None));
    assert!(PortConfig::Any.allows(None));
    for bad in [
        "http://x:65536",
        "http://x:-1",
        "http://x:1..2..3",
        "http://x:..",
        "http://x:8 0",
        "http://x:0x50",
    ] {
        assert!(
            parse_err(bad)
                .message()
                .starts_with("Invalid allowed host port"),
            "{bad:?}"
        );
    }
}

/// Courier's decision: `*.spin.internal` with no port and no default port means any port.
#[test]
fn chaining_hosts_without_port() {
    #[rustfmt::skip]
    let cases = [
        ("*://*.spin.internal", SchemeConfig::Any, sub(".spin.internal"), PortConfig::Any),
        ("*://*.Spin.Internal", SchemeConfig::Any, sub(".spin.internal"), PortConfig::Any),
        ("*://back.spin.internal", SchemeConfig::Any, lit("back.spin.internal"), PortConfig::Any),
        ("tcp://back.spin.internal", exact("tcp"), lit("back.spin.internal"), PortConfig::Any),
        // A scheme with a default port keeps it: chaining permission still checks it (spec 3.1).
        ("http://*.spin.internal", exact("http"), sub(".spin.internal"), port(80)),
        ("https://back.spin.internal", exact("https"), lit("back.spin.internal"), port(443)),
        ("*://*.spin.internal:8080", SchemeConfig::Any, sub(".spin.internal"), port(8080)),
    ];
    check_accepted(&cases);
    // Not chaining hosts: still an error.
    for entry in [
        "*://127.0.0.0/24",
        "*://spin.internal",
        "*://*.internal",
        "*://example.com",
        "*://*",
    ] {
        let err = parse_err(entry);
        assert_eq!(
            err.to_string(),
            "Invalid allowed host port \"\"",
            "{entry:?}"
        );
    }
}

#[test]
fn service_chaining_detection() {
    let cases = [
        ("http://back.spin.internal", true),
        ("http://*.spin.internal", true),
        ("https://a.b.spin.internal:8080", true),
        ("http://spin.internal", false),
        ("http://*.internal", false),
        ("http://back.spin.internal.example.com", false),
        ("http://*", false),
        ("http://self", false),
        ("http://10.0.0.0/8", false),
    ];
    for (entry, expected) in cases {
        assert_eq!(
            parse_ok(entry).is_for_service_chaining(),
            expected,
            "{entry:?}"
        );
    }
}

/// Host matching, independent of scheme and port.
#[test]
fn host_matching() {
    let v4 = |s: &str| Host::Ipv4(s.parse().unwrap());
    let v6 = |s: &str| Host::Ipv6(s.parse().unwrap());
    let d = |s: &str| Host::Domain(s.to_owned());
    let cases = [
        (HostConfig::Any, d("example.com"), true),
        (HostConfig::Any, v4("1.2.3.4"), true),
        (HostConfig::Any, v6("::1"), true),
        (sub(".example.com"), d("a.example.com"), true),
        (sub(".example.com"), d("a.b.example.com"), true),
        (sub(".example.com"), d("example.com"), false), // apex
        (sub(".example.com"), d("badexample.com"), false),
        (sub(".example.com"), d("example.com.evil"), false),
        (sub(".example.com"), v4("1.2.3.4"), false),
        (lit("example.com"), d("example.com"), true),
        (lit("example.com"), d("a.example.com"), false),
        (lit("[::1]"), v6("::1"), true),
        (lit("[::1]"), v4("127.0.0.1"), false),
        (lit("127.0.0.1"), v4("127.0.0.1"), true),
        (lit("localhost"), v4("127.0.0.1"), false),
        (cidr("10.0.0.0/8"), v4("10.9.8.7"), true),
        (cidr("10.0.0.0/8"), v4("11.0.0.1"), false),
        (cidr("10.0.0.0/8"), d("10.example.com"), false), // no DNS
        (cidr("0.0.0.0/0"), d("localhost"), false),
        (cidr("10.0.0.0/8"), v6("::ffff:10.0.0.1"), false),
        (cidr("2001:db8::/32"), v6("2001:db8:abcd::1"), true),
        (cidr("2001:db8::/32"), v6("2001:db9::1"), false),
        (cidr("::/0"), v4("1.2.3.4"), false),
        (HostConfig::ToSelf, d("self"), false),
        (HostConfig::ToSelf, d("self.alt"), false),
        (HostConfig::ToSelf, d("localhost"), false),
    ];
    for (config, host, expected) in cases {
        assert_eq!(config.allows(&host), expected, "{config} vs {host}");
    }
}

/// Relative requests: http/https/`*` scheme with `self`, `self.alt` or `*`; port ignored.
#[test]
fn relative_grants() {
    let cases = [
        ("http://self", true),
        ("https://self", true),
        ("http://self.alt", true),
        ("http://self:9999", true),
        ("*://self:1", true),
        ("https://*:443", true),
        ("http://*", true),
        ("*://*:*", true),
        ("tcp://*:*", false),
        ("redis://self", false),
        ("http://localhost", false),
        ("http://*.example.com", false),
        ("https://self/", false), // a literal host named `self`
        ("http://0.0.0.0/0", false),
    ];
    for (entry, expected) in cases {
        assert_eq!(parse_ok(entry).allows_relative(), expected, "{entry:?}");
    }
}

#[test]
fn equality_ignores_text_and_from_parts_renders() {
    assert_eq!(
        parse_ok("http://example.com"),
        parse_ok("http://EXAMPLE.com:80/")
    );
    assert_ne!(
        parse_ok("http://example.com"),
        parse_ok("https://example.com")
    );
    let built = AllowedHost::from_parts(exact("http"), lit("a.spin.internal"), port(80));
    assert_eq!(built.as_str(), "http://a.spin.internal:80");
    assert_eq!(built, parse_ok(built.as_str()));
    let any = AllowedHost::from_parts(SchemeConfig::Any, sub(".x.com"), range(1, 5));
    assert_eq!(any.to_string(), "*://*.x.com:1..5");
    assert_eq!(any, parse_ok(any.as_str()));
}

#[test]
fn default_ports() {
    let cases = [
        ("http", Some(80)),
        ("https", Some(443)),
        ("postgres", Some(5432)),
        ("mysql", Some(3306)),
        ("redis", Some(6379)),
        ("mqtt", Some(1883)),
        ("tcp", None),
        ("*", None),
        ("HTTP", None),
        ("ws", None),
    ];
    for (scheme, expected) in cases {
        assert_eq!(default_port(scheme), expected, "{scheme}");
    }
}

/// No input may panic, and whatever parses re-parses from its canonical form.
#[test]
fn garbage_never_panics() {
    let pieces = [
        "",
        "*",
        ":",
        "://",
        "/",
        "//",
        "[",
        "]",
        "{",
        "}",
        "{{",
        ".",
        "..",
        "*.",
        "%",
        "@",
        "?",
        "#",
        " ",
        "http",
        "self",
        "::1",
        "[::1]",
        "10.0.0.0/8",
        "é",
        "\u{0}",
        "\u{1F600}",
        "99999",
        "1..2",
        "x",
    ];
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let entry = format!("{a}{b}{c}");
                if let Ok(parsed) = AllowedHost::parse(&entry) {
                    let canonical = AllowedHost::from_parts(
                        parsed.scheme.clone(),
                        parsed.host.clone(),
                        parsed.port.clone(),
                    );
                    if let Ok(again) = AllowedHost::parse(canonical.as_str()) {
                        assert_eq!(again, parsed, "{entry:?} -> {canonical}");
                    }
                }
                let _ = AllowedHost::parse(&format!("http://{a}{b}:{c}"));
                let _ = AllowedHost::parse(&format!("*://{a}.{b}/{c}"));
            }
        }
    }
}
