//! One cell: a case run against one language's agent in one runtime. Starts the case's upstream
//! servers, writes its app, runs the load checks, serves the app, sends the instructions and
//! inbound requests, and judges what came back and what crossed the wire.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use crate::adapter::{Adapter, StartError};
use crate::case::{Case, Expect, LoadedCase, Tier};
use crate::judge::{self, Finding};
use crate::placeholder::{Context, UpstreamAddr};
use crate::protocol::{self, Instruction, ResponseVerdict, RunReply, Verdict};
use crate::report::{CellResult, Outcome};
use crate::upstream::{self, TestCa, Upstream};

/// What every cell of a run shares.
pub struct Env {
    pub adapter: Arc<dyn Adapter>,
    pub ca: TestCa,
    /// A scratch folder; each cell writes its app under it.
    pub work: PathBuf,
}

/// Runs one cell to a result (never an error: anything that goes wrong is the cell's outcome).
pub async fn run_cell(env: &Env, case: &LoadedCase, language: &str, agent: &Path) -> CellResult {
    let started = Instant::now();
    let mut result = CellResult {
        case: case.case.id.clone(),
        language: language.to_string(),
        outcome: Outcome::Pass,
        reason: String::new(),
        duration_ms: 0,
        diff: String::new(),
        details: None,
    };
    let missing: Vec<&str> = case
        .case
        .needs
        .iter()
        .filter(|f| !env.adapter.supports(f))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        result.outcome = Outcome::Skip;
        result.reason = format!(
            "runtime `{}` lacks {}",
            env.adapter.name(),
            missing.join(", ")
        );
        return result;
    }
    let limit = Duration::from_secs(case.case.timeout_s.unwrap_or(30));
    let dir = env.work.join(language).join(&case.case.id);
    match tokio::time::timeout(limit, cell(env, case, agent, &dir)).await {
        Err(_) => {
            result.outcome = Outcome::Fail;
            result.reason = format!("timed out after {} s", limit.as_secs());
        }
        Ok(Err(e)) => {
            result.outcome = Outcome::Fail;
            result.reason = format!("harness: {e:#}");
        }
        Ok(Ok(o)) => {
            result.details = Some(o.details);
            if let Some(why) = o.skip {
                result.outcome = Outcome::Skip;
                result.reason = why;
            } else if let Some(first) = o.findings.first() {
                result.outcome = Outcome::Fail;
                result.reason = first.line();
                if o.findings.len() > 1 {
                    result
                        .reason
                        .push_str(&format!(" (+{} more)", o.findings.len() - 1));
                }
                result.diff = judge::diff(&o.findings);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

struct CellOutcome {
    findings: Vec<Finding>,
    skip: Option<String>,
    details: serde_json::Value,
}

async fn cell(
    env: &Env,
    loaded: &LoadedCase,
    agent: &Path,
    dir: &Path,
) -> anyhow::Result<CellOutcome> {
    // Upstreams first: their addresses fill the placeholders.
    let cell_ip = upstream::next_cell_ip();
    let mut ups: BTreeMap<String, Upstream> = BTreeMap::new();
    let mut ctx = Context {
        ca_pem: env.ca.ca_path.to_string_lossy().into_owned(),
        ..Default::default()
    };
    for (name, spec) in &loaded.case.upstreams {
        let u = upstream::start(spec, &env.ca, cell_ip)
            .await
            .with_context(|| format!("starting upstream {name}"))?;
        ctx.upstreams.insert(
            name.clone(),
            UpstreamAddr {
                addr: u.addr,
                scheme: u.scheme,
            },
        );
        ups.insert(name.clone(), u);
    }
    let case = loaded.instantiate(&ctx)?;
    let mut findings = Vec::new();
    let mut skip = None;
    let mut details = serde_json::Map::new();

    // Load checks: each variant must be refused.
    for (i, check) in case.load_checks.iter().enumerate() {
        let files = crate::app::write(&case, &ctx, agent, dir, Some((i, check)))?;
        let what = format!("load check {} {:?}", i + 1, check.allowed_outbound_hosts);
        match env.adapter.start(&files).await {
            Ok(running) => {
                running.stop().await;
                findings.push(Finding {
                    what,
                    expected: "the runtime refuses the app".into(),
                    actual: "it loaded".into(),
                });
            }
            Err(StartError::Refused(msg)) => {
                let lower = msg.to_lowercase();
                for want in &check.error_contains {
                    if !lower.contains(&want.to_lowercase()) {
                        findings.push(Finding {
                            what: what.clone(),
                            expected: format!("an error mentioning {want:?}"),
                            actual: msg.clone(),
                        });
                    }
                }
                details.insert(format!("load_check_{}", i + 1), msg.into());
            }
            Err(StartError::Other(e)) => return Err(e),
        }
    }

    if !case.steps.is_empty() || !case.inbound.is_empty() {
        let files = crate::app::write(&case, &ctx, agent, dir, None)?;
        let running = match env.adapter.start(&files).await {
            Ok(r) => r,
            Err(StartError::Refused(msg)) => {
                findings.push(Finding {
                    what: "app".into(),
                    expected: "the runtime serves the app".into(),
                    actual: format!("refused: {msg}"),
                });
                return Ok(CellOutcome {
                    findings,
                    skip,
                    details: details.into(),
                });
            }
            Err(StartError::Other(e)) => return Err(e),
        };
        let addr = running.addr();
        if env.adapter.primes_instances() {
            findings.extend(prime_instances(&case, addr).await);
        }
        let run = drive(&case, addr, &mut findings, &mut skip, &mut details).await;
        running.stop().await;
        run?;
    }

    // What crossed the wire.
    let mut records = serde_json::Map::new();
    for (name, u) in &ups {
        let rec = u.record();
        if let Some(spec) = case.upstreams.get(name) {
            findings.extend(judge::upstream(name, &spec.expect, &rec));
        }
        records.insert(name.clone(), serde_json::to_value(&rec).unwrap_or_default());
        u.stop();
    }
    details.insert("upstreams".into(), records.into());
    Ok(CellOutcome {
        findings,
        skip,
        details: details.into(),
    })
}

/// Sends every routed component an instruction with no steps, so the case's own requests meet
/// instances that have served one already (for runtimes that reuse instances). Any answer but
/// a server error will do: an exact route may lead to another agent entry (`/users/:id/proxy`
/// answers 400 without a target), and the instance has served a request all the same.
async fn prime_instances(case: &Case, addr: SocketAddr) -> Vec<Finding> {
    let mut findings = Vec::new();
    let nothing = Instruction {
        concurrent: false,
        steps: Vec::new(),
    };
    for component in case.components() {
        let Some(path) = component.run_path() else {
            continue;
        };
        let actual = match post_instruction(addr, &path, &nothing, Vec::new()).await {
            Ok(Exchange { status, .. }) if status < 500 => continue,
            Ok(Exchange { status, .. }) => format!("HTTP {status}"),
            Err(e) => format!("no answer: {e:#}"),
        };
        findings.push(Finding {
            what: format!("priming request to component `{}`", component.id),
            expected: "an answer (not a server error) to an instruction with no steps".into(),
            actual,
        });
    }
    findings
}

/// POSTs `instruction` to an agent's run path, with `headers` besides the JSON content type.
async fn post_instruction(
    addr: SocketAddr,
    path: &str,
    instruction: &Instruction,
    headers: Vec<(String, String)>,
) -> anyhow::Result<Exchange> {
    let body = serde_json::to_vec(instruction)?;
    let mut all = vec![("content-type".to_string(), "application/json".to_string())];
    all.extend(headers);
    request(addr, "POST", path, &all, Bytes::from(body), &[]).await
}

/// Sends the steps (grouped by component) and the inbound requests, and judges the verdicts.
async fn drive(
    case: &Case,
    addr: SocketAddr,
    findings: &mut Vec<Finding>,
    skip: &mut Option<String>,
    details: &mut serde_json::Map<String, serde_json::Value>,
) -> anyhow::Result<()> {
    let comps = case.components();
    let mut verdicts = Vec::new();
    let mut i = 0;
    let mut n = 0usize;
    while i < case.steps.len() {
        let comp = case.steps[i].component.clone();
        let mut j = i;
        let mut steps = Vec::new();
        let mut expects: Vec<(String, &Expect)> = Vec::new();
        let mut inbound_headers = Vec::new();
        while j < case.steps.len() && case.steps[j].component == comp {
            let s = &case.steps[j];
            inbound_headers.extend(s.inbound_headers.iter().cloned());
            for _ in 0..s.repeat.unwrap_or(1) {
                n += 1;
                steps.push(s.to_protocol());
                expects.push((format!("step {n}"), &s.expect));
            }
            j += 1;
        }
        let target = match &comp {
            Some(id) => comps.iter().find(|c| &c.id == id),
            None => comps.first(),
        }
        .and_then(|c| c.run_path())
        .context("no route to post the steps to")?;
        let instruction = Instruction {
            concurrent: case.concurrent,
            steps,
        };
        let t = Instant::now();
        let resp = post_instruction(addr, &target, &instruction, inbound_headers).await;
        let run_ms = t.elapsed().as_millis() as u64;
        let reply = match resp {
            Err(e) => Err(format!("no answer: {e:#}")),
            Ok(Exchange {
                status: 200, body, ..
            }) => serde_json::from_slice::<RunReply>(&body).map_err(|e| {
                format!(
                    "unreadable verdict ({e}): {}",
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                )
            }),
            Ok(Exchange { status, body, .. }) => Err(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )),
        };
        match reply {
            Err(msg) => findings.push(Finding {
                what: format!("agent run {target}"),
                expected: "200 with a JSON verdict".into(),
                actual: msg,
            }),
            Ok(reply) => {
                if reply.steps.len() != expects.len() {
                    findings.push(Finding {
                        what: format!("agent run {target}"),
                        expected: format!("{} verdicts", expects.len()),
                        actual: format!("{} verdicts", reply.steps.len()),
                    });
                }
                for ((label, e), v) in expects.iter().zip(&reply.steps) {
                    match judge::verdict(label, e, v, run_ms) {
                        Ok(f) => findings.extend(f),
                        Err(reason) if case.tier == Tier::Optional => {
                            skip.get_or_insert(format!("unsupported by the SDK: {reason}"));
                        }
                        Err(reason) => findings.push(Finding {
                            what: format!("{label} outcome"),
                            expected: "a response or an error".into(),
                            actual: format!("unsupported ({reason})"),
                        }),
                    }
                }
                verdicts.extend(reply.steps);
            }
        }
        i = j;
    }
    details.insert("verdicts".into(), serde_json::to_value(&verdicts)?);

    let mut inbound = Vec::new();
    for (k, ib) in case.inbound.iter().enumerate() {
        let label = format!("inbound {} {} {}", k + 1, ib.method, ib.path);
        let body = match &ib.body {
            Some(b) => Bytes::from(b.0.bytes()?),
            None => Bytes::new(),
        };
        let t = Instant::now();
        match request(addr, &ib.method, &ib.path, &ib.headers, body, &ib.trailers).await {
            Err(e) => findings.push(Finding {
                what: label,
                expected: "a response".into(),
                actual: format!("{e:#}"),
            }),
            Ok(answer) => {
                let body = &answer.body;
                let v = Verdict::Response(ResponseVerdict {
                    status: answer.status,
                    body_len: body.len() as u64,
                    body_sha256: protocol::sha256_hex(body),
                    body: std::str::from_utf8(body).ok().map(str::to_string),
                    headers: answer.headers,
                    trailers: Some(answer.trailers),
                    ..Default::default()
                });
                let ms = t.elapsed().as_millis() as u64;
                findings.extend(judge::verdict(&label, &ib.expect, &v, ms).unwrap_or_default());
                if let Verdict::Response(r) = &v {
                    let head: String = r.body.as_deref().unwrap_or("").chars().take(300).collect();
                    inbound.push(serde_json::json!({
                        "status": r.status,
                        "headers": r.headers,
                        "body_len": r.body_len,
                        "body_head": head,
                        "trailers": r.trailers,
                    }));
                }
            }
        }
    }
    if !inbound.is_empty() {
        details.insert("inbound".into(), inbound.into());
    }
    Ok(())
}

/// What the app answered to one request.
pub struct Exchange {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub trailers: Vec<(String, String)>,
}

/// One HTTP/1.1 exchange with the app on a fresh connection. A `host` among `headers`
/// replaces the default one; `trailers`, if any, follow the body (which then goes chunked).
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Bytes,
    trailers: &[(String, String)],
) -> anyhow::Result<Exchange> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let _ = stream.set_nodelay(true);
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(http::Method::from_bytes(method.as_bytes())?)
        .uri(path);
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        req = req.header("host", addr.to_string());
    }
    for (n, v) in headers {
        req = req.header(n.as_str(), v.as_str());
    }
    if !trailers.is_empty() {
        // A body of known length would go out with content-length, and its trailers nowhere.
        req = req.header("transfer-encoding", "chunked");
    }
    let trailer_map = if trailers.is_empty() {
        None
    } else {
        let mut map = http::HeaderMap::new();
        for (n, v) in trailers {
            map.append(
                http::HeaderName::from_bytes(n.as_bytes())?,
                http::HeaderValue::from_str(v)?,
            );
        }
        Some(Ok(map))
    };
    let body = Full::new(body).with_trailers(std::future::ready(trailer_map));
    let resp = send.send_request(req.body(body)?).await?;
    let status = resp.status().as_u16();
    let headers = pairs(resp.headers());
    let collected = resp.into_body().collect().await?;
    let trailers = collected.trailers().map(pairs).unwrap_or_default();
    Ok(Exchange {
        status,
        headers,
        body: collected.to_bytes(),
        trailers,
    })
}

fn pairs(map: &http::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            (
                n.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}
