//! The network client against real loopback sockets, for what a guest cannot easily drive:
//! the request-options timeouts, connection permits and the DNS error payload.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use super::network::{NetworkClient, TestResolver};
use crate::config::RuntimeConfig;

fn client(config: &str) -> NetworkClient {
    let config = RuntimeConfig::parse(config, std::path::Path::new(".")).unwrap();
    NetworkClient::new(&config, TestResolver::default(), None).unwrap()
}

fn request(url: &str) -> http::Request<WasiBody> {
    http::Request::get(url)
        .body(Empty::<Bytes>::new().map_err(|e| match e {}).boxed_unsync())
        .unwrap()
}

fn options(connect: u64, first_byte: u64, between: u64) -> Option<RequestOptions> {
    Some(RequestOptions {
        connect_timeout: Some(Duration::from_millis(connect)),
        first_byte_timeout: Some(Duration::from_millis(first_byte)),
        between_bytes_timeout: Some(Duration::from_millis(between)),
    })
}

/// A listener that never accepts, with its backlog filled, so further SYNs go unanswered.
async fn blackhole() -> (SocketAddr, Vec<TcpStream>) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    // Leak the listener: dropping it would answer connects with RST instead.
    std::mem::forget(listener);
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => return (addr, fillers),
        }
    }
    panic!("the backlog of {addr} never filled; cannot build a blackhole");
}

/// A server that reads the request head, then writes `reply` and holds the connection open.
async fn stalling_server(reply: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(reply).await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_blackholed_connect_is_a_connection_timeout_within_its_budget() {
    let (addr, _fillers) = blackhole().await;
    let started = Instant::now();
    let result = client("")
        .send(
            "c",
            request(&format!("http://{addr}/")),
            options(300, 60_000, 60_000),
        )
        .await;
    assert!(
        matches!(result, Err(Error::ConnectionTimeout)),
        "{:?}",
        result.err()
    );
    // The budget, not the 600 s default, decided (generous bound for a loaded machine).
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn headers_that_never_come_are_a_connection_read_timeout() {
    let addr = stalling_server(b"").await;
    let result = client("")
        .send(
            "c",
            request(&format!("http://{addr}/")),
            options(5_000, 300, 60_000),
        )
        .await;
    assert!(
        matches!(result, Err(Error::ConnectionReadTimeout)),
        "{:?}",
        result.err()
    );
}

#[tokio::test]
async fn a_stalled_body_fails_with_connection_read_timeout() {
    let addr = stalling_server(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten..").await;
    let (response, _io) = client("")
        .send(
            "c",
            request(&format!("http://{addr}/")),
            options(5_000, 5_000, 300),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let first = body.frame().await.unwrap().unwrap();
    assert_eq!(
        first.into_data().unwrap(),
        Bytes::from_static(b"only ten..")
    );
    match body.frame().await {
        Some(Err(Error::ConnectionReadTimeout)) => {}
        other => panic!("expected connection-read-timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn waiting_for_a_permit_counts_against_the_connect_timeout() {
    let addr = stalling_server(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial").await;
    let url = format!("http://{addr}/");
    // Zero connections allowed: nothing can ever connect.
    let result = client("[outbound_http]\nmax_connections = 0\n")
        .send("c", request(&url), options(200, 5_000, 5_000))
        .await;
    assert!(
        matches!(result, Err(Error::ConnectionTimeout)),
        "{:?}",
        result.err()
    );

    // One allowed and held by an unfinished response: the next request times out waiting,
    // then succeeds in connecting once the first lets go of it.
    let client = client("[outbound_http]\nmax_connections = 1\n");
    let (held, _io) = client
        .send("c", request(&url), options(1_000, 5_000, 5_000))
        .await
        .unwrap();
    let result = client
        .send("c", request(&url), options(200, 5_000, 5_000))
        .await;
    assert!(
        matches!(result, Err(Error::ConnectionTimeout)),
        "{:?}",
        result.err()
    );
    drop(held);
    let (again, _io) = client
        .send("c", request(&url), options(2_000, 5_000, 5_000))
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn an_unresolvable_name_is_a_dns_error_with_spins_payload() {
    let result = client("")
        .send(
            "c",
            request("http://no-such-host.invalid/"),
            options(5_000, 5_000, 5_000),
        )
        .await;
    match result {
        Err(Error::DnsError { rcode, info_code }) => {
            assert_eq!(rcode.as_deref(), Some("address not available"));
            assert_eq!(info_code, Some(0));
        }
        other => panic!("expected a DNS error, got {:?}", other.err()),
    }
}
