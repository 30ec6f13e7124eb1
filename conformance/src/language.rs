//! Languages, discovered from `languages/*/language.toml`: how to check a language's toolchain,
//! how to build its agent into a component (cached by a hash of its inputs), and which cases it
//! documents as deviations (`expectations.toml`). Nothing here names a language.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::protocol::hex;

/// `languages/<name>/language.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageToml {
    /// Must equal the folder name.
    pub name: String,
    #[serde(default)]
    pub display: Option<String>,
    #[serde(default)]
    pub toolchain: Toolchain,
    pub build: Build,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Toolchain {
    /// The versions the agent was verified with (documentation, shown in messages).
    #[serde(default)]
    pub versions: BTreeMap<String, String>,
    /// Commands that set the toolchain up on a fresh machine.
    #[serde(default)]
    pub setup: Vec<String>,
    /// Checks run before every build; a failing check stops the build with its hint.
    #[serde(default)]
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub command: Vec<String>,
    /// The check passes only if stdout contains this.
    #[serde(default)]
    pub stdout_contains: Option<String>,
    /// What to do when the check fails.
    pub hint: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Build {
    /// Where the steps run, relative to the language folder.
    pub workdir: String,
    /// Files and folders (relative to the language folder) whose contents key the build cache.
    pub inputs: Vec<String>,
    /// Commands, each a list of arguments. `{build_dir}` is a scratch folder of this language
    /// under `target/courier/<lang>/`.
    pub steps: Vec<Vec<String>>,
    /// The built file, relative to `workdir` (placeholders as in `steps`).
    pub output: String,
    #[serde(default)]
    pub kind: OutputKind,
    /// With `kind = "core-module"`: the world to embed, from the project's `wit/` (default:
    /// its `wasi:http/proxy`).
    #[serde(default)]
    pub world: Option<String>,
    /// Extra environment for the steps.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputKind {
    /// A wasi:http/proxy component, used as is.
    #[default]
    Component,
    /// A WASI preview1 reactor core module (exports `_initialize`, as Go's
    /// `-buildmode=c-shared` or a wasi-sdk reactor build): courier embeds the world and applies
    /// the preview1 reactor adapter.
    CoreModule,
}

/// A discovered language.
#[derive(Debug, Clone)]
pub struct Language {
    pub name: String,
    /// `languages/<name>/`.
    pub dir: PathBuf,
    pub config: LanguageToml,
    /// Case id → reason, from `expectations.toml`.
    pub xfail: BTreeMap<String, String>,
    /// Deviations that hold in any case, from `expectations.toml`'s `[[xfail_rule]]`.
    pub xfail_rules: Vec<XfailRule>,
}

/// A documented deviation written as what the report shows, so that it covers cases this
/// suite does not hold yet: a failing cell each of whose mismatches it explains is `xfail`.
/// Rules never turn a pass into `xpass`; `[xfail]` entries do.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XfailRule {
    /// How the mismatch's expected side (`-` in the report) starts; any, when absent.
    #[serde(default)]
    pub expected: Option<String>,
    /// How what the agent reported (`+` in the report) starts.
    pub got: String,
    /// Whether what the upstreams recorded may differ too, as a consequence (a request the
    /// agent could not make never reaches them).
    #[serde(default)]
    pub upstreams_too: bool,
    pub reason: String,
}

/// One mismatch of a report's diff: the judge's `@ what` / `- expected` / `+ actual` block.
struct Mismatch<'a> {
    what: &'a str,
    expected: &'a str,
    actual: &'a str,
}

impl XfailRule {
    /// The reason of the first rule that explains every mismatch of `diff` (at least one of
    /// them a step's), if one does.
    pub fn explain<'a>(rules: &'a [XfailRule], diff: &str) -> Option<&'a str> {
        let mut mismatches = Vec::new();
        let (mut what, mut expected) = ("", "");
        for line in diff.lines() {
            if let Some(w) = line.strip_prefix("@ ") {
                what = w;
            } else if let Some(e) = line.strip_prefix("- ") {
                expected = e;
            } else if let Some(actual) = line.strip_prefix("+ ") {
                mismatches.push(Mismatch {
                    what,
                    expected,
                    actual,
                });
            }
        }
        let (upstream, steps): (Vec<&Mismatch>, Vec<&Mismatch>) = mismatches
            .iter()
            .partition(|m| m.what.starts_with("upstream "));
        rules
            .iter()
            .find(|rule| {
                let explains = |m: &&Mismatch| {
                    m.actual.starts_with(&rule.got)
                        && rule
                            .expected
                            .as_deref()
                            .is_none_or(|e| m.expected.starts_with(e))
                };
                !steps.is_empty()
                    && steps.iter().all(explains)
                    && (rule.upstreams_too || upstream.iter().all(explains))
            })
            .map(|rule| rule.reason.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    #[serde(default)]
    xfail: BTreeMap<String, String>,
    #[serde(default)]
    xfail_rule: Vec<XfailRule>,
}

impl Language {
    pub fn load(dir: &Path) -> anyhow::Result<Language> {
        let config: LanguageToml = crate::toml_file::read(&dir.join("language.toml"))?;
        let folder = dir.file_name().and_then(|f| f.to_str()).unwrap_or_default();
        if config.name != folder {
            bail!(
                "{}: name `{}` differs from its folder `{folder}`",
                dir.join("language.toml").display(),
                config.name
            );
        }
        let fields = config
            .build
            .steps
            .iter()
            .flatten()
            .chain([&config.build.output]);
        for text in fields {
            if let Some(unknown) = unknown_placeholder(text) {
                bail!(
                    "{}: [build] uses `{unknown}`; the one placeholder is {{build_dir}}",
                    dir.join("language.toml").display()
                );
            }
        }
        let exp_path = dir.join("expectations.toml");
        let exp: Expectations = if exp_path.exists() {
            crate::toml_file::read(&exp_path)?
        } else {
            Expectations::default()
        };
        Ok(Language {
            name: config.name.clone(),
            dir: dir.to_path_buf(),
            config,
            xfail: exp.xfail,
            xfail_rules: exp.xfail_rule,
        })
    }

    /// Where the built agent lands: `<root>/target/courier/<name>/agent.wasm`.
    pub fn out_dir(&self, root: &Path) -> PathBuf {
        root.join("target").join("courier").join(&self.name)
    }

    pub fn agent_path(&self, root: &Path) -> PathBuf {
        self.out_dir(root).join("agent.wasm")
    }

    /// Runs the toolchain checks; the error carries every failing check's hint.
    pub fn check_toolchain(&self) -> anyhow::Result<()> {
        let mut problems = Vec::new();
        for c in &self.config.toolchain.checks {
            let Some((prog, args)) = c.command.split_first() else {
                continue;
            };
            let shown = c.command.join(" ");
            match Command::new(prog).args(args).output() {
                Err(e) => problems.push(format!("`{shown}` could not run ({e}): {}", c.hint)),
                Ok(o) if !o.status.success() => {
                    problems.push(format!("`{shown}` failed: {}", c.hint))
                }
                Ok(o) => {
                    if let Some(want) = &c.stdout_contains {
                        if !String::from_utf8_lossy(&o.stdout).contains(want.as_str()) {
                            problems.push(format!("`{shown}` does not list `{want}`: {}", c.hint));
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        let setup = if self.config.toolchain.setup.is_empty() {
            String::new()
        } else {
            format!(
                "\nto set the toolchain up:\n  {}",
                self.config.toolchain.setup.join("\n  ")
            )
        };
        bail!(
            "the {} toolchain is not ready:\n  {}{setup}",
            self.name,
            problems.join("\n  ")
        )
    }

    /// A hash of `language.toml` and every input file (skipping `target/` and hidden folders),
    /// and for a core module the project's `wit/` too.
    pub fn input_hash(&self, root: &Path) -> anyhow::Result<String> {
        let mut files = Vec::new();
        for input in &self.config.build.inputs {
            collect(&self.dir.join(input), &mut files)?;
        }
        // A core module is adapted with the project's WIT: a re-vendored WIT rebuilds it.
        // (Without one, the adapter step says so.)
        let wit = root.join("wit");
        if self.config.build.kind == OutputKind::CoreModule && wit.is_dir() {
            collect(&wit, &mut files)?;
        }
        files.sort();
        files.dedup();
        let mut h = Sha256::new();
        h.update(std::fs::read(self.dir.join("language.toml"))?);
        for f in files {
            let rel = f
                .strip_prefix(&self.dir)
                .or_else(|_| f.strip_prefix(root))
                .unwrap_or(&f);
            h.update(rel.to_string_lossy().as_bytes());
            h.update([0]);
            let bytes = std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?;
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        Ok(hex(&h.finalize()))
    }

    /// Builds the agent unless the cached one was built from the same inputs.
    pub fn build(&self, root: &Path, log: &mut dyn FnMut(&str)) -> anyhow::Result<BuildOutcome> {
        self.check_toolchain()?;
        let out_dir = self.out_dir(root);
        let agent = self.agent_path(root);
        let stamp = out_dir.join("agent.inputs");
        let hash = self.input_hash(root)?;
        if agent.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(hash.as_str())
        {
            return Ok(BuildOutcome::Cached(agent));
        }
        let build_dir = out_dir.join("build");
        std::fs::create_dir_all(&build_dir)?;
        let subst = |s: &str| s.replace("{build_dir}", &build_dir.to_string_lossy());
        let workdir = self.dir.join(&self.config.build.workdir);
        if !workdir.is_dir() {
            bail!(
                "{}: build.workdir {:?} is not a folder ({} does not exist)",
                self.dir.join("language.toml").display(),
                self.config.build.workdir,
                workdir.display()
            );
        }
        for step in &self.config.build.steps {
            let argv: Vec<String> = step.iter().map(|a| subst(a)).collect();
            let Some((prog, args)) = argv.split_first() else {
                continue;
            };
            log(&format!("{}: {}", self.name, argv.join(" ")));
            let mut command = Command::new(prog);
            command
                .args(args)
                .current_dir(&workdir)
                .envs(&self.config.build.env);
            let out = command.output().with_context(|| {
                format!("running `{}` in {}", argv.join(" "), workdir.display())
            })?;
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                bail!(
                    "building the {} agent failed at `{}` ({}):\n{}",
                    self.name,
                    argv.join(" "),
                    out.status,
                    tail.join("\n")
                );
            }
        }
        let built = workdir.join(subst(&self.config.build.output));
        let bytes = std::fs::read(&built)
            .with_context(|| format!("the build did not produce {}", built.display()))?;
        let bytes = match (self.config.build.kind, wasm_kind(&bytes)) {
            (OutputKind::Component, Some(OutputKind::Component)) => bytes,
            (OutputKind::CoreModule, Some(OutputKind::CoreModule)) => {
                adapt_core_module(root, &built, &bytes, self.config.build.world.as_deref())?
            }
            (OutputKind::Component, Some(OutputKind::CoreModule)) => bail!(
                "{} is a core module, but language.toml says `kind = \"component\"`\n  \
                 hint: for a WASI preview1 reactor, set `kind = \"core-module\"` and courier \
                 adapts it into a component",
                built.display()
            ),
            (OutputKind::CoreModule, Some(OutputKind::Component)) => bail!(
                "{} is already a component, but language.toml says `kind = \"core-module\"`",
                built.display()
            ),
            (_, None) => bail!("{} is not WebAssembly", built.display()),
        };
        std::fs::write(&agent, &bytes)?;
        std::fs::write(&stamp, &hash)?;
        Ok(BuildOutcome::Built(agent))
    }
}

/// Embed `world` (default: the `wasi:http/proxy` of the project's `wit/`) into the WASI
/// preview1 reactor core module `bytes`, read from `built`, and adapt it into a component.
fn adapt_core_module(
    root: &Path,
    built: &Path,
    bytes: &[u8],
    world: Option<&str>,
) -> anyhow::Result<Vec<u8>> {
    let wit = root.join("wit");
    let world = courier_componentize::world_to_embed(&wit, world)?;
    courier_componentize::componentize_reactor(bytes, &wit, &world).with_context(|| {
        format!(
            "adapting {} (a core module) into a component of {world}",
            built.display()
        )
    })
}

/// An agent built elsewhere (`courier conformance --agent NAME=PATH`): a component is served
/// as it is; a WASI preview1 reactor core module is adapted into
/// `<root>/target/courier/_prebuilt/<name>.wasm` first (apart from the languages' outputs).
pub fn prebuilt_agent(root: &Path, name: &str, path: &Path) -> anyhow::Result<PathBuf> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("agent `{name}`: reading {}", path.display()))?;
    match wasm_kind(&bytes) {
        Some(OutputKind::Component) => Ok(std::path::absolute(path)?),
        Some(OutputKind::CoreModule) => {
            let component = adapt_core_module(root, path, &bytes, None)?;
            let out = root.join("target").join("courier").join("_prebuilt");
            std::fs::create_dir_all(&out)?;
            let agent = out.join(format!("{name}.wasm"));
            std::fs::write(&agent, component)?;
            Ok(agent)
        }
        None => bail!("agent `{name}`: {} is not WebAssembly", path.display()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildOutcome {
    Built(PathBuf),
    Cached(PathBuf),
}

impl BuildOutcome {
    pub fn path(&self) -> &Path {
        match self {
            BuildOutcome::Built(p) | BuildOutcome::Cached(p) => p,
        }
    }
}

/// Tells a component from a core module by the binary's layer field.
pub fn wasm_kind(bytes: &[u8]) -> Option<OutputKind> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return None;
    }
    match bytes[6..8] {
        [0, 0] => Some(OutputKind::CoreModule),
        [1, 0] => Some(OutputKind::Component),
        _ => None,
    }
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("build input {}", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "target" || name.starts_with('.') {
            continue;
        }
        collect(&p, out)?;
    }
    Ok(())
}

/// The first `{word}` in `text` that is not `{build_dir}`.
fn unknown_placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}')?;
        let word = &after[..=close];
        if word != "{build_dir}"
            && word[1..close]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && close > 1
        {
            return Some(word);
        }
        rest = &after[close + 1..];
    }
    None
}

/// Every language under `<root>/languages/`, sorted by name.
pub fn discover(root: &Path) -> anyhow::Result<Vec<Language>> {
    let dir = root.join("languages");
    let mut langs = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let p = entry?.path();
        if p.join("language.toml").is_file() {
            langs.push(Language::load(&p)?);
        }
    }
    langs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(langs)
}

/// The languages `--lang` names (every one when none, or `all` as `courier generate` takes
/// it). Only the named folders are read, so a broken language.toml elsewhere does not stop
/// a run that does not use it.
pub fn load_selected(root: &Path, names: &[String]) -> anyhow::Result<Vec<Language>> {
    if names.is_empty() || names == ["all"] {
        return discover(root);
    }
    let dir = root.join("languages");
    if names
        .iter()
        .all(|n| dir.join(n).join("language.toml").is_file())
    {
        // `load` checks that each names itself after its folder.
        let loaded = names
            .iter()
            .map(|n| Language::load(&dir.join(n)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        return select(loaded, names);
    }
    // An unknown name: the error lists what exists.
    select(discover(root)?, names)
}

/// Picks languages by name (all when `names` is empty), with a helpful error for unknown ones.
pub fn select(all: Vec<Language>, names: &[String]) -> anyhow::Result<Vec<Language>> {
    if names.is_empty() {
        return Ok(all);
    }
    let known: Vec<String> = all.iter().map(|l| l.name.clone()).collect();
    let mut out = Vec::new();
    for n in names {
        if out.iter().any(|l: &Language| &l.name == n) {
            bail!("--lang names `{n}` twice\n  hint: each language is one column of the matrix");
        }
        match all.iter().find(|l| &l.name == n) {
            Some(l) => out.push(l.clone()),
            None => bail!(
                "no language `{n}` (found: {}); a language is a folder languages/<name>/ with a language.toml",
                known.join(", ")
            ),
        }
    }
    Ok(out)
}

/// The nearest ancestor of `start` that has a `languages/` folder.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|p| p.join("languages").is_dir())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_dir(root: &Path, name: &str, toml_text: &str) -> PathBuf {
        let d = root.join("languages").join(name);
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::write(d.join("language.toml"), toml_text).unwrap();
        d
    }

    const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    fn shell_lang(name: &str, output_bytes: &str) -> String {
        format!(
            r#"name = "{name}"
[toolchain]
setup = ["install sh"]
checks = [{{ command = ["sh", "-c", "echo sh-1.0"], stdout_contains = "sh-", hint = "install a POSIX shell" }}]
[build]
workdir = "src"
inputs = ["src"]
steps = [["sh", "-c", 'printf "{output_bytes}" > {{build_dir}}/out.wasm; echo built >> {{build_dir}}/count']]
output = "{{build_dir}}/out.wasm"
"#
        )
    }

    #[test]
    fn builds_once_then_serves_from_cache_until_an_input_changes() {
        let root = tempfile::tempdir().unwrap();
        let d = lang_dir(root.path(), "shell", &shell_lang("shell", r"\0asm\r\0\1\0"));
        std::fs::write(d.join("src/main.txt"), "v1").unwrap();
        let l = Language::load(&d).unwrap();
        let mut logs = Vec::new();
        let b = l
            .build(root.path(), &mut |m| logs.push(m.to_string()))
            .unwrap();
        assert!(matches!(b, BuildOutcome::Built(_)));
        assert_eq!(std::fs::read(b.path()).unwrap(), COMPONENT);
        assert_eq!(
            b.path(),
            root.path().join("target/courier/shell/agent.wasm")
        );
        assert!(matches!(
            l.build(root.path(), &mut |_| {}).unwrap(),
            BuildOutcome::Cached(_)
        ));
        std::fs::write(d.join("src/main.txt"), "v2").unwrap();
        assert!(matches!(
            l.build(root.path(), &mut |_| {}).unwrap(),
            BuildOutcome::Built(_)
        ));
        let count =
            std::fs::read_to_string(root.path().join("target/courier/shell/build/count")).unwrap();
        assert_eq!(count.lines().count(), 2);
        assert_eq!(logs.len(), 1);
    }

    #[test]
    fn a_missing_tool_gives_the_hint_and_setup() {
        let root = tempfile::tempdir().unwrap();
        let text = shell_lang("shell", r"\0asm\r\0\1\0").replace(
            "checks = [",
            "checks = [{ command = [\"courier-no-such-tool-xyz\"], hint = \"run `get-xyz`\" }, ",
        );
        let d = lang_dir(root.path(), "shell", &text);
        let err = build_error(&d, root.path());
        assert!(err.contains("the shell toolchain is not ready"), "{err}");
        assert!(
            err.contains("courier-no-such-tool-xyz") && err.contains("run `get-xyz`"),
            "{err}"
        );
        assert!(err.contains("install sh"), "{err}");
    }

    #[test]
    fn a_core_module_is_refused_when_a_component_is_promised() {
        let root = tempfile::tempdir().unwrap();
        let d = lang_dir(root.path(), "shell", &shell_lang("shell", r"\0asm\1\0\0\0"));
        let err = build_error(&d, root.path());
        assert!(err.contains("is a core module"), "{err}");
        assert!(err.contains("kind = \"core-module\""), "{err}");

        let promised = shell_lang("shell", r"\0asm\r\0\1\0") + "kind = \"core-module\"\n";
        let d = lang_dir(root.path(), "shell", &promised);
        let err = build_error(&d, root.path());
        assert!(err.contains("is already a component"), "{err}");
    }

    /// The message of a build of the language in `dir` that must fail.
    fn build_error(dir: &Path, root: &Path) -> String {
        Language::load(dir)
            .unwrap()
            .build(root, &mut |_| {})
            .unwrap_err()
            .to_string()
    }

    /// A stand-in for the project's `wit/`: a wasi:http package with a `proxy` world, so the
    /// default world is found as in the real one.
    const WIT: &str = "package wasi:http@0.2.99;\n\n\
        interface incoming-handler {\n  handle: func(path: string);\n}\n\n\
        world proxy {\n  export incoming-handler;\n}\n";

    /// What a wasi-sdk or Go reactor build exports for that world, bodies aside.
    const REACTOR: &str = r#"(module
        (memory (export "memory") 1)
        (func (export "_initialize"))
        (func (export "wasi:http/incoming-handler@0.2.99#handle") (param i32 i32))
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 1024))"#;

    /// A project root holding only the stand-in WIT.
    fn root_with_wit() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("wit")).unwrap();
        std::fs::write(root.path().join("wit/http.wit"), WIT).unwrap();
        root
    }

    #[test]
    fn a_prebuilt_agent_is_served_as_is_or_adapted() {
        let root = root_with_wit();
        let files = tempfile::tempdir().unwrap();
        let component = files.path().join("c.wasm");
        std::fs::write(&component, COMPONENT).unwrap();
        assert_eq!(
            prebuilt_agent(root.path(), "c", &component).unwrap(),
            component
        );

        let core = files.path().join("core.wasm");
        std::fs::write(&core, wat::parse_str(REACTOR).unwrap()).unwrap();
        let adapted = prebuilt_agent(root.path(), "mine", &core).unwrap();
        assert_eq!(
            adapted,
            root.path().join("target/courier/_prebuilt/mine.wasm")
        );
        let bytes = std::fs::read(&adapted).unwrap();
        assert_eq!(wasm_kind(&bytes), Some(OutputKind::Component));

        let text = files.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let err = prebuilt_agent(root.path(), "t", &text).unwrap_err();
        assert!(format!("{err:#}").contains("is not WebAssembly"), "{err:#}");
    }

    #[test]
    fn a_reactor_core_module_becomes_a_wasi_http_component() {
        let root = root_with_wit();
        let wit = root.path().join("wit");
        let core = wat::parse_str(REACTOR).unwrap();
        let text = shell_lang("shell", "").replace(
            r#"'printf "" > {build_dir}/out.wasm; echo built >> {build_dir}/count'"#,
            "'cp core.wasm {build_dir}/out.wasm'",
        ) + "kind = \"core-module\"\n";
        assert!(text.contains("cp core.wasm"), "{text}");
        let d = lang_dir(root.path(), "shell", &text);
        std::fs::write(d.join("src/core.wasm"), core).unwrap();

        let lang = Language::load(&d).unwrap();
        let built = lang.build(root.path(), &mut |_| {}).unwrap();
        assert!(matches!(built, BuildOutcome::Built(_)));
        let bytes = std::fs::read(built.path()).unwrap();
        assert_eq!(wasm_kind(&bytes), Some(OutputKind::Component));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("wasi:http/incoming-handler@0.2.99"),
            "exports the handler"
        );

        let again = lang.build(root.path(), &mut |_| {}).unwrap();
        assert!(matches!(again, BuildOutcome::Cached(_)));
        // The adapter embeds the project's WIT, so a re-vendored WIT is a new build.
        std::fs::write(wit.join("http.wit"), format!("{WIT}// re-vendored\n")).unwrap();
        let rebuilt = lang.build(root.path(), &mut |_| {}).unwrap();
        assert!(matches!(rebuilt, BuildOutcome::Built(_)));
    }

    #[test]
    fn discovery_checks_names_and_expectations() {
        let root = tempfile::tempdir().unwrap();
        lang_dir(root.path(), "one", &shell_lang("one", "x"));
        let two = lang_dir(root.path(), "two", &shell_lang("two", "x"));
        std::fs::write(
            two.join("expectations.toml"),
            "[xfail]\nH03 = \"drops instead of rejecting\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.path().join("languages/not-a-language")).unwrap();
        let all = discover(root.path()).unwrap();
        assert_eq!(
            all.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            ["one", "two"]
        );
        assert_eq!(all[1].xfail["H03"], "drops instead of rejecting");
        let err = select(all.clone(), &["three".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no language `three` (found: one, two)"),
            "{err}"
        );
        assert_eq!(select(all.clone(), &["two".into()]).unwrap().len(), 1);
        let err = select(all, &["two".into(), "two".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--lang names `two` twice"), "{err}");

        // Placeholders and the workdir are checked before anything runs.
        let typo = lang_dir(
            root.path(),
            "typo",
            &shell_lang("typo", "x").replace("output = \"{build_dir}", "output = \"{nope}"),
        );
        let err = Language::load(&typo).unwrap_err().to_string();
        assert!(err.contains("uses `{nope}`"), "{err}");
        std::fs::remove_dir_all(typo).unwrap();
        let nodir = lang_dir(
            root.path(),
            "nodir",
            &shell_lang("nodir", "x").replace("workdir = \"src\"", "workdir = \"gone\""),
        );
        let err = Language::load(&nodir)
            .unwrap()
            .build(root.path(), &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("build.workdir \"gone\" is not a folder"),
            "{err}"
        );
        std::fs::remove_dir_all(nodir).unwrap();

        // A broken language stops only runs that use it.
        let broken = lang_dir(root.path(), "three", "name = 3\n");
        assert_eq!(
            load_selected(root.path(), &["two".into()]).unwrap().len(),
            1
        );
        assert!(load_selected(root.path(), &["three".into()]).is_err());
        assert!(load_selected(root.path(), &["all".into()]).is_err());
        std::fs::remove_dir_all(broken).unwrap();
        assert_eq!(
            load_selected(root.path(), &["all".into()]).unwrap().len(),
            2
        );

        std::fs::write(two.join("expectations.toml"), "[xfial]\n").unwrap();
        let err = Language::load(&two).unwrap_err().to_string();
        assert!(
            err.contains("expectations.toml:1:2") && err.contains("xfial"),
            "{err}"
        );

        let bad = lang_dir(root.path(), "three", &shell_lang("four", "x"));
        let err = Language::load(&bad).unwrap_err().to_string();
        assert!(err.contains("differs from its folder"), "{err}");
        assert_eq!(
            find_root(&root.path().join("languages/one/src")).unwrap(),
            root.path()
        );
    }

    #[test]
    fn wasm_kinds() {
        assert_eq!(wasm_kind(COMPONENT), Some(OutputKind::Component));
        assert_eq!(wasm_kind(b"\0asm\x01\0\0\0"), Some(OutputKind::CoreModule));
        assert_eq!(wasm_kind(b"\x7fELF...."), None);
    }
}
