//! The Python backend: a pure-Python package on top of the raw bindings that componentize-py
//! generates at build time. The generator pins the binding module names (componentize-py's
//! `--import-interface-name`), so the package imports stable modules whatever other packages a
//! world pulls in; the flags are listed in the SDK's README and `_bindings.py`.

use askama::Template;
use wit_parser::{Resolve, WorldItem, WorldKey};

use super::naming::upper_camel;
use super::{render_error, Backend, File, Input};
use crate::error::{Error, Result};
use crate::model::{Case, Model, TypeRef};

/// Emits `languages/python/sdk/`.
pub struct Python;

/// A variant case as the Python templates read it.
pub struct PyCase {
    pub wit_name: String,
    /// The SDK exception class, the same name componentize-py gives the raw case
    /// (`HTTP-request-denied` -> `HttpRequestDenied`).
    pub class_name: String,
    /// The raw binding class: `ErrorCode_HttpRequestDenied`.
    pub raw_class: String,
    /// The payload's Python type, if any.
    pub payload: Option<String>,
    /// A Python expression converting the raw case `raw_case`'s payload to the SDK type.
    pub convert: Option<String>,
    pub docs: Vec<String>,
}

/// A payload record, mirrored as a frozen dataclass.
pub struct PyRecord {
    pub wit_name: String,
    pub class_name: String,
    /// The converter from the raw binding's record: `_dns_error_payload_from_raw`.
    pub from_raw: String,
    pub fields: Vec<PyField>,
    pub docs: Vec<String>,
}

pub struct PyField {
    pub wit_name: String,
    pub name: String,
    pub ty: String,
    /// Conversion of `raw_value.<name>` to the SDK type.
    pub convert: String,
    pub docs: Vec<String>,
}

/// A `request-options` property.
pub struct PyOption {
    pub wit_name: String,
    /// `connect_timeout`, the keyword and attribute name.
    pub name: String,
    /// The raw setter, `set_connect_timeout`.
    pub setter: String,
    /// The SDK type: `float` seconds for WIT `duration` (nanoseconds), else the plain type.
    pub ty: String,
    pub is_duration: bool,
    pub docs: Vec<String>,
}

/// `method`/`scheme` cases that map to fixed protocol tokens, plus the catch-all case.
pub struct PyTokens {
    /// (token on the wire, raw class): `("GET", "Method_Get")`.
    pub fixed: Vec<(String, String)>,
    /// The raw class of the case carrying a string for anything else: `Method_Other`.
    pub other: String,
}

/// One binding module the SDK imports, with the WIT interface it is generated from.
pub struct PyBinding {
    /// `wasi:http/types@0.2.12`.
    pub interface: String,
    /// `http_types`.
    pub module: String,
    /// Whether the world exports it (else imports it).
    pub export: bool,
}

struct Bindings {
    all: Vec<PyBinding>,
}

impl Bindings {
    fn module(&self, name: &str) -> &str {
        &self
            .all
            .iter()
            .find(|b| b.module == name)
            .expect("binding modules are fixed by the backend")
            .module
    }
}

#[derive(Template)]
#[template(path = "python/README.md", escape = "none")]
struct Readme<'a> {
    package_name: &'a str,
    model: &'a Model,
    error_codes: &'a [PyCase],
    header_errors: &'a [PyCase],
    bindings: &'a [PyBinding],
    options: &'a [PyOption],
}

#[derive(Template)]
#[template(path = "python/pyproject.toml", escape = "none")]
struct Pyproject<'a> {
    package_name: &'a str,
    model: &'a Model,
}

#[derive(Template)]
#[template(path = "python/__init__.py", escape = "none")]
struct Init<'a> {
    package_name: &'a str,
    model: &'a Model,
}

#[derive(Template)]
#[template(path = "python/_bindings.py", escape = "none")]
struct BindingsPy<'a> {
    model: &'a Model,
    bindings: &'a [PyBinding],
}

#[derive(Template)]
#[template(path = "python/errors.py", escape = "none")]
struct ErrorsPy<'a> {
    model: &'a Model,
    error_codes: &'a [PyCase],
    header_errors: &'a [PyCase],
    records: &'a [PyRecord],
}

#[derive(Template)]
#[template(path = "python/headers.py", escape = "none")]
struct HeadersPy;

#[derive(Template)]
#[template(path = "python/urls.py", escape = "none")]
struct UrlsPy;

#[derive(Template)]
#[template(path = "python/_wire.py", escape = "none")]
struct WirePy<'a> {
    methods: &'a PyTokens,
    schemes: &'a PyTokens,
}

#[derive(Template)]
#[template(path = "python/options.py", escape = "none")]
struct OptionsPy<'a> {
    model: &'a Model,
    options: &'a [PyOption],
}

#[derive(Template)]
#[template(path = "python/poll_loop.py", escape = "none")]
struct PollLoopPy;

#[derive(Template)]
#[template(path = "python/body.py", escape = "none")]
struct BodyPy;

#[derive(Template)]
#[template(path = "python/http.py", escape = "none")]
struct HttpPy<'a> {
    package_name: &'a str,
    model: &'a Model,
}

#[derive(Template)]
#[template(path = "python/handler.py", escape = "none")]
struct HandlerPy<'a> {
    package_name: &'a str,
    model: &'a Model,
}

impl Backend for Python {
    fn generate(&self, input: &Input<'_>) -> Result<Vec<File>> {
        let model = input.model;
        let package_name = input.package_name;
        let records = records(model)?;
        let error_codes = cases(model, &model.error_codes, "error-code", "ErrorCode")?;
        let header_errors = cases(model, &model.header_errors, "header-error", "HeaderError")?;
        for h in &header_errors {
            if error_codes.iter().any(|e| e.class_name == h.class_name) {
                return Err(Error::new(format!(
                    "header-error.{} and error-code.{} both become Python class {}",
                    h.wit_name, h.wit_name, h.class_name
                ))
                .hint("extend the Python backend's naming to disambiguate"));
            }
        }
        let options = options(model)?;
        let methods = tokens(&model.methods, "method", "Method", str::to_ascii_uppercase)?;
        let schemes = tokens(&model.schemes, "scheme", "Scheme", str::to_ascii_lowercase)?;
        let bindings = bindings(&input.wit.resolve, input)?;
        // Every module the templates import must be among the pinned names.
        for name in [
            "http_types",
            "outgoing_handler",
            "incoming_handler",
            "streams",
            "poll",
            "io_error",
            "monotonic_clock",
        ] {
            bindings.module(name);
        }
        let bindings = bindings.all;

        let pkg = |rel: &str| format!("{package_name}/{rel}");
        let mut files = vec![
            text(
                "README.md",
                Readme {
                    package_name,
                    model,
                    error_codes: &error_codes,
                    header_errors: &header_errors,
                    bindings: &bindings,
                    options: &options,
                }
                .render(),
            )?,
            text(
                "pyproject.toml",
                Pyproject {
                    package_name,
                    model,
                }
                .render(),
            )?,
            (pkg("py.typed"), Vec::new()),
            text(
                &pkg("__init__.py"),
                Init {
                    package_name,
                    model,
                }
                .render(),
            )?,
            text(
                &pkg("_bindings.py"),
                BindingsPy {
                    model,
                    bindings: &bindings,
                }
                .render(),
            )?,
            text(
                &pkg("errors.py"),
                ErrorsPy {
                    model,
                    error_codes: &error_codes,
                    header_errors: &header_errors,
                    records: &records,
                }
                .render(),
            )?,
            text(&pkg("headers.py"), HeadersPy.render())?,
            text(&pkg("urls.py"), UrlsPy.render())?,
            text(
                &pkg("_wire.py"),
                WirePy {
                    methods: &methods,
                    schemes: &schemes,
                }
                .render(),
            )?,
            text(
                &pkg("options.py"),
                OptionsPy {
                    model,
                    options: &options,
                }
                .render(),
            )?,
            text(&pkg("poll_loop.py"), PollLoopPy.render())?,
            text(&pkg("body.py"), BodyPy.render())?,
            text(
                &pkg("http.py"),
                HttpPy {
                    package_name,
                    model,
                }
                .render(),
            )?,
            text(
                &pkg("handler.py"),
                HandlerPy {
                    package_name,
                    model,
                }
                .render(),
            )?,
        ];
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }
}

/// The binding modules the SDK imports, named after the interfaces of the proxy world.
fn bindings(resolve: &Resolve, input: &Input<'_>) -> Result<Bindings> {
    let world = &resolve.worlds[input.wit.world];
    let wanted: [(&str, &str, &str, bool); 7] = [
        ("http", "types", "http_types", false),
        ("http", "outgoing-handler", "outgoing_handler", false),
        ("http", "incoming-handler", "incoming_handler", true),
        ("io", "streams", "streams", false),
        ("io", "poll", "poll", false),
        ("io", "error", "io_error", false),
        ("clocks", "monotonic-clock", "monotonic_clock", false),
    ];
    let mut all = Vec::new();
    for (package, name, module, export) in wanted {
        let items = if export {
            &world.exports
        } else {
            &world.imports
        };
        let found = items.iter().find_map(|(key, item)| {
            let WorldItem::Interface { id, .. } = item else {
                return None;
            };
            let WorldKey::Interface(_) = key else {
                return None;
            };
            let iface = &resolve.interfaces[*id];
            let pkg = &resolve.packages[iface.package?];
            (pkg.name.namespace == "wasi"
                && pkg.name.name == package
                && iface.name.as_deref() == Some(name))
            .then(|| resolve.id_of(*id))
            .flatten()
        });
        let interface = found.ok_or_else(|| {
            Error::new(format!(
                "world {} does not {} wasi:{package}/{name}",
                input.model.world,
                if export { "export" } else { "import" }
            ))
            .hint("the Python SDK imports it; is this a complete wasi:http 0.2 proxy world?")
        })?;
        all.push(PyBinding {
            interface,
            module: module.to_string(),
            export,
        });
    }
    Ok(Bindings { all })
}

fn text(path: &str, rendered: askama::Result<String>) -> Result<File> {
    let mut s = rendered.map_err(|e| render_error("python", path, e))?;
    // Generated Python carries no trailing whitespace and ends with one newline.
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    s = out;
    Ok((path.to_string(), s.into_bytes()))
}

/// Doc lines, safe inside a triple-quoted docstring.
fn doc_lines(docs: &Option<String>) -> Vec<String> {
    docs.as_deref()
        .map(|d| {
            d.lines()
                .map(|l| l.trim_end().replace('\\', "\\\\").replace("\"\"\"", "'''"))
                .collect()
        })
        .unwrap_or_default()
}

/// `info-code` -> `info_code`, escaping Python keywords the way componentize-py does.
pub fn py_snake(wit_name: &str) -> String {
    use heck::ToSnakeCase;
    let s = wit_name.to_snake_case();
    match s.as_str() {
        "false" | "none" | "true" | "and" | "as" | "assert" | "async" | "await" | "break"
        | "class" | "continue" | "def" | "del" | "elif" | "else" | "except" | "finally" | "for"
        | "from" | "global" | "if" | "import" | "in" | "is" | "lambda" | "nonlocal" | "not"
        | "or" | "pass" | "raise" | "return" | "try" | "while" | "with" | "yield" => {
            format!("{s}_")
        }
        _ => s,
    }
}

fn cases(model: &Model, cases: &[Case], variant: &str, raw_prefix: &str) -> Result<Vec<PyCase>> {
    cases
        .iter()
        .map(|c| {
            let at = |e: Error| c.locate(variant, e);
            let payload = c
                .payload
                .as_ref()
                .map(|t| py_type(model, t))
                .transpose()
                .map_err(at)?;
            let convert = c
                .payload
                .as_ref()
                .map(|t| py_convert(model, "raw_case.value", t, 0))
                .transpose()
                .map_err(at)?;
            let class_name = upper_camel(&c.wit_name);
            Ok(PyCase {
                wit_name: c.wit_name.clone(),
                raw_class: format!("{raw_prefix}_{class_name}"),
                class_name,
                payload,
                convert,
                docs: doc_lines(&c.docs),
            })
        })
        .collect()
}

fn records(model: &Model) -> Result<Vec<PyRecord>> {
    model
        .records
        .iter()
        .map(|r| {
            let mut fields = Vec::new();
            for f in &r.fields {
                let name = py_snake(&f.wit_name);
                fields.push(PyField {
                    wit_name: f.wit_name.clone(),
                    ty: py_type(model, &f.ty)?,
                    convert: py_convert(model, &format!("raw_value.{name}"), &f.ty, 0)?,
                    name,
                    docs: doc_lines(&f.docs),
                });
            }
            Ok(PyRecord {
                wit_name: r.wit_name.clone(),
                class_name: upper_camel(&r.wit_name),
                from_raw: format!("_{}_from_raw", py_snake(&r.wit_name)),
                fields,
                docs: doc_lines(&r.docs),
            })
        })
        .collect()
}

fn options(model: &Model) -> Result<Vec<PyOption>> {
    model
        .request_options
        .iter()
        .map(|o| {
            let is_duration = o.is_duration();
            let ty = if is_duration {
                "float".to_string()
            } else {
                py_type(model, &o.ty)?
            };
            let name = py_snake(&o.wit_name);
            Ok(PyOption {
                wit_name: o.wit_name.clone(),
                setter: format!("set_{name}"),
                name,
                ty,
                is_duration,
                docs: doc_lines(&o.docs),
            })
        })
        .collect()
}

/// `method`/`scheme` as the raw binding classes, keyed by their wire tokens.
fn tokens(
    cases: &[Case],
    variant: &str,
    raw_prefix: &str,
    token: fn(&str) -> String,
) -> Result<PyTokens> {
    let (fixed, other) = super::split_tokens(cases, variant, "Python")?;
    let raw = |c: &Case| format!("{raw_prefix}_{}", upper_camel(&c.wit_name));
    Ok(PyTokens {
        fixed: fixed.iter().map(|c| (token(&c.wit_name), raw(c))).collect(),
        other: raw(other),
    })
}

/// The SDK-side Python type of a payload type. Records are mirrored as SDK dataclasses.
fn py_type(model: &Model, ty: &TypeRef) -> Result<String> {
    Ok(match ty {
        TypeRef::Bool => "bool".into(),
        TypeRef::U8
        | TypeRef::U16
        | TypeRef::U32
        | TypeRef::U64
        | TypeRef::S8
        | TypeRef::S16
        | TypeRef::S32
        | TypeRef::S64 => "int".into(),
        TypeRef::F32 | TypeRef::F64 => "float".into(),
        TypeRef::Char | TypeRef::String => "str".into(),
        TypeRef::Option(t) => format!("{} | None", py_type(model, t)?),
        TypeRef::List(t) => format!("list[{}]", py_type(model, t)?),
        TypeRef::Alias { target, .. } => py_type(model, target)?,
        TypeRef::Record(name) if model.record(name).is_some() => upper_camel(name),
        other => {
            return Err(Error::new(format!(
                "the Python backend cannot mirror payload type {other:?}"
            ))
            .hint("payloads may use plain types, option, list and records; extend py_type in generator/src/backend/python.rs"))
        }
    })
}

/// A Python expression turning the raw value `expr` of type `ty` into the SDK's value.
fn py_convert(model: &Model, expr: &str, ty: &TypeRef, depth: usize) -> Result<String> {
    Ok(match ty {
        TypeRef::Option(t) => {
            // `expr` is an attribute access, cheap and side-effect free to repeat.
            let inner = py_convert(model, expr, t, depth)?;
            if inner == expr {
                expr.to_string()
            } else {
                format!("(None if {expr} is None else {inner})")
            }
        }
        TypeRef::List(t) => {
            let inner = py_convert(model, &format!("v{depth}"), t, depth + 1)?;
            if inner == format!("v{depth}") {
                format!("list({expr})")
            } else {
                format!("[{inner} for v{depth} in {expr}]")
            }
        }
        TypeRef::Alias { target, .. } => py_convert(model, expr, target, depth)?,
        TypeRef::Record(name) if model.record(name).is_some() => {
            format!("_{}_from_raw({expr})", py_snake(name))
        }
        other => {
            py_type(model, other)?;
            expr.to_string()
        }
    })
}

/// A Python package name is the module users import: a lower-case identifier.
pub fn validate_package_name(name: &str) -> Result<()> {
    let identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    // `py_snake` escapes exactly the keywords, with a trailing `_`.
    if !identifier || py_snake(name) == format!("{name}_") {
        return Err(
            Error::new(format!("`{name}` is not a valid Python package name"))
                .hint("use lower-case ASCII letters, digits and `_`, not starting with a digit and not a keyword, e.g. my_http_sdk"),
        );
    }
    if BINDINGS_MODULES.contains(&name) || PYTHON_STDLIB.binary_search(&name).is_ok() {
        return Err(Error::new(format!(
            "`{name}` is already a top-level module in the guest: {}",
            if BINDINGS_MODULES.contains(&name) {
                "componentize-py's bindings, which the SDK imports"
            } else {
                "Python's standard library, which it would shadow"
            }
        ))
        .hint("pick a name of your own, e.g. my_http_sdk"));
    }
    Ok(())
}

/// Top-level modules componentize-py generates or bundles beside the app.
const BINDINGS_MODULES: &[&str] = &[
    "wit_world",
    "componentize_py_types",
    "componentize_py_runtime",
    "componentize_py_async_support",
];

/// `sys.stdlib_module_names` of CPython 3.11 and 3.14 (componentize-py's), public names, sorted.
const PYTHON_STDLIB: &[&str] = &[
    "abc",
    "aifc",
    "annotationlib",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "compression",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];
