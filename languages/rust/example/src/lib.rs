//! Example guest for the generated Rust SDK.
//!
//! `GET /?url=<upstream>` fetches `<upstream>` (twice, concurrently, to show that sends
//! share the executor) and answers with the upstream's status and body. An upstream
//! failure comes back as `502` with the WIT error-code name as the body, e.g.
//! `HTTP-request-denied` when the manifest does not allow the host.
//!
//! `GET /relay?url=<upstream>` relays `<upstream>`'s response instead: its body reaches the
//! client chunk by chunk, as the upstream sends it.

use courier_sdk::executor;
use courier_sdk::http::{self, IncomingResponse, IntoReply, Reply, Request, Response};

courier_sdk::http_component!(handle);

async fn handle(req: Request) -> Reply {
    let Some(url) = query_param(req.uri(), "url") else {
        return Response::new(400, "pass ?url=http://host:port/path\n").into();
    };
    // The URI is absolute when the host gave an authority: look at its path.
    let path = req
        .uri()
        .split("://")
        .nth(1)
        .map_or(req.uri(), |rest| rest.find('/').map_or("/", |i| &rest[i..]));
    if path.starts_with("/relay") {
        return http::send::<_, IncomingResponse>(Request::get(url))
            .await
            .into_reply();
    }
    fetch_twice(url).await.into()
}

async fn fetch_twice(url: String) -> Response {
    let sends = (0..2).map(|_| {
        http::send::<_, Response>(
            Request::get(url.clone()).connect_timeout(std::time::Duration::from_secs(5)),
        )
    });
    let mut results = executor::join_all(sends).await.into_iter();
    match (results.next(), results.next()) {
        (Some(Ok(first)), Some(Ok(second))) if first.body() == second.body() => Response::builder()
            .status(first.status())
            .header("x-upstream-status", first.status().to_string())
            .body(first.into_body())
            .build(),
        (Some(Ok(_)), Some(Ok(_))) => Response::new(500, "the two concurrent responses differ\n"),
        (Some(Err(e)), _) | (_, Some(Err(e))) => {
            let code = e.code().map(|c| c.wit_name()).unwrap_or("other");
            Response::builder()
                .status(502)
                .header("x-error-code", code)
                .body(format!("{e}\n"))
                .build()
        }
        _ => Response::new(500, "missing result\n"),
    }
}

/// The value of `name` in the URI's query string (no percent-decoding; URLs are passed plain).
fn query_param(uri: &str, name: &str) -> Option<String> {
    let query = uri.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}
