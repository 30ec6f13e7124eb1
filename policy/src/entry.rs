//! One `allowed_outbound_hosts` entry: `<scheme>://<host>[:<port>][/]` (spec 1.2–1.5).

use std::fmt;
use std::net::IpAddr;
use std::ops::Range;

use ipnet::IpNet;
use url::Host;

use crate::error::{ErrorKind, PolicyError};

/// The domain suffix of local service chaining targets (spec 3.1).
pub const SERVICE_CHAINING_DOMAIN_SUFFIX: &str = ".spin.internal";

/// Where the "learn more" lines of the entry messages point (text mirrored from Spin).
const LEARN_MORE: &str =
    "Learn more: https://spinframework.dev/v3/http-outbound#granting-http-permissions-to-components";

/// The default port of a scheme, as the matcher knows it (spec 1.5).
///
/// Case-sensitive on purpose: `HTTP://x` has no default port, as in Spin.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "redis" => Some(6379),
        "mqtt" => Some(1883),
        _ => None,
    }
}

/// The scheme part of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchemeConfig {
    /// `*`: any scheme.
    Any,
    /// Exactly this scheme, compared case-sensitively with the URL's (lower-case) scheme.
    Exact(String),
}

impl SchemeConfig {
    fn parse(scheme: &str) -> Result<Self, PolicyError> {
        if scheme == "*" {
            return Ok(Self::Any);
        }
        if scheme.starts_with('{') {
            return Err(invalid("scheme lists are not supported"));
        }
        if scheme.chars().any(|c| !c.is_alphabetic()) {
            return Err(invalid("only alphabetic characters are allowed"));
        }
        Ok(Self::Exact(scheme.to_owned()))
    }

    /// Whether a URL with this (lower-case) scheme is allowed.
    pub fn allows(&self, scheme: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Exact(s) => s == scheme,
        }
    }
}

impl fmt::Display for SchemeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Exact(s) => f.write_str(s),
        }
    }
}

/// The host part of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostConfig {
    /// `*`: any host, including IP addresses; also grants relative (self) requests.
    Any,
    /// `*.<suffix>`: any domain ending in this suffix, stored normalised with its
    /// leading dot (`".example.com"`). The bare apex does not match.
    AnySubdomain(String),
    /// `self` or `self.alt`: only relative (self) requests; never an absolute URL.
    ToSelf,
    /// One host, normalised by `url::Host::parse` (lower case, IDNA, IP literals).
    Literal(Host<String>),
    /// An IP network (host bits truncated). Matches IP hosts only: no DNS lookup happens.
    Cidr(IpNet),
}

impl HostConfig {
    /// Parses the host part of an entry (spec 1.4, in that order).
    pub fn parse(host: &str) -> Result<Self, PolicyError> {
        let host = host.trim();
        if host == "*" {
            return Ok(Self::Any);
        }
        // Checked before the slash is stripped: `self/` is the literal host `self` (issue #3118).
        if host == "self" || host == "self.alt" {
            return Ok(Self::ToSelf);
        }
        if host.starts_with('{') {
            // url::Host would accept `{x` as a domain; braces are only meaningful as lists.
            return Err(invalid("host lists are not yet supported"));
        }
        if let Some(net) = parse_cidr(host) {
            return Ok(Self::Cidr(net));
        }
        let host = host.strip_suffix('/').unwrap_or(host);
        if host.contains('/') {
            return Err(invalid("must not include a path"));
        }
        if let Some(suffix) = host.strip_prefix("*.") {
            return parse_wildcard_suffix(suffix);
        }
        if host.contains('*') {
            return Err(invalid("wildcards are allowed only as subdomains"));
        }
        Host::parse(host)
            .map(Self::Literal)
            .map_err(|e| invalid(e.to_string()))
    }

    /// Whether an absolute URL's host is allowed.
    pub fn allows(&self, host: &Host<String>) -> bool {
        match (self, host) {
            (Self::Any, _) => true,
            (Self::AnySubdomain(suffix), Host::Domain(domain)) => domain.ends_with(suffix.as_str()),
            (Self::AnySubdomain(_), _) => false,
            (Self::Literal(literal), host) => literal == host,
            (Self::Cidr(net), Host::Ipv4(ip)) => net.contains(&IpAddr::V4(*ip)),
            (Self::Cidr(net), Host::Ipv6(ip)) => net.contains(&IpAddr::V6(*ip)),
            (Self::Cidr(_), Host::Domain(_)) => false,
            (Self::ToSelf, _) => false,
        }
    }

    /// Whether this host grants relative (self) requests: `self`, `self.alt` or `*`.
    pub fn allows_relative(&self) -> bool {
        matches!(self, Self::Any | Self::ToSelf)
    }

    /// A literal `….spin.internal` domain or the wildcard `*.spin.internal` (spec 1.8).
    pub fn is_for_service_chaining(&self) -> bool {
        match self {
            Self::Literal(Host::Domain(domain)) => domain.ends_with(SERVICE_CHAINING_DOMAIN_SUFFIX),
            Self::AnySubdomain(suffix) => suffix == SERVICE_CHAINING_DOMAIN_SUFFIX,
            _ => false,
        }
    }
}

impl fmt::Display for HostConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::AnySubdomain(suffix) => write!(f, "*{suffix}"),
            Self::ToSelf => f.write_str("self"),
            Self::Literal(host) => write!(f, "{host}"),
            Self::Cidr(net) => write!(f, "{net}"),
        }
    }
}

/// `<ip>/<prefix>` with a strict address syntax (std's, which rejects leading zeros,
/// unlike ipnet's parser). A bare IP is not a network: it stays a literal.
fn parse_cidr(text: &str) -> Option<IpNet> {
    let (addr, prefix) = text.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    IpNet::new(addr, prefix).ok().map(|net| net.trunc())
}

fn parse_wildcard_suffix(suffix: &str) -> Result<HostConfig, PolicyError> {
    if suffix.contains('*') {
        return Err(invalid("wildcards are allowed only as prefixes"));
    }
    if suffix.is_empty() {
        return Err(invalid("invalid wildcard host"));
    }
    match Host::parse(suffix) {
        Ok(Host::Domain(domain)) => Ok(HostConfig::AnySubdomain(format!(".{domain}"))),
        Ok(_) => Err(invalid("wildcard suffix must be a domain")),
        Err(e) => Err(PolicyError::caused_by(
            ErrorKind::InvalidAllowedHost,
            "invalid wildcard host",
            &e,
        )),
    }
}

/// The port part of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PortConfig {
    /// `*`: any port.
    Any,
    /// Exactly this port (an empty port means the scheme's default).
    Exact(u16),
    /// `A..B`: half-open, `A <= port < B`, as Rust's `Range`.
    Range(Range<u16>),
}

impl PortConfig {
    /// Parses the port text; `scheme` supplies the default for an empty port.
    fn parse(port: &str, scheme: &str) -> Result<Self, PolicyError> {
        if port.is_empty() {
            return default_port(scheme).map(Self::Exact).ok_or_else(|| {
                invalid(format!(
                    "no port was provided and the scheme {scheme:?} does not have a known default port number"
                ))
            });
        }
        if port == "*" {
            return Ok(Self::Any);
        }
        if port.starts_with('{') {
            return Err(invalid("port lists are not yet supported"));
        }
        if let Some((start, end)) = port.split_once("..") {
            let number = |text: &str| {
                text.parse::<u16>().map_err(|e| {
                    PolicyError::caused_by(
                        ErrorKind::InvalidAllowedHost,
                        format!("port range {port:?} contains non-number"),
                        &e,
                    )
                })
            };
            return Ok(Self::Range(number(start)?..number(end)?));
        }
        port.parse::<u16>().map(Self::Exact).map_err(|e| {
            PolicyError::caused_by(
                ErrorKind::InvalidAllowedHost,
                format!("port {port:?} is not a number"),
                &e,
            )
        })
    }

    /// Whether the URL's effective port (explicit, or its scheme's default) is allowed.
    /// A URL with no port and no default port matches only `*`.
    pub fn allows(&self, port: Option<u16>) -> bool {
        match (self, port) {
            (Self::Any, _) => true,
            (Self::Exact(p), Some(port)) => *p == port,
            (Self::Range(range), Some(port)) => range.contains(&port),
            (_, None) => false,
        }
    }
}

impl fmt::Display for PortConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Exact(p) => write!(f, "{p}"),
            Self::Range(r) => write!(f, "{}..{}", r.start, r.end),
        }
    }
}

/// One parsed `allowed_outbound_hosts` entry. Equality compares the meaning
/// (scheme, host, port), not the original text.
#[derive(Debug, Clone)]
pub struct AllowedHost {
    /// Which schemes the entry allows.
    pub scheme: SchemeConfig,
    /// Which hosts the entry allows.
    pub host: HostConfig,
    /// Which ports the entry allows.
    pub port: PortConfig,
    text: String,
}

impl PartialEq for AllowedHost {
    fn eq(&self, other: &Self) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

impl Eq for AllowedHost {}

impl AllowedHost {
    /// Parses one literal entry (no templates: substitute those first).
    ///
    /// Errors are checked in Spin's order: missing scheme, path after the port,
    /// then port, scheme and host, each wrapped as `Invalid allowed host … "<part>"`.
    pub fn parse(entry: &str) -> Result<Self, PolicyError> {
        let text = entry.trim();
        let Some((scheme_text, rest)) = text.split_once("://") else {
            return Err(missing_scheme(text));
        };
        let (host_text, port_text) = split_host_port(text, rest)?;

        let port = match PortConfig::parse(port_text, scheme_text) {
            Ok(port) => port,
            // Courier decision (spec, top): a chaining host with no port and no
            // default port means any port, since chaining ignores ports.
            Err(e) if port_text.is_empty() => match HostConfig::parse(host_text) {
                Ok(host) if host.is_for_service_chaining() => PortConfig::Any,
                _ => return Err(e.context(format!("Invalid allowed host port {port_text:?}"))),
            },
            Err(e) => return Err(e.context(format!("Invalid allowed host port {port_text:?}"))),
        };
        let scheme = SchemeConfig::parse(scheme_text)
            .map_err(|e| e.context(format!("Invalid allowed host scheme {scheme_text:?}")))?;
        let host = HostConfig::parse(host_text)
            .map_err(|e| e.context(format!("Invalid allowed host {host_text:?}")))?;
        Ok(Self {
            scheme,
            host,
            port,
            text: entry.to_owned(),
        })
    }

    /// Builds an entry from its parts; the text is a canonical rendering with an explicit port.
    pub fn from_parts(scheme: SchemeConfig, host: HostConfig, port: PortConfig) -> Self {
        let text = format!("{scheme}://{host}:{port}");
        Self {
            scheme,
            host,
            port,
            text,
        }
    }

    /// The entry as written (or, for built entries, its canonical rendering).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the entry names a service-chaining host (`….spin.internal`, spec 1.8).
    pub fn is_for_service_chaining(&self) -> bool {
        self.host.is_for_service_chaining()
    }

    /// Whether an absolute URL (already parsed) is allowed by this entry.
    pub fn allows(&self, url: &crate::OutboundUrl) -> bool {
        self.scheme.allows(url.scheme())
            && self.host.allows(url.host())
            && self.port.allows(url.port())
    }

    /// Whether this entry grants relative (self) requests: scheme allows http or
    /// https, host is `self`/`self.alt`/`*`; the port is ignored (spec 1.6).
    pub fn allows_relative(&self) -> bool {
        (self.scheme.allows("http") || self.scheme.allows("https")) && self.host.allows_relative()
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Splits what follows `://` into host and port (HEAD rules, spec 1.2).
fn split_host_port<'a>(entry: &str, rest: &'a str) -> Result<(&'a str, &'a str), PolicyError> {
    // HEAD (PR #3579): a remainder that is itself a host (`[::1]`, `ff00::/8`) has no port.
    if HostConfig::parse(rest).is_ok() {
        return Ok((rest, ""));
    }
    let Some((host, tail)) = rest.rsplit_once(':') else {
        // No port: any path is left in the host, which rejects it.
        return Ok((rest, ""));
    };
    match tail.split_once('/') {
        Some((_, path)) if !path.is_empty() => Err(PolicyError::new(
            ErrorKind::InvalidAllowedHost,
            format!("{entry:?} has a path but is not allowed to"),
        )),
        Some((port, _)) => Ok((host, port)),
        None => Ok((host, tail)),
    }
}

fn missing_scheme(text: &str) -> PolicyError {
    let message = match text {
        "*" | ":" | "" | "?" => format!(
            "{text:?} is not an allowed outbound host format.\n\
             Hosts must be in the form <scheme>://<host>[:<port>], with '*' wildcards allowed for each.\n\
             If you intended to allow all outbound networking, you can use '*://*:*' - this will obviate all network sandboxing.\n\
             {LEARN_MORE}"
        ),
        _ => format!("{text:?} does not contain a scheme (e.g., 'http://' or '*://')\n{LEARN_MORE}"),
    };
    PolicyError::new(ErrorKind::InvalidAllowedHost, message)
}

fn invalid(message: impl Into<String>) -> PolicyError {
    PolicyError::new(ErrorKind::InvalidAllowedHost, message)
}

#[cfg(test)]
#[path = "entry_tests.rs"]
mod tests;
