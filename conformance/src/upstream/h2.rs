//! HTTP/2, served by hyper: with prior knowledge over cleartext (a plain HTTP/1 client talking
//! to it gets a protocol error, which is what case E08 checks), or over TLS after ALPN `h2`.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use sha2::{Digest, Sha256};

use super::{reply_body, RecordedRequest, State};
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
            let body = match req.into_body().collect().await {
                Ok(b) => b.to_bytes(),
                Err(_) => {
                    state.incomplete();
                    Bytes::new()
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
                trailers: Vec::new(),
                body_prefix: body[..body.len().min(64 * 1024)].to_vec(),
            });
            let reply = state.reply_for(&target);
            let (bytes, extra) = reply_body(&reply, &method, &target, &headers, &body);
            let mut resp = hyper::Response::builder().status(reply.status.unwrap_or(200));
            for (n, v) in extra.iter().chain(reply.headers.iter()) {
                resp = resp.header(n, v);
            }
            resp.body(Full::new(Bytes::from(bytes)))
        }
    });
    let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
