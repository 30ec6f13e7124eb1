//! One module per subcommand: argument parsing and a call into a library.

pub mod build;
pub mod conformance;
pub mod generate;
pub mod hosts;
pub mod up;
