//! HTTP/2, served by hyper: with prior knowledge over cleartext (a plain HTTP/1 client talking
//! to it gets a protocol error, which is what case E08 checks), or over TLS after ALPN `h2`.

use std::sync::Arc;

use bytes::Bytes;
use std::convert::Infallible;
use std::time::Duration;

use futures::SinkExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use sha2::{Digest, Sha256};

use super::{body_pieces, reply_body, RecordedRequest, State};
use crate::protocol::hex;

pub async fn serve<S>(stream: S, conn: u64, state: Arc<State>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let state = state.clone();
        async move {
            let method = req.method().to_string();
            let target = req
                .uri()
                .path_and_query()
                .map_or("/".to_string(), |p| p.to_string());
            let headers: Vec<(String, String)> = req
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let (body, trailers) = match req.into_body().collect().await {
                Ok(b) => {
                    let trailers: Vec<(String, String)> = b
                        .trailers()
                        .map(|t| {
                            t.iter()
                                .map(|(n, v)| {
                                    (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    (b.to_bytes(), trailers)
                }
                Err(_) => {
                    state.incomplete();
                    (Bytes::new(), Vec::new())
                }
            };
            state.push(RecordedRequest {
                conn,
                method: method.clone(),
                target: target.clone(),
                version: "HTTP/2".into(),
                headers: headers.clone(),
                body_len: body.len() as u64,
                body_sha256: hex(&Sha256::digest(&body)),
                chunked: false,
                trailers,
                body_prefix: body[..body.len().min(64 * 1024)].to_vec(),
            });
            let reply = state.reply_for(&target);
            if reply.first_byte_ms > 0 {
                tokio::time::sleep(Duration::from_millis(reply.first_byte_ms)).await;
            }
            let (bytes, extra) = reply_body(&reply, &method, &target, &headers, &body);
            let mut resp = hyper::Response::builder().status(reply.status.unwrap_or(200));
            for (n, v) in extra.iter().chain(reply.headers.iter()) {
                resp = resp.header(n, v);
            }
            // The body's frames come from a task, so chunks can be paced, trailers sent, and
            // a stall kept open, as over HTTP/1.
            let pieces: Vec<Bytes> = body_pieces(&reply, &bytes)
                .into_iter()
                .map(Bytes::copy_from_slice)
                .collect();
            let (mut tx, rx) =
                futures::channel::mpsc::channel::<Result<Frame<Bytes>, Infallible>>(1);
            let sender = tokio::spawn(async move {
                for (i, piece) in pieces.into_iter().enumerate() {
                    if i > 0 && reply.between_bytes_ms > 0 {
                        tokio::time::sleep(Duration::from_millis(reply.between_bytes_ms)).await;
                    }
                    if tx.send(Ok(Frame::data(piece))).await.is_err() {
                        return;
                    }
                }
                if reply.stall {
                    std::future::pending::<()>().await;
                }
                if !reply.trailers.is_empty() {
                    let mut map = http::HeaderMap::new();
                    for (n, v) in &reply.trailers {
                        if let (Ok(n), Ok(v)) = (
                            http::HeaderName::try_from(n.as_str()),
                            http::HeaderValue::try_from(v.as_str()),
                        ) {
                            map.append(n, v);
                        }
                    }
                    let _ = tx.send(Ok(Frame::trailers(map))).await;
                }
            });
            state.track(sender.abort_handle());
            resp.body(StreamBody::new(rx))
        }
    });
    let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
