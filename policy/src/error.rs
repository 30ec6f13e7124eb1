//! The one error type of this crate: a message plus an optional cause, so that
//! callers (and `anyhow`'s `{:#}`) can print the whole chain `outer: inner: reason`.

use std::fmt;

/// What part of the policy an error is about. Set where the error starts and
/// kept when context is added, so the runtime can log the right `error.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An `allowed_outbound_hosts` entry (or the list) is malformed.
    InvalidAllowedHost,
    /// A `{{ variable }}` template is malformed.
    InvalidTemplate,
    /// A template variable had no value when the list was resolved.
    VariableResolution,
    /// A request URL could not be parsed.
    InvalidUrl,
    /// A legacy `allowed_http_hosts` entry is malformed.
    InvalidLegacyHost,
    /// A `block_networks` entry is malformed.
    InvalidBlockedNetwork,
}

/// An error from parsing or resolving policy configuration.
///
/// `Display` shows only this level's message; [`std::error::Error::source`]
/// gives the cause, down to the innermost reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    kind: ErrorKind,
    message: String,
    #[source]
    source: Option<Box<PolicyError>>,
}

impl PolicyError {
    /// A new error with no cause.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Wraps `self` as the cause of a new, outer error with the same kind.
    pub(crate) fn context(self, message: impl Into<String>) -> Self {
        Self {
            kind: self.kind,
            message: message.into(),
            source: Some(Box::new(self)),
        }
    }

    /// A new error whose cause is another error's text (e.g. a `url` or
    /// integer parse error), kept as its own level of the chain.
    pub(crate) fn caused_by(
        kind: ErrorKind,
        message: impl Into<String>,
        cause: &dyn fmt::Display,
    ) -> Self {
        Self::new(kind, cause.to_string()).context(message)
    }

    /// What the error is about.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The top-level message (what `Display` prints).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// This error and its causes, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &PolicyError> {
        std::iter::successors(Some(self), |e| e.source.as_deref())
    }

    /// The innermost message: the actual reason.
    pub fn root_cause(&self) -> &str {
        self.chain().last().map_or(&self.message, |e| &e.message)
    }

    /// The whole chain joined with `": "`, as `anyhow`'s `{:#}` prints it.
    pub fn full_message(&self) -> String {
        self.chain()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn three_levels() -> PolicyError {
        PolicyError::new(ErrorKind::InvalidAllowedHost, "reason")
            .context("inner")
            .context("outer")
    }

    #[test]
    fn chain_is_outermost_first() {
        let e = three_levels();
        let msgs: Vec<_> = e.chain().map(|e| e.message()).collect();
        assert_eq!(msgs, ["outer", "inner", "reason"]);
        assert_eq!(e.root_cause(), "reason");
        assert_eq!(e.to_string(), "outer");
        assert_eq!(e.full_message(), "outer: inner: reason");
    }

    #[test]
    fn std_source_walks_the_chain() {
        let e = three_levels();
        let inner = e.source().expect("has a source");
        assert_eq!(inner.to_string(), "inner");
        let reason = inner.source().expect("has a source");
        assert_eq!(reason.to_string(), "reason");
        assert!(reason.source().is_none());
    }

    #[test]
    fn anyhow_alternate_prints_whole_chain() {
        let e = anyhow::Error::from(three_levels());
        assert_eq!(format!("{e:#}"), "outer: inner: reason");
        assert_eq!(format!("{e}"), "outer");
    }

    #[test]
    fn kind_survives_context_and_caused_by_adds_a_level() {
        let e = PolicyError::caused_by(ErrorKind::InvalidUrl, "bad url", &"empty host");
        assert_eq!(e.kind(), ErrorKind::InvalidUrl);
        assert_eq!(e.full_message(), "bad url: empty host");
        assert_eq!(e.context("x").kind(), ErrorKind::InvalidUrl);
    }
}
