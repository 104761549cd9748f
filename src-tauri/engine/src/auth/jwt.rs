//! The unsigned JWT that GP Connect and UEC Booking require on every request (SPEC §3): a fresh
//! token per request, `exp = iat + 300`, `aud` = the service root.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Session;

/// Providers reject any other lifetime.
pub const LIFETIME_SECS: i64 = 300;

/// Builds the claims for one request.
pub fn claims(session: &Session, audience: &str, scope: &str, now: DateTime<Utc>) -> Value {
    let iat = now.timestamp();
    let user = &session.user;
    let (given, family) = split_name(&user.name);
    let endpoint = session.system.endpoint.trim_end_matches('/');
    json!({
        "iss": endpoint,
        "sub": user.local_id,
        "aud": audience,
        "exp": iat + LIFETIME_SECS,
        "iat": iat,
        "reason_for_request": "directcare",
        "requested_scope": scope,
        "requesting_device": {
            "resourceType": "Device",
            "identifier": [{
                "system": format!("{endpoint}/Id/device"),
                "value": session.system.asid.as_str(),
            }],
            "model": "Booking Desk",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "requesting_organization": {
            "resourceType": "Organization",
            "identifier": [{
                "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                "value": session.organisation.ods.as_str(),
            }],
            "name": session.organisation.name,
        },
        "requesting_practitioner": {
            "resourceType": "Practitioner",
            "id": user.local_id,
            "identifier": [
                { "system": "https://fhir.nhs.uk/Id/sds-user-id", "value": user.sds_user_id },
                { "system": "https://fhir.nhs.uk/Id/sds-role-profile-id", "value": user.sds_role_profile_id },
                { "system": format!("{endpoint}/Id/user-id"), "value": user.local_id },
            ],
            "name": [{ "family": family, "given": [given] }],
        },
    })
}

/// `header.claims.` with an empty signature, as `alg: none` requires.
pub fn token(session: &Session, audience: &str, scope: &str, now: DateTime<Utc>) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(session, audience, scope, now).to_string());
    format!("{header}.{body}.")
}

/// "Alex Taylor" → ("Alex", "Taylor"); a single word is taken as the family name.
fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(' ') {
        Some((given, family)) => (given.trim().to_string(), family.to_string()),
        None => (String::new(), name.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Organisation, Role, SystemIdentity, User};
    use crate::ids::{Asid, OdsCode};

    pub(crate) fn session() -> Session {
        Session::new(
            User {
                name: "Alex Taylor".into(),
                sds_user_id: "555021935107".into(),
                sds_role_profile_id: "555021936106".into(),
                local_id: "alex.taylor".into(),
                role: Role::CallHandler,
            },
            Organisation {
                ods: OdsCode::parse("RYA").expect("valid"),
                name: "NHS 111 North West".into(),
                telecom: Some("0300 123 4567".into()),
                dos_service_id: None,
            },
            SystemIdentity {
                asid: Asid::parse("200000000359").expect("valid"),
                endpoint: "https://desk.example/fhir".into(),
            },
            crate::auth::Proof::Unproved,
        )
        .expect("valid session")
    }

    fn decode(part: &str) -> Value {
        let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[test]
    fn token_is_unsigned_with_every_claim() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let t = token(
            &session(),
            "https://p/B86001/STU3/1/gpconnect",
            "patient/*.read",
            now,
        );
        assert!(t.ends_with('.'));
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2], "");
        assert_eq!(decode(parts[0]), json!({"alg":"none","typ":"JWT"}));
        let c = decode(parts[1]);
        assert_eq!(c["exp"].as_i64(), Some(1_800_000_300));
        assert_eq!(c["iat"].as_i64(), Some(1_800_000_000));
        assert_eq!(c["aud"], "https://p/B86001/STU3/1/gpconnect");
        assert_eq!(c["iss"], "https://desk.example/fhir");
        assert_eq!(c["reason_for_request"], "directcare");
        assert_eq!(c["requested_scope"], "patient/*.read");
        assert_eq!(c["sub"], c["requesting_practitioner"]["id"]);
        assert_eq!(c["requesting_device"]["resourceType"], "Device");
        assert_eq!(
            c["requesting_organization"]["identifier"][0]["value"],
            "RYA"
        );
        let ids = c["requesting_practitioner"]["identifier"]
            .as_array()
            .expect("array");
        assert!(
            ids.iter()
                .any(|i| i["system"] == "https://fhir.nhs.uk/Id/sds-user-id")
        );
        assert!(
            ids.iter()
                .any(|i| i["system"] == "https://fhir.nhs.uk/Id/sds-role-profile-id")
        );
        assert_eq!(c["requesting_practitioner"]["name"][0]["family"], "Taylor");
    }

    #[test]
    fn generic_users_are_refused() {
        let mut s = session();
        s.user.name = "Admin".into();
        assert!(Session::new(s.user, s.organisation, s.system, s.proof).is_err());
    }
}
