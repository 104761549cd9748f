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

/// The national services the desk is pointed at. Secrets (DoS password, SDS API key) are never
/// written: the desk keeps them in the OS keyring.
pub struct National<'a> {
    /// PDS, reached with the platform's token: written only with the platform.
    pub pds_url: Option<&'a str>,
    /// The platform's one BaRS root: written only with the platform.
    pub bars_url: Option<&'a str>,
    pub dos_url: &'a str,
    pub dos_username: &'a str,
    pub sds_url: &'a str,
}

/// `platform_token_url`: the simulated platform's token endpoint, when BaRS services are hosted.
/// `store`: the bookings registry, relative to the configuration file or absolute.
/// With the platform's token URL, also the simulated PDS (PDS is reached with the platform's
/// token); the directories always.
pub fn bookdesk_toml(
    platform_token_url: Option<&str>,
    national: &National<'_>,
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
    }
    out.push_str("\n[national]\n");
    if let Some(pds) = national.pds_url.filter(|_| platform_token_url.is_some()) {
        let _ = writeln!(out, "pds_url = {}", quoted(pds));
    }
    if let Some(bars) = national.bars_url.filter(|_| platform_token_url.is_some()) {
        let _ = writeln!(out, "bars_url = {}", quoted(bars));
    }
    let _ = writeln!(out, "dos_url = {}", quoted(national.dos_url));
    let _ = writeln!(out, "dos_username = {}", quoted(national.dos_username));
    let _ = writeln!(out, "sds_url = {}", quoted(national.sds_url));
    out
}

/// Writes `bookdesk.toml` content at `config_path` and `services.toml` beside it.
pub fn write(
    config_path: &Path,
    services_text: &str,
    platform_token_url: Option<&str>,
    national: &National<'_>,
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
        bookdesk_toml(platform_token_url, national, store),
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

    fn national(pds: Option<&'static str>) -> National<'static> {
        National {
            pds_url: pds,
            bars_url: pds.map(|_| "http://127.0.0.1:9/booking-and-referral/FHIR/R4"),
            dos_url: "http://127.0.0.1:9/app/api/webservices",
            dos_username: "bookdesk-demo",
            sds_url: "http://127.0.0.1:9/spine-directory/FHIR/R4",
        }
    }

    #[test]
    fn platform_section_only_with_a_token_url() {
        let without = bookdesk_toml(None, &national(Some("http://127.0.0.1:9/pds")), "b.sqlite");
        assert!(!without.contains("[platform]"));
        assert!(!without.contains("pds_url"));
        assert!(!without.contains("bars_url"));
        let text = bookdesk_toml(
            Some("http://127.0.0.1:9/oauth2/token"),
            &national(Some("http://127.0.0.1:9/pds")),
            "bookings.sqlite",
        );
        assert!(text.contains(
            "[national]\npds_url = \"http://127.0.0.1:9/pds\"\n\
             bars_url = \"http://127.0.0.1:9/booking-and-referral/FHIR/R4\"\n"
        ));
        assert!(text.contains(
            "[platform]\ntoken_url = \"http://127.0.0.1:9/oauth2/token\"\nkey_id = \"booking-desk-demo\"\n"
        ));
    }

    #[test]
    fn the_directories_are_always_named_and_their_secrets_never() {
        let text = bookdesk_toml(None, &national(None), "bookings.sqlite");
        assert!(text.contains(
            "[national]\ndos_url = \"http://127.0.0.1:9/app/api/webservices\"\n\
             dos_username = \"bookdesk-demo\"\n\
             sds_url = \"http://127.0.0.1:9/spine-directory/FHIR/R4\"\n"
        ));
        assert!(!text.contains("password") && !text.contains("apikey"));
    }
}
