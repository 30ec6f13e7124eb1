//! `courier componentize`: turns a wasip1 reactor core module into a component of a WIT world
//! (embed + preview1 reactor adapter, in process), as the Go SDK's README builds apps. Language
//! builds with `kind = "core-module"` get the same step from `courier build`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o core.wasm .\n  \
courier componentize core.wasm -o app.wasm\n  \
courier componentize --wit path/to/wit --world wasi:http/proxy@0.2.12 core.wasm -o app.wasm")]
pub struct Args {
    /// The core module (a WASI preview1 reactor: exports `_initialize`, not `_start`).
    core: PathBuf,
    /// Where to write the component.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// The WIT directory holding the world (default: wit/ here, else the project's, as
    /// `courier build` finds it).
    #[arg(long, value_name = "DIR")]
    wit: Option<PathBuf>,
    /// The world to embed, e.g. wasi:http/proxy@0.2.12 (default: the wasi:http/proxy world
    /// in the WIT directory).
    #[arg(long, value_name = "WORLD")]
    world: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let wit = match args.wit {
        Some(wit) => wit,
        None if PathBuf::from("wit").is_dir() => PathBuf::from("wit"),
        None => super::conformance::project_root(None)
            .map(|root| root.join("wit"))
            .unwrap_or_else(|_| PathBuf::from("wit")),
    };
    if !wit.is_dir() {
        anyhow::bail!(
            "no WIT folder at {}\n  hint: pass --wit DIR (a folder holding the wasi:http world and its deps/)",
            wit.display()
        );
    }
    let core =
        std::fs::read(&args.core).with_context(|| format!("reading {}", args.core.display()))?;
    let world = courier_componentize::world_to_embed(&wit, args.world.as_deref())?;
    let component = courier_componentize::componentize_reactor(&core, &wit, &world)
        .with_context(|| format!("componentizing {}", args.core.display()))?;
    std::fs::write(&args.output, component)
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}
