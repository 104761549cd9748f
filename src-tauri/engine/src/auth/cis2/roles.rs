//! Which desk role a CIS2 role profile gives: a table in the configuration (`[cis2.roles]`),
//! matching national RBAC job roles (`R` codes) and activities (`B` codes).
//!
//! Defaults, from the national RBAC database's job roles (NHS England, "National RBAC for
//! developers", and the RBAC job role catalogue): the generic clinical access roles R8000
//! (Clinical Practitioner), R8001 (Nurse) and R8003 (Health Professional) are clinicians; R8008
//! (Admin/Clinical Support) is a call handler. The catalogue has no national role for a 111
//! supervisor or a desk's administrator: a centre names the codes it gives those people.

use serde::{Deserialize, Serialize};

use super::claims::RoleProfile;
use crate::auth::Role;

/// The codes that give one desk role: any job role listed, or any activity listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    #[serde(default)]
    pub job_roles: Vec<String>,
    #[serde(default)]
    pub activities: Vec<String>,
}

impl RoleRule {
    fn matches(&self, profile: &RoleProfile) -> bool {
        let job = profile.job_role();
        self.job_roles
            .iter()
            .any(|r| r.trim().eq_ignore_ascii_case(job))
            || self.activities.iter().any(|a| {
                profile
                    .activity_codes
                    .iter()
                    .any(|b| b.trim().eq_ignore_ascii_case(a.trim()))
            })
    }

    fn of(job_roles: &[&str]) -> Self {
        Self {
            job_roles: job_roles.iter().map(|r| r.to_string()).collect(),
            activities: Vec::new(),
        }
    }
}

/// The whole table. A section left out keeps its default; a section given replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RoleMapping {
    #[serde(default = "default_call_handler")]
    pub call_handler: RoleRule,
    #[serde(default = "default_clinician")]
    pub clinician: RoleRule,
    #[serde(default)]
    pub supervisor: RoleRule,
    #[serde(default)]
    pub administrator: RoleRule,
}

fn default_call_handler() -> RoleRule {
    RoleRule::of(&["R8008"])
}

fn default_clinician() -> RoleRule {
    RoleRule::of(&["R8000", "R8001", "R8003"])
}

impl Default for RoleMapping {
    fn default() -> Self {
        Self {
            call_handler: default_call_handler(),
            clinician: default_clinician(),
            supervisor: RoleRule::default(),
            administrator: RoleRule::default(),
        }
    }
}

impl RoleMapping {
    /// Every desk role `profile` gives, clinician first: a person may hold one profile that the
    /// centre counts as more than one desk role, and chooses among them.
    pub fn roles_for(&self, profile: &RoleProfile) -> Vec<Role> {
        [
            (Role::Clinician, &self.clinician),
            (Role::CallHandler, &self.call_handler),
            (Role::Supervisor, &self.supervisor),
            (Role::Administrator, &self.administrator),
        ]
        .into_iter()
        .filter(|(_, rule)| rule.matches(profile))
        .map(|(role, _)| role)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(role_code: &str, activities: &[&str]) -> RoleProfile {
        RoleProfile {
            role_profile_id: "555000000011".into(),
            org_code: "RYA".into(),
            role_code: role_code.into(),
            role_name: String::new(),
            activity_codes: activities.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn the_defaults_follow_the_national_job_roles() {
        let m = RoleMapping::default();
        assert_eq!(
            m.roles_for(&profile("S8000:G8000:R8000", &[])),
            [Role::Clinician]
        );
        assert_eq!(m.roles_for(&profile("R8001", &[])), [Role::Clinician]);
        assert_eq!(
            m.roles_for(&profile("S8000:G8001:R8008", &[])),
            [Role::CallHandler]
        );
        // A healthcare student's access role gives nothing at a booking desk.
        assert!(m.roles_for(&profile("S8000:G8000:R8004", &[])).is_empty());
    }

    #[test]
    fn a_centre_names_its_supervisors_and_administrators_by_role_or_activity() {
        let m: RoleMapping = toml::from_str(
            "[supervisor]\njob_roles = [\"R0001\"]\n[administrator]\nactivities = [\"B1300\"]\n",
        )
        .expect("table");
        // The sections not given keep their defaults.
        assert_eq!(m.clinician, default_clinician());
        assert_eq!(m.roles_for(&profile("R0001", &[])), [Role::Supervisor]);
        assert_eq!(
            m.roles_for(&profile("R8008", &["b1300"])),
            [Role::CallHandler, Role::Administrator]
        );
        assert!(toml::from_str::<RoleMapping>("[wizard]\njob_roles = []\n").is_err());
    }
}
