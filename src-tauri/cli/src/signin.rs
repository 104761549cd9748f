//! `bookdesk login` and `logout`: who is at the desk, proved by NHS CIS2 in the system browser
//! (the loopback flow), the session kept in the OS keyring until its ID token expires. Also the
//! clinician's own sign-in that approves a call handler's late slot.

use booking_engine::auth::Role;
use booking_engine::auth::cis2::{Cis2Settings, ProvedIdentity, RoleChoice, stored};
use booking_engine::clinical::Approver;
use booking_engine::config::DeskConfig;
use booking_engine::secrets::Keyring;
use booking_engine::{Desk, Engine, Error};

use crate::output;

/// Opens `url` in the person's browser: `BOOKDESK_BROWSER` (a command; the address is added as
/// its last argument), else the desktop's own (`xdg-open`). Not waited for: the browser comes
/// back to the desk's listener.
pub fn open_browser(url: &str) -> Result<(), Error> {
    tell!("Opening the NHS sign-in page in your browser. If it does not open, go to:\n{url}");
    booking_engine::auth::cis2::open_system_browser(url)
}

/// The desk's CIS2 settings, or why a sign-in makes no sense here.
fn settings(config: &DeskConfig) -> Result<&Cis2Settings, Error> {
    config.cis2.as_ref().ok_or_else(|| {
        Error::config("This desk has no [cis2] section: there is nothing to sign in to.")
            .with_next_step(
                "On the demo and simulator-only desks the configuration names who works there; \
                 elsewhere ask IT to add [cis2] issuer and client_id.",
            )
    })
}

/// The role chosen among `choices`: the only one, or the one `role`/`profile` pick out.
fn choose(
    choices: Vec<RoleChoice>,
    role: Option<Role>,
    profile: Option<&str>,
) -> Result<RoleChoice, Error> {
    let fits = |c: &RoleChoice| {
        role.is_none_or(|r| c.role == r)
            && profile.is_none_or(|p| c.profile.role_profile_id == p.trim())
    };
    let fitting: Vec<&RoleChoice> = choices.iter().filter(|c| fits(c)).collect();
    match fitting.as_slice() {
        [one] => Ok((*one).clone()),
        _ => {
            let listed: Vec<String> = choices
                .iter()
                .map(|c| {
                    format!(
                        "--role {} --profile {} ({} at {})",
                        role_arg(c.role),
                        c.profile.role_profile_id,
                        c.profile.display_name(),
                        c.profile.org_code
                    )
                })
                .collect();
            Err(Error::invalid(if fitting.is_empty() {
                "None of your roles here fits what was asked."
            } else {
                "You have more than one role here: say which to work in."
            })
            .with_next_step(format!("Sign in again with one of: {}", listed.join("; "))))
        }
    }
}

/// How `--role` names `role` (clap's kebab-case, the same as the desk's wire name).
fn role_arg(role: Role) -> String {
    booking_engine::wire::wire_name(role)
}

/// `bookdesk login`.
pub async fn login(
    cfg: &DeskConfig,
    role: Option<Role>,
    profile: Option<&str>,
    as_json: bool,
) -> Result<(), Error> {
    let settings = settings(cfg)?;
    let cis2 = booking_engine::cis2_provider(cfg).await?;
    let identity = cis2.sign_in(open_browser).await?;
    let choice = choose(
        identity.choices(&settings.roles, &cfg.organisation_codes())?,
        role,
        profile,
    )?;
    stored::save(
        &Keyring::new(cfg.secrets.namespace.clone()),
        &identity,
        &choice,
    )?;
    said(&identity, &choice, as_json);
    Ok(())
}

fn said(identity: &ProvedIdentity, choice: &RoleChoice, as_json: bool) {
    if as_json {
        output::json(&serde_json::json!({
            "name": identity.name(),
            "sds_user_id": identity.sds_user_id(),
            "role": choice.role,
            "role_profile": choice.profile,
            "organisation": choice.profile.org_code,
            "until": identity.expires_at(),
        }));
    } else {
        tell!(
            "Signed in as {}, {} ({}), at {} until {}.",
            identity.name(),
            role_arg(choice.role),
            choice.profile.display_name(),
            choice.profile.org_code,
            booking_engine::standards::uk_time(identity.expires_at().fixed_offset())
        );
    }
}

/// `bookdesk logout`.
pub fn logout(cfg: &DeskConfig) -> Result<(), Error> {
    if stored::forget(&Keyring::new(cfg.secrets.namespace.clone()))? {
        tell!("Signed out: the sign-in kept in the keyring is gone.");
    } else {
        tell!("Nobody was signed in at this desk.");
    }
    Ok(())
}

/// The person signed in at a CIS2 desk, from the session `bookdesk login` kept.
pub fn signed_in(desk: &Desk, cfg: &DeskConfig) -> Result<Engine, Error> {
    let settings = settings(cfg)?;
    let (identity, choice) = stored::load(
        &Keyring::new(cfg.secrets.namespace.clone()),
        &settings.roles,
        &cfg.organisation_codes(),
        desk.clock().now(),
    )?;
    desk.sign_in_proved(&identity, &choice)
}

/// The role the kept session is in, for commands that act before a desk is opened (secrets).
pub fn kept_role(cfg: &DeskConfig) -> Result<Role, Error> {
    let settings = settings(cfg)?;
    let (_, choice) = stored::load(
        &Keyring::new(cfg.secrets.namespace.clone()),
        &settings.roles,
        &cfg.organisation_codes(),
        booking_engine::clock::system().now(),
    )?;
    Ok(choice.role)
}

/// A clinician's approval: on a CIS2 desk the clinician signs in themselves, in the browser; on a
/// simulator-only desk they are named (`--approved-by`).
pub async fn approver(engine: &Engine, named: Option<String>) -> Result<Approver, Error> {
    let desk = engine.desk();
    if let Some(name) = named {
        return desk.approver_named(&name);
    }
    if desk.cis2_settings().is_none() {
        return Err(Error::invalid(
            "On this desk the approving clinician is named with --approved-by.",
        ));
    }
    tell!("The approving clinician signs in now, in the browser.");
    desk.approver_signing_in(open_browser).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking_engine::auth::cis2::RoleProfile;

    fn choice(role: Role, id: &str) -> RoleChoice {
        RoleChoice {
            role,
            profile: RoleProfile {
                role_profile_id: id.into(),
                org_code: "RYA".into(),
                role_code: "S8000:G8000:R8000".into(),
                role_name:
                    "\"Clinical\":\"Clinical Provision\":\"Clinical Practitioner Access Role\""
                        .into(),
                activity_codes: Vec::new(),
            },
            job_role_name: "Clinical Practitioner Access Role".into(),
        }
    }

    #[test]
    fn several_roles_are_listed_as_the_options_that_pick_each() {
        let choices = vec![
            choice(Role::CallHandler, "555000002103"),
            choice(Role::Clinician, "555000002108"),
        ];
        let e = choose(choices.clone(), None, None).expect_err("two to choose from");
        assert!(
            e.next_step
                .contains("--role call-handler --profile 555000002103")
                && e.next_step
                    .contains("--role clinician --profile 555000002108"),
            "{}",
            e.next_step
        );
        let picked = choose(choices, Some(Role::Clinician), None).expect("one fits");
        assert_eq!(picked.profile.role_profile_id, "555000002108");
    }
}
