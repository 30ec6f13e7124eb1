//! The permission check of an outbound request against the component's
//! `allowed_outbound_hosts` (spec 1.6), with a memo of the origins it was allowed to reach.

use std::collections::HashSet;
use std::sync::RwLock;

use courier_policy::{AllowedHosts, OutboundUrl};
use wasmtime_wasi_http::Error;

/// Origins remembered per component; past this the memo starts over, so a guest that
/// requests many hosts costs parses, never memory.
const MEMO_CAPACITY: usize = 256;

/// The permission list of one component, resolved once at load.
pub(crate) enum Policy {
    Ready {
        hosts: AllowedHosts,
        /// `scheme://authority` texts already allowed. The decision depends on nothing else:
        /// the path never moves the host (an `http::Uri` path starts with `/`, which ends
        /// the authority for the parser too), and the list does not change while loaded.
        /// Denials are not remembered, so each one is logged with its advice.
        allowed: RwLock<HashSet<Box<str>>>,
    },
    /// Variable resolution or parsing failed: Spin denies every request of such a component.
    Unusable {
        reason: String,
        /// Spin's `error.type`: `variable_resolution_failed` or `invalid_allowed_hosts`.
        error_type: &'static str,
    },
}

impl Policy {
    pub(crate) fn ready(hosts: AllowedHosts) -> Self {
        Self::Ready {
            hosts,
            allowed: RwLock::default(),
        }
    }

    /// May `component` send a request to `uri` (a self request when `is_self`)?
    pub(crate) fn check(
        &self,
        component: &str,
        uri: &http::Uri,
        is_self: bool,
    ) -> Result<(), Error> {
        let (hosts, allowed) = match self {
            Policy::Ready { hosts, allowed } => (hosts, allowed),
            Policy::Unusable { reason, error_type } => {
                tracing::error!(component, error.type = *error_type, "request denied: {reason}");
                return Err(Error::HttpRequestDenied);
            }
        };
        if is_self {
            if hosts.allows_relative() {
                return Ok(());
            }
            log_denial(component, None);
            return Err(Error::HttpRequestDenied);
        }
        let origin = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => Some(format!("{scheme}://{authority}")),
            _ => None,
        };
        if let Some(origin) = &origin {
            if allowed
                .read()
                .is_ok_and(|set| set.contains(origin.as_str()))
            {
                return Ok(());
            }
        }
        match OutboundUrl::parse(&uri.to_string(), "https") {
            Ok(url) if hosts.allows(&url) => {
                if let (Some(origin), Ok(mut set)) = (origin, allowed.write()) {
                    if set.len() >= MEMO_CAPACITY {
                        set.clear();
                    }
                    set.insert(origin.into());
                }
                Ok(())
            }
            Ok(url) => {
                log_denial(component, Some(&url));
                Err(Error::HttpRequestDenied)
            }
            Err(_) => {
                tracing::warn!(component, %uri, "A component tried to make a request to a url that could not be parsed");
                Err(Error::HttpRequestDenied)
            }
        }
    }
}

/// Spin's levels (spec 2.2): the denial is an error, the explanation and the fix warnings.
fn log_denial(component: &str, url: Option<&OutboundUrl>) {
    let mut lines = courier_policy::denial_advice(url).into_iter();
    if let Some(denial) = lines.next() {
        tracing::error!(component, "{denial}");
    }
    for line in lines {
        tracing::warn!(component, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[&str]) -> Policy {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        Policy::ready(AllowedHosts::resolve(&entries, &|_: &str| None, &[]).unwrap())
    }

    fn allowed(policy: &Policy, url: &str) -> bool {
        policy.check("c", &url.parse().unwrap(), false).is_ok()
    }

    /// Every request is asked twice: the second answer comes from the memo when the first
    /// was an allow, and must not leak to a neighbouring origin.
    #[test]
    fn the_memo_answers_exactly_as_the_list() {
        let p = policy(&["http://a.test:8080", "https://*.b.test"]);
        let cases = [
            ("http://a.test:8080/x", true),
            ("http://a.test:8080/other?q=1", true),
            ("http://A.TEST:8080/", true),
            ("http://a.test:9090/", false),
            ("http://a.test/", false),
            ("https://a.test:8080/", false),
            ("http://user@a.test:8080/", true),
            ("https://x.b.test/", true),
            ("https://x.b.test:443/", true),
            ("https://x.b.test:8443/", false),
            ("https://b.test/", false),
            ("http://x.b.test/", false),
        ];
        for round in 0..2 {
            for (url, expected) in cases {
                assert_eq!(allowed(&p, url), expected, "round {round}: {url}");
            }
        }
    }

    #[test]
    fn a_full_memo_starts_over_and_stays_correct() {
        let p = policy(&["http://*"]);
        for i in 0..(MEMO_CAPACITY * 2) {
            assert!(allowed(&p, &format!("http://h{i}.test/")));
        }
        let Policy::Ready { allowed: memo, .. } = &p else {
            unreachable!()
        };
        assert!(memo.read().unwrap().len() <= MEMO_CAPACITY);
        assert!(!allowed(&p, "https://h1.test/"));
    }

    #[test]
    fn self_requests_and_unusable_lists() {
        assert!(policy(&["http://self"])
            .check("c", &"/x".parse().unwrap(), true)
            .is_ok());
        assert!(policy(&["http://a.test"])
            .check("c", &"/x".parse().unwrap(), true)
            .is_err());
        let unusable = Policy::Unusable {
            reason: "bad".into(),
            error_type: "invalid_allowed_hosts",
        };
        assert!(unusable
            .check("c", &"http://a.test/".parse().unwrap(), false)
            .is_err());
    }
}
