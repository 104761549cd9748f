//! Who is working, for which organisation, from which system: everything a request must say
//! about its sender.

pub mod cis2;
pub mod idle;
pub mod jwt;
pub mod permissions;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{Asid, OdsCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    CallHandler,
    Clinician,
    Supervisor,
    /// Looks after the desk itself: its keys in the keyring and its settings. Books nothing.
    Administrator,
}

/// The signed-in person. Never a generic or shared user: the provider's audit depends on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// A misspelt key in the configuration is refused, not silently ignored.
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub sds_user_id: String,
    /// `UNK` when the user has no smartcard.
    pub sds_role_profile_id: String,
    pub local_id: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// A misspelt key in the configuration is refused, not silently ignored.
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub ods: OdsCode,
    pub name: String,
    /// The organisation's phone number. Required: GP Connect providers refuse a booking whose
    /// booking organisation has none. Optional in the file only so that its absence is
    /// reported in words (see [`Organisation::check`]) rather than as a parse error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telecom: Option<String>,
    /// The desk's own service in the Directory of Services: where BaRS services address their
    /// answers (`MessageHeader.source.endpoint`). Required with BaRS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dos_service_id: Option<String>,
}

/// What to tell whoever set the desk up when the organisation has no phone number.
pub const MISSING_TELECOM: &str = "The [organisation] section has no telecom: services need the \
booking organisation's phone number. Add telecom = \"<your organisation's phone number>\" under \
[organisation] in the configuration file.";

impl Organisation {
    /// A name and a phone number: what every booking organisation must carry.
    pub fn check(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::config("The organisation needs a name."));
        }
        if self.telecom.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(Error::config(MISSING_TELECOM));
        }
        Ok(())
    }
}

/// This installation of Booking Desk as Spine knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// A misspelt key in the configuration is refused, not silently ignored.
#[serde(deny_unknown_fields)]
pub struct SystemIdentity {
    pub asid: Asid,
    /// Our endpoint URL: the JWT's `iss`.
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Session {
    pub user: User,
    pub organisation: Organisation,
    pub system: SystemIdentity,
    pub proof: Proof,
}

/// How the desk knows who is signed in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Proof {
    /// NHS CIS2 vouched for them; the session ends when its ID token does.
    Cis2 {
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// Named at the desk without proof: only the demo, or a desk whose every service is a
    /// simulator on this machine.
    Unproved,
}

impl Session {
    /// Ok while the sign-in still holds at `now`.
    pub fn check_current(&self, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        match self.proof {
            Proof::Cis2 { expires_at } if expires_at <= now => {
                Err(Error::new(ErrorKind::SignInRequired)
                    .with_message(
                        "Your NHS sign-in has ended, so nothing more can be sent for you.",
                    )
                    .with_next_step("Sign in again: whatever was on screen is kept until you do."))
            }
            _ => Ok(()),
        }
    }
}

const GENERIC_NAMES: &[&str] = &["admin", "administrator", "user", "test", "generic", "root"];

impl Session {
    pub fn new(
        user: User,
        organisation: Organisation,
        system: SystemIdentity,
        proof: Proof,
    ) -> Result<Self> {
        let blank = |s: &str| s.trim().is_empty();
        if blank(&user.name) || blank(&user.sds_user_id) || blank(&user.local_id) {
            return Err(Error::config(
                "The signed-in user needs a name, an SDS user id and a local user id.",
            ));
        }
        if GENERIC_NAMES.contains(&user.name.trim().to_lowercase().as_str()) {
            return Err(Error::config(
                "Sign in as a named person: generic users are not allowed.",
            ));
        }
        if blank(&user.sds_role_profile_id) {
            return Err(Error::config(
                "The user's SDS role profile id is missing (use UNK without a smartcard).",
            ));
        }
        organisation.check()?;
        if url::Url::parse(&system.endpoint).is_err() {
            return Err(Error::config("The system endpoint must be a URL."));
        }
        Ok(Self {
            user,
            organisation,
            system,
            proof,
        })
    }
}
