//! `courier conformance`: run the shared suite for some languages against a runtime, and report.

use std::path::PathBuf;
use std::process::ExitCode;

use courier_conformance::report::terminal::{self, Style};
use courier_conformance::report::{self, ReportTarget};
use courier_conformance::{adapter, case, language, suite};

#[derive(clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Outcomes: ✓ pass, ✗ fail, - skip (the runtime lacks a feature the case needs, or an \
optional case the SDK does not support), x xfail (a deviation documented in \
languages/<lang>/expectations.toml or in the runtime's [xfail]), ! xpass (documented as failing but passes). A case \
file that does not load fails its own cells, with the error and where it is (line and column, or the field). The command exits 1 on any fail or xpass.\n\nExamples:\n  courier conformance --lang rust\n  courier \
conformance --filter 'P*' --report html=target/conformance.html\n  courier conformance --shard \
1/2 --report json=s1.json && courier conformance merge s1.json s2.json --report md=summary.md\n  \
courier conformance --runtime wasmtime-serve --lang rust,python\n  \
courier conformance --runtime reference-reuse --lang rust,js,python,go\n  \
courier conformance --agent mine=path/to/agent.wasm --filter 'P*'"
)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Languages to run, comma-separated (default: every languages/*/language.toml, or none
    /// when --agent is given).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// Add a column NAME served from an agent built elsewhere: a wasi:http component, or a WASI
    /// preview1 reactor core module (adapted with the project's WIT). It must speak
    /// conformance/PROTOCOL.md. May be repeated.
    #[arg(long = "agent", value_name = "NAME=PATH", value_parser = parse_agent)]
    agents: Vec<(String, PathBuf)>,
    /// The folder of case files (default: conformance/cases).
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Cases to run, comma-separated: globs (`P*`, `R0?`) or id prefixes (`H`).
    #[arg(long, value_delimiter = ',')]
    filter: Vec<String>,
    /// `reference` (in-process), `reference-reuse` (the same with instance reuse on: every
    /// routed component serves a request with no steps first, so each case meets a used
    /// instance), or a runtime described in conformance/runtimes/<name>.toml (or a path to
    /// such a file).
    #[arg(long, default_value = "reference")]
    runtime: String,
    /// Run one shard of the cells, as I/N (1-based); merge the JSON reports with `merge`.
    #[arg(long, value_parser = suite::parse_shard)]
    shard: Option<(usize, usize)>,
    /// Write a report: json=PATH (source of truth), junit=PATH, markdown=PATH, html=PATH.
    /// May be repeated.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    reports: Vec<ReportTarget>,
    /// Cells run at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,
    /// The project root (default: the nearest folder upwards with a languages/ folder).
    #[arg(long)]
    root: Option<PathBuf>,
    /// List the selected cases and the features they need, and exit.
    #[arg(long)]
    list: bool,
    /// No colours and no live progress bar, even on a terminal.
    #[arg(long)]
    plain: bool,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Merge JSON reports of shards into one, and write reports from it.
    Merge {
        /// JSON reports written with --report json=PATH.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write a report of the merged matrix: json=PATH, junit=PATH, markdown=PATH,
        /// html=PATH. May be repeated.
        #[arg(long = "report", value_name = "FORMAT=PATH")]
        reports: Vec<ReportTarget>,
        /// No colours, even on a terminal.
        #[arg(long)]
        plain: bool,
    },
}

/// The project root: `--root`, else the nearest ancestor of the working directory with a
/// `languages/` folder, else the source tree this binary was built from.
pub fn project_root(explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(r) = explicit {
        return Ok(r);
    }
    let cwd = std::env::current_dir()?;
    if let Some(r) = language::find_root(&cwd) {
        return Ok(r);
    }
    let built_from = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if built_from.join("languages").is_dir() {
        errln!(
            "note: no languages/ folder here or above; using the source tree courier was built from, {} (pass --root to choose)",
            built_from.display()
        );
        return Ok(built_from);
    }
    anyhow::bail!("cannot find the project root (a folder with languages/); pass --root")
}

fn style(plain: bool) -> Style {
    if plain {
        Style::plain()
    } else {
        Style::detect()
    }
}

fn finish(
    report: &report::Report,
    reports: &[ReportTarget],
    style: Style,
) -> anyhow::Result<ExitCode> {
    // The matrix first: a report that cannot be written must not take the run's result with it.
    out!("{}", terminal::render(report, style));
    report::write_all(report, reports)?;
    for t in reports {
        errln!("wrote {}", t.path.display());
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Before any work: two reports to one file would leave only the last, and a folder cannot
/// take one at all.
fn check_targets(reports: &[ReportTarget]) -> anyhow::Result<()> {
    for (i, target) in reports.iter().enumerate() {
        if target.path.is_dir() {
            anyhow::bail!(
                "--report {}: is a folder\n  hint: name a file in it, e.g. {}",
                target.path.display(),
                target.path.join("conformance.json").display()
            );
        }
        if reports[..i].iter().any(|t| t.path == target.path) {
            anyhow::bail!(
                "two --report targets write {}: one would overwrite the other",
                target.path.display()
            );
        }
    }
    Ok(())
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(Sub::Merge {
        files,
        reports,
        plain,
    }) = args.command
    {
        check_targets(&reports)?;
        let mut parsed = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", f.display()))?;
            parsed.push(
                report::json::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?,
            );
        }
        let merged = report::json::merge(parsed)?;
        return finish(&merged, &reports, style(plain));
    }

    check_targets(&args.reports)?;
    let root = project_root(args.root)?;
    let cases_dir = args
        .cases
        .unwrap_or_else(|| root.join("conformance").join("cases"));
    if args.list {
        // Listing runs nothing, but a bad --lang is still a mistake worth saying.
        language::load_selected(&root, &args.lang)?;
        let all = suite::load_cases(&cases_dir)?;
        let mut out = String::new();
        for c in suite::select_cases(&all, &args.filter)? {
            let line = match &c {
                suite::SuiteCase::Ready(c) => {
                    let needs: Vec<&str> = c.case.needs.iter().map(String::as_str).collect();
                    let needs = match needs.is_empty() {
                        true => String::new(),
                        false => format!("  [needs {}]", needs.join(",")),
                    };
                    // `Tier`'s Display ignores widths: pad its text.
                    format!(
                        "{:<6} {:<8} {}{needs}\n",
                        c.case.id,
                        c.case.tier.to_string(),
                        c.case.title,
                    )
                }
                suite::SuiteCase::Broken(b) => {
                    format!("{:<6} {:<8} does not load: {}\n", b.id, "-", b.error)
                }
            };
            out.push_str(&line);
        }
        out.push_str("\nfeatures:\n");
        for (f, what) in case::FEATURES {
            out.push_str(&format!("  {f:<16} {what}\n"));
        }
        out!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    let adapter = adapter::by_name(&args.runtime, &root.join("conformance").join("runtimes"))?;
    let style = style(args.plain);
    let report = suite::run(suite::Options {
        root,
        cases_dir,
        languages: args.lang,
        agents: args.agents,
        filters: args.filter,
        shard: args.shard,
        jobs: args.jobs.into(),
        adapter,
        style,
    })
    .await?;
    finish(&report, &args.reports, style)
}

/// `NAME=PATH` of `--agent`.
fn parse_agent(s: &str) -> Result<(String, PathBuf), String> {
    let (name, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected NAME=PATH"))?;
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || !name.chars().all(valid) {
        return Err(format!(
            "`{name}`: a column name is letters, digits, '-' and '_'"
        ));
    }
    if path.is_empty() {
        return Err(format!("`{s}`: the path is empty"));
    }
    Ok((name.to_string(), PathBuf::from(path)))
}
