//! `courier generate`: regenerate (or check) the per-language SDKs from the WIT.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use courier_generator::{Language, Model, Wit};

const DEFAULT_OUT: &str = "languages";
const DEFAULT_WIT: &str = "wit";

#[derive(clap::Args)]
// The subcommand's one-line about comes from main.rs; the explanation goes before the
// options so `--help` teaches the whole flow.
#[command(
    before_long_help = "Reads the wasi:http 0.2 WIT (default: wit/, vendored by scripts/vendor-wit), builds a \
language-neutral model of the outbound surface (methods, schemes, every error-code, \
request options, handler signatures), and writes <OUT>/<lang>/sdk/ for each language from \
the templates in templates/<lang>/. Output is deterministic: running it twice changes nothing, \
and nothing is written unless every language generates.\n\n\
With --check nothing is written: the SDKs are regenerated in memory and compared with \
what is on disk; any difference is printed as a unified diff (a file that differs only in \
line endings, a stray source file in an SDK folder, or a missing SDK folder is named \
instead) and the exit status is 1. CI runs `courier generate --check`.",
    after_help = "Examples:\n  \
courier generate                          regenerate every SDK under languages/\n  \
courier generate --check                  fail with a diff if a checked-in SDK drifted\n  \
courier generate --lang rust --out /tmp/sdks --package-name my-http\n                                            \
emit /tmp/sdks/rust/sdk as crate `my-http`\n  \
courier generate --wit ../wasi-http-0.2.3/wit --out /tmp/sdks\n                                            \
generate against another wasi:http 0.2.x release\n\n\
Exit status: 0 up to date / written, 1 drift found by --check, 2 error."
)]
pub struct Args {
    /// Language to generate, or `all`.
    #[arg(
        long,
        value_name = "LANG",
        default_value = "all",
        value_parser = clap::builder::PossibleValuesParser::new(
            Language::ALL.iter().map(|l| l.name()).chain(["all"])
        )
    )]
    lang: String,
    /// Root of the SDKs: each language is written to OUT/<lang>/sdk/ (default: the
    /// project's languages/, the project being the nearest folder upwards with one).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Regenerate in memory and exit 1 with a unified diff if anything on disk differs.
    #[arg(long)]
    check: bool,
    /// Package/crate name to emit into (default: the language's own, e.g. courier-sdk).
    /// Needs a single --lang, since naming rules differ per language.
    #[arg(long, value_name = "NAME")]
    package_name: Option<String>,
    /// The WIT directory: a package plus deps/ holding wasi:http 0.2.x (default: the
    /// project's wit/).
    #[arg(long, value_name = "DIR")]
    wit: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let languages: Vec<Language> = if args.lang == "all" {
        Language::ALL.to_vec()
    } else {
        vec![args.lang.parse()?]
    };
    if args.package_name.is_some() && args.lang == "all" {
        anyhow::bail!(
            "--package-name needs a single language\n  hint: add --lang rust (naming rules differ per language)"
        );
    }
    // Defaults are the project's folders, wherever in it (or outside it) this runs.
    let in_project = |folder: &str| -> anyhow::Result<PathBuf> {
        let root = super::conformance::project_root(None)?;
        // Relative when run at the root, so messages read `languages/go/sdk`.
        let cwd = std::env::current_dir()?;
        let root = root
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or(root);
        Ok(root.join(folder))
    };
    let out = match &args.out {
        Some(out) => out.clone(),
        None => in_project(DEFAULT_OUT)?,
    };
    let wit_dir = match &args.wit {
        Some(wit) => wit.clone(),
        None => in_project(DEFAULT_WIT)?,
    };
    check_out_folder(&out, &wit_dir)?;
    let wit = Wit::load(&wit_dir)?;
    let model = Model::from_wit(&wit)?;
    // Every SDK first, then the disk: a language that fails leaves the others untouched.
    let sdks = languages
        .into_iter()
        .map(|language| {
            courier_generator::generate(language, &wit, &model, args.package_name.as_deref())
                .map(|sdk| (language, sdk))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut drifted = Vec::new();
    for (language, sdk) in sdks {
        let dir = language.sdk_dir(&out);
        if args.check {
            if !dir.exists() {
                errln!(
                    "{}: does not exist (never generated there, or a typo in --out?)",
                    dir.display()
                );
                drifted.push((language, dir));
                continue;
            }
            match sdk.diff(&dir)? {
                None => errln!("{}: up to date with {}", dir.display(), wit.package_id()),
                Some(diff) => {
                    out!("{diff}");
                    drifted.push((language, dir));
                }
            }
        } else {
            sdk.write(&dir)
                .with_context(|| format!("writing the {language} SDK"))?;
            errln!(
                "{}: {} files from {}",
                dir.display(),
                sdk.files.len(),
                wit.package_id()
            );
        }
    }
    if drifted.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    // The command that rewrites exactly what was checked.
    let mut again = String::new();
    if let Some(out) = &args.out {
        again.push_str(&format!(" --out {}", shell_word(&out.to_string_lossy())));
    }
    if let Some(wit) = &args.wit {
        again.push_str(&format!(" --wit {}", shell_word(&wit.to_string_lossy())));
    }
    if let Some(name) = &args.package_name {
        again.push_str(&format!(" --package-name {}", shell_word(name)));
    }
    for (language, dir) in &drifted {
        errln!(
            "error: {} differs from what the WIT and templates/{language}/ generate\n  hint: run `courier generate --lang {language}{again}` and commit the result; never edit generated files",
            dir.display()
        );
    }
    Ok(ExitCode::from(1))
}

/// `--out` must be a folder (or not exist yet) and must not lie inside the WIT directory,
/// where the next run would parse the SDKs' own WIT as input.
fn check_out_folder(out: &Path, wit: &Path) -> anyhow::Result<()> {
    if out.exists() && !out.is_dir() {
        anyhow::bail!(
            "--out {} is not a directory\n  hint: --out names the folder that holds <lang>/sdk/ (default: languages)",
            out.display()
        );
    }
    if resolved(out)?.starts_with(resolved(wit)?) {
        anyhow::bail!(
            "--out {} is inside the WIT directory {}\n  hint: the next run would read the generated SDKs' WIT as input; write them elsewhere",
            out.display(),
            wit.display()
        );
    }
    Ok(())
}

/// `path` with symbolic links and `..` resolved, as far as it exists.
fn resolved(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return Ok(rest.iter().rev().fold(real, |p, part| p.join(part)));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

/// `word` as one shell word, quoted only when it needs to be.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
