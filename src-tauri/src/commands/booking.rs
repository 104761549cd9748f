use booking_engine::Error;
use booking_engine::booking::{BookRequest, BookingOutcome};
use tauri::State;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn book(
    state: State<'_, AppState>,
    request: BookRequest,
) -> Result<BookingOutcome, Error> {
    state.engine().await?.book(request).await
}
