//! `bookdesk secrets`: store, check and remove the desk's secrets in the OS keyring. Values come
//! in on standard input or from a file the user names, never as arguments (which other users can
//! see in the process list), and are never printed.

use booking_engine::Error;
use booking_engine::config::DeskConfig;
use booking_engine::secrets::{Keyring, Secret, SecretName};
use std::io::Read;
use std::path::Path;

use crate::args::SecretsAction;
use crate::output;

/// The keyring namespace of the configuration, or the demo's (`default`).
fn keyring(config: Option<&DeskConfig>) -> Result<Keyring, Error> {
    let namespace = match config {
        Some(cfg) => cfg.secrets.namespace.clone(),
        None => booking_engine::config::SecretsSettings::default().namespace,
    };
    Ok(Keyring::new(namespace))
}

/// On a CIS2 desk only its administrator changes its keys; the demo and simulator-only desks
/// have nobody to prove it.
fn may_administer(config: Option<&DeskConfig>) -> Result<(), Error> {
    let Some(cfg) = config else { return Ok(()) };
    if cfg.cis2.is_none() {
        return Ok(());
    }
    let role = crate::signin::kept_role(cfg)?;
    booking_engine::auth::permissions::check(
        role,
        booking_engine::auth::permissions::Action::Administer,
    )
}

fn name(s: &str) -> Result<SecretName, Error> {
    SecretName::parse(s).ok_or_else(|| {
        let known: Vec<&str> = SecretName::ALL.iter().map(|n| n.as_str()).collect();
        Error::invalid(format!(
            "There is no secret called \"{s}\": use one of {}.",
            known.join(", ")
        ))
    })
}

fn read_value(from_file: Option<&Path>) -> Result<Secret, Error> {
    let mut value = String::new();
    match from_file {
        Some(path) => {
            value = std::fs::read_to_string(path).map_err(|e| {
                Error::invalid(format!("{} could not be read: {e}", path.display()))
            })?;
        }
        None => {
            std::io::stdin()
                .read_to_string(&mut value)
                .map_err(|e| Error::invalid(format!("Standard input could not be read: {e}")))?;
        }
    }
    Ok(Secret::new(value))
}

pub fn run(
    config: Option<&DeskConfig>,
    action: &SecretsAction,
    as_json: bool,
) -> Result<(), Error> {
    let keyring = keyring(config)?;
    if !matches!(action, SecretsAction::Status) {
        may_administer(config)?;
    }
    match action {
        SecretsAction::Set { name: n, from_file } => {
            let name = name(n)?;
            keyring.set(name, &read_value(from_file.as_deref())?)?;
            tell!("Stored the {} in the keyring.", name.label());
        }
        SecretsAction::Delete { name: n } => {
            let name = name(n)?;
            if keyring.delete(name)? {
                tell!("Removed the {} from the keyring.", name.label());
            } else {
                tell!("The {} was not in the keyring.", name.label());
            }
        }
        SecretsAction::Status => {
            let statuses = SecretName::ALL
                .into_iter()
                .map(|n| keyring.status(n))
                .collect::<Result<Vec<_>, _>>()?;
            if as_json {
                output::json(&statuses);
            } else {
                let rows: Vec<Vec<String>> = statuses
                    .iter()
                    .map(|s| {
                        let stored = if s.stored { "stored" } else { "missing" };
                        vec![s.name.to_string(), stored.to_string(), s.label.clone()]
                    })
                    .collect();
                output::table(&["SECRET", "STATUS", "WHAT"], &rows);
            }
        }
    }
    Ok(())
}
