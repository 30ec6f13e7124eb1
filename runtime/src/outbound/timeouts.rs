//! The three request-options timeouts: connect, first byte, and between body frames.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame};
use wasmtime_wasi_http::{Error, RequestOptions};

/// Spin's and wasmtime's default for each of the three request-options timeouts.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Waiting for a connection permit, and the TCP connect.
    pub connect: Duration,
    /// Everything up to the response head: DNS, connecting, TLS, sending the request.
    pub first_byte: Duration,
    pub between_bytes: Duration,
}

impl Timeouts {
    pub fn from_options(options: Option<RequestOptions>) -> Self {
        let options = options.unwrap_or_default();
        Self {
            connect: options.connect_timeout.unwrap_or(DEFAULT_TIMEOUT),
            first_byte: options.first_byte_timeout.unwrap_or(DEFAULT_TIMEOUT),
            between_bytes: options.between_bytes_timeout.unwrap_or(DEFAULT_TIMEOUT),
        }
    }
}

/// A response body that fails with `connection-read-timeout` when frames stop arriving.
/// Dropping it after such an error drops the connection too (the inner body owns its return).
pub struct BetweenBytes<B> {
    body: B,
    timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl<B> BetweenBytes<B> {
    pub fn new(body: B, timeout: Duration) -> Self {
        Self {
            body,
            timeout,
            sleep: Box::pin(tokio::time::sleep(timeout)),
        }
    }
}

impl<B> Body for BetweenBytes<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Error>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let deadline = tokio::time::Instant::now() + self.timeout;
                self.sleep.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
