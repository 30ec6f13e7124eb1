//! `courier-generator`: generates each language's outbound-HTTP SDK from the wasi:http WIT.
//!
//! The pipeline is: [`Wit::load`] parses a WIT directory and finds `wasi:http/proxy@0.2.x`;
//! [`Model::from_wit`] reads the language-neutral outbound surface from it; a language
//! [`backend`] turns the model into files (templates from `templates/<lang>/`, plus raw
//! bindings where the toolchain needs them); [`Sdk::write`] writes them and [`Sdk::diff`]
//! checks a checked-in copy for drift.
//!
//! Not here: building or running guests (see `courier build`, the runtime crate).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub mod backend;
mod error;
pub mod model;
mod output;
mod wit;

pub use error::{Error, Result};
pub use model::Model;
pub use output::{Sdk, MANIFEST};
pub use wit::Wit;

/// A language the generator has a backend for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Rust,
    Go,
    Python,
    Js,
}

impl Language {
    /// Every language, in the order `--lang all` generates them.
    pub const ALL: &'static [Language] =
        &[Language::Rust, Language::Go, Language::Python, Language::Js];

    /// The name used on the command line and in `languages/<name>/`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Go => "go",
            Language::Python => "python",
            Language::Js => "js",
        }
    }

    /// The package name used when none is given (`courier-sdk` for Rust).
    pub fn default_package_name(self) -> &'static str {
        match self {
            Language::Rust => "courier-sdk",
            Language::Go => "courier.dev/courier",
            Language::Python => "courier_sdk",
            Language::Js => "courier-sdk",
        }
    }

    /// Checks a user-chosen package name against the language's rules.
    pub fn validate_package_name(self, name: &str) -> Result<()> {
        match self {
            Language::Rust => {
                let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !ok {
                    return Err(Error::new(format!("`{name}` is not a valid Rust package name"))
                        .hint("use ASCII letters, digits, `-` and `_`, starting with a letter, e.g. my-http-sdk"));
                }
                // Names a `use` path or cargo already gives a meaning (cargo refuses them too).
                const TAKEN: &[&str] = &[
                    "self",
                    "super",
                    "crate",
                    "std",
                    "core",
                    "alloc",
                    "proc_macro",
                    "test",
                ];
                let as_ident = name.replace('-', "_");
                let keyword = backend::naming::snake(&as_ident) == format!("{as_ident}_");
                if TAKEN.contains(&as_ident.as_str()) || keyword {
                    return Err(Error::new(format!(
                        "`{name}` cannot name a crate: Rust already uses it"
                    ))
                    .hint("pick a name of your own, e.g. my-http-sdk"));
                }
                Ok(())
            }
            Language::Go => backend::go::validate_module_path(name),
            Language::Python => backend::python::validate_package_name(name),
            Language::Js => backend::js::validate_package_name(name),
        }
    }

    /// Where this language's SDK lives under a languages root: `<root>/rust/sdk`.
    pub fn sdk_dir(self, root: &Path) -> PathBuf {
        root.join(self.name()).join("sdk")
    }

    fn backend(self) -> &'static dyn backend::Backend {
        match self {
            Language::Rust => &backend::rust::Rust,
            Language::Go => &backend::go::Go,
            Language::Python => &backend::python::Python,
            Language::Js => &backend::js::Js,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Language {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Language::ALL
            .iter()
            .copied()
            .find(|l| l.name() == s)
            .ok_or_else(|| {
                let known: Vec<_> = Language::ALL.iter().map(|l| l.name()).collect();
                Error::new(format!("unknown language `{s}`"))
                    .hint(format!("known languages: {}, or `all`", known.join(", ")))
            })
    }
}

/// Generates one language's SDK in memory. `package_name` defaults to the language's own.
pub fn generate(
    language: Language,
    wit: &Wit,
    model: &Model,
    package_name: Option<&str>,
) -> Result<Sdk> {
    let package_name = package_name.unwrap_or(language.default_package_name());
    language.validate_package_name(package_name)?;
    let files = language.backend().generate(&backend::Input {
        wit,
        model,
        package_name,
    })?;
    Ok(Sdk::new(files))
}
