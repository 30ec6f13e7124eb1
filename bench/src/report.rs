//! The result table (Markdown, for the README) and its JSON twin.

use std::fmt;

use serde_json::{json, Value};

pub struct Machine {
    pub nproc: usize,
    pub kernel: String,
    pub cpu: String,
}

impl Machine {
    pub fn detect() -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        Self {
            nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            cpu,
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "nproc {}, kernel {}, CPU {}",
            self.nproc, self.kernel, self.cpu
        )
    }
}

pub struct Row {
    figure: String,
    value: Option<f64>,
    baseline_name: String,
    baseline: Option<f64>,
    target: String,
    met: Option<bool>,
    /// The lowest and highest ratio among the rounds, when the figure comes from several.
    spread: Option<(f64, f64)>,
}

impl Row {
    pub fn new(
        figure: &str,
        value: f64,
        baseline_name: &str,
        baseline: f64,
        target: &str,
        met: bool,
    ) -> Self {
        Self {
            figure: figure.into(),
            value: Some(value),
            baseline_name: baseline_name.into(),
            baseline: Some(baseline),
            target: target.into(),
            met: Some(met),
            spread: None,
        }
    }

    /// Add the range of the per-round ratios (round i of Courier against round i of the
    /// baseline, run back to back), so a figure near its target shows how near.
    pub fn spread(mut self, ratios: &[f64]) -> Self {
        let lowest = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        self.spread = (lowest <= highest).then_some((lowest, highest));
        self
    }

    fn ratio(&self) -> Option<f64> {
        Some(self.value? / self.baseline?)
    }
}

pub struct Report {
    machine: Machine,
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    pub fn new(machine: Machine) -> Self {
        Self {
            machine,
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub fn skip(&mut self, figure: &str, why: &str) {
        self.rows.push(Row {
            figure: figure.into(),
            value: None,
            baseline_name: why.into(),
            baseline: None,
            target: String::new(),
            met: None,
            spread: None,
        });
    }

    pub fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    pub fn table(&self) -> String {
        let num = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}"));
        let mut out = format!("Machine: {}\n\n", self.machine);
        out.push_str(
            "| Figure | Courier | Baseline | Ratio (rounds' range) | Target | Met |\n|---|---|---|---|---|---|\n",
        );
        for row in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {}{} | {} | {} | {} |\n",
                row.figure,
                num(row.value),
                row.baseline_name,
                row.baseline.map_or(String::new(), |b| format!(": {b:.1}")),
                match (row.ratio(), row.spread) {
                    (Some(r), Some((lo, hi))) => format!("{r:.2} ({lo:.2}–{hi:.2})"),
                    (Some(r), None) => format!("{r:.2}"),
                    (None, _) => "—".to_string(),
                },
                row.target,
                match row.met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "—",
                }
            ));
        }
        for note in &self.notes {
            out.push_str(&format!("\n- {note}"));
        }
        out.push('\n');
        out
    }

    pub fn json(&self) -> Value {
        json!({
            "machine": {
                "nproc": self.machine.nproc,
                "kernel": self.machine.kernel,
                "cpu": self.machine.cpu,
            },
            "rows": self.rows.iter().map(|r| json!({
                "figure": r.figure,
                "courier": r.value,
                "baseline_name": r.baseline_name,
                "baseline": r.baseline,
                "ratio": r.ratio(),
                "ratio_range": r.spread.map(|(lo, hi)| json!({"min": lo, "max": hi})),
                "target": r.target,
                "met": r.met,
            })).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(row: Row) -> Report {
        let mut report = Report::new(Machine {
            nproc: 2,
            kernel: "k".into(),
            cpu: "c".into(),
        });
        report.push(row);
        report
    }

    #[test]
    fn a_row_shows_its_ratio_and_the_range_of_its_rounds() {
        let row = Row::new("f", 5.0, "base", 10.0, "≤ 0.5", true).spread(&[0.6, 0.4, 0.5]);
        let report = report(row);
        assert!(
            report
                .table()
                .contains("| 0.50 (0.40–0.60) | ≤ 0.5 | yes |"),
            "{}",
            report.table()
        );
        let json = report.json();
        assert_eq!(json["rows"][0]["ratio_range"]["min"], 0.4);
        assert_eq!(json["rows"][0]["ratio_range"]["max"], 0.6);
    }

    #[test]
    fn a_row_without_rounds_shows_the_ratio_alone() {
        let row = Row::new("f", 5.0, "base", 10.0, "≤ 0.5", true).spread(&[]);
        let report = report(row);
        assert!(
            report.table().contains("| 0.50 | ≤ 0.5 |"),
            "{}",
            report.table()
        );
        assert!(report.json()["rows"][0]["ratio_range"].is_null());
    }
}
