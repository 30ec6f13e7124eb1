//! A closed-loop load generator: `connections` keep-alive HTTP/1.1 connections, each sending
//! the next GET as soon as the previous response has been read in full.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// When a run stops.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    For(Duration),
    /// Exactly this many requests in total, over all connections.
    Requests(u64),
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latency of every successful request, in microseconds.
    pub latencies_us: Vec<u32>,
    /// CPU seconds this process (the load generator and the upstream) used during the run.
    pub harness_cpu_s: f64,
    /// The share of the machine's CPU time that was idle during the run.
    pub machine_idle: f64,
}

impl Outcome {
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile_us(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let i = ((sorted.len() - 1) as f64 * p).round() as usize;
        sorted[i] as f64
    }
}

/// One GET, on a fresh connection, for checking a target answers as expected.
pub async fn get_once(addr: SocketAddr, path: &str) -> Result<(u16, String)> {
    let mut conn = Conn::open(addr).await?;
    let (status, body) = conn.get(addr, path).await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

struct Conn {
    sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connect {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Self { sender })
    }

    async fn get(&mut self, addr: SocketAddr, path: &str) -> Result<(u16, Bytes)> {
        self.sender.ready().await?;
        let request = http::Request::get(path)
            .header(http::header::HOST, addr.to_string())
            .body(Empty::new())?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// Run GET `path` against `addr` over `connections` connections until `limit`.
/// A response other than 200 with a body starting `status=200` counts as an error.
pub async fn run(
    addr: SocketAddr,
    path: &str,
    connections: usize,
    limit: Limit,
) -> Result<Outcome> {
    let harness_cpu = crate::servers::process_cpu_seconds("self")?;
    let machine = crate::servers::machine_ticks()?;
    let remaining = Arc::new(AtomicU64::new(match limit {
        Limit::Requests(n) => n,
        Limit::For(_) => u64::MAX,
    }));
    let started = Instant::now();
    let deadline = match limit {
        Limit::For(d) => Some(started + d),
        Limit::Requests(_) => None,
    };
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let remaining = remaining.clone();
        let path = path.to_string();
        tasks.push(tokio::spawn(async move {
            let mut outcome = Outcome::default();
            let mut conn = Conn::open(addr).await?;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                // Take one request from the shared budget.
                if remaining
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_err()
                {
                    break;
                }
                let sent = Instant::now();
                match conn.get(addr, &path).await {
                    Ok((200, body))
                        if body.starts_with(b"status=200") || !path.contains("fetch") =>
                    {
                        outcome.ok += 1;
                        let us = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
                        outcome.latencies_us.push(us);
                    }
                    Ok(_) => outcome.errors += 1,
                    Err(_) => {
                        outcome.errors += 1;
                        conn = Conn::open(addr).await?;
                    }
                }
            }
            anyhow::Ok(outcome)
        }));
    }
    let mut total = Outcome::default();
    for task in tasks {
        let outcome = task.await??;
        total.ok += outcome.ok;
        total.errors += outcome.errors;
        total.latencies_us.extend(outcome.latencies_us);
    }
    total.elapsed = started.elapsed();
    total.harness_cpu_s = crate::servers::process_cpu_seconds("self")? - harness_cpu;
    let (busy, idle) = crate::servers::machine_ticks()?;
    let (busy, idle) = (busy - machine.0, idle - machine.1);
    total.machine_idle = idle as f64 / (busy + idle).max(1) as f64;
    Ok(total)
}
