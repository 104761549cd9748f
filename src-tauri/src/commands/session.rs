use booking_engine::Error;
use booking_engine::auth::User;
use tauri::State;

use booking_engine::auth::cis2::RoleChoice;

use crate::state::{AppInfo, AppState, Cis2SignIn, SignedIn};

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

/// The person is still at the desk: keeps it from locking while they read or type.
#[tauri::command]
#[specta::specta]
pub async fn still_here(state: State<'_, AppState>) -> Result<(), Error> {
    state.still_here().await
}

/// Locks the desk now: the person is stepping away.
#[tauri::command]
#[specta::specta]
pub async fn lock_desk(state: State<'_, AppState>) -> Result<AppInfo, Error> {
    state.lock().await
}

/// Signs in with NHS CIS2 in the system browser; the answer may ask the person to choose a role.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_cis2(state: State<'_, AppState>) -> Result<Cis2SignIn, Error> {
    state.sign_in_cis2().await
}

/// Gives up the CIS2 sign-in (or clinician's approval) waiting on the browser.
#[tauri::command]
#[specta::specta]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    state.cancel_sign_in();
}

/// The role chosen after a CIS2 sign-in offered several.
#[tauri::command]
#[specta::specta]
pub async fn choose_role(
    state: State<'_, AppState>,
    choice: RoleChoice,
) -> Result<SignedIn, Error> {
    state.choose_role(choice).await
}
