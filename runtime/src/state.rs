//! What one store (one component instance, serving one request at a time) holds.

use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::outbound::OutboundHooks;

pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: OutboundHooks,
    pub limits: StoreLimits,
    /// When the current request runs out of time; the epoch callback traps past it.
    pub deadline: Instant,
}

impl State {
    pub fn new(env: &[(String, String)], hooks: OutboundHooks, memory_limit: usize) -> Self {
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
            limits: StoreLimitsBuilder::new().memory_size(memory_limit).build(),
            deadline: Instant::now(),
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
