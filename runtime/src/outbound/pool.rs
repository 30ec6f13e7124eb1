//! Keep-alive connections shared by every instance of an app, and the connection permits of
//! `[outbound_http] max_connections`.
//!
//! HTTP/1.1 connections are checked out by one request at a time and come back when the
//! response body ends; an HTTP/2 connection is shared by all requests to its origin. A
//! permit lives as long as its connection (spec section 6: limits count connections).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body, Frame};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use wasmtime_wasi_http::WasiBody;

/// Idle connections older than this are closed rather than reused (servers time out too).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle HTTP/1.1 connections kept per origin.
const MAX_IDLE_PER_ORIGIN: usize = 256;

/// One origin as seen by the pool. `tls` names the TLS configuration (0 for cleartext), so
/// components with different client identities never share a connection; `h2c` marks
/// cleartext HTTP/2 with prior knowledge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolKey {
    pub host: String,
    pub port: u16,
    pub tls: usize,
    pub h2c: bool,
}

pub enum Sender {
    H1(H1),
    H2(http2::SendRequest<WasiBody>),
}

/// An HTTP/1.1 connection, the serving thread whose runtime drives it, and its task.
pub struct H1 {
    pub sender: http1::SendRequest<WasiBody>,
    pub driver: Option<usize>,
    /// The task driving the connection, to end it when a request on it is abandoned.
    pub task: tokio::task::AbortHandle,
}

impl H1 {
    /// A connection just opened here: its task runs on this thread.
    pub fn opened_here(
        sender: http1::SendRequest<WasiBody>,
        task: tokio::task::AbortHandle,
    ) -> Self {
        Self {
            sender,
            driver: crate::workers::current(),
            task,
        }
    }
}

struct Idle {
    connection: H1,
    since: Instant,
}

impl Idle {
    fn now(connection: H1) -> Self {
        Self {
            connection,
            since: Instant::now(),
        }
    }
}

pub struct Pool {
    enabled: bool,
    h1: Mutex<HashMap<PoolKey, Vec<Idle>>>,
    h2: Mutex<HashMap<PoolKey, http2::SendRequest<WasiBody>>>,
    permits: Option<Arc<Semaphore>>,
    /// Signalled when a connection comes back, for requests waiting on a full limit.
    returned: Notify,
}

/// What a request waiting for a connection gets.
pub enum Slot {
    /// A permit (`None` when unlimited) to open a new connection.
    New(Option<OwnedSemaphorePermit>),
    /// A pooled connection that came back while waiting.
    Reused(Sender),
}

impl Pool {
    pub fn new(enabled: bool, max_connections: Option<usize>) -> Self {
        Self {
            enabled,
            h1: Mutex::new(HashMap::new()),
            h2: Mutex::new(HashMap::new()),
            permits: max_connections
                .map(|n| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)))),
            returned: Notify::new(),
        }
    }

    /// A live connection to `key`, if one is idle (HTTP/1.1) or shared (HTTP/2).
    pub fn checkout(&self, key: &PoolKey) -> Option<Sender> {
        if !self.enabled {
            return None;
        }
        {
            let mut h2 = self.h2.lock().unwrap_or_else(|e| e.into_inner());
            match h2.get(key) {
                Some(s) if !s.is_closed() => return Some(Sender::H2(s.clone())),
                Some(_) => {
                    h2.remove(key);
                }
                None => {}
            }
        }
        let mut h1 = self.h1.lock().unwrap_or_else(|e| e.into_inner());
        let idle = h1.get_mut(key)?;
        let now = Instant::now();
        idle.retain(|e| !e.connection.sender.is_closed() && now - e.since < IDLE_TIMEOUT);
        // A connection driven by this thread answers without waking another core; otherwise
        // the most recently used, the least likely to have been closed by the server.
        let here = crate::workers::current();
        let pick = idle
            .iter()
            .rposition(|e| e.connection.driver == here)
            .or(idle.len().checked_sub(1))?;
        Some(Sender::H1(idle.remove(pick).connection))
    }

    /// Offer a connection for reuse; with pooling off it is dropped, which closes it.
    pub fn give_back(&self, key: &PoolKey, sender: Sender) {
        if !self.enabled {
            return;
        }
        match sender {
            Sender::H1(connection) => {
                if connection.sender.is_closed() {
                    return;
                }
                let mut h1 = self.h1.lock().unwrap_or_else(|e| e.into_inner());
                // Closed and expired entries are dropped by `checkout`, the next to look.
                match h1.get_mut(key) {
                    Some(idle) if idle.len() >= MAX_IDLE_PER_ORIGIN => {}
                    Some(idle) => idle.push(Idle::now(connection)),
                    // The key is cloned once per origin, not on every return.
                    None => {
                        h1.insert(key.clone(), vec![Idle::now(connection)]);
                    }
                }
                drop(h1);
                self.returned.notify_waiters();
            }
            Sender::H2(sender) => {
                self.h2
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key.clone(), sender);
                self.returned.notify_waiters();
            }
        }
    }

    /// Wait for a permit to open a connection to `key` (unlimited: none needed), or for a
    /// pooled connection to `key` to come back, whichever is first. While waiting, idle
    /// connections to other origins are closed so that they cannot starve this one.
    pub async fn wait_for_connection(&self, key: &PoolKey) -> Slot {
        let Some(permits) = &self.permits else {
            return Slot::New(None);
        };
        loop {
            let returned = self.returned.notified();
            tokio::pin!(returned);
            // Register before looking, so a return between the look and the wait is not lost.
            returned.as_mut().enable();
            if let Ok(permit) = permits.clone().try_acquire_owned() {
                return Slot::New(Some(permit));
            }
            if let Some(sender) = self.checkout(key) {
                return Slot::Reused(sender);
            }
            self.close_one_idle(key);
            tokio::select! {
                // The semaphore is never closed, so this only waits.
                permit = permits.clone().acquire_owned() => return Slot::New(permit.ok()),
                _ = returned => {}
            }
        }
    }

    /// Frees a permit for `wanted`: the oldest idle HTTP/1.1 connection, else the pool's hold
    /// on an HTTP/2 connection to another origin.
    fn close_one_idle(&self, wanted: &PoolKey) {
        let mut h1 = self.h1.lock().unwrap_or_else(|e| e.into_inner());
        let oldest = h1
            .iter()
            .filter_map(|(k, v)| v.first().map(|e| (k.clone(), e.since)))
            .min_by_key(|(_, since)| *since);
        if let Some((key, _)) = oldest {
            if let Some(idle) = h1.get_mut(&key) {
                // Dropping the sender ends the connection task, which releases its permit.
                idle.remove(0);
                return;
            }
        }
        drop(h1);
        // An HTTP/2 connection is shared, so the pool cannot tell an idle one from a busy one.
        // Without the pool's sender, hyper's connection ends once its open streams have (h2
        // closes when every handle and stream is gone), and so does its permit; requests
        // still in flight on it finish.
        let mut h2 = self.h2.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(other) = h2.keys().find(|k| *k != wanted).cloned() {
            h2.remove(&other);
        }
    }
}

/// A response body that returns its HTTP/1.1 connection to the pool once it has been read to
/// the end. Dropped early, it takes the connection down with it.
pub struct PooledBody {
    body: Incoming,
    give_back: Option<(Arc<Pool>, PoolKey, H1)>,
}

impl PooledBody {
    pub fn new(body: Incoming, give_back: Option<(Arc<Pool>, PoolKey, H1)>) -> Self {
        let mut this = Self { body, give_back };
        // An empty body (204, HEAD, Content-Length: 0) may never be polled.
        this.release_if_done();
        this
    }

    fn release_if_done(&mut self) {
        if self.body.is_end_stream() {
            if let Some((pool, key, connection)) = self.give_back.take() {
                pool.give_back(&key, Sender::H1(connection));
            }
        }
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) if !frame.is_trailers() => self.release_if_done(),
            // The end, or trailers, which end a chunked message: hyper's `is_end_stream` stays
            // false after them, and a reader holding the trailers (wasmtime) never polls on.
            Poll::Ready(Some(Ok(_))) | Poll::Ready(None) => {
                if let Some((pool, key, connection)) = self.give_back.take() {
                    pool.give_back(&key, Sender::H1(connection));
                }
            }
            Poll::Ready(Some(Err(_))) => self.give_back = None,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
