//! TLS for outbound requests: rustls configurations (the platform's roots plus webpki's by
//! default, `[[client_tls]]` per component and host), built once per app, and the handshake
//! with its error mapping.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use wasmtime_wasi_http::Error;

use super::resolve::dns_error;
use crate::config::ClientTls;

/// The TLS configurations of one app.
pub struct TlsConfigs {
    specs: Vec<ClientTls>,
    /// One configuration per `[[client_tls]]`, in file order, built at load so a bad PEM file
    /// stops the load, not a request. Each lives as long as the app, so its `Arc` address also
    /// names it in connection-pool keys.
    built: Vec<Arc<rustls::ClientConfig>>,
    /// Built at the first request that needs it: reading the platform's roots takes a few ms.
    default: OnceLock<Arc<rustls::ClientConfig>>,
}

impl TlsConfigs {
    pub fn new(specs: &[ClientTls]) -> anyhow::Result<Self> {
        let built = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                client_tls_config(spec)
                    .map(Arc::new)
                    .with_context(|| format!("[[client_tls]] #{}", i + 1))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            specs: specs.to_vec(),
            built,
            default: OnceLock::new(),
        })
    }

    /// The `[[client_tls]]` tables, in file order.
    pub fn specs(&self) -> &[ClientTls] {
        &self.specs
    }

    /// The configuration for `component` talking to `host`: the first matching
    /// `[[client_tls]]` in file order (exact component id and `uri.host()`), else the default.
    pub fn for_request(
        &self,
        component: &str,
        host: &str,
    ) -> anyhow::Result<Arc<rustls::ClientConfig>> {
        match ClientTls::first_match(&self.specs, component, host) {
            Some(i) => Ok(self.built[i].clone()),
            None => self.default(),
        }
    }

    /// Spin 4.0.1+ with no matching `[[client_tls]]`: the platform's roots, plus webpki's.
    fn default(&self) -> anyhow::Result<Arc<rustls::ClientConfig>> {
        if let Some(config) = self.default.get() {
            return Ok(config.clone());
        }
        let mut roots = webpki_roots();
        add_platform_roots(&mut roots);
        let config = Arc::new(tls_config(roots, None)?);
        // Two first requests may race; both get the one that is kept (pool keys use its address).
        Ok(self.default.get_or_init(|| config).clone())
    }
}

pub type TlsStream = tokio_rustls::client::TlsStream<TcpStream>;

/// Handshake; every TLS failure, an untrusted certificate included, is `TLS-protocol-error`.
pub async fn connect(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    tcp: TcpStream,
) -> Result<TlsStream, Error> {
    // An IPv6 literal comes with brackets; it is an IP server name, not an invalid DNS name.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let name = match bare.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => {
            ServerName::try_from(bare.to_string()).map_err(|_| dns_error("invalid dns name"))?
        }
    };
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| {
            tracing::warn!("TLS handshake with {host} failed: {e}");
            Error::TlsProtocolError
        })
}

/// Whether the server picked HTTP/2 through ALPN.
pub fn negotiated_h2(stream: &TlsStream) -> bool {
    stream.get_ref().1.alpn_protocol() == Some(b"h2")
}

fn webpki_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.into(),
    }
}

/// The operating system's roots, found as OpenSSL finds them: `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` first, then the system's bundle. Unreadable ones are logged and skipped.
fn add_platform_roots(roots: &mut rustls::RootCertStore) {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!("platform CA roots: {error}");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::warn!(
            "platform CA roots: {ignored} certificate(s) could not be parsed; {added} added"
        );
    }
}

/// What is wrong with a PEM file, in words: the library's Display prints markers as byte lists.
fn pem_problem(e: &rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match e {
        Error::MissingSectionEnd { end_marker } => format!(
            "a section is not closed: no `-----END {}-----` line",
            String::from_utf8_lossy(end_marker)
        ),
        Error::IllegalSectionStart { line } => format!(
            "malformed `-----BEGIN` line: `{}`",
            String::from_utf8_lossy(line)
        ),
        Error::Base64Decode(_) => "a section's body is not valid base64".into(),
        Error::NoItemsFound => "no PEM section of the kind needed here (for a key: -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)".into(),
        other => other.to_string(),
    }
}

fn add_pem_file(roots: &mut rustls::RootCertStore, path: &Path) -> anyhow::Result<()> {
    let mut count = 0;
    for cert in CertificateDer::pem_file_iter(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {}", path.display(), pem_problem(&e)))?
    {
        let cert = cert.map_err(|e| anyhow::anyhow!("{}: {}", path.display(), pem_problem(&e)))?;
        roots.add(cert).map_err(|e| {
            anyhow::anyhow!(
                "{}: certificate #{} is not valid: {e:?}",
                path.display(),
                count + 1
            )
        })?;
        count += 1;
    }
    if count == 0 {
        anyhow::bail!("{}: no certificates found", path.display());
    }
    Ok(())
}

fn client_tls_config(spec: &ClientTls) -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    if spec.use_webpki_roots {
        roots.extend(webpki_roots().roots);
    }
    if spec.use_platform_roots {
        add_platform_roots(&mut roots);
    }
    if let Some(path) = &spec.ca_roots_file {
        add_pem_file(&mut roots, path).map_err(|e| anyhow::anyhow!("ca_roots_file: {e:#}"))?;
    }
    let identity = match &spec.client_identity {
        Some((cert, key)) => {
            let certs = CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    anyhow::anyhow!("client_cert_file {}: {}", cert.display(), pem_problem(&e))
                })?;
            if certs.is_empty() {
                anyhow::bail!("client_cert_file {}: no certificates found", cert.display());
            }
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                anyhow::anyhow!(
                    "client_private_key_file {}: {}",
                    key.display(),
                    pem_problem(&e)
                )
            })?;
            Some((certs, key))
        }
        None => None,
    };
    tls_config(roots, identity)
}

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn tls_config(
    roots: rustls::RootCertStore,
    identity: Option<Identity>,
) -> anyhow::Result<rustls::ClientConfig> {
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots);
    let mut config = match identity {
        Some((certs, key)) => builder
            .with_client_auth_cert(certs, key)
            .map_err(|e| match e {
                rustls::Error::InconsistentKeys(_) => anyhow::anyhow!(
                    "client_private_key_file does not hold the key of client_cert_file's certificate"
                ),
                e => anyhow::anyhow!("client certificate: {e}"),
            })?,
        None => builder.with_no_client_auth(),
    };
    // Spin 3.4+ offers h2 first; cleartext stays HTTP/1.1.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
