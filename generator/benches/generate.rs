//! `cargo bench -p courier-generator`: how long `courier generate --lang all` takes, in
//! memory, against its 1 s budget and against parsing the WIT alone (a baseline measured in
//! the same run). Prints a table; no assertion, since a shared machine's timing is noise.

use std::path::Path;
use std::time::{Duration, Instant};

use courier_generator::{generate, Language, Model, Wit};

const RUNS: usize = 15;
const BUDGET: Duration = Duration::from_secs(1);

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    f(); // warm-up: first-touch page faults and lazy statics
    median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let wit_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    let parse = time(|| {
        Wit::load(&wit_dir).expect("the vendored WIT loads");
    });
    let all = time(|| {
        let wit = Wit::load(&wit_dir).expect("the vendored WIT loads");
        let model = Model::from_wit(&wit).expect("the model builds");
        for &language in Language::ALL {
            generate(language, &wit, &model, None).expect("every backend generates");
        }
    });
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    println!(
        "courier generate --lang all, in memory ({} languages), median of {RUNS}",
        Language::ALL.len()
    );
    println!(
        "{:<34} {:>10} {:>12} {:>8}",
        "figure", "value", "baseline", "ratio"
    );
    println!(
        "{:<34} {:>10} {:>12} {:>7.2}x",
        "all languages vs parsing the WIT",
        ms(all),
        ms(parse),
        all.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "{:<34} {:>10} {:>12} {:>7.3}x",
        "all languages vs the 1 s budget",
        ms(all),
        ms(BUDGET),
        all.as_secs_f64() / BUDGET.as_secs_f64()
    );
}
