//! The JSON report (the source of truth) and the merge of shard reports.

use std::collections::BTreeSet;

use super::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report serialises");
    s.push('\n');
    s
}

pub fn parse(text: &str) -> anyhow::Result<Report> {
    Ok(serde_json::from_str(text)?)
}

/// Merges shard reports into one. They must come from the same runtime and must not both hold
/// a result for the same cell.
pub fn merge(reports: Vec<Report>) -> anyhow::Result<Report> {
    // Shards first: results of two different splits overlap, and that is the clearer error.
    let mut shards: Vec<String> = reports.iter().flat_map(|r| r.shards.clone()).collect();
    shards.sort();
    check_shards_complete(&shards)?;
    let mut it = reports.into_iter();
    let Some(mut out) = it.next() else {
        anyhow::bail!("nothing to merge");
    };
    let mut seen: BTreeSet<(String, String)> = out
        .results
        .iter()
        .map(|r| (r.case.clone(), r.language.clone()))
        .collect();
    for r in it {
        if r.runtime != out.runtime {
            anyhow::bail!(
                "cannot merge reports of different runtimes (`{}` and `{}`)",
                out.runtime,
                r.runtime
            );
        }
        for l in r.languages {
            if !out.languages.contains(&l) {
                out.languages.push(l);
            }
        }
        for c in r.cases {
            if !out.cases.iter().any(|x| x.id == c.id) {
                out.cases.push(c);
            }
        }
        for res in r.results {
            if !seen.insert((res.case.clone(), res.language.clone())) {
                anyhow::bail!(
                    "two reports hold a result for {} × {}: were the same shards run twice?",
                    res.case,
                    res.language
                );
            }
            out.results.push(res);
        }
        out.shards.extend(r.shards);
        out.duration_ms = out.duration_ms.max(r.duration_ms);
    }
    out.cases.sort_by(|a, b| a.id.cmp(&b.id));
    let case_pos = |id: &str| out.cases.iter().position(|c| c.id == id);
    let lang_pos = |l: &str| out.languages.iter().position(|x| x == l);
    let mut results = std::mem::take(&mut out.results);
    results.sort_by_key(|r| (case_pos(&r.case), lang_pos(&r.language)));
    out.results = results;
    out.shards.sort();
    check_same_selection(&out, &seen)?;
    Ok(out)
}

/// Every case × language of the merged matrix has a result: shards run with different
/// `--filter`, `--lang` or `--agent` options would otherwise merge into a matrix with holes.
fn check_same_selection(out: &Report, seen: &BTreeSet<(String, String)>) -> anyhow::Result<()> {
    for case in &out.cases {
        for language in &out.languages {
            if !seen.contains(&(case.id.clone(), language.clone())) {
                anyhow::bail!(
                    "no report holds a result for {} × {language}: the shards were run with different case or language selections\n  hint: run every shard with the same --filter, --lang and --agent options",
                    case.id
                );
            }
        }
    }
    Ok(())
}

/// Shards of one split, all of them: a merge missing one would pass CI on part of the matrix.
fn check_shards_complete(shards: &[String]) -> anyhow::Result<()> {
    let parsed: Vec<(usize, usize)> = shards
        .iter()
        .map(|s| crate::suite::parse_shard(s).map_err(|e| anyhow::anyhow!("shard {e}")))
        .collect::<anyhow::Result<_>>()?;
    let Some(&(_, n)) = parsed.first() else {
        return Ok(());
    };
    if let Some((_, other)) = parsed.iter().find(|(_, m)| *m != n) {
        anyhow::bail!("cannot merge shards of a split in {n} with shards of a split in {other}");
    }
    let missing: Vec<String> = (1..=n)
        .filter(|i| !parsed.iter().any(|(j, _)| j == i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "shard {} missing: the merged matrix would lack its cells\n  hint: run `courier conformance --shard {}` with the same options and merge its JSON report too",
            missing.join(", "),
            missing[0]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{sample, Outcome};

    #[test]
    fn round_trips_and_keeps_the_documented_fields() {
        let r = sample();
        let text = render(&r);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let first = &v["results"][0];
        for key in ["case", "language", "outcome", "reason", "duration_ms"] {
            assert!(first.get(key).is_some(), "missing {key} in {first}");
        }
        assert_eq!(v["results"][1]["outcome"], "fail");
        assert_eq!(parse(&text).unwrap(), r);
    }

    #[test]
    fn merges_disjoint_shards_in_matrix_order() {
        let full = sample();
        let mut a = full.clone();
        let mut b = full.clone();
        a.results = vec![full.results[1].clone(), full.results[2].clone()];
        a.shards = vec!["1/2".into()];
        b.results = vec![full.results[3].clone(), full.results[0].clone()];
        b.shards = vec!["2/2".into()];
        let m = merge(vec![b, a]).unwrap();
        let cells: Vec<_> = m
            .results
            .iter()
            .map(|r| format!("{}:{}", r.case, r.language))
            .collect();
        assert_eq!(cells, ["B08:alpha", "B08:beta", "R01:alpha", "R01:beta"]);
        assert_eq!(m.shards, ["1/2", "2/2"]);
        assert_eq!(m.counts()[&Outcome::Fail], 1);
    }

    #[test]
    fn refuses_an_incomplete_set_of_shards() {
        let shard = |s: &str| {
            let mut r = sample();
            r.results.clear();
            r.shards = vec![s.into()];
            r
        };
        let err = merge(vec![shard("1/3"), shard("3/3")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("shard 2/3 missing"), "{err}");
        let err = merge(vec![shard("1/2"), shard("2/3")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("split in 2 with shards of a split in 3"),
            "{err}"
        );
        let err = merge(vec![shard("2/2"), shard("1/2")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("no report holds a result for"), "{err}");
        // A whole run records no shard and needs no other.
        assert!(merge(vec![sample()]).is_ok());
    }

    #[test]
    fn refuses_shards_of_different_selections() {
        let full = sample();
        let mut a = full.clone();
        let mut b = full.clone();
        // Shard 1 of one selection and shard 2 of another: together they leave cells out.
        a.results = vec![full.results[0].clone()];
        a.shards = vec!["1/2".into()];
        b.results = vec![full.results[3].clone()];
        b.shards = vec!["2/2".into()];
        let err = merge(vec![a, b]).unwrap_err().to_string();
        assert!(
            err.contains("different case or language selections"),
            "{err}"
        );
    }

    #[test]
    fn refuses_overlapping_shards_and_mixed_runtimes() {
        let a = sample();
        let err = merge(vec![a.clone(), a.clone()]).unwrap_err().to_string();
        assert!(err.contains("R01 × alpha"), "{err}");
        let mut b = a.clone();
        b.results.clear();
        b.runtime = "wasmtime-serve".into();
        let err = merge(vec![a, b]).unwrap_err().to_string();
        assert!(err.contains("different runtimes"), "{err}");
    }
}
