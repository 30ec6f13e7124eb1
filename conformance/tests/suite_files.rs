//! The suite as shipped: every file loads, and every catalogue case is there under its id.

use std::path::Path;

use courier_conformance::case;

const CATALOGUE: &[&str] = &[
    "R01", "R02", "R03", "R04", "R06", "R07", "R08", "R09", "R10", "H01", "H02", "H03", "H04",
    "B01", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "S01", "E01", "E02", "E04", "E05",
    "E06", "E07", "E08", "E10", "C01", "C02", "C03", "P01", "P02", "P03", "P04", "P05", "P08",
    "P09", "P12", "P13", "P14", "P15", "P16", "P17",
];

fn cases() -> Vec<case::LoadedCase> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let (cases, broken) = case::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<String> = broken.iter().map(|b| b.error.to_string()).collect();
    assert!(lines.is_empty(), "bad case files:\n{}", lines.join("\n"));
    cases
}

#[test]
fn every_case_file_loads() {
    assert!(cases().len() >= CATALOGUE.len());
}

#[test]
fn every_catalogue_case_is_present() {
    let ids: Vec<String> = cases().into_iter().map(|c| c.case.id).collect();
    let missing: Vec<&&str> = CATALOGUE
        .iter()
        .filter(|id| !ids.iter().any(|x| x == *id))
        .collect();
    assert!(missing.is_empty(), "missing catalogue cases: {missing:?}");
    assert!(
        ids.len() > CATALOGUE.len(),
        "the suite adds cases of its own"
    );
}

#[test]
fn cases_that_only_use_the_proxy_world_need_nothing() {
    // wasmtime serve has no manifest; the cases it can run must declare no needs.
    let plain: Vec<String> = cases()
        .into_iter()
        .filter(|c| c.case.needs.is_empty())
        .map(|c| c.case.id)
        .collect();
    for id in ["R01", "R02", "H01", "B01", "S01", "E01", "C01"] {
        assert!(
            plain.iter().any(|x| x == id),
            "{id} should need no runtime features"
        );
    }
}
