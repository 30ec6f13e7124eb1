//! The terminal view: a progress bar while the suite runs, then the coloured matrix, the problems
//! and a summary. Without a TTY (or with `NO_COLOR`) it prints plain text and one line per cell.

use std::io::Write;

use super::{one_line, CellResult, Outcome, Report};

/// Whether to use colour and redraw a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub live: bool,
}

impl Style {
    /// Colour and a live bar when stderr is a terminal and `NO_COLOR` is unset.
    pub fn detect() -> Style {
        use std::io::IsTerminal;
        let tty = std::io::stderr().is_terminal();
        Style {
            color: tty && std::env::var_os("NO_COLOR").is_none(),
            live: tty,
        }
    }

    pub fn plain() -> Style {
        Style {
            color: false,
            live: false,
        }
    }

    fn paint(&self, o: Outcome, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match o {
            Outcome::Pass => "32",
            Outcome::Fail => "1;31",
            Outcome::Skip => "2",
            Outcome::Xfail => "33",
            Outcome::Xpass => "1;35",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// Progress of a run, written to stderr.
pub struct Progress {
    style: Style,
    total: usize,
    done: usize,
    counts: [usize; 5],
}

impl Progress {
    pub fn new(style: Style, total: usize) -> Progress {
        Progress {
            style,
            total,
            done: 0,
            counts: [0; 5],
        }
    }

    pub fn line(&self, last: &CellResult) -> String {
        let width = 30usize;
        let filled = (self.done * width).checked_div(self.total).unwrap_or(width);
        let counts: Vec<String> = Outcome::ALL
            .iter()
            .zip(self.counts)
            .filter(|(_, n)| *n > 0)
            .map(|(o, n)| self.style.paint(*o, &format!("{}{n}", o.mark())))
            .collect();
        format!(
            "[{}{}] {}/{} {}  {} × {}",
            "#".repeat(filled),
            ".".repeat(width - filled),
            self.done,
            self.total,
            counts.join(" "),
            last.case,
            last.language
        )
    }

    pub fn tick(&mut self, r: &CellResult) {
        self.done += 1;
        let i = Outcome::ALL
            .iter()
            .position(|o| *o == r.outcome)
            .unwrap_or(0);
        self.counts[i] += 1;
        let mut err = std::io::stderr().lock();
        if self.style.live {
            let _ = write!(err, "\r\x1b[2K{}", self.line(r));
        } else {
            let why = if r.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", one_line(&r.reason))
            };
            let _ = writeln!(
                err,
                "[{}/{}] {:<5} {} × {} ({} ms){why}",
                self.done, self.total, r.outcome, r.case, r.language, r.duration_ms
            );
        }
        let _ = err.flush();
    }

    pub fn finish(&self) {
        if self.style.live {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// How much of a skipped or documented cell's line the end summary shows.
const SKIP_LINE: usize = 160;

/// `s` in at most `max` characters, the last one `…` when it was cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// The matrix, the problems and the summary, as printed at the end of a run.
pub fn render(report: &Report, style: Style) -> String {
    let id_w = report
        .cases
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let title_w = report
        .cases
        .iter()
        .map(|c| c.title.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 48);
    let col_w: Vec<usize> = report
        .languages
        .iter()
        .map(|l| l.chars().count().max(7))
        .collect();
    let mut s = format!("{:<id_w$}  {:<title_w$}", "case", "title");
    for (l, w) in report.languages.iter().zip(&col_w) {
        s.push_str(&format!("  {l:^w$}"));
    }
    s.push('\n');
    for c in &report.cases {
        let title = truncate(&c.title, title_w);
        s.push_str(&format!("{:<id_w$}  {:<title_w$}", c.id, title));
        for (l, w) in report.languages.iter().zip(&col_w) {
            let text = match report.result(&c.id, l) {
                Some(r) => {
                    let t = format!("{:^w$}", format!("{} {}", r.outcome.mark(), r.outcome));
                    style.paint(r.outcome, &t)
                }
                None => format!("{:^w$}", "·"),
            };
            s.push_str(&format!("  {text}"));
        }
        s.push('\n');
    }
    s.push_str("\n✓ pass   ✗ fail   - skip   x xfail (documented deviation)   ! xpass (passes, but documented as failing)\n");
    let problems = report.problems();
    if !problems.is_empty() {
        s.push_str("\nProblems:\n");
        for r in problems {
            s.push_str(&format!(
                "  {} × {}: {}: {}\n",
                r.case,
                r.language,
                style.paint(r.outcome, r.outcome.as_str()),
                one_line(&r.reason)
            ));
            for line in r.diff.lines() {
                s.push_str(&format!("      {line}\n"));
            }
        }
    }
    let skips: Vec<_> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skip | Outcome::Xfail))
        .collect();
    if !skips.is_empty() {
        // One line each: the full reasons are in the progress lines and every report file.
        s.push_str("\nSkipped or documented:\n");
        for r in skips {
            let line = format!(
                "  {} × {}: {}: {}",
                r.case,
                r.language,
                r.outcome,
                one_line(&r.reason)
            );
            s.push_str(&truncate(&line, SKIP_LINE));
            s.push('\n');
        }
    }
    let verdict = if report.failed() { "FAILED" } else { "ok" };
    s.push_str(&format!(
        "\nconformance {verdict}: {} ({} cells, runtime {}, {:.1} s)\n",
        report.summary_line(),
        report.results.len(),
        report.runtime,
        report.duration_ms as f64 / 1000.0
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn plain_matrix_has_one_row_per_case_and_no_escape_codes() {
        let t = render(&sample(), Style::plain());
        assert!(!t.contains('\x1b'));
        let row = t.lines().find(|l| l.starts_with("R01")).unwrap();
        assert!(row.contains("✓ pass") && row.contains("✗ fail"), "{row}");
        assert!(t.contains("R01 × beta: fail: step 1 status: expected 200, got 404"));
        assert!(t.contains("conformance FAILED: 1 pass, 1 fail, 1 skip, 1 xfail, 0 xpass"));
    }

    #[test]
    fn every_reason_is_one_line_and_the_documented_ones_are_short() {
        let mut report = sample();
        for r in &mut report.results {
            r.reason = format!("{}: first\nsecond {}", r.reason, "long ".repeat(60));
        }
        let t = render(&report, Style::plain());
        let problem = t.lines().find(|l| l.starts_with("  R01 × beta")).unwrap();
        assert!(problem.contains("first second"), "{problem}");
        let documented = t
            .lines()
            .skip_while(|l| !l.starts_with("Skipped or documented"))
            .nth(1)
            .unwrap();
        assert!(documented.contains("first second"), "{documented}");
        assert_eq!(documented.chars().count(), SKIP_LINE, "{documented}");
        assert!(documented.ends_with('…'));
        assert!(!t.lines().any(|l| l.starts_with("second")), "{t}");
    }

    #[test]
    fn colour_marks_outcomes() {
        let t = render(
            &sample(),
            Style {
                color: true,
                live: false,
            },
        );
        assert!(t.contains("\x1b[32m"), "green pass");
        assert!(t.contains("\x1b[1;31m"), "red fail");
    }

    #[test]
    fn progress_bar_fills_with_cells() {
        let r = sample();
        let mut p = Progress::new(Style::plain(), 4);
        p.done = 2;
        p.counts = [1, 1, 0, 0, 0];
        let line = p.line(&r.results[1]);
        assert!(
            line.starts_with(&format!("[{}{}] 2/4", "#".repeat(15), ".".repeat(15))),
            "{line}"
        );
        assert!(
            line.contains("✓1 ✗1") && line.ends_with("R01 × beta"),
            "{line}"
        );
    }
}
