//! Writing a case's app: the Spin manifest (v2), the runtime config and the test resolver map,
//! from an instantiated case (placeholders already expanded).

use std::collections::BTreeMap;
use std::path::Path;

use toml::map::Map;
use toml::Value;

use crate::adapter::AppFiles;
use crate::case::{Bind, Case, ComponentSpec, LoadCheck, Variable};
use crate::placeholder::Context;

/// The policy a component gets when the case gives none: every upstream, by address and (for
/// 127.0.0.1 servers) by `localhost`.
pub fn default_policy(case: &Case, ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    for (name, spec) in &case.upstreams {
        let Some(up) = ctx.upstreams.get(name) else {
            continue;
        };
        let port = up.addr.port();
        out.push(format!(
            "{}://{}",
            up.scheme,
            match up.addr {
                std::net::SocketAddr::V6(a) => format!("[{}]:{port}", a.ip()),
                std::net::SocketAddr::V4(a) => format!("{}:{port}", a.ip()),
            }
        ));
        if spec.bind == Bind::V4 {
            out.push(format!("{}://localhost:{port}", up.scheme));
        }
    }
    out
}

fn variables_table(vars: &BTreeMap<String, Variable>) -> Map<String, Value> {
    let mut t = Map::new();
    for (k, v) in vars {
        let mut e = Map::new();
        if let Some(d) = &v.default {
            e.insert("default".into(), Value::String(d.clone()));
        }
        if v.required {
            e.insert("required".into(), Value::Boolean(true));
        }
        t.insert(k.clone(), Value::Table(e));
    }
    t
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::String).collect())
}

/// The manifest text. `check` replaces the entry component's policy (and maybe the variables)
/// for a load check.
pub fn manifest(case: &Case, ctx: &Context, component: &Path, check: Option<&LoadCheck>) -> String {
    let comps: Vec<ComponentSpec> = case.components();
    let mut root = Map::new();
    root.insert("spin_manifest_version".into(), Value::Integer(2));
    let mut app = Map::new();
    app.insert(
        "name".into(),
        Value::String(format!("conformance-{}", case.id.to_ascii_lowercase())),
    );
    root.insert("application".into(), Value::Table(app));
    let vars = check
        .and_then(|c| c.variables.as_ref())
        .unwrap_or(&case.app.variables);
    if !vars.is_empty() {
        root.insert("variables".into(), Value::Table(variables_table(vars)));
    }
    let mut triggers = Vec::new();
    let mut components = Map::new();
    let default = default_policy(case, ctx);
    for (i, c) in comps.iter().enumerate() {
        let mut trig = Map::new();
        match c.route() {
            Some(r) => trig.insert("route".into(), Value::String(r.to_string())),
            _ => {
                let mut p = Map::new();
                p.insert("private".into(), Value::Boolean(true));
                trig.insert("route".into(), Value::Table(p))
            }
        };
        trig.insert("component".into(), Value::String(c.id.clone()));
        triggers.push(Value::Table(trig));

        let mut comp = Map::new();
        comp.insert(
            "source".into(),
            Value::String(component.to_string_lossy().into_owned()),
        );
        let hosts = match (i, check) {
            (0, Some(chk)) => Some(chk.allowed_outbound_hosts.clone()),
            _ => match (&c.allowed_outbound_hosts, &c.allowed_http_hosts) {
                (Some(h), _) => Some(h.clone()),
                (None, Some(_)) => None,
                (None, None) => Some(default.clone()),
            },
        };
        if let Some(h) = hosts {
            comp.insert("allowed_outbound_hosts".into(), strings(&h));
        }
        if let Some(h) = &c.allowed_http_hosts {
            comp.insert("allowed_http_hosts".into(), strings(h));
        }
        // Each upstream's URL as `HTTP_SERVER_<NAME>`, as fermyon/conformance-tests injects it.
        let env: Map<String, Value> = ctx
            .upstreams
            .iter()
            .map(|(name, up)| {
                let url = format!("{}://{}", up.scheme, up.addr);
                (format!("HTTP_SERVER_{name}"), Value::String(url))
            })
            .collect();
        if !env.is_empty() {
            comp.insert("environment".into(), Value::Table(env));
        }
        if !c.variables.is_empty() {
            let t: Map<String, Value> = c
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            comp.insert("variables".into(), Value::Table(t));
        }
        components.insert(c.id.clone(), Value::Table(comp));
    }
    let mut trigger = Map::new();
    trigger.insert("http".into(), Value::Array(triggers));
    root.insert("trigger".into(), Value::Table(trigger));
    root.insert("component".into(), Value::Table(components));
    toml::to_string(&Value::Table(root)).expect("a manifest serialises")
}

/// Writes the app's files into `dir`.
pub fn write(
    case: &Case,
    ctx: &Context,
    component: &Path,
    dir: &Path,
    check: Option<(usize, &LoadCheck)>,
) -> anyhow::Result<AppFiles> {
    std::fs::create_dir_all(dir)?;
    let name = match check {
        Some((i, _)) => format!("spin-check-{i}.toml"),
        None => "spin.toml".into(),
    };
    let manifest_path = dir.join(name);
    std::fs::write(
        &manifest_path,
        manifest(case, ctx, component, check.map(|c| c.1)),
    )?;
    let runtime_config = match &case.app.runtime_config {
        Some(text) => {
            let p = dir.join("runtime-config.toml");
            std::fs::write(&p, text)?;
            Some(p)
        }
        None => None,
    };
    Ok(AppFiles {
        dir: dir.to_path_buf(),
        manifest: manifest_path,
        component: component.to_path_buf(),
        runtime_config,
        resolve: case.app.resolve.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placeholder::UpstreamAddr;

    fn case(text: &str) -> Case {
        toml::from_str(text).unwrap()
    }

    fn ctx() -> Context {
        let mut c = Context::default();
        c.upstreams.insert(
            "U".into(),
            UpstreamAddr {
                addr: "127.0.0.1:4000".parse().unwrap(),
                scheme: "http",
            },
        );
        c.upstreams.insert(
            "S".into(),
            UpstreamAddr {
                addr: "[::1]:4001".parse().unwrap(),
                scheme: "https",
            },
        );
        c
    }

    #[test]
    fn the_default_app_is_one_agent_allowed_to_reach_every_upstream() {
        let c = case(
            "id='X'\ntitle='t'\ntier='core'\n[upstreams.U]\n[upstreams.S]\nbind='::1'\nprotocol='https'\n[[steps]]\nurl='/'\nexpect={status=200}\n",
        );
        let m: Value =
            toml::from_str(&manifest(&c, &ctx(), Path::new("/a/agent.wasm"), None)).unwrap();
        assert_eq!(m["spin_manifest_version"].as_integer(), Some(2));
        assert_eq!(m["trigger"]["http"][0]["route"].as_str(), Some("/..."));
        assert_eq!(m["trigger"]["http"][0]["component"].as_str(), Some("agent"));
        let agent = &m["component"]["agent"];
        assert_eq!(agent["source"].as_str(), Some("/a/agent.wasm"));
        let hosts: Vec<&str> = agent["allowed_outbound_hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            hosts,
            [
                "https://[::1]:4001",
                "http://127.0.0.1:4000",
                "http://localhost:4000"
            ]
        );
    }

    #[test]
    fn components_routes_variables_and_load_checks() {
        let c = case(
            r#"id='X'
title='t'
tier='core'
[app.variables]
host = "localhost"
secret = { required = true }
[[app.components]]
id = "agent"
route = "/..."
allowed_outbound_hosts = ["http://{{ host }}:1"]
variables = { h = "{{ host }}" }
[[app.components]]
id = "back"
private = true
allowed_http_hosts = ["self"]
[[steps]]
url = "/"
expect = { status = 200 }
"#,
        );
        let m: Value = toml::from_str(&manifest(&c, &ctx(), Path::new("/w.wasm"), None)).unwrap();
        assert_eq!(
            m["variables"]["host"]["default"].as_str(),
            Some("localhost")
        );
        assert_eq!(m["variables"]["secret"]["required"].as_bool(), Some(true));
        assert_eq!(
            m["trigger"]["http"][1]["route"]["private"].as_bool(),
            Some(true)
        );
        assert_eq!(
            m["component"]["agent"]["variables"]["h"].as_str(),
            Some("{{ host }}")
        );
        assert_eq!(
            m["component"]["agent"]["allowed_outbound_hosts"][0].as_str(),
            Some("http://{{ host }}:1")
        );
        assert!(m["component"]["back"]
            .get("allowed_outbound_hosts")
            .is_none());
        assert_eq!(
            m["component"]["back"]["allowed_http_hosts"][0].as_str(),
            Some("self")
        );

        let check = LoadCheck {
            allowed_outbound_hosts: vec!["example.com".into()],
            variables: None,
            error_contains: vec![],
        };
        let m: Value =
            toml::from_str(&manifest(&c, &ctx(), Path::new("/w.wasm"), Some(&check))).unwrap();
        assert_eq!(
            m["component"]["agent"]["allowed_outbound_hosts"][0].as_str(),
            Some("example.com")
        );
    }
}
