//! Courier's reference runtime, in-process: one engine (and compiled-component cache) for the
//! whole run, one app per cell on an ephemeral loopback port. As `reference-reuse` it runs with
//! instance reuse on, and every case meets instances that have already served a request.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use futures::future::BoxFuture;

use super::{Adapter, AppFiles, Running, StartError};

pub struct Reference {
    runtime: courier_runtime::Runtime,
    xfail: BTreeMap<String, String>,
    reuse: bool,
}

impl Reference {
    pub fn new(xfail: BTreeMap<String, String>, reuse: bool) -> anyhow::Result<Reference> {
        let options = if reuse {
            courier_runtime::RuntimeOptions {
                max_instance_reuse: 1000,
                // One serving thread: an instance is parked on the thread that ran it, and
                // the case's requests must find the one the priming request left.
                serving_threads: 1,
                ..Default::default()
            }
        } else {
            courier_runtime::RuntimeOptions::default()
        };
        Ok(Reference {
            runtime: courier_runtime::Runtime::new(options)?,
            xfail,
            reuse,
        })
    }
}

struct Served(courier_runtime::RunningApp);

impl Running for Served {
    fn addr(&self) -> SocketAddr {
        self.0.local_addr()
    }
    fn stop(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(self.0.shutdown())
    }
}

impl Adapter for Reference {
    fn name(&self) -> &str {
        if self.reuse {
            "reference-reuse"
        } else {
            "reference"
        }
    }

    fn primes_instances(&self) -> bool {
        self.reuse
    }

    fn supports(&self, feature: &str) -> bool {
        crate::case::is_feature(feature)
    }

    fn xfail(&self) -> &BTreeMap<String, String> {
        &self.xfail
    }

    fn prepare<'a>(&'a self, component: &'a std::path::Path) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.runtime.precompile(component))
    }

    fn start<'a>(
        &'a self,
        app: &'a AppFiles,
    ) -> BoxFuture<'a, Result<Box<dyn Running>, StartError>> {
        Box::pin(async move {
            let options = courier_runtime::LoadOptions {
                runtime_config: app.runtime_config.clone(),
                test_only_resolve: app.resolve.clone().into_iter().collect(),
                ..Default::default()
            };
            let loaded = self
                .runtime
                .load(&app.manifest, options)
                .await
                .map_err(|e| StartError::Refused(format!("{e:#}")))?;
            let running = loaded.serve(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
            Ok(Box::new(Served(running)) as Box<dyn Running>)
        })
    }
}
