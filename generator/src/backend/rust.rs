//! The Rust backend: raw bindings from wit-bindgen-rust (driven as a library through
//! wit-bindgen-core), the idiomatic layer from `templates/rust/`, all formatted with
//! prettyplease so the output does not depend on which rustfmt is installed.

use askama::Template;
use wit_bindgen_core::WorldGenerator;

use super::naming::{snake, upper_camel};
use super::{doc_lines, render_error, Backend, File, Input};
use crate::error::{Error, Result};
use crate::model::{Case, Model, TypeRef};

/// Emits `languages/rust/sdk/`.
pub struct Rust;

/// A variant case as the Rust templates read it.
pub struct RustCase {
    pub wit_name: String,
    /// The enum variant name, the same as wit-bindgen gives the raw binding's case.
    pub rust_name: String,
    /// The payload's Rust type in the SDK, if any.
    pub payload: Option<String>,
    pub docs: Vec<String>,
}

/// A payload record as the Rust templates read it.
pub struct RustRecord {
    pub wit_name: String,
    pub rust_name: String,
    pub fields: Vec<RustField>,
    pub docs: Vec<String>,
}

pub struct RustField {
    pub wit_name: String,
    pub rust_name: String,
    pub ty: String,
    pub docs: Vec<String>,
}

/// A `request-options` property.
pub struct RustOption {
    pub wit_name: String,
    /// Field and builder method name, `connect_timeout`.
    pub rust_name: String,
    /// The raw setter, `set_connect_timeout`.
    pub setter: String,
    /// The SDK type: `std::time::Duration` for WIT `duration` (nanoseconds), else the plain type.
    pub ty: String,
    /// Whether the value is converted from `Duration` to WIT nanoseconds.
    pub is_duration: bool,
    pub docs: Vec<String>,
}

/// `method`/`scheme` cases that map to fixed protocol tokens, plus the catch-all case.
pub struct RustTokens {
    /// (token on the wire, raw case name): `("GET", "Get")`, `("https", "Https")`.
    pub fixed: Vec<(String, String)>,
    /// The case carrying a string for anything else: `Other`.
    pub other: String,
}

#[derive(Template)]
#[template(path = "rust/Cargo.toml", escape = "none")]
struct CargoToml<'a> {
    package_name: &'a str,
    model: &'a Model,
}

#[derive(Template)]
#[template(path = "rust/README.md", escape = "none")]
struct Readme<'a> {
    package_name: &'a str,
    crate_name: &'a str,
    model: &'a Model,
    error_codes: &'a [RustCase],
}

#[derive(Template)]
#[template(path = "rust/lib.rs", escape = "none")]
struct LibRs<'a> {
    crate_name: &'a str,
    model: &'a Model,
}

#[derive(Template)]
#[template(path = "rust/error.rs", escape = "none")]
struct ErrorRs<'a> {
    model: &'a Model,
    /// The `ErrorCode` variants the SDK names its own refusals with.
    uri_invalid: &'a str,
    method_invalid: &'a str,
    error_codes: &'a [RustCase],
    header_errors: &'a [RustCase],
    records: &'a [RustRecord],
}

#[derive(Template)]
#[template(path = "rust/wire.rs", escape = "none")]
struct WireRs<'a> {
    methods: &'a RustTokens,
    schemes: &'a RustTokens,
}

#[derive(Template)]
#[template(path = "rust/options.rs", escape = "none")]
struct OptionsRs<'a> {
    options: &'a [RustOption],
}

#[derive(Template)]
#[template(path = "rust/request.rs", escape = "none")]
struct RequestRs<'a> {
    options: &'a [RustOption],
}

#[derive(Template)]
#[template(path = "rust/executor.rs", escape = "none")]
struct ExecutorRs;

#[derive(Template)]
#[template(path = "rust/body.rs", escape = "none")]
struct BodyRs<'a> {
    /// The `ErrorCode` variant of `HTTP-request-body-size`, for bodies longer than declared.
    body_size: &'a str,
}

#[derive(Template)]
#[template(path = "rust/response.rs", escape = "none")]
struct ResponseRs;

#[derive(Template)]
#[template(path = "rust/send.rs", escape = "none")]
struct SendRs<'a> {
    model: &'a Model,
}

#[derive(Template)]
#[template(path = "rust/handler.rs", escape = "none")]
struct HandlerRs<'a> {
    model: &'a Model,
    crate_name: &'a str,
}

impl Backend for Rust {
    fn generate(&self, input: &Input<'_>) -> Result<Vec<File>> {
        let model = input.model;
        let package_name = input.package_name;
        let crate_name = package_name.replace('-', "_");
        let error_codes = cases(model, &model.error_codes, "error-code")?;
        let header_errors = cases(model, &model.header_errors, "header-error")?;
        let refusal = |wit_name| {
            super::error_case_name(model, &error_codes, wit_name, |c| {
                (&c.wit_name, &c.rust_name)
            })
        };
        let body_size = refusal("HTTP-request-body-size")?;
        let uri_invalid = refusal("HTTP-request-URI-invalid")?;
        let method_invalid = refusal("HTTP-request-method-invalid")?;
        let records = records(model)?;
        let options = options(model)?;
        let methods = tokens(&model.methods, "method", str::to_ascii_uppercase)?;
        let schemes = tokens(&model.schemes, "scheme", str::to_ascii_lowercase)?;

        let mut files = vec![
            text(
                "Cargo.toml",
                CargoToml {
                    package_name,
                    model,
                }
                .render(),
            )?,
            text(
                "README.md",
                Readme {
                    package_name,
                    crate_name: &crate_name,
                    model,
                    error_codes: &error_codes,
                }
                .render(),
            )?,
            rust("src/bindings.rs", raw_bindings(input))?,
            rust(
                "src/lib.rs",
                LibRs {
                    crate_name: &crate_name,
                    model,
                }
                .render(),
            )?,
            rust(
                "src/error.rs",
                ErrorRs {
                    model,
                    uri_invalid: &uri_invalid,
                    method_invalid: &method_invalid,
                    error_codes: &error_codes,
                    header_errors: &header_errors,
                    records: &records,
                }
                .render(),
            )?,
            rust(
                "src/wire.rs",
                WireRs {
                    methods: &methods,
                    schemes: &schemes,
                }
                .render(),
            )?,
            rust("src/options.rs", OptionsRs { options: &options }.render())?,
            rust("src/request.rs", RequestRs { options: &options }.render())?,
            rust("src/executor.rs", ExecutorRs.render())?,
            rust(
                "src/body.rs",
                BodyRs {
                    body_size: &body_size,
                }
                .render(),
            )?,
            rust("src/response.rs", ResponseRs.render())?,
            rust("src/send.rs", SendRs { model }.render())?,
            rust(
                "src/handler.rs",
                HandlerRs {
                    model,
                    crate_name: &crate_name,
                }
                .render(),
            )?,
        ];
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }
}

/// Raw bindings for the whole proxy world, with a public export macro the SDK's
/// `http_component!` calls so users never touch wit-bindgen themselves.
fn raw_bindings(input: &Input<'_>) -> Result<String, askama::Error> {
    let opts = wit_bindgen_rust::Opts {
        generate_all: true,
        pub_export_macro: true,
        export_macro_name: Some("export_proxy".to_string()),
        ..Default::default()
    };
    let mut generator = opts.build();
    let mut files = wit_bindgen_core::Files::default();
    let mut resolve = input.wit.resolve.clone();
    generator
        .generate(&mut resolve, input.wit.world, &mut files)
        .map_err(|e| askama::Error::Custom(format!("wit-bindgen-rust failed: {e:#}").into()))?;
    let mut out = String::new();
    for (_, contents) in files.iter() {
        out.push_str(&String::from_utf8_lossy(contents));
    }
    Ok(out)
}

fn text(path: &str, rendered: askama::Result<String>) -> Result<File> {
    let mut s = rendered.map_err(|e| render_error("rust", path, e))?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok((path.to_string(), s.into_bytes()))
}

/// Formats Rust with prettyplease; a parse failure points at the generated line.
fn rust(path: &str, rendered: askama::Result<String>) -> Result<File> {
    let source = rendered.map_err(|e| render_error("rust", path, e))?;
    let file = syn::parse_file(&source).map_err(|e| {
        let line = e.span().start().line;
        let context = source
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or_default();
        Error::new(format!(
            "generated Rust does not parse: {e}\n  | {}",
            context.trim()
        ))
        .at(format!("{path} (generated), line {line}"))
        .hint("a template under templates/rust/ emits invalid Rust for this model")
    })?;
    Ok((path.to_string(), prettyplease::unparse(&file).into_bytes()))
}

fn cases(model: &Model, cases: &[Case], variant: &str) -> Result<Vec<RustCase>> {
    cases
        .iter()
        .map(|c| {
            let payload = c
                .payload
                .as_ref()
                .map(|t| rust_type(model, t))
                .transpose()
                .map_err(|e| c.locate(variant, e))?;
            Ok(RustCase {
                wit_name: c.wit_name.clone(),
                rust_name: upper_camel(&c.wit_name),
                payload,
                docs: doc_lines(&c.docs),
            })
        })
        .collect()
}

fn records(model: &Model) -> Result<Vec<RustRecord>> {
    model
        .records
        .iter()
        .map(|r| {
            let mut fields = Vec::new();
            for f in &r.fields {
                fields.push(RustField {
                    wit_name: f.wit_name.clone(),
                    rust_name: snake(&f.wit_name),
                    ty: rust_type(model, &f.ty)?,
                    docs: doc_lines(&f.docs),
                });
            }
            Ok(RustRecord {
                wit_name: r.wit_name.clone(),
                rust_name: upper_camel(&r.wit_name),
                fields,
                docs: doc_lines(&r.docs),
            })
        })
        .collect()
}

fn options(model: &Model) -> Result<Vec<RustOption>> {
    model
        .request_options
        .iter()
        .map(|o| {
            let is_duration = o.is_duration();
            let ty = if is_duration {
                "std::time::Duration".to_string()
            } else {
                rust_type(model, &o.ty)?
            };
            Ok(RustOption {
                wit_name: o.wit_name.clone(),
                rust_name: snake(&o.wit_name),
                setter: format!("set_{}", snake(&o.wit_name)),
                ty,
                is_duration,
                docs: doc_lines(&o.docs),
            })
        })
        .collect()
}

/// `method`/`scheme` as Rust enum variants, keyed by their wire tokens.
fn tokens(cases: &[Case], variant: &str, token: fn(&str) -> String) -> Result<RustTokens> {
    let (fixed, other) = super::split_tokens(cases, variant, "Rust")?;
    Ok(RustTokens {
        fixed: fixed
            .iter()
            .map(|c| (token(&c.wit_name), upper_camel(&c.wit_name)))
            .collect(),
        other: upper_camel(&other.wit_name),
    })
}

/// The SDK-side Rust type of a payload type. Records are mirrored as SDK structs.
fn rust_type(model: &Model, ty: &TypeRef) -> Result<String> {
    Ok(match ty {
        TypeRef::Bool => "bool".into(),
        TypeRef::U8 => "u8".into(),
        TypeRef::U16 => "u16".into(),
        TypeRef::U32 => "u32".into(),
        TypeRef::U64 => "u64".into(),
        TypeRef::S8 => "i8".into(),
        TypeRef::S16 => "i16".into(),
        TypeRef::S32 => "i32".into(),
        TypeRef::S64 => "i64".into(),
        TypeRef::F32 => "f32".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Char => "char".into(),
        TypeRef::String => "String".into(),
        TypeRef::Option(t) => format!("Option<{}>", rust_type(model, t)?),
        TypeRef::List(t) => format!("Vec<{}>", rust_type(model, t)?),
        TypeRef::Alias { target, .. } => rust_type(model, target)?,
        TypeRef::Record(name) if model.record(name).is_some() => upper_camel(name),
        other => {
            return Err(Error::new(format!(
                "the Rust backend cannot mirror payload type {other:?}"
            ))
            .hint("payloads may use plain types, option, list and records; extend rust_type in generator/src/backend/rust.rs"))
        }
    })
}
