//! Spin manifest v2 (`spin.toml`): the subset a wasi:http app needs, parsed strictly.
//!
//! Parsing only checks shape; `app.rs` turns a manifest into a validated app (routes,
//! permissions, variables) so that every error can name the key it comes from.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Required here; its value is checked by `Version` before this parse.
    #[serde(rename = "spin_manifest_version")]
    _version: serde::de::IgnoredAny,
    pub application: Application,
    #[serde(default)]
    pub variables: BTreeMap<String, VariableSpec>,
    #[serde(default)]
    pub trigger: Triggers,
    #[serde(default)]
    pub component: BTreeMap<String, Component>,
}

// Some keys are accepted so real manifests load, though serving does not read them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    /// Application-level trigger settings (`[application.trigger.http] base = "/"`).
    #[serde(default)]
    pub trigger: Option<toml::Value>,
}

/// A `[variables]` entry, read by hand for a clear error when it is not a table (a plain
/// `name = "value"` is a common slip).
#[derive(Debug, Deserialize)]
#[serde(try_from = "toml::Value")]
pub struct VariableSpec(pub VariableDecl);

impl TryFrom<toml::Value> for VariableSpec {
    type Error = String;
    fn try_from(value: toml::Value) -> Result<Self, String> {
        match value {
            table @ toml::Value::Table(_) => VariableDecl::deserialize(table)
                .map(VariableSpec)
                .map_err(|e| e.message().to_string()),
            toml::Value::String(s) => Err(format!(
                "a variable is a table: write {{ default = {s:?} }} (or {{ required = true }})"
            )),
            _ => Err("a variable is a table: { default = \"…\" } or { required = true }".into()),
        }
    }
}

impl std::ops::Deref for VariableSpec {
    type Target = VariableDecl;
    fn deref(&self) -> &VariableDecl {
        &self.0
    }
}

/// `[variables] name = { default = "…" }` or `{ required = true }`.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Triggers {
    #[serde(default)]
    pub http: Vec<HttpTrigger>,
    /// Other trigger types are named so the error can say they are not served here.
    #[serde(flatten)]
    pub other: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpTrigger {
    #[serde(default)]
    pub id: Option<String>,
    pub route: RouteDecl,
    pub component: ComponentRef,
    #[serde(default)]
    pub executor: Option<toml::Value>,
}

// The two-shaped fields below are read from a `toml::Value` by hand: serde's untagged
// enums answer every mistake with "data did not match any variant", hiding the real one.

#[derive(Debug, Deserialize)]
#[serde(try_from = "toml::Value")]
pub enum RouteDecl {
    Path(String),
    Private { private: bool },
}

impl TryFrom<toml::Value> for RouteDecl {
    type Error = String;
    fn try_from(value: toml::Value) -> Result<Self, String> {
        match value {
            toml::Value::String(path) => Ok(RouteDecl::Path(path)),
            toml::Value::Table(t) if t.len() == 1 => match t.get("private") {
                Some(toml::Value::Boolean(private)) => Ok(RouteDecl::Private { private: *private }),
                _ => Err(ROUTE_SHAPE.into()),
            },
            _ => Err(ROUTE_SHAPE.into()),
        }
    }
}

const ROUTE_SHAPE: &str = "a route is a path such as \"/...\" or \"/hello\", or { private = true }";

#[derive(Debug, Deserialize)]
#[serde(try_from = "toml::Value")]
pub enum ComponentRef {
    Id(String),
    Inline(Box<Component>),
}

impl TryFrom<toml::Value> for ComponentRef {
    type Error = String;
    fn try_from(value: toml::Value) -> Result<Self, String> {
        match value {
            toml::Value::String(id) => Ok(ComponentRef::Id(id)),
            table @ toml::Value::Table(_) => Component::deserialize(table)
                .map(|c| ComponentRef::Inline(Box::new(c)))
                .map_err(|e| format!("inline component: {}", e.message())),
            _ => Err("a trigger's component is the id of a [component.<id>] table, or an inline component table { source = \"…\", … }".into()),
        }
    }
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub source: Source,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    /// Deprecated; converted into `allowed_outbound_hosts`.
    #[serde(default)]
    pub allowed_http_hosts: Option<Vec<String>>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Build instructions are for `spin build`; serving ignores them.
    #[serde(default)]
    pub build: Option<toml::Value>,
    #[serde(default)]
    pub tool: Option<toml::Value>,
    /// Spin host features beyond wasi:http; Courier cannot provide them.
    #[serde(default)]
    pub files: Option<toml::Value>,
    #[serde(default)]
    pub exclude_files: Option<toml::Value>,
    #[serde(default)]
    pub key_value_stores: Option<toml::Value>,
    #[serde(default)]
    pub sqlite_databases: Option<toml::Value>,
    #[serde(default)]
    pub ai_models: Option<toml::Value>,
    #[serde(default)]
    pub dependencies: Option<toml::Value>,
    #[serde(default)]
    pub dependencies_inherit_configuration: Option<bool>,
}

impl Component {
    /// Manifest keys this component uses that name host features Courier does not offer.
    pub fn unsupported_features(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.files.is_some() {
            out.push("files");
        }
        if self.key_value_stores.is_some() {
            out.push("key_value_stores");
        }
        if self.sqlite_databases.is_some() {
            out.push("sqlite_databases");
        }
        if self.ai_models.is_some() {
            out.push("ai_models");
        }
        if self.dependencies.is_some() {
            out.push("dependencies");
        }
        out
    }
}

#[derive(Debug, Deserialize)]
#[serde(try_from = "toml::Value")]
pub enum Source {
    Path(String),
    /// `{ url, digest }`: Spin downloads it; Courier says so (see `app::source_path`).
    Remote,
}

impl TryFrom<toml::Value> for Source {
    type Error = String;
    fn try_from(value: toml::Value) -> Result<Self, String> {
        match value {
            toml::Value::String(path) => Ok(Source::Path(path)),
            toml::Value::Table(t) if t.contains_key("url") => Ok(Source::Remote),
            _ => Err("a source is the path of a .wasm file (\"app.wasm\"), or { url = \"…\", digest = \"sha256:…\" }".into()),
        }
    }
}

impl Manifest {
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid manifest {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self> {
        // The version first: a v1 manifest has another shape, and its first shape error
        // (no [application]) would hide the real problem.
        if let Ok(version) = toml::from_str::<Version>(text) {
            version.check()?;
        }
        let manifest: Manifest = toml::from_str(text).map_err(|e| {
            // toml's message already carries the line, column and the offending key.
            let message = e.to_string().trim_end().to_string();
            match single_trigger_table(text) {
                Some(kind) => anyhow::anyhow!(
                    "{message}\n  hint: triggers are arrays of tables: write [[trigger.{kind}]], not [trigger.{kind}]"
                ),
                None => anyhow::anyhow!("{message}"),
            }
        })?;
        Ok(manifest)
    }
}

/// The trigger type written as one table (`[trigger.http]`) where Spin wants an array of them.
fn single_trigger_table(text: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(text).ok()?;
    let triggers = value.get("trigger")?.as_table()?;
    let (kind, _) = triggers.iter().find(|(_, t)| t.is_table())?;
    Some(kind.clone())
}

/// Only the keys that say which manifest format a file is.
#[derive(Debug, Deserialize)]
struct Version {
    spin_manifest_version: Option<toml::Value>,
    /// The key of the oldest v1 manifests.
    spin_version: Option<toml::Value>,
}

impl Version {
    fn check(&self) -> Result<()> {
        let is_one = |v: &toml::Value| v.as_str() == Some("1") || v.as_integer() == Some(1);
        match (&self.spin_manifest_version, &self.spin_version) {
            (Some(v), _) if v.as_integer() == Some(2) => Ok(()),
            (Some(v), _) | (None, Some(v)) if is_one(v) => bail!(
                "spin_manifest_version: version 1 manifests are not supported\n  \
                 hint: convert it with `spin doctor` or write `spin_manifest_version = 2`"
            ),
            (Some(v), _) => bail!(
                "spin_manifest_version: expected 2, found {v}\n  hint: Courier serves Spin manifest v2 apps"
            ),
            // Missing: the full parse names the missing key.
            (None, _) => Ok(()),
        }
    }
}

/// Spin's identifier rule (`spin_serde::Id`), lower-case only: words of ASCII letters and
/// digits joined by `delim` (`-` for component ids, `_` for variable names), the first word
/// starting with a letter. `None` when `id` is valid, else what is wrong, in Spin's words.
pub(crate) fn id_problem(id: &str, delim: char) -> Option<String> {
    if id.is_empty() {
        return Some("empty".into());
    }
    let wrong = if delim == '-' { '_' } else { '-' };
    if id.contains(wrong) {
        return Some(format!(
            "words must be separated with {delim:?}, not {wrong:?}"
        ));
    }
    for (i, word) in id.split(delim).enumerate() {
        let Some(first) = word.chars().next() else {
            return Some(format!("{delim:?}-separated words must not be empty"));
        };
        if !(first.is_ascii_lowercase() || (i > 0 && first.is_ascii_digit())) {
            return Some(format!(
                "{delim:?}-separated words must start with a lower-case ASCII letter (or a digit, after the first); got {first:?}"
            ));
        }
        if let Some(c) = word
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        {
            return Some(format!(
                "{delim:?}-separated words may only contain lower-case ASCII letters and digits; got {c:?}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_spins_rule() {
        for id in ["a", "my-component", "api-v2", "x-1b"] {
            assert_eq!(id_problem(id, '-'), None, "{id}");
        }
        for (id, want) in [
            ("", "empty"),
            ("my_component", "separated with '-', not '_'"),
            ("-a", "must not be empty"),
            ("a--b", "must not be empty"),
            ("a-", "must not be empty"),
            ("1a", "must start with"),
            ("My-comp", "must start with"),
            ("a-bC", "may only contain"),
            ("a.b", "may only contain"),
        ] {
            let got = id_problem(id, '-').unwrap_or_default();
            assert!(got.contains(want), "{id:?}: {got}");
        }
        assert_eq!(id_problem("api_host_2", '_'), None);
        for id in ["api-host", "api__host", "api_", "_api"] {
            assert!(id_problem(id, '_').is_some(), "{id}");
        }
    }

    const MINIMAL: &str = r#"
spin_manifest_version = 2
[application]
name = "demo"
[variables]
host = { default = "localhost" }
token = { required = true, secret = true }
[[trigger.http]]
route = "/..."
component = "front"
[[trigger.http]]
route = { private = true }
component = "back"
[component.front]
source = "front.wasm"
allowed_outbound_hosts = ["http://back.spin.internal"]
[component.back]
source = "back.wasm"
environment = { A = "b" }
"#;

    #[test]
    fn parses_a_minimal_app() {
        let m = Manifest::parse(MINIMAL).unwrap();
        assert_eq!(m.application.name, "demo");
        assert_eq!(m.trigger.http.len(), 2);
        assert!(matches!(
            m.trigger.http[1].route,
            RouteDecl::Private { private: true }
        ));
        assert_eq!(m.variables["host"].default.as_deref(), Some("localhost"));
        assert!(m.variables["token"].required);
        assert_eq!(m.component["back"].environment["A"], "b");
    }

    #[test]
    fn unknown_component_key_is_rejected_with_its_location() {
        let text = MINIMAL.replace("environment = {", "enviroment = {");
        let err = format!("{:#}", Manifest::parse(&text).unwrap_err());
        assert!(err.contains("enviroment"), "{err}");
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn version_one_is_refused_with_a_hint() {
        let text = MINIMAL.replace("spin_manifest_version = 2", "spin_manifest_version = \"1\"");
        let err = format!("{:#}", Manifest::parse(&text).unwrap_err());
        assert!(err.contains("version 1"), "{err}");
        // Real v1 manifests: their shape differs, and the version is still what is reported.
        for v1 in [
            "spin_manifest_version = \"1\"\nname = \"hello\"\ntrigger = { type = \"http\", base = \"/\" }\n\
             [[component]]\nid = \"hello\"\nsource = \"hello.wasm\"\n[component.trigger]\nroute = \"/...\"\n",
            "spin_version = \"1\"\nname = \"hello\"\n[[component]]\nid = \"hello\"\n",
        ] {
            let err = format!("{:#}", Manifest::parse(v1).unwrap_err());
            assert!(err.contains("version 1") && err.contains("spin doctor"), "{err}");
        }
        let err = format!(
            "{:#}",
            Manifest::parse(&MINIMAL.replace("= 2", "= 3")).unwrap_err()
        );
        assert!(err.contains("expected 2, found 3"), "{err}");
    }

    #[test]
    fn two_shaped_fields_say_what_is_wrong_with_them() {
        let cases = [
            // An inline component keeps its own errors: the unknown key, the missing source.
            (
                MINIMAL.replace(
                    "component = \"back\"",
                    "component = { source = \"b.wasm\", allowed_outbund_hosts = [] }",
                ),
                "unknown field `allowed_outbund_hosts`",
            ),
            (
                MINIMAL.replace("component = \"back\"", "component = {}"),
                "missing field `source`",
            ),
            (
                MINIMAL.replace("component = \"back\"", "component = 5"),
                "the id of a [component.<id>] table",
            ),
            (
                MINIMAL.replace("route = \"/...\"", "route = 7"),
                "a route is a path",
            ),
            (
                MINIMAL.replace(
                    "route = { private = true }",
                    "route = { private = \"yes\" }",
                ),
                "a route is a path",
            ),
            (
                MINIMAL.replace("source = \"back.wasm\"", "source = 5"),
                "a source is the path",
            ),
            (
                MINIMAL.replace("host = { default = \"localhost\" }", "host = \"localhost\""),
                "write { default = \"localhost\" }",
            ),
            (
                MINIMAL
                    .replace(
                        "[[trigger.http]]\nroute = { private = true }\ncomponent = \"back\"\n",
                        "",
                    )
                    .replace("[[trigger.http]]", "[trigger.http]"),
                "write [[trigger.http]], not [trigger.http]",
            ),
        ];
        for (text, expected) in cases {
            let err = format!("{:#}", Manifest::parse(&text).unwrap_err());
            assert!(err.contains(expected), "{expected}: {err}");
            assert!(!err.contains("untagged"), "{err}");
        }
        let remote = MINIMAL.replace(
            "source = \"back.wasm\"",
            "source = { url = \"https://example.com/b.wasm\", digest = \"sha256:00\" }",
        );
        assert!(matches!(
            Manifest::parse(&remote).unwrap().component["back"].source,
            Source::Remote
        ));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in ["", "[[[", "spin_manifest_version = 2", "a = \u{0}"] {
            assert!(Manifest::parse(text).is_err());
        }
    }
}
