//! The CLI's CIS2 session between commands: the verified ID token and the role chosen, kept in the
//! OS keyring (never a file) until the token expires. The keyring entry is the desk's own, like
//! its private keys: what is in it was verified when `bookdesk login` put it there.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::claims::{RoleProfile, refused};
use super::{ProvedIdentity, RoleChoice, RoleMapping};
use crate::auth::Role;
use crate::error::{Error, ErrorKind, Result};
use crate::secrets::{Keyring, Secret, SecretName};

/// What was verified at sign-in (from the ID token and userinfo), and the role chosen.
#[derive(Serialize, Deserialize)]
struct Kept {
    id_token: String,
    name: String,
    sds_user_id: String,
    subject: String,
    profiles: Vec<RoleProfile>,
    expires_at: DateTime<Utc>,
    assurance_level: Option<String>,
    role_profile_id: String,
    role: Role,
}

/// Keeps the session for later commands.
pub fn save(keyring: &Keyring, identity: &ProvedIdentity, choice: &RoleChoice) -> Result<()> {
    let kept = Kept {
        id_token: identity.id_token.expose().to_string(),
        name: identity.name.clone(),
        sds_user_id: identity.sds_user_id.clone(),
        subject: identity.subject.clone(),
        profiles: identity.profiles.clone(),
        expires_at: identity.expires_at,
        assurance_level: identity.assurance_level.clone(),
        role_profile_id: choice.profile.role_profile_id.clone(),
        role: choice.role,
    };
    let text = serde_json::to_string(&kept).map_err(|e| {
        Error::internal("The sign-in could not be kept.").with_diagnostics(e.to_string())
    })?;
    keyring.set(SecretName::SignInSession, &Secret::new(text))
}

/// Forgets the session; `false` when there was none.
pub fn forget(keyring: &Keyring) -> Result<bool> {
    keyring.delete(SecretName::SignInSession)
}

/// The kept session, if one is kept and still current at `now`, as the person and the role they
/// chose; the role must still be one the desk's table gives them at one of `orgs`. An expired session is
/// forgotten.
pub fn load(
    keyring: &Keyring,
    mapping: &RoleMapping,
    orgs: &[&str],
    now: DateTime<Utc>,
) -> Result<(ProvedIdentity, RoleChoice)> {
    let text = keyring.get(SecretName::SignInSession)?.ok_or_else(|| {
        Error::new(ErrorKind::SignInRequired)
            .with_message("Nobody is signed in at this desk.")
            .with_next_step("Sign in with `bookdesk login`.")
    })?;
    let kept: Kept = serde_json::from_str(text.expose())
        .map_err(|_| refused("The kept sign-in could not be read."))?;
    if kept.expires_at <= now {
        let _ = forget(keyring);
        return Err(Error::new(ErrorKind::SignInRequired)
            .with_message("Your NHS sign-in has ended.")
            .with_next_step("Sign in again with `bookdesk login`."));
    }
    let identity = ProvedIdentity {
        name: kept.name,
        sds_user_id: kept.sds_user_id,
        subject: kept.subject,
        profiles: kept.profiles,
        expires_at: kept.expires_at,
        assurance_level: kept.assurance_level,
        id_token: Secret::new(kept.id_token),
    };
    let choice = identity
        .choices(mapping, orgs)?
        .into_iter()
        .find(|c| c.role == kept.role && c.profile.role_profile_id == kept.role_profile_id)
        .ok_or_else(|| {
            Error::new(ErrorKind::SignInRequired)
                .with_message("The role you signed in with is no longer one this desk allows.")
                .with_next_step("Sign in again with `bookdesk login` and choose a role.")
        })?;
    Ok((identity, choice))
}
