//! Booking Desk's desktop shell: a window, the commands the UI calls, and the app state. All the
//! work is the engine's; this crate only wires it to the web UI.

mod commands;
mod export;
mod interrupted;
mod state;

pub use interrupted::Interrupted;
pub use state::{AppInfo, AppState, DemoRunning, SignedIn};

use tauri::Runtime;

/// Every command, with the type information the TypeScript bindings are generated from.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::*;
    // One type per Rust type (not split by serde direction): the UI sends what it received.
    tauri_specta::Builder::<R>::new()
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            app::app_info,
            app::default_window,
            app::first_screen_shown,
            session::sign_in,
            session::sign_out,
            session::still_here,
            session::lock_desk,
            session::sign_in_cis2,
            session::cancel_sign_in,
            session::choose_role,
            secrets::secrets_status,
            secrets::store_secret,
            secrets::delete_secret,
            patient::check_nhs_number,
            patient::find_patient,
            patient::search_pds,
            slots::list_services,
            services::find_services,
            services::known_dispositions,
            slots::search_slots,
            clinical::clinical_preview,
            clinical::approve_named,
            clinical::approve_with_cis2,
            booking::book,
            appointments::patient_appointments,
            appointments::upcoming_appointments,
            appointments::read_appointment,
            appointments::amend_appointment,
            appointments::cancel_appointment,
            bookings::list_bookings,
            reports::centre_bookings,
            reports::appointment_history,
            reports::centre_report,
            reports::export_csv,
        ])
}

/// The app with its state and commands: the real window uses it, and so do the mock-runtime tests.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    let specta = specta_builder::<R>();
    builder
        .manage(state)
        .invoke_handler(specta.invoke_handler())
}

/// Logs to stderr, filtered by `BOOKDESK_LOG` (e.g. `info`, default `warn`). The engine never
/// logs NHS numbers or names, so what this prints is safe to paste into a support ticket. The
/// binary installs it, not the engine: a library leaves the process's logging to its owner.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOOKDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Starts the desktop app: `BOOKDESK_CONFIG` names a desk configuration; without it, the demo.
pub fn run() {
    init_logging();
    let config = std::env::var_os("BOOKDESK_CONFIG").map(std::path::PathBuf::from);
    // Not waited for: the window and its page load while the desk opens.
    let state = AppState::opening(config);
    // The save dialog is opened from Rust (exports); the window is given no dialog permission.
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            use tauri::Manager;
            let handle = app.handle().clone();
            app.state::<AppState>()
                .set_file_chooser(Box::new(move |name| ask_where(&handle, &name)));
            Ok(())
        });
    if let Err(e) = app_builder(builder, state).run(tauri::generate_context!()) {
        eprintln!("Booking Desk could not open its window: {e}");
        std::process::exit(1);
    }
}

/// The system's save dialog, offering `<name>-<date-time>.csv` in Downloads and warning in its
/// title that the table holds patients' NHS numbers.
fn ask_where<R: Runtime>(
    app: &tauri::AppHandle<R>,
    name: &str,
) -> tokio::sync::oneshot::Receiver<Option<std::path::PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Save the table: it holds patients' NHS numbers")
        .set_file_name(export::suggested_name(name))
        .add_filter("CSV", &["csv"]);
    if let Ok(dir) = export::folder() {
        dialog = dialog.set_directory(dir);
    }
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen.and_then(|c| c.into_path().ok()));
    });
    rx
}

#[cfg(test)]
mod tests {
    /// The committed TypeScript bindings are what the commands export now.
    #[test]
    fn bindings_are_current() {
        let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/api/bindings.ts");
        let fresh = std::env::temp_dir().join(format!("bindings-{}.ts", std::process::id()));
        super::specta_builder::<tauri::Wry>()
            .export(specta_typescript::Typescript::default(), &fresh)
            .expect("bindings export");
        let fresh_text = std::fs::read_to_string(&fresh).expect("exported");
        let _ = std::fs::remove_file(&fresh);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(committed, &fresh_text).expect("write bindings");
        }
        let committed_text = std::fs::read_to_string(committed).unwrap_or_default();
        assert!(
            committed_text == fresh_text,
            "ui/src/api/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p booking-desk --lib bindings` and commit it"
        );
    }
}
