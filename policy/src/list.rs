//! A component's whole list: load-time validation, run-time resolution
//! (templates, skipping empties, `*.spin.internal` expansion), and matching.

use std::collections::HashMap;
use std::fmt;

use url::Host;

use crate::entry::{AllowedHost, HostConfig, SERVICE_CHAINING_DOMAIN_SUFFIX};
use crate::error::{ErrorKind, PolicyError};
use crate::template::Template;
use crate::OutboundUrl;

const ALLOW_ALL: &str = "insecure:allow-all";

/// A resolved, matchable list for one component. An empty list allows nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    entries: Vec<AllowedHost>,
}

impl AllowedHosts {
    /// A list of already parsed entries, used as is (no expansion).
    pub fn new(entries: Vec<AllowedHost>) -> Self {
        Self { entries }
    }

    /// Run-time resolution (spec 1.7/1.8): substitutes `{{ var }}` templates through
    /// `lookup`, parses each entry, skips templated entries that resolve to `""`,
    /// `"http://"` or `"https://"`, and expands `<scheme>://*.spin.internal[:port]`
    /// into one literal `<id>.spin.internal` entry per id in `component_ids`
    /// (scheme and port kept). Any failure fails the whole list, as in Spin,
    /// where the instance then denies every request.
    pub fn resolve(
        raw: &[String],
        lookup: &dyn Fn(&str) -> Option<String>,
        component_ids: &[String],
    ) -> Result<Self, PolicyError> {
        reject_lone_allow_all(raw)?;
        let mut entries = Vec::with_capacity(raw.len());
        for entry in raw {
            let template = Template::parse(entry)?;
            let parsed = if template.is_literal() {
                AllowedHost::parse(entry)?
            } else {
                let resolved = template.render(lookup).map_err(|name| {
                    PolicyError::new(
                        ErrorKind::VariableResolution,
                        format!("no value for variable {name:?}"),
                    )
                    .context(format!(
                        "could not resolve allowed host template {:?}",
                        template.to_string()
                    ))
                })?;
                if resolves_to_nothing(&resolved) {
                    continue;
                }
                AllowedHost::parse(&resolved).map_err(|e| {
                    e.context(format!(
                        "template {:?} resolves to invalid config {resolved:?}",
                        template.to_string()
                    ))
                })?
            };
            expand_into(parsed, component_ids, &mut entries)?;
        }
        Ok(Self { entries })
    }

    /// Whether any entry allows this absolute URL.
    pub fn allows(&self, url: &OutboundUrl) -> bool {
        self.entries.iter().any(|e| e.allows(url))
    }

    /// Relative / self requests (`/path`, `self.alt`): allowed by an entry whose scheme
    /// allows http or https (or `*`) and whose host is `self`, `self.alt` or `*`. The port is ignored.
    pub fn allows_relative(&self) -> bool {
        self.entries.iter().any(AllowedHost::allows_relative)
    }

    /// For `courier hosts check`: the first entry that matches, and for every
    /// other entry why it does not.
    pub fn explain(&self, url: &OutboundUrl) -> Explanation {
        let mut matched = None;
        let mut mismatches = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            let reasons = mismatch_reasons(entry, url);
            if reasons.is_empty() {
                matched.get_or_insert((index, entry.as_str().to_owned()));
            } else {
                mismatches.push(EntryMismatch {
                    index,
                    entry: entry.as_str().to_owned(),
                    reasons,
                });
            }
        }
        Explanation {
            url: url.origin_for_display(),
            matched,
            mismatches,
        }
    }

    /// The entries, in order (after expansion).
    pub fn entries(&self) -> &[AllowedHost] {
        &self.entries
    }

    /// Whether the list allows nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether any resolved entry names a service-chaining host, templated ones
    /// included. For the load-time host requirement use [`requires_service_chaining`].
    pub fn requires_service_chaining(&self) -> bool {
        self.entries
            .iter()
            .any(AllowedHost::is_for_service_chaining)
    }
}

/// The verdict of [`AllowedHosts::explain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The request's origin as shown in messages.
    pub url: String,
    /// The first matching entry: index in the list and text.
    pub matched: Option<(usize, String)>,
    /// Every entry that does not match, with reasons in words.
    pub mismatches: Vec<EntryMismatch>,
}

impl Explanation {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.matched.is_some()
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.matched {
            Some((index, entry)) => {
                writeln!(f, "{}: allowed by entry #{index} {entry:?}", self.url)?
            }
            None if self.mismatches.is_empty() => writeln!(
                f,
                "{}: denied: the list is empty, so nothing is allowed",
                self.url
            )?,
            None => writeln!(f, "{}: denied by every entry", self.url)?,
        }
        for m in &self.mismatches {
            writeln!(f, "  #{} {:?}: {}", m.index, m.entry, m.reasons.join("; "))?;
        }
        Ok(())
    }
}

/// Why one entry does not match a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMismatch {
    /// Index of the entry in the list.
    pub index: usize,
    /// The entry's text.
    pub entry: String,
    /// One sentence per part (scheme, host, port) that does not match.
    pub reasons: Vec<String>,
}

fn mismatch_reasons(entry: &AllowedHost, url: &OutboundUrl) -> Vec<String> {
    let mut reasons = Vec::new();
    if !entry.scheme.allows(url.scheme()) {
        reasons.push(format!(
            "scheme {:?} is not {:?}",
            url.scheme(),
            entry.scheme.to_string()
        ));
    }
    if !entry.host.allows(url.host()) {
        reasons.push(host_reason(&entry.host, url.host()));
    }
    if !entry.port.allows(url.port()) {
        reasons.push(match url.port() {
            None => format!(
                "the URL has no port and scheme {:?} has no default port, so only port '*' matches",
                url.scheme()
            ),
            Some(port) => match &entry.port {
                crate::PortConfig::Range(r) => {
                    format!(
                        "port {port} is not in {}..{} (the end is excluded)",
                        r.start, r.end
                    )
                }
                other => format!("port {port} is not {other}"),
            },
        });
    }
    reasons
}

fn host_reason(config: &HostConfig, host: &Host<String>) -> String {
    match (config, host) {
        (HostConfig::ToSelf, _) => "'self' only grants relative requests to the app itself".into(),
        (HostConfig::AnySubdomain(suffix), Host::Domain(d)) if format!(".{d}") == *suffix => {
            format!("host {d:?} is the apex; '*{suffix}' matches only its subdomains")
        }
        (HostConfig::AnySubdomain(suffix), Host::Domain(d)) => {
            let apex = suffix.strip_prefix('.').unwrap_or(suffix);
            format!("host {d:?} is not a subdomain of {apex:?}")
        }
        (HostConfig::AnySubdomain(_), ip) => {
            format!("host {ip} is an IP address; a '*.' wildcard matches only domains")
        }
        (HostConfig::Cidr(net), Host::Domain(d)) => format!(
            "host {d:?} is a domain; the network {net} matches only IP addresses (no DNS lookup)"
        ),
        (HostConfig::Cidr(net), ip) => format!("host {ip} is not in the network {net}"),
        (other, host) => format!("host {host} is not {other}"),
    }
}

/// Load-time validation (spec 1.7 and 1.9) of one component's list. Literal entries
/// are parsed fully. A templated entry is substituted and parsed only if every
/// variable it uses has a default in `defaults` (name → `Some(default)`, or `None`
/// when it has none; a missing name counts as no default); otherwise it is skipped.
/// Template syntax is always checked. Entries whose defaults resolve to nothing
/// (`""`, `http://`, `https://`) are skipped, as at run time.
pub fn validate(
    raw: &[String],
    defaults: &HashMap<String, Option<String>>,
) -> Result<(), PolicyError> {
    reject_lone_allow_all(raw)?;
    // As Spin: every entry's syntax first (literals parsed fully), then the templates.
    let mut templates = Vec::new();
    for entry in raw {
        let template = Template::parse(entry)?;
        if template.is_literal() {
            AllowedHost::parse(entry)?;
        } else {
            templates.push(template);
        }
    }
    for template in templates {
        let lookup = |name: &str| defaults.get(name).cloned().flatten();
        let Ok(resolved) = template.render(&lookup) else {
            continue; // a variable without a default: checked at run time
        };
        if resolves_to_nothing(&resolved) {
            continue;
        }
        AllowedHost::parse(&resolved).map_err(|e| {
            e.context(format!(
                "using default variable value(s) with template {:?} results in invalid config {resolved:?}",
                template.to_string()
            ))
        })?;
    }
    Ok(())
}

/// Whether a component's raw list needs the `local_service_chaining` host feature
/// (spec 1.8): a literal entry that parses and names a `….spin.internal` host.
/// Templated entries never count (SIP 017), and invalid ones are left to [`validate`].
pub fn requires_service_chaining(raw: &[String]) -> bool {
    raw.iter().any(|entry| {
        Template::parse(entry).is_ok_and(|t| t.is_literal())
            && AllowedHost::parse(entry).is_ok_and(|e| e.is_for_service_chaining())
    })
}

/// `<label>.spin.internal` with exactly one non-empty label before `spin.internal` →
/// `Some(label)`; anything else `None` (spec 3.1). A trailing `:port` is ignored, as
/// in Spin. Courier compares `spin.internal` case-insensitively (DNS names are), so a
/// request the normalising matcher allowed is not sent to DNS instead.
pub fn chaining_target(host: &str) -> Option<&str> {
    let host = host.trim();
    let host = match host.rsplit_once(':') {
        Some((name, _)) => name,
        None => host,
    };
    let (label, rest) = host.split_once('.')?;
    let is_chaining =
        !label.is_empty() && rest.eq_ignore_ascii_case(&SERVICE_CHAINING_DOMAIN_SUFFIX[1..]);
    is_chaining.then_some(label)
}

/// `["insecure:allow-all"]` alone gets its own message; mixed with other entries it
/// fails later as an entry without a scheme.
fn reject_lone_allow_all(raw: &[String]) -> Result<(), PolicyError> {
    if let [only] = raw {
        // Compared as written, as Spin does: with spaces it fails later, as an entry without a scheme.
        if only == ALLOW_ALL {
            return Err(PolicyError::new(
                ErrorKind::InvalidAllowedHost,
                "'insecure:allow-all' is not allowed - use '*://*:*' instead if you really want to allow all outbound traffic'",
            ));
        }
    }
    Ok(())
}

/// HEAD (issue #3549): a template that resolves to nothing is an optional endpoint left unset.
fn resolves_to_nothing(resolved: &str) -> bool {
    matches!(resolved.trim(), "" | "http://" | "https://")
}

/// Pushes `entry`, or for `*.spin.internal` one literal per component id.
fn expand_into(
    entry: AllowedHost,
    component_ids: &[String],
    out: &mut Vec<AllowedHost>,
) -> Result<(), PolicyError> {
    if !matches!(&entry.host, HostConfig::AnySubdomain(s) if s == SERVICE_CHAINING_DOMAIN_SUFFIX) {
        out.push(entry);
        return Ok(());
    }
    for id in component_ids {
        let name = format!("{id}{SERVICE_CHAINING_DOMAIN_SUFFIX}");
        let host = Host::parse(&name).map_err(|e| {
            PolicyError::caused_by(
                ErrorKind::InvalidAllowedHost,
                format!("cannot expand {:?} for component {id:?}", entry.as_str()),
                &e,
            )
        })?;
        out.push(AllowedHost::from_parts(
            entry.scheme.clone(),
            HostConfig::Literal(host),
            entry.port.clone(),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "list_tests.rs"]
mod tests;
