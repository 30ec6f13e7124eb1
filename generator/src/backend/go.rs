//! The Go backend: raw bindings from wit-bindgen-go (driven as a library through
//! wit-bindgen-core) in the library layout under `internal/wit/`, a copy of the Go runtime
//! package those bindings import (`witpkg/`, reached through a `replace`), and the idiomatic
//! `net/http` layer from `templates/go/`. Every `.go` file goes through `gofmt`, the one from
//! the pinned toolchain (`.courier/toolchains/go/`, installed by `languages/go/setup`) when
//! there is one, so the output does not depend on the machine.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use askama::Template;

use super::naming::upper_camel;
use super::{doc_lines, render_error, Backend, File, Input};
use crate::error::{Error, Result};
use crate::model::{Case, Model, TypeRef};

/// Emits `languages/go/sdk/`.
pub struct Go;

/// The Go module that the bindings' runtime package is, and the version wit-bindgen-go 0.63
/// asks for (`wit_bindgen_go::remote_pkg_version()`).
const WITPKG_MODULE: &str = "go.bytecodealliance.org/pkg";

/// The copy of that module, as wit-bindgen-go ships it (see `templates/go/witpkg/README.md`).
const WITPKG: &[(&str, &[u8])] = &[
    (
        "go.mod",
        include_bytes!("../../../templates/go/witpkg/go.mod"),
    ),
    (
        "LICENSE",
        include_bytes!("../../../templates/go/witpkg/LICENSE"),
    ),
    (
        "wit/async/async.go",
        include_bytes!("../../../templates/go/witpkg/wit/async/async.go"),
    ),
    (
        "wit/async/empty.s",
        include_bytes!("../../../templates/go/witpkg/wit/async/empty.s"),
    ),
    (
        "wit/runtime/runtime.go",
        include_bytes!("../../../templates/go/witpkg/wit/runtime/runtime.go"),
    ),
    (
        "wit/runtime/empty.s",
        include_bytes!("../../../templates/go/witpkg/wit/runtime/empty.s"),
    ),
    (
        "wit/types/future.go",
        include_bytes!("../../../templates/go/witpkg/wit/types/future.go"),
    ),
    (
        "wit/types/option.go",
        include_bytes!("../../../templates/go/witpkg/wit/types/option.go"),
    ),
    (
        "wit/types/result.go",
        include_bytes!("../../../templates/go/witpkg/wit/types/result.go"),
    ),
    (
        "wit/types/stream.go",
        include_bytes!("../../../templates/go/witpkg/wit/types/stream.go"),
    ),
    (
        "wit/types/tuple.go",
        include_bytes!("../../../templates/go/witpkg/wit/types/tuple.go"),
    ),
    (
        "wit/types/unit.go",
        include_bytes!("../../../templates/go/witpkg/wit/types/unit.go"),
    ),
];

/// The files of the bindings' runtime package the SDK carries, for tests that compare the
/// copy with the crate.
pub fn witpkg_files() -> &'static [(&'static str, &'static [u8])] {
    WITPKG
}

/// The `go` line of the runtime package's `go.mod`: the oldest Go that builds the SDK.
pub fn witpkg_go_version() -> Result<String> {
    let text = String::from_utf8_lossy(WITPKG[0].1);
    text.lines()
        .find_map(|l| l.strip_prefix("go ").map(|v| v.trim().to_string()))
        .ok_or_else(|| {
            Error::new("the bindings' runtime package has no `go` line")
                .at("templates/go/witpkg/go.mod")
        })
}

/// A variant case as the Go templates read it.
pub struct GoCase {
    pub wit_name: String,
    /// The SDK constant, `CodeHttpRequestDenied`.
    pub const_name: String,
    /// The raw binding's tag constant, `ErrorCode_HttpRequestDenied`.
    pub raw_tag: String,
    /// The payload's SDK type and how to convert it from the raw value `v`.
    pub payload: Option<GoPayload>,
    pub docs: Vec<String>,
}

pub struct GoPayload {
    pub ty: String,
    /// A Go expression over `v` (the raw payload) giving the SDK value.
    pub convert: String,
}

/// A payload record as the Go templates read it.
pub struct GoRecord {
    pub wit_name: String,
    pub go_name: String,
    /// The converter from the raw record, `dnsErrorPayloadFromRaw`.
    pub from_raw: String,
    pub fields: Vec<GoField>,
    pub docs: Vec<String>,
}

pub struct GoField {
    pub wit_name: String,
    pub go_name: String,
    pub ty: String,
    /// A Go expression over `v` (the raw record) giving the field's SDK value.
    pub convert: String,
    pub docs: Vec<String>,
}

/// A `request-options` property.
pub struct GoOption {
    pub wit_name: String,
    /// Field name, `ConnectTimeout`.
    pub go_name: String,
    /// The raw setter, `SetConnectTimeout`.
    pub setter: String,
    /// The SDK type: `time.Duration` for WIT `duration` (nanoseconds), else the plain type.
    pub ty: String,
    pub is_duration: bool,
    pub docs: Vec<String>,
}

/// `method`/`scheme` cases that map to fixed protocol tokens, plus the catch-all case.
pub struct GoTokens {
    /// (token on the wire, raw constructor): `("GET", "MakeMethodGet")`.
    pub fixed: Vec<(String, String)>,
    /// (token on the wire, raw tag constant): `("GET", "Method_Get")`.
    pub tags: Vec<(String, String)>,
    /// The constructor of the case carrying a string: `MakeMethodOther`.
    pub other: String,
    /// Its payload getter: `Other`.
    pub other_getter: String,
}

/// What every Go template reads: names of the module, its packages and the error-code cases
/// the SDK raises itself (looked up in the model by WIT name, never spelled in a template).
pub struct Common<'a> {
    pub model: &'a Model,
    /// The module path, `courier.dev/courier`.
    pub module: &'a str,
    /// The root package name, `courier`.
    pub package: String,
    /// The Go version the bindings' runtime package declares.
    pub go_version: String,
    /// `go.bytecodealliance.org/pkg v0.4.0`.
    pub remote_pkg: String,
    pub witpkg_module: &'static str,
    /// Raw binding packages: `wasi_http_types`, `wasi_http_outgoing_handler`, and the export
    /// package `export_wasi_http_incoming_handler`.
    pub types_pkg: String,
    pub outgoing_pkg: String,
    pub export_pkg: String,
    /// SDK constant names (after `Code`) of the cases the SDK raises itself.
    pub method_invalid: String,
    pub uri_invalid: String,
    pub body_size: String,
    pub internal_error: String,
    /// The raw constructor of `internal-error`.
    pub internal_error_ctor: String,
    pub error_codes: Vec<GoCase>,
    pub header_errors: Vec<GoCase>,
    pub records: Vec<GoRecord>,
    pub options: Vec<GoOption>,
    pub methods: GoTokens,
    pub schemes: GoTokens,
}

macro_rules! go_template {
    ($name:ident, $path:literal) => {
        #[derive(Template)]
        #[template(path = $path, escape = "none")]
        struct $name<'a, 'b>(&'b Common<'a>);

        impl<'a> std::ops::Deref for $name<'a, '_> {
            type Target = Common<'a>;
            fn deref(&self) -> &Common<'a> {
                self.0
            }
        }
    };
}

go_template!(GoMod, "go/go.mod");
go_template!(Readme, "go/README.md");
go_template!(DocGo, "go/doc.go");
go_template!(ErrorsGo, "go/errors.go");
go_template!(OptionsGo, "go/options.go");
go_template!(WireGo, "go/wire.go");
go_template!(ClientGo, "go/client.go");
go_template!(BodyGo, "go/body.go");
go_template!(WaitGo, "go/wait.go");
go_template!(HandlerGo, "go/handler.go");
go_template!(ExportGo, "go/export.go");
go_template!(InboundGo, "go/inbound.go");

/// Where the raw bindings go inside the SDK, and so their import path under the module.
const RAW_DIR: &str = "internal/wit";

impl Backend for Go {
    fn generate(&self, input: &Input<'_>) -> Result<Vec<File>> {
        let model = input.model;
        let module = input.package_name;
        let error_codes = cases(model, &model.error_codes, "error-code", "ErrorCode")?;
        let find = |wit_name| {
            super::error_case_name(model, &error_codes, wit_name, |c| {
                (&c.wit_name, &c.const_name)
            })
        };
        let internal_error = find("internal-error")?;
        let c = Common {
            model,
            module,
            package: package_of(module),
            go_version: witpkg_go_version()?,
            remote_pkg: wit_bindgen_go::remote_pkg_version(),
            witpkg_module: WITPKG_MODULE,
            types_pkg: go_package_of_interface(&types_interface(model)),
            outgoing_pkg: go_package_of_interface(&model.outgoing_handler.interface),
            export_pkg: format!(
                "export_{}",
                go_package_of_interface(&model.incoming_handler.interface)
            ),
            method_invalid: find("HTTP-request-method-invalid")?,
            uri_invalid: find("HTTP-request-URI-invalid")?,
            body_size: find("HTTP-request-body-size")?,
            internal_error_ctor: format!("MakeErrorCode{internal_error}"),
            internal_error,
            header_errors: cases(model, &model.header_errors, "header-error", "HeaderError")?,
            records: records(model)?,
            options: options(model)?,
            methods: tokens(&model.methods, "method", "Method", str::to_ascii_uppercase)?,
            schemes: tokens(&model.schemes, "scheme", "Scheme", str::to_ascii_lowercase)?,
            error_codes,
        };
        let gofmt = Gofmt::find()?;

        let mut files = vec![
            text("go.mod", GoMod(&c).render())?,
            text("README.md", Readme(&c).render())?,
        ];
        let export = format!("{RAW_DIR}/exports/{}/handle.go", c.export_pkg);
        let go_files: Vec<(&str, askama::Result<String>)> = vec![
            ("doc.go", DocGo(&c).render()),
            ("errors.go", ErrorsGo(&c).render()),
            ("options.go", OptionsGo(&c).render()),
            ("wire.go", WireGo(&c).render()),
            ("client.go", ClientGo(&c).render()),
            ("body.go", BodyGo(&c).render()),
            ("wait.go", WaitGo(&c).render()),
            ("handler.go", HandlerGo(&c).render()),
            ("internal/inbound/inbound.go", InboundGo(&c).render()),
            (&export, ExportGo(&c).render()),
        ];
        for (path, rendered) in go_files {
            let source = rendered.map_err(|e| render_error("go", path, e))?;
            files.push((path.to_string(), gofmt.format(path, source.as_bytes())?));
        }
        for (path, contents) in raw_bindings(input, module)? {
            let contents = if path.ends_with(".go") {
                gofmt.format(&path, &contents)?
            } else {
                contents
            };
            files.push((path, contents));
        }
        for (path, contents) in WITPKG {
            files.push((format!("witpkg/{path}"), contents.to_vec()));
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }
}

/// `wasi:http/types@0.2.12`, the interface the handlers' types come from.
fn types_interface(model: &Model) -> String {
    let (pkg, version) = model
        .package
        .split_once('@')
        .unwrap_or((model.package.as_str(), ""));
    if version.is_empty() {
        format!("{pkg}/types")
    } else {
        format!("{pkg}/types@{version}")
    }
}

/// The Go package name of a module path, as the go tool guesses it: the last element,
/// skipping a major-version element (`…/foo/v2` is package foo) and a gopkg.in version
/// suffix (`gopkg.in/yaml.v3` is package yaml), lower-cased, letters and digits.
pub fn package_of(module: &str) -> String {
    let mut elements = module.rsplit('/');
    let mut last = elements.next().unwrap_or(module);
    let is_major = |e: &str| {
        e.strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if is_major(last) {
        last = elements.next().unwrap_or(last);
    }
    if module.starts_with("gopkg.in/") {
        if let Some((name, version)) = last.rsplit_once('.') {
            if is_major(version) {
                last = name;
            }
        }
    }
    last.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Go's keywords, which cannot name a package.
const GO_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// Checks a module path: `/`-separated elements of letters, digits, `.`, `-`, `_`, `~`, the
/// first with a dot (so the go command never mistakes it for the standard library), and a
/// last element that makes a Go package name.
pub fn validate_module_path(module: &str) -> Result<()> {
    let elements: Vec<&str> = module.split('/').collect();
    let element_ok = |e: &&str| {
        !e.is_empty()
            && !e.starts_with('.')
            && !e.ends_with('.')
            && e.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~'))
    };
    let package = package_of(module);
    let ok = elements.iter().all(element_ok)
        && elements[0].contains('.')
        && package
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase());
    if ok && (GO_KEYWORDS.contains(&package.as_str()) || package == "main") {
        return Err(Error::new(format!(
            "`{module}` would make the SDK `package {package}`, which {}",
            if package == "main" {
                "no program can import"
            } else {
                "is a Go keyword"
            }
        ))
        .hint("end the module path with another name, e.g. example.com/httpsdk"));
    }
    if ok {
        Ok(())
    } else {
        Err(
            Error::new(format!("`{module}` is not a usable Go module path")).hint(
                "use a path like example.com/httpsdk: elements of letters, digits, `.`, `-`, `_`, \
             a dot in the first element, and a last element that starts with a letter",
            ),
        )
    }
}

/// `wasi:http/incoming-handler@0.2.12` -> `wasi_http_incoming_handler`, the name wit-bindgen-go
/// gives an interface's package when one version of the package is in the world.
fn go_package_of_interface(interface: &str) -> String {
    let unversioned = interface.split('@').next().unwrap_or(interface);
    unversioned
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Raw bindings for the proxy world in the library layout: `internal/wit/imports/<iface>/`
/// and `internal/wit/exports/wit_exports/` (the `//go:wasmexport` entry points).
fn raw_bindings(input: &Input<'_>, module: &str) -> Result<Vec<File>> {
    let opts = wit_bindgen_go::Opts {
        format: wit_bindgen_go::Format::False,
        pkg_name: Some(format!("{module}/{RAW_DIR}")),
        quiet: true,
        ..Default::default()
    };
    let mut generator = opts.build();
    let mut files = wit_bindgen_core::Files::default();
    let mut resolve = input.wit.resolve.clone();
    generator
        .generate(&mut resolve, input.wit.world, &mut files)
        .map_err(|e| Error::new(format!("wit-bindgen-go failed: {e:#}")))?;
    Ok(files
        .iter()
        .map(|(name, contents)| (format!("{RAW_DIR}/{name}"), contents.to_vec()))
        .collect())
}

/// The `gofmt` every generated `.go` file goes through.
struct Gofmt(PathBuf);

impl Gofmt {
    /// The pinned toolchain's gofmt (`.courier/toolchains/go/bin/gofmt` in the working
    /// directory or an ancestor), else `COURIER_GOFMT`, else the first on `PATH`.
    fn find() -> Result<Self> {
        if let Some(p) = std::env::var_os("COURIER_GOFMT") {
            return Ok(Self(PathBuf::from(p)));
        }
        if let Ok(cwd) = std::env::current_dir() {
            for dir in cwd.ancestors() {
                let p = dir.join(".courier/toolchains/go/bin/gofmt");
                if p.is_file() {
                    return Ok(Self(p));
                }
            }
        }
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                let p = dir.join("gofmt");
                if p.is_file() {
                    return Ok(Self(p));
                }
            }
        }
        Err(Error::new("gofmt not found: the Go SDK is formatted with it")
            .hint("run languages/go/setup (installs the pinned Go into .courier/toolchains/go/), or set COURIER_GOFMT"))
    }

    fn format(&self, path: &str, source: &[u8]) -> Result<Vec<u8>> {
        let gofmt = self.0.display();
        let cannot_run = |e: std::io::Error| {
            Error::new(format!("cannot run {gofmt}: {e}"))
                .hint("run languages/go/setup, or set COURIER_GOFMT to a gofmt binary")
        };
        let mut child = Command::new(&self.0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(cannot_run)?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let source = source.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&source));
        let out = child.wait_with_output().map_err(cannot_run)?;
        let written = writer.join().expect("gofmt writer thread");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stderr = stderr.trim();
        // gofmt names its input `<standard input>` in syntax errors; anything else is the
        // formatter failing (a wrong COURIER_GOFMT), not the template.
        if !out.status.success() && stderr.contains("<standard input>:") {
            return Err(Error::new(format!("generated Go does not parse: {stderr}"))
                .at(format!("{path} (generated)"))
                .hint("a template under templates/go/ emits invalid Go for this model"));
        }
        if !out.status.success() {
            return Err(Error::new(format!("{gofmt} failed ({}): {stderr}", out.status))
                .at(format!("{path} (generated)"))
                .hint("COURIER_GOFMT must name a gofmt binary (not `go`); run languages/go/setup for the pinned one"));
        }
        written.map_err(cannot_run)?;
        Ok(out.stdout)
    }
}

fn text(path: &str, rendered: askama::Result<String>) -> Result<File> {
    let mut s = rendered.map_err(|e| render_error("go", path, e))?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok((path.to_string(), s.into_bytes()))
}

/// wit-bindgen-go's Go name of a WIT name: `HTTP-request-denied` -> `HttpRequestDenied`.
fn go_name(wit_name: &str) -> String {
    upper_camel(wit_name)
}

fn cases(model: &Model, cases: &[Case], variant: &str, raw_type: &str) -> Result<Vec<GoCase>> {
    cases
        .iter()
        .map(|c| {
            let name = go_name(&c.wit_name);
            let payload = c
                .payload
                .as_ref()
                .map(|t| {
                    Ok::<_, Error>(GoPayload {
                        ty: go_type(model, t)?,
                        convert: convert(model, t, &format!("v.{name}()"))?,
                    })
                })
                .transpose()
                .map_err(|e| c.locate(variant, e))?;
            Ok(GoCase {
                wit_name: c.wit_name.clone(),
                const_name: name.clone(),
                raw_tag: format!("{raw_type}_{name}"),
                payload,
                docs: doc_lines(&c.docs),
            })
        })
        .collect()
}

fn records(model: &Model) -> Result<Vec<GoRecord>> {
    model
        .records
        .iter()
        .map(|r| {
            let mut fields = Vec::new();
            for f in &r.fields {
                let go = go_name(&f.wit_name);
                fields.push(GoField {
                    wit_name: f.wit_name.clone(),
                    convert: convert(model, &f.ty, &format!("v.{go}"))?,
                    go_name: go,
                    ty: go_type(model, &f.ty)?,
                    docs: doc_lines(&f.docs),
                });
            }
            Ok(GoRecord {
                wit_name: r.wit_name.clone(),
                go_name: go_name(&r.wit_name),
                from_raw: format!("{}FromRaw", lower_first(&go_name(&r.wit_name))),
                fields,
                docs: doc_lines(&r.docs),
            })
        })
        .collect()
}

fn options(model: &Model) -> Result<Vec<GoOption>> {
    model
        .request_options
        .iter()
        .map(|o| {
            let is_duration = o.is_duration();
            let ty = if is_duration {
                "time.Duration".to_string()
            } else {
                go_type(model, &o.ty)?
            };
            Ok(GoOption {
                wit_name: o.wit_name.clone(),
                go_name: go_name(&o.wit_name),
                setter: format!("Set{}", go_name(&o.wit_name)),
                ty,
                is_duration,
                docs: doc_lines(&o.docs),
            })
        })
        .collect()
}

/// `method`/`scheme` as raw constructors and tag constants, keyed by their wire tokens.
fn tokens(
    cases: &[Case],
    variant: &str,
    raw_type: &str,
    token: fn(&str) -> String,
) -> Result<GoTokens> {
    let (fixed, other) = super::split_tokens(cases, variant, "Go")?;
    let ctor = |c: &Case| format!("Make{raw_type}{}", go_name(&c.wit_name));
    Ok(GoTokens {
        fixed: fixed
            .iter()
            .map(|c| (token(&c.wit_name), ctor(c)))
            .collect(),
        tags: fixed
            .iter()
            .map(|c| {
                let tag = format!("{raw_type}_{}", go_name(&c.wit_name));
                (token(&c.wit_name), tag)
            })
            .collect(),
        other: ctor(other),
        other_getter: go_name(&other.wit_name),
    })
}

/// The SDK-side Go type of a payload type. Options become pointers (nil = none).
fn go_type(model: &Model, ty: &TypeRef) -> Result<String> {
    Ok(match ty {
        TypeRef::Bool => "bool".into(),
        TypeRef::U8 => "uint8".into(),
        TypeRef::U16 => "uint16".into(),
        TypeRef::U32 => "uint32".into(),
        TypeRef::U64 => "uint64".into(),
        TypeRef::S8 => "int8".into(),
        TypeRef::S16 => "int16".into(),
        TypeRef::S32 => "int32".into(),
        TypeRef::S64 => "int64".into(),
        TypeRef::F32 => "float32".into(),
        TypeRef::F64 => "float64".into(),
        TypeRef::Char => "rune".into(),
        TypeRef::String => "string".into(),
        TypeRef::Option(t) => format!("*{}", go_type(model, t)?),
        TypeRef::List(t) => format!("[]{}", go_type(model, t)?),
        TypeRef::Alias { target, .. } => go_type(model, target)?,
        TypeRef::Record(name) if model.record(name).is_some() => go_name(name),
        other => {
            return Err(Error::new(format!(
                "the Go backend cannot mirror payload type {other:?}"
            ))
            .hint("payloads may use plain types, option, list and records; extend go_type in generator/src/backend/go.rs"))
        }
    })
}

/// A Go expression converting the raw binding value `expr` of type `ty` to the SDK's type.
fn convert(model: &Model, ty: &TypeRef, expr: &str) -> Result<String> {
    Ok(match ty {
        TypeRef::Option(t) => {
            let inner = convert(model, t, "x")?;
            let go = go_type(model, t)?;
            format!(
                "optionOf({expr}, func(x {raw}) {go} {{ return {inner} }})",
                raw = raw_go_type(model, t)?
            )
        }
        TypeRef::List(t) => {
            let inner = convert(model, t, "x")?;
            let go = go_type(model, t)?;
            format!(
                "listOf({expr}, func(x {raw}) {go} {{ return {inner} }})",
                raw = raw_go_type(model, t)?
            )
        }
        TypeRef::Alias { target, .. } => convert(model, target, expr)?,
        TypeRef::Record(name) if model.record(name).is_some() => {
            format!("{}FromRaw({expr})", lower_first(&go_name(name)))
        }
        TypeRef::Record(_)
        | TypeRef::Tuple(_)
        | TypeRef::Result { .. }
        | TypeRef::Variant(_)
        | TypeRef::Own(_)
        | TypeRef::Borrow(_) => {
            return Err(Error::new(format!(
                "the Go backend cannot convert payload type {ty:?}"
            )))
        }
        _ => expr.to_string(),
    })
}

/// The raw bindings' Go type for a payload type (wit-bindgen-go's names).
fn raw_go_type(model: &Model, ty: &TypeRef) -> Result<String> {
    Ok(match ty {
        TypeRef::Option(t) => format!("witTypes.Option[{}]", raw_go_type(model, t)?),
        TypeRef::List(t) => format!("[]{}", raw_go_type(model, t)?),
        TypeRef::Alias { target, .. } => raw_go_type(model, target)?,
        TypeRef::Record(name) => format!("raw.{}", go_name(name)),
        other => go_type(model, other)?,
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}
