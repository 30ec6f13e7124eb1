//! One module per subcommand: argument parsing and a call into a library.

pub mod build;
pub mod componentize;
pub mod conformance;
pub mod generate;
pub mod hosts;
pub mod up;

/// Log to stderr; `RUST_LOG` overrides the default of info for Courier and warnings elsewhere.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,courier=info,courier_runtime=info")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Parses `NAME=VALUE` arguments (`--var`, `--test-only-resolve`).
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))
}
