//! `courier up`: serve a Spin-style app with the reference runtime.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use courier_runtime::{LoadOptions, Runtime, RuntimeOptions};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  courier up\n  courier up -f apps/demo/spin.toml --listen 127.0.0.1:3000\n  \
courier up --runtime-config-file runtime-config.toml\n\nOutbound requests are denied unless a component's \
`allowed_outbound_hosts` grants them; check a pattern with `courier hosts check`."
)]
pub struct Args {
    /// The app manifest (Spin manifest v2), or the folder that holds its spin.toml.
    #[arg(
        short = 'f',
        long = "from",
        default_value = "spin.toml",
        value_name = "MANIFEST"
    )]
    manifest: PathBuf,
    /// Address to listen on, HOST:PORT (an IP or a name such as localhost); port 0 picks a
    /// free port.
    #[arg(long, default_value = "127.0.0.1:3000", value_name = "ADDR", value_parser = parse_listen)]
    listen: SocketAddr,
    /// Spin runtime configuration ([outbound_http], [outbound_networking], [[client_tls]]).
    #[arg(long, value_name = "FILE")]
    runtime_config_file: Option<PathBuf>,
    /// Set an application variable (wins over SPIN_VARIABLE_<NAME> and the default).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = super::parse_pair)]
    variables: Vec<(String, String)>,
    /// Wall-clock budget of one request, in seconds (at least 1).
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Serving threads, each running whole connections on its own (0: one per core).
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=1024))]
    threads: u16,
    /// Requests one instance may serve, one after another, before a fresh one replaces it.
    /// The default, 1, gives every request a fresh instance, as Spin does; above 1, a guest's
    /// globals persist between requests, and instantiation is saved (see the README's bench).
    /// JS guests on StarlingMonkey's `addEventListener('fetch', …)` cannot answer twice on one
    /// instance yet (bytecodealliance/StarlingMonkey#247).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_instance_reuse_count: u32,
    /// How long a reusable instance waits for its next request before it is dropped
    /// (500ms, 2s, …).
    #[arg(long, default_value = "1s", value_name = "DURATION", value_parser = super::parse_duration)]
    idle_instance_timeout: Duration,
    /// TEST ONLY: resolve HOST[:PORT] to IP[:PORT] after the policy check instead of using DNS.
    #[arg(long = "test-only-resolve", value_name = "HOST=IP", value_parser = super::parse_pair)]
    test_only_resolve: Vec<(String, String)>,
    /// For development, like Spin's variable of the same name: cleartext outbound requests to
    /// exactly this authority (host:port as the URL writes it) use HTTP/2 with prior
    /// knowledge instead of HTTP/1.1.
    #[arg(
        long,
        env = "SPIN_OUTBOUND_H2C_PRIOR_KNOWLEDGE",
        value_name = "AUTHORITY"
    )]
    outbound_h2c_prior_knowledge: Option<String>,
    /// Not an option: caught to point at -f.
    #[arg(hide = true)]
    stray: Option<PathBuf>,
}

pub async fn run(mut args: Args) -> anyhow::Result<ExitCode> {
    crate::cmd::init_logging();
    if let Some(stray) = &args.stray {
        anyhow::bail!(
            "unexpected argument {:?}\n  hint: name the manifest with -f: courier up -f {}",
            stray.display().to_string(),
            stray.display()
        );
    }
    // A folder names its spin.toml, as in Spin.
    if args.manifest.is_dir() {
        args.manifest = args.manifest.join("spin.toml");
    }
    // Before the engine is set up: a mistyped path should not wait on it.
    if !args.manifest.exists() {
        anyhow::bail!(
            "no manifest at {}\n  hint: run from the app's folder, or name it: courier up -f path/to/spin.toml",
            args.manifest.display()
        );
    }
    let reuse = args.max_instance_reuse_count;
    let runtime = Runtime::new(RuntimeOptions {
        request_timeout: Duration::from_secs(args.request_timeout),
        serving_threads: args.threads.into(),
        max_instance_reuse: reuse,
        idle_instance_timeout: args.idle_instance_timeout,
        ..RuntimeOptions::default()
    })?;
    let options = LoadOptions {
        runtime_config: args.runtime_config_file,
        variables: args.variables.into_iter().collect(),
        test_only_resolve: args
            .test_only_resolve
            .into_iter()
            .collect::<HashMap<_, _>>(),
        h2c_prior_knowledge: args.outbound_h2c_prior_knowledge,
    };
    errln!("Loading {} …", args.manifest.display());
    let app = runtime.load(&args.manifest, options).await?;
    let name = app.name().to_string();
    let components = app.component_ids().join(", ");
    let routes: Vec<(String, String)> = app
        .routes()
        .into_iter()
        .map(|(component, route)| (component.to_string(), route.to_string()))
        .collect();
    let private: Vec<String> = app
        .component_ids()
        .into_iter()
        .filter(|id| !routes.iter().any(|(c, _)| c == id))
        .map(String::from)
        .collect();
    let mut running = app.serve(args.listen).await?;
    let base = format!("http://{}", running.local_addr());
    errln!("Serving {name} (components: {components}) on {base}");
    if reuse > 1 {
        errln!(
            "Instance reuse: up to {reuse} requests per instance; a guest's globals persist between them."
        );
    }
    for line in route_lines(&base, &routes, &private) {
        errln!("{line}");
    }
    errln!("Press Ctrl-C to stop.");
    // SIGTERM is what service managers and container runtimes send.
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot wait for SIGTERM")?;
    tokio::select! {
        _ = running.wait() => anyhow::bail!("the server stopped unexpectedly"),
        signal = tokio::signal::ctrl_c() => signal.context("cannot wait for Ctrl-C")?,
        _ = terminate.recv() => {}
    }
    errln!(
        "Stopping: requests in flight get up to {}s to finish (Ctrl-C again to stop at once).",
        DRAIN.as_secs()
    );
    tokio::select! {
        () = running.shutdown_gracefully(DRAIN) => {}
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// How long stopping waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// What `courier up` lists under the serving line: one line per route, as Spin prints them,
/// then the components no route reaches.
fn route_lines(base: &str, routes: &[(String, String)], private: &[String]) -> Vec<String> {
    let mut lines = vec!["Available routes:".to_string()];
    for (component, route) in routes {
        let (path, wildcard) = match route.trim_end_matches('/').strip_suffix("...") {
            Some(prefix) => (prefix.trim_end_matches('/'), " (wildcard)"),
            None => (route.as_str(), ""),
        };
        lines.push(format!("  {component}: {base}{path}{wildcard}"));
    }
    if !private.is_empty() {
        lines.push(format!(
            "Private (service chaining only, http://<id>.spin.internal): {}",
            private.join(", ")
        ));
    }
    lines
}

/// `--listen`: a socket address, or a host name with a port. A name that resolves to several
/// addresses takes IPv4 loopback if it is one of them (`localhost`), else the first.
fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    let hint = "expected HOST:PORT, e.g. 127.0.0.1:3000, [::1]:3000 or localhost:3000";
    if let Some((scheme, rest)) = s.split_once("://") {
        return Err(format!(
            "{s:?} has a scheme; --listen takes HOST:PORT: drop {scheme}://, e.g. --listen {}",
            rest.trim_end_matches('/')
        ));
    }
    if s.starts_with(':') {
        return Err(format!(
            "{s:?} has no host; e.g. 127.0.0.1{s} (this machine only) or 0.0.0.0{s} (every interface)"
        ));
    }
    let addrs: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(s)
        .map_err(|e| format!("{e}; {hint}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.ip() == std::net::Ipv4Addr::LOCALHOST)
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("{s:?} resolves to no address; {hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_print_as_urls_with_wildcards_marked() {
        let routes = [
            ("hello", "/hello"),
            ("api", "/api/:id/..."),
            ("front", "/..."),
        ]
        .map(|(c, r)| (c.to_string(), r.to_string()));
        let lines = route_lines("http://127.0.0.1:3000", &routes, &["back".to_string()]);
        assert_eq!(
            lines,
            [
                "Available routes:",
                "  hello: http://127.0.0.1:3000/hello",
                "  api: http://127.0.0.1:3000/api/:id (wildcard)",
                "  front: http://127.0.0.1:3000 (wildcard)",
                "Private (service chaining only, http://<id>.spin.internal): back",
            ]
        );
    }

    #[test]
    fn listen_takes_addresses_and_names() {
        assert_eq!(parse_listen("[::1]:0"), Ok("[::1]:0".parse().unwrap()));
        assert_eq!(
            parse_listen("localhost:3000"),
            Ok("127.0.0.1:3000".parse().unwrap())
        );
        let err = parse_listen("http://127.0.0.1:3000/").unwrap_err();
        assert!(
            err.contains("drop http://, e.g. --listen 127.0.0.1:3000"),
            "{err}"
        );
        let err = parse_listen(":8080").unwrap_err();
        assert!(err.contains("127.0.0.1:8080"), "{err}");
        let err = parse_listen("127.0.0.1").unwrap_err();
        assert!(err.contains("expected HOST:PORT"), "{err}");
    }
}
