//! The shell's configuration keeps the webview boxed in: a strict CSP with no remote origins, no
//! global Tauri object, no asset protocol, and a capability set that grants no plugin permissions
//! (the UI reaches only Booking Desk's own commands).

use serde_json::Value;

fn read(path: &str) -> Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn csp_allows_only_the_app_itself() {
    let conf = read("tauri.conf.json");
    let csp = &conf["app"]["security"]["csp"];
    assert!(csp.is_object(), "a CSP is set");
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'", "no inline or remote scripts");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["frame-ancestors"], "'none'");
    for (directive, value) in csp.as_object().into_iter().flatten() {
        let value = value.as_str().unwrap_or_default();
        for source in value.split_whitespace() {
            let remote =
                source.starts_with("https:") || source.starts_with("http:") || source == "*";
            // The IPC endpoint is the only URL the webview may reach.
            let ipc = source == "ipc:" || source == "http://ipc.localhost";
            assert!(
                !remote || ipc,
                "{directive} allows a remote source: {source}"
            );
        }
    }
    assert!(
        !csp["script-src"]
            .as_str()
            .unwrap_or_default()
            .contains("unsafe"),
        "no unsafe script sources"
    );
}

#[test]
fn the_webview_gets_no_extra_powers() {
    let conf = read("tauri.conf.json");
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    assert_eq!(conf["app"]["security"]["freezePrototype"], true);
    assert!(
        conf["app"]["security"]["assetProtocol"]["enable"] != true,
        "the asset protocol would expose local files"
    );
    assert!(
        conf["build"].get("devUrl").is_none(),
        "the UI is always the embedded build"
    );
    let windows = conf["app"]["windows"].as_array().expect("windows");
    assert_eq!(windows.len(), 1);
    assert!(
        windows[0]
            .get("url")
            .is_none_or(|u| !u.as_str().unwrap_or_default().contains("://"))
    );
}

#[test]
fn capabilities_grant_no_plugin_permissions() {
    let dir = format!("{}/capabilities", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("capabilities folder") {
        let path = entry.expect("entry").path();
        let cap: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        seen += 1;
        assert_eq!(
            cap["windows"],
            serde_json::json!(["main"]),
            "{}",
            path.display()
        );
        assert_eq!(
            cap["permissions"].as_array().map(Vec::len),
            Some(0),
            "{} grants permissions beyond the app's own commands",
            path.display()
        );
        assert!(
            cap.get("remote").is_none(),
            "no remote origin may call commands"
        );
    }
    assert_eq!(seen, 1, "one capability file");
}
