//! A minimal async executor over `wasi:io/poll`.
//!
//! [`run`] drives one future to completion inside a component export. Whenever the future
//! is pending, every host object it waits on (a response, a body stream) is handed to a
//! single `wasi:io/poll.poll` call, so independent requests joined in one future (e.g. with
//! [`join_all`] or `futures::join!`) proceed concurrently.
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use crate::bindings::wasi::io::poll::{poll, Pollable};
/// Pollables that pending futures wait on, by registration key; `ready` is set by `run`.
struct Entry {
    pollable: Pollable,
    waker: Option<Waker>,
    ready: bool,
}
#[derive(Default)]
struct Reactor {
    next_key: u64,
    entries: BTreeMap<u64, Entry>,
}
thread_local! {
    static REACTOR : RefCell < Reactor > = RefCell::new(Reactor::default());
}
/// Wakes by raising a flag: `run` then polls the future again before blocking.
struct FlagWaker(AtomicBool);
impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}
/// Runs `future` to completion, blocking in `wasi:io/poll.poll` while it waits on the host.
///
/// # Panics
///
/// When the future is pending but waits on nothing this executor knows about (it would
/// never wake up), e.g. a future from another async runtime.
pub fn run<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let flag = Arc::new(FlagWaker(AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        flag.0.store(false, Ordering::SeqCst);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if flag.0.load(Ordering::SeqCst) {
            continue;
        }
        block_until_some_ready();
    }
}
/// One `poll` over every registered pollable; marks and wakes the ready ones.
fn block_until_some_ready() {
    let wakers = REACTOR
        .with(|reactor| {
            let mut reactor = reactor.borrow_mut();
            let keys: Vec<u64> = reactor.entries.keys().copied().collect();
            assert!(
                ! keys.is_empty(),
                "executor::run: the future is pending but waits on no wasi:io pollable"
            );
            let ready = {
                let pollables: Vec<&Pollable> = reactor
                    .entries
                    .values()
                    .map(|e| &e.pollable)
                    .collect();
                poll(&pollables)
            };
            let mut wakers = Vec::new();
            for index in ready {
                if let Some(entry) = reactor.entries.get_mut(&keys[index as usize]) {
                    entry.ready = true;
                    wakers.extend(entry.waker.take());
                }
            }
            wakers
        });
    for waker in wakers {
        waker.wake();
    }
}
/// Completes after `duration`, letting the other futures of [`run`] go on: with
/// `futures::select`, a deadline for work of your own (requests have their own timeouts,
/// `RequestOptions`).
pub async fn sleep(duration: std::time::Duration) {
    let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    wait(crate::bindings::wasi::clocks::monotonic_clock::subscribe_duration(nanos)).await
}
/// Completes when `pollable` is ready. The pollable is dropped when this future is, so a
/// parent resource (a stream, a response future) can be dropped right after.
pub fn wait(pollable: Pollable) -> Wait {
    Wait {
        pollable: Some(pollable),
        key: None,
    }
}
/// The future returned by [`wait`].
pub struct Wait {
    pollable: Option<Pollable>,
    key: Option<u64>,
}
impl Future for Wait {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(key) = self.key {
            let done = REACTOR
                .with(|reactor| {
                    let mut reactor = reactor.borrow_mut();
                    match reactor.entries.get_mut(&key) {
                        Some(entry) if entry.ready => true,
                        Some(entry) => {
                            entry.waker = Some(cx.waker().clone());
                            false
                        }
                        None => true,
                    }
                });
            if done {
                self.deregister();
                return Poll::Ready(());
            }
            return Poll::Pending;
        }
        let Some(pollable) = self.pollable.take() else {
            return Poll::Ready(());
        };
        if pollable.ready() {
            return Poll::Ready(());
        }
        let key = REACTOR
            .with(|reactor| {
                let mut reactor = reactor.borrow_mut();
                let key = reactor.next_key;
                reactor.next_key += 1;
                reactor
                    .entries
                    .insert(
                        key,
                        Entry {
                            pollable,
                            waker: Some(cx.waker().clone()),
                            ready: false,
                        },
                    );
                key
            });
        self.key = Some(key);
        Poll::Pending
    }
}
impl Wait {
    fn deregister(&mut self) {
        if let Some(key) = self.key.take() {
            let entry = REACTOR
                .with(|reactor| reactor.borrow_mut().entries.remove(&key));
            drop(entry);
        }
    }
}
impl Drop for Wait {
    fn drop(&mut self) {
        self.deregister();
    }
}
/// Runs every future concurrently and returns their outputs in order.
pub async fn join_all<F: Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
            let mut pending = false;
            for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
                if output.is_none() {
                    match future.as_mut().poll(cx) {
                        Poll::Ready(value) => *output = Some(value),
                        Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                Poll::Pending
            } else {
                Poll::Ready(
                    outputs
                        .iter_mut()
                        .map(|o| o.take().expect("every future finished"))
                        .collect(),
                )
            }
        })
        .await
}
