//! `courier-conformance`: the shared outbound-HTTP conformance suite and everything that runs it.
//!
//! The suite itself is data (`conformance/cases/*.toml`, see [`case`]). This crate loads it,
//! starts recording upstream test servers ([`upstream`]), writes each case's Spin app, runs it in
//! a runtime through an [`adapter`] (the reference runtime in-process, or any external runtime
//! from a command template), drives a language's conformance agent over the agent protocol
//! ([`protocol`], documented in `conformance/PROTOCOL.md`), judges what the guest saw and what
//! crossed the wire ([`judge`]), and reports a language × case matrix ([`report`]).
//!
//! It is not a runtime and not an SDK, and it names no language: languages are discovered from
//! `languages/*/language.toml` ([`language`]).

// `eprintln!` that never panics: progress is not worth a crash when stderr is a closed pipe.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use errln;

pub mod adapter;
pub mod app;
pub mod case;
pub mod harness;
pub mod judge;
pub mod language;
pub mod placeholder;
pub mod protocol;
pub mod report;
pub mod suite;
mod toml_file;
pub mod upstream;
