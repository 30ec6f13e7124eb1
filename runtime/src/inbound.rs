//! Inbound requests: the HTTP server, routing, the `spin-*` headers, and running an instance
//! for each request (a fresh one unless instance reuse is on; see `crate::instances`).
//! Service chaining enters here too, in memory, with a synthetic route match.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket};
use wasmtime::{PoolConcurrencyLimitError, Store, Trap, UpdateDeadline};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{Error, WasiBody, WasiHttpView};

use crate::app::{AppShared, LoadedComponent};
use crate::instances::Instance;
use crate::limits::MemoryLimit;
use crate::outbound::OutboundHooks;
use crate::routes::RouteMatch;
use crate::state::State;
use crate::workers::Workers;

/// A served app; dropping it (or `shutdown`) stops the listener and its connections.
pub struct RunningApp {
    local_addr: SocketAddr,
    acceptor: Option<tokio::task::JoinHandle<()>>,
    workers: Option<Arc<Workers>>,
    app: Arc<AppShared>,
}

impl RunningApp {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stop accepting, end every connection and wait for the serving threads to exit.
    pub async fn shutdown(mut self) {
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.abort();
            let _ = acceptor.await;
        }
        if let Some(workers) = self.workers.take().and_then(Arc::into_inner) {
            workers.stop().await;
        }
        self.app.drop_idle_instances(Duration::ZERO);
    }

    /// Stop accepting, let each connection finish the request in hand (idle ones close at
    /// once), and after `grace` end whatever is left, as `shutdown` does.
    pub async fn shutdown_gracefully(self, grace: Duration) {
        if let Some(acceptor) = &self.acceptor {
            acceptor.abort();
        }
        self.app.draining.send_replace(true);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline
            && self
                .workers
                .as_ref()
                .is_some_and(|w| w.open_connections() > 0)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.shutdown().await;
    }

    /// Serve until the listener fails (for `courier up`, which races this against signals).
    pub async fn wait(&mut self) {
        if let Some(acceptor) = self.acceptor.as_mut() {
            let _ = acceptor.await;
        }
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        // The acceptor holds the other reference to the workers; with both gone the serving
        // threads see their queues close and exit.
        if let Some(acceptor) = &self.acceptor {
            acceptor.abort();
        }
    }
}

/// Connections the kernel may queue for us to accept (it caps this at `net.core.somaxconn`).
/// The usual 128 (std's, tokio's) overflows when a burst of clients connects at once, and
/// each client left out waits a second to send its SYN again.
const ACCEPT_BACKLOG: u32 = 1024;

fn bind(listen: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match listen {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    // As `TcpListener::bind` does: a restarted server may take its port back at once.
    socket.set_reuseaddr(true)?;
    socket.bind(listen)?;
    socket.listen(ACCEPT_BACKLOG)
}

pub(crate) async fn serve(app: Arc<AppShared>, listen: SocketAddr) -> anyhow::Result<RunningApp> {
    let listener = bind(listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}\n  hint: pick another address with --listen, e.g. 127.0.0.1:0"))?;
    let local_addr = listener.local_addr()?;
    if app.listen_addr.set(local_addr).is_err() {
        anyhow::bail!("this app is already being served; load it again to serve it twice");
    }
    let threads = app.engine.options.serving_threads();
    let handler_app = app.clone();
    let workers = Arc::new(Workers::start(
        threads,
        Arc::new(move |stream, peer| Box::pin(serve_connection(handler_app.clone(), stream, peer))),
    )?);
    let dispatcher = workers.clone();
    let idle_timeout = app.engine.options.idle_instance_timeout;
    let sweep_app = app.clone();
    let acceptor = tokio::spawn(async move {
        // Parked instances are dropped on this clock too (never ticks without instance reuse).
        let mut sweep = sweep_app
            .engine
            .options
            .reuses_instances()
            .then(|| tokio::time::interval(idle_timeout.max(Duration::from_millis(100))));
        let (mut quiet_errors, mut last_warned) = (0u32, None);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        dispatcher.dispatch(stream, peer);
                    }
                    Err(e) => {
                        // Out of file descriptors, say: give connections time to close, and
                        // say so once a second, not at every retry.
                        if last_warned.is_none_or(|t: Instant| t.elapsed() >= Duration::from_secs(1)) {
                            match quiet_errors {
                                0 => tracing::warn!("accept failed: {e}"),
                                n => tracing::warn!("accept failed: {e} (and {n} more times since the last warning)"),
                            }
                            last_warned = Some(Instant::now());
                            quiet_errors = 0;
                        } else {
                            quiet_errors += 1;
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                },
                _ = async { sweep.as_mut().unwrap().tick().await }, if sweep.is_some() => {
                    sweep_app.drop_idle_instances(idle_timeout);
                }
            }
        }
    });
    Ok(RunningApp {
        local_addr,
        acceptor: Some(acceptor),
        workers: Some(workers),
        app,
    })
}

/// One client connection, HTTP/1.1 or HTTP/2 (prior knowledge), on a serving thread.
async fn serve_connection(app: Arc<AppShared>, stream: tokio::net::TcpStream, peer: SocketAddr) {
    let header_read_timeout = app.engine.options.header_read_timeout;
    let mut draining = app.draining.subscribe();
    // hyper's own timer starts once it knows the protocol, which takes a first byte: a client
    // that sends none is bounded here.
    if tokio::time::timeout(header_read_timeout, stream.readable())
        .await
        .is_err()
    {
        tracing::debug!("connection from {peer}: nothing sent within {header_read_timeout:?}");
        return;
    }
    let service = hyper::service::service_fn(move |req| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(handle_network_request(app, req, peer).await) }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // A client gets this long for each request head, and an idle keep-alive connection for
    // its next one; without it, clients that never finish a head hold sockets forever.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        // The server is stopping: finish the request in hand, then close.
        _ = async { draining.wait_for(|d| *d).await.is_ok() } => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!("connection from {peer}: {e}");
    }
}

async fn handle_network_request(
    app: Arc<AppShared>,
    mut req: Request<hyper::body::Incoming>,
    peer: SocketAddr,
) -> Response<WasiBody> {
    // Spin's own paths come before the router; chained requests never see them.
    if let Some(well_known) = req.uri().path().strip_prefix("/.well-known/spin/") {
        return match well_known {
            "health" => plain(StatusCode::OK, "OK"),
            "info" => {
                let mut response = plain(StatusCode::OK, app.info.clone());
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                response
            }
            _ => plain(StatusCode::NOT_FOUND, ""),
        };
    }
    let Some(route) = app.router.route(req.uri().path()) else {
        // Empty, as Spin answers.
        return plain(StatusCode::NOT_FOUND, "");
    };
    let listen = app.listen_addr.get().copied().unwrap_or(peer);
    let headers = req.headers_mut();
    // Anti-spoofing: a client may not pretend to be a chained request.
    headers.remove(http::header::CONNECTION);
    let host = match headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
    {
        Some(h) if courier_policy::chaining_target(h.split(':').next().unwrap_or(h)).is_some() => {
            headers.remove(http::header::HOST);
            listen.to_string()
        }
        Some(h) if h.parse::<http::uri::Authority>().is_ok() => h.to_string(),
        _ => listen.to_string(),
    };
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let full_url = format!("http://{host}{path_and_query}");
    let Ok(uri) = full_url.parse() else {
        return plain(StatusCode::BAD_REQUEST, "Bad Request");
    };
    *req.uri_mut() = uri;
    set_spin_headers(req.headers_mut(), &route, &full_url, &peer.to_string());
    run(app, &route.component, 0, req).await
}

/// Hand `request` to component `target` in memory (`http://<target>.spin.internal/...`).
pub(crate) async fn chain(
    app: Arc<AppShared>,
    target: &str,
    depth: u32,
    mut request: Request<WasiBody>,
) -> Result<Response<WasiBody>, Error> {
    if !app.components.contains_key(target) {
        // Spin traps the caller here; a clear error code serves the guest better.
        tracing::error!("service chaining: no component `{target}` in this app");
        return Err(Error::DestinationNotFound);
    }
    let uri = request.uri().clone();
    let path = uri.path().to_string();
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or(target);
    let scheme = uri.scheme_str().unwrap_or("http");
    // The target sees the URL the caller asked for (Spin reports `http://localhost/...` by accident).
    let full_url = format!("{scheme}://{authority}{path_and_query}");
    *request.uri_mut() = full_url.parse().map_err(|_| Error::HttpRequestUriInvalid)?;
    set_spin_headers(
        request.headers_mut(),
        &RouteMatch::synthetic(target, &path),
        &full_url,
        "0.0.0.0:0",
    );
    let head = request.method() == http::Method::HEAD;
    let mut response = run(app, target, depth, request).await;
    // As on a network hop, where hyper sends none: an answer to a HEAD, a 204 and a 304
    // carry no body, whatever the target wrote (its headers, content-length included, stay).
    let bodiless = matches!(
        response.status(),
        StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
    );
    if head || bodiless {
        *response.body_mut() = full_body(Bytes::new());
    }
    Ok(response)
}

/// The `spin-*` headers a component sees (spec section 3.5). Client-sent `spin-*` headers are
/// removed first, so a guest can trust them (Spin appends, which lets clients spoof them).
fn set_spin_headers(
    headers: &mut http::HeaderMap,
    route: &RouteMatch,
    full_url: &str,
    client_addr: &str,
) {
    // Named once: this runs on every request and chained hop.
    static FULL_URL: HeaderName = HeaderName::from_static("spin-full-url");
    static PATH_INFO: HeaderName = HeaderName::from_static("spin-path-info");
    static MATCHED_ROUTE: HeaderName = HeaderName::from_static("spin-matched-route");
    static RAW_COMPONENT_ROUTE: HeaderName = HeaderName::from_static("spin-raw-component-route");
    static COMPONENT_ROUTE: HeaderName = HeaderName::from_static("spin-component-route");
    static BASE_PATH: HeaderName = HeaderName::from_static("spin-base-path");
    static CLIENT_ADDR: HeaderName = HeaderName::from_static("spin-client-addr");

    if headers.keys().any(|k| k.as_str().starts_with("spin-")) {
        let spoofed: Vec<HeaderName> = headers
            .keys()
            .filter(|k| k.as_str().starts_with("spin-"))
            .cloned()
            .collect();
        for name in spoofed {
            headers.remove(name);
        }
    }
    let mut set = |name: &HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.append(name.clone(), v);
        }
    };
    set(&FULL_URL, full_url);
    set(&PATH_INFO, &route.path_info);
    set(&MATCHED_ROUTE, &route.raw_route);
    set(&RAW_COMPONENT_ROUTE, &route.raw_route);
    set(&COMPONENT_ROUTE, &route.component_route);
    set(&BASE_PATH, "/");
    set(&CLIENT_ADDR, client_addr);
    for (name, value) in &route.params {
        let header = format!(
            "spin-path-match-{}",
            name.to_ascii_lowercase().replace('_', "-")
        );
        if let Ok(name) = HeaderName::from_bytes(header.as_bytes()) {
            set(&name, value);
        }
    }
}

/// Run one instance of `component` for `request`. A trap, a timeout, or a guest that never
/// answers gives this request a 500 and affects nothing else.
async fn run<B>(
    app: Arc<AppShared>,
    component: &str,
    depth: u32,
    request: Request<B>,
) -> Response<WasiBody>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Error>,
{
    let Some(loaded) = app.components.get(component) else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "");
    };
    match start_instance(&app, loaded, component, depth, request) {
        Ok(response) => response.await,
        Err(e) => {
            tracing::error!(component, "cannot start an instance: {e:#}");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "")
        }
    }
}

fn start_instance<B>(
    app: &Arc<AppShared>,
    loaded: &LoadedComponent,
    component: &str,
    depth: u32,
    request: Request<B>,
) -> anyhow::Result<impl std::future::Future<Output = Response<WasiBody>>>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Error>,
{
    let options = &app.engine.options;
    let parked = options
        .reuses_instances()
        .then(|| loaded.parked.take(options.idle_instance_timeout))
        .flatten();
    let (mut store, proxy, served) = match parked {
        Some(instance) => (instance.store, Some(instance.proxy), instance.served),
        None => (new_store(app, loaded, component), None, 0),
    };
    // A timeout too large to add to now (`--request-timeout` near u64::MAX) means no limit.
    let now = Instant::now();
    let deadline = now
        .checked_add(options.request_timeout)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400));
    store.data_mut().begin_request(depth, deadline);
    store.set_epoch_deadline(1);

    let (sender, receiver) = tokio::sync::oneshot::channel();
    let req = store
        .data_mut()
        .http()
        .new_incoming_request(Scheme::Http, request)?;
    let out = store.data_mut().http().new_response_outparam(sender)?;
    let pre = loaded.pre.clone();
    // Another request after this one is within the limit (never, without instance reuse).
    let park = (served + 1 < options.max_instance_reuse).then(|| loaded.parked.clone());
    let timeout = options.request_timeout;
    let component = component.to_string();
    // The guest keeps running after it sends the head (it may still stream the body), so it
    // runs in its own task, bounded by the same deadline even while blocked in host calls.
    let task_component = component.clone();
    let task = tokio::spawn(async move {
        let call = async {
            let proxy = match proxy {
                Some(proxy) => proxy,
                None => pre.instantiate_async(&mut store).await?,
            };
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, req, out)
                .await?;
            wasmtime::Result::Ok(proxy)
        };
        // Biased to the deadline: once it has passed, the guest is not resumed for one more
        // slice (with many guests out of time at once, those slices added up to seconds).
        let result = tokio::select! {
            biased;
            () = passed(deadline) => Err(wasmtime::format_err!(
                "request exceeded its {timeout:?} deadline"
            )),
            result = call => result.map_err(|e: wasmtime::Error| match e.downcast_ref::<Trap>() {
                Some(Trap::Interrupt) => e.context(format!(
                    "request exceeded its {timeout:?} deadline in guest code"
                )),
                _ => e,
            }),
        };
        // Tearing the instance down (the pooling allocator resets its memory) takes a few µs;
        // let this thread write the response, or resume a chained caller, first.
        tokio::task::yield_now().await;
        match (result, park) {
            // Only an instance that returned cleanly is handed another request: after a trap
            // or a timeout its state is undefined.
            (Ok(proxy), Some(parked)) => {
                parked.park(Instance {
                    store,
                    proxy,
                    served: served + 1,
                });
                Ok(())
            }
            (Ok(_), None) => Ok(()),
            (Err(e), _) => {
                // The head may be out already: its body must end as an error, not as complete.
                store.data_mut().abort_unfinished_bodies();
                drop(store);
                if e.is::<PoolConcurrencyLimitError>() {
                    tracing::warn!(component = %task_component, "no instance free: {e}");
                } else {
                    tracing::error!(component = %task_component, "guest failed: {e:?}");
                }
                Err(e)
            }
        }
    });
    Ok(async move {
        match receiver.await {
            Ok(Ok(response)) => response,
            Ok(Err(code)) => {
                tracing::warn!(%component, "guest answered with error code {code:?}");
                plain(StatusCode::INTERNAL_SERVER_ERROR, "")
            }
            // No response: the task has logged why, if it failed.
            Err(_) => match task.await {
                Ok(Ok(())) => {
                    tracing::error!(%component, "guest never set a response");
                    plain(StatusCode::INTERNAL_SERVER_ERROR, "")
                }
                // Every instance is busy: the client may try again.
                Ok(Err(e)) if e.is::<PoolConcurrencyLimitError>() => {
                    let mut busy = plain(StatusCode::SERVICE_UNAVAILABLE, "");
                    busy.headers_mut().insert(
                        http::header::RETRY_AFTER,
                        http::HeaderValue::from_static("1"),
                    );
                    busy
                }
                Ok(Err(_)) => plain(StatusCode::INTERNAL_SERVER_ERROR, ""),
                Err(e) => {
                    tracing::error!(%component, "guest task failed: {e}");
                    plain(StatusCode::INTERNAL_SERVER_ERROR, "")
                }
            },
        }
    })
}

/// Ready once `deadline` has passed, judged by the clock on every poll: tokio's timer fires
/// only between batches of tasks, and a guest polled earlier in the batch would run one more
/// epoch slice.
async fn passed(deadline: Instant) {
    let mut timer = std::pin::pin!(tokio::time::sleep_until(deadline.into()));
    std::future::poll_fn(|cx| {
        if Instant::now() >= deadline {
            return std::task::Poll::Ready(());
        }
        std::future::Future::poll(timer.as_mut(), cx)
    })
    .await
}

/// A store for a new instance of `component`.
fn new_store(app: &Arc<AppShared>, loaded: &LoadedComponent, component: &str) -> Store<State> {
    let options = &app.engine.options;
    let hooks = OutboundHooks::new(app, component);
    let mut store = Store::new(
        &app.engine.engine,
        State::new(
            &loaded.env,
            hooks,
            MemoryLimit::new(options.instance_memory_limit, component.into()),
        ),
    );
    store.limiter(|state| &mut state.limits);
    // A serving thread runs many connections: a busy guest yields to them every epoch tick,
    // and traps once its request is out of time.
    store.epoch_deadline_callback(|store| {
        Ok(if Instant::now() >= store.data().deadline {
            UpdateDeadline::Interrupt
        } else {
            UpdateDeadline::Yield(1)
        })
    });
    store
}

fn plain(status: StatusCode, body: impl Into<Bytes>) -> Response<WasiBody> {
    let mut response = Response::new(full_body(body.into()));
    *response.status_mut() = status;
    response
}

fn full_body(bytes: Bytes) -> WasiBody {
    Full::new(bytes).map_err(|e| match e {}).boxed_unsync()
}
