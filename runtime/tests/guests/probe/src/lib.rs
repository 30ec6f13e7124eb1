//! A probe component for the runtime's integration tests, on the raw wasi:http 0.2 bindings.
//!
//! The last path segment picks the action.
//! `GET …/fetch?url=U[&method=M][&h=name:value]...[&body=B]` makes one outbound request and
//! answers `status=N` plus the upstream body, or `error=<ErrorCode debug name>`.
//! `/alloc?mb=N` allocates N MiB; `/big?mb=N` answers N MiB of `x`; `/headers` answers the
//! request's authority and headers; `/trap` traps; `/spin[?wait_ms=N]` loops forever, after
//! blocking N ms in a host call;
//! `/count` answers how many `/count` requests this instance has served (instance reuse);
//! `/relay?to=HOST&n=N` fetches `http://HOST/relay?to=HOST&n=N-1` and answers `end` at 0 (a chain
//! of N hops, or a loop when HOST is this component);
//! anything else answers `hello from <NAME env> at <path>`.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU32, Ordering};

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingRequest, OutgoingResponse,
    ResponseOutparam, Scheme,
};

struct Probe;

impl wasip2::exports::http::incoming_handler::Guest for Probe {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let target = request.path_with_query().unwrap_or_default();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let params: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        // The last segment picks the action, so it works under any route.
        let action = path.rsplit('/').next().unwrap_or("");
        let body = match action {
            "trap" => panic!("the probe was asked to trap"),
            "spin" => {
                let wait_ms: u64 = param(&params, "wait_ms")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                wasip2::clocks::monotonic_clock::subscribe_duration(wait_ms * 1_000_000).block();
                #[allow(clippy::empty_loop)]
                loop {}
            }
            "headers" => {
                let mut text = format!("authority: {}\n", request.authority().unwrap_or_default());
                for (name, value) in request.headers().entries() {
                    text.push_str(&format!("{name}: {}\n", String::from_utf8_lossy(&value)));
                }
                text
            }
            "fetch" => fetch(&params),
            "relay" => relay(&params),
            "count" => {
                static SERVED: AtomicU32 = AtomicU32::new(0);
                (SERVED.fetch_add(1, Ordering::Relaxed) + 1).to_string()
            }
            "big" => "x".repeat(megabytes(&params) << 20),
            "alloc" => {
                // Touch every page so the memory is really grown, not just reserved.
                let buffer = vec![1u8; megabytes(&params) << 20];
                format!(
                    "allocated {} MiB",
                    (buffer.iter().step_by(4096).count() * 4096) >> 20
                )
            }
            _ => format!(
                "hello from {} at {path}",
                std::env::var("NAME").unwrap_or_else(|_| "probe".into())
            ),
        };
        respond(out, 200, body.as_bytes());
    }
}

/// The value of query parameter `key`, if given.
fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `mb=N`, 1 when absent.
fn megabytes(params: &[(String, String)]) -> usize {
    param(params, "mb")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

fn relay(params: &[(String, String)]) -> String {
    let get = |key| param(params, key).unwrap_or("");
    let to = get("to");
    match get("n").parse::<u32>().unwrap_or(0) {
        0 => "end".to_string(),
        n => fetch(&[(
            "url".to_string(),
            format!("http://{to}/relay?to={to}&n={}", n - 1),
        )]),
    }
}

fn fetch(params: &[(String, String)]) -> String {
    let get = |key| param(params, key);
    let url = get("url").unwrap_or("/");
    let method = match get("method").unwrap_or("GET") {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        other => Method::Other(other.to_string()),
    };
    let headers: Vec<(String, Vec<u8>)> = params
        .iter()
        .filter(|(k, _)| k == "h")
        .filter_map(|(_, v)| v.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
        .collect();
    let fields = match Fields::from_list(&headers) {
        Ok(f) => f,
        Err(e) => return format!("header-error={}", name(&e)),
    };
    let request = OutgoingRequest::new(fields);
    let _ = request.set_method(&method);
    // Relative URLs go out as the SDKs send them: no host, so the runtime treats them as self requests.
    let (scheme, authority, path) = match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            let scheme = match scheme {
                "http" => Scheme::Http,
                "https" => Scheme::Https,
                other => Scheme::Other(other.to_string()),
            };
            (scheme, authority.to_string(), path.to_string())
        }
        None => (Scheme::Http, ":80".to_string(), url.to_string()),
    };
    let _ = request.set_scheme(Some(&scheme));
    let _ = request.set_authority(Some(&authority));
    let _ = request.set_path_with_query(Some(&path));
    let outgoing_body = request.body().expect("body is taken once");
    let future = match outgoing_handler::handle(request, None) {
        Ok(f) => f,
        Err(code) => return format!("error={}", name(&code)),
    };
    {
        let mut stream = outgoing_body.write().expect("stream is taken once");
        stream
            .write_all(get("body").unwrap_or("").as_bytes())
            .expect("write body");
    }
    let _ = OutgoingBody::finish(outgoing_body, None);
    future.subscribe().block();
    let response = match future.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return format!("error={}", name(&code)),
        other => return format!("error=unexpected {other:?}"),
    };
    let status = response.status();
    let body = response.consume().expect("body is consumed once");
    let mut bytes = Vec::new();
    {
        let mut stream = body.stream().expect("stream is taken once");
        if let Err(e) = stream.read_to_end(&mut bytes) {
            return format!("status={status}\nbody-error={e}");
        }
    }
    format!("status={status}\n{}", String::from_utf8_lossy(&bytes))
}

/// `ErrorCode::DnsError(..)` → `DnsError(..)`: the variant without its type.
fn name(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    match text.split_once("::") {
        Some((ty, rest)) if !ty.contains('(') => rest.to_string(),
        _ => text,
    }
}

fn respond(out: ResponseOutparam, status: u16, body: &[u8]) {
    let response = OutgoingResponse::new(Fields::new());
    let _ = response.set_status_code(status);
    let outgoing = response.body().expect("body is taken once");
    ResponseOutparam::set(out, Ok(response));
    {
        let mut stream = outgoing.write().expect("stream is taken once");
        stream.write_all(body).expect("write response");
    }
    let _ = OutgoingBody::finish(outgoing, None);
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

wasip2::http::proxy::export!(Probe);
