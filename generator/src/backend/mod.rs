//! Language backends. Each one is a module here plus a `templates/<lang>/` directory: it
//! maps the language-neutral [`Model`] to its language's names and types, fills the
//! templates, adds raw bindings when its toolchain needs them, and formats the result.

use wit_parser::{Resolve, WorldId};

use crate::error::Result;
use crate::model::Model;

pub mod go;
pub mod js;
pub mod python;
pub mod rust;

/// What every backend gets.
pub struct Input<'a> {
    /// The parsed WIT, for backends that run a bindings generator over it.
    pub resolve: &'a Resolve,
    /// The `wasi:http/proxy` world.
    pub world: WorldId,
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
