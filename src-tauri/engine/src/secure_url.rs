//! Where the desk may send anything: over TLS, or in plain HTTP only to this machine (the
//! embedded demo and the tests). Bearer tokens, signed JWTs and NHS numbers go in every request,
//! so a plain `http://` address anywhere else is refused when the configuration is read and
//! again before each request.

use std::net::IpAddr;

use crate::error::{Error, Result};

/// Whether `host` is this machine: `localhost`, or a loopback address.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses `url` unless it is `https://`, or `http://` to this machine. `what` names it for the
/// person fixing the configuration ("Service 'x' base_url").
pub fn check(url: &str, what: &str) -> Result<()> {
    let parsed =
        url::Url::parse(url).map_err(|_| Error::config(format!("The {what} is not a URL.")))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if parsed.host_str().is_some_and(is_loopback_host) => Ok(()),
        "http" => Err(Error::config(format!(
            "The {what} uses plain http:// to another machine, which would send tokens and patient details unencrypted."
        ))
        .with_next_step(
            "Change it to https:// (plain http is allowed only to this machine, for the demo and tests).",
        )),
        _ => Err(Error::config(format!("The {what} must be an https:// URL."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_everywhere_and_plain_http_only_on_loopback() {
        for ok in [
            "https://prov.example/fhir",
            "http://127.0.0.1:8080/fhir",
            "http://127.8.9.10/x",
            "http://localhost:1/x",
            "http://[::1]:9/x",
        ] {
            assert!(check(ok, "service URL").is_ok(), "{ok}");
        }
        for bad in [
            "http://prov.example/fhir",
            "http://10.0.0.5/fhir",
            "http://[2001:db8::1]/x",
            "http://localhost.evil.example/x",
            "ftp://prov.example/x",
            "not a url",
        ] {
            let err = check(bad, "service URL").expect_err(bad);
            assert_eq!(err.kind, crate::error::ErrorKind::Config, "{bad}");
        }
        let err = check("http://prov.example/fhir", "Service 'a' base_url").expect_err("plain");
        assert!(
            err.message.contains("Service 'a' base_url"),
            "{}",
            err.message
        );
        assert!(err.next_step.contains("https://"), "{}", err.next_step);
    }
}
