//! `{{ variable }}` templates inside entries (spec 1.7).

use std::fmt;

use crate::error::{ErrorKind, PolicyError};

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Variable(String),
}

/// A parsed entry: literal text and `{{ name }}` expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `{{ name }}` expressions. An unmatched `{{` is an error; a lone `}}` is
    /// literal text. Names are not checked here, as in Spin: one that is not a valid
    /// variable name can never be declared, so it fails when the list is resolved.
    pub(crate) fn parse(text: &str) -> Result<Self, PolicyError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find("{{") {
                None => {
                    parts.push(Part::Literal(rest.to_owned()));
                    break;
                }
                Some(open) => {
                    if open > 0 {
                        parts.push(Part::Literal(rest[..open].to_owned()));
                    }
                    let after = &rest[open + 2..];
                    let Some(close) = after.find("}}") else {
                        return Err(template_error(text, "unmatched '{{' in template".into()));
                    };
                    parts.push(Part::Variable(after[..close].trim().to_owned()));
                    rest = &after[close + 2..];
                }
            }
        }
        Ok(Self { parts })
    }

    /// Whether there are no expressions.
    pub(crate) fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Literal(_)))
    }

    /// The variable names, first use first, without repeats.
    pub(crate) fn variables(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for part in &self.parts {
            if let Part::Variable(name) = part {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }

    /// Substitutes every variable through `lookup`; `Err(name)` for the first one without a value.
    pub(crate) fn render(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Variable(name) => out.push_str(&lookup(name).ok_or_else(|| name.clone())?),
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Template {
    /// The canonical form `{{ name }}`, which is how Spin quotes templates in messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Literal(text) => f.write_str(text)?,
                Part::Variable(name) => write!(f, "{{{{ {name} }}}}")?,
            }
        }
        Ok(())
    }
}

fn template_error(text: &str, reason: String) -> PolicyError {
    PolicyError::new(ErrorKind::InvalidTemplate, reason)
        .context(format!("Invalid template in allowed host {text:?}"))
}

/// Names of the `{{ var }}` variables an entry uses, first use first, without
/// repeats. Errors on an unmatched `{{` or an invalid variable name.
pub fn template_variables(entry: &str) -> Result<Vec<String>, PolicyError> {
    Template::parse(entry).map(|t| t.variables())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_table() {
        let cases: &[(&str, &[&str])] = &[
            ("https://example.com", &[]),
            ("", &[]),
            ("http://{{ dbhost }}", &["dbhost"]),
            ("http://{{dbhost}}:{{ dbport }}", &["dbhost", "dbport"]),
            ("{{ url }}", &["url"]),
            (
                "*://{{ addr_prefix }}/{{ prefix_len }}:80",
                &["addr_prefix", "prefix_len"],
            ),
            ("{{ a }}{{ a }}{{ b2 }}", &["a", "b2"]),
            ("http://x}}y", &[]),
            ("{{\ta\n}}", &["a"]),
            // Any text is a name here; only declared names ever resolve.
            ("http://{{ Host }}", &["Host"]),
            ("http://{{ db-host }}", &["db-host"]),
            ("http://{{ }}", &[""]),
            ("http://{{ a b }}", &["a b"]),
        ];
        for (entry, expected) in cases {
            let got = template_variables(entry).unwrap_or_else(|e| panic!("{entry}: {e}"));
            assert_eq!(got, *expected, "{entry:?}");
        }
    }

    #[test]
    fn bad_templates_table() {
        let cases = [
            ("http://{{ host", "unmatched '{{' in template"),
            ("{{ matched }} {{ unmatched", "unmatched '{{' in template"),
        ];
        for (entry, reason) in cases {
            let err = template_variables(entry).expect_err(entry);
            assert_eq!(err.kind(), ErrorKind::InvalidTemplate);
            assert_eq!(
                err.message(),
                format!("Invalid template in allowed host {entry:?}")
            );
            assert!(
                err.root_cause().starts_with(reason),
                "{entry:?}: {}",
                err.root_cause()
            );
        }
    }

    #[test]
    fn render_and_display() {
        let t = Template::parse("https://{{invalid_default_host}}:{{ port }}/").unwrap();
        assert!(!t.is_literal());
        assert_eq!(
            t.to_string(),
            "https://{{ invalid_default_host }}:{{ port }}/"
        );
        let lookup = |name: &str| match name {
            "invalid_default_host" => Some("invalid host".to_owned()),
            "port" => Some("80".to_owned()),
            _ => None,
        };
        assert_eq!(t.render(&lookup).unwrap(), "https://invalid host:80/");
        let missing = |name: &str| (name == "port").then(|| "1".to_owned());
        assert_eq!(t.render(&missing), Err("invalid_default_host".to_owned()));
        assert!(Template::parse("http://x}}").unwrap().is_literal());
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "{{",
            "}}",
            "{{{{",
            "{{}}}}",
            "{{é}}",
            "{{ a }}}",
            "{{{ a }}",
            "é{{a}}é",
        ] {
            let _ = template_variables(text);
        }
    }
}
