//! Judging: compares what the guest saw (its verdicts) and what crossed the wire (the upstream
//! records) with a case's expectations. Pure functions; every mismatch becomes a [`Finding`].

use crate::case::{BodySpec, Expect, RequestExpect, UpstreamExpect};
use crate::protocol::{self, ResponseVerdict, Verdict};
use crate::upstream::{Record, RecordedRequest};

/// One mismatch between expectation and observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where: `step 2 status`, `upstream U request 1 header host`.
    pub what: String,
    pub expected: String,
    pub actual: String,
}

impl Finding {
    fn new(
        what: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Finding {
            what: what.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// One line: `step 2 status: expected 200, got 404`.
    pub fn line(&self) -> String {
        format!(
            "{}: expected {}, got {}",
            self.what, self.expected, self.actual
        )
    }
}

/// The findings as a diff-style block for reports.
pub fn diff(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        s.push_str(&format!("@ {}\n- {}\n+ {}\n", f.what, f.expected, f.actual));
    }
    s
}

fn list<T: std::fmt::Debug>(v: &[T]) -> String {
    format!("{v:?}")
}

/// Judges one verdict. `run_ms` is how long the whole run took (for `within_ms` when the
/// agent reports no time of its own). An `unsupported` verdict that the expectation does not
/// accept yields `Err(reason)`: the caller decides whether that is a skip or a failure.
pub fn verdict(label: &str, e: &Expect, v: &Verdict, run_ms: u64) -> Result<Vec<Finding>, String> {
    let mut out = Vec::new();
    let accepts = |code: &str| e.error.iter().flatten().any(|c| c == code);
    match v {
        Verdict::Unsupported { reason } => {
            if !accepts("unsupported") {
                return Err(reason.clone());
            }
        }
        Verdict::Error(err) => {
            if !protocol::is_known_code(&err.code) {
                out.push(Finding::new(
                    format!("{label} error code"),
                    "a wasi:http error-code name as written in the WIT",
                    format!("`{}`", err.code),
                ));
            } else if !accepts(&err.code) {
                let expected = match (&e.error, &e.status) {
                    (Some(codes), None) => format!("error in {}", list(codes)),
                    (Some(codes), Some(s)) => {
                        format!("status {:?} or error in {}", s.0, list(codes))
                    }
                    (None, Some(s)) => format!("status {:?}", s.0),
                    (None, None) => "nothing".into(),
                };
                let got = if err.message.is_empty() {
                    format!("error {}", err.code)
                } else {
                    format!("error {} ({})", err.code, err.message)
                };
                out.push(Finding::new(format!("{label} outcome"), expected, got));
            }
        }
        Verdict::Response(r) => match &e.status {
            None => out.push(Finding::new(
                format!("{label} outcome"),
                format!("error in {}", list(e.error.as_deref().unwrap_or_default())),
                format!("status {}", r.status),
            )),
            Some(s) if !s.0.contains(&r.status) => out.push(Finding::new(
                format!("{label} status"),
                if s.0.len() == 1 {
                    s.0[0].to_string()
                } else {
                    format!("one of {:?}", s.0)
                },
                r.status.to_string(),
            )),
            Some(_) => response(label, e, r, &mut out),
        },
    }
    if let Some(limit) = e.within_ms {
        let took = v.elapsed_ms().unwrap_or(run_ms);
        if took > limit {
            out.push(Finding::new(
                format!("{label} duration"),
                format!("at most {limit} ms"),
                format!("{took} ms"),
            ));
        }
    }
    Ok(out)
}

/// The expected body length and sha256 (either may be unset) against what was seen.
fn body_digest(
    label: &str,
    (want_len, want_sha): (Option<u64>, Option<&str>),
    (len, sha): (u64, &str),
    out: &mut Vec<Finding>,
) {
    if let Some(n) = want_len.filter(|&n| n != len) {
        out.push(Finding::new(
            format!("{label} body length"),
            n.to_string(),
            len.to_string(),
        ));
    }
    if let Some(want) = want_sha.filter(|w| !w.eq_ignore_ascii_case(sha)) {
        out.push(Finding::new(
            format!("{label} body sha256"),
            want.to_ascii_lowercase(),
            sha.to_string(),
        ));
    }
}

fn inline_body(r: &ResponseVerdict) -> Option<Vec<u8>> {
    use base64::Engine;
    if let Some(b) = &r.body {
        return Some(b.clone().into_bytes());
    }
    r.body_base64
        .as_ref()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
}

fn response(label: &str, e: &Expect, r: &ResponseVerdict, out: &mut Vec<Finding>) {
    if let Some(BodySpec(body)) = &e.body {
        match body.digest() {
            Ok((len, sha)) => {
                if len != r.body_len || sha != r.body_sha256 {
                    let actual = match (&r.body, len <= 256) {
                        (Some(text), true) => format!("{text:?}"),
                        _ => format!("{} bytes, sha256 {}", r.body_len, r.body_sha256),
                    };
                    let expected = match (body, len <= 256) {
                        (protocol::Body::Text(t), true) => format!("{t:?}"),
                        _ => format!("{len} bytes, sha256 {sha}"),
                    };
                    out.push(Finding::new(format!("{label} body"), expected, actual));
                }
            }
            Err(err) => out.push(Finding::new(
                format!("{label} body"),
                "a valid body",
                err.to_string(),
            )),
        }
    }
    body_digest(
        label,
        (e.body_len, e.body_sha256.as_deref()),
        (r.body_len, &r.body_sha256),
        out,
    );
    let body = inline_body(r);
    if let Some(needle) = &e.body_contains {
        let ok = body
            .as_ref()
            .is_some_and(|b| String::from_utf8_lossy(b).contains(needle.as_str()));
        if !ok {
            out.push(Finding::new(
                format!("{label} body"),
                format!("to contain {needle:?}"),
                body.as_ref().map_or("no inline body".into(), |b| {
                    format!("{:?}", String::from_utf8_lossy(b))
                }),
            ));
        }
    }
    fields(&format!("{label} header"), &e.headers, &r.headers, out);
    for name in &e.headers_absent {
        if r.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            out.push(Finding::new(
                format!("{label} header {name}"),
                "absent",
                "present",
            ));
        }
    }
    for (name, want) in &e.lookups {
        let got = r.lookups.get(name);
        if got != Some(want) {
            out.push(Finding::new(
                format!("{label} lookup {name}"),
                list(want),
                got.map_or("no lookup result".into(), |g| list(g)),
            ));
        }
    }
    let trailers = r.trailers.as_deref().unwrap_or_default();
    fields(&format!("{label} trailer"), &e.trailers, trailers, out);
    if !e.json.is_empty() {
        let parsed = body
            .as_ref()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok());
        for (pointer, want) in &e.json {
            let want = serde_json::to_value(want).unwrap_or(serde_json::Value::Null);
            let got = parsed.as_ref().and_then(|p| pointer_into(p, pointer));
            if got.as_ref() != Some(&want) {
                out.push(Finding::new(
                    format!("{label} json {pointer}"),
                    want.to_string(),
                    got.map_or("nothing there".into(), |g| g.to_string()),
                ));
            }
        }
    }
}

/// Every value of `name` among `fields` (case-insensitive), in order.
pub fn values<'a>(fields: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Compares every value of each named header (or trailer) with the expected list.
fn fields(
    label: &str,
    want: &std::collections::BTreeMap<String, Vec<String>>,
    got: &[(String, String)],
    out: &mut Vec<Finding>,
) {
    for (name, want) in want {
        let got = values(got, name);
        if got != *want {
            out.push(Finding::new(
                format!("{label} {name}"),
                list(want),
                list(&got),
            ));
        }
    }
}

/// A JSON pointer lookup that descends into strings holding JSON (a nested agent's verdict is a
/// body string inside the outer verdict).
pub fn pointer_into(v: &serde_json::Value, pointer: &str) -> Option<serde_json::Value> {
    let mut cur = v.clone();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if let serde_json::Value::String(s) = &cur {
            cur = serde_json::from_str(s).ok()?;
        }
        cur = match cur {
            serde_json::Value::Object(mut m) => m.remove(&seg)?,
            serde_json::Value::Array(mut a) => {
                let i: usize = seg.parse().ok()?;
                if i >= a.len() {
                    return None;
                }
                a.swap_remove(i)
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// Judges one upstream's record.
pub fn upstream(name: &str, e: &UpstreamExpect, rec: &Record) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(n) = e.connections {
        if n != rec.connections {
            out.push(Finding::new(
                format!("upstream {name} connections"),
                n.to_string(),
                rec.connections.to_string(),
            ));
        }
    }
    if let Some(n) = e.requests {
        if n != rec.requests.len() {
            let targets: Vec<String> = rec
                .requests
                .iter()
                .map(|r| format!("{} {}", r.method, r.target))
                .collect();
            out.push(Finding::new(
                format!("upstream {name} requests"),
                n.to_string(),
                format!("{} {}", rec.requests.len(), list(&targets)),
            ));
        }
    }
    if let Some(each) = &e.each {
        for (i, got) in rec.requests.iter().enumerate() {
            out.extend(request(
                &format!("upstream {name} request {}", i + 1),
                each,
                got,
            ));
        }
    }
    if e.any_order {
        let mut used = vec![false; rec.requests.len()];
        for (i, want) in e.request.iter().enumerate() {
            let label = format!("upstream {name} request {}", i + 1);
            let mut best: Option<Vec<Finding>> = None;
            let mut hit = None;
            for (j, got) in rec.requests.iter().enumerate() {
                if used[j] {
                    continue;
                }
                let f = request(&label, want, got);
                if f.is_empty() {
                    hit = Some(j);
                    break;
                }
                if best.as_ref().is_none_or(|b| f.len() < b.len()) {
                    best = Some(f);
                }
            }
            match (hit, best) {
                (Some(j), _) => used[j] = true,
                (None, Some(f)) => out.extend(f),
                (None, None) => out.push(Finding::new(label, "a matching request", "none left")),
            }
        }
    } else {
        for (i, want) in e.request.iter().enumerate() {
            let label = format!("upstream {name} request {}", i + 1);
            match rec.requests.get(i) {
                Some(got) => out.extend(request(&label, want, got)),
                None => out.push(Finding::new(label, "a request", "none")),
            }
        }
    }
    out
}

fn request(label: &str, e: &RequestExpect, r: &RecordedRequest) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(m) = &e.method {
        if *m != r.method {
            out.push(Finding::new(
                format!("{label} method"),
                m.clone(),
                r.method.clone(),
            ));
        }
    }
    if let Some(v) = &e.version {
        if !v.eq_ignore_ascii_case(&r.version) {
            out.push(Finding::new(
                format!("{label} version"),
                v.clone(),
                r.version.clone(),
            ));
        }
    }
    if let Some(t) = &e.target {
        if *t != r.target {
            out.push(Finding::new(
                format!("{label} target"),
                t.clone(),
                r.target.clone(),
            ));
        }
    }
    fields(&format!("{label} header"), &e.headers, &r.headers, &mut out);
    for name in &e.headers_present {
        if r.header_values(name).is_empty() {
            out.push(Finding::new(
                format!("{label} header {name}"),
                "present",
                "absent",
            ));
        }
    }
    for name in &e.headers_absent {
        let got = r.header_values(name);
        if !got.is_empty() {
            out.push(Finding::new(
                format!("{label} header {name}"),
                "absent",
                list(&got),
            ));
        }
    }
    for (name, value) in &e.header_values_absent {
        if r.header_values(name).iter().any(|v| v == value) {
            out.push(Finding::new(
                format!("{label} header {name}"),
                format!("no value {value:?}"),
                list(&r.header_values(name)),
            ));
        }
    }
    if let Some(BodySpec(body)) = &e.body {
        if let Ok((len, sha)) = body.digest() {
            if len != r.body_len || sha != r.body_sha256 {
                let show = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
                let (expected, actual) = match body {
                    protocol::Body::Text(t) if len <= 256 && r.body_len <= 256 => {
                        (format!("{t:?}"), show(&r.body_prefix))
                    }
                    _ => (
                        format!("{len} bytes, sha256 {sha}"),
                        format!("{} bytes, sha256 {}", r.body_len, r.body_sha256),
                    ),
                };
                out.push(Finding::new(format!("{label} body"), expected, actual));
            }
        }
    }
    body_digest(
        label,
        (e.body_len, e.body_sha256.as_deref()),
        (r.body_len, &r.body_sha256),
        &mut out,
    );
    if let Some(c) = e.chunked {
        if c != r.chunked {
            let say = |c: bool| if c { "chunked" } else { "not chunked" };
            out.push(Finding::new(
                format!("{label} framing"),
                say(c),
                say(r.chunked),
            ));
        }
    }
    fields(
        &format!("{label} trailer"),
        &e.trailers,
        &r.trailers,
        &mut out,
    );
    out
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
