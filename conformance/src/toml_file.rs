//! Reading a TOML file into a type, with errors that point at the file, line and column.

use std::path::Path;

use anyhow::Context;

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// `path` parsed as `T`; an error reads `path:line:col: message`.
pub(crate) fn read<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let (line, col) = line_col(&text, s.start);
                format!(":{line}:{col}")
            })
            .unwrap_or_default();
        anyhow::anyhow!("{}{at}: {}", path.display(), e.message().trim())
    })
}
