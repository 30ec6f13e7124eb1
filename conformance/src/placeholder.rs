//! Placeholders in case files: `{U}`, `{U.port}`, `{U.port+1}`, `{U.host}`, `{U.ip}`, `{U.url}`,
//! `{HTTP_SERVER_U}` (the same as `{U.url}`, the name conformance-tests gives it), `{ca_pem}`.
//! They stand for values only known once a cell's upstream servers are listening. Spin
//! templates (`{{ name }}`) pass through untouched.

use std::collections::BTreeMap;
use std::net::SocketAddr;

/// What one upstream server contributes to placeholders.
#[derive(Debug, Clone)]
pub struct UpstreamAddr {
    pub addr: SocketAddr,
    /// `http` or `https`.
    pub scheme: &'static str,
}

/// Values for the placeholders of one cell.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub upstreams: BTreeMap<String, UpstreamAddr>,
    /// Path of the test CA's PEM file.
    pub ca_pem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error("unknown placeholder `{{{0}}}` (declare an upstream of that name, or use `ca_pem`)")]
    Unknown(String),
    #[error(
        "placeholder `{{{0}}}`: unknown field `{1}` (use host, ip, port, port+N, port-N or url)"
    )]
    Field(String, String),
    #[error("unterminated placeholder in `{0}`")]
    Unterminated(String),
}

/// Calls `f(name, field)` for every placeholder in `s`, and gives back the expanded string.
fn scan(
    s: &str,
    mut f: impl FnMut(&str, Option<&str>) -> Result<String, PlaceholderError>,
) -> Result<String, PlaceholderError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            // A Spin template: copy through to its closing braces.
            match after.find("}}") {
                Some(j) => {
                    out.push_str(&tail[..j + 4]);
                    rest = &after[j + 2..];
                }
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
            continue;
        }
        let body = &tail[1..];
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-')))
            .unwrap_or(body.len());
        let inner = &body[..len];
        let starts_like_one = inner
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
        if starts_like_one && body[len..].starts_with('}') {
            let (name, field) = match inner.split_once('.') {
                Some((n, f)) => (n, Some(f)),
                None => (inner, None),
            };
            out.push_str(&f(name, field)?);
            rest = &body[len + 1..];
        } else if starts_like_one && len == body.len() {
            return Err(PlaceholderError::Unterminated(s.to_string()));
        } else {
            // Not ours (e.g. a JSON brace in a body): keep it and go on after it.
            out.push('{');
            rest = body;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The port offset of a `port+N` / `port-N` field.
fn check_field(name: &str, field: Option<&str>) -> Result<Option<i32>, PlaceholderError> {
    match field {
        None | Some("host") | Some("ip") | Some("port") | Some("url") => Ok(None),
        Some(f) => {
            let offset = if let Some(n) = f.strip_prefix("port+") {
                n.parse::<u16>().ok().map(i32::from)
            } else if let Some(n) = f.strip_prefix("port-") {
                n.parse::<u16>().ok().map(|n| -i32::from(n))
            } else {
                None
            };
            offset
                .map(Some)
                .ok_or_else(|| PlaceholderError::Field(name.into(), f.into()))
        }
    }
}

/// `{HTTP_SERVER_U}` is `{U.url}`.
fn alias<'a>(name: &'a str, field: Option<&'a str>) -> (&'a str, Option<&'a str>) {
    match (name.strip_prefix("HTTP_SERVER_"), field) {
        (Some(upstream), None) if !upstream.is_empty() => (upstream, Some("url")),
        _ => (name, field),
    }
}

/// Checks that every placeholder in `s` names one of `upstreams` (or a global) with a valid field.
pub fn validate(s: &str, upstreams: &[&str]) -> Result<(), PlaceholderError> {
    scan(s, |name, field| {
        let (name, field) = alias(name, field);
        if name == "ca_pem" && field.is_none() {
            return Ok(String::new());
        }
        if !upstreams.contains(&name) {
            return Err(PlaceholderError::Unknown(name.into()));
        }
        check_field(name, field).map(|_| String::new())
    })
    .map(|_| ())
}

impl Context {
    pub fn expand(&self, s: &str) -> Result<String, PlaceholderError> {
        scan(s, |name, field| {
            let (name, field) = alias(name, field);
            if name == "ca_pem" && field.is_none() {
                return Ok(self.ca_pem.clone());
            }
            let up = self
                .upstreams
                .get(name)
                .ok_or_else(|| PlaceholderError::Unknown(name.into()))?;
            let ip = up.addr.ip();
            let host = match ip {
                std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                v4 => v4.to_string(),
            };
            let port = up.addr.port();
            Ok(match field {
                None => format!("{host}:{port}"),
                Some("host") => host,
                Some("ip") => ip.to_string(),
                Some("port") => port.to_string(),
                Some("url") => format!("{}://{host}:{port}", up.scheme),
                Some(_) => {
                    let n = check_field(name, field)?.unwrap_or(0);
                    (i32::from(port) + n).to_string()
                }
            })
        })
    }

    /// Expands every string inside a TOML value, in place.
    pub fn expand_value(&self, v: &mut toml::Value) -> Result<(), PlaceholderError> {
        match v {
            toml::Value::String(s) => *s = self.expand(s)?,
            toml::Value::Array(a) => {
                for x in a {
                    self.expand_value(x)?;
                }
            }
            toml::Value::Table(t) => {
                for (_, x) in t.iter_mut() {
                    self.expand_value(x)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Calls `f(path, string)` for every string in a TOML value (not for table keys).
pub fn walk_strings(v: &toml::Value, path: &str, f: &mut impl FnMut(&str, &str)) {
    match v {
        toml::Value::String(s) => f(path, s),
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_strings(x, &format!("{path}[{i}]"), f);
            }
        }
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk_strings(x, &p, f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context {
            ca_pem: "/tmp/ca.pem".into(),
            ..Default::default()
        };
        c.upstreams.insert(
            "U".into(),
            UpstreamAddr {
                addr: "127.0.0.1:4000".parse().unwrap(),
                scheme: "http",
            },
        );
        c.upstreams.insert(
            "V6".into(),
            UpstreamAddr {
                addr: "[::1]:5000".parse().unwrap(),
                scheme: "https",
            },
        );
        c
    }

    #[test]
    fn expands_every_field() {
        let c = ctx();
        assert_eq!(c.expand("http://{U}/x").unwrap(), "http://127.0.0.1:4000/x");
        assert_eq!(c.expand("{U.host}:{U.port+1}").unwrap(), "127.0.0.1:4001");
        assert_eq!(c.expand("{U.port-1}..{U.port}").unwrap(), "3999..4000");
        assert_eq!(c.expand("{V6}").unwrap(), "[::1]:5000");
        assert_eq!(c.expand("{V6.ip}").unwrap(), "::1");
        assert_eq!(c.expand("{V6.url}/a").unwrap(), "https://[::1]:5000/a");
        assert_eq!(c.expand("ca={ca_pem}").unwrap(), "ca=/tmp/ca.pem");
        assert_eq!(
            c.expand("{HTTP_SERVER_V6}/a").unwrap(),
            "https://[::1]:5000/a"
        );
        assert!(validate("{HTTP_SERVER_U}", &["U"]).is_ok());
        assert!(validate("{HTTP_SERVER_W}", &["U"]).is_err());
    }

    #[test]
    fn spin_templates_and_json_braces_pass_through() {
        let c = ctx();
        assert_eq!(
            c.expand("http://{{ host }}:{U.port}").unwrap(),
            "http://{{ host }}:4000"
        );
        assert_eq!(c.expand(r#"{"a": 1}"#).unwrap(), r#"{"a": 1}"#);
        assert_eq!(
            c.expand(r#"{"url":"http://{U}/x"}"#).unwrap(),
            r#"{"url":"http://127.0.0.1:4000/x"}"#
        );
    }

    #[test]
    fn unknown_names_and_fields_are_errors() {
        assert_eq!(
            validate("http://{W}/", &["U"]),
            Err(PlaceholderError::Unknown("W".into()))
        );
        assert_eq!(
            validate("{U.prot}", &["U"]),
            Err(PlaceholderError::Field("U".into(), "prot".into()))
        );
        assert!(validate("{U.port+7} {ca_pem} {{ x }}", &["U"]).is_ok());
        assert!(matches!(
            validate("{U", &["U"]),
            Err(PlaceholderError::Unterminated(_))
        ));
    }
}
