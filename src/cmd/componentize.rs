//! `courier componentize` (hidden): the step of a language build that turns a wasip1 reactor
//! core module into a component of a WIT world (embed + preview1 reactor adapter, in process).
//! `languages/go/language.toml` calls it after `go build -buildmode=c-shared`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

#[derive(clap::Args)]
pub struct Args {
    /// The core module (a WASI preview1 reactor: exports `_initialize`, not `_start`).
    core: PathBuf,
    /// Where to write the component.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// The WIT directory holding the world.
    #[arg(long, value_name = "DIR", default_value = "wit")]
    wit: PathBuf,
    /// The world to embed, e.g. wasi:http/proxy@0.2.12.
    #[arg(long, value_name = "WORLD")]
    world: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let core =
        std::fs::read(&args.core).with_context(|| format!("reading {}", args.core.display()))?;
    let component = courier_componentize::componentize_reactor(&core, &args.wit, &args.world)
        .with_context(|| format!("componentizing {}", args.core.display()))?;
    std::fs::write(&args.output, component)
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}
