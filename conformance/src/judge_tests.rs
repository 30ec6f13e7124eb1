use super::*;
use crate::case::StatusSet;
use crate::protocol::{Body, ErrorVerdict};

fn ok(status: u16, body: &str) -> Verdict {
    Verdict::Response(ResponseVerdict {
        status,
        headers: vec![
            ("Content-Type".into(), "text/plain".into()),
            ("x-m".into(), "1".into()),
            ("X-M".into(), "2".into()),
        ],
        body_len: body.len() as u64,
        body_sha256: protocol::sha256_hex(body.as_bytes()),
        body: Some(body.into()),
        ..Default::default()
    })
}

fn err(code: &str) -> Verdict {
    Verdict::Error(ErrorVerdict {
        code: code.into(),
        ..Default::default()
    })
}

fn expect_status(s: u16) -> Expect {
    Expect {
        status: Some(StatusSet(vec![s])),
        ..Default::default()
    }
}

#[test]
fn status_and_body_pass_and_fail() {
    let mut e = expect_status(200);
    e.body = Some(BodySpec(Body::Text("hello".into())));
    assert!(verdict("step 1", &e, &ok(200, "hello"), 0)
        .unwrap()
        .is_empty());
    let f = verdict("step 1", &e, &ok(200, "bye"), 0).unwrap();
    assert_eq!(f, vec![Finding::new("step 1 body", "\"hello\"", "\"bye\"")]);
    let f = verdict("step 1", &e, &ok(404, "hello"), 0).unwrap();
    assert_eq!(f[0].line(), "step 1 status: expected 200, got 404");
}

#[test]
fn error_sets_and_either_or() {
    let e = Expect {
        error: Some(vec!["DNS-error".into(), "connection-refused".into()]),
        ..Default::default()
    };
    assert!(verdict("s", &e, &err("connection-refused"), 0)
        .unwrap()
        .is_empty());
    let f = verdict("s", &e, &err("connection-timeout"), 0).unwrap();
    assert_eq!(
        f[0].expected,
        "error in [\"DNS-error\", \"connection-refused\"]"
    );
    assert_eq!(f[0].actual, "error connection-timeout");
    let f = verdict("s", &e, &ok(200, ""), 0).unwrap();
    assert_eq!(f[0].actual, "status 200");

    let either = Expect {
        status: Some(StatusSet(vec![200])),
        error: Some(vec!["HTTP-request-URI-invalid".into()]),
        ..Default::default()
    };
    assert!(verdict("s", &either, &ok(200, ""), 0).unwrap().is_empty());
    assert!(verdict("s", &either, &err("HTTP-request-URI-invalid"), 0)
        .unwrap()
        .is_empty());
    assert_eq!(
        verdict("s", &either, &err("DNS-error"), 0).unwrap().len(),
        1
    );
}

#[test]
fn codes_must_be_wit_spellings() {
    let e = Expect {
        error: Some(vec!["HTTP-request-denied".into()]),
        ..Default::default()
    };
    let f = verdict("s", &e, &err("HttpRequestDenied"), 0).unwrap();
    assert_eq!(f[0].what, "s error code");
}

#[test]
fn unsupported_is_returned_unless_accepted() {
    let e = expect_status(200);
    let u = Verdict::Unsupported {
        reason: "no trailers".into(),
    };
    assert_eq!(verdict("s", &e, &u, 0), Err("no trailers".into()));
    let e = Expect {
        status: Some(StatusSet(vec![200])),
        error: Some(vec!["unsupported".into()]),
        ..Default::default()
    };
    assert!(verdict("s", &e, &u, 0).unwrap().is_empty());
}

#[test]
fn headers_lookups_json_and_time() {
    let mut e = expect_status(200);
    e.headers.insert("x-m".into(), vec!["1".into(), "2".into()]);
    e.headers_absent.push("content-length".into());
    assert!(verdict("s", &e, &ok(200, ""), 0).unwrap().is_empty());
    e.headers_absent.push("CONTENT-TYPE".into());
    assert_eq!(
        verdict("s", &e, &ok(200, ""), 0).unwrap()[0].what,
        "s header CONTENT-TYPE"
    );

    let mut e = expect_status(200);
    e.lookups.insert("X-Resp".into(), vec!["V".into()]);
    let mut v = ok(200, "");
    if let Verdict::Response(r) = &mut v {
        r.lookups.insert("X-Resp".into(), vec!["V".into()]);
    }
    assert!(verdict("s", &e, &v, 0).unwrap().is_empty());
    if let Verdict::Response(r) = &mut v {
        r.lookups.insert("X-Resp".into(), vec![]);
    }
    assert_eq!(verdict("s", &e, &v, 0).unwrap()[0].expected, "[\"V\"]");

    let nested = serde_json::json!({"steps": [{"kind": "response", "status": 200,
        "body": serde_json::json!({"method": "GET", "path": "/hello"}).to_string()}]});
    let mut e = expect_status(200);
    e.json
        .insert("/steps/0/status".into(), toml::Value::Integer(200));
    e.json.insert(
        "/steps/0/body/path".into(),
        toml::Value::String("/hello".into()),
    );
    assert!(verdict("s", &e, &ok(200, &nested.to_string()), 0)
        .unwrap()
        .is_empty());
    e.json.insert(
        "/steps/0/body/method".into(),
        toml::Value::String("POST".into()),
    );
    let f = verdict("s", &e, &ok(200, &nested.to_string()), 0).unwrap();
    assert_eq!(
        f,
        vec![Finding::new(
            "s json /steps/0/body/method",
            "\"POST\"",
            "\"GET\""
        )]
    );

    let mut e = expect_status(200);
    e.within_ms = Some(2000);
    assert!(verdict("s", &e, &ok(200, ""), 1500).unwrap().is_empty());
    assert_eq!(
        verdict("s", &e, &ok(200, ""), 2500).unwrap()[0].actual,
        "2500 ms"
    );
}

fn rec(reqs: Vec<RecordedRequest>) -> Record {
    Record {
        connections: 1,
        requests: reqs,
        incomplete: 0,
    }
}

fn req(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> RecordedRequest {
    RecordedRequest {
        method: method.into(),
        target: target.into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body_len: body.len() as u64,
        body_sha256: protocol::sha256_hex(body),
        body_prefix: body.to_vec(),
        ..Default::default()
    }
}

#[test]
fn upstream_counts_and_requests() {
    let r = rec(vec![req(
        "GET",
        "/a",
        &[("Host", "h:1"), ("x-multi", "first"), ("X-Multi", "second")],
        b"",
    )]);
    let mut e = UpstreamExpect {
        connections: Some(1),
        requests: Some(1),
        ..Default::default()
    };
    e.request.push(RequestExpect {
        method: Some("GET".into()),
        target: Some("/a".into()),
        headers: [
            ("host".to_string(), vec!["h:1".to_string()]),
            ("x-multi".to_string(), vec!["first".into(), "second".into()]),
        ]
        .into(),
        headers_absent: vec!["x-absent".into()],
        body_len: Some(0),
        ..Default::default()
    });
    assert!(upstream("U", &e, &r).is_empty());

    e.connections = Some(0);
    e.request[0]
        .headers
        .insert("x-multi".into(), vec!["second".into(), "first".into()]);
    let f = upstream("U", &e, &r);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].line(), "upstream U connections: expected 0, got 1");
    assert_eq!(f[1].what, "upstream U request 1 header x-multi");
}

#[test]
fn upstream_bodies_and_order() {
    let big = crate::protocol::pattern(5000);
    let r = rec(vec![
        req("POST", "/b", &[], &big),
        req("GET", "/a", &[], b""),
    ]);
    let mut e = UpstreamExpect::default();
    e.request.push(RequestExpect {
        target: Some("/a".into()),
        ..Default::default()
    });
    e.request.push(RequestExpect {
        body: Some(BodySpec(Body::Pattern(5000))),
        ..Default::default()
    });
    // In arrival order, both mismatch.
    assert_eq!(upstream("U", &e, &r).len(), 2);
    e.any_order = true;
    assert!(upstream("U", &e, &r).is_empty());
    e.request[1].body = Some(BodySpec(Body::Pattern(4999)));
    let f = upstream("U", &e, &r);
    assert_eq!(f.len(), 1);
    assert!(f[0].actual.starts_with("5000 bytes"), "{:?}", f[0]);
}
