//! The Settings screen's view of the OS keyring: which secrets are stored, storing and removing
//! them. A value travels in once, from the form to the keyring, and is never sent back.

use booking_engine::Error;
use booking_engine::auth::permissions::{self, Action};
use booking_engine::secrets::{Keyring, Secret, SecretName, SecretStatus};
use tauri::State;

use crate::state::AppState;

/// The keyring talks D-Bus synchronously: keep it off the async workers. Only the desk's
/// administrator may look at or change its keys, on a desk where who is signed in is proved; on
/// the demo the person signed in looks after its throwaway keys.
async fn with_keyring<T: Send + 'static>(
    state: State<'_, AppState>,
    f: impl FnOnce(Keyring) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let engine = state.engine().await?;
    if !engine.desk().unproved_sign_in_allowed() {
        permissions::check(engine.session().user.role, Action::Administer)?;
    }
    let keyring = state.keyring().await?;
    tauri::async_runtime::spawn_blocking(move || f(keyring))
        .await
        .map_err(|e| Error::internal(format!("The keyring task failed: {e}")))?
}

#[tauri::command]
#[specta::specta]
pub async fn secrets_status(state: State<'_, AppState>) -> Result<Vec<SecretStatus>, Error> {
    with_keyring(state, |k| {
        SecretName::ALL.into_iter().map(|n| k.status(n)).collect()
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn store_secret(
    state: State<'_, AppState>,
    name: SecretName,
    value: String,
) -> Result<SecretStatus, Error> {
    with_keyring(state, move |k| {
        k.set(name, &Secret::new(value))?;
        k.status(name)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_secret(
    state: State<'_, AppState>,
    name: SecretName,
) -> Result<SecretStatus, Error> {
    with_keyring(state, move |k| {
        k.delete(name)?;
        k.status(name)
    })
    .await
}
