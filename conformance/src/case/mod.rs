//! The case model: one TOML file in `conformance/cases/` per case, so adding a case needs no
//! code. `load` reads and checks the files.

mod load;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::protocol::{self, Body, RequestOptions, UrlParts};

pub use load::{load_dir, parse, BrokenCase, CaseError, LoadedCase};

/// Features a runtime may or may not have. A case lists those it needs; an adapter lacking one
/// reports the case as `skip` with the reason.
pub const FEATURES: &[(&str, &str)] = &[
    (
        "policy",
        "enforces allowed_outbound_hosts (denies what the manifest does not allow)",
    ),
    (
        "manifest",
        "serves a Spin manifest: several components, routes, variables",
    ),
    (
        "variables",
        "application variables in manifests and allowed_outbound_hosts",
    ),
    ("chaining", "local service chaining to <id>.spin.internal"),
    ("private-routes", "route = { private = true }"),
    (
        "self-requests",
        "relative URLs and self.alt reach the app's own listener",
    ),
    ("runtime-config", "a Spin runtime-config file"),
    ("tls-ca", "[[client_tls]] ca_roots_file to trust a test CA"),
    (
        "test-resolver",
        "a test-only DNS override applied after the policy check",
    ),
    (
        "load-validation",
        "refuses to load an app whose allowed_outbound_hosts is malformed",
    ),
    ("legacy-hosts", "the deprecated allowed_http_hosts key"),
];

pub fn is_feature(name: &str) -> bool {
    FEATURES.iter().any(|(f, _)| *f == name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Every language must pass it (or document a deviation).
    Core,
    /// An SDK may answer `unsupported`; that is a skip, not a failure.
    #[serde(alias = "sdk-optional")]
    Optional,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Core => "core",
            Tier::Optional => "optional",
        })
    }
}

/// One case, as written (placeholders unexpanded) or instantiated for a cell (expanded).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub tier: Tier,
    #[serde(default)]
    pub needs: BTreeSet<String>,
    /// Where the case comes from (catalogue source, spec section).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Steps of one run are performed concurrently by the agent.
    #[serde(default)]
    pub concurrent: bool,
    /// Upper bound for the whole cell, in seconds.
    #[serde(default)]
    pub timeout_s: Option<u64>,
    #[serde(default)]
    pub upstreams: BTreeMap<String, UpstreamSpec>,
    #[serde(default)]
    pub app: AppSpec,
    #[serde(default)]
    pub load_checks: Vec<LoadCheck>,
    #[serde(default)]
    pub steps: Vec<StepSpec>,
    #[serde(default)]
    pub inbound: Vec<InboundSpec>,
}

/// A recording upstream test server.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamSpec {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub protocol: Protocol,
    #[serde(default)]
    pub bind: Bind,
    /// A fixed port (only with `bind = "cell"`, which gives the cell its own loopback address).
    #[serde(default)]
    pub port: Option<u16>,
    /// Replaces the mode's default reply.
    #[serde(default)]
    pub reply: Option<Reply>,
    /// Replies by exact path (query ignored), checked before the default reply.
    #[serde(default)]
    pub routes: Vec<Reply>,
    #[serde(default)]
    pub expect: UpstreamExpect,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Replies with the request body (and its content-type).
    #[default]
    #[serde(alias = "echo-body")]
    Echo,
    /// Replies with the request headers as a JSON list of `[name, value]`.
    EchoHeaders,
    /// Routes only; anything else is 404.
    Static,
    /// Replies `one`, `two`, `three` as separate chunks.
    Chunked,
    /// Waits 5 s before the response head (override with `reply.first_byte_ms`).
    Slow,
    /// A port with nothing listening: connection refused.
    Closed,
    /// A listener whose accept queue is full: connects hang.
    Blackhole,
    /// Accepts connections and never reads or writes a byte: the TCP connect succeeds, then
    /// neither a TLS handshake nor a response head ever comes.
    Silent,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    #[default]
    Http1,
    /// HTTP/2 with prior knowledge, cleartext.
    H2c,
    /// HTTP/1.1 over TLS with a certificate from the run's test CA.
    Https,
    /// HTTP/2 over TLS (ALPN offers `h2` only), with a certificate from the run's test CA.
    H2,
}

impl Protocol {
    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Https | Protocol::H2)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Bind {
    #[default]
    #[serde(rename = "127.0.0.1")]
    V4,
    #[serde(rename = "::1")]
    V6,
    /// A loopback address of the cell's own (127.x.y.z), so a fixed port cannot clash.
    #[serde(rename = "cell")]
    Cell,
}

/// How an upstream answers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// For routes: the exact path (without query) this reply is for.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<BodySpec>,
    /// Reply with something taken from the request instead of `body`.
    #[serde(default)]
    pub echo: Option<Echo>,
    /// Send the body as these chunks (transfer-encoding: chunked), flushing each.
    #[serde(default)]
    pub chunks: Option<Vec<String>>,
    #[serde(default)]
    pub trailers: Vec<(String, String)>,
    #[serde(default)]
    pub first_byte_ms: u64,
    #[serde(default)]
    pub between_bytes_ms: u64,
    /// After the head and the chunks, keep the connection open and send nothing more.
    #[serde(default)]
    pub stall: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Echo {
    Body,
    Headers,
    Method,
    Target,
}

/// What the upstream's record must show.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamExpect {
    /// Exact number of TCP connections accepted.
    #[serde(default)]
    pub connections: Option<u64>,
    /// Exact number of complete requests.
    #[serde(default)]
    pub requests: Option<usize>,
    /// Match `request` entries to recorded requests in any order (default: arrival order).
    #[serde(default)]
    pub any_order: bool,
    #[serde(default)]
    pub request: Vec<RequestExpect>,
    /// Checks every recorded request must pass.
    #[serde(default)]
    pub each: Option<RequestExpect>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestExpect {
    #[serde(default)]
    pub method: Option<String>,
    /// The HTTP version the request came over: `HTTP/1.1` or `HTTP/2`.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    /// Every value of each named header, in order (names case-insensitive).
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub headers_present: Vec<String>,
    #[serde(default)]
    pub headers_absent: Vec<String>,
    /// `[name, value]` pairs that must not appear.
    #[serde(default)]
    pub header_values_absent: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<BodySpec>,
    #[serde(default)]
    pub body_len: Option<u64>,
    /// The body's sha256, lower-case hex.
    #[serde(default)]
    pub body_sha256: Option<String>,
    /// Whether the body came with `transfer-encoding: chunked`.
    #[serde(default)]
    pub chunked: Option<bool>,
    #[serde(default)]
    pub trailers: BTreeMap<String, Vec<String>>,
}

/// The largest `{ pattern = N }` body: the harness generates and hashes it in memory.
const MAX_PATTERN: i64 = 1 << 30;

/// A body in a case file: `"text"`, `{ text = … }`, `{ base64 = … }`, `{ pattern = N }` or
/// `{ json = { … } }` (serialised to text).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub struct BodySpec(pub Body);

impl TryFrom<toml::Value> for BodySpec {
    type Error = String;
    fn try_from(v: toml::Value) -> Result<Self, String> {
        const HELP: &str = "a body is a string or a table with exactly one of text, base64, pattern (a length) or json";
        match v {
            toml::Value::String(s) => Ok(BodySpec(Body::Text(s))),
            toml::Value::Table(t) if t.len() == 1 => {
                let (k, v) = t.into_iter().next().expect("one entry");
                match (k.as_str(), v) {
                    ("text", toml::Value::String(s)) => Ok(BodySpec(Body::Text(s))),
                    ("base64", toml::Value::String(s)) => {
                        use base64::Engine as _;
                        base64::engine::general_purpose::STANDARD
                            .decode(&s)
                            .map_err(|e| format!("bad base64 body: {e}"))?;
                        Ok(BodySpec(Body::Base64(s)))
                    }
                    ("pattern", toml::Value::Integer(n)) if (0..=MAX_PATTERN).contains(&n) => {
                        Ok(BodySpec(Body::Pattern(n as u64)))
                    }
                    ("pattern", _) => Err(format!(
                        "a pattern body is a length from 0 to {MAX_PATTERN} (1 GiB)"
                    )),
                    ("json", v) => serde_json::to_string(&v)
                        .map(|s| BodySpec(Body::Text(s)))
                        .map_err(|e| e.to_string()),
                    (k, _) => Err(format!("bad body entry `{k}`: {HELP}")),
                }
            }
            _ => Err(HELP.into()),
        }
    }
}

/// `status = 200` or `status = [200, 404]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub struct StatusSet(pub Vec<u16>);

impl TryFrom<toml::Value> for StatusSet {
    type Error = String;
    fn try_from(v: toml::Value) -> Result<Self, String> {
        let one = |v: &toml::Value| match v {
            toml::Value::Integer(n) if (100..=999).contains(n) => Ok(*n as u16),
            _ => Err("a status is an integer from 100 to 999, or a list of them".to_string()),
        };
        match &v {
            toml::Value::Array(a) if !a.is_empty() => {
                a.iter().map(one).collect::<Result<_, _>>().map(StatusSet)
            }
            other => one(other).map(|s| StatusSet(vec![s])),
        }
    }
}

/// The app the case runs: components, routes, policies, variables, runtime config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Application variables: `name = "default"` or `name = { default = …, required = … }`.
    #[serde(default)]
    pub variables: BTreeMap<String, Variable>,
    /// Runtime-config TOML, written beside the manifest: its text, or its tables written in
    /// place (`[app.runtime_config.outbound_http]`).
    #[serde(default, deserialize_with = "toml_text")]
    pub runtime_config: Option<String>,
    /// Test-only DNS override: host name → IP address (placeholders allowed).
    #[serde(default)]
    pub resolve: BTreeMap<String, String>,
    /// Components; when absent, one component `agent` on `/...` with the default policy. The
    /// first is the entry that receives the steps unless a step names another.
    #[serde(default)]
    pub components: Vec<ComponentSpec>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub struct Variable {
    pub default: Option<String>,
    pub required: bool,
}

impl TryFrom<toml::Value> for Variable {
    type Error = String;
    fn try_from(v: toml::Value) -> Result<Self, String> {
        const HELP: &str =
            "a variable is a default string or { default = \"…\" } or { required = true }";
        match v {
            toml::Value::String(s) => Ok(Variable {
                default: Some(s),
                required: false,
            }),
            toml::Value::Table(t) => {
                let mut var = Variable {
                    default: None,
                    required: false,
                };
                for (k, v) in t {
                    match (k.as_str(), v) {
                        ("default", toml::Value::String(s)) => var.default = Some(s),
                        ("required", toml::Value::Boolean(b)) => var.required = b,
                        _ => return Err(format!("unknown variable field `{k}`: {HELP}")),
                    }
                }
                Ok(var)
            }
            _ => Err(HELP.into()),
        }
    }
}

/// `error = "connection-refused"` or `error = ["connection-refused", "connection-timeout"]`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(Some(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    }))
}

/// TOML given as text, or as tables that are written back out as text.
fn toml_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) => Ok(Some(s)),
        toml::Value::Table(t) => toml::to_string(&t)
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Err(serde::de::Error::custom(
            "runtime_config is TOML text or tables",
        )),
    }
}

/// A component's route: a pattern, or `{ private = true }` (reachable only by chaining).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub enum RouteSpec {
    Path(String),
    Private,
}

impl TryFrom<toml::Value> for RouteSpec {
    type Error = String;
    fn try_from(v: toml::Value) -> Result<Self, String> {
        match v {
            toml::Value::String(s) => Ok(RouteSpec::Path(s)),
            toml::Value::Table(t)
                if t.len() == 1 && t.get("private") == Some(&toml::Value::Boolean(true)) =>
            {
                Ok(RouteSpec::Private)
            }
            _ => Err("a route is a pattern (\"/...\") or { private = true }".into()),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentSpec {
    pub id: String,
    /// Route pattern (`/...`, `/hello`, `/front/...`), or `{ private = true }`; absent for
    /// private components.
    #[serde(default)]
    pub route: Option<RouteSpec>,
    /// Reachable only by chaining (the same as `route = { private = true }`).
    #[serde(default)]
    pub private: bool,
    /// Absent: the default policy (every upstream, by 127.0.0.1/[::1] and localhost).
    #[serde(default)]
    pub allowed_outbound_hosts: Option<Vec<String>>,
    #[serde(default)]
    pub allowed_http_hosts: Option<Vec<String>>,
    /// Component variables (`name = "{{ app_var }}"`).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

impl ComponentSpec {
    pub fn default_agent() -> Self {
        ComponentSpec {
            id: "agent".into(),
            route: Some(RouteSpec::Path("/...".into())),
            private: false,
            allowed_outbound_hosts: None,
            allowed_http_hosts: None,
            variables: BTreeMap::new(),
        }
    }

    /// The route pattern, unless the component is private.
    pub fn route(&self) -> Option<&str> {
        match &self.route {
            Some(RouteSpec::Path(p)) if !self.private => Some(p),
            _ => None,
        }
    }

    /// Reachable only by chaining: `private = true`, `route = { private = true }`, or no route.
    pub fn is_private(&self) -> bool {
        self.route().is_none()
    }

    /// The path the harness posts instructions to: `/...` → `/run`, `/a/...` → `/a/run`, and
    /// an exact route is used as it is.
    pub fn run_path(&self) -> Option<String> {
        let route = self.route()?;
        Some(match route.strip_suffix("/...") {
            Some(base) => format!("{base}/run"),
            None => route.to_string(),
        })
    }
}

/// An app load that must fail: the entry component's policy replaced by `allowed_outbound_hosts`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadCheck {
    pub allowed_outbound_hosts: Vec<String>,
    /// Application variables replacing the app's.
    #[serde(default)]
    pub variables: Option<BTreeMap<String, Variable>>,
    /// Substrings the load error must contain (case-insensitive).
    #[serde(default)]
    pub error_contains: Vec<String>,
}

/// One outbound request the agent makes, and what the guest must see.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// The component that performs the step (default: the first).
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default = "default_api")]
    pub api: String,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub url_parts: Option<UrlPartsSpec>,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<BodySpec>,
    #[serde(default)]
    pub chunks: Option<Vec<u64>>,
    /// Request trailers (needs a streaming API).
    #[serde(default)]
    pub trailers: Vec<(String, String)>,
    #[serde(default)]
    pub options: Option<RequestOptions>,
    #[serde(default)]
    pub lookup: Vec<String>,
    #[serde(default)]
    pub forward_inbound_headers: bool,
    /// Headers the harness puts on the inbound `/run` request (for `forward_inbound_headers`).
    #[serde(default)]
    pub inbound_headers: Vec<(String, String)>,
    /// Perform this step this many times (one verdict each).
    #[serde(default)]
    pub repeat: Option<u32>,
    pub expect: Expect,
}

fn default_api() -> String {
    "send".into()
}
fn default_method() -> String {
    "GET".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlPartsSpec {
    #[serde(default)]
    pub scheme: Option<String>,
    #[serde(default)]
    pub authority: Option<String>,
    #[serde(default)]
    pub path_with_query: Option<String>,
}

impl From<&UrlPartsSpec> for UrlParts {
    fn from(p: &UrlPartsSpec) -> Self {
        UrlParts {
            scheme: p.scheme.clone(),
            authority: p.authority.clone(),
            path_with_query: p.path_with_query.clone(),
        }
    }
}

/// A request the harness sends to the app itself (not through the agent's `/run`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundSpec {
    #[serde(default = "default_method")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<BodySpec>,
    /// Trailers sent after the body (the body then goes chunked). Over HTTP/1.1 a server reads
    /// only trailers the request declares, so name them in a `trailer` header too.
    #[serde(default)]
    pub trailers: Vec<(String, String)>,
    pub expect: Expect,
}

/// What the guest (or the harness, for inbound requests) must see. A verdict that is an error
/// must be in `error`; a response must be allowed by `status`. Setting both accepts either.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<StatusSet>,
    /// Acceptable error codes (WIT spellings), one or a list; `unsupported` accepts an
    /// unsupported verdict.
    #[serde(default, deserialize_with = "one_or_many")]
    pub error: Option<Vec<String>>,
    #[serde(default)]
    pub body: Option<BodySpec>,
    #[serde(default)]
    pub body_len: Option<u64>,
    /// The body's sha256, lower-case hex.
    #[serde(default)]
    pub body_sha256: Option<String>,
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Response headers: every value of each name, in order (names case-insensitive).
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub headers_absent: Vec<String>,
    /// Results of the SDK's header lookups (empty list: not found).
    #[serde(default)]
    pub lookups: BTreeMap<String, Vec<String>>,
    /// Response trailers: every value of each name (names case-insensitive).
    #[serde(default)]
    pub trailers: BTreeMap<String, Vec<String>>,
    /// JSON-pointer checks on the body; a string holding JSON is descended into.
    #[serde(default)]
    pub json: BTreeMap<String, toml::Value>,
    /// The step took at most this long (the agent's `elapsed_ms`, else the whole run).
    #[serde(default)]
    pub within_ms: Option<u64>,
}

impl StepSpec {
    /// The protocol step this spec becomes (after placeholder expansion).
    pub fn to_protocol(&self) -> protocol::Step {
        protocol::Step {
            api: self.api.clone(),
            method: self.method.clone(),
            url: self.url.clone(),
            url_parts: self.url_parts.as_ref().map(UrlParts::from),
            headers: self.headers.clone(),
            body: self.body.as_ref().map(|b| b.0.clone()),
            chunks: self.chunks.clone(),
            trailers: self.trailers.clone(),
            options: self.options.clone(),
            lookup: self.lookup.clone(),
            forward_inbound_headers: self.forward_inbound_headers,
            max_inline_body: protocol::default_max_inline(),
        }
    }
}

impl Case {
    /// The app's components, with the default single agent filled in.
    pub fn components(&self) -> Vec<ComponentSpec> {
        if self.app.components.is_empty() {
            vec![ComponentSpec::default_agent()]
        } else {
            self.app.components.clone()
        }
    }

    /// The features this case uses, whether it declares them or not.
    pub fn derived_needs(&self) -> BTreeSet<&'static str> {
        let mut n = BTreeSet::new();
        let comps = self.components();
        if comps.len() > 1 || comps.iter().any(|c| c.route() != Some("/...")) {
            n.insert("manifest");
        }
        if comps.iter().any(ComponentSpec::is_private) {
            n.insert("private-routes");
        }
        if !self.app.variables.is_empty() || comps.iter().any(|c| !c.variables.is_empty()) {
            n.insert("variables");
        }
        if comps.iter().any(|c| c.allowed_http_hosts.is_some()) {
            n.insert("legacy-hosts");
        }
        if self.app.runtime_config.is_some() {
            n.insert("runtime-config");
        }
        if !self.app.resolve.is_empty() {
            n.insert("test-resolver");
        }
        if !self.load_checks.is_empty() {
            n.insert("load-validation");
        }
        if self.upstreams.values().any(|u| u.protocol.is_tls()) {
            n.insert("tls-ca");
        }
        let expects = self
            .steps
            .iter()
            .map(|s| &s.expect)
            .chain(self.inbound.iter().map(|i| &i.expect));
        for e in expects {
            // A denial needs a policy only when it is the one acceptable outcome.
            let codes: Vec<&str> = e
                .error
                .iter()
                .flatten()
                .map(String::as_str)
                .filter(|c| *c != "unsupported")
                .collect();
            if e.status.is_none() && codes == ["HTTP-request-denied"] {
                n.insert("policy");
            }
        }
        for s in &self.steps {
            let url = s.url.as_deref().unwrap_or("");
            if url.contains(".spin.internal") {
                n.insert("chaining");
            }
            if url.starts_with('/') || url.contains("://self.alt") {
                n.insert("self-requests");
            }
        }
        n
    }
}
