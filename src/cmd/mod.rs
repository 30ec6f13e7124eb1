//! One module per subcommand: argument parsing and a call into a library.

// `print!` and friends that never panic: a reader that went away (`courier … | head`) is not
// our error, and the exit code should still say how the command went. Defined before the
// subcommand modules so that they can use them.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use errln;

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
    // Colours only for a person at a terminal: a log file or a pipe gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .try_init();
}

/// Parses `NAME=VALUE` arguments (`--var`, `--test-only-resolve`).
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE with a NAME, got {s:?}")),
    }
}

/// Parses a duration: `500ms`, `2s`, or a bare number of seconds (`--idle-instance-timeout`).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (number, scale) = if let Some(ms) = s.strip_suffix("ms") {
        (ms, 1e-3)
    } else if let Some(m) = s.strip_suffix('m') {
        (m, 60.0)
    } else if let Some(h) = s.strip_suffix('h') {
        (h, 3600.0)
    } else {
        (s.strip_suffix('s').unwrap_or(s), 1.0)
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .and_then(|n| std::time::Duration::try_from_secs_f64(n * scale).ok())
        .ok_or_else(|| format!("expected a duration such as 500ms, 2s, 5m or 1h, got {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations_take_ms_s_or_bare_seconds() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["", "ms", "-1s", "2x", "1e400", "NaN", "h"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} parsed");
        }
    }
}
