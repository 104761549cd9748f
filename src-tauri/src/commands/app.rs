use booking_engine::Error;
use booking_engine::standards::{SearchWindow, uk_today};
use tauri::State;

use crate::state::{AppInfo, AppState};

/// Who is signed in, and whether this is the demo.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, Error> {
    state.info()
}

/// Today and the next 14 days, in UK days: the longest window services accept.
#[tauri::command]
#[specta::specta]
pub fn default_window() -> SearchWindow {
    SearchWindow::default_from(uk_today())
}
