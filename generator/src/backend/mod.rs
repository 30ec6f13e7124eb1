//! Language backends. Each one is a module here plus a `templates/<lang>/` directory: it
//! maps the language-neutral [`Model`] to its language's names and types, fills the
//! templates, adds raw bindings when its toolchain needs them, and formats the result.

use crate::wit::Wit;

use crate::error::{Error, Result};
use crate::model::{Case, Model, TypeRef};

pub mod go;
pub mod js;
pub mod python;
pub mod rust;

/// What every backend gets.
pub struct Input<'a> {
    /// The parsed WIT (and its `wasi:http/proxy` world), for backends that run a bindings
    /// generator over it.
    pub wit: &'a Wit,
    pub model: &'a Model,
    /// The package/crate/module name to emit into.
    pub package_name: &'a str,
}

/// One emitted file, its path relative to the SDK directory with `/` separators.
pub type File = (String, Vec<u8>);

/// A language backend.
pub trait Backend {
    /// Emits every file of the SDK. Must be deterministic.
    fn generate(&self, input: &Input<'_>) -> Result<Vec<File>>;
}

/// A template that failed to render, named by its language's template folder.
pub fn render_error(lang: &str, path: &str, e: askama::Error) -> Error {
    Error::new(format!("cannot render: {e}")).at(format!("templates/{lang} for {path}"))
}

/// A WIT doc comment as lines, trailing white space trimmed.
pub fn doc_lines(docs: &Option<String>) -> Vec<String> {
    docs.as_deref()
        .map(|d| d.lines().map(|l| l.trim_end().to_string()).collect())
        .unwrap_or_default()
}

/// The `error-code` case `wit_name` (one an SDK reports its own refusals with) as a backend
/// names it; `names` gives a backend case's WIT name and its name in the language.
pub fn error_case_name<C>(
    model: &Model,
    cases: &[C],
    wit_name: &str,
    names: impl Fn(&C) -> (&str, &str),
) -> Result<String> {
    let case = model.error_code(wit_name)?;
    Ok(cases
        .iter()
        .map(names)
        .find(|(wit, _)| *wit == case.wit_name)
        .map(|(_, name)| name.to_string())
        .expect("every error-code case has a backend case"))
}

/// Splits the cases of `method`/`scheme` into the fixed tokens and the one `other(string)`
/// case every SDK maps unknown tokens to. `lang` names the backend in errors.
pub fn split_tokens<'a>(
    cases: &'a [Case],
    variant: &str,
    lang: &str,
) -> Result<(Vec<&'a Case>, &'a Case)> {
    let mut fixed = Vec::new();
    let mut other = None;
    for c in cases {
        match &c.payload {
            None => fixed.push(c),
            Some(TypeRef::String) if other.is_none() => other = Some(c),
            Some(t) => {
                return Err(c.locate(
                    variant,
                    Error::new(format!(
                        "payload {t:?}; the {lang} backend expects one catch-all `other(string)`"
                    )),
                ))
            }
        }
    }
    let other = other.ok_or_else(|| {
        let missing = Error::new(format!("variant {variant} has no `other(string)` case")).hint(
            format!("the {lang} SDK maps unknown tokens to it; wasi:http 0.2 always has one"),
        );
        // The variant's first case: where to look.
        match cases.first() {
            Some(first) => first.locate(variant, missing),
            None => missing,
        }
    })?;
    Ok((fixed, other))
}

/// Shared naming helpers: WIT kebab names to language identifiers.
pub mod naming {
    use heck::{ToSnakeCase, ToUpperCamelCase};

    /// `HTTP-request-denied` -> `HttpRequestDenied` (the same rule wit-bindgen uses).
    pub fn upper_camel(wit_name: &str) -> String {
        wit_name.to_upper_camel_case()
    }

    /// `info-code` -> `info_code`, escaping Rust keywords the way wit-bindgen does.
    pub fn snake(wit_name: &str) -> String {
        let s = wit_name.to_snake_case();
        match s.as_str() {
            "as" | "break" | "const" | "continue" | "crate" | "else" | "enum" | "extern"
            | "false" | "fn" | "for" | "if" | "impl" | "in" | "let" | "loop" | "match" | "mod"
            | "move" | "mut" | "pub" | "ref" | "return" | "self" | "static" | "struct"
            | "super" | "trait" | "true" | "type" | "unsafe" | "use" | "where" | "while"
            | "async" | "await" | "dyn" | "abstract" | "become" | "box" | "do" | "final"
            | "macro" | "override" | "priv" | "typeof" | "unsized" | "virtual" | "yield"
            | "try" | "gen" => format!("{s}_"),
            _ => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, payload: Option<TypeRef>) -> Case {
        Case {
            location: "http.wit:1:1".into(),
            wit_name: name.into(),
            payload,
            docs: None,
        }
    }

    #[test]
    fn split_tokens_needs_exactly_one_string_catch_all() {
        let cases = [case("get", None), case("other", Some(TypeRef::String))];
        let (fixed, other) = split_tokens(&cases, "method", "Go").unwrap();
        assert_eq!(fixed.len(), 1);
        assert_eq!(other.wit_name, "other");

        let missing = split_tokens(&cases[..1], "method", "Go").unwrap_err();
        assert!(missing.to_string().contains("no `other(string)` case"));
        assert!(missing.hint_text().unwrap().contains("Go SDK"));

        let odd = [case("get", Some(TypeRef::U8))];
        let wrong = split_tokens(&odd, "method", "Rust").unwrap_err();
        assert!(wrong.to_string().contains("the Rust backend expects"));
    }
}
