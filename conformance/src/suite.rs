//! A whole run: select cases and languages, build the agents, run every language × case cell
//! concurrently (all languages share one pool), apply each language's documented deviations,
//! and check that every planned cell got exactly one result.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use futures::StreamExt;

use crate::adapter::Adapter;
use crate::case::{self, BrokenCase, LoadedCase};
use crate::harness::{self, Env};
use crate::language::{self, BuildOutcome, Language, XfailRule};
use crate::report::terminal::{Progress, Style};
use crate::report::{CaseInfo, CellResult, Outcome, Report};
use crate::upstream::TestCa;

pub struct Options {
    /// The project root (has `languages/`).
    pub root: PathBuf,
    pub cases_dir: PathBuf,
    /// Language names; empty means every discovered language (none when `agents` is set).
    pub languages: Vec<String>,
    /// Columns served from agents built elsewhere: name → a component, or a WASI preview1
    /// reactor core module (adapted first).
    pub agents: Vec<(String, PathBuf)>,
    /// Case filters; empty means all.
    pub filters: Vec<String>,
    /// `(i, n)`: run the i-th of n shards (1-based).
    pub shard: Option<(usize, usize)>,
    /// Cells in flight at once.
    pub jobs: usize,
    pub adapter: Arc<dyn Adapter>,
    pub style: Style,
}

/// One column of the matrix: a language's agent, or one built elsewhere.
struct Column {
    name: String,
    /// Case id → reason (a language's `expectations.toml`).
    xfail: BTreeMap<String, String>,
    /// Its `[[xfail_rule]]`s.
    xfail_rules: Arc<[XfailRule]>,
    /// The agent, or why every cell of the column fails.
    agent: Result<PathBuf, String>,
}

/// Print the whole error, and give the column's cells its first line.
fn unusable(what: &str, e: &anyhow::Error) -> String {
    crate::errln!("error: {e:#}");
    format!("{what}: {}", format!("{e:#}").lines().next().unwrap_or(""))
}

/// `3/4` → `(3, 4)`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}`: write the shard as I/N, e.g. 1/4"))?;
    let i: usize = i
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: I is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: N is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("`{s}`: need 1 ≤ I ≤ N"));
    }
    Ok((i, n))
}

/// Whether a case id matches one filter: a glob with `*` and `?`, or else an id prefix;
/// case-insensitive.
pub fn matches(filter: &str, id: &str) -> bool {
    fn glob(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
            (Some(b'?'), Some(_)) => glob(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => glob(&p[1..], &s[1..]),
            _ => false,
        }
    }
    if filter.contains(['*', '?']) {
        glob(filter.as_bytes(), id.as_bytes())
    } else {
        id.to_ascii_lowercase()
            .starts_with(&filter.to_ascii_lowercase())
    }
}

/// A case of the suite: one that loaded, or a file that did not (each of its cells fails
/// with the load error, so one bad file costs its own cells, not the run).
#[derive(Debug, Clone)]
pub enum SuiteCase {
    Ready(Box<LoadedCase>),
    Broken(BrokenCase),
}

impl SuiteCase {
    pub fn id(&self) -> &str {
        match self {
            SuiteCase::Ready(c) => &c.case.id,
            SuiteCase::Broken(b) => &b.id,
        }
    }

    pub fn info(&self) -> CaseInfo {
        match self {
            SuiteCase::Ready(c) => CaseInfo {
                id: c.case.id.clone(),
                title: c.case.title.clone(),
                tier: c.case.tier.to_string(),
            },
            SuiteCase::Broken(b) => CaseInfo {
                id: b.id.clone(),
                title: "(the case file does not load)".into(),
                tier: "core".into(),
            },
        }
    }
}

/// Loads every case, sorted by id; a file that does not load is a broken case, also reported
/// on stderr at once with its location.
pub fn load_cases(dir: &Path) -> anyhow::Result<Vec<SuiteCase>> {
    let (ready, broken) = case::load_dir(dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    for b in &broken {
        crate::errln!(
            "warning: case file does not load, its cells fail: {}",
            b.error
        );
    }
    let mut all: Vec<SuiteCase> = ready
        .into_iter()
        .map(|c| SuiteCase::Ready(Box::new(c)))
        .collect();
    all.extend(broken.into_iter().map(SuiteCase::Broken));
    all.sort_by(|a, b| a.id().cmp(b.id()));
    Ok(all)
}

/// The cases the filters select. Every filter must select something: a typo in one of
/// several would otherwise quietly shrink the run.
pub fn select_cases(all: &[SuiteCase], filters: &[String]) -> anyhow::Result<Vec<SuiteCase>> {
    let filters: Vec<&str> = filters
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .collect();
    let unmatched: Vec<&str> = filters
        .iter()
        .copied()
        .filter(|f| !all.iter().any(|c| matches(f, c.id())))
        .collect();
    if !unmatched.is_empty() {
        bail!(
            "--filter {}: no case matches\n  hint: `courier conformance --list` shows every case id",
            unmatched.join(",")
        );
    }
    Ok(all
        .iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| matches(f, c.id())))
        .cloned()
        .collect())
}

/// Whether two paths name one folder (either may be relative, or reached through a link).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The cells of a shard, in matrix order (case, then language).
pub fn plan(cases: usize, languages: usize, shard: Option<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    for c in 0..cases {
        for l in 0..languages {
            cells.push((c, l));
        }
    }
    match shard {
        Some((i, n)) => cells
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % n == i - 1)
            .map(|(_, c)| c)
            .collect(),
        None => cells,
    }
}

/// Applies a language's expectations to a raw result: the case's own entry, else a rule
/// that explains the whole failure.
pub fn apply_expectation(
    mut r: CellResult,
    xfail: Option<&String>,
    rules: &[XfailRule],
) -> CellResult {
    let Some(why) = xfail else {
        if r.outcome == Outcome::Fail {
            if let Some(why) = XfailRule::explain(rules, &r.diff) {
                r.outcome = Outcome::Xfail;
                r.reason = format!("documented by a rule: {why} (observed: {})", r.reason);
            }
        }
        return r;
    };
    match r.outcome {
        Outcome::Fail => {
            r.outcome = Outcome::Xfail;
            r.reason = format!("documented: {why} (observed: {})", r.reason);
        }
        Outcome::Pass => {
            r.outcome = Outcome::Xpass;
            r.reason = format!(
                "passes, but expectations.toml documents a failure ({why}): remove the entry"
            );
        }
        _ => {}
    }
    r
}

pub async fn run(opts: Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let all = load_cases(&opts.cases_dir)?;
    let cases = select_cases(&all, &opts.filters)?;
    let langs = if opts.languages.is_empty() && !opts.agents.is_empty() {
        Vec::new()
    } else {
        language::load_selected(&opts.root, &opts.languages)?
    };
    if langs.is_empty() && opts.agents.is_empty() {
        bail!(
            "no languages found under {}",
            opts.root.join("languages").display()
        );
    }
    for (name, _) in &opts.agents {
        if langs.iter().any(|l| &l.name == name)
            || opts.agents.iter().filter(|(n, _)| n == name).count() > 1
        {
            bail!("--agent {name}=…: the column `{name}` is named twice");
        }
    }
    // A stale expectation is an error in the project's own suite. Another suite (`--cases`)
    // shares the languages' expectations but not their case ids, nor does a runtime's [xfail].
    let own_suite = same_folder(
        &opts.cases_dir,
        &opts.root.join("conformance").join("cases"),
    );
    let all_ids: BTreeSet<&str> = all.iter().map(SuiteCase::id).collect();
    for l in langs.iter().filter(|_| own_suite) {
        for id in l.xfail.keys() {
            if !all_ids.contains(id.as_str()) {
                bail!(
                    "{}: expectations.toml names `{id}`, which is not a case",
                    l.dir.display()
                );
            }
        }
    }

    // Agents built elsewhere first: a file the user named that cannot serve is a usage error,
    // reported before minutes of language builds.
    let prebuilt = opts
        .agents
        .iter()
        .map(|(name, path)| Ok((name, language::prebuilt_agent(&opts.root, name, path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;

    // Build each language once (sequentially: builds are CPU-heavy and the machine is small).
    let mut columns: Vec<Column> = Vec::new();
    for l in &langs {
        let l2: Language = l.clone();
        let root = opts.root.clone();
        let built = tokio::task::spawn_blocking(move || {
            l2.build(&root, &mut |m| crate::errln!("building {m}"))
        })
        .await?;
        columns.push(Column {
            name: l.name.clone(),
            xfail: l.xfail.clone(),
            xfail_rules: l.xfail_rules.clone().into(),
            agent: match built {
                Ok(BuildOutcome::Built(p)) | Ok(BuildOutcome::Cached(p)) => Ok(p),
                Err(e) => Err(unusable("the agent did not build", &e)),
            },
        });
    }
    for (name, agent) in &prebuilt {
        columns.push(Column {
            name: name.to_string(),
            xfail: BTreeMap::new(),
            xfail_rules: Arc::new([]),
            agent: Ok(agent.clone()),
        });
    }

    // Compile each agent once, before any cell, so a cold compile (tens of seconds for a
    // 13 MB JS or 18 MB Python agent) is not paid, or timed out, inside every cell.
    for column in &mut columns {
        if let Ok(path) = &column.agent {
            crate::errln!("compiling the {} agent", column.name);
            if let Err(e) = opts.adapter.prepare(path).await {
                // An agent given on the command line is the user's input: stop, as for a
                // file that is not wasm. A language's agent fails its column in the matrix.
                if prebuilt.iter().any(|(name, _)| *name == &column.name) {
                    bail!("--agent {}={}: {e:#}", column.name, path.display());
                }
                column.agent = Err(unusable("the agent did not compile", &e));
            }
        }
    }

    let work = tempfile::Builder::new()
        .prefix("courier-conformance-")
        .tempdir()?;
    let env = Arc::new(Env {
        adapter: opts.adapter.clone(),
        ca: TestCa::generate(work.path())?,
        work: work.path().to_path_buf(),
    });
    let cells = plan(cases.len(), columns.len(), opts.shard);
    let mut progress = Progress::new(opts.style, cells.len());
    let cases = Arc::new(cases);
    let mut stream = futures::stream::iter(cells.clone().into_iter().map(|(c, l)| {
        let env = env.clone();
        let cases = cases.clone();
        let lang = columns[l].name.clone();
        let agent = columns[l].agent.clone();
        let rules = columns[l].xfail_rules.clone();
        // A language's own deviation first, else one of the runtime under test.
        let id = cases[c].id();
        let xfail = columns[l].xfail.get(id).cloned().or_else(|| {
            env.adapter
                .xfail()
                .get(id)
                .map(|why| format!("runtime `{}`: {why}", env.adapter.name()))
        });
        async move {
            let fail = |reason: String| CellResult {
                case: cases[c].id().to_string(),
                language: lang.clone(),
                outcome: Outcome::Fail,
                reason,
                duration_ms: 0,
                diff: String::new(),
                details: None,
            };
            let case = match &cases[c] {
                SuiteCase::Ready(case) => case,
                // Not a deviation of any language: never xfailed.
                SuiteCase::Broken(b) => {
                    return fail(format!("the case file does not load: {}", b.error))
                }
            };
            let raw = match agent {
                Ok(path) => harness::run_cell(&env, case, &lang, &path).await,
                Err(why) => fail(why),
            };
            apply_expectation(raw, xfail.as_ref(), &rules)
        }
    }))
    .buffer_unordered(opts.jobs.max(1));
    let mut results = Vec::new();
    while let Some(r) = stream.next().await {
        progress.tick(&r);
        results.push(r);
    }
    progress.finish();

    // The guard: one result per planned cell, no more, no less.
    let planned: BTreeSet<(String, String)> = cells
        .iter()
        .map(|(c, l)| (cases[*c].id().to_string(), columns[*l].name.clone()))
        .collect();
    let got: Vec<(String, String)> = results
        .iter()
        .map(|r| (r.case.clone(), r.language.clone()))
        .collect();
    let got_set: BTreeSet<(String, String)> = got.iter().cloned().collect();
    if got.len() != planned.len() || got_set != planned {
        let missing: Vec<_> = planned.difference(&got_set).collect();
        bail!(
            "internal error: {} cells planned, {} results ({} distinct); missing {missing:?}",
            planned.len(),
            got.len(),
            got_set.len()
        );
    }
    let case_pos = |id: &str| cases.iter().position(|c| c.id() == id);
    let lang_pos = |n: &str| columns.iter().position(|l| l.name == n);
    results.sort_by_key(|r| (case_pos(&r.case), lang_pos(&r.language)));

    Ok(Report {
        version: 1,
        runtime: opts.adapter.name().to_string(),
        languages: columns.iter().map(|l| l.name.clone()).collect(),
        cases: cases.iter().map(SuiteCase::info).collect(),
        results,
        shards: opts
            .shard
            .map(|(i, n)| vec![format!("{i}/{n}")])
            .unwrap_or_default(),
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseError;

    #[test]
    fn shards_partition_the_cells() {
        let all = plan(7, 3, None);
        assert_eq!(all.len(), 21);
        let mut union = Vec::new();
        for i in 1..=4 {
            union.extend(plan(7, 3, Some((i, 4))));
        }
        union.sort();
        assert_eq!(union, all);
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(
            parse_shard("0/4").is_err() && parse_shard("5/4").is_err() && parse_shard("x").is_err()
        );
    }

    #[test]
    fn filters_are_globs_or_prefixes() {
        assert!(matches("P*", "P01") && matches("p1?", "P12") && matches("R", "R01"));
        assert!(!matches("P1?", "P1") && !matches("R02", "R01") && !matches("*x", "P01"));
        assert!(matches("*", "anything") && matches("H0", "H04"));
    }

    #[test]
    fn every_filter_must_select_a_case() {
        let all: Vec<SuiteCase> = ["P01", "P02", "R01"]
            .into_iter()
            .map(|id| {
                SuiteCase::Broken(BrokenCase {
                    id: id.into(),
                    error: CaseError {
                        file: format!("{id}.toml").into(),
                        at: None,
                        field: None,
                        message: String::new(),
                    },
                })
            })
            .collect();
        let ids = |filters: &[&str]| {
            let filters: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
            select_cases(&all, &filters).map(|picked| {
                picked
                    .iter()
                    .map(|c| c.id().to_string())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(ids(&[" P0", ""]).unwrap(), ["P01", "P02"]);
        assert_eq!(ids(&[]).unwrap().len(), 3);
        let err = ids(&["P01", "ZZZ"]).unwrap_err().to_string();
        assert!(err.contains("--filter ZZZ: no case matches"), "{err}");
    }

    #[test]
    fn expectations_turn_fail_into_xfail_and_pass_into_xpass() {
        let r = |o| CellResult {
            case: "H03".into(),
            language: "l".into(),
            outcome: o,
            reason: "step 1 status".into(),
            duration_ms: 1,
            diff: String::new(),
            details: None,
        };
        let why = "drops forbidden headers".to_string();
        let x = apply_expectation(r(Outcome::Fail), Some(&why), &[]);
        assert_eq!(x.outcome, Outcome::Xfail);
        assert!(x.reason.contains("drops forbidden headers") && x.reason.contains("step 1 status"));
        assert_eq!(
            apply_expectation(r(Outcome::Pass), Some(&why), &[]).outcome,
            Outcome::Xpass
        );
        assert_eq!(
            apply_expectation(r(Outcome::Skip), Some(&why), &[]).outcome,
            Outcome::Skip
        );
        assert_eq!(
            apply_expectation(r(Outcome::Pass), None, &[]).outcome,
            Outcome::Pass
        );
    }

    #[test]
    fn a_rule_covers_a_failure_only_when_it_explains_every_mismatch() {
        let rules = [XfailRule {
            expected: Some("error".into()),
            got: "error other (TypeError".into(),
            upstreams_too: false,
            reason: "the code is lost".into(),
        }];
        let cell = |diff: &str| CellResult {
            case: "X01".into(),
            language: "l".into(),
            outcome: Outcome::Fail,
            reason: "step 1 outcome".into(),
            duration_ms: 1,
            diff: diff.into(),
            details: None,
        };
        let lost = "@ step 1 outcome\n- error in [\"HTTP-request-denied\"]\n+ error other (TypeError: x)\n";
        let x = apply_expectation(cell(lost), None, &rules);
        assert_eq!(x.outcome, Outcome::Xfail);
        assert!(x.reason.contains("the code is lost"), "{}", x.reason);
        // A request that should have succeeded is not the documented loss of a code.
        let wrong = "@ step 2 outcome\n- status 200\n+ error other (TypeError: x)\n";
        for diff in [wrong, &format!("{lost}{wrong}"), ""] {
            let x = apply_expectation(cell(diff), None, &rules);
            assert_eq!(x.outcome, Outcome::Fail, "{diff}");
        }
        // What the upstreams saw is a consequence only for a rule that says so.
        let unsent = format!("{lost}@ upstream U requests\n- 1\n+ 0 []\n");
        assert_eq!(
            apply_expectation(cell(&unsent), None, &rules).outcome,
            Outcome::Fail
        );
        let consequent = [XfailRule {
            upstreams_too: true,
            ..rules[0].clone()
        }];
        assert_eq!(
            apply_expectation(cell(&unsent), None, &consequent).outcome,
            Outcome::Xfail
        );
        let upstream_only = "@ upstream U requests\n- 1\n+ 0 []\n";
        assert_eq!(
            apply_expectation(cell(upstream_only), None, &consequent).outcome,
            Outcome::Fail
        );
        // A case's own entry wins, and a pass stays a pass.
        let own = "its own reason".to_string();
        assert!(apply_expectation(cell(lost), Some(&own), &rules)
            .reason
            .contains("its own reason"));
        let mut passed = cell("");
        passed.outcome = Outcome::Pass;
        assert_eq!(
            apply_expectation(passed, None, &rules).outcome,
            Outcome::Pass
        );
    }
}
