//! `courier build`: check a language's toolchain and build its conformance agent into a
//! component under target/courier/<lang>/agent.wasm (cached by a hash of its inputs).

use std::path::PathBuf;
use std::process::ExitCode;

use courier_conformance::language::{self, BuildOutcome};

#[derive(clap::Args)]
#[command(
    after_help = "Each languages/<lang>/language.toml says how: the toolchain checks (with \
the hint shown when one fails), the build steps, the inputs that key the cache, and the output: \
a component (kind = \"component\"), or a WASI preview1 reactor core module that courier adapts \
into one (kind = \"core-module\").\n\nExamples:\n  courier build --lang go\n  courier build"
)]
pub struct Args {
    /// Languages to build, comma-separated (default: every languages/*/language.toml).
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// The project root (default: the nearest folder upwards with a languages/ folder).
    #[arg(long)]
    root: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = super::conformance::project_root(args.root)?;
    let langs = language::load_selected(&root, &args.lang)?;
    let mut failed = false;
    for l in langs {
        let r = root.clone();
        let name = l.name.clone();
        let outcome =
            tokio::task::spawn_blocking(move || l.build(&r, &mut |m| errln!("building {m}")))
                .await?;
        match outcome {
            Ok(BuildOutcome::Built(p)) => outln!("{name}: built {}", p.display()),
            Ok(BuildOutcome::Cached(p)) => outln!("{name}: up to date {}", p.display()),
            Err(e) => {
                failed = true;
                errln!("{name}: {e:#}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
