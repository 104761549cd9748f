use booking_engine::Error;
use booking_engine::auth::User;
use tauri::State;

use crate::state::{AppInfo, AppState, SignedIn};

/// Signs a named person in; whoever was signed in before is signed out. The UI clears the
/// patient context on every change of user. Async: the first sign-in asks services about
/// interrupted bookings, which must not hold up the window.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(state: State<'_, AppState>, user: User) -> Result<SignedIn, Error> {
    state.sign_in(user).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>) -> Result<AppInfo, Error> {
    state.sign_out().await
}
