//! The desktop app on Tauri's mock runtime (no window, no display), and its commands invoked
//! through the IPC exactly as the UI invokes them.
#![allow(dead_code)]

use booking_desk::{AppState, app_builder};
use booking_engine::Engine;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow};

pub struct Desk {
    /// The same engine the app holds, for test set-up the IPC cannot do.
    pub engine: Option<Engine>,
    _app: App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

/// The app on Tauri's mock runtime with one window, over `state`.
pub fn mount(state: AppState, engine: Option<Engine>, dir: tempfile::TempDir) -> Desk {
    let app = app_builder(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .expect("app builds");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    Desk {
        engine,
        _app: app,
        window,
        _dir: dir,
    }
}

/// Invokes a command as the UI does; `Ok` is the command's value, `Err` its error object.
pub fn invoke(desk: &Desk, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_in(&desk.window, cmd, args)
}

/// [`invoke`] in `window` alone, which another thread may hold too.
pub fn invoke_in(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    let response = get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    );
    response.map(|body| body.deserialize::<Value>().expect("json"))
}
