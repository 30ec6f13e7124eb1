//! The agent protocol: the JSON the harness sends to a language's agent and the JSON verdict it
//! gets back. `PROTOCOL.md` beside this crate documents it for agent authors; this module is its
//! single definition on the harness side.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What `POST …/run` carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instruction {
    /// Run every step at the same time (the agent's executor), or one after another.
    #[serde(default)]
    pub concurrent: bool,
    pub steps: Vec<Step>,
}

/// One outbound request for the agent to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The API entry: `send`, `stream`, `get`, `post` or `fetch` (see PROTOCOL.md).
    pub api: String,
    pub method: String,
    /// The absolute or relative URL. Exactly one of `url` and `url_parts` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The request's parts set one by one, for lower-level APIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_parts: Option<UrlParts>,
    /// Request headers, in order, names as written.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// Write the body in pieces of these sizes, flushing after each, and declare no length
    /// unless a `content-length` header is among `headers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks: Option<Vec<u64>>,
    /// Request trailers, sent after the body (needs a streaming API).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trailers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<RequestOptions>,
    /// Response header names to look up through the SDK's own lookup function.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookup: Vec<String>,
    /// Start from the headers of the inbound `/run` request (then add `headers`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub forward_inbound_headers: bool,
    /// Return the response body inline when it is at most this long.
    #[serde(default = "default_max_inline")]
    pub max_inline_body: u64,
}

fn is_false(b: &bool) -> bool {
    !*b
}

pub fn default_max_inline() -> u64 {
    64 * 1024
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrlParts {
    pub scheme: Option<String>,
    pub authority: Option<String>,
    pub path_with_query: Option<String>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Body {
    Text(String),
    Base64(String),
    /// `n` bytes where byte `i` is `i % 251`.
    Pattern(u64),
}

impl Body {
    pub fn bytes(&self) -> anyhow::Result<Vec<u8>> {
        use base64::Engine;
        Ok(match self {
            Body::Text(t) => t.as_bytes().to_vec(),
            Body::Base64(b) => base64::engine::general_purpose::STANDARD.decode(b)?,
            Body::Pattern(n) => pattern(*n),
        })
    }

    /// Length and sha256 (hex) of the body.
    pub fn digest(&self) -> anyhow::Result<(u64, String)> {
        match self {
            Body::Pattern(n) => {
                let mut h = Sha256::new();
                let mut i = 0u64;
                let mut buf = Vec::with_capacity(64 * 1024);
                while i < *n {
                    buf.clear();
                    while buf.len() < 64 * 1024 && i < *n {
                        buf.push((i % 251) as u8);
                        i += 1;
                    }
                    h.update(&buf);
                }
                Ok((*n, hex(&h.finalize())))
            }
            other => {
                let b = other.bytes()?;
                Ok((b.len() as u64, sha256_hex(&b)))
            }
        }
    }
}

/// The generated pattern body: byte `i` is `i % 251`.
pub fn pattern(n: u64) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// wasi:http `request-options`, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_byte_timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub between_bytes_timeout_ms: Option<u64>,
}

/// The agent's answer to `/run`: one verdict per step, in step order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReply {
    pub steps: Vec<Verdict>,
}

/// What one step came to, as the guest saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Verdict {
    Response(ResponseVerdict),
    Error(ErrorVerdict),
    Unsupported {
        #[serde(default)]
        reason: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseVerdict {
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    pub body_len: u64,
    pub body_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// For each name in the step's `lookup`: the values the SDK's lookup returned.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lookups: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailers: Option<Vec<(String, String)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorVerdict {
    /// The wasi:http `error-code` case name as written in the WIT, a `header-error` case name
    /// (`invalid-syntax`, `forbidden`, `immutable`), or `other`.
    pub code: String,
    #[serde(default)]
    pub message: String,
    /// Where it failed: `request`, `send`, `body-write`, `response`, `body-read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The status, when the failure came after the response head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

impl Verdict {
    pub fn elapsed_ms(&self) -> Option<u64> {
        match self {
            Verdict::Response(r) => r.elapsed_ms,
            Verdict::Error(e) => e.elapsed_ms,
            Verdict::Unsupported { .. } => None,
        }
    }

    /// One line for reports.
    pub fn summary(&self) -> String {
        match self {
            Verdict::Response(r) => format!("status {} ({} body bytes)", r.status, r.body_len),
            Verdict::Error(e) if e.message.is_empty() => format!("error {}", e.code),
            Verdict::Error(e) => format!("error {} ({})", e.code, e.message),
            Verdict::Unsupported { reason } => format!("unsupported ({reason})"),
        }
    }
}

/// The `error-code` cases of wasi:http 0.2, as written in the WIT.
pub const ERROR_CODES: &[&str] = &[
    "DNS-timeout",
    "DNS-error",
    "destination-not-found",
    "destination-unavailable",
    "destination-IP-prohibited",
    "destination-IP-unroutable",
    "connection-refused",
    "connection-terminated",
    "connection-reset",
    "connection-timeout",
    "connection-read-timeout",
    "connection-write-timeout",
    "connection-limit-reached",
    "TLS-protocol-error",
    "TLS-certificate-error",
    "TLS-alert-received",
    "HTTP-request-denied",
    "HTTP-request-length-required",
    "HTTP-request-body-size",
    "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid",
    "HTTP-request-URI-too-long",
    "HTTP-request-header-section-size",
    "HTTP-request-header-size",
    "HTTP-request-trailer-section-size",
    "HTTP-request-trailer-size",
    "HTTP-response-incomplete",
    "HTTP-response-header-section-size",
    "HTTP-response-header-size",
    "HTTP-response-body-size",
    "HTTP-response-trailer-section-size",
    "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding",
    "HTTP-response-content-coding",
    "HTTP-response-timeout",
    "HTTP-upgrade-failed",
    "HTTP-protocol-error",
    "loop-detected",
    "configuration-error",
    "internal-error",
];

/// The `header-error` cases, which SDKs report for bad or forbidden headers.
pub const HEADER_ERRORS: &[&str] = &["invalid-syntax", "forbidden", "immutable"];

/// Whether a code may appear in a verdict (and in a case's expected error set).
pub fn is_known_code(code: &str) -> bool {
    ERROR_CODES.contains(&code)
        || HEADER_ERRORS.contains(&code)
        || code == "other"
        || code == "unsupported"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_round_trip_with_a_kind_tag() {
        let json = r#"{"steps":[
            {"kind":"response","status":200,"headers":[["a","b"]],"body_len":3,"body_sha256":"x","body":"abc"},
            {"kind":"error","code":"connection-refused"},
            {"kind":"unsupported","reason":"no trailers"}]}"#;
        let reply: RunReply = serde_json::from_str(json).unwrap();
        assert_eq!(reply.steps.len(), 3);
        match &reply.steps[0] {
            Verdict::Response(r) => {
                assert_eq!(r.status, 200);
                assert_eq!(r.headers, vec![("a".into(), "b".into())]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&reply.steps[1], Verdict::Error(e) if e.code == "connection-refused"));
        let back = serde_json::to_string(&reply).unwrap();
        assert_eq!(serde_json::from_str::<RunReply>(&back).unwrap(), reply);
    }

    #[test]
    fn pattern_digest_matches_the_materialised_bytes() {
        for n in [0u64, 1, 250, 251, 252, 70_000, 200_001] {
            let bytes = pattern(n);
            assert_eq!(bytes.len() as u64, n);
            assert_eq!(Body::Pattern(n).digest().unwrap(), (n, sha256_hex(&bytes)));
        }
        assert_eq!(pattern(253)[251], 0);
        assert_eq!(pattern(253)[252], 1);
    }

    #[test]
    fn known_codes_are_the_wit_spellings() {
        assert!(is_known_code("HTTP-request-denied"));
        assert!(is_known_code("DNS-error"));
        assert!(!is_known_code("HttpRequestDenied"));
        assert!(!is_known_code("http-request-denied"));
    }
}
