//! The network leg of an outbound request: one client per app, shared by all its instances.
//!
//! Resolve and filter by the block list, take a connection permit, then reuse a pooled
//! connection or open one (TCP_NODELAY, TLS with ALPN h2/http1.1, cleartext HTTP/1.1 or, for
//! the one authority `LoadOptions::h2c_prior_knowledge` names, HTTP/2), and send. Every failure
//! maps to the wasi:http `error-code` Spin reports for it (spec section 2.1).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::uri::Scheme;
use http_body_util::BodyExt;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use super::pool::{Pool, PoolKey, PooledBody, Sender, Slot, H1};
use super::replay::Replay;
pub use super::resolve::TestResolver;
use super::resolve::{connect_any, Resolver};
use super::timeouts::{BetweenBytes, Timeouts};
use super::tls::{self, TlsConfigs};
use crate::config::{ClientTls, RuntimeConfig};

pub type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

/// The app's outbound client: resolver and block list, TLS configurations, connection pool.
pub struct NetworkClient {
    resolver: Resolver,
    tls: TlsConfigs,
    pool: Arc<Pool>,
    /// The one authority spoken to in cleartext HTTP/2 (`LoadOptions::h2c_prior_knowledge`).
    h2c_prior_knowledge: Option<String>,
}

/// Where one request goes.
struct Target {
    host: String,
    port: u16,
    tls: Option<Arc<rustls::ClientConfig>>,
    key: PoolKey,
}

impl NetworkClient {
    pub fn new(
        config: &RuntimeConfig,
        resolver: TestResolver,
        h2c_prior_knowledge: Option<String>,
    ) -> anyhow::Result<Self> {
        // Spin's docs say pooling defaults to on; we keep that even for a table without the key.
        let pooling = config.connection_pooling.unwrap_or(true);
        Ok(Self {
            resolver: Resolver::new(config.block_networks.clone(), resolver),
            tls: TlsConfigs::new(&config.client_tls)?,
            pool: Arc::new(Pool::new(pooling, config.max_connections)),
            h2c_prior_knowledge,
        })
    }

    /// The `[[client_tls]]` tables, in file order.
    pub fn client_tls(&self) -> &[ClientTls] {
        self.tls.specs()
    }

    /// Send `request` (absolute URI) over the network on behalf of `component`.
    pub async fn send(
        &self,
        component: &str,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<(http::Response<WasiBody>, IoFuture), Error> {
        let timeouts = Timeouts::from_options(options);
        let uri = request.uri().clone();
        let use_tls = uri.scheme() == Some(&Scheme::HTTPS);
        let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?.to_string();
        let default_port = if use_tls { 443 } else { 80 };
        let port = uri.port_u16().unwrap_or(default_port);
        let tls = if use_tls {
            let config = self
                .tls
                .for_request(component, &host)
                .map_err(|e| Error::InternalError(Some(format!("{e:#}"))))?;
            Some(config)
        } else {
            None
        };
        // Spin compares the authority as written, with no normalisation.
        let h2c = tls.is_none()
            && self
                .h2c_prior_knowledge
                .as_deref()
                .is_some_and(|named| uri.authority().is_some_and(|a| a.as_str() == named));
        let key = PoolKey {
            host: host.to_ascii_lowercase(),
            port,
            tls: tls.as_ref().map_or(0, |c| Arc::as_ptr(c) as usize),
            h2c,
        };
        // Host comes from the URL, with the port only when it is not the scheme's default.
        let authority = match uri.port_u16() {
            Some(p) if p != default_port => format!("{host}:{p}"),
            _ => host.clone(),
        };
        let target = Target {
            host,
            port,
            tls,
            key,
        };

        // As in Spin, the first-byte timeout runs from here to the response head, connecting
        // (DNS and TLS included) too; the connect timeout covers the permit and TCP only.
        let exchange = async {
            let mut request = Some(request);
            // A pooled connection the server has just closed fails before the request is
            // written, or as it goes out; then the request is sent once more on a new
            // connection (in the second case only if that is safe: see `Replay`).
            for attempt in 0..2 {
                let pooled = if attempt == 0 {
                    self.pool.checkout(&target.key)
                } else {
                    None
                };
                let (sender, reused) = match pooled {
                    Some(sender) => (sender, true),
                    // Boxed: opening a connection (TLS included) is a 6 KiB future, and every
                    // request's future would carry and copy that space even when the pool serves it.
                    None => Box::pin(self.connect(&target, timeouts.connect)).await?,
                };
                let Some(req) = request.take() else { break };
                let (req, replay) = match reused {
                    true => Replay::watch(req, matches!(sender, Sender::H1(_))),
                    false => (req, None),
                };
                let req = prepare(req, &sender, use_tls, &authority)?;
                match self.send_on(sender, req, &target).await {
                    Ok(response) => return Ok(response),
                    Err(SendError::NotSent(_, req)) if reused => {
                        tracing::debug!("pooled connection was closed; retrying on a new one");
                        request = Some(*req);
                    }
                    Err(SendError::Failed(e)) => match replay.and_then(|r| r.again(&e)) {
                        Some(again) => {
                            tracing::debug!("pooled connection closed as the request went out ({e}); sending it again on a new one");
                            request = Some(again);
                        }
                        None => return Err(Error::from(e)),
                    },
                    Err(SendError::NotSent(e, _)) => return Err(Error::from(e)),
                }
            }
            Err(Error::HttpProtocolError)
        };
        let response = tokio::time::timeout(timeouts.first_byte, exchange)
            .await
            .map_err(|_| Error::ConnectionReadTimeout)??
            .map(|body| BetweenBytes::new(body, timeouts.between_bytes).boxed_unsync());
        Ok((response, Box::new(async { Ok(()) })))
    }

    /// Send on `sender`. HTTP/1.1 connections come back to the pool when the body ends;
    /// HTTP/2 connections stay in it.
    async fn send_on(
        &self,
        sender: Sender,
        request: http::Request<WasiBody>,
        target: &Target,
    ) -> Result<http::Response<PooledBody>, SendError> {
        match sender {
            Sender::H1(mut connection) => {
                // A request abandoned before its response head (the first-byte timeout drops
                // this future) or failed leaves the connection useless, and its task would
                // otherwise live on: hyper flushes what it buffered before closing, forever
                // against a server that stopped reading, holding the guest's body (and the
                // connection permit) with it.
                let abandoned = AbortOnDrop(Some(connection.task.clone()));
                let s = &mut connection.sender;
                if let Err(error) = s.ready().await {
                    return Err(SendError::NotSent(error, Box::new(request)));
                }
                let response = s.try_send_request(request).await?;
                abandoned.disarm();
                let pool = self.pool.clone();
                let key = target.key.clone();
                Ok(response.map(|body| PooledBody::new(body, Some((pool, key, connection)))))
            }
            Sender::H2(mut s) => {
                if let Err(error) = s.ready().await {
                    return Err(SendError::NotSent(error, Box::new(request)));
                }
                let response = s.try_send_request(request).await?;
                Ok(response.map(|body| PooledBody::new(body, None)))
            }
        }
    }

    /// Open a new connection: DNS and block list, permit, TCP, TLS, HTTP handshake. A pooled
    /// connection that frees up while waiting for a permit is taken instead (`true`).
    /// `connect_timeout` bounds the permit wait and the TCP connect, as in Spin.
    async fn connect(
        &self,
        target: &Target,
        connect_timeout: Duration,
    ) -> Result<(Sender, bool), Error> {
        let addrs = self.resolver.resolve(&target.host, target.port).await?;
        let deadline = tokio::time::Instant::now() + connect_timeout;
        let permit =
            match tokio::time::timeout_at(deadline, self.pool.wait_for_connection(&target.key))
                .await
                .map_err(|_| Error::ConnectionTimeout)?
            {
                Slot::New(permit) => permit,
                Slot::Reused(sender) => return Ok((sender, true)),
            };
        let tcp = tokio::time::timeout_at(deadline, connect_any(&addrs))
            .await
            .map_err(|_| Error::ConnectionTimeout)??;
        let Some(config) = &target.tls else {
            if target.key.h2c {
                return Ok((self.handshake_h2(tcp, permit, target).await?, false));
            }
            return Ok((handshake_h1(tcp, permit).await?, false));
        };
        let stream = tls::connect(config.clone(), &target.host, tcp).await?;
        if !tls::negotiated_h2(&stream) {
            return Ok((handshake_h1(stream, permit).await?, false));
        }
        Ok((self.handshake_h2(stream, permit, target).await?, false))
    }

    /// An HTTP/2 connection, shared from the start: later requests to this origin multiplex
    /// on it.
    async fn handshake_h2<T>(
        &self,
        io: T,
        permit: Option<tokio::sync::OwnedSemaphorePermit>,
        target: &Target,
    ) -> Result<Sender, Error>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        let (sender, conn) = http2::Builder::new(TokioExecutor::new())
            .handshake::<_, WasiBody>(TokioIo::new(io))
            .await
            .map_err(Error::from)?;
        tokio::spawn(async move {
            // The permit is released when the connection ends.
            let _permit = permit;
            if let Err(e) = conn.await {
                tracing::debug!("outbound HTTP/2 connection ended: {e}");
            }
        });
        self.pool.give_back(&target.key, Sender::H2(sender.clone()));
        Ok(Sender::H2(sender))
    }
}

async fn handshake_h1<T>(
    io: T,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
) -> Result<Sender, Error>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (sender, conn) = http1::Builder::new()
        .handshake::<_, WasiBody>(TokioIo::new(io))
        .await
        .map_err(Error::from)?;
    let task = tokio::spawn(async move {
        let _permit = permit;
        if let Err(e) = conn.await {
            tracing::debug!("outbound HTTP/1.1 connection ended: {e}");
        }
    });
    Ok(Sender::H1(H1::opened_here(sender, task.abort_handle())))
}

/// HTTP/1.1 takes an origin-form target and a Host header; HTTP/2 takes the absolute URI and
/// derives `:authority` from it.
fn prepare(
    mut request: http::Request<WasiBody>,
    sender: &Sender,
    use_tls: bool,
    authority: &str,
) -> Result<http::Request<WasiBody>, Error> {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    match sender {
        Sender::H1(_) => {
            *request.version_mut() = http::Version::HTTP_11;
            request.headers_mut().insert(
                http::header::HOST,
                http::HeaderValue::from_str(authority).map_err(|_| Error::HttpRequestUriInvalid)?,
            );
            *request.uri_mut() = http::Uri::builder()
                .path_and_query(path)
                .build()
                .map_err(|_| Error::HttpRequestUriInvalid)?;
        }
        Sender::H2(_) => {
            *request.version_mut() = http::Version::HTTP_2;
            request.headers_mut().remove(http::header::HOST);
            *request.uri_mut() = http::Uri::builder()
                .scheme(if use_tls { "https" } else { "http" })
                .authority(authority)
                .path_and_query(path)
                .build()
                .map_err(|_| Error::HttpRequestUriInvalid)?;
        }
    }
    Ok(request)
}

/// Aborts a task when dropped, unless disarmed first.
struct AbortOnDrop(Option<tokio::task::AbortHandle>);

impl AbortOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

/// A send failure; `NotSent` hands the request back, so it may be retried elsewhere.
enum SendError {
    NotSent(hyper::Error, Box<http::Request<WasiBody>>),
    Failed(hyper::Error),
}

impl From<hyper::client::conn::TrySendError<http::Request<WasiBody>>> for SendError {
    fn from(mut e: hyper::client::conn::TrySendError<http::Request<WasiBody>>) -> Self {
        match e.take_message() {
            Some(request) => SendError::NotSent(e.into_error(), Box::new(request)),
            None => SendError::Failed(e.into_error()),
        }
    }
}
