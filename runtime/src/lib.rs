//! Courier's reference runtime: serves Spin-style apps (manifest v2) whose components export
//! `wasi:http/incoming-handler` (any 0.2.x), and enforces Spin's outbound permission model.
//!
//! For: `courier up`, the conformance harness, and tests that need a real host. Not for:
//! Spin's non-HTTP triggers or host interfaces beyond wasi:http and wasi:cli.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let runtime = courier_runtime::Runtime::new(courier_runtime::RuntimeOptions::default())?;
//! let app = runtime
//!     .load(std::path::Path::new("spin.toml"), courier_runtime::LoadOptions::default())
//!     .await?;
//! let running = app.serve("127.0.0.1:0".parse()?).await?;
//! println!("serving on http://{}", running.local_addr());
//! running.shutdown().await;
//! # Ok(()) }
//! ```

mod app;
mod cache;
mod config;
mod engine;
mod error_code;
mod inbound;
mod instances;
mod limits;
mod manifest;
mod outbound;
mod routes;
mod state;
mod workers;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub use app::{App, LoadOptions};
pub use config::{ClientTls, RuntimeConfig};
pub use engine::RuntimeOptions;
pub use inbound::RunningApp;
pub use outbound::is_self_request;

/// One engine (and its compiled-component cache) shared by every app loaded through it.
#[derive(Clone)]
pub struct Runtime {
    engine: Arc<engine::EngineInner>,
}

impl Runtime {
    pub fn new(options: RuntimeOptions) -> anyhow::Result<Self> {
        Ok(Self {
            engine: Arc::new(engine::EngineInner::new(options)?),
        })
    }

    /// Compile the component at `path` into the caches (memory and disk) ahead of any app, so
    /// a later load, and the first request, do not wait on the compiler.
    pub async fn precompile(&self, path: &Path) -> anyhow::Result<()> {
        let engine = self.engine.clone();
        let path = path.to_path_buf();
        // Errors name the component after its file: there is no manifest id yet.
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        tokio::task::spawn_blocking(move || engine.prepare(&name, &path).map(|_| ())).await?
    }

    /// Load and validate the app at `manifest`, compiling its components (once per distinct file).
    pub async fn load(&self, manifest: &Path, options: LoadOptions) -> anyhow::Result<App> {
        let engine = self.engine.clone();
        let manifest = manifest.to_path_buf();
        // Compiling is CPU-bound; keep it off the async workers.
        tokio::task::spawn_blocking(move || app::load(engine, &manifest, &options)).await?
    }
}

impl App {
    /// Bind `listen` (port 0 picks a free port) and serve until the returned handle is dropped.
    pub async fn serve(self, listen: SocketAddr) -> anyhow::Result<RunningApp> {
        inbound::serve(self.shared, listen).await
    }
}
