//! `courier`: a thin command-line front over the libraries in this workspace.
//!
//! Each subcommand lives in its own module under `cmd/`, parses its arguments and calls
//! one library; no behaviour lives here.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

// See the workspace manifest: the runtime's per-request allocations favour mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "courier",
    version,
    about = "Outbound HTTP for WebAssembly components: SDK generator, reference runtime, conformance kit",
    long_about = "Courier generates idiomatic outbound-HTTP SDKs from the wasi:http WIT, serves \
Spin-style apps under Spin's outbound permission model, and runs one shared conformance suite \
against every language's guest.\n\nStart with `courier conformance` to see the matrix, or \
`courier up -f spin.toml` to serve an app.",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a Spin-style app (spin.toml, manifest v2) with the reference runtime.
    Up(cmd::up::Args),
    /// Inspect `allowed_outbound_hosts` policies.
    #[command(subcommand)]
    Hosts(cmd::hosts::Command),
    /// Generate the per-language outbound-HTTP SDKs from the wasi:http WIT.
    Generate(cmd::generate::Args),
    /// Build a language's conformance agent into a component.
    Build(cmd::build::Args),
    /// Run the conformance suite and report a language × case matrix.
    Conformance(cmd::conformance::Args),
    /// Turn a WASI preview1 reactor core module (Go's -buildmode=c-shared) into a component.
    Componentize(cmd::componentize::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            cmd::errln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Up(args) => cmd::up::run(args).await,
            Command::Hosts(command) => cmd::hosts::run(command),
            Command::Generate(args) => cmd::generate::run(args),
            Command::Build(args) => cmd::build::run(args).await,
            Command::Conformance(args) => cmd::conformance::run(args).await,
            Command::Componentize(args) => cmd::componentize::run(args),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            cmd::errln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
