//! A small HTTP/1.1 server written for recording: it parses the request head itself (httparse)
//! so header names keep their case and order exactly as sent, and it can answer in the odd ways
//! the cases need (late heads, chunks with pauses, a stall mid-body).

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{body_pieces, reply_body, RecordedRequest, State};
use crate::protocol::hex;

const MAX_HEAD: usize = 64 * 1024;
const PREFIX: usize = 64 * 1024;

struct Conn<S> {
    io: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    /// Reads more bytes; false on end of stream.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.io.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    async fn line(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[..i].to_vec();
                self.buf.drain(..i + 2);
                return Some(line);
            }
            if self.buf.len() > MAX_HEAD || !self.fill().await {
                return None;
            }
        }
    }

    async fn exact(&mut self, n: usize, body: &mut Body) -> bool {
        let mut left = n;
        while left > 0 {
            if self.buf.is_empty() && !self.fill().await {
                return false;
            }
            let take = left.min(self.buf.len());
            body.push(&self.buf[..take]);
            self.buf.drain(..take);
            left -= take;
        }
        true
    }
}

struct Body {
    bytes: Vec<u8>,
    hash: Sha256,
}

impl Body {
    fn push(&mut self, b: &[u8]) {
        self.hash.update(b);
        self.bytes.extend_from_slice(b);
    }
}

fn header_list(raw: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    raw.iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect()
}

/// Whether the bytes so far already break the HTTP/1 request syntax.
fn is_not_http(buf: &[u8]) -> bool {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    httparse::Request::new(&mut headers).parse(buf).is_err()
}

/// Answer 400 and give up on the connection; the request counts as incomplete.
async fn bad_request<S: AsyncRead + AsyncWrite + Unpin>(c: &mut Conn<S>, state: &State) {
    let _ = c
        .io
        .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .await;
    state.incomplete();
}

/// Serves requests on one connection until the peer closes it.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(io: S, conn: u64, state: Arc<State>) {
    let mut c = Conn {
        io,
        buf: Vec::new(),
    };
    loop {
        // Request head.
        let head_len = loop {
            if let Some(i) = c.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            // Bytes that cannot start a request (a TLS ClientHello, say) are refused at once,
            // as real servers do, rather than waited on for a head that never ends.
            if is_not_http(&c.buf) {
                bad_request(&mut c, &state).await;
                return;
            }
            if c.buf.len() > MAX_HEAD || !c.fill().await {
                if !c.buf.is_empty() {
                    state.incomplete();
                }
                return;
            }
        };
        let head: Vec<u8> = c.buf.drain(..head_len).collect();
        let mut raw = [httparse::EMPTY_HEADER; 128];
        let mut req = httparse::Request::new(&mut raw);
        if !matches!(req.parse(&head), Ok(httparse::Status::Complete(_))) {
            bad_request(&mut c, &state).await;
            return;
        }
        let method = req.method.unwrap_or("").to_string();
        let target = req.path.unwrap_or("").to_string();
        let version = format!("HTTP/1.{}", req.version.unwrap_or(1));
        let headers = header_list(req.headers);
        let values = |name: &str| -> Vec<String> {
            headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_ascii_lowercase())
                .collect()
        };
        let chunked = values("transfer-encoding")
            .last()
            .is_some_and(|v| v.trim().ends_with("chunked"));
        let close = values("connection").iter().any(|v| v.contains("close"));

        // Request body.
        let mut body = Body {
            bytes: Vec::new(),
            hash: Sha256::new(),
        };
        let mut trailers = Vec::new();
        let complete = if chunked {
            read_chunked(&mut c, &mut body, &mut trailers).await
        } else {
            match values("content-length")
                .first()
                .map(|v| v.trim().parse::<usize>())
            {
                Some(Ok(n)) => c.exact(n, &mut body).await,
                Some(Err(_)) => false,
                None => true,
            }
        };
        if !complete {
            state.incomplete();
            return;
        }
        let prefix = body.bytes[..body.bytes.len().min(PREFIX)].to_vec();
        state.push(RecordedRequest {
            conn,
            method: method.clone(),
            target: target.clone(),
            version,
            headers: headers.clone(),
            body_len: body.bytes.len() as u64,
            body_sha256: hex(&body.hash.finalize()),
            chunked,
            trailers,
            body_prefix: prefix,
        });

        // Response.
        let reply = state.reply_for(&target);
        if reply.first_byte_ms > 0 {
            tokio::time::sleep(Duration::from_millis(reply.first_byte_ms)).await;
        }
        let (bytes, extra) = reply_body(&reply, &method, &target, &headers, &body.bytes);
        let status = reply.status.unwrap_or(200);
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Status");
        let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
        for (n, v) in extra.iter().chain(reply.headers.iter()) {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        let no_body = method == "HEAD" || status == 204 || status == 304;
        // Trailers need chunked framing: a body with trailers and no chunks goes as one chunk.
        let chunked = reply.chunks.is_some() || (!reply.trailers.is_empty() && !no_body);
        let ok = if chunked {
            out.push_str("transfer-encoding: chunked\r\n\r\n");
            write_chunked(&mut c.io, out, &body_pieces(&reply, &bytes), &reply).await
        } else {
            if status != 204 && status != 304 {
                out.push_str(&format!("content-length: {}\r\n", bytes.len()));
            }
            out.push_str("\r\n");
            let mut msg = out.into_bytes();
            if !no_body {
                msg.extend_from_slice(&bytes);
            }
            c.io.write_all(&msg).await.is_ok() && c.io.flush().await.is_ok()
        };
        if reply.stall {
            // Keep the connection open, sending nothing, until the cell ends.
            std::future::pending::<()>().await;
        }
        if !ok || close {
            let _ = c.io.shutdown().await;
            return;
        }
    }
}

async fn read_chunked<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conn<S>,
    body: &mut Body,
    trailers: &mut Vec<(String, String)>,
) -> bool {
    loop {
        let Some(line) = c.line().await else {
            return false;
        };
        let text = String::from_utf8_lossy(&line);
        let size_text = text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return false;
        };
        if size == 0 {
            // Trailers, then an empty line.
            loop {
                let Some(line) = c.line().await else {
                    return false;
                };
                if line.is_empty() {
                    return true;
                }
                let l = String::from_utf8_lossy(&line);
                if let Some((n, v)) = l.split_once(':') {
                    trailers.push((n.trim().to_string(), v.trim().to_string()));
                }
            }
        }
        if !c.exact(size, body).await {
            return false;
        }
        match c.line().await {
            Some(l) if l.is_empty() => {}
            _ => return false,
        }
    }
}

async fn write_chunked<W: AsyncWrite + Unpin>(
    io: &mut W,
    head: String,
    chunks: &[&[u8]],
    reply: &crate::case::Reply,
) -> bool {
    if io.write_all(head.as_bytes()).await.is_err() || io.flush().await.is_err() {
        return false;
    }
    for (i, chunk) in chunks.iter().enumerate() {
        if i > 0 && reply.between_bytes_ms > 0 {
            tokio::time::sleep(Duration::from_millis(reply.between_bytes_ms)).await;
        }
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(chunk);
        frame.extend_from_slice(b"\r\n");
        if io.write_all(&frame).await.is_err() || io.flush().await.is_err() {
            return false;
        }
    }
    if reply.stall {
        return true;
    }
    let mut end = String::from("0\r\n");
    for (n, v) in &reply.trailers {
        end.push_str(&format!("{n}: {v}\r\n"));
    }
    end.push_str("\r\n");
    io.write_all(end.as_bytes()).await.is_ok() && io.flush().await.is_ok()
}
