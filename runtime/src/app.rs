//! Loading an app: manifest + runtime config → validated components, routes and policies.
//!
//! Everything that can be wrong with an app is found here, before a socket is opened, and
//! reported with the manifest key it comes from.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Context, Result};
use courier_policy::AllowedHosts;
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::config::RuntimeConfig;
use crate::engine::EngineInner;
use crate::instances::Parked;
use crate::manifest::{self, ComponentRef, Manifest, RouteDecl};
use crate::outbound::network::{NetworkClient, TestResolver};
use crate::outbound::Policy;
use crate::routes::{Route, Router};
use crate::state::State;

/// Per-load settings beyond the manifest.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    /// Spin runtime configuration file (`--runtime-config-file`).
    pub runtime_config: Option<PathBuf>,
    /// Application variable values; they win over `SPIN_VARIABLE_<NAME>` and defaults.
    pub variables: HashMap<String, String>,
    /// TEST ONLY: name resolution applied after the policy check. Keys are `host` or
    /// `host:port`, values `ip` or `ip:port` (e.g. `svc.example.test` → `127.0.0.1`).
    pub test_only_resolve: HashMap<String, String>,
    /// Spin's `SPIN_OUTBOUND_H2C_PRIOR_KNOWLEDGE`, for development: cleartext requests whose
    /// authority is exactly this text (`host:port` as the URL writes it) use HTTP/2 with
    /// prior knowledge instead of HTTP/1.1.
    pub h2c_prior_knowledge: Option<String>,
}

pub(crate) struct LoadedComponent {
    pub pre: ProxyPre<State>,
    pub env: Vec<(String, String)>,
    pub policy: Policy,
    /// Instances waiting for another request (only with instance reuse on).
    pub parked: Arc<Parked>,
}

pub(crate) struct AppShared {
    pub engine: Arc<EngineInner>,
    pub components: HashMap<String, LoadedComponent>,
    pub router: Router,
    pub network: NetworkClient,
    /// The bound listen address: the origin of self requests, never the inbound Host header.
    pub listen_addr: OnceLock<SocketAddr>,
    /// The body of `/.well-known/spin/info`.
    pub info: bytes::Bytes,
    /// Set when the server drains: connections finish the request in hand, then close.
    pub draining: tokio::sync::watch::Sender<bool>,
}

impl AppShared {
    /// Drop the parked instances idle for `idle_timeout` or longer (instance reuse only).
    pub fn drop_idle_instances(&self, idle_timeout: std::time::Duration) {
        for component in self.components.values() {
            component.parked.sweep(idle_timeout);
        }
    }
}

/// A loaded app, ready to serve.
pub struct App {
    pub(crate) shared: Arc<AppShared>,
    pub(crate) name: String,
}

impl App {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public routes as (component, route as written), in the order they are tried.
    /// Components with none are private: reachable only by service chaining.
    pub fn routes(&self) -> Vec<(&str, &str)> {
        self.shared.router.list().collect()
    }

    /// Component ids the app serves (those named by a trigger), sorted.
    pub fn component_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.shared.components.keys().map(String::as_str).collect();
        ids.sort();
        ids
    }
}

struct ComponentDecl {
    source: PathBuf,
    component: manifest::Component,
}

pub(crate) fn load(
    engine: Arc<EngineInner>,
    manifest_path: &Path,
    options: &LoadOptions,
) -> Result<App> {
    let manifest = Manifest::from_file(manifest_path)?;
    let base = manifest_path.parent().unwrap_or(Path::new("."));
    let config = match &options.runtime_config {
        Some(path) => RuntimeConfig::from_file(path)?,
        None => RuntimeConfig::default(),
    };
    let resolver = TestResolver::new(options.test_only_resolve.clone())?;
    // Built here, not with the components, so that a bad PEM file in `[[client_tls]]` is
    // blamed on the runtime config, not on the manifest.
    let network = NetworkClient::new(&config, resolver, options.h2c_prior_knowledge.clone())
        .with_context(|| match &options.runtime_config {
            Some(path) => format!("invalid runtime config {}", path.display()),
            None => "cannot set up the outbound client".to_string(),
        })?;
    load_manifest(engine, manifest, base, network, options).with_context(|| {
        format!(
            "Failed to load Spin app from {:?}",
            manifest_path.display().to_string()
        )
    })
}

fn load_manifest(
    engine: Arc<EngineInner>,
    mut manifest: Manifest,
    base: &Path,
    network: NetworkClient,
    options: &LoadOptions,
) -> Result<App> {
    if let Some((kind, _)) = manifest.trigger.other.iter().next() {
        bail!(
            "trigger type `{kind}` is not served by Courier\n  hint: Courier serves `[[trigger.http]]` apps (wasi:http)"
        );
    }
    let values = variable_values(&manifest.variables, &options.variables)?;
    let defaults: HashMap<String, Option<String>> = manifest
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), v.default.clone()))
        .collect();

    if let Some(base) = manifest
        .application
        .trigger
        .as_ref()
        .and_then(|t| t.get("http")?.get("base")?.as_str())
        .filter(|base| !base.trim_end_matches('/').is_empty())
    {
        tracing::warn!("application.trigger.http.base = {base:?} is ignored, as in Spin 3, which removed it: routes are served as written\n  hint: put the prefix in each route instead");
    }
    if manifest.trigger.http.is_empty() {
        tracing::warn!("the app has no [[trigger.http]], so every request gets 404");
    }
    let mut trigger_ids: HashMap<String, usize> = HashMap::new();
    // Triggers first: inline components become components with generated ids.
    let mut routes = Vec::new();
    let mut triggered: Vec<String> = Vec::new();
    let mut inline = BTreeMap::new();
    for (i, trigger) in std::mem::take(&mut manifest.trigger.http)
        .into_iter()
        .enumerate()
    {
        let at = format!("trigger.http[{i}]");
        if let Some(id) = &trigger.id {
            if let Some(first) = trigger_ids.insert(id.clone(), i) {
                bail!("{at}.id: `{id}` is also the id of trigger.http[{first}]\n  hint: trigger ids must be unique");
            }
        }
        if let Some(executor) = &trigger.executor {
            let kind = executor.get("type").and_then(|t| t.as_str()).unwrap_or("");
            if kind != "spin" {
                bail!("{at}.executor: `{kind}` is not supported\n  hint: Courier runs wasi:http components (executor type \"spin\"); remove the executor line");
            }
        }
        let id = match trigger.component {
            ComponentRef::Id(id) => id,
            ComponentRef::Inline(component) => {
                let id = trigger
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("inline-component-{i}"));
                inline.insert(id.clone(), *component);
                id
            }
        };
        if !manifest.component.contains_key(&id) && !inline.contains_key(&id) {
            let known: Vec<&str> = manifest.component.keys().map(String::as_str).collect();
            bail!(
                "{at}: no component named `{id}`\n  hint: components in this manifest: {}",
                if known.is_empty() {
                    "(none)".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
        match trigger.route {
            RouteDecl::Path(route) => routes.push(Route::parse(&route, &id).with_context(|| format!("{at}.route"))?),
            RouteDecl::Private { private: true } => {}
            RouteDecl::Private { private: false } => bail!(
                "{at}.route: route must be a string pattern or '{{ private = true }}': '{id}' has {{ private = false }}"
            ),
        }
        triggered.push(id);
    }
    let router = Router::new(routes);
    manifest.component.extend(inline);

    let mut decls = BTreeMap::new();
    for (id, component) in std::mem::take(&mut manifest.component) {
        let decl = component_decl(&id, component, base, &defaults)
            .with_context(|| format!("Failed to load component `{id}`"))?;
        decls.insert(id, decl);
    }
    let ids: Vec<String> = decls.keys().cloned().collect();

    for (i, tls) in network.client_tls().iter().enumerate() {
        for id in tls
            .component_ids
            .iter()
            .filter(|id| !decls.contains_key(*id))
        {
            tracing::warn!(
                "runtime config: [[client_tls]] #{} names component `{id}`, which this app does not have; it applies to nothing",
                i + 1
            );
        }
    }
    let mut components = HashMap::new();
    for (id, decl) in decls {
        // Checked like the rest, but neither compiled nor served: only a trigger, public or
        // private, makes a component a request or chaining target (spec 3.3).
        if !triggered.contains(&id) {
            tracing::warn!("component `{id}` has no [[trigger.http]], so nothing can reach it, not even service chaining\n  hint: to reach it only by chaining, give it a trigger with route = {{ private = true }}");
            continue;
        }
        let pre = engine.prepare(&id, &decl.source)?;
        let policy = match AllowedHosts::resolve(
            &decl.component.allowed_outbound_hosts,
            &|name: &str| values.get(name).cloned(),
            &ids,
        ) {
            Ok(hosts) => Policy::ready(hosts),
            Err(e) => {
                let error_type = match e.kind() {
                    courier_policy::ErrorKind::VariableResolution => "variable_resolution_failed",
                    _ => "invalid_allowed_hosts",
                };
                let reason = format!("{:#}", anyhow::Error::from(e));
                tracing::error!(component = %id, error.type = error_type, "allowed_outbound_hosts cannot be used; every outbound request of this component will be denied: {reason}");
                Policy::Unusable { reason, error_type }
            }
        };
        let env = decl.component.environment.into_iter().collect();
        components.insert(
            id,
            LoadedComponent {
                pre,
                env,
                policy,
                parked: Arc::new(Parked::new(
                    engine.options.serving_threads(),
                    engine.parking.clone(),
                )),
            },
        );
    }

    let info = serde_json::json!({
        "name": manifest.application.name,
        "version": manifest.application.version.unwrap_or_default(),
    });
    Ok(App {
        name: manifest.application.name,
        shared: Arc::new(AppShared {
            engine,
            components,
            router,
            network,
            listen_addr: OnceLock::new(),
            info: serde_json::to_vec_pretty(&info)?.into(),
            draining: tokio::sync::watch::Sender::new(false),
        }),
    })
}

fn component_decl(
    id: &str,
    mut component: manifest::Component,
    base: &Path,
    defaults: &HashMap<String, Option<String>>,
) -> Result<ComponentDecl> {
    if let Some(problem) = manifest::id_problem(id, '-') {
        bail!("component id `{id}` is invalid: {problem}\n  hint: ids are lower-case words joined by '-', e.g. \"my-component\"");
    }
    let source = match &component.source {
        manifest::Source::Path(p) => base.join(p),
        manifest::Source::Remote => bail!(
            "source: remote sources are not supported\n  hint: download the .wasm file and give its path, e.g. source = \"app.wasm\""
        ),
    };
    let unsupported = component.unsupported_features();
    if !unsupported.is_empty() {
        tracing::warn!(
            "component `{id}` uses {}: Courier serves wasi:http only and ignores them",
            unsupported.join(", ")
        );
    }
    if let Some(legacy) = component.allowed_http_hosts.take() {
        let converted = courier_policy::convert_allowed_http_hosts(&legacy)
            .map_err(anyhow::Error::from)
            .context("`allowed_http_hosts` is malformed")?;
        tracing::warn!("{}", courier_policy::deprecation_warning(&converted));
        component.allowed_outbound_hosts.extend(converted);
    }
    let hosts = &component.allowed_outbound_hosts;
    if let Err(e) = courier_policy::validate(hosts, defaults) {
        // Spin's chain, word for word, then the entry at fault.
        let mut message = format!("{:#}", anyhow::Error::from(e));
        let lone = |entry: &String| courier_policy::validate(std::slice::from_ref(entry), defaults);
        if let Some(i) = hosts.iter().position(|entry| lone(entry).is_err()) {
            message.push_str(&format!(
                "\n  at: allowed_outbound_hosts[{i}] = {:?}",
                hosts[i]
            ));
        }
        return Err(anyhow::anyhow!(message).context("`allowed_outbound_hosts` is malformed"));
    }
    // Spin skips an entry whose variable has no default at load, then fails to resolve it
    // at run time and denies every request of the component; say so now.
    for entry in hosts {
        let names = courier_policy::template_variables(entry).unwrap_or_default();
        if let Some(name) = names.iter().find(|name| !defaults.contains_key(*name)) {
            let hint = match manifest::id_problem(name, '_') {
                None => format!("add `{name} = {{ default = \"…\" }}` to [variables]"),
                Some(_) => {
                    "variable names are lower-case words joined by '_', e.g. `{{ api_host }}`"
                        .into()
                }
            };
            tracing::warn!(
                "component `{id}`: allowed_outbound_hosts entry {entry:?} uses the variable `{name}`, which [variables] does not declare, so every outbound request of this component will be denied\n  hint: {hint}"
            );
        }
    }
    if source.is_dir() {
        bail!(
            "source: {} is a folder, not a .wasm file\n  hint: name the component's .wasm file (for a Rust crate, target/wasm32-wasip2/release/<name>.wasm)",
            source.display()
        );
    }
    if let Err(e) = std::fs::metadata(&source) {
        if e.kind() == std::io::ErrorKind::NotFound {
            bail!(
                "source: {} does not exist\n  hint: build the component first (paths are relative to the manifest's folder)",
                source.display()
            );
        }
        // A symlink loop, a folder without permission: say what the OS said.
        bail!("source: {} cannot be read: {e}", source.display());
    }
    for (key, template) in &component.variables {
        // Not the policy's error: its message is about allowed hosts.
        let names = courier_policy::template_variables(template).map_err(|_| {
            anyhow::anyhow!("variables.{key}: {template:?} opens a '{{{{' it does not close")
        })?;
        for name in names {
            if name.is_empty() {
                bail!("variables.{key}: {template:?} has an empty '{{{{ }}}}'\n  hint: name an application variable, e.g. {{{{ api_host }}}}");
            }
            if !defaults.contains_key(&name) {
                bail!("variables.{key} uses the variable `{name}`, which [variables] does not declare");
            }
        }
    }
    Ok(ComponentDecl { source, component })
}

/// Application variable values: explicit values, then `SPIN_VARIABLE_<NAME>`, then defaults.
fn variable_values(
    decls: &BTreeMap<String, manifest::VariableSpec>,
    explicit: &HashMap<String, String>,
) -> Result<HashMap<String, String>> {
    let mut values = HashMap::new();
    let known: HashSet<&String> = decls.keys().collect();
    for name in explicit.keys() {
        if let Some(problem) = manifest::id_problem(name, '_') {
            bail!("--var {name}: invalid variable name: {problem}\n  hint: names are lower-case words joined by '_', e.g. --var api_host=…");
        }
        if !known.contains(name) {
            bail!("variable `{name}` is given a value but [variables] does not declare it");
        }
    }
    for (name, decl) in decls {
        if let Some(problem) = manifest::id_problem(name, '_') {
            bail!("variables.{name}: invalid name: {problem}\n  hint: names are lower-case words joined by '_', e.g. \"api_host\"");
        }
        if decl.required && decl.default.is_some() {
            bail!("variables.{name}: a variable cannot be both `required` and have a `default`");
        }
        let env = std::env::var(format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())).ok();
        match explicit.get(name).cloned().or(env).or_else(|| decl.default.clone()) {
            Some(value) => {
                values.insert(name.clone(), value);
            }
            None if decl.required => bail!(
                "variables.{name} is required but has no value\n  hint: pass --var {name}=… or set SPIN_VARIABLE_{} in the environment",
                name.to_ascii_uppercase()
            ),
            None => {}
        }
    }
    Ok(values)
}
