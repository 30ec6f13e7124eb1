//! What one store (one component instance, serving one request at a time) holds.

use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::body::{HostOutgoingBody, StreamContext};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::limits::MemoryLimit;
use crate::outbound::OutboundHooks;

pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: OutboundHooks,
    pub limits: MemoryLimit,
    /// When the current request runs out of time; the epoch callback traps past it.
    pub deadline: Instant,
}

impl State {
    pub fn new(env: &[(String, String)], hooks: OutboundHooks, limits: MemoryLimit) -> Self {
        let wasi = WasiCtx::builder()
            .envs(env)
            .inherit_stdout()
            .inherit_stderr()
            .build();
        Self {
            wasi,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks,
            limits,
            deadline: Instant::now(),
        }
    }

    /// After a trap or a timeout: fail every body the guest had not finished. Dropping the
    /// store alone would end them as if complete, so a client would take a response cut short
    /// at the deadline for the whole of it.
    pub fn abort_unfinished_bodies(&mut self) {
        for entry in self.table.iter_mut() {
            if let Some(body) = entry.downcast_mut::<HostOutgoingBody>() {
                // `abort` takes the body by value; a fresh one stands in until the store goes.
                let (stand_in, _) = HostOutgoingBody::new(StreamContext::Response, None, 1, 1);
                std::mem::replace(body, stand_in).abort();
            }
        }
    }

    /// Ready this store for its next request.
    pub fn begin_request(&mut self, chain_depth: u32, deadline: Instant) {
        self.hooks.set_chain_depth(chain_depth);
        self.deadline = deadline;
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}
