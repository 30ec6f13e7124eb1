//! The instruction the agent reads (see conformance/PROTOCOL.md), and small helpers for the
//! verdict it writes.

use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Deserialize)]
pub struct Instruction {
    #[serde(default)]
    pub concurrent: bool,
    pub steps: Vec<Step>,
}

fn default_api() -> String {
    "send".into()
}

fn default_method() -> String {
    "GET".into()
}

fn default_inline() -> u64 {
    64 * 1024
}

#[derive(Debug, Deserialize)]
pub struct Step {
    #[serde(default = "default_api")]
    pub api: String,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub url_parts: Option<UrlParts>,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<Body>,
    #[serde(default)]
    pub chunks: Option<Vec<u64>>,
    #[serde(default)]
    pub trailers: Vec<(String, String)>,
    #[serde(default)]
    pub options: Option<Options>,
    #[serde(default)]
    pub lookup: Vec<String>,
    #[serde(default)]
    pub forward_inbound_headers: bool,
    #[serde(default = "default_inline")]
    pub max_inline_body: u64,
}

#[derive(Debug, Deserialize)]
pub struct UrlParts {
    pub scheme: Option<String>,
    pub authority: Option<String>,
    pub path_with_query: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Body {
    Text(String),
    Base64(String),
    Pattern(u64),
}

impl Body {
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        use base64::Engine;
        match self {
            Body::Text(t) => Ok(t.as_bytes().to_vec()),
            Body::Base64(b) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| e.to_string()),
            Body::Pattern(n) => Ok((0..*n).map(|i| (i % 251) as u8).collect()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Options {
    pub connect_timeout_ms: Option<u64>,
    pub first_byte_timeout_ms: Option<u64>,
    pub between_bytes_timeout_ms: Option<u64>,
}

/// An incremental sha256 that also keeps the first `keep` bytes.
pub struct Sha {
    hash: Sha256,
    len: u64,
    kept: Vec<u8>,
    keep: u64,
}

impl Sha {
    pub fn new(keep: u64) -> Self {
        Sha {
            hash: Sha256::new(),
            len: 0,
            kept: Vec::new(),
            keep,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
        self.len += bytes.len() as u64;
        if self.len <= self.keep {
            self.kept.extend_from_slice(bytes);
        }
    }

    /// `(length, hex sha256, the body if it fits)`.
    pub fn finish(self) -> (u64, String, Option<Vec<u8>>) {
        let fits = self.len <= self.keep;
        (
            self.len,
            hex(&self.hash.finalize()),
            fits.then_some(self.kept),
        )
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
