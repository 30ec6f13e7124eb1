//! The network leg of an outbound request: resolve, filter by the block list, connect, TLS, HTTP/1.1.
//!
//! Every failure maps to the wasi:http `error-code` Spin reports for it (spec section 2.1).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use courier_policy::BlockedNetworks;
use http::uri::Scheme;
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use crate::config::{ClientTls, RuntimeConfig};

/// Spin's and wasmtime's default for each of the three request-options timeouts.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

pub type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

/// Test-only name resolution: `host` or `host:port` → `ip` or `ip:port`, consulted before DNS
/// and after the policy check, so tests can use names like `svc.example.test` without DNS.
#[derive(Debug, Default, Clone)]
pub struct TestResolver {
    entries: HashMap<String, String>,
}

impl TestResolver {
    pub fn new(entries: HashMap<String, String>) -> anyhow::Result<Self> {
        for (name, target) in &entries {
            if target.parse::<SocketAddr>().is_err() && target.parse::<IpAddr>().is_err() {
                anyhow::bail!(
                    "test-only resolver: {name} = {target:?} is not an IP address or IP:port"
                );
            }
        }
        // Names are case-insensitive, as in DNS.
        let entries = entries
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Ok(Self { entries })
    }

    fn lookup(&self, host: &str, port: u16) -> Option<SocketAddr> {
        let host = host.to_ascii_lowercase();
        let target = self
            .entries
            .get(&format!("{host}:{port}"))
            .or_else(|| self.entries.get(&host))?;
        target.parse::<SocketAddr>().ok().or_else(|| {
            target
                .parse::<IpAddr>()
                .ok()
                .map(|ip| SocketAddr::new(ip, port))
        })
    }
}

/// The app's outbound network client: block list, resolver, TLS configurations.
pub struct NetworkClient {
    blocked: BlockedNetworks,
    resolver: TestResolver,
    client_tls: Vec<ClientTls>,
    default_tls: Arc<rustls::ClientConfig>,
    /// TLS configurations built from `[[client_tls]]`, per (component, host).
    tls_cache: Mutex<HashMap<(String, String), Arc<rustls::ClientConfig>>>,
}

impl NetworkClient {
    pub fn new(config: &RuntimeConfig, resolver: TestResolver) -> anyhow::Result<Self> {
        let client = Self {
            blocked: config.block_networks.clone(),
            resolver,
            client_tls: config.client_tls.clone(),
            default_tls: Arc::new(tls_config(webpki_roots(), None)?),
            tls_cache: Mutex::new(HashMap::new()),
        };
        // Build every [[client_tls]] once now so a bad PEM file stops the load, not a request.
        for tls in &client.client_tls {
            for component in &tls.component_ids {
                for host in &tls.hosts {
                    client.tls_for(component, host)?;
                }
            }
        }
        Ok(client)
    }

    fn tls_for(&self, component: &str, host: &str) -> anyhow::Result<Arc<rustls::ClientConfig>> {
        let Some(spec) = self.client_tls.iter().find(|t| {
            t.component_ids.iter().any(|c| c == component) && t.hosts.iter().any(|h| h == host)
        }) else {
            return Ok(self.default_tls.clone());
        };
        let key = (component.to_string(), host.to_string());
        let mut cache = self.tls_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(config) = cache.get(&key) {
            return Ok(config.clone());
        }
        let config = Arc::new(client_tls_config(spec)?);
        cache.insert(key, config.clone());
        Ok(config)
    }

    /// Send `request` (absolute URI) over the network on behalf of `component`.
    pub async fn send(
        &self,
        component: &str,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<(http::Response<WasiBody>, IoFuture), Error> {
        let uri = request.uri().clone();
        let use_tls = uri.scheme() == Some(&Scheme::HTTPS);
        let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?.to_string();
        let port = uri.port_u16().unwrap_or(if use_tls { 443 } else { 80 });
        let options = options.unwrap_or_default();
        let connect_timeout = options.connect_timeout.unwrap_or(DEFAULT_TIMEOUT);
        let first_byte_timeout = options.first_byte_timeout.unwrap_or(DEFAULT_TIMEOUT);
        let between_bytes_timeout = options.between_bytes_timeout.unwrap_or(DEFAULT_TIMEOUT);

        // Host is derived from the URL, with the port only when it is not the default.
        let host_header = match uri.port_u16() {
            Some(p) if p != if use_tls { 443 } else { 80 } => format!("{host}:{p}"),
            _ => host.clone(),
        };
        request.headers_mut().insert(
            http::header::HOST,
            http::HeaderValue::from_str(&host_header).map_err(|_| Error::HttpRequestUriInvalid)?,
        );
        *request.uri_mut() = http::Uri::builder()
            .path_and_query(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
            .build()
            .map_err(|_| Error::HttpRequestUriInvalid)?;

        let connect = async {
            let addrs = self.resolve(&host, port).await?;
            let tcp = connect_any(&addrs).await?;
            let stream: Box<dyn Io> = if use_tls {
                let config = self
                    .tls_for(component, &host)
                    .map_err(|e| Error::InternalError(Some(format!("{e:#}"))))?;
                Box::new(tls_connect(config, &host, tcp).await?)
            } else {
                Box::new(tcp)
            };
            hyper::client::conn::http1::Builder::new()
                .handshake::<_, WasiBody>(TokioIo::new(stream))
                .await
                .map_err(Error::from)
        };
        let (mut sender, conn) = tokio::time::timeout(connect_timeout, connect)
            .await
            .map_err(|_| Error::ConnectionTimeout)??;
        let conn = tokio::spawn(conn);

        let response = tokio::time::timeout(first_byte_timeout, sender.send_request(request))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)?
            .map_err(Error::from)?;
        let response = response.map(|body| {
            BetweenBytes {
                body,
                timeout: between_bytes_timeout,
                sleep: Box::pin(tokio::time::sleep(between_bytes_timeout)),
            }
            .boxed_unsync()
        });
        let io: IoFuture = Box::new(async move {
            match conn.await {
                Ok(result) => result.map_err(Error::from),
                Err(_) => Ok(()),
            }
        });
        Ok((response, io))
    }

    /// Resolve, then drop blocked addresses; all blocked is `destination-IP-prohibited`.
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = if let Some(addr) = self.resolver.lookup(bare, port) {
            vec![addr]
        } else if let Ok(ip) = bare.parse::<IpAddr>() {
            vec![SocketAddr::new(ip, port)]
        } else {
            tokio::net::lookup_host((bare, port))
                .await
                .map_err(|_| dns_error("address not available"))?
                .collect()
        };
        if addrs.is_empty() {
            return Err(dns_error("address not available"));
        }
        let allowed: Vec<SocketAddr> = addrs
            .iter()
            .copied()
            .filter(|a| !self.blocked.is_blocked(a.ip()))
            .collect();
        if allowed.is_empty() {
            tracing::error!(error.type = "destination_ip_prohibited", %host, ?addrs, "every address of the destination is blocked by block_networks");
            return Err(Error::DestinationIpProhibited);
        }
        Ok(allowed)
    }
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static> Io for T {}

fn dns_error(rcode: &str) -> Error {
    Error::DnsError {
        rcode: Some(rcode.to_string()),
        info_code: Some(0),
    }
}

async fn connect_any(addrs: &[SocketAddr]) -> Result<TcpStream, Error> {
    let mut last = Error::ConnectionRefused;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Small requests and responses must not wait on Nagle's algorithm.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => {
                last = dns_error("address not available")
            }
            Err(_) => last = Error::ConnectionRefused,
        }
    }
    Err(last)
}

async fn tls_connect(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Error> {
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

fn webpki_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.into(),
    }
}

/// Common locations of the operating system's CA bundle (Debian, Fedora, Alpine, macOS ports).
const PLATFORM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

fn add_pem_file(roots: &mut rustls::RootCertStore, path: &std::path::Path) -> anyhow::Result<()> {
    use rustls::pki_types::pem::PemObject;
    let mut count = 0;
    for cert in rustls::pki_types::CertificateDer::pem_file_iter(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
    {
        let cert = cert.map_err(|e| anyhow::anyhow!("{}: bad PEM: {e}", path.display()))?;
        roots
            .add(cert)
            .map_err(|e| anyhow::anyhow!("{}: bad certificate: {e}", path.display()))?;
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
        if let Some(bundle) = PLATFORM_BUNDLES
            .iter()
            .map(std::path::Path::new)
            .find(|p| p.exists())
        {
            add_pem_file(&mut roots, bundle)?;
        }
    }
    if let Some(path) = &spec.ca_roots_file {
        add_pem_file(&mut roots, path).map_err(|e| anyhow::anyhow!("ca_roots_file: {e:#}"))?;
    }
    let identity = match &spec.client_identity {
        Some((cert, key)) => {
            use rustls::pki_types::pem::PemObject;
            let certs = rustls::pki_types::CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| anyhow::anyhow!("client_cert_file {}: {e}", cert.display()))?;
            let key = rustls::pki_types::PrivateKeyDer::from_pem_file(key)
                .map_err(|e| anyhow::anyhow!("client_private_key_file {}: {e}", key.display()))?;
            Some((certs, key))
        }
        None => None,
    };
    tls_config(roots, identity)
}

type Identity = (
    Vec<rustls::pki_types::CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
);

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
            .map_err(|e| anyhow::anyhow!("client certificate: {e}"))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A response body that fails with `connection-read-timeout` when frames stop arriving.
struct BetweenBytes {
    body: Incoming,
    timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Body for BetweenBytes {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let deadline = tokio::time::Instant::now() + self.timeout;
                self.sleep.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Error::from(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
