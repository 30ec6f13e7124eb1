//! Results and their reports. JSON is the source of truth (and what shards merge); JUnit XML,
//! Markdown, a self-contained HTML matrix and the terminal matrix are views of it.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod terminal;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The outcome of one language × case cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
    /// Failed as a language's expectations file says it does.
    Xfail,
    /// Passed although the expectations file says it fails: the file is out of date.
    Xpass,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Skip,
        Outcome::Xfail,
        Outcome::Xpass,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
            Outcome::Xfail => "xfail",
            Outcome::Xpass => "xpass",
        }
    }

    /// Whether this outcome fails the run.
    pub fn is_error(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Xpass)
    }

    /// The one-character mark used in matrices.
    pub fn mark(self) -> &'static str {
        match self {
            Outcome::Pass => "✓",
            Outcome::Fail => "✗",
            Outcome::Skip => "-",
            Outcome::Xfail => "x",
            Outcome::Xpass => "!",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cell's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    pub case: String,
    pub language: String,
    pub outcome: Outcome,
    /// Why it failed, skipped or is expected to fail; empty for a plain pass.
    #[serde(default)]
    pub reason: String,
    pub duration_ms: u64,
    /// Expected versus actual, one block per mismatch.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub diff: String,
    /// What the guest reported and the upstreams recorded (for "record which" cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseInfo {
    pub id: String,
    pub title: String,
    pub tier: String,
}

/// A whole run (or a merge of shards).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    /// The runtime adapter the suite ran against.
    pub runtime: String,
    pub languages: Vec<String>,
    pub cases: Vec<CaseInfo>,
    pub results: Vec<CellResult>,
    /// `I/N` for a shard, or the shards merged.
    #[serde(default)]
    pub shards: Vec<String>,
    pub duration_ms: u64,
}

impl Report {
    pub fn counts(&self) -> BTreeMap<Outcome, usize> {
        let mut m: BTreeMap<Outcome, usize> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
        for r in &self.results {
            *m.entry(r.outcome).or_default() += 1;
        }
        m
    }

    pub fn failed(&self) -> bool {
        self.results.iter().any(|r| r.outcome.is_error())
    }

    /// `12 pass, 1 fail, 2 skip, 0 xfail, 0 xpass`.
    pub fn summary_line(&self) -> String {
        self.counts()
            .iter()
            .map(|(o, n)| format!("{n} {o}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn result(&self, case: &str, language: &str) -> Option<&CellResult> {
        self.results
            .iter()
            .find(|r| r.case == case && r.language == language)
    }

    /// Results that fail the run, in matrix order.
    pub fn problems(&self) -> Vec<&CellResult> {
        self.results
            .iter()
            .filter(|r| r.outcome.is_error())
            .collect()
    }
}

/// A report file to write: `json=out/report.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    pub format: Format,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Junit,
    Markdown,
    Html,
}

impl std::str::FromStr for ReportTarget {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (f, path) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}`: write FORMAT=PATH, e.g. json=report.json"))?;
        let format = match f {
            "json" => Format::Json,
            "junit" | "xml" => Format::Junit,
            "markdown" | "md" => Format::Markdown,
            "html" => Format::Html,
            other => {
                return Err(format!(
                    "unknown report format `{other}` (json, junit or xml, markdown or md, html)"
                ))
            }
        };
        if path.is_empty() {
            return Err(format!("`{s}`: the path is empty"));
        }
        Ok(ReportTarget {
            format,
            path: PathBuf::from(path),
        })
    }
}

/// Renders a report in a format.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
    }
}

/// Writes every requested report file.
pub fn write_all(report: &Report, targets: &[ReportTarget]) -> anyhow::Result<()> {
    for t in targets {
        if let Some(dir) = t.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&t.path, render(report, t.format))
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", t.path.display()))?;
    }
    Ok(())
}

/// A reason on one line: an agent's error message may carry newlines, which would break a
/// progress line or a list entry. Runs of white space become one space.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes text for HTML and XML.
pub(crate) fn escape_xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {
                o.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
pub(crate) fn sample() -> Report {
    let r = |case: &str, language: &str, outcome, reason: &str, diff: &str| CellResult {
        case: case.into(),
        language: language.into(),
        outcome,
        reason: reason.into(),
        duration_ms: 12,
        diff: diff.into(),
        details: None,
    };
    Report {
        version: 1,
        runtime: "reference".into(),
        languages: vec!["alpha".into(), "beta".into()],
        cases: vec![
            CaseInfo {
                id: "R01".into(),
                title: "GET <query> & co".into(),
                tier: "core".into(),
            },
            CaseInfo {
                id: "B08".into(),
                title: "trailers".into(),
                tier: "optional".into(),
            },
        ],
        results: vec![
            r("R01", "alpha", Outcome::Pass, "", ""),
            r(
                "R01",
                "beta",
                Outcome::Fail,
                "step 1 status: expected 200, got 404",
                "@ step 1 status\n- 200\n+ 404\n",
            ),
            r(
                "B08",
                "alpha",
                Outcome::Skip,
                "unsupported: no trailers",
                "",
            ),
            r(
                "B08",
                "beta",
                Outcome::Xfail,
                "documented: SDK drops trailers",
                "",
            ),
        ],
        shards: vec![],
        duration_ms: 1234,
    }
}
