//! The Booking Desk configuration files that point the desk at this simulator.

use crate::{CONSUMER_ASID, DEMO_PLATFORM_KEY_ID, ServiceEntry};
use std::fmt::Write as _;
use std::path::Path;

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn services_toml(base_url: &str, services: &[ServiceEntry]) -> String {
    let mut out =
        format!("# Services hosted by the Booking Desk provider simulator at {base_url}\n");
    for s in services {
        out.push_str("\n[[service]]\n");
        let mut field = |k: &str, v: &str| {
            let _ = writeln!(out, "{k} = {}", quoted(v));
        };
        field("id", &s.id);
        field("name", &s.name);
        field("kind", &s.kind);
        field("standard", &s.standard);
        field("base_url", &s.base_url);
        field("ods", &s.ods);
        field("asid", &s.asid);
        if let Some(hs) = &s.healthcare_service {
            field("healthcare_service", hs);
        }
        field("address", &s.address);
        field("postcode", &s.postcode);
        if let Some(url) = &s.report_url {
            field("report_url", url);
        }
        if let Some(target) = &s.target_identifier {
            field("target_identifier", target);
        }
    }
    out
}

/// `platform_token_url`: the simulated platform's token endpoint, when BaRS services are hosted.
/// `store`: the bookings registry, relative to the configuration file or absolute.
/// With the platform's token URL, also the simulated PDS at `pds_url` (PDS is reached with the
/// platform's token).
pub fn bookdesk_toml(
    platform_token_url: Option<&str>,
    pds_url: Option<&str>,
    store: &str,
) -> String {
    let mut out = format!(
        r#"# Booking Desk configuration for the provider simulator
directory = "services.toml"      # relative to this file
store = {}

[user]
name = "Alex Taylor"
sds_user_id = "555021935107"
sds_role_profile_id = "555021936106"
local_id = "alex.taylor"
role = "call-handler"

[organisation]
ods = "RYA"
name = "NHS 111 North West"
telecom = "0300 123 4567"
dos_service_id = "2000072489"

[system]
asid = "{CONSUMER_ASID}"
endpoint = "https://bookingdesk.nhs111.example/fhir"
"#,
        quoted(store)
    );
    if let Some(url) = platform_token_url {
        // The signing key itself stays in the OS keyring; only its key id is configuration.
        let _ = write!(
            out,
            "\n[platform]\ntoken_url = {}\nkey_id = {}\n",
            quoted(url),
            quoted(DEMO_PLATFORM_KEY_ID)
        );
        if let Some(pds) = pds_url {
            let _ = write!(out, "\n[national]\npds_url = {}\n", quoted(pds));
        }
    }
    out
}

/// Writes `bookdesk.toml` content at `config_path` and `services.toml` beside it.
pub fn write(
    config_path: &Path,
    services_text: &str,
    platform_token_url: Option<&str>,
    pds_url: Option<&str>,
    store: &str,
) -> std::io::Result<()> {
    let dir = config_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("services.toml"), services_text)?;
    std::fs::write(
        config_path,
        bookdesk_toml(platform_token_url, pds_url, store),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quoted("St James's"), "\"St James's\"");
    }

    #[test]
    fn platform_section_only_with_a_token_url() {
        assert!(
            !bookdesk_toml(None, Some("http://127.0.0.1:9/pds"), "bookings.sqlite")
                .contains("[platform]")
        );
        assert!(
            !bookdesk_toml(None, Some("http://127.0.0.1:9/pds"), "bookings.sqlite")
                .contains("[national]")
        );
        let text = bookdesk_toml(
            Some("http://127.0.0.1:9/oauth2/token"),
            Some("http://127.0.0.1:9/pds"),
            "bookings.sqlite",
        );
        assert!(text.contains("[national]\npds_url = \"http://127.0.0.1:9/pds\"\n"));
        assert!(text.contains(
            "[platform]\ntoken_url = \"http://127.0.0.1:9/oauth2/token\"\nkey_id = \"booking-desk-demo\"\n"
        ));
    }
}
