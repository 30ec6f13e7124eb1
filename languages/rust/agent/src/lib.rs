//! The Rust conformance agent: performs the harness's instructions with the generated Rust SDK
//! (`courier-sdk`) and reports what the guest saw. The protocol is `conformance/PROTOCOL.md`:
//! `POST …/run` runs an instruction, `…/proxy` forwards the inbound request, anything else is
//! described back (inspect).

mod protocol;
mod steps;

use courier_sdk::executor;
use courier_sdk::http::{self, FromIncomingResponse, IncomingRequest, OutgoingRequest, Response};

use protocol::{hex_sha256, Instruction};

courier_sdk::http_component!(handle);

async fn handle(req: IncomingRequest) -> Response {
    let uri = req.uri();
    let path = path_of(&uri);
    let route = path.split('?').next().unwrap_or("");
    let method = match req.method() {
        Ok(m) => m,
        Err(e) => return Response::new(400, format!("{e}\n")),
    };
    if route.ends_with("/run") && method == ::http::Method::POST {
        run(req).await
    } else if route.ends_with("/proxy") {
        proxy(req, method).await
    } else {
        inspect(req, method, path).await
    }
}

/// The path and query of a URI the SDK gives as `scheme://authority/path` or `/path`.
fn path_of(uri: &str) -> String {
    match uri.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        },
        None => uri.to_string(),
    }
}

fn json(status: u16, value: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(value.to_string())
        .build()
}

async fn run(req: IncomingRequest) -> Response {
    // The /run request's own framing is not the outbound request's: its body is not forwarded.
    let inbound: Vec<(String, Vec<u8>)> = req
        .headers()
        .into_iter()
        .filter(|(n, _)| !is_body_framing(n))
        .collect();
    let body = match req.into_body() {
        Ok(b) => b.read_all().await,
        Err(e) => Err(e),
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return Response::new(400, format!("cannot read the instruction: {e}\n")),
    };
    let instruction: Instruction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => return Response::new(400, format!("bad instruction: {e}\n")),
    };
    let verdicts = if instruction.concurrent {
        let futures = instruction
            .steps
            .iter()
            .map(|s| Box::pin(steps::perform(s, &inbound)));
        executor::join_all(futures).await
    } else {
        let mut out = Vec::new();
        for s in &instruction.steps {
            out.push(steps::perform(s, &inbound).await);
        }
        out
    };
    json(200, &serde_json::json!({ "steps": verdicts }))
}

/// Headers that frame the `/run` request's own body, which a step never forwards.
fn is_body_framing(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("transfer-encoding")
}

async fn proxy(req: IncomingRequest, method: ::http::Method) -> Response {
    let headers = req.headers();
    let Some(target) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("courier-target"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    else {
        return Response::new(400, "the proxy entry needs a courier-target header\n");
    };
    let forward: Vec<(String, Vec<u8>)> = headers
        .iter()
        .filter(|(n, _)| !n.to_ascii_lowercase().starts_with("courier-"))
        .cloned()
        .collect();
    // Hosts drop transfer-encoding; declared trailers also mean a (chunked) body.
    let has_body = headers.iter().any(|(n, v)| {
        (n.eq_ignore_ascii_case("content-length") && v.as_slice() != b"0")
            || n.eq_ignore_ascii_case("transfer-encoding")
            || n.eq_ignore_ascii_case("trailer")
    });
    let mut outgoing = match OutgoingRequest::new(&method, &target, &forward) {
        Ok(o) => o,
        Err(e) => return json(502, &steps::error_verdict(&e, "request", None, None)),
    };
    let mut inbound_body = match req.into_body() {
        Ok(b) => b,
        Err(e) => return json(502, &steps::error_verdict(&e, "request", None, None)),
    };
    let outgoing_body = if has_body { outgoing.take_body() } else { None };
    let copy = async move {
        let Some(mut out) = outgoing_body else {
            return Ok(());
        };
        while let Some(chunk) = inbound_body.chunk().await {
            out.write_all(&chunk?).await?;
        }
        out.finish_with_trailers(inbound_body.trailers()).await
    };
    let (response, copied) =
        steps::join2(http::send::<_, http::IncomingResponse>(outgoing), copy).await;
    let response = match (response, copied) {
        (_, Err(e)) => return json(502, &steps::error_verdict(&e, "body-write", None, None)),
        (Err(e), _) => return json(502, &steps::error_verdict(&e, "response", None, None)),
        (Ok(r), Ok(())) => r,
    };
    // The buffered response keeps the upstream's status, headers, body and trailers.
    let status = response.status();
    match Response::from_incoming_response(response).await {
        Ok(buffered) => buffered,
        Err(e) => json(
            502,
            &steps::error_verdict(&e, "body-read", Some(status), None),
        ),
    }
}

async fn inspect(req: IncomingRequest, method: ::http::Method, path: String) -> Response {
    let headers: Vec<(String, String)> = req
        .headers()
        .into_iter()
        .map(|(n, v)| (n, String::from_utf8_lossy(&v).into_owned()))
        .collect();
    let body = match req.into_body() {
        Ok(b) => b.read_all().await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let mut v = serde_json::json!({
        "method": method.as_str(),
        "path": path,
        "headers": headers,
        "body_len": body.len(),
        "body_sha256": hex_sha256(&body),
    });
    if body.len() <= 64 * 1024 {
        if let Ok(text) = std::str::from_utf8(&body) {
            v["body"] = text.into();
        }
    }
    json(200, &v)
}
