//! Performing one step with the SDK and turning what happened into a verdict.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use base64::Engine;
use courier_sdk::http::{
    self, IncomingResponse, OutgoingRequest, Request, RequestOptions, Response,
};
use serde_json::{json, Value};

use crate::protocol::{hex_sha256, Sha, Step};

/// Waits for two futures at once (both make progress on the SDK's executor).
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(move |cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().expect("set"), rb.take().expect("set")))
        } else {
            Poll::Pending
        }
    })
    .await
}

/// The WIT name for an SDK error: the host's code, or the one the SDK refused with.
fn code_of(e: &http::Error) -> &'static str {
    match e {
        http::Error::Header { error, .. } => error.wit_name(),
        // Anything else the SDK refuses (an unsupported request option, a body taken twice)
        // has no WIT name.
        _ => e.code().map_or("other", |code| code.wit_name()),
    }
}

pub fn error_verdict(
    e: &http::Error,
    stage: &str,
    status: Option<u16>,
    elapsed: Option<u64>,
) -> Value {
    let mut v =
        json!({ "kind": "error", "code": code_of(e), "message": e.to_string(), "stage": stage });
    if let Some(s) = status {
        v["status"] = s.into();
    }
    if let Some(ms) = elapsed {
        v["elapsed_ms"] = ms.into();
    }
    v
}

fn plain_error(code: &str, message: String, stage: &str) -> Value {
    json!({ "kind": "error", "code": code, "message": message, "stage": stage })
}

fn unsupported(reason: &str) -> Value {
    json!({ "kind": "unsupported", "reason": reason })
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

fn options(step: &Step) -> RequestOptions {
    let o = step.options.as_ref();
    let d = |v: Option<u64>| v.map(Duration::from_millis);
    RequestOptions {
        connect_timeout: d(o.and_then(|o| o.connect_timeout_ms)),
        first_byte_timeout: d(o.and_then(|o| o.first_byte_timeout_ms)),
        between_bytes_timeout: d(o.and_then(|o| o.between_bytes_timeout_ms)),
    }
}

fn url(step: &Step) -> String {
    if let Some(u) = &step.url {
        return u.clone();
    }
    // An URL-only SDK: join the parts and let the SDK's URL handling decide.
    let p = step.url_parts.as_ref();
    let scheme = p.and_then(|p| p.scheme.clone());
    let authority = p.and_then(|p| p.authority.clone());
    let path = p
        .and_then(|p| p.path_with_query.clone())
        .unwrap_or_default();
    match (scheme, authority) {
        (Some(s), Some(a)) => format!("{s}://{a}{path}"),
        (None, Some(a)) => format!("//{a}{path}"),
        (_, None) => path,
    }
}

fn headers(step: &Step, inbound: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut h: Vec<(String, Vec<u8>)> = if step.forward_inbound_headers {
        inbound.to_vec()
    } else {
        Vec::new()
    };
    h.extend(
        step.headers
            .iter()
            .map(|(n, v)| (n.clone(), v.clone().into_bytes())),
    );
    h
}

/// Every value of each looked-up name, in order (names case-insensitive), as the Python and
/// Go SDKs' lookups give them.
fn lookups(step: &Step, headers: &[(String, Vec<u8>)]) -> serde_json::Map<String, Value> {
    step.lookup
        .iter()
        .map(|name| {
            let found: Vec<String> = headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                .collect();
            (name.clone(), json!(found))
        })
        .collect()
}

fn text_headers(h: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    h.iter()
        .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

/// What a response carried, for its verdict.
struct Received<'a> {
    status: u16,
    headers: &'a [(String, Vec<u8>)],
    trailers: &'a [(String, Vec<u8>)],
}

fn response_verdict(
    received: Received<'_>,
    len: u64,
    sha: String,
    body: Option<Vec<u8>>,
    lookups: Value,
    elapsed: u64,
) -> Value {
    let mut v = json!({
        "kind": "response",
        "status": received.status,
        "headers": text_headers(received.headers),
        "trailers": text_headers(received.trailers),
        "body_len": len,
        "body_sha256": sha,
        "lookups": lookups,
        "elapsed_ms": elapsed,
    });
    if let Some(b) = body {
        match String::from_utf8(b) {
            Ok(text) => v["body"] = text.into(),
            Err(e) => {
                v["body_base64"] = base64::engine::general_purpose::STANDARD
                    .encode(e.as_bytes())
                    .into()
            }
        }
    }
    v
}

/// Performs one step and returns its verdict; never panics on a failed request.
pub async fn perform(step: &Step, inbound: &[(String, Vec<u8>)]) -> Value {
    let method = match ::http::Method::from_bytes(step.method.as_bytes()) {
        Ok(m) => m,
        Err(e) => return plain_error("HTTP-request-method-invalid", e.to_string(), "request"),
    };
    let body = match step.body.as_ref().map(|b| b.bytes()).transpose() {
        Ok(b) => b,
        Err(e) => {
            return plain_error(
                "other",
                format!("bad body in the instruction: {e}"),
                "request",
            )
        }
    };
    match step.api.as_str() {
        // A buffered `Request` has no trailers: sending them takes the streaming body.
        "send" | "fetch" | "get" | "post" if step.chunks.is_none() && step.trailers.is_empty() => {
            buffered(step, method, body.unwrap_or_default(), inbound).await
        }
        "send" | "fetch" | "stream" => streaming(step, method, body, inbound).await,
        "get" | "post" => unsupported("chunked bodies and trailers need the streaming API"),
        other => unsupported(&format!("unknown api `{other}`")),
    }
}

/// `http::send` with a buffered `Request` (built by `Request::get`/`post` for those APIs).
async fn buffered(
    step: &Step,
    method: ::http::Method,
    body: Vec<u8>,
    inbound: &[(String, Vec<u8>)],
) -> Value {
    let started = Instant::now();
    let uri = url(step);
    let mut b = match step.api.as_str() {
        "get" if method == ::http::Method::GET => Request::get(uri),
        "post" if method == ::http::Method::POST => Request::post(uri, body),
        "get" | "post" => return unsupported("get/post entries only make GET/POST requests"),
        _ => Request::builder().method(method).uri(uri).body(body),
    };
    for (n, v) in headers(step, inbound) {
        b = b.header(n, v);
    }
    b = b.options(options(step));
    match http::send::<_, Response>(b).await {
        Ok(r) => {
            let lookups = lookups(step, r.headers());
            let body = r.body();
            let inline = (body.len() as u64 <= step.max_inline_body).then(|| body.to_vec());
            let received = Received {
                status: r.status(),
                headers: r.headers(),
                trailers: r.trailers(),
            };
            response_verdict(
                received,
                body.len() as u64,
                hex_sha256(body),
                inline,
                Value::Object(lookups),
                ms(started),
            )
        }
        Err(e) => error_verdict(&e, "response", None, Some(ms(started))),
    }
}

/// An `OutgoingRequest` whose body is written piece by piece while `http::send` waits, and an
/// `IncomingResponse` read chunk by chunk and hashed as it arrives.
async fn streaming(
    step: &Step,
    method: ::http::Method,
    body: Option<Vec<u8>>,
    inbound: &[(String, Vec<u8>)],
) -> Value {
    let started = Instant::now();
    let mut request_headers = headers(step, inbound);
    let trailers: Vec<(String, Vec<u8>)> = step
        .trailers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
        .collect();
    let declared = request_headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("trailer"));
    if !trailers.is_empty() && !declared {
        // Declare them (RFC 9110 section 6.6.2): HTTP/1.1 hosts send only declared trailers.
        let mut names: Vec<&str> = Vec::new();
        for (name, _) in &trailers {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        request_headers.push(("trailer".into(), names.join(", ").into_bytes()));
    }
    let mut request = match OutgoingRequest::new(&method, &url(step), &request_headers) {
        Ok(r) => r,
        Err(e) => return error_verdict(&e, "request", None, Some(ms(started))),
    };
    request.set_options(options(step));
    let outgoing = match body.is_some() || !trailers.is_empty() {
        true => request.take_body(),
        false => None,
    };
    let pieces: Vec<u64> = step.chunks.clone().unwrap_or_default();
    let write = async move {
        let Some(mut out) = outgoing else {
            return Ok(());
        };
        let bytes = body.unwrap_or_default();
        let mut rest: &[u8] = &bytes;
        for size in pieces {
            let n = (size as usize).min(rest.len());
            out.write_all(&rest[..n]).await?;
            out.flush().await?;
            rest = &rest[n..];
        }
        if !rest.is_empty() {
            out.write_all(rest).await?;
        }
        out.finish_with_trailers(&trailers).await
    };
    let (response, written) = join2(http::send::<_, IncomingResponse>(request), write).await;
    let response = match (response, written) {
        (Ok(r), Ok(())) => r,
        (Err(e), Ok(())) => return error_verdict(&e, "response", None, Some(ms(started))),
        // The host drops the body of a request it has failed (denied, refused): the write
        // saw only a closed stream, the response says why. A body of the wrong size, or a
        // refused trailer, keeps its own code.
        (Err(e @ http::Error::Http(_)), Err(w)) if !w.has_wit_name() => {
            return error_verdict(&e, "response", None, Some(ms(started)))
        }
        (_, Err(e)) => return error_verdict(&e, "body-write", None, Some(ms(started))),
    };
    let status = response.status();
    let headers = response.headers();
    let lookups = lookups(step, &headers);
    let mut body = match response.into_body() {
        Ok(b) => b,
        Err(e) => return error_verdict(&e, "body-read", Some(status), Some(ms(started))),
    };
    let mut sha = Sha::new(step.max_inline_body);
    while let Some(chunk) = body.chunk().await {
        match chunk {
            Ok(bytes) => sha.update(&bytes),
            Err(e) => return error_verdict(&e, "body-read", Some(status), Some(ms(started))),
        }
    }
    let (len, digest, inline) = sha.finish();
    let received = Received {
        status,
        headers: &headers,
        trailers: body.trailers(),
    };
    response_verdict(
        received,
        len,
        digest,
        inline,
        Value::Object(lookups),
        ms(started),
    )
}
