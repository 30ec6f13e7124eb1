//! Markdown for a CI summary: totals, the matrix, then every problem with its diff.

use super::{Outcome, Report};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(report: &Report) -> String {
    let mut s = format!(
        "## Courier conformance: {} runtime\n\n**{}** in {:.1} s\n\n",
        report.runtime,
        report.summary_line(),
        report.duration_ms as f64 / 1000.0
    );
    s.push_str("| language | pass | fail | skip | xfail | xpass |\n|---|---|---|---|---|---|\n");
    for lang in &report.languages {
        let n = |o: Outcome| {
            report
                .results
                .iter()
                .filter(|r| &r.language == lang && r.outcome == o)
                .count()
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(lang),
            n(Outcome::Pass),
            n(Outcome::Fail),
            n(Outcome::Skip),
            n(Outcome::Xfail),
            n(Outcome::Xpass)
        ));
    }
    s.push_str("\n| case | title | tier |");
    for l in &report.languages {
        s.push_str(&format!(" {} |", cell(l)));
    }
    s.push_str("\n|---|---|---|");
    s.push_str(&"---|".repeat(report.languages.len()));
    s.push('\n');
    for c in &report.cases {
        s.push_str(&format!(
            "| {} | {} | {} |",
            cell(&c.id),
            cell(&c.title),
            c.tier
        ));
        for l in &report.languages {
            let v = report.result(&c.id, l).map_or("·".to_string(), |r| {
                format!("{} {}", r.outcome.mark(), r.outcome)
            });
            s.push_str(&format!(" {v} |"));
        }
        s.push('\n');
    }
    s.push_str("\nLegend: ✓ pass, ✗ fail, - skip, x xfail (documented deviation), ! xpass (passes but documented as failing), · not run in this shard\n");
    let problems = report.problems();
    if !problems.is_empty() {
        s.push_str("\n### Problems\n");
        for r in problems {
            s.push_str(&format!(
                "\n**{} × {}: {}**: {}\n",
                r.case,
                r.language,
                r.outcome,
                super::one_line(&r.reason)
            ));
            if !r.diff.is_empty() {
                s.push_str(&format!("\n```diff\n{}```\n", r.diff));
            }
        }
    }
    let notes: Vec<_> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skip | Outcome::Xfail))
        .collect();
    if !notes.is_empty() {
        s.push_str("\n### Skipped and expected failures\n\n");
        for r in notes {
            s.push_str(&format!(
                "- {} × {}: {}: {}\n",
                r.case,
                r.language,
                r.outcome,
                cell(&r.reason)
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::report::sample;

    #[test]
    fn has_totals_matrix_and_problems() {
        let md = super::render(&sample());
        assert!(
            md.contains("**1 pass, 1 fail, 1 skip, 1 xfail, 0 xpass**"),
            "{md}"
        );
        assert!(md.contains("| alpha | 1 | 0 | 1 | 0 | 0 |"));
        assert!(md.contains("| R01 | GET <query> & co | core | ✓ pass | ✗ fail |"));
        assert!(md.contains("**R01 × beta: fail**: step 1 status: expected 200, got 404"));
        assert!(md.contains("```diff\n@ step 1 status\n- 200\n+ 404\n```"));
        assert!(md.contains("- B08 × beta: xfail: documented: SDK drops trailers"));
    }
}
