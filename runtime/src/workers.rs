//! Serving threads: one single-threaded tokio runtime per worker, each owning whole
//! connections. A connection, the instances it runs, their outbound requests and the tasks
//! wasmtime-wasi-http spawns for them all stay on one thread, so a request never wakes another
//! core. With a work-stealing runtime those wake-ups cost about a quarter of the CPU of a
//! request (measured with `cargo bench -p courier-bench`).
//!
//! One acceptor hands each new connection to the worker with the fewest open connections.
//! The price: a single HTTP/2 connection's streams share one core.

use std::cell::Cell;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::mpsc;

/// What a worker runs for each connection it is handed.
pub(crate) type Handler = Arc<
    dyn Fn(tokio::net::TcpStream, SocketAddr) -> Pin<Box<dyn Future<Output = ()> + Send>>
        + Send
        + Sync,
>;

thread_local! {
    static CURRENT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The index of the worker this thread is, if it is one (the outbound pool prefers
/// connections its own thread drives).
pub(crate) fn current() -> Option<usize> {
    CURRENT.with(Cell::get)
}

pub(crate) struct Workers {
    workers: Vec<Worker>,
}

struct Worker {
    queue: mpsc::UnboundedSender<(std::net::TcpStream, SocketAddr)>,
    /// Open connections, for picking the least loaded worker.
    open: Arc<AtomicUsize>,
    thread: std::thread::JoinHandle<()>,
}

/// Decrements a worker's connection count when its connection ends, however it ends.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Workers {
    /// Start `count` worker threads (at least one), each running `handler` per connection.
    pub fn start(count: usize, handler: Handler) -> anyhow::Result<Self> {
        let count = count.max(1);
        let mut workers = Vec::with_capacity(count);
        for index in 0..count {
            let cannot = || format!("cannot start serving thread {} of {count}", index + 1);
            let (queue, mut incoming) = mpsc::unbounded_channel();
            let open = Arc::new(AtomicUsize::new(0));
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .with_context(cannot)?;
            let handler = handler.clone();
            let counter = open.clone();
            let thread = std::thread::Builder::new()
                .name(format!("courier-http-{index}"))
                .spawn(move || {
                    CURRENT.with(|c| c.set(Some(index)));
                    runtime.block_on(async move {
                        while let Some((stream, peer)) = incoming.recv().await {
                            let guard = Open(counter.clone());
                            let stream = match tokio::net::TcpStream::from_std(stream) {
                                Ok(stream) => stream,
                                Err(e) => {
                                    tracing::warn!("cannot take connection from {peer}: {e}");
                                    continue;
                                }
                            };
                            let handle = handler(stream, peer);
                            tokio::spawn(async move {
                                let _guard = guard;
                                handle.await;
                            });
                        }
                    });
                    // Dropping the runtime here ends this worker's connections and instances.
                })
                .with_context(cannot)?;
            workers.push(Worker {
                queue,
                open,
                thread,
            });
        }
        Ok(Self { workers })
    }

    /// Hand a freshly accepted connection to the least loaded worker.
    pub fn dispatch(&self, stream: tokio::net::TcpStream, peer: SocketAddr) {
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!("cannot hand over connection from {peer}: {e}");
                return;
            }
        };
        let Some(worker) = self
            .workers
            .iter()
            .min_by_key(|w| w.open.load(Ordering::Relaxed))
        else {
            return;
        };
        worker.open.fetch_add(1, Ordering::Relaxed);
        if worker.queue.send((stream, peer)).is_err() {
            worker.open.fetch_sub(1, Ordering::Relaxed);
            tracing::error!("a serving thread has stopped; dropping connection from {peer}");
        }
    }

    /// Connections open on every worker.
    pub fn open_connections(&self) -> usize {
        self.workers
            .iter()
            .map(|w| w.open.load(Ordering::Relaxed))
            .sum()
    }

    /// Stop every worker (their connections end) and wait for the threads to exit.
    pub async fn stop(self) {
        let threads: Vec<_> = self
            .workers
            .into_iter()
            .map(|w| {
                drop(w.queue);
                w.thread
            })
            .collect();
        let _ = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
    }
}
