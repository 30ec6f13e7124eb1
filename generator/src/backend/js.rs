//! The JavaScript backend: a Fetch-standard-shaped SDK (`fetch`, `Request`, `Response`,
//! `Headers`, an inbound `handler`) over the wasi:http imports as ComponentizeJS exposes them,
//! TypeScript declarations for it, and the WIT the JS build needs.
//!
//! ComponentizeJS brings its own bindings (it splices them into StarlingMonkey at build time),
//! so no raw bindings are emitted. But StarlingMonkey is built against one wasi:http release
//! ([`ENGINE_WASI_VERSION`]) and a component's imports must name that exact version, so the
//! backend also emits `wit/`: the input WIT retargeted to that version by [`retarget_wit`].
//! wasi 0.2.x releases are compatible, so only version strings change (plus items added after
//! the target release, which are gated off; see [`retarget_wit`]).

use std::collections::HashSet;

use askama::Template;
use heck::{ToLowerCamelCase, ToUpperCamelCase};
use wit_parser::PackageId;

use super::{doc_lines, render_error, Backend, File, Input};
use crate::error::{Error, Result};
use crate::model::{Case, Model, TypeRef};

/// The wasi release StarlingMonkey inside `@bytecodealliance/componentize-js` 0.23.0 imports
/// (its embedding wasm only names `wasi:*@0.2.10`; ComponentizeJS issue #313).
pub const ENGINE_WASI_VERSION: &str = "0.2.10";

/// The world the JS build componentizes: `proxy` of the root package in `wit/world.wit`.
pub const JS_WORLD: &str = "proxy";

/// Emits `languages/js/sdk/`.
pub struct Js;

/// A variant case as the JS templates read it.
pub struct JsCase {
    pub wit_name: String,
    /// The TypeScript type of the payload, if any.
    pub payload: Option<String>,
    pub docs: Vec<String>,
}

/// A record used by a payload, as a TypeScript interface.
pub struct JsRecord {
    pub ts_name: String,
    pub wit_name: String,
    /// (camelCase field name as the bindings give it, TypeScript type, docs).
    pub fields: Vec<(String, String, Vec<String>)>,
}

/// A `request-options` property.
pub struct JsOption {
    pub wit_name: String,
    /// `connectTimeout`, the key in `init.timeouts`.
    pub js_name: String,
    /// `setConnectTimeout`, the binding's setter.
    pub setter: String,
    /// WIT `duration` (nanoseconds): the SDK takes milliseconds.
    pub is_duration: bool,
    pub ts_type: String,
    pub docs: Vec<String>,
}

/// `method`/`scheme`: (token, case) pairs and the catch-all case.
pub struct JsTokens {
    pub fixed: Vec<(String, String)>,
    pub other: String,
}

#[derive(Template)]
#[template(path = "js/errors.js", escape = "none")]
struct ErrorsJs<'a> {
    package: &'a str,
    wit_version: &'a str,
    error_codes: &'a [JsCase],
    header_errors: &'a [JsCase],
    method_invalid: &'a str,
    uri_invalid: &'a str,
    body_size: &'a str,
    other: &'a str,
}

#[derive(Template)]
#[template(path = "js/wire.js", escape = "none")]
struct WireJs<'a> {
    package: &'a str,
    wit_version: &'a str,
    methods: &'a JsTokens,
    schemes: &'a JsTokens,
    options: &'a [JsOption],
}

#[derive(Template)]
#[template(path = "js/poll.js", escape = "none")]
struct PollJs<'a> {
    wit_version: &'a str,
}

#[derive(Template)]
#[template(path = "js/body.js", escape = "none")]
struct BodyJs<'a> {
    wit_version: &'a str,
}

#[derive(Template)]
#[template(path = "js/fetch.js", escape = "none")]
struct FetchJs<'a> {
    wit_version: &'a str,
}

#[derive(Template)]
#[template(path = "js/handler.js", escape = "none")]
struct HandlerJs<'a> {
    wit_version: &'a str,
}

#[derive(Template)]
#[template(path = "js/index.js", escape = "none")]
struct IndexJs<'a> {
    package_name: &'a str,
    package: &'a str,
    wit_version: &'a str,
}

#[derive(Template)]
#[template(path = "js/index.d.ts", escape = "none")]
struct IndexDts<'a> {
    package_name: &'a str,
    package: &'a str,
    error_codes: &'a [JsCase],
    header_errors: &'a [JsCase],
    records: &'a [JsRecord],
    options: &'a [JsOption],
}

#[derive(Template)]
#[template(path = "js/package.json", escape = "none")]
struct PackageJson<'a> {
    package_name: &'a str,
    model: &'a Model,
}

#[derive(Template)]
#[template(path = "js/README.md", escape = "none")]
struct Readme<'a> {
    package_name: &'a str,
    model: &'a Model,
    wit_version: &'a str,
    world: &'a str,
    error_codes: &'a [JsCase],
    options: &'a [JsOption],
}

#[derive(Template)]
#[template(path = "js/world.wit", escape = "none")]
struct WorldWit<'a> {
    model: &'a Model,
    wit_version: &'a str,
    world: &'a str,
}

impl Backend for Js {
    fn generate(&self, input: &Input<'_>) -> Result<Vec<File>> {
        let model = input.model;
        let package_name = input.package_name;
        let package = model.package.as_str();
        let wit_version = ENGINE_WASI_VERSION;
        let error_codes = cases(model, &model.error_codes, "error-code")?;
        let header_errors = cases(model, &model.header_errors, "header-error")?;
        let records = records(model)?;
        let options = options(model)?;
        let methods = tokens(&model.methods, "method", str::to_ascii_uppercase)?;
        let schemes = tokens(&model.schemes, "scheme", str::to_ascii_lowercase)?;
        let method_invalid = model
            .error_code("HTTP-request-method-invalid")?
            .wit_name
            .as_str();
        let uri_invalid = model
            .error_code("HTTP-request-URI-invalid")?
            .wit_name
            .as_str();
        let body_size = model
            .error_code("HTTP-request-body-size")?
            .wit_name
            .as_str();
        let other = model.error_code("internal-error")?.wit_name.as_str();

        let mut files = vec![
            text(
                "errors.js",
                ErrorsJs {
                    package,
                    wit_version,
                    error_codes: &error_codes,
                    header_errors: &header_errors,
                    method_invalid,
                    uri_invalid,
                    body_size,
                    other,
                }
                .render(),
            )?,
            text(
                "wire.js",
                WireJs {
                    package,
                    wit_version,
                    methods: &methods,
                    schemes: &schemes,
                    options: &options,
                }
                .render(),
            )?,
            text("poll.js", PollJs { wit_version }.render())?,
            text("body.js", BodyJs { wit_version }.render())?,
            text("fetch.js", FetchJs { wit_version }.render())?,
            text("handler.js", HandlerJs { wit_version }.render())?,
            text(
                "index.js",
                IndexJs {
                    package_name,
                    package,
                    wit_version,
                }
                .render(),
            )?,
            text(
                "index.d.ts",
                IndexDts {
                    package_name,
                    package,
                    error_codes: &error_codes,
                    header_errors: &header_errors,
                    records: &records,
                    options: &options,
                }
                .render(),
            )?,
            text(
                "package.json",
                PackageJson {
                    package_name,
                    model,
                }
                .render(),
            )?,
            text(
                "README.md",
                Readme {
                    package_name,
                    model,
                    wit_version,
                    world: JS_WORLD,
                    error_codes: &error_codes,
                    options: &options,
                }
                .render(),
            )?,
            text(
                "wit/world.wit",
                WorldWit {
                    model,
                    wit_version,
                    world: JS_WORLD,
                }
                .render(),
            )?,
        ];
        files.extend(engine_wit(input, wit_version)?);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }
}

/// The WIT of the `wasi:http` package and every package it depends on, retargeted to
/// `version`, as `wit/deps/<package>.wit` (or `wit/deps/<package>/<file>` for a package
/// parsed from a folder). Chosen by package, not by where the files lie, so the output is
/// the same wherever the checkout is and whichever package is the root; other packages in
/// the input (the root, unrelated deps) are left out: `wit/world.wit` replaces the root.
fn engine_wit(input: &Input<'_>, version: &str) -> Result<Vec<File>> {
    let target: semver::Version = version.parse().expect("ENGINE_WASI_VERSION is semver");
    let wit = input.wit;
    let resolve = &wit.resolve;
    let mut needed = HashSet::from([wit.package]);
    let mut queue = vec![wit.package];
    while let Some(id) = queue.pop() {
        for dep in resolve.package_direct_deps(id) {
            if needed.insert(dep) {
                queue.push(dep);
            }
        }
    }
    let packages: Vec<_> = resolve
        .topological_packages()
        .into_iter()
        .filter(|id| needed.contains(id))
        .collect();
    let folder_of = |id: PackageId| {
        let name = &resolve.packages[id].name;
        let shared = packages
            .iter()
            .filter(|other| resolve.packages[**other].name.name == name.name)
            .count()
            > 1;
        if shared {
            format!("{}-{}", name.namespace, name.name)
        } else {
            name.name.clone()
        }
    };
    let mut out = Vec::new();
    // A file may declare several packages (`package a:b { … }`): it is emitted once.
    let mut emitted = HashSet::new();
    for &id in &packages {
        let files = wit.package_files.get(&id).map_or(&[][..], Vec::as_slice);
        for path in files {
            if !emitted.insert(path) {
                continue;
            }
            let name = if files.len() == 1 {
                format!("wit/deps/{}.wit", folder_of(id))
            } else {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                format!("wit/deps/{}/{file}", folder_of(id))
            };
            let source = std::fs::read_to_string(path)
                .map_err(|e| Error::io("read WIT (to retarget it for ComponentizeJS)", path, e))?;
            let retargeted =
                retarget_wit(&source, &target).map_err(|e| e.at(path.display().to_string()))?;
            out.push((name, retargeted.into_bytes()));
        }
    }
    Ok(out)
}

/// Rewrites a wasi 0.2.x WIT file so that it declares and references `target` instead:
///
/// * every package reference `@0.2.N` (in `package`, `use`, `import`, `include`) becomes
///   `@<target>`; other versions (0.3 previews, non-0.2) are an error, not silently kept;
/// * an item marked `@since(version = V)` with V newer than `target` did not exist in that
///   release: it becomes `@unstable(feature = courier-since-V)`, which no build enables,
///   so the retargeted package has exactly the older release's surface (wit-parser also
///   rejects a `@since` newer than its package).
///
/// Everything else is kept byte for byte, comments untouched whatever they say, except that
/// CRLF line ends become LF (a Windows checkout generates the same SDK).
pub fn retarget_wit(source: &str, target: &semver::Version) -> Result<String> {
    let source = source.replace("\r\n", "\n");
    let mut out = String::with_capacity(source.len());
    let mut rest = source.as_str();
    while let Some(at) = rest.find(['@', '/']) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if rest.as_bytes()[at] == b'/' {
            let comment = comment_len(&rest[at..])?;
            out.push_str(&rest[at..at + comment.max(1)]);
            rest = &rest[at + comment.max(1)..];
            continue;
        }
        if let Some(args) = after.strip_prefix("since(") {
            let close = args
                .find(')')
                .ok_or_else(|| Error::new("unclosed `@since(`"))?;
            let inner = &args[..close];
            let version = inner
                .split_once('=')
                .map(|(_, v)| v.trim())
                .filter(|_| inner.trim_start().starts_with("version"))
                .ok_or_else(|| Error::new(format!("unexpected `@since({inner})`")))?;
            let v: semver::Version = version
                .parse()
                .map_err(|e| Error::new(format!("bad version in `@since({inner})`: {e}")))?;
            if v > *target {
                out.push_str(&format!(
                    "@unstable(feature = courier-since-{})",
                    version.replace('.', "-")
                ));
            } else {
                out.push_str(&rest[at..at + 1 + "since(".len() + close + 1]);
            }
            rest = &args[close + 1..];
            continue;
        }
        // A version runs over alphanumerics, `-`, `+`, and dots followed by one of those
        // (`@0.2.12.{input-stream}` ends before the `.{`).
        let bytes = after.as_bytes();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'+';
        let mut len = 0;
        while len < bytes.len()
            && (word(bytes[len])
                || (bytes[len] == b'.' && bytes.get(len + 1).copied().is_some_and(word)))
        {
            len += 1;
        }
        let token = &after[..len];
        if token.starts_with(|c: char| c.is_ascii_digit()) {
            let v: semver::Version = token
                .parse()
                .map_err(|e| Error::new(format!("bad package version `@{token}`: {e}")))?;
            if v.major != 0 || v.minor != 2 || !v.pre.is_empty() {
                return Err(Error::new(format!(
                    "package version @{token} is not a wasi 0.2.x release"
                ))
                .hint(
                    "ComponentizeJS's engine speaks wasi 0.2; only 0.2.x WIT can be retargeted",
                ));
            }
            out.push('@');
            out.push_str(&target.to_string());
            rest = &after[len..];
        } else {
            // `@unstable(…)`, `@deprecated(…)`: kept as is.
            out.push('@');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The length of the comment `text` starts with (0 if it starts with none): a `//` comment
/// up to its line end, or a `/* … */` comment, which may nest as in wit-parser's lexer.
fn comment_len(text: &str) -> Result<usize> {
    if text.starts_with("//") {
        return Ok(text.find('\n').unwrap_or(text.len()));
    }
    if !text.starts_with("/*") {
        return Ok(0);
    }
    let mut depth = 0usize;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err(Error::new("unclosed `/*` comment"))
}

/// An npm package name: lower-case letters, digits, `-`, `.` and `_`, optionally `@scope/`.
pub fn validate_package_name(name: &str) -> Result<()> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && !p.starts_with(['.', '_'])
            && p.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_')
            })
    };
    let ok = name.len() <= 214
        && match name.strip_prefix('@') {
            Some(scoped) => scoped
                .split_once('/')
                .is_some_and(|(s, n)| part_ok(s) && part_ok(n)),
            None => part_ok(name),
        };
    // npm's own blacklist.
    if ["node_modules", "favicon.ico"].contains(&name) {
        return Err(
            Error::new(format!("npm refuses `{name}` as a package name"))
                .hint("pick a name of your own, e.g. my-http-sdk"),
        );
    }
    if ok {
        Ok(())
    } else {
        Err(Error::new(format!("`{name}` is not a valid npm package name"))
            .hint("use lower-case letters, digits, `-`, `.` and `_`, optionally scoped, e.g. my-http-sdk or @me/http"))
    }
}

fn text(path: &str, rendered: askama::Result<String>) -> Result<File> {
    let mut s = rendered.map_err(|e| render_error("js", path, e))?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok((path.to_string(), s.into_bytes()))
}

fn cases(model: &Model, cases: &[Case], variant: &str) -> Result<Vec<JsCase>> {
    cases
        .iter()
        .map(|c| {
            let payload = c
                .payload
                .as_ref()
                .map(|t| ts_type(model, t))
                .transpose()
                .map_err(|e| c.locate(variant, e))?;
            Ok(JsCase {
                wit_name: c.wit_name.clone(),
                payload,
                docs: doc_lines(&c.docs),
            })
        })
        .collect()
}

fn records(model: &Model) -> Result<Vec<JsRecord>> {
    model
        .records
        .iter()
        .map(|r| {
            let mut fields = Vec::new();
            for f in &r.fields {
                fields.push((
                    f.wit_name.to_lower_camel_case(),
                    ts_type(model, &f.ty)?,
                    doc_lines(&f.docs),
                ));
            }
            Ok(JsRecord {
                ts_name: r.wit_name.to_upper_camel_case(),
                wit_name: r.wit_name.clone(),
                fields,
            })
        })
        .collect()
}

fn options(model: &Model) -> Result<Vec<JsOption>> {
    model
        .request_options
        .iter()
        .map(|o| {
            let is_duration = o.is_duration();
            let ts_type = if is_duration {
                "number".to_string()
            } else {
                ts_type(model, &o.ty)?
            };
            Ok(JsOption {
                wit_name: o.wit_name.clone(),
                js_name: o.wit_name.to_lower_camel_case(),
                setter: format!("set-{}", o.wit_name).to_lower_camel_case(),
                is_duration,
                ts_type,
                docs: doc_lines(&o.docs),
            })
        })
        .collect()
}

/// `method`/`scheme` keyed by their wire tokens. The case names are the JS bindings' variant
/// tags as they are (ComponentizeJS keeps WIT names).
fn tokens(cases: &[Case], variant: &str, token: fn(&str) -> String) -> Result<JsTokens> {
    let (fixed, other) = super::split_tokens(cases, variant, "JS")?;
    Ok(JsTokens {
        fixed: fixed
            .iter()
            .map(|c| (token(&c.wit_name), c.wit_name.clone()))
            .collect(),
        other: other.wit_name.clone(),
    })
}

/// The TypeScript type of a payload as the ComponentizeJS bindings deliver it.
fn ts_type(model: &Model, ty: &TypeRef) -> Result<String> {
    Ok(match ty {
        TypeRef::Bool => "boolean".into(),
        TypeRef::U8
        | TypeRef::U16
        | TypeRef::U32
        | TypeRef::S8
        | TypeRef::S16
        | TypeRef::S32
        | TypeRef::F32
        | TypeRef::F64 => "number".into(),
        TypeRef::U64 | TypeRef::S64 => "bigint".into(),
        TypeRef::Char | TypeRef::String => "string".into(),
        TypeRef::Option(t) => format!("{} | undefined", ts_type(model, t)?),
        TypeRef::List(t) => format!("Array<{}>", ts_type(model, t)?),
        TypeRef::Alias { target, .. } => ts_type(model, target)?,
        TypeRef::Record(name) if model.record(name).is_some() => name.to_upper_camel_case(),
        other => {
            return Err(Error::new(format!(
                "the JS backend cannot declare payload type {other:?}"
            ))
            .hint("payloads may use plain types, option, list and records; extend ts_type in generator/src/backend/js.rs"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        s.parse().unwrap()
    }

    #[test]
    fn package_references_are_retargeted_and_comments_kept() {
        let src = "package wasi:http@0.2.12;\n/// docs mention 0.2.12 and stay\ninterface t {\n  use wasi:io/streams@0.2.12.{input-stream};\n}\nworld w { import wasi:io/poll@0.2.3; include wasi:cli/imports@0.2.12; }\n";
        let out = retarget_wit(src, &v("0.2.10")).unwrap();
        assert_eq!(
            out,
            "package wasi:http@0.2.10;\n/// docs mention 0.2.12 and stay\ninterface t {\n  use wasi:io/streams@0.2.10.{input-stream};\n}\nworld w { import wasi:io/poll@0.2.10; include wasi:cli/imports@0.2.10; }\n"
        );
    }

    #[test]
    fn items_newer_than_the_target_are_gated_off() {
        let src = "@since(version = 0.2.0)\nf: func();\n@since(version = 0.2.12)\ng: func();\n@unstable(feature = x)\nh: func();\n@deprecated(version = 0.2.2)\n";
        let out = retarget_wit(src, &v("0.2.10")).unwrap();
        assert_eq!(
            out,
            "@since(version = 0.2.0)\nf: func();\n@unstable(feature = courier-since-0-2-12)\ng: func();\n@unstable(feature = x)\nh: func();\n@deprecated(version = 0.2.2)\n"
        );
    }

    #[test]
    fn non_0_2_versions_are_refused() {
        let err = retarget_wit("package wasi:http@0.3.0-rc-2026-03-15;", &v("0.2.10"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a wasi 0.2.x release"), "{err}");
        assert!(retarget_wit("use wasi:io/x@1.2.0.{a};", &v("0.2.10")).is_err());
    }

    #[test]
    fn comments_end_where_wit_parser_ends_them() {
        assert_eq!(comment_len("// a @1.0 b\nnext").unwrap(), 11);
        assert_eq!(comment_len("// to the end").unwrap(), 13);
        assert_eq!(comment_len("/* a /* b */ c */ d").unwrap(), 17);
        assert_eq!(comment_len("/ not a comment").unwrap(), 0);
        assert!(comment_len("/* never /* closed */").is_err());
    }
}
