//! The JavaScript backend: the WIT it retargets for ComponentizeJS, and WIT changes reaching
//! the SDK through the model alone.

mod common;

use std::collections::BTreeSet;

use courier_generator::backend::js::{ENGINE_WASI_VERSION, JS_WORLD};
use courier_generator::{Language, Sdk};
use wit_parser::{Resolve, WorldItem};

/// Writes the SDK's `wit/` to a temporary folder and parses it as ComponentizeJS would.
fn parse_js_wit(sdk: &Sdk) -> (tempfile::TempDir, Resolve) {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in &sdk.files {
        if let Some(rel) = path.strip_prefix("wit/") {
            let target = dir.path().join(rel);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, contents).unwrap();
        }
    }
    let mut resolve = Resolve::default();
    resolve
        .push_dir(dir.path())
        .unwrap_or_else(|e| panic!("the retargeted WIT does not parse: {e:#}"));
    (dir, resolve)
}

/// Interface names a world imports or exports, without versions: `wasi:http/types`.
fn surface(resolve: &Resolve, world: wit_parser::WorldId) -> BTreeSet<String> {
    let w = &resolve.worlds[world];
    let mut out = BTreeSet::new();
    for (dir, items) in [("import", &w.imports), ("export", &w.exports)] {
        for item in items.values() {
            if let WorldItem::Interface { id, .. } = item {
                let name = resolve.id_of(*id).unwrap();
                let unversioned = name.split('@').next().unwrap().to_string();
                let functions: Vec<_> = resolve.interfaces[*id].functions.keys().cloned().collect();
                out.insert(format!("{dir} {unversioned}: {}", functions.join(" ")));
            }
        }
    }
    out
}

#[test]
fn the_js_wit_is_the_vendored_proxy_world_at_the_engines_version() {
    let sdk = common::generate_from(&common::vendored_wit(), Language::Js, None);
    let (_dir, js) = parse_js_wit(&sdk);
    let mut original = Resolve::default();
    original.push_dir(common::vendored_wit()).unwrap();

    // Only the engine's version is left: nothing still names 0.2.12.
    for (_, pkg) in js.packages.iter() {
        if pkg.name.namespace == "wasi" {
            assert_eq!(
                pkg.name.version.as_ref().unwrap().to_string(),
                ENGINE_WASI_VERSION,
                "{}",
                pkg.name
            );
        }
    }
    let root = js
        .packages
        .iter()
        .find(|(_, p)| p.name.namespace == "courier")
        .map(|(id, _)| id)
        .expect("wit/world.wit declares the root package");
    let js_world = js.packages[root].worlds[JS_WORLD];
    let http = original
        .packages
        .iter()
        .find(|(_, p)| p.name.namespace == "wasi" && p.name.name == "http")
        .map(|(id, _)| id)
        .unwrap();
    let original_world = original.packages[http].worlds["proxy"];

    // Same interfaces, same functions in each: only version strings changed.
    assert_eq!(surface(&js, js_world), surface(&original, original_world));
    assert!(surface(&js, js_world)
        .iter()
        .any(|l| l.starts_with("import wasi:http/outgoing-handler: handle")));
}

#[test]
fn items_newer_than_the_engine_are_left_out() {
    // wasi:cli@0.2.12 added `exit-with-code`; wit-parser refuses `@since` newer than the
    // package, so without the gating the JS WIT would not even parse.
    let sdk = common::generate_from(&common::vendored_wit(), Language::Js, None);
    let cli = common::text(&sdk, "wit/deps/cli.wit");
    assert!(cli.contains("@unstable(feature = courier-since-0-2-12)\n  exit-with-code"));
    let (_dir, js) = parse_js_wit(&sdk);
    let exit = js
        .interfaces
        .iter()
        .find(|(_, i)| i.name.as_deref() == Some("exit"))
        .map(|(_, i)| i)
        .unwrap();
    assert!(exit.functions.contains_key("exit"));
    assert!(!exit.functions.contains_key("exit-with-code"));
}

#[test]
fn a_new_error_code_reaches_the_js_sdk_through_the_model() {
    let dir = common::edited_wit(|t| {
        t.replace(
            "    connection-refused,",
            "    connection-refused,\n    /// The upstream is a teapot.\n    teapot-refused(option<u16>),",
        )
    });
    let before = common::generate_from(&common::vendored_wit(), Language::Js, None);
    let after = common::generate_from(dir.path(), Language::Js, None);
    assert!(!common::text(&before, "errors.js").contains("teapot-refused"));
    assert!(common::text(&after, "errors.js").contains("  'teapot-refused',\n"));
    let dts = common::text(&after, "index.d.ts");
    assert!(dts.contains("  | 'teapot-refused'\n"), "{dts}");
    assert!(dts.contains("  | { code: 'teapot-refused'; payload: number | undefined }\n"));
    assert!(common::text(&after, "README.md").contains("`teapot-refused`"));
    // The retargeted WIT carries the new case too.
    assert!(common::text(&after, "wit/deps/http.wit").contains("teapot-refused(option<u16>)"));
}

/// The vendored WIT's JS SDK: what every layout below must reproduce.
fn vendored_js() -> Sdk {
    common::generate_from(&common::vendored_wit(), Language::Js, None)
}

#[test]
fn the_js_wit_does_not_depend_on_where_the_checkout_lies() {
    // A folder named `deps` above the WIT directory (a CI workspace, say).
    let outer = tempfile::tempdir().unwrap();
    let wit = outer.path().join("deps/project/wit");
    common::copy_dir(&common::vendored_wit(), &wit);
    assert_eq!(
        common::generate_from(&wit, Language::Js, None).files,
        vendored_js().files
    );
}

#[test]
fn the_js_wit_holds_wasi_http_when_it_is_the_root_package() {
    // `--wit` pointed at wasi:http's own folder: http.wit beside deps/, no world of ours.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::vendored_wit(), dir.path());
    std::fs::remove_file(dir.path().join("world.wit")).unwrap();
    std::fs::rename(
        dir.path().join("deps/http.wit"),
        dir.path().join("http.wit"),
    )
    .unwrap();
    let sdk = common::generate_from(dir.path(), Language::Js, None);
    assert_eq!(sdk.files, vendored_js().files);
    parse_js_wit(&sdk);
}

#[test]
fn packages_the_proxy_world_does_not_use_stay_out_of_the_js_wit() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::vendored_wit(), dir.path());
    // Another vendor's package at another version, which could not be retargeted.
    std::fs::write(
        dir.path().join("deps/spin.wit"),
        "package fermyon:spin@2.0.0;\ninterface variables {\n  get: func(name: string) -> result<string, string>;\n}\n",
    )
    .unwrap();
    let sdk = common::generate_from(dir.path(), Language::Js, None);
    assert_eq!(sdk.files, vendored_js().files);
}

#[test]
fn comments_and_line_ends_do_not_change_the_js_wit() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::vendored_wit(), dir.path());
    for file in ["deps/clocks.wit", "deps/io.wit"] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        // A version-like `@` in comments is prose, not a package reference.
        let commented = format!(
            "// See wasi-http@1.example.org.\n/* nested /* @9.9.9 */ still a comment */\n{text}"
        );
        std::fs::write(&path, commented.replace('\n', "\r\n")).unwrap();
    }
    let sdk = common::generate_from(dir.path(), Language::Js, None);
    let clocks = common::text(&sdk, "wit/deps/clocks.wit");
    assert!(clocks.starts_with("// See wasi-http@1.example.org.\n/* nested /* @9.9.9 */"));
    assert!(!clocks.contains('\r'));
    parse_js_wit(&sdk);
}
