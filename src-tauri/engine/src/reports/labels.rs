//! Plain words for the kinds the error figure counts: a supervisor reads "Slot taken by someone
//! else", not `slot-taken`.

/// What a booking error kind (as recorded, kebab-case) means.
pub fn booking_error(kind: &str) -> String {
    let words = match kind {
        "invalid-input" => "Details not valid",
        "config" => "Desk set-up problem",
        "unknown-service" => "Service not in the directory",
        "patient-not-found" => "Patient not known to the service",
        "not-found" => "Appointment not found at the service",
        "slot-taken" => "Slot taken by someone else",
        "version-conflict" => "Appointment changed at the service meanwhile",
        "rejected" => "Refused by the service",
        "access-denied" => "Access refused by the service",
        "provider-error" => "Service failed",
        "unavailable" => "Service could not be reached",
        "timeout" => "Service did not answer in time",
        "response-too-large" => "Service answer too large",
        "wrong-content-type" => "Service answer not FHIR",
        "malformed-response" => "Service answer unreadable",
        "outcome-unknown" => "Not known whether it was booked",
        "store" => "Bookings registry failed",
        "not-permitted" => "Not allowed for the user's role",
        "sign-in-required" => "Nobody signed in",
        "certificate" => "Certificate not accepted",
        "keyring" => "Keyring problem",
        other => return format!("Booking error: {other}"),
    };
    words.to_string()
}

/// The kind an unsuccessful interaction's audit outcome counts under (`http 500` becomes
/// `interaction-http-500`), and its plain words.
pub fn failed_interaction(outcome: &str) -> (String, String) {
    let slug: String = outcome
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let kind = format!("interaction-{slug}");
    let label = match outcome.trim().strip_prefix("http ") {
        Some(status) => format!("Service answered HTTP {status}"),
        None => format!(
            "Service interaction: {}",
            booking_error(outcome.trim()).to_lowercase()
        ),
    };
    (kind, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_as_plain_words() {
        assert_eq!(booking_error("slot-taken"), "Slot taken by someone else");
        assert_eq!(
            booking_error("something-new"),
            "Booking error: something-new"
        );
        assert_eq!(
            failed_interaction("http 500"),
            (
                "interaction-http-500".into(),
                "Service answered HTTP 500".into()
            )
        );
        assert_eq!(
            failed_interaction("timeout"),
            (
                "interaction-timeout".into(),
                "Service interaction: service did not answer in time".into()
            )
        );
    }
}
