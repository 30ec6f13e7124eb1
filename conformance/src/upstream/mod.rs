//! Recording upstream test servers, started per cell on loopback with ephemeral ports.
//!
//! Every server records what crossed the wire: each accepted connection, and each request's
//! method, target, headers in order with their names as sent, body length and sha256, framing
//! and trailers. Modes: echo, echo-headers, static, chunked, slow, closed (nothing listens),
//! blackhole (connects hang); protocols: HTTP/1.1, HTTP/2 prior knowledge, HTTPS with a test CA.

mod h2;
mod http1;
mod special;
pub mod tls;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

use crate::case::{Bind, Echo, Mode, Protocol, Reply, UpstreamSpec};
use crate::protocol::Body;

pub use tls::TestCa;

/// One request as the server received it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordedRequest {
    /// Which accepted connection (0, 1, …) carried it.
    pub conn: u64,
    pub method: String,
    pub target: String,
    pub version: String,
    /// In arrival order, names as sent (HTTP/2 names are lower-case by protocol).
    pub headers: Vec<(String, String)>,
    pub body_len: u64,
    pub body_sha256: String,
    /// Whether the body came with `transfer-encoding: chunked`.
    pub chunked: bool,
    pub trailers: Vec<(String, String)>,
    /// The first 64 KiB of the body.
    #[serde(skip)]
    pub body_prefix: Vec<u8>,
}

impl RecordedRequest {
    /// Every value of a header, by case-insensitive name.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        crate::judge::values(&self.headers, name)
    }
}

/// Everything one server saw.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    pub connections: u64,
    pub requests: Vec<RecordedRequest>,
    /// Requests whose head arrived but whose body never completed.
    pub incomplete: u64,
}

pub(crate) struct State {
    pub record: Mutex<Record>,
    pub spec: UpstreamSpec,
    tasks: Mutex<Vec<AbortHandle>>,
}

impl State {
    pub fn new_connection(&self) -> u64 {
        let mut r = self.record.lock().expect("record lock");
        r.connections += 1;
        r.connections - 1
    }

    pub fn push(&self, req: RecordedRequest) {
        self.record.lock().expect("record lock").requests.push(req);
    }

    pub fn incomplete(&self) {
        self.record.lock().expect("record lock").incomplete += 1;
    }

    pub fn track(&self, h: AbortHandle) {
        let mut t = self.tasks.lock().expect("tasks lock");
        t.retain(|h| !h.is_finished());
        t.push(h);
    }

    /// The reply for a request path.
    pub fn reply_for(&self, target: &str) -> Reply {
        let path = target.split('?').next().unwrap_or(target);
        if let Some(r) = self
            .spec
            .routes
            .iter()
            .find(|r| r.path.as_deref() == Some(path))
        {
            return r.clone();
        }
        if let Some(r) = &self.spec.reply {
            return r.clone();
        }
        default_reply(self.spec.mode)
    }
}

/// The reply a mode gives to any path without a route.
pub fn default_reply(mode: Mode) -> Reply {
    let mut r = Reply::default();
    match mode {
        Mode::Echo => r.echo = Some(Echo::Body),
        Mode::EchoHeaders => r.echo = Some(Echo::Headers),
        Mode::Static | Mode::Closed | Mode::Blackhole | Mode::Silent => {
            r.status = Some(404);
            r.body = Some(crate::case::BodySpec(Body::Text("not found".into())));
        }
        Mode::Chunked => r.chunks = Some(vec!["one".into(), "two".into(), "three".into()]),
        Mode::Slow => {
            r.first_byte_ms = 5000;
            r.body = Some(crate::case::BodySpec(Body::Text("slow".into())));
        }
    }
    r
}

/// A running (or deliberately absent) upstream server.
pub struct Upstream {
    pub addr: SocketAddr,
    pub scheme: &'static str,
    state: Arc<State>,
    accept: Option<AbortHandle>,
    _hold: special::Hold,
}

impl Upstream {
    pub fn record(&self) -> Record {
        self.state.record.lock().expect("record lock").clone()
    }

    /// Stops accepting and drops every connection.
    pub fn stop(&self) {
        if let Some(a) = &self.accept {
            a.abort();
        }
        for t in self.state.tasks.lock().expect("tasks lock").drain(..) {
            t.abort();
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A fresh loopback address for one cell, so servers on fixed ports (80) never clash.
pub fn next_cell_ip() -> Ipv4Addr {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let base = 100 + (std::process::id() % 100) as u8;
    // Hosts 1..=254 under 256 third octets: 65,024 cells before an address repeats.
    let host = (n % 254) as u8 + 1;
    let net = (n / 254 % 256) as u8;
    Ipv4Addr::new(127, base, net, host)
}

#[cfg(test)]
mod cell_ip_tests {
    use super::next_cell_ip;

    #[test]
    fn hundreds_of_cells_get_distinct_addresses_without_overflow() {
        // Five languages by 65 cases is 325 cells: past one octet's worth.
        let ips: std::collections::HashSet<_> = (0..1000).map(|_| next_cell_ip()).collect();
        assert_eq!(ips.len(), 1000);
        assert!(ips
            .iter()
            .all(|ip| ip.octets()[3] != 0 && ip.octets()[3] != 255));
    }
}

/// Starts one upstream server as the spec says.
pub async fn start(
    spec: &UpstreamSpec,
    ca: &TestCa,
    cell_ip: Ipv4Addr,
) -> anyhow::Result<Upstream> {
    let ip: IpAddr = match spec.bind {
        Bind::V4 => Ipv4Addr::LOCALHOST.into(),
        Bind::V6 => std::net::Ipv6Addr::LOCALHOST.into(),
        Bind::Cell => cell_ip.into(),
    };
    let state = Arc::new(State {
        record: Mutex::new(Record::default()),
        spec: spec.clone(),
        tasks: Mutex::new(Vec::new()),
    });
    let scheme = if spec.protocol.is_tls() {
        "https"
    } else {
        "http"
    };
    match spec.mode {
        Mode::Closed => {
            let (addr, hold) = special::closed_port(ip).await?;
            return Ok(Upstream {
                addr,
                scheme,
                state,
                accept: None,
                _hold: hold,
            });
        }
        Mode::Blackhole => {
            let (addr, hold) = special::blackhole(ip).await?;
            return Ok(Upstream {
                addr,
                scheme,
                state,
                accept: None,
                _hold: hold,
            });
        }
        _ => {}
    }
    let bind = SocketAddr::new(ip, spec.port.unwrap_or(0));
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    let tls = match spec.protocol {
        Protocol::Https => Some(ca.acceptor()),
        Protocol::H2 => Some(ca.acceptor_h2()),
        Protocol::Http1 | Protocol::H2c => None,
    };
    let protocol = spec.protocol;
    let silent = spec.mode == Mode::Silent;
    let st = state.clone();
    let accept = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let conn = st.new_connection();
            let st2 = st.clone();
            let tls = tls.clone();
            let task = tokio::spawn(async move {
                if silent {
                    let _held = stream;
                    return std::future::pending().await;
                }
                match (protocol, tls) {
                    (Protocol::H2c, _) => h2::serve(stream, conn, st2).await,
                    (Protocol::H2, Some(acceptor)) => {
                        if let Ok(s) = acceptor.accept(stream).await {
                            h2::serve(s, conn, st2).await
                        }
                    }
                    (Protocol::Https, Some(acceptor)) => {
                        if let Ok(s) = acceptor.accept(stream).await {
                            http1::serve(s, conn, st2).await
                        }
                    }
                    _ => http1::serve(stream, conn, st2).await,
                }
            });
            st.track(task.abort_handle());
        }
    });
    Ok(Upstream {
        addr,
        scheme,
        state,
        accept: Some(accept.abort_handle()),
        _hold: special::Hold::None,
    })
}

/// A reply's body as the pieces it is sent in: its `chunks`, else the whole body as one piece
/// (none when it is empty).
pub(crate) fn body_pieces<'a>(reply: &'a Reply, bytes: &'a [u8]) -> Vec<&'a [u8]> {
    match &reply.chunks {
        Some(chunks) => chunks.iter().map(|c| c.as_bytes()).collect(),
        None => [bytes].into_iter().filter(|b| !b.is_empty()).collect(),
    }
}

/// The bytes and extra headers a reply sends for a request.
pub(crate) fn reply_body(
    reply: &Reply,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (Vec<u8>, Vec<(String, String)>) {
    let mut extra = Vec::new();
    let bytes = match reply.echo {
        Some(Echo::Body) => {
            if let Some((_, ct)) = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                extra.push(("content-type".to_string(), ct.clone()));
            }
            body.to_vec()
        }
        Some(Echo::Headers) => {
            extra.push(("content-type".into(), "application/json".into()));
            serde_json::to_vec(headers).unwrap_or_default()
        }
        Some(Echo::Method) => method.as_bytes().to_vec(),
        Some(Echo::Target) => target.as_bytes().to_vec(),
        None => reply
            .body
            .as_ref()
            .and_then(|b| b.0.bytes().ok())
            .unwrap_or_default(),
    };
    (bytes, extra)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
