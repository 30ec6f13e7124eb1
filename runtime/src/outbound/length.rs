//! Holds an outgoing request body to the `Content-Length` it declares.
//!
//! wasmtime-wasi-http hands the host a written chunk before it checks the chunk against the
//! declared length, so without this an over-long body would still complete a request
//! upstream while the guest is told `HTTP-request-body-size`.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error, WasiBody};

/// Wrap the body of `request` when it declares a length; leave it alone otherwise.
pub fn enforce_content_length(request: http::Request<WasiBody>) -> http::Request<WasiBody> {
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(declared) => request.map(|inner| {
            LengthGuard {
                inner,
                declared,
                seen: 0,
            }
            .boxed_unsync()
        }),
        None => request,
    }
}

struct LengthGuard {
    inner: WasiBody,
    declared: u64,
    seen: u64,
}

impl Body for LengthGuard {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        if let Some(data) = frame.data_ref() {
            self.seen += data.len() as u64;
            if self.seen > self.declared {
                // Fail before the excess reaches the wire, so the upstream never sees a complete request.
                return Poll::Ready(Some(Err(Error::HttpRequestBodySize(Some(self.seen)))));
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.declared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};

    fn request(declared: &str, chunks: &[&'static str]) -> http::Request<WasiBody> {
        let frames = chunks
            .iter()
            .map(|c| Ok::<_, Error>(Frame::data(Bytes::from_static(c.as_bytes()))));
        let body =
            StreamBody::new(futures::stream::iter(frames.collect::<Vec<_>>())).boxed_unsync();
        http::Request::builder()
            .header("content-length", declared)
            .body(body)
            .unwrap()
    }

    #[tokio::test]
    async fn an_exact_body_passes_and_an_overlong_one_fails_before_the_excess() {
        let ok = enforce_content_length(request("11", &["hello", " world"]));
        assert_eq!(
            ok.into_body().collect().await.unwrap().to_bytes(),
            "hello world"
        );

        let mut long =
            enforce_content_length(request("11", &["hello", " world and more"])).into_body();
        let first = long.frame().await.unwrap().unwrap();
        assert_eq!(first.data_ref().unwrap(), "hello");
        match long.frame().await.unwrap() {
            Err(Error::HttpRequestBodySize(Some(20))) => {}
            other => panic!("expected a body-size error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn no_declared_length_means_no_guard() {
        let body = Full::new(Bytes::from_static(b"anything"))
            .map_err(|e| match e {})
            .boxed_unsync();
        let request = http::Request::builder().body(body).unwrap();
        let out = enforce_content_length(request)
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(out, "anything");
    }
}
