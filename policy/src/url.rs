//! The URL of an outbound request as the matcher sees it (spec 1.6).

use std::fmt;

use url::{Host, Url};

use crate::entry::default_port;
use crate::error::{ErrorKind, PolicyError};

/// The URL of an outbound request as the matcher sees it: lower-case scheme,
/// normalised host, and the port if the URL states a non-default one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundUrl {
    scheme: String,
    host: Host<String>,
    explicit_port: Option<u16>,
    original: String,
}

impl OutboundUrl {
    /// Parses as Spin does (spec 1.6): with the `url` crate; on failure, or when the
    /// result has no host, retried with `"<default_scheme>://"` prepended. Userinfo
    /// before an `@` is percent-encoded first so that `#`, `:` or `@` in a password
    /// cannot move the host. The host is then normalised like an entry's literal
    /// (so `tcp://127.0.0.1` has an IPv4 host and `MySQL://XYZ.com` the domain `xyz.com`).
    ///
    /// Courier retries only text that does not start with `<scheme>://`: a URL that
    /// states its scheme must parse, with a host.
    pub fn parse(url: &str, default_scheme: &str) -> Result<Self, PolicyError> {
        let encoded = encode_userinfo(url);
        let unparseable = |cause: &dyn fmt::Display| {
            PolicyError::caused_by(
                ErrorKind::InvalidUrl,
                format!("{url:?} could not be parsed as a URL"),
                cause,
            )
        };
        let parsed = if starts_with_scheme(&encoded) {
            // Courier: a URL that states its scheme is parsed once. Spin retries it too,
            // which turns `https://bad host` or `file:///x` into a host named after the
            // scheme (`https`, `file`); both end up denying the request.
            Url::parse(&encoded).map_err(|e| unparseable(&e))?
        } else {
            match Url::parse(&encoded) {
                Ok(parsed) if parsed.has_host() => parsed,
                // `host:port` parses as scheme `host` with no host: retry with the default scheme.
                first => match Url::parse(&format!("{default_scheme}://{encoded}")) {
                    Ok(parsed) => parsed,
                    // Prefer the first attempt's error: it is about what the caller wrote.
                    Err(second) => return Err(unparseable(&first.err().unwrap_or(second))),
                },
            }
        };
        let host = match parsed.host() {
            Some(Host::Domain(domain)) => Host::parse(domain).map_err(|e| {
                PolicyError::caused_by(
                    ErrorKind::InvalidUrl,
                    format!("{url:?} has an invalid host {domain:?}"),
                    &e,
                )
            })?,
            Some(Host::Ipv4(ip)) => Host::Ipv4(ip),
            Some(Host::Ipv6(ip)) => Host::Ipv6(ip),
            None => {
                return Err(PolicyError::new(
                    ErrorKind::InvalidUrl,
                    format!("{url:?} does not have a host component"),
                ))
            }
        };
        Ok(Self {
            scheme: parsed.scheme().to_owned(),
            host,
            explicit_port: parsed.port(),
            original: url.to_owned(),
        })
    }

    /// The scheme, lower case.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The normalised host.
    pub fn host(&self) -> &Host<String> {
        &self.host
    }

    /// The effective port: the explicit one, else the scheme's default (if any).
    pub fn port(&self) -> Option<u16> {
        self.explicit_port.or_else(|| default_port(&self.scheme))
    }

    /// The port as written, if any. The `url` crate drops a special scheme's
    /// default (`https://x:443` has none), as Spin sees it.
    pub fn explicit_port(&self) -> Option<u16> {
        self.explicit_port
    }

    /// `<scheme>://<host>[:<port>]` for messages: the port is shown only when the
    /// URL states it and it is not the scheme's default.
    pub fn origin_for_display(&self) -> String {
        format!("{}://{}", self.scheme, self.authority_for_display())
    }

    /// `<host>[:<port>]` with the same port rule as [`Self::origin_for_display`].
    pub fn authority_for_display(&self) -> String {
        match self.explicit_port {
            Some(port) if Some(port) != default_port(&self.scheme) => {
                format!("{}:{port}", self.host)
            }
            _ => self.host.to_string(),
        }
    }
}

impl fmt::Display for OutboundUrl {
    /// The URL as the caller passed it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// Whether the text begins with `<scheme>://` (RFC 3986 scheme characters).
fn starts_with_scheme(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| {
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Percent-encodes everything between `://` (or the start) and the first `@`,
/// when that `@` comes before the first `/`. Harmless when already encoded:
/// only the host is used afterwards.
fn encode_userinfo(url: &str) -> String {
    let Some(at) = url.find('@') else {
        return url.to_owned();
    };
    let start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[start..].find('/').map_or(usize::MAX, |i| i + start);
    if at < start || at >= path_start {
        return url.to_owned();
    }
    let mut out = String::with_capacity(url.len() + 16);
    out.push_str(&url[..start]);
    for byte in url[start..at].bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out.push_str(&url[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn domain(d: &str) -> Host<String> {
        Host::Domain(d.to_owned())
    }

    /// url, default scheme, scheme, host, explicit port, effective port.
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        Host<String>,
        Option<u16>,
        Option<u16>,
    );

    #[test]
    fn parses_scheme_host_and_port() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("http://example.com:8383/foo/bar", "https", "http", domain("example.com"), Some(8383), Some(8383)),
            ("https://spin.fermyon.dev", "https", "https", domain("spin.fermyon.dev"), None, Some(443)),
            ("https://spin.fermyon.dev/", "https", "https", domain("spin.fermyon.dev"), None, Some(443)),
            // The url crate drops a special scheme's default port.
            ("https://x:443", "https", "https", domain("x"), None, Some(443)),
            ("http://[::1]:80", "https", "http", Host::Ipv6(Ipv6Addr::LOCALHOST), None, Some(80)),
            // No scheme: retried with the default one.
            ("spin.fermyon.dev:443", "https", "https", domain("spin.fermyon.dev"), None, Some(443)),
            ("example.com:8383", "http", "http", domain("example.com"), Some(8383), Some(8383)),
            ("example.com", "https", "https", domain("example.com"), None, Some(443)),
            ("example.com/r?u=http://x", "https", "https", domain("example.com"), None, Some(443)),
            ("127.0.0.1:63551", "tcp", "tcp", Host::Ipv4(Ipv4Addr::LOCALHOST), Some(63551), Some(63551)),
            // Non-special schemes: the opaque host is normalised like a literal.
            ("tcp://127.0.0.1:63551", "tcp", "tcp", Host::Ipv4(Ipv4Addr::LOCALHOST), Some(63551), Some(63551)),
            ("MySQL://XYZ.com", "mysql", "mysql", domain("xyz.com"), None, Some(3306)),
            ("mysql://xyz.com:3306", "mysql", "mysql", domain("xyz.com"), Some(3306), Some(3306)),
            ("tcp://[::1]:5", "tcp", "tcp", Host::Ipv6(Ipv6Addr::LOCALHOST), Some(5), Some(5)),
            ("tcp://host", "tcp", "tcp", domain("host"), None, None),
            // Host case and IDNA.
            ("https://EXAMPLE.com/", "https", "https", domain("example.com"), None, Some(443)),
            ("https://bücher.de", "https", "https", domain("xn--bcher-kva.de"), None, Some(443)),
            // Userinfo is encoded so the host survives '#', ':', '@' in passwords.
            ("mysql://user:pass#word@xyz.com", "mysql", "mysql", domain("xyz.com"), None, Some(3306)),
            ("mysql://user%3Apass%23word@xyz.com", "mysql", "mysql", domain("xyz.com"), None, Some(3306)),
            ("user%3Apass%23word@xyz.com", "mysql", "mysql", domain("xyz.com"), None, Some(3306)),
            ("https://user:p@ss@example.com/", "https", "https", domain("example.com"), None, Some(443)),
            ("https://user:password@example.com/file@0.1.0.json", "https", "https", domain("example.com"), None, Some(443)),
            ("https://user:pass#word@example.com/file@0.1.0.json", "https", "https", domain("example.com"), None, Some(443)),
            // An '@' in the path is not userinfo.
            ("https://example.com/file@0.1.0.json", "https", "https", domain("example.com"), None, Some(443)),
            // ws has a url-crate default (80, dropped) but no matcher default.
            ("ws://x:80", "https", "ws", domain("x"), None, None),
        ];
        for (url, default, scheme, host, explicit, effective) in cases {
            let parsed = OutboundUrl::parse(url, default)
                .unwrap_or_else(|e| panic!("{url:?}: {}", e.full_message()));
            assert_eq!(parsed.scheme(), *scheme, "{url:?}");
            assert_eq!(parsed.host(), host, "{url:?}");
            assert_eq!(parsed.explicit_port(), *explicit, "{url:?}");
            assert_eq!(parsed.port(), *effective, "{url:?}");
            assert_eq!(parsed.to_string(), *url);
        }
    }

    #[test]
    fn rejects_unparseable_urls() {
        for url in [
            "",
            "http://",
            "https://exa mple.com",
            "http://[::1",
            "file:///etc/passwd",
            "://",
        ] {
            let err = OutboundUrl::parse(url, "https").expect_err(url);
            assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{url:?}");
        }
    }

    /// Spin would retry these as `https://http://…`, whose host is `http`; Courier does not.
    #[test]
    fn failed_schemed_urls_are_not_retried() {
        for url in ["http://", "https://exa mple.com", "https://[::1"] {
            let err = OutboundUrl::parse(url, "https").expect_err(url);
            assert_eq!(
                err.message(),
                format!("{url:?} could not be parsed as a URL")
            );
        }
        let err = OutboundUrl::parse("file:///etc/passwd", "https").unwrap_err();
        assert_eq!(
            err.message(),
            "\"file:///etc/passwd\" does not have a host component"
        );
        // A parse that succeeds without a host is still retried (`host:port` reads as a scheme).
        assert_eq!(
            OutboundUrl::parse("localhost:3000", "http")
                .unwrap()
                .origin_for_display(),
            "http://localhost:3000"
        );
    }

    #[test]
    fn origin_for_display_shows_only_non_default_ports() {
        let cases = [
            ("https://www.fermyon.com", "https://www.fermyon.com"),
            ("https://www.fermyon.com:443/x", "https://www.fermyon.com"),
            ("http://example.com:8080/x?y", "http://example.com:8080"),
            ("http://[::1]:3000/", "http://[::1]:3000"),
            ("mysql://db:3306", "mysql://db"),
            ("mysql://db:3307", "mysql://db:3307"),
            ("tcp://127.0.0.1:7", "tcp://127.0.0.1:7"),
            ("HTTPS://Example.COM", "https://example.com"),
        ];
        for (url, origin) in cases {
            assert_eq!(
                OutboundUrl::parse(url, "https")
                    .unwrap()
                    .origin_for_display(),
                origin
            );
        }
    }

    #[test]
    fn encode_userinfo_only_touches_userinfo() {
        assert_eq!(encode_userinfo("https://a:b@c/d@e"), "https://a%3Ab@c/d@e");
        assert_eq!(encode_userinfo("https://c/d@e"), "https://c/d@e");
        assert_eq!(encode_userinfo("a b@c"), "a%20b@c");
        assert_eq!(encode_userinfo("no-at-sign"), "no-at-sign");
        // Multi-byte characters are encoded byte by byte without slicing inside them.
        assert_eq!(encode_userinfo("x://é@h"), "x://%C3%A9@h");
    }

    #[test]
    fn garbage_never_panics() {
        let junk = [
            "@",
            "@@",
            "://@",
            "a://@/",
            "[",
            "]",
            "%",
            "%%%",
            "::::",
            "//",
            "\u{0}",
            "é@",
            "http://@",
            "http://a@",
            "x://\u{1F600}@h",
            "@://",
            "a@b://c",
            "?#@/",
        ];
        for url in junk {
            let _ = OutboundUrl::parse(url, "https");
            let _ = OutboundUrl::parse(url, "tcp");
        }
    }
}
