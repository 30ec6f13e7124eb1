//! Instances for requests. By default every request gets a fresh instance, as in Spin: nothing
//! a guest leaves in its globals reaches the next request.
//!
//! `RuntimeOptions::max_instance_reuse` above 1 opts into what `wasmtime serve
//! --max-instance-reuse-count` offers WASIp2 guests: an instance that answered cleanly (no
//! trap, no timeout) is parked and handed a later request for the same component, up to that
//! many requests in all, one at a time. Instances parked longer than
//! `RuntimeOptions::idle_instance_timeout` are dropped. It saves instantiation and teardown,
//! nearly half of a direct request's CPU (`cargo bench -p courier-bench`), at the price of
//! globals that persist between requests; hence opt-in. Resources a guest keeps past `handle`
//! (a response body it never finishes, say) live as long as its instance.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::Store;
use wasmtime_wasi_http::p2::bindings::Proxy;

use crate::state::State;

/// A store with its component instantiated in it.
pub(crate) struct Instance {
    pub store: Store<State>,
    pub proxy: Proxy,
    /// Requests this instance has been handed so far.
    pub served: u32,
}

/// The parked instances of one component: a list per serving thread, each in the order its
/// instances were parked. An instance stays with the thread that made it, so its memory stays
/// in that core's caches and the threads never contend for a lock (with one shared list, the
/// p99 at 8 connections was two to three times longer in `COURIER_BENCH_QUICK` runs).
pub(crate) struct Parked {
    per_thread: Vec<Mutex<Vec<(Instance, Instant)>>>,
    budget: Arc<ParkingBudget>,
}

/// How many instances an engine may keep parked, over all its apps and components: half its
/// instance pool, so that idle instances never leave a live request without a slot.
pub(crate) struct ParkingBudget {
    parked: AtomicUsize,
    limit: usize,
}

impl ParkingBudget {
    pub fn new(limit: usize) -> Self {
        Self {
            parked: AtomicUsize::new(0),
            limit,
        }
    }

    fn reserve(&self) -> bool {
        self.parked
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .is_ok()
    }

    fn release(&self, count: usize) {
        self.parked.fetch_sub(count, Ordering::Relaxed);
    }
}

impl Parked {
    pub fn new(serving_threads: usize, budget: Arc<ParkingBudget>) -> Self {
        Self {
            per_thread: (0..serving_threads.max(1))
                .map(|_| Mutex::default())
                .collect(),
            budget,
        }
    }

    /// This thread's list (the first one off the serving threads).
    fn here(&self) -> &Mutex<Vec<(Instance, Instant)>> {
        let thread = crate::workers::current().unwrap_or(0);
        &self.per_thread[thread % self.per_thread.len()]
    }

    /// The instance this thread parked last, dropping those idle past `idle_timeout`.
    pub fn take(&self, idle_timeout: Duration) -> Option<Instance> {
        let (taken, stale) = {
            let mut idle = self.here().lock().unwrap();
            let stale = split_stale(&mut idle, idle_timeout);
            (idle.pop().map(|(instance, _)| instance), stale)
        };
        self.budget
            .release(stale.len() + usize::from(taken.is_some()));
        // Dropped outside the lock: tearing an instance down resets its memory.
        drop(stale);
        taken
    }

    /// Keep `instance` for a later request, unless the engine's budget is spent (then it is
    /// dropped here).
    pub fn park(&self, instance: Instance) {
        if self.budget.reserve() {
            let mut idle = self.here().lock().unwrap();
            idle.push((instance, Instant::now()));
        }
    }

    /// Drop the instances idle past `idle_timeout`, so a quiet app gives its memory back.
    pub fn sweep(&self, idle_timeout: Duration) {
        for idle in &self.per_thread {
            let stale = split_stale(&mut idle.lock().unwrap(), idle_timeout);
            self.budget.release(stale.len());
            drop(stale);
        }
    }
}

/// Remove and return the entries idle past `idle_timeout`; they are the oldest, at the front.
fn split_stale<T>(idle: &mut Vec<(T, Instant)>, idle_timeout: Duration) -> Vec<(T, Instant)> {
    let now = Instant::now();
    let stale = idle.partition_point(|(_, parked)| now.duration_since(*parked) >= idle_timeout);
    if stale == 0 {
        return Vec::new();
    }
    idle.drain(..stale).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_entries_idle_past_the_timeout_are_split_off() {
        let now = Instant::now();
        let mut idle = vec![
            ("old", now - Duration::from_secs(5)),
            ("older-than-timeout", now - Duration::from_secs(2)),
            ("recent", now - Duration::from_millis(100)),
            ("new", now),
        ];
        let stale = split_stale(&mut idle, Duration::from_secs(1));
        fn names(entries: &[(&'static str, Instant)]) -> Vec<&'static str> {
            entries.iter().map(|(name, _)| *name).collect()
        }
        assert_eq!(names(&stale), ["old", "older-than-timeout"]);
        assert_eq!(names(&idle), ["recent", "new"]);
        assert!(split_stale(&mut idle, Duration::from_secs(1)).is_empty());
        assert_eq!(split_stale(&mut idle, Duration::ZERO).len(), 2);
        assert!(idle.is_empty());
    }
}
