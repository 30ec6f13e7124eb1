//! A self-contained HTML matrix: no scripts or assets from elsewhere; every problem's reason
//! and diff are in the page.

use super::{escape_xml as esc, Outcome, Report};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}td.o{text-align:center;font-weight:bold}\
.pass{background:#d9f2d9;color:#1a5e1a}.fail{background:#f8d0d0;color:#8a1010}\
.skip{background:#eee;color:#666}.xfail{background:#fdf0c8;color:#7a5a00}.xpass{background:#f0d0f8;color:#6a1080}\
pre{background:#f7f7f7;padding:.5em;overflow:auto}.legend span{padding:.1em .5em;margin-right:.5em}";

pub fn render(report: &Report) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Courier conformance</title><style>{STYLE}</style></head><body>\n\
<h1>Courier conformance</h1>\n<p>Runtime <b>{}</b> · {} · {:.1} s</p>\n",
        esc(&report.runtime),
        esc(&report.summary_line()),
        report.duration_ms as f64 / 1000.0
    );
    s.push_str("<p class=\"legend\">");
    for o in Outcome::ALL {
        s.push_str(&format!("<span class=\"{o}\">{} {o}</span>", o.mark()));
    }
    s.push_str("</p>\n<table><thead><tr><th>case</th><th>title</th><th>tier</th>");
    for l in &report.languages {
        s.push_str(&format!("<th>{}</th>", esc(l)));
    }
    s.push_str("</tr></thead><tbody>\n");
    for c in &report.cases {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            esc(&c.id),
            esc(&c.title),
            esc(&c.tier)
        ));
        for l in &report.languages {
            match report.result(&c.id, l) {
                Some(r) => {
                    let link = if r.outcome == Outcome::Pass {
                        r.outcome.mark().to_string()
                    } else {
                        format!(
                            "<a href=\"#{}-{}\">{}</a>",
                            esc(&r.case),
                            esc(&r.language),
                            r.outcome.mark()
                        )
                    };
                    s.push_str(&format!(
                        "<td class=\"o {}\" title=\"{}: {}\">{link}</td>",
                        r.outcome,
                        r.outcome,
                        esc(&r.reason)
                    ))
                }
                None => s.push_str("<td class=\"o\">·</td>"),
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
    let detailed: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.outcome != Outcome::Pass)
        .collect();
    if !detailed.is_empty() {
        s.push_str("<h2>Details</h2>\n");
        for r in detailed {
            s.push_str(&format!(
                "<h3 id=\"{}-{}\" class=\"{}\">{} × {}: {}</h3>\n<p>{}</p>\n",
                esc(&r.case),
                esc(&r.language),
                r.outcome,
                esc(&r.case),
                esc(&r.language),
                r.outcome,
                esc(&r.reason)
            ));
            if !r.diff.is_empty() {
                s.push_str(&format!("<pre>{}</pre>\n", esc(&r.diff)));
            }
        }
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use crate::report::sample;

    #[test]
    fn is_self_contained_and_escaped() {
        let h = super::render(&sample());
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(
            !h.contains("<script src") && !h.contains("<link"),
            "no external assets"
        );
        assert!(h.contains("<td>GET &lt;query&gt; &amp; co</td>"));
        assert!(h.contains("<td class=\"o pass\" title=\"pass: \">✓</td>"));
        assert!(h.contains("<a href=\"#R01-beta\">✗</a>"));
        assert!(h.contains("<h3 id=\"R01-beta\" class=\"fail\">R01 × beta: fail</h3>"));
        assert!(h.contains("<pre>@ step 1 status\n- 200\n+ 404\n</pre>"));
        assert!(h.trim_end().ends_with("</html>"));
    }
}
