//! Shows the provider's sign-in page in the system browser, as RFC 8252 asks of native apps
//! (section 8.12: not in a web view the app controls, where it could read the password).

use crate::error::{Error, Result};

/// Opens `url` with `BOOKDESK_BROWSER` (a command, its arguments split on spaces) when set,
/// else `xdg-open`. Does not wait for the browser.
pub fn open_system_browser(url: &str) -> Result<()> {
    let configured = std::env::var("BOOKDESK_BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty());
    let command = configured.unwrap_or_else(|| "xdg-open".to_string());
    let mut parts = command.split_whitespace();
    let program = parts.next().unwrap_or("xdg-open");
    let mut child = std::process::Command::new(program)
        .args(parts)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| {
            Error::internal(format!("The browser ({program}) could not be opened: {e}."))
                .with_next_step("Open the sign-in address in a browser, or set BOOKDESK_BROWSER.")
        })?;
    // Reaped in the background: the desk waits for the sign-in, not for the browser to close.
    std::thread::spawn(move || child.wait());
    Ok(())
}
