//! What the desk reads from a verified CIS2 ID token. The claim names and shapes follow NHS
//! England's CIS2 Authentication documentation ("ID token claims" and "National RBAC for
//! developers"): `nhsid_useruid` is the person's SDS user id, and `nhsid_nrbac_roles` lists their
//! role profiles, each with its SDS role profile id (`person_roleid`), organisation (`org_code`),
//! job role (`role_code`, e.g. `S8000:G8000:R8000`) and activities (`activity_codes`, `B` codes).

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// One of the person's role profiles: a job role at an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoleProfile {
    /// The SDS role profile id (`person_roleid`): GP Connect's `sds-role-profile-id`.
    pub role_profile_id: String,
    /// The organisation's ODS code.
    pub org_code: String,
    /// The national RBAC job role: `S…:G…:R…`, the last part being the job role's `R` code.
    pub role_code: String,
    /// The job role as CIS2 names it, for the person choosing between profiles.
    pub role_name: String,
    /// The national RBAC activities (`B` codes) this profile grants.
    pub activity_codes: Vec<String>,
}

impl RoleProfile {
    /// The job role's own code (`R8000`), the part after the last colon of `role_code`.
    pub fn job_role(&self) -> &str {
        self.role_code.rsplit(':').next().unwrap_or_default().trim()
    }

    /// The job role's name without CIS2's quoting: `"Clinical":"Clinical Provision":"Nurse
    /// Access Role"` reads as `Nurse Access Role`.
    pub fn display_name(&self) -> String {
        let last = self.role_name.rsplit("\":\"").next().unwrap_or_default();
        let name = last.trim_matches('"').trim();
        if name.is_empty() {
            self.job_role().to_string()
        } else {
            name.to_string()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RawProfile {
    person_roleid: String,
    org_code: String,
    role_code: String,
    #[serde(default)]
    role_name: String,
    #[serde(default)]
    activity_codes: Vec<String>,
}

/// The claims a CIS2 ID token carries that the desk uses, beyond those the OpenID library
/// checks itself.
#[derive(Debug, Deserialize)]
pub(super) struct Cis2Claims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
    #[serde(default)]
    nhsid_useruid: Option<String>,
    #[serde(default)]
    nhsid_nrbac_roles: Vec<RawProfile>,
    /// Authentication assurance: AAL3 with a smartcard.
    #[serde(default)]
    idassurancelevel: Option<serde_json::Value>,
}

/// Who the token says the person is, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Person {
    pub name: String,
    pub sds_user_id: String,
    pub profiles: Vec<RoleProfile>,
    pub assurance_level: Option<String>,
}

impl Cis2Claims {
    /// Parses the payload of a token whose signature, issuer, audience, nonce and expiry have
    /// already been checked.
    pub(super) fn from_verified_payload(payload: &[u8]) -> Result<Self> {
        serde_json::from_slice(payload).map_err(|e| {
            refused(format!(
                "The sign-in service's answer did not carry CIS2's claims as expected ({e})."
            ))
        })
    }

    /// These claims, with `other`'s wherever it has them: CIS2 serves the person's claims from
    /// its userinfo endpoint, and may leave them out of the ID token.
    pub(super) fn overlaid_with(self, other: Cis2Claims) -> Cis2Claims {
        let roles = if other.nhsid_nrbac_roles.is_empty() {
            self.nhsid_nrbac_roles
        } else {
            other.nhsid_nrbac_roles
        };
        Cis2Claims {
            name: other.name.or(self.name),
            given_name: other.given_name.or(self.given_name),
            family_name: other.family_name.or(self.family_name),
            nhsid_useruid: other.nhsid_useruid.or(self.nhsid_useruid),
            nhsid_nrbac_roles: roles,
            idassurancelevel: other.idassurancelevel.or(self.idassurancelevel),
            sub: other.sub.or(self.sub),
        }
    }

    /// The subject the claims are about (userinfo must name the ID token's).
    pub(super) fn subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    pub(super) fn person(self) -> Result<Person> {
        let sds_user_id = self
            .nhsid_useruid
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                refused("The sign-in service did not say who you are on Spine (no SDS user id).")
            })?;
        let name = self
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .or_else(|| {
                let parts: Vec<String> = [self.given_name, self.family_name]
                    .into_iter()
                    .flatten()
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
            .ok_or_else(|| refused("The sign-in service did not give your name."))?;
        let profiles = self
            .nhsid_nrbac_roles
            .into_iter()
            .filter(|p| !p.person_roleid.trim().is_empty() && !p.org_code.trim().is_empty())
            .map(|p| RoleProfile {
                role_profile_id: p.person_roleid.trim().to_string(),
                org_code: p.org_code.trim().to_uppercase(),
                role_code: p.role_code.trim().to_string(),
                role_name: p.role_name,
                activity_codes: p.activity_codes,
            })
            .collect();
        let assurance_level = self.idassurancelevel.map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        Ok(Person {
            name,
            sds_user_id,
            profiles,
            assurance_level,
        })
    }
}

/// A sign-in refused on what the identity provider said.
pub(super) fn refused(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::SignInRequired)
        .with_message(message)
        .with_next_step(
            "Try signing in again. If it happens again, tell your Registration Authority or IT \
             service desk what the message says.",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Person> {
        Cis2Claims::from_verified_payload(json.as_bytes())?.person()
    }

    #[test]
    fn reads_a_person_with_two_role_profiles() {
        let p = parse(
            r#"{"sub":"x","name":"Ada Lovelace","nhsid_useruid":"555000000001",
              "idassurancelevel":"3",
              "nhsid_nrbac_roles":[
                {"person_roleid":"555000000011","org_code":"rya","role_code":"S8000:G8000:R8000",
                 "role_name":"\"Clinical\":\"Clinical Provision\":\"Clinical Practitioner Access Role\"",
                 "activity_codes":["B0264"]},
                {"person_roleid":"555000000012","org_code":"X26","role_code":"S8000:G8000:R8008",
                 "role_name":"\"Admin\":\"Admin\":\"Admin/Clinical Support Access Role\""}]}"#,
        )
        .expect("person");
        assert_eq!(p.name, "Ada Lovelace");
        assert_eq!(p.sds_user_id, "555000000001");
        assert_eq!(p.assurance_level.as_deref(), Some("3"));
        assert_eq!(p.profiles.len(), 2);
        assert_eq!(p.profiles[0].org_code, "RYA");
        assert_eq!(p.profiles[0].job_role(), "R8000");
        assert_eq!(
            p.profiles[0].display_name(),
            "Clinical Practitioner Access Role"
        );
        assert!(p.profiles[1].activity_codes.is_empty());
    }

    #[test]
    fn a_token_without_an_sds_user_id_or_a_name_signs_nobody_in() {
        let e = parse(r#"{"name":"Ada"}"#).expect_err("no uid");
        assert_eq!(e.kind, ErrorKind::SignInRequired);
        assert!(e.message.contains("SDS user id"), "{}", e.message);
        let e = parse(r#"{"nhsid_useruid":"555000000001"}"#).expect_err("no name");
        assert!(e.message.contains("name"), "{}", e.message);
        // Given and family names stand in for a missing `name`.
        let p = parse(r#"{"nhsid_useruid":"1","given_name":"Ada","family_name":"King"}"#)
            .expect("names");
        assert_eq!(p.name, "Ada King");
        assert!(parse(r#"{"nhsid_nrbac_roles":"not a list"}"#).is_err());
    }
}
