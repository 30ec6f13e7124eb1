//! `courier-componentize`: turns a core WebAssembly module built as a WASI preview1 reactor
//! (Go's `GOOS=wasip1 -buildmode=c-shared`) into a component of a WIT world, in process:
//! wit-component embeds the world's metadata and adapts the preview1 imports with the reactor
//! adapter shipped by `wasi-preview1-component-adapter-provider`. No wasm-tools binary needed.

use std::path::Path;

use anyhow::{bail, Context as _};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// The world to embed from `wit_dir`: `world` when named, else the `wasi:http/proxy` world
/// of its wasi:http package (e.g. `wasi:http/proxy@0.2.12`), what an HTTP component needs.
pub fn world_to_embed(wit_dir: &Path, world: Option<&str>) -> anyhow::Result<String> {
    if let Some(world) = world {
        return Ok(world.to_string());
    }
    let mut resolve = Resolve::default();
    resolve
        .push_dir(wit_dir)
        .with_context(|| format!("parsing the WIT in {}", wit_dir.display()))?;
    let http = resolve
        .packages
        .iter()
        .map(|(_, p)| &p.name)
        .find(|n| n.namespace == "wasi" && n.name == "http")
        .with_context(|| format!("no wasi:http package in {}", wit_dir.display()))?;
    Ok(match &http.version {
        Some(v) => format!("wasi:http/proxy@{v}"),
        None => "wasi:http/proxy".to_string(),
    })
}

/// Embeds `world` (e.g. `wasi:http/proxy@0.2.12`, or a world name of the root package) from
/// the WIT directory `wit_dir` into `core_wasm` and adapts it into a validated component.
pub fn componentize_reactor(
    core_wasm: &[u8],
    wit_dir: &Path,
    world: &str,
) -> anyhow::Result<Vec<u8>> {
    if core_wasm.len() < 8 || &core_wasm[..4] != b"\0asm" {
        bail!("the input is not WebAssembly");
    }
    if core_wasm[4..8] != [1, 0, 0, 0] {
        bail!("the input is already a component (or not a core module)");
    }
    let mut resolve = Resolve::default();
    let (root, _) = resolve
        .push_dir(wit_dir)
        .with_context(|| format!("parsing the WIT in {}", wit_dir.display()))?;
    let world_id = resolve
        .select_world(&[root], Some(world))
        .with_context(|| format!("selecting world `{world}` in {}", wit_dir.display()))?;
    let mut module = core_wasm.to_vec();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world_id,
        StringEncoding::UTF8,
        false,
    )
    .context("embedding the world into the core module")?;
    ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .context("reading the core module")?
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        )
        .context("adding the wasi preview1 reactor adapter")?
        .encode()
        .context("encoding the component")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wit_dir() -> tempfile_free::Dir {
        tempfile_free::Dir::new(
            "package test:app;\n\ninterface api {\n  run: func() -> u32;\n}\n\nworld app {\n  export api;\n}\n",
        )
    }

    /// A tiny temp-dir helper so the crate needs no extra dev-dependency for one folder.
    mod tempfile_free {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new(wit: &str) -> Self {
                let p = std::env::temp_dir().join(format!(
                    "courier-componentize-{}-{:?}",
                    std::process::id(),
                    std::thread::current().id()
                ));
                std::fs::create_dir_all(&p).unwrap();
                std::fs::write(p.join("app.wit"), wit).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    /// A reactor that exports the world's function and imports one preview1 function, as Go's
    /// runtime does: the adapter must satisfy the import.
    const REACTOR: &str = r#"(module
        (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "_initialize"))
        (func (export "test:app/api#run") (result i32)
            (drop (call $random_get (i32.const 0) (i32.const 4)))
            i32.const 42)
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 1024)
    )"#;

    #[test]
    fn a_reactor_becomes_a_component_of_the_world() {
        let dir = wit_dir();
        let core = wat::parse_str(REACTOR).unwrap();
        let component = componentize_reactor(&core, &dir.0, "app").unwrap();
        assert_eq!(&component[..4], b"\0asm");
        assert_eq!(component[6..8], [1, 0], "a component layer");
        // The component exports the interface and imports wasi (through the adapter),
        // not wasi_snapshot_preview1.
        let text = String::from_utf8_lossy(&component);
        assert!(
            text.contains("test:app/api"),
            "exports the world's interface"
        );
        assert!(
            text.contains("wasi:random/random"),
            "the adapter imports wasi:random"
        );
    }

    #[test]
    fn the_http_proxy_world_is_the_vendored_one() {
        let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
        let world = world_to_embed(&wit, None).unwrap();
        let vendored = std::fs::read_to_string(wit.join("deps/http.wit")).unwrap();
        let version = world.strip_prefix("wasi:http/proxy@").unwrap();
        assert!(
            vendored.contains(&format!("package wasi:http@{version};")),
            "{world}"
        );
        let err = world_to_embed(&wit_dir().0, None).unwrap_err();
        assert!(err.to_string().contains("no wasi:http package"), "{err}");
    }

    #[test]
    fn refuses_what_is_not_a_core_module() {
        let dir = wit_dir();
        let err = componentize_reactor(b"\x7fELF....", &dir.0, "app").unwrap_err();
        assert!(err.to_string().contains("not WebAssembly"), "{err}");
        let err = componentize_reactor(b"\0asm\x0d\0\x01\0", &dir.0, "app").unwrap_err();
        assert!(err.to_string().contains("already a component"), "{err}");
    }

    #[test]
    fn an_unknown_world_is_named() {
        let dir = wit_dir();
        let core = wat::parse_str(REACTOR).unwrap();
        let err = componentize_reactor(&core, &dir.0, "nope").unwrap_err();
        assert!(format!("{err:#}").contains("nope"), "{err:#}");
    }

    #[test]
    fn a_module_missing_a_world_export_is_refused() {
        let dir = wit_dir();
        let core = wat::parse_str(
            r#"(module (memory (export "memory") 1) (func (export "_initialize")))"#,
        )
        .unwrap();
        assert!(componentize_reactor(&core, &dir.0, "app").is_err());
    }
}
