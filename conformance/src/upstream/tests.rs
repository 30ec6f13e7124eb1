//! The servers, exercised over real loopback sockets.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::case::{BodySpec, UpstreamSpec};

fn spec(toml_text: &str) -> UpstreamSpec {
    toml::from_str(toml_text).unwrap()
}

fn ca() -> TestCa {
    let dir = tempfile::tempdir().unwrap();
    TestCa::generate(&dir.keep()).unwrap()
}

async fn up(toml_text: &str) -> Upstream {
    start(&spec(toml_text), &ca(), next_cell_ip())
        .await
        .unwrap()
}

/// Sends raw bytes and reads until `done` says the response is complete (or the peer closes).
async fn exchange(s: &mut TcpStream, req: &[u8], done: impl Fn(&[u8]) -> bool) -> String {
    s.write_all(req).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    while !done(&out) {
        match tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ends_with(tail: &'static str) -> impl Fn(&[u8]) -> bool {
    move |b| b.ends_with(tail.as_bytes())
}

#[tokio::test]
async fn echo_records_raw_headers_in_order_and_reuses_the_connection() {
    let u = up("mode = \"echo\"").await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    let r = exchange(
        &mut s,
        b"POST /post?a=1 HTTP/1.1\r\nHost: x\r\nX-Multi: first\r\ncontent-type: application/json\r\nx-multi: second\r\nContent-Length: 5\r\n\r\nhello",
        ends_with("hello"),
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    assert!(r.contains("content-type: application/json\r\n"), "{r}");
    let r = exchange(
        &mut s,
        b"GET /two HTTP/1.1\r\nHost: x\r\n\r\n",
        ends_with("\r\n\r\n"),
    )
    .await;
    assert!(r.contains("content-length: 0"), "{r}");

    let rec = u.record();
    assert_eq!(rec.connections, 1);
    assert_eq!(rec.requests.len(), 2);
    let first = &rec.requests[0];
    assert_eq!(
        (first.method.as_str(), first.target.as_str()),
        ("POST", "/post?a=1")
    );
    let names: Vec<&str> = first.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Host",
            "X-Multi",
            "content-type",
            "x-multi",
            "Content-Length"
        ]
    );
    assert_eq!(first.header_values("x-multi"), ["first", "second"]);
    assert_eq!(first.body_len, 5);
    assert_eq!(first.body_sha256, crate::protocol::sha256_hex(b"hello"));
    assert!(!first.chunked);
    assert_eq!(rec.requests[1].conn, 0);
}

#[tokio::test]
async fn chunked_request_bodies_are_reassembled_with_trailers() {
    let u = up("mode = \"echo\"").await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    let r = exchange(
        &mut s,
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n5;ext=1\r\ndefgh\r\n0\r\nx-checksum: abc123\r\n\r\n",
        ends_with("abcdefgh"),
    )
    .await;
    assert!(r.ends_with("content-length: 8\r\n\r\nabcdefgh"), "{r}");
    let rec = u.record();
    assert!(rec.requests[0].chunked);
    assert_eq!(rec.requests[0].body_len, 8);
    assert_eq!(
        rec.requests[0].trailers,
        vec![("x-checksum".to_string(), "abc123".to_string())]
    );
}

#[tokio::test]
async fn an_unfinished_body_is_counted_as_incomplete() {
    let u = up("mode = \"echo\"").await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    s.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 11\r\n\r\nabc")
        .await
        .unwrap();
    drop(s);
    for _ in 0..50 {
        if u.record().incomplete == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let rec = u.record();
    assert_eq!((rec.incomplete, rec.requests.len()), (1, 0));
}

#[tokio::test]
async fn static_routes_chunked_replies_and_head() {
    let u = up(r#"
mode = "static"
[[routes]]
path = "/created"
status = 201
body = "made"
headers = [["X-Resp", "V"]]
[[routes]]
path = "/chunked"
chunks = ["one", "two", "three"]
[[routes]]
path = "/method"
echo = "method"
"#)
    .await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    let r = exchange(
        &mut s,
        b"GET /created?q HTTP/1.1\r\nhost: x\r\n\r\n",
        ends_with("made"),
    )
    .await;
    assert!(
        r.starts_with("HTTP/1.1 201 Created\r\nX-Resp: V\r\n"),
        "{r}"
    );
    let r = exchange(
        &mut s,
        b"GET /chunked HTTP/1.1\r\nhost: x\r\n\r\n",
        ends_with("0\r\n\r\n"),
    )
    .await;
    assert!(
        r.ends_with("3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\n\r\n"),
        "{r}"
    );
    let r = exchange(
        &mut s,
        b"HEAD /method HTTP/1.1\r\nhost: x\r\n\r\n",
        ends_with("\r\n\r\n"),
    )
    .await;
    assert!(
        r.contains("content-length: 4\r\n") && r.ends_with("\r\n\r\n"),
        "{r}"
    );
    let r = exchange(
        &mut s,
        b"PURGE /method HTTP/1.1\r\nhost: x\r\n\r\n",
        ends_with("PURGE"),
    )
    .await;
    assert!(r.ends_with("PURGE"), "{r}");
    let r = exchange(
        &mut s,
        b"GET /nope HTTP/1.1\r\nhost: x\r\n\r\n",
        ends_with("not found"),
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 404"), "{r}");
    assert_eq!(u.record().requests.len(), 5);
}

#[tokio::test]
async fn slow_heads_and_stalled_bodies() {
    let u = up("mode = \"slow\"\nreply = { first_byte_ms = 300, body = \"late\" }").await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    let t = Instant::now();
    let r = exchange(
        &mut s,
        b"GET / HTTP/1.1\r\nhost: x\r\n\r\n",
        ends_with("late"),
    )
    .await;
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    assert!(r.ends_with("late"));
    assert_eq!(
        u.record().requests.len(),
        1,
        "the request is recorded before the reply"
    );

    let u = up("mode = \"slow\"\nreply = { chunks = [\"first\"], stall = true }").await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    while !got.ends_with(b"5\r\nfirst\r\n") {
        let n = s.read(&mut buf).await.unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    let more = tokio::time::timeout(Duration::from_millis(300), s.read(&mut buf)).await;
    assert!(more.is_err(), "nothing after the first chunk: {more:?}");
}

#[tokio::test]
async fn closed_refuses_and_blackhole_hangs() {
    let u = up("mode = \"closed\"").await;
    let e = TcpStream::connect(u.addr).await.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);

    let u = up("mode = \"blackhole\"").await;
    let t = Instant::now();
    let r = tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(u.addr)).await;
    assert!(r.is_err(), "connect must hang, got {r:?}");
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(u.record().connections, 0);
}

#[tokio::test]
async fn h2_prior_knowledge_serves_h2_and_rejects_http1() {
    let u = up("mode = \"echo\"\nprotocol = \"h2c\"").await;
    let stream = TcpStream::connect(u.addr).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let req = http::Request::post(format!("http://{}/h2", u.addr))
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            b"over h2",
        )))
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let rec = u.record();
    assert_eq!(rec.requests[0].version, "HTTP/2");
    assert_eq!(rec.requests[0].body_len, 7);

    let mut s = TcpStream::connect(u.addr).await.unwrap();
    let r = exchange(&mut s, b"GET / HTTP/1.1\r\nhost: x\r\n\r\n", |_| false).await;
    assert!(
        !r.starts_with("HTTP/1.1"),
        "an h2-only server must not answer HTTP/1: {r:?}"
    );
}

#[tokio::test]
async fn https_with_the_test_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::generate(dir.path()).unwrap();
    assert!(std::fs::read_to_string(&ca.ca_path)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let u = start(
        &spec("mode = \"echo\"\nprotocol = \"https\""),
        &ca,
        next_cell_ip(),
    )
    .await
    .unwrap();
    assert_eq!(u.scheme, "https");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.ca_der().unwrap()).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(cfg));
    for name in ["localhost", "svc.example.test"] {
        let tcp = TcpStream::connect(u.addr).await.unwrap();
        let sn = rustls::pki_types::ServerName::try_from(name.to_string()).unwrap();
        let mut tls = connector.connect(sn, tcp).await.unwrap();
        tls.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\nhi")
            .await
            .unwrap();
        let mut buf = vec![0u8; 1024];
        let mut got = Vec::new();
        while !got.ends_with(b"hi") {
            let n = tls.read(&mut buf).await.unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
    }
    assert_eq!(u.record().requests.len(), 2);
}

#[tokio::test]
async fn h2_over_tls_offers_only_h2() {
    let ca = ca();
    let u = start(&spec("protocol = \"h2\""), &ca, next_cell_ip())
        .await
        .unwrap();
    assert_eq!(u.scheme, "https");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.ca_der().unwrap()).unwrap();
    let client = |alpn: &[&[u8]]| {
        let mut cfg = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
        cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        tokio_rustls::TlsConnector::from(std::sync::Arc::new(cfg))
    };
    let name = || rustls::pki_types::ServerName::try_from("localhost").unwrap();
    // An HTTP/1.1-only client finds no protocol in common.
    let tcp = TcpStream::connect(u.addr).await.unwrap();
    assert!(client(&[b"http/1.1"]).connect(name(), tcp).await.is_err());
    let tcp = TcpStream::connect(u.addr).await.unwrap();
    let tls = client(&[b"h2", b"http/1.1"])
        .connect(name(), tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
}

#[tokio::test]
async fn h2_replies_keep_their_pacing_chunks_and_trailers() {
    use http_body_util::BodyExt;
    let u = up("protocol = \"h2c\"\nmode = \"static\"\n[reply]\nchunks = [\"one\", \"two\"]\nfirst_byte_ms = 150\ntrailers = [[\"x-sum\", \"2\"]]").await;
    let tcp = TcpStream::connect(u.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let started = Instant::now();
    let req = hyper::Request::get(format!("http://{}/", u.addr))
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    let collected = resp.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned().unwrap();
    assert_eq!(trailers.get("x-sum").unwrap(), "2");
    assert_eq!(&collected.to_bytes()[..], b"onetwo");
}

#[tokio::test]
async fn cell_addresses_take_fixed_ports() {
    let ip = next_cell_ip();
    let u = start(&spec("bind = \"cell\"\nport = 80"), &ca(), ip)
        .await
        .unwrap();
    assert_eq!(u.addr, SocketAddr::new(ip.into(), 80));
    let v6 = up("bind = \"::1\"").await;
    assert!(v6.addr.is_ipv6());
    assert_ne!(next_cell_ip(), ip);
}

#[test]
fn default_replies_follow_the_mode() {
    assert_eq!(default_reply(Mode::Static).status, Some(404));
    assert_eq!(default_reply(Mode::Chunked).chunks.unwrap().len(), 3);
    assert_eq!(
        default_reply(Mode::Slow).body,
        Some(BodySpec(crate::protocol::Body::Text("slow".into())))
    );
}

#[tokio::test]
async fn bytes_that_cannot_start_a_request_are_refused_at_once() {
    let u = up("").await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    // The start of a TLS ClientHello: no line ending, so only the syntax can give it away.
    let started = Instant::now();
    let r = exchange(
        &mut s,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        |_| false,
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{r}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let rec = u.record();
    assert_eq!((rec.requests.len(), rec.incomplete), (0, 1));
    // A head that is merely unfinished is still waited for.
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    s.write_all(b"GET /slow HT").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = exchange(&mut s, b"TP/1.1\r\nHost: x\r\n\r\n", ends_with("\r\n\r\n")).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
}

#[tokio::test]
async fn a_reply_with_trailers_and_no_chunks_goes_chunked_so_the_trailers_arrive() {
    let u =
        up("mode = \"static\"\n[reply]\nbody = \"whole\"\ntrailers = [[\"x-sum\", \"7\"]]").await;
    let mut s = TcpStream::connect(u.addr).await.unwrap();
    let r = exchange(
        &mut s,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        ends_with("\r\n\r\n0\r\nx-sum: 7\r\n\r\n"),
    )
    .await;
    assert!(r.contains("transfer-encoding: chunked\r\n"), "{r}");
    assert!(r.ends_with("5\r\nwhole\r\n0\r\nx-sum: 7\r\n\r\n"), "{r}");
}
