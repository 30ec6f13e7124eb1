//! `cargo bench -p courier-bench`: see the crate documentation.

fn main() -> std::process::ExitCode {
    courier_bench::main()
}
