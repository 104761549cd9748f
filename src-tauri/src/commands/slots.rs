use booking_engine::Error;
use booking_engine::directory::Service;
use booking_engine::search::{SearchEvent, SearchRequest};
use tauri::State;
use tauri::ipc::Channel;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_services(state: State<'_, AppState>) -> Result<Vec<Service>, Error> {
    Ok(state.engine().await?.directory().all().to_vec())
}

/// Streams each service's progress and slots to the UI as they arrive, then `finished`.
#[tauri::command]
#[specta::specta]
pub async fn search_slots(
    state: State<'_, AppState>,
    request: SearchRequest,
    on_event: Channel<SearchEvent>,
) -> Result<(), Error> {
    let mut events = state.engine().await?.search(request);
    while let Some(event) = events.recv().await {
        // The window may have gone: stop quietly, the search tasks end with the receiver.
        if on_event.send(event).is_err() {
            break;
        }
    }
    Ok(())
}
