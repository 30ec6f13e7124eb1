//! The deprecated `allowed_http_hosts` key and its conversion (spec 1.10).

use url::Url;

use crate::error::{ErrorKind, PolicyError};

const ALLOW_ALL: &str = "insecure:allow-all";

/// Legacy `allowed_http_hosts` → the equivalent `allowed_outbound_hosts` strings,
/// manifest v2 behaviour (no database grants):
/// - `insecure:allow-all` anywhere → `http://*:*`, `https://*:*`, `http://self`;
/// - `self` → `http://self`;
/// - `host`, `host:port`, `http(s)://host[:port][/]` → both `http://host[:port]` and
///   `https://host[:port]` (the written scheme is ignored; no port means each scheme's default).
///
/// Bad entries are reported together: `One or more allowed_http_hosts entries was invalid:`
/// then one line per entry.
pub fn convert_allowed_http_hosts(entries: &[String]) -> Result<Vec<String>, PolicyError> {
    convert(entries, false)
}

/// Manifest v1 conversion when the component has no `allowed_outbound_hosts`: as
/// [`convert_allowed_http_hosts`], preceded by `redis://*:*`, `mysql://*:*`, `postgres://*:*`.
pub fn convert_allowed_http_hosts_v1(entries: &[String]) -> Result<Vec<String>, PolicyError> {
    convert(entries, true)
}

/// The warning printed when a v2 manifest still uses `allowed_http_hosts`;
/// `converted` is what [`convert_allowed_http_hosts`] returned.
pub fn deprecation_warning(converted: &[String]) -> String {
    format!(
        "Use of the deprecated field `allowed_http_hosts` - to fix, replace `allowed_http_hosts` with `allowed_outbound_hosts = {converted:?}`"
    )
}

fn convert(entries: &[String], database_access: bool) -> Result<Vec<String>, PolicyError> {
    let mut out: Vec<String> = if database_access {
        vec![
            "redis://*:*".into(),
            "mysql://*:*".into(),
            "postgres://*:*".into(),
        ]
    } else {
        Vec::new()
    };
    if entries.iter().any(|e| e == ALLOW_ALL) {
        out.extend([
            "http://*:*".into(),
            "https://*:*".into(),
            "http://self".into(),
        ]);
        return Ok(out);
    }
    let mut errors = Vec::new();
    for entry in entries {
        match parse_entry(entry) {
            Ok((host, _)) if host == "self" => out.push("http://self".into()),
            Ok((host, port)) => {
                let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                out.push(format!("http://{host}{port}"));
                out.push(format!("https://{host}{port}"));
            }
            Err(line) => errors.push(line),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(PolicyError::new(
            ErrorKind::InvalidLegacyHost,
            format!(
                "One or more allowed_http_hosts entries was invalid:\n{}",
                errors.join("\n")
            ),
        ))
    }
}

/// One legacy entry → (normalised host, explicit non-default port), or the error line.
fn parse_entry(text: &str) -> Result<(String, Option<u16>), String> {
    // `Url::parse("localhost:3001")` would take `localhost` as a scheme, so only
    // text with `//` is read as a URL; anything else is a host[:port].
    let url = if text.contains("//") {
        let url =
            Url::parse(text).map_err(|e| format!("{text} isn't a valid HTTP host URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{text} isn't a valid host or host:port string"));
        }
        url
    } else {
        Url::parse(&format!("http://{text}"))
            .map_err(|_| format!("{text} isn't a valid host or host:port string"))?
    };
    let host = url
        .host_str()
        .ok_or_else(|| format!("{text} doesn't contain a host name"))?;
    if url.path().len() > 1 {
        return Err(format!(
            "{text} contains a path, should be host and optional port only"
        ));
    }
    Ok((host.to_owned(), url.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// D1–D5 and more: (legacy entry, converted entries).
    #[test]
    fn converts_each_entry() {
        let cases: &[(&str, &[&str])] = &[
            (
                "http://spin.fermyon.dev",
                &["http://spin.fermyon.dev", "https://spin.fermyon.dev"],
            ),
            (
                "http://spin.fermyon.dev/",
                &["http://spin.fermyon.dev", "https://spin.fermyon.dev"],
            ),
            (
                "https://spin.fermyon.dev",
                &["http://spin.fermyon.dev", "https://spin.fermyon.dev"],
            ),
            (
                "spin.fermyon.dev",
                &["http://spin.fermyon.dev", "https://spin.fermyon.dev"],
            ),
            (
                "http://spin.fermyon.dev:4444",
                &[
                    "http://spin.fermyon.dev:4444",
                    "https://spin.fermyon.dev:4444",
                ],
            ),
            (
                "http://spin.fermyon.dev:4444/",
                &[
                    "http://spin.fermyon.dev:4444",
                    "https://spin.fermyon.dev:4444",
                ],
            ),
            (
                "spin.fermyon.dev:7777",
                &[
                    "http://spin.fermyon.dev:7777",
                    "https://spin.fermyon.dev:7777",
                ],
            ),
            (
                "https://spin.fermyon.dev:5555",
                &[
                    "http://spin.fermyon.dev:5555",
                    "https://spin.fermyon.dev:5555",
                ],
            ),
            ("self", &["http://self"]),
            ("self.alt", &["http://self.alt", "https://self.alt"]),
            ("localhost", &["http://localhost", "https://localhost"]),
            (
                "http://localhost",
                &["http://localhost", "https://localhost"],
            ),
            (
                "localhost:3001",
                &["http://localhost:3001", "https://localhost:3001"],
            ),
            (
                "http://localhost:3001",
                &["http://localhost:3001", "https://localhost:3001"],
            ),
            (
                "192.168.1.1",
                &["http://192.168.1.1", "https://192.168.1.1"],
            ),
            (
                "http://192.168.1.1",
                &["http://192.168.1.1", "https://192.168.1.1"],
            ),
            (
                "192.168.1.1:3002",
                &["http://192.168.1.1:3002", "https://192.168.1.1:3002"],
            ),
            (
                "http://192.168.1.1:3002",
                &["http://192.168.1.1:3002", "https://192.168.1.1:3002"],
            ),
            ("[::1]", &["http://[::1]", "https://[::1]"]),
            (
                "http://[::1]:8001",
                &["http://[::1]:8001", "https://[::1]:8001"],
            ),
            // Normalised by the url crate; its default port is dropped.
            (
                "Spin.Fermyon.DEV",
                &["http://spin.fermyon.dev", "https://spin.fermyon.dev"],
            ),
            ("https://x:443", &["http://x", "https://x"]),
        ];
        for (entry, expected) in cases {
            let got = convert_allowed_http_hosts(&strings(&[entry]))
                .unwrap_or_else(|e| panic!("{entry}: {e}"));
            assert_eq!(got, strings(expected), "{entry:?}");
        }
    }

    /// Every converted entry is itself a valid `allowed_outbound_hosts` entry.
    #[test]
    fn converted_entries_parse() {
        let legacy = strings(&["spin.fermyon.dev:7777", "self", "[::1]", "http://localhost"]);
        for entry in convert_allowed_http_hosts(&legacy).unwrap() {
            crate::AllowedHost::parse(&entry).unwrap_or_else(|e| panic!("{entry}: {e}"));
        }
    }

    #[test]
    fn allow_all_anywhere_wins() {
        let all = strings(&["http://*:*", "https://*:*", "http://self"]);
        assert_eq!(
            convert_allowed_http_hosts(&strings(&["insecure:allow-all"])).unwrap(),
            all
        );
        // Even next to an invalid entry (D8).
        let mixed = strings(&["spin.fermyon.dev", "ftp://bad", "insecure:allow-all"]);
        assert_eq!(convert_allowed_http_hosts(&mixed).unwrap(), all);
    }

    #[test]
    fn v1_adds_database_grants() {
        let got = convert_allowed_http_hosts_v1(&strings(&["insecure:allow-all"])).unwrap();
        assert_eq!(
            got,
            strings(&[
                "redis://*:*",
                "mysql://*:*",
                "postgres://*:*",
                "http://*:*",
                "https://*:*",
                "http://self"
            ])
        );
        let got = convert_allowed_http_hosts_v1(&[]).unwrap();
        assert_eq!(
            got,
            strings(&["redis://*:*", "mysql://*:*", "postgres://*:*"])
        );
        assert!(convert_allowed_http_hosts(&[]).unwrap().is_empty());
    }

    /// D6, D7 and the other error forms: (entry, its error line).
    #[test]
    fn rejects_bad_entries_with_one_line_each() {
        let cases = [
            ("http://spin.fermyon.dev/a", "http://spin.fermyon.dev/a contains a path, should be host and optional port only"),
            ("http://spin.fermyon.dev:6666/a/b", "http://spin.fermyon.dev:6666/a/b contains a path, should be host and optional port only"),
            ("example.com/wib/wob", "example.com/wib/wob contains a path, should be host and optional port only"),
            ("ftp://spin.fermyon.dev", "ftp://spin.fermyon.dev isn't a valid host or host:port string"),
            ("ftp://spin.fermyon.dev:6666", "ftp://spin.fermyon.dev:6666 isn't a valid host or host:port string"),
            ("http://", "http:// isn't a valid HTTP host URL: empty host"),
            ("localhost:port", "localhost:port isn't a valid host or host:port string"),
            ("exa mple.com", "exa mple.com isn't a valid host or host:port string"),
        ];
        for (entry, line) in cases {
            let err = convert_allowed_http_hosts(&strings(&[entry])).expect_err(entry);
            assert_eq!(err.kind(), ErrorKind::InvalidLegacyHost);
            assert_eq!(
                err.to_string(),
                format!("One or more allowed_http_hosts entries was invalid:\n{line}")
            );
        }
    }

    #[test]
    fn aggregates_all_errors_in_order() {
        let list = strings(&["good.com", "http://a/b", "ftp://c", "also-good.com"]);
        let err = convert_allowed_http_hosts(&list).unwrap_err();
        assert_eq!(
            err.to_string(),
            "One or more allowed_http_hosts entries was invalid:\n\
             http://a/b contains a path, should be host and optional port only\n\
             ftp://c isn't a valid host or host:port string"
        );
    }

    #[test]
    fn deprecation_warning_lists_the_replacement() {
        let converted = strings(&["http://a.com", "https://a.com"]);
        assert_eq!(
            deprecation_warning(&converted),
            "Use of the deprecated field `allowed_http_hosts` - to fix, replace `allowed_http_hosts` with \
             `allowed_outbound_hosts = [\"http://a.com\", \"https://a.com\"]`"
        );
    }
}
