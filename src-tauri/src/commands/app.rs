use booking_engine::Error;
use booking_engine::clock::{Clock, SystemClock};
use booking_engine::standards::SearchWindow;
use tauri::State;

use crate::state::{AppInfo, AppState};

/// Who is signed in, and whether this is the demo.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, Error> {
    state.info().await
}

/// Today and the next 14 days, in UK days: the longest window services accept. Today is the
/// desk's (the clock it books by), the computer's only while the desk has not opened.
#[tauri::command]
#[specta::specta]
pub async fn default_window(state: State<'_, AppState>) -> Result<SearchWindow, Error> {
    let today = match state.desk().await {
        Some(desk) => desk.clock().uk_today(),
        None => SystemClock.uk_today(),
    };
    Ok(SearchWindow::default_from(today))
}

/// Which first screen the UI drew.
#[derive(Debug, Clone, Copy, serde::Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum FirstScreen {
    SignIn,
    /// The desk could not open (no configuration, say): what went wrong and what to do.
    StartError,
}

/// The UI has drawn its first screen. With `BOOKDESK_REPORT_READY=1` the moment and the screen
/// are printed on stdout, so `tests/footprint.sh` can time start-up from outside and the
/// package test can see which screen an installed app opened on; otherwise it does nothing.
#[tauri::command]
#[specta::specta]
pub fn first_screen_shown(screen: FirstScreen) {
    if std::env::var_os("BOOKDESK_REPORT_READY").is_some_and(|v| v == "1") {
        // Wall-clock time: the script knows when it started the process and subtracts.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let screen = match screen {
            FirstScreen::SignIn => "sign-in",
            FirstScreen::StartError => "start-error",
        };
        println!("BOOKDESK_READY screen={screen} unix_us={}", now.as_micros());
    }
}
