//! The memory limit of one instance, and a log line when a guest runs into it: the guest
//! itself usually reports only a failed allocation, which does not say whose limit it was.

use std::sync::Arc;

/// `wasmtime::StoreLimits`' memory rule (no growth past the limit or the memory's own
/// maximum), plus one warning per instance that meets the limit.
pub struct MemoryLimit {
    bytes: usize,
    component: Arc<str>,
    warned: bool,
}

impl MemoryLimit {
    pub fn new(bytes: usize, component: Arc<str>) -> Self {
        Self {
            bytes,
            component,
            warned: false,
        }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.bytes {
            if !self.warned {
                self.warned = true;
                tracing::warn!(
                    component = %self.component,
                    "memory.grow from {} MiB to {} MiB refused: past the instance memory limit of {} MiB",
                    current >> 20,
                    desired >> 20,
                    self.bytes >> 20
                );
            }
            return Ok(false);
        }
        Ok(maximum.is_none_or(|max| desired <= max))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|max| desired <= max))
    }
}
