//! Sending a request again after a pooled connection closed under it.
//!
//! A server may close an idle keep-alive connection just as a request goes out on it; the
//! request is then lost after it was written, and hyper cannot hand it back. Like Go's
//! transport, we send it once more on a new connection when that is safe: the method is
//! idempotent (RFC 9110 9.2.2) and its body turned out to be empty, so the copy is exact.

use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Empty};
use wasmtime_wasi_http::{Error, WasiBody};

/// What the body has shown so far.
const UNSEEN: u8 = 0;
const EMPTY: u8 = 1;
const NOT_EMPTY: u8 = 2;

/// The head of a request that may be sent again, and what its body turned out to be.
pub struct Replay {
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    /// What the body showed, when it could carry bytes at all (`None`: it cannot).
    body: Option<Arc<AtomicU8>>,
}

impl Replay {
    /// Keep what it takes to send `request` again, if its method allows that; a body that
    /// could carry bytes is watched from here on. `h1`: it goes out on an HTTP/1.1 connection.
    pub fn watch(
        request: http::Request<WasiBody>,
        h1: bool,
    ) -> (http::Request<WasiBody>, Option<Replay>) {
        if !is_idempotent(request.method()) {
            return (request, None);
        }
        // hyper sends a GET or HEAD of no declared length with no body at all, whatever the
        // guest writes, so the copy is exact without watching the body.
        let headers = request.headers();
        let no_body_on_the_wire = h1
            && matches!(*request.method(), http::Method::GET | http::Method::HEAD)
            && !headers.contains_key(http::header::CONTENT_LENGTH)
            && !headers.contains_key(http::header::TRANSFER_ENCODING);
        let body = (!no_body_on_the_wire && !request.body().is_end_stream())
            .then(|| Arc::new(AtomicU8::new(UNSEEN)));
        let replay = Replay {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: body.clone(),
        };
        let request = match body {
            Some(seen) => request.map(|inner| Watched { inner, seen }.boxed_unsync()),
            None => request,
        };
        (request, Some(replay))
    }

    /// The same request once more, if `error` says the connection closed under it and the
    /// body was empty.
    pub fn again(self, error: &hyper::Error) -> Option<http::Request<WasiBody>> {
        let empty = self
            .body
            .is_none_or(|seen| seen.load(Ordering::Relaxed) == EMPTY);
        if !empty || !closed_under(error) {
            return None;
        }
        let mut request = http::Request::new(
            Empty::<Bytes>::new()
                .map_err(|never| match never {})
                .boxed_unsync(),
        );
        *request.method_mut() = self.method;
        *request.uri_mut() = self.uri;
        *request.headers_mut() = self.headers;
        Some(request)
    }
}

fn is_idempotent(method: &http::Method) -> bool {
    use http::Method;
    [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::TRACE,
        Method::PUT,
        Method::DELETE,
    ]
    .contains(method)
}

/// The peer closed or reset the connection before a response began.
fn closed_under(error: &hyper::Error) -> bool {
    if error.is_incomplete_message() {
        return true;
    }
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return matches!(io.kind(), ConnectionReset | ConnectionAborted | BrokenPipe);
        }
        source = e.source();
    }
    false
}

/// A request body that records whether it ended without data.
struct Watched {
    inner: WasiBody,
    seen: Arc<AtomicU8>,
}

impl Body for Watched {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) if frame.data_ref().is_some_and(|d| d.is_empty()) => {}
            Poll::Ready(Some(_)) => self.seen.store(NOT_EMPTY, Ordering::Relaxed),
            Poll::Ready(None) => {
                let _ =
                    self.seen
                        .compare_exchange(UNSEEN, EMPTY, Ordering::Relaxed, Ordering::Relaxed);
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
