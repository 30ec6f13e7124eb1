//! The generator's error: what went wrong, where (a file or a WIT location), and a hint
//! that says what to do about it. Every failure on bad input ends up here; nothing panics.

use std::fmt;

/// A generator failure with an optional location and an actionable hint.
#[derive(Debug)]
pub struct Error {
    message: String,
    location: Option<String>,
    hint: Option<String>,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            location: None,
            hint: None,
        }
    }

    pub(crate) fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn io(action: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        Self::new(format!("cannot {action}: {err}")).at(path.display().to_string())
    }

    /// What failed, without location or hint.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where it failed: a path, or a WIT `file:line:col`.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// What to do about it.
    pub fn hint_text(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
