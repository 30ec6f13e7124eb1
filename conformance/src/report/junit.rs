//! JUnit XML for CI: one test suite per language, one test case per case.

use super::{escape_xml as esc, Outcome, Report};

pub fn render(report: &Report) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total_fail = report
        .results
        .iter()
        .filter(|r| r.outcome.is_error())
        .count();
    let total_skip = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skip | Outcome::Xfail))
        .count();
    s.push_str(&format!(
        "<testsuites name=\"courier conformance ({})\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
        esc(&report.runtime),
        report.results.len(),
        total_fail,
        total_skip,
        report.duration_ms as f64 / 1000.0
    ));
    for lang in &report.languages {
        let rs: Vec<_> = report
            .results
            .iter()
            .filter(|r| &r.language == lang)
            .collect();
        let fails = rs.iter().filter(|r| r.outcome.is_error()).count();
        let skips = rs
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Skip | Outcome::Xfail))
            .count();
        let time: u64 = rs.iter().map(|r| r.duration_ms).sum();
        s.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
            esc(lang),
            rs.len(),
            fails,
            skips,
            time as f64 / 1000.0
        ));
        for r in rs {
            let title = report
                .cases
                .iter()
                .find(|c| c.id == r.case)
                .map_or("", |c| c.title.as_str());
            s.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{} {}\" time=\"{:.3}\"",
                esc(lang),
                esc(&r.case),
                esc(title),
                r.duration_ms as f64 / 1000.0
            ));
            match r.outcome {
                Outcome::Pass => s.push_str("/>\n"),
                Outcome::Fail | Outcome::Xpass => {
                    let msg = if r.outcome == Outcome::Xpass {
                        format!("unexpected pass (xpass): {}", r.reason)
                    } else {
                        r.reason.clone()
                    };
                    s.push_str(&format!(
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                        r.outcome,
                        esc(&msg),
                        esc(&r.diff)
                    ));
                }
                Outcome::Skip | Outcome::Xfail => s.push_str(&format!(
                    ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>\n",
                    r.outcome,
                    esc(&r.reason)
                )),
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

#[cfg(test)]
mod tests {
    use crate::report::sample;

    #[test]
    fn one_suite_per_language_with_failures_and_skips() {
        let x = super::render(&sample());
        assert!(x.starts_with("<?xml"));
        assert!(x.contains("<testsuite name=\"alpha\" tests=\"2\" failures=\"0\" skipped=\"1\""));
        assert!(x.contains("<testsuite name=\"beta\" tests=\"2\" failures=\"1\" skipped=\"1\""));
        assert!(x.contains("name=\"R01 GET &lt;query&gt; &amp; co\""));
        assert!(
            x.contains("<failure type=\"fail\" message=\"step 1 status: expected 200, got 404\">")
        );
        assert!(x.contains("<skipped message=\"xfail: documented: SDK drops trailers\"/>"));
        assert_eq!(x.matches("<testcase").count(), 4);
    }
}
