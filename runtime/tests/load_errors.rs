//! Bad apps stop at load, before any socket is opened, with the key at fault and a hint.

use courier_runtime::{LoadOptions, Runtime, RuntimeOptions};

/// Load `manifest` (with `{wasm}` pointing at a file of `wasm_bytes`) and return the error text.
async fn load_error(manifest: &str, wasm_bytes: &[u8], options: LoadOptions) -> String {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("app.wasm");
    std::fs::write(&wasm, wasm_bytes).unwrap();
    // A symlink pointing at itself, for the manifests that name it.
    std::os::unix::fs::symlink("loop.wasm", dir.path().join("loop.wasm")).unwrap();
    let path = dir.path().join("spin.toml");
    std::fs::write(
        &path,
        manifest.replace("{wasm}", &wasm.display().to_string()),
    )
    .unwrap();
    let runtime = Runtime::new(RuntimeOptions {
        pooling: false,
        ..Default::default()
    })
    .unwrap();
    match runtime.load(&path, options).await {
        Ok(_) => panic!("expected a load error for:\n{manifest}"),
        Err(e) => format!("{e:#}"),
    }
}

fn app(allowed: &str) -> String {
    format!(
        "spin_manifest_version = 2\n[application]\nname = \"bad\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"front\"\n\
         [component.front]\nsource = \"{{wasm}}\"\nallowed_outbound_hosts = [{allowed}]\n"
    )
}

#[tokio::test]
async fn malformed_allowed_hosts_name_the_component_and_the_reason() {
    let cases = [
        (
            "\"example.com\"",
            "\"example.com\" does not contain a scheme",
        ),
        ("\"http://ex*mple.com\"", "wildcards are allowed only as"),
        ("\"http://example.com/path\"", "path"),
        ("\"*://127.0.0.0/24\"", "does not have a known default port"),
        (
            "\"insecure:allow-all\"",
            "'insecure:allow-all' is not allowed",
        ),
        ("\"*\"", "is not an allowed outbound host format"),
        (
            "\"http://example.com:99999\"",
            "Invalid allowed host port \"99999\"",
        ),
    ];
    for (entry, want) in cases {
        let err = load_error(&app(entry), b"not wasm", LoadOptions::default()).await;
        assert!(
            err.contains("Failed to load component `front`"),
            "{entry}: {err}"
        );
        assert!(err.contains(want), "{entry}: want {want:?} in {err}");
        assert!(
            err.contains(&format!("\n  at: allowed_outbound_hosts[0] = {entry}")),
            "the entry at fault is named: {err}"
        );
    }
}

#[tokio::test]
async fn the_entry_at_fault_is_named_after_spins_chain() {
    let err = load_error(
        &app("\"http://ok.example\", \"http://bad host\""),
        b"",
        LoadOptions::default(),
    )
    .await;
    assert!(
        err.ends_with(
            "`allowed_outbound_hosts` is malformed: Invalid allowed host \"bad host\": \
             invalid international domain name\n  at: allowed_outbound_hosts[1] = \"http://bad host\""
        ),
        "{err}"
    );
}

#[tokio::test]
async fn allowed_hosts_are_checked_before_the_source_as_in_spin() {
    let manifest =
        app("\"example.com\"").replace("source = \"{wasm}\"", "source = \"missing.wasm\"");
    let err = load_error(&manifest, b"", LoadOptions::default()).await;
    assert!(err.contains("does not contain a scheme"), "{err}");
}

#[tokio::test]
async fn templated_entries_are_checked_with_their_defaults() {
    let manifest = app("\"https://{{ invalid_default_host }}\"").replace(
        "[[trigger.http]]",
        "[variables]\ninvalid_default_host = { default = \"invalid host\" }\n[[trigger.http]]",
    );
    let err = load_error(&manifest, b"", LoadOptions::default()).await;
    // The loader's ui test, word for word (spec 1.7).
    assert!(
        err.contains(
            "Failed to load component `front`: `allowed_outbound_hosts` is malformed: \
             using default variable value(s) with template \"https://{{ invalid_default_host }}\" \
             results in invalid config \"https://invalid host\": Invalid allowed host \"invalid host\": \
             invalid international domain name"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn manifest_mistakes_are_located() {
    let base = app("");
    let cases = [
        (
            base.replace("component = \"front\"", "component = \"frnt\""),
            "no component named `frnt`",
        ),
        (
            base.replace("source = \"{wasm}\"", "source = \"missing.wasm\""),
            "does not exist",
        ),
        (
            base.replace("source = \"{wasm}\"", "source = \".\""),
            "is a folder, not a .wasm file",
        ),
        (
            base.replace("source = \"{wasm}\"", "source = \"loop.wasm\""),
            "loop.wasm cannot be read",
        ),
        (
            base.replace("route = \"/...\"", "route = { private = false }"),
            "has { private = false }",
        ),
        (
            base.replace("route = \"/...\"", "route = \"api\""),
            "must start with '/'",
        ),
        (
            base.replace("allowed_outbound_hosts", "allowed_outbound_host"),
            "unknown field `allowed_outbound_host`",
        ),
        (
            base.replace("spin_manifest_version = 2", "spin_manifest_version = 3"),
            "expected 2",
        ),
        (
            base.replace(
                "[[trigger.http]]",
                "[[trigger.redis]]\nchannel = \"x\"\ncomponent = \"front\"\n[[trigger.http]]",
            ),
            "trigger type `redis`",
        ),
        (
            format!("{base}\n[variables]\nsecret = {{ required = true }}\n"),
            "pass --var secret=… or set SPIN_VARIABLE_SECRET",
        ),
        (
            base.replace("[[trigger.http]]", "[[trigger.http]]\nid = \"t\"")
                + "[[trigger.http]]\nid = \"t\"\nroute = \"/b\"\ncomponent = \"front\"\n",
            "trigger.http[1].id: `t` is also the id of trigger.http[0]",
        ),
        // A component variable's template is not an allowed host, and says so.
        (
            format!("{base}[component.front.variables]\nfoo = \"{{{{ oops\"\n"),
            "variables.foo: \"{{ oops\" opens a '{{' it does not close",
        ),
        (
            format!("{base}[component.front.variables]\nfoo = \"{{{{ }}}}\"\n"),
            "variables.foo: \"{{ }}\" has an empty '{{ }}'",
        ),
        // Spin's id rules: kebab-case components, snake_case variables.
        (
            base.replace("\"front\"", "\"my_front\"")
                .replace("component.front", "component.my_front"),
            "component id `my_front` is invalid: words must be separated with '-', not '_'",
        ),
        (
            format!("{base}\n[variables]\napi-host = {{ default = \"x\" }}\n"),
            "variables.api-host: invalid name: words must be separated with '_', not '-'",
        ),
        (
            "spin_manifest_version = 2\n[application\n".to_string(),
            "line 2",
        ),
    ];
    for (manifest, want) in cases {
        let err = load_error(&manifest, b"", LoadOptions::default()).await;
        assert!(err.contains("spin.toml"), "the error names the file: {err}");
        assert!(err.contains(want), "want {want:?} in {err}");
    }
}

#[tokio::test]
async fn a_core_module_or_garbage_is_not_a_component() {
    let core_module = b"\0asm\x01\0\0\0";
    let err = load_error(&app(""), core_module, LoadOptions::default()).await;
    assert!(
        err.contains("core WebAssembly module, not a component"),
        "{err}"
    );
    let err = load_error(&app(""), b"garbage", LoadOptions::default()).await;
    assert!(err.contains("is not a WebAssembly file"), "{err}");
    assert!(!err.contains("0x61"), "no byte dumps: {err}");
    let err = load_error(&app(""), b"\0asm\x0d\0\x01\0\x01", LoadOptions::default()).await;
    assert!(err.contains("is not a valid component"), "{err}");
}

#[tokio::test]
async fn a_wasip3_component_is_named_as_such() {
    let components = [
        // Imports a WASIp3 interface.
        r#"(component (import "wasi:http/types@0.3.0" (instance)))"#,
        // Exports the WASIp3 handler instead of wasi:http/incoming-handler@0.2.x.
        r#"(component (instance $h) (export "wasi:http/handler@0.3.0" (instance $h)))"#,
    ];
    for text in components {
        let wasm = wat::parse_str(text).unwrap();
        let err = load_error(&app(""), &wasm, LoadOptions::default()).await;
        assert!(err.contains("is a WASIp3 component (wasi:http/"), "{err}");
        assert!(err.contains("build this one for wasm32-wasip2"), "{err}");
    }
}

#[tokio::test]
async fn a_bad_runtime_config_stops_the_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cut.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIB\n",
    )
    .unwrap();
    let cut = dir.path().join("cut.pem").display().to_string();
    let cut_ca = format!(
        "[[client_tls]]\ncomponent_ids = [\"front\"]\nhosts = [\"h\"]\nca_roots_file = {cut:?}\n"
    );
    let cases = [
        (cut_ca.as_str(), "a section is not closed: no `-----END CERTIFICATE-----` line"),
        ("[outbound_networking]\nblock_networks = [\"10.0.0.0/33\"]\n", "CIDR notation or the keyword 'private'"),
        ("[outbound_http]\npooling = true\n", "unknown field `pooling`"),
        ("[[client_tls]]\ncomponent_ids = [\"front\"]\nhosts = [\"h\"]\nca_roots_file = \"nope.pem\"\n", "[[client_tls]] #1: ca_roots_file: cannot read"),
    ];
    for (text, want) in cases {
        let config = dir.path().join("runtime-config.toml");
        std::fs::write(&config, text).unwrap();
        let options = LoadOptions {
            runtime_config: Some(config),
            ..Default::default()
        };
        let err = load_error(&app(""), b"", options).await;
        assert!(err.contains(want), "want {want:?} in {err}");
        // The runtime config is blamed, not the manifest.
        assert!(err.starts_with("invalid runtime config "), "{err}");
        assert!(err.contains("runtime-config.toml"), "{err}");
    }
}

#[tokio::test]
async fn a_var_with_an_invalid_name_says_so_rather_than_undeclared() {
    let options = LoadOptions {
        variables: [("BAD-NAME".to_string(), "1".to_string())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let err = load_error(&app(""), b"", options).await;
    assert!(
        err.contains("--var BAD-NAME: invalid variable name"),
        "{err}"
    );
}
