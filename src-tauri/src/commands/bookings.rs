use booking_engine::Error;
use booking_engine::store::BookingSummary;
use tauri::State;

use crate::state::AppState;

/// What this desk has booked, one line per appointment, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_bookings(state: State<'_, AppState>) -> Result<Vec<BookingSummary>, Error> {
    let mut list = state.engine().await?.bookings().await?;
    list.reverse();
    Ok(list)
}
