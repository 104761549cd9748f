//! An empty Tauri window whose page, once drawn, says so: the floor for `tests/footprint.sh`.

/// The page has drawn its first frame. Printed as the desk prints it (`BOOKDESK_REPORT_READY=1`),
/// so both sides of the comparison are timed the same way.
#[tauri::command]
fn first_screen_shown() {
    if std::env::var_os("BOOKDESK_REPORT_READY").is_some_and(|v| v == "1") {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        println!("BOOKDESK_READY unix_us={}", now.as_micros());
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![first_screen_shown])
        .run(tauri::generate_context!())
        .expect("the empty window opens");
}
