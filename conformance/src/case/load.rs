//! The case loader. It is strict: a malformed file, an unknown field or an inconsistent case is
//! rejected with the file, the line and column (or the field's path) and the reason.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use super::{is_feature, Bind, Case, Expect, Mode, Protocol, FEATURES};
use crate::placeholder::{self, Context};
use crate::protocol;

/// A case file, loaded and checked: the case as written and its raw TOML for instantiation.
#[derive(Debug, Clone)]
pub struct LoadedCase {
    pub case: Case,
    pub file: PathBuf,
    raw: toml::Value,
}

impl LoadedCase {
    /// The case with every placeholder expanded for one cell.
    pub fn instantiate(&self, ctx: &Context) -> anyhow::Result<Case> {
        let mut raw = self.raw.clone();
        ctx.expand_value(&mut raw)?;
        Ok(raw.try_into()?)
    }
}

/// A rejected case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    pub file: PathBuf,
    /// 1-based line and column, when the error has a place in the text.
    pub at: Option<(usize, usize)>,
    /// The field, when the error is about a field's meaning.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((l, c)) = self.at {
            write!(f, ":{l}:{c}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CaseError {}

/// The SDK entries a step may name (conformance/PROTOCOL.md).
const API_ENTRIES: [&str; 5] = ["send", "fetch", "stream", "get", "post"];
/// Bounds that keep one case file from exhausting the harness's memory or time.
const MAX_REPEAT: u32 = 10_000;
const MAX_TIMEOUT_S: u64 = 3_600;

/// Parses and checks one case file's text.
pub fn parse(file: &Path, text: &str) -> Result<LoadedCase, CaseError> {
    let err = |at, field: Option<String>, message: String| CaseError {
        file: file.to_path_buf(),
        at,
        field,
        message,
    };
    let case: Case = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| crate::toml_file::line_col(text, s.start));
        err(at, None, e.message().trim().to_string())
    })?;
    let raw: toml::Value = toml::from_str(text).map_err(|e| err(None, None, e.to_string()))?;
    let field_err = |field: &str, message: String| err(None, Some(field.to_string()), message);

    if case.id.is_empty()
        || !case
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(field_err(
            "id",
            "an id is letters, digits, `-` and `_`".into(),
        ));
    }
    if let Some(stem) = file.file_stem().and_then(|s| s.to_str()) {
        if stem != case.id {
            return Err(field_err(
                "id",
                format!("the id `{}` differs from the file name `{stem}`", case.id),
            ));
        }
    }
    if case
        .timeout_s
        .is_some_and(|t| !(1..=MAX_TIMEOUT_S).contains(&t))
    {
        return Err(field_err(
            "timeout_s",
            format!("a cell's timeout is from 1 to {MAX_TIMEOUT_S} seconds"),
        ));
    }
    if case.steps.is_empty() && case.inbound.is_empty() && case.load_checks.is_empty() {
        return Err(err(
            None,
            None,
            "a case needs at least one of [[steps]], [[inbound]] or [[load_checks]]".into(),
        ));
    }
    for n in &case.needs {
        if !is_feature(n) {
            let known: Vec<_> = FEATURES.iter().map(|(f, _)| *f).collect();
            return Err(field_err(
                "needs",
                format!("unknown feature `{n}` (known: {})", known.join(", ")),
            ));
        }
    }
    for d in case.derived_needs() {
        if !case.needs.contains(d) {
            return Err(field_err(
                "needs",
                format!("the case uses `{d}` but does not list it in `needs`"),
            ));
        }
    }

    // Upstreams.
    let names: Vec<&str> = case.upstreams.keys().map(String::as_str).collect();
    for (name, u) in &case.upstreams {
        let f = format!("upstreams.{name}");
        if !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(field_err(
                &f,
                "an upstream name is a letter then letters, digits or `_`".into(),
            ));
        }
        if name == "ca_pem" {
            return Err(field_err(&f, "`ca_pem` is reserved".into()));
        }
        if u.port.is_some() && u.bind != Bind::Cell {
            return Err(field_err(
                &f,
                "a fixed `port` needs `bind = \"cell\"`".into(),
            ));
        }
        if matches!(u.mode, Mode::Closed | Mode::Blackhole | Mode::Silent)
            && (u.reply.is_some() || !u.routes.is_empty())
        {
            return Err(field_err(
                &f,
                "closed, blackhole and silent servers do not reply".into(),
            ));
        }
        if u.protocol != Protocol::Http1 && u.bind == Bind::Cell && u.port.is_some() {
            return Err(field_err(
                &f,
                "a fixed port is for plain HTTP/1 servers".into(),
            ));
        }
        for (i, r) in u.routes.iter().enumerate() {
            if r.path.as_deref().is_none_or(|p| !p.starts_with('/')) {
                return Err(field_err(
                    &format!("{f}.routes[{i}].path"),
                    "every route needs a `path` starting with `/`".into(),
                ));
            }
        }
        if u.reply.as_ref().is_some_and(|r| r.path.is_some()) {
            return Err(field_err(
                &format!("{f}.reply.path"),
                "the default reply has no path".into(),
            ));
        }
        for r in u.expect.request.iter().chain(&u.expect.each) {
            check_sha256(r.body_sha256.as_deref())
                .map_err(|m| field_err(&format!("{f}.expect"), m))?;
        }
    }

    // Components.
    let comps = case.components();
    let mut ids = BTreeSet::new();
    for (i, c) in comps.iter().enumerate() {
        let f = format!("app.components[{i}]");
        if c.id.is_empty()
            || !c
                .id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        {
            return Err(field_err(
                &f,
                format!("component id `{}` must be kebab-case", c.id),
            ));
        }
        if !ids.insert(c.id.as_str()) {
            return Err(field_err(&f, format!("duplicate component id `{}`", c.id)));
        }
        if c.private == c.route.is_some() {
            return Err(field_err(
                &f,
                "give a component either a `route` or `private = true`".into(),
            ));
        }
        if c.route().is_some_and(|r| !r.starts_with('/')) {
            return Err(field_err(&f, "a route starts with `/`".into()));
        }
    }
    if comps[0].is_private() && (!case.steps.is_empty() || !case.load_checks.is_empty()) {
        return Err(field_err(
            "app.components[0]",
            "the entry component cannot be private".into(),
        ));
    }

    // Steps and inbound requests.
    for (i, s) in case.steps.iter().enumerate() {
        let f = format!("steps[{i}]");
        if !API_ENTRIES.contains(&s.api.as_str()) {
            return Err(field_err(
                &format!("{f}.api"),
                format!(
                    "unknown api `{}` (known: {})",
                    s.api,
                    API_ENTRIES.join(", ")
                ),
            ));
        }
        if s.repeat.is_some_and(|n| !(1..=MAX_REPEAT).contains(&n)) {
            return Err(field_err(
                &format!("{f}.repeat"),
                format!("a step repeats from 1 to {MAX_REPEAT} times"),
            ));
        }
        if s.url.is_some() == s.url_parts.is_some() {
            return Err(field_err(
                &f,
                "give exactly one of `url` and `url_parts`".into(),
            ));
        }
        if let Some(c) = &s.component {
            match comps.iter().find(|x| &x.id == c) {
                None => {
                    return Err(field_err(
                        &format!("{f}.component"),
                        format!("no component `{c}`"),
                    ))
                }
                Some(x) if x.is_private() => {
                    return Err(field_err(
                        &format!("{f}.component"),
                        format!("`{c}` is private: the harness cannot reach it"),
                    ))
                }
                _ => {}
            }
        }
        if let (Some(chunks), Some(body)) = (&s.chunks, &s.body) {
            let len = body.0.digest().map(|d| d.0).unwrap_or(0);
            if chunks.iter().sum::<u64>() > len {
                return Err(field_err(
                    &format!("{f}.chunks"),
                    format!("the chunks add up to more than the body's {len} bytes"),
                ));
            }
        }
        if !s.inbound_headers.is_empty() && !s.forward_inbound_headers {
            return Err(field_err(
                &f,
                "`inbound_headers` only matter with `forward_inbound_headers = true`".into(),
            ));
        }
        check_expect(&s.expect).map_err(|m| field_err(&format!("{f}.expect"), m))?;
    }
    for (i, s) in case.inbound.iter().enumerate() {
        let f = format!("inbound[{i}]");
        if !s.path.starts_with('/') {
            return Err(field_err(
                &format!("{f}.path"),
                "an inbound path starts with `/`".into(),
            ));
        }
        check_expect(&s.expect).map_err(|m| field_err(&format!("{f}.expect"), m))?;
    }

    // Placeholders.
    let mut bad = None;
    placeholder::walk_strings(&raw, "", &mut |path, s| {
        if bad.is_none() {
            if let Err(e) = placeholder::validate(s, &names) {
                bad = Some((path.to_string(), e.to_string()));
            }
        }
    });
    if let Some((path, msg)) = bad {
        return Err(field_err(&path, msg));
    }

    Ok(LoadedCase {
        case,
        file: file.to_path_buf(),
        raw,
    })
}

fn check_expect(e: &Expect) -> Result<(), String> {
    if e.status.is_none() && e.error.is_none() {
        return Err("say what the guest must see: `status`, `error`, or both".into());
    }
    for code in e.error.iter().flatten() {
        if !protocol::is_known_code(code) {
            return Err(format!(
                "`{code}` is not a wasi:http error-code or header-error name as written in the WIT"
            ));
        }
    }
    for p in e.json.keys() {
        if !p.starts_with('/') {
            return Err(format!("json pointer `{p}` must start with `/`"));
        }
    }
    check_sha256(e.body_sha256.as_deref())
}

fn check_sha256(sha: Option<&str>) -> Result<(), String> {
    match sha {
        Some(h) if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) => {
            Err(format!("body_sha256 `{h}` is not 64 hex digits"))
        }
        _ => Ok(()),
    }
}

/// A case file that does not load. Its id is the file name (a case's id must equal it); every
/// cell of it fails with the error, and the rest of the suite still runs.
#[derive(Debug, Clone)]
pub struct BrokenCase {
    pub id: String,
    pub error: CaseError,
}

/// Loads every `*.toml` in `dir`, sorted by id: the cases, and every file that does not load,
/// with its error. Only a folder that cannot be read or holds no case file is an error.
pub fn load_dir(dir: &Path) -> Result<(Vec<LoadedCase>, Vec<BrokenCase>), CaseError> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            return Err(CaseError {
                file: dir.to_path_buf(),
                at: None,
                field: None,
                message: format!("cannot read the cases directory: {e}"),
            })
        }
    };
    if files.is_empty() {
        return Err(CaseError {
            file: dir.to_path_buf(),
            at: None,
            field: None,
            message: "no case files (*.toml) here".into(),
        });
    }
    files.sort();
    let mut cases = Vec::new();
    let mut broken = Vec::new();
    for file in files {
        let loaded = std::fs::read_to_string(&file)
            .map_err(|e| CaseError {
                file: file.clone(),
                at: None,
                field: None,
                message: e.to_string(),
            })
            .and_then(|text| parse(&file, &text));
        match loaded {
            Ok(c) => cases.push(c),
            Err(error) => broken.push(BrokenCase {
                id: file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                error,
            }),
        }
    }
    cases.sort_by(|a, b| a.case.id.cmp(&b.case.id));
    // Ids select cases on the command line and name them in reports: they must differ in
    // more than case (`P01` and `p01` would also be one file on a case-insensitive disk).
    let mut seen = std::collections::BTreeMap::new();
    cases.retain(|c| {
        let id = &c.case.id;
        match seen.insert(id.to_ascii_lowercase(), id.clone()) {
            None => true,
            Some(first) => {
                broken.push(BrokenCase {
                    id: id.clone(),
                    error: CaseError {
                        file: c.file.clone(),
                        at: None,
                        field: Some("id".into()),
                        message: format!("`{id}` differs from the case `{first}` only in case"),
                    },
                });
                false
            }
        }
    });
    Ok((cases, broken))
}
