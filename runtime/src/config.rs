//! Runtime configuration (`--runtime-config-file`): the Spin tables that shape outbound HTTP.
//!
//! Parsed and validated once at load into values the request path only reads.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use courier_policy::BlockedNetworks;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    outbound_http: Option<RawOutboundHttp>,
    #[serde(default)]
    outbound_networking: Option<RawOutboundNetworking>,
    #[serde(default)]
    client_tls: Vec<RawClientTls>,
    // Spin's tables for features Courier does not host: accepted, so one file serves both
    // runtimes, and ignored with a warning. Anything else is still an unknown key.
    state_dir: Option<toml::Value>,
    log_dir: Option<toml::Value>,
    key_value_store: Option<toml::Value>,
    sqlite_database: Option<toml::Value>,
    llm_compute: Option<toml::Value>,
    variables_provider: Option<toml::Value>,
    config_provider: Option<toml::Value>,
    blob_store: Option<toml::Value>,
}

impl RawConfig {
    /// The keys given that configure features Courier does not host.
    fn ignored_keys(&self) -> Vec<&'static str> {
        [
            ("state_dir", self.state_dir.is_some()),
            ("log_dir", self.log_dir.is_some()),
            ("key_value_store", self.key_value_store.is_some()),
            ("sqlite_database", self.sqlite_database.is_some()),
            ("llm_compute", self.llm_compute.is_some()),
            ("variables_provider", self.variables_provider.is_some()),
            ("config_provider", self.config_provider.is_some()),
            ("blob_store", self.blob_store.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, given)| given.then_some(key))
        .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutboundHttp {
    connection_pooling: Option<bool>,
    max_concurrent_requests: Option<usize>,
    max_connections: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutboundNetworking {
    #[serde(default)]
    block_networks: Vec<String>,
    max_socket_connections: Option<usize>,
    max_total_connections: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClientTls {
    component_ids: Vec<String>,
    hosts: Vec<String>,
    ca_use_platform_roots: Option<bool>,
    ca_use_webpki_roots: Option<bool>,
    ca_roots_file: Option<PathBuf>,
    client_cert_file: Option<PathBuf>,
    client_private_key_file: Option<PathBuf>,
}

/// Validated runtime configuration.
#[derive(Debug, Default, Clone)]
pub struct RuntimeConfig {
    /// Keep-alive pooling of outbound connections. Spin's docs say it defaults to on; we keep
    /// that even when an `[outbound_http]` table omits the key (Spin's serde default turns it off).
    pub connection_pooling: Option<bool>,
    /// Outbound TCP connections the app may hold at once (`None`: unlimited): the lower of
    /// `[outbound_http]`'s limit and `[outbound_networking] max_total_connections`.
    pub max_connections: Option<usize>,
    pub block_networks: BlockedNetworks,
    pub client_tls: Vec<ClientTls>,
}

/// One `[[client_tls]]` table, paths resolved against the config file's directory.
#[derive(Debug, Clone)]
pub struct ClientTls {
    pub component_ids: Vec<String>,
    pub hosts: Vec<String>,
    pub use_platform_roots: bool,
    pub use_webpki_roots: bool,
    pub ca_roots_file: Option<PathBuf>,
    /// Client certificate and key for mTLS, always given together.
    pub client_identity: Option<(PathBuf, PathBuf)>,
}

impl RuntimeConfig {
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read runtime config {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base)
            .with_context(|| format!("invalid runtime config {}", path.display()))
    }

    pub fn parse(text: &str, base_dir: &Path) -> Result<Self> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))?;
        let mut config = RuntimeConfig::default();
        let ignored = raw.ignored_keys();
        if !ignored.is_empty() {
            tracing::warn!(
                "runtime config: {} configure(s) Spin features Courier does not host (it serves wasi:http only); ignored",
                ignored.join(", ")
            );
        }
        if let Some(http) = raw.outbound_http {
            config.connection_pooling = http.connection_pooling;
            config.max_connections = match (http.max_connections, http.max_concurrent_requests) {
                (Some(_), Some(_)) => bail!(
                    "[outbound_http]: `max_connections` and `max_concurrent_requests` cannot be combined\n  \
                     hint: keep `max_connections`; `max_concurrent_requests` is deprecated"
                ),
                (Some(n), None) => Some(n),
                // Spin has always granted N+1 permits for the deprecated key.
                (None, Some(n)) => {
                    tracing::warn!("[outbound_http] max_concurrent_requests is deprecated; use max_connections");
                    Some(n + 1)
                }
                (None, None) => None,
            };
        }
        if let Some(net) = raw.outbound_networking {
            config.block_networks = BlockedNetworks::parse(&net.block_networks)
                .context("[outbound_networking] block_networks")?;
            if net.max_socket_connections.is_some() {
                tracing::warn!("[outbound_networking] max_socket_connections applies to wasi-sockets, which Courier does not host");
            }
            // A cap across every outbound factor; outbound HTTP is the only one Courier hosts.
            if let Some(total) = net.max_total_connections {
                config.max_connections =
                    Some(config.max_connections.map_or(total, |n| n.min(total)));
            }
        }
        if config.max_connections == Some(0) {
            // Spin's semaphore with no permits: allowed, and every request waits.
            tracing::warn!("runtime config: an outbound connection limit of 0 lets no outbound HTTP request connect; each waits until its connect timeout or the request's deadline");
        }
        for (i, tls) in raw.client_tls.into_iter().enumerate() {
            config.client_tls.push(
                ClientTls::validate(tls, base_dir)
                    .with_context(|| format!("[[client_tls]] #{}", i + 1))?,
            );
        }
        Ok(config)
    }
}

impl ClientTls {
    /// The index of the first table whose component id and host (`uri.host()`, compared
    /// exactly) both match, in file order: Spin's lookup.
    pub fn first_match(tables: &[ClientTls], component: &str, host: &str) -> Option<usize> {
        tables.iter().position(|t| {
            t.component_ids.iter().any(|c| c == component) && t.hosts.iter().any(|h| h == host)
        })
    }

    fn validate(raw: RawClientTls, base: &Path) -> Result<Self> {
        // Spin's checks and words: kebab-case ids, and hosts that parse as an authority
        // without a port.
        if raw.component_ids.is_empty() {
            bail!("'component_ids' list may not be empty");
        }
        if raw.hosts.is_empty() {
            bail!("'hosts' list may not be empty");
        }
        for id in &raw.component_ids {
            if let Some(problem) = crate::manifest::id_problem(id, '-') {
                bail!("component_ids: invalid id {id:?}: {problem}");
            }
        }
        for host in &raw.hosts {
            let authority: http::uri::Authority = host
                .parse()
                .map_err(|e| anyhow::anyhow!("invalid TLS 'host' {host:?}: {e}"))?;
            if authority.port().is_some() {
                bail!("invalid TLS 'host' {host:?}; ports not currently supported\n  hint: give the host only; the entry applies on every port");
            }
        }
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let ca_roots_file = raw.ca_roots_file.map(resolve);
        // Spin 4.0.1+: with neither switch set, platform roots unless a CA file is given;
        // setting one switch alone turns the other source off.
        let (use_platform_roots, use_webpki_roots) =
            match (raw.ca_use_platform_roots, raw.ca_use_webpki_roots) {
                (None, None) => (ca_roots_file.is_none(), false),
                (Some(p), None) => (p, false),
                (None, Some(w)) => (false, w),
                (Some(p), Some(w)) => (p, w),
            };
        if !use_platform_roots && !use_webpki_roots && ca_roots_file.is_none() {
            bail!("at least one of 'use_platform_roots', 'use_webpki_roots', or 'root_certificates' must be set\n  hint: Spin's words; the keys are ca_use_platform_roots, ca_use_webpki_roots and ca_roots_file");
        }
        let client_identity = match (raw.client_cert_file, raw.client_private_key_file) {
            (Some(c), Some(k)) => Some((resolve(c), resolve(k))),
            (Some(_), None) => bail!("client_cert_file specified without client_private_key_file"),
            (None, Some(_)) => bail!("client_private_key_file specified without client_cert_file"),
            (None, None) => None,
        };
        Ok(Self {
            component_ids: raw.component_ids,
            hosts: raw.hosts,
            use_platform_roots,
            use_webpki_roots,
            ca_roots_file,
            client_identity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RuntimeConfig> {
        RuntimeConfig::parse(text, Path::new("/etc/app"))
    }

    #[test]
    fn full_config() {
        let c = parse(
            r#"
[outbound_http]
connection_pooling = false
max_connections = 4
[outbound_networking]
block_networks = ["1.1.1.1/32", "private"]
[[client_tls]]
component_ids = ["agent"]
hosts = ["localhost"]
ca_roots_file = "certs/ca.pem"
client_cert_file = "/abs/client.pem"
client_private_key_file = "client.key"
"#,
        )
        .unwrap();
        assert_eq!(c.connection_pooling, Some(false));
        assert_eq!(c.max_connections, Some(4));
        assert!(c.block_networks.is_blocked("127.0.0.1".parse().unwrap()));
        assert!(c.block_networks.is_blocked("1.1.1.1".parse().unwrap()));
        assert!(!c.block_networks.is_blocked("8.8.8.8".parse().unwrap()));
        let tls =
            &c.client_tls[ClientTls::first_match(&c.client_tls, "agent", "localhost").unwrap()];
        assert_eq!(
            tls.ca_roots_file.as_deref(),
            Some(Path::new("/etc/app/certs/ca.pem"))
        );
        assert!(!tls.use_platform_roots && !tls.use_webpki_roots);
        let (cert, key) = tls.client_identity.clone().unwrap();
        assert_eq!(
            (cert.to_str().unwrap(), key.to_str().unwrap()),
            ("/abs/client.pem", "/etc/app/client.key")
        );
        assert!(ClientTls::first_match(&c.client_tls, "other", "localhost").is_none());
        assert!(ClientTls::first_match(&c.client_tls, "agent", "example.com").is_none());
    }

    #[test]
    fn deprecated_limit_grants_one_more() {
        let c = parse("[outbound_http]\nmax_concurrent_requests = 3").unwrap();
        assert_eq!(c.max_connections, Some(4));
        assert!(
            parse("[outbound_http]\nmax_concurrent_requests = 3\nmax_connections = 3").is_err()
        );
    }

    #[test]
    fn the_total_connection_cap_bounds_outbound_http_too() {
        let limit = |text: &str| parse(text).unwrap().max_connections;
        assert_eq!(
            limit("[outbound_networking]\nmax_total_connections = 2"),
            Some(2)
        );
        assert_eq!(
            limit("[outbound_http]\nmax_connections = 5\n[outbound_networking]\nmax_total_connections = 2"),
            Some(2)
        );
        assert_eq!(
            limit("[outbound_http]\nmax_connections = 1\n[outbound_networking]\nmax_total_connections = 2"),
            Some(1)
        );
        assert_eq!(
            limit("[outbound_networking]\nmax_socket_connections = 2"),
            None
        );
    }

    #[test]
    fn spins_other_tables_are_accepted_and_ignored() {
        let c = parse(
            "state_dir = \".spin\"\n[key_value_store.default]\ntype = \"spin\"\n\
             [sqlite_database.default]\ntype = \"spin\"\n[[variables_provider]]\ntype = \"vault\"\n\
             [outbound_http]\nmax_connections = 3",
        )
        .unwrap();
        assert_eq!(c.max_connections, Some(3));
    }

    #[test]
    fn client_tls_hosts_may_be_names_or_ip_literals() {
        let c = parse("[[client_tls]]\ncomponent_ids = [\"a-1\"]\nhosts = [\"[::1]\", \"127.0.0.1\", \"svc\"]").unwrap();
        assert!(ClientTls::first_match(&c.client_tls, "a-1", "[::1]").is_some());
    }

    #[test]
    fn errors_carry_spin_messages() {
        let cases = [
            ("[outbound_networking]\nblock_networks = [\"nope\"]", "CIDR notation or the keyword 'private'"),
            ("[[client_tls]]\ncomponent_ids = [\"a\"]\nhosts = [\"h\"]\nclient_cert_file = \"c\"", "client_cert_file specified without client_private_key_file"),
            ("[[client_tls]]\ncomponent_ids = [\"a\"]\nhosts = [\"h\"]\nca_use_platform_roots = false", "at least one of"),
            ("[[client_tls]]\ncomponent_ids = []\nhosts = [\"h\"]", "'component_ids' list may not be empty"),
            ("[[client_tls]]\ncomponent_ids = [\"a\"]\nhosts = []", "'hosts' list may not be empty"),
            ("[[client_tls]]\ncomponent_ids = [\"My_Comp\"]\nhosts = [\"h\"]", "invalid id \"My_Comp\": words must be separated with '-'"),
            ("[[client_tls]]\ncomponent_ids = [\"a\"]\nhosts = [\"h:443\"]", "invalid TLS 'host' \"h:443\"; ports not currently supported"),
            ("[[client_tls]]\ncomponent_ids = [\"a\"]\nhosts = [\"[::1]:443\"]", "ports not currently supported"),
            ("[[client_tls]]\ncomponent_ids = [\"a\"]\nhosts = [\"bad host\"]", "invalid TLS 'host' \"bad host\""),
            ("[outbound_htp]\n", "unknown field"),
        ];
        for (text, want) in cases {
            let err = format!("{:#}", parse(text).unwrap_err());
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
