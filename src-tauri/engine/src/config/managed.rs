//! Which configuration a desk runs on. A centre's IT team deploys one for every desk on the
//! machine (`/etc/booking-desk/bookdesk.toml`); each person's own file
//! (`~/.config/booking-desk/bookdesk.toml`) may change only what the managed file's
//! `[managed] user_may_set` names. A file named on the command line (or by `BOOKDESK_CONFIG`)
//! is used alone.

use std::path::{Path, PathBuf};

use super::DeskConfig;
use crate::error::{Error, Result};
use crate::paths;

/// The files a configuration was made from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigFiles {
    /// The managed file, or the one file named.
    pub main: PathBuf,
    /// The person's own file laid over the managed one, when there is one.
    pub user: Option<PathBuf>,
}

/// What [`locate`] found.
#[derive(Debug)]
pub enum Located {
    Found(Box<DeskConfig>, ConfigFiles),
    /// No configuration anywhere a desk looks.
    Nothing,
}

/// The desk's configuration: the file `named` when given; else the managed file with the
/// person's own over it; else the person's own file alone (a desk nobody manages).
pub fn locate(named: Option<&Path>) -> Result<Located> {
    if let Some(path) = named {
        let files = ConfigFiles {
            main: path.to_path_buf(),
            user: None,
        };
        return Ok(Located::Found(Box::new(DeskConfig::load(path)?), files));
    }
    let system = paths::system_config();
    let user = paths::user_config().filter(|p| p.exists());
    if system.exists() {
        let config = load_managed(&system, user.as_deref())?;
        let files = ConfigFiles { main: system, user };
        return Ok(Located::Found(Box::new(config), files));
    }
    match user {
        Some(path) => {
            let config = DeskConfig::load(&path)?;
            let files = ConfigFiles {
                main: path,
                user: None,
            };
            Ok(Located::Found(Box::new(config), files))
        }
        None => Ok(Located::Nothing),
    }
}

/// What to say when [`locate`] found nothing and there is no demo to open instead.
pub fn not_configured() -> Error {
    let user = paths::user_config()
        .map(|p| format!(", or {}", p.display()))
        .unwrap_or_default();
    Error::config(format!(
        "Booking Desk has no configuration: there is none at {}{user}.",
        paths::system_config().display()
    ))
    .with_next_step(
        "Ask your IT team to install the centre's bookdesk.toml there (it names the organisation, \
         the national services and how people sign in), or give a file with --config or \
         BOOKDESK_CONFIG. `bookdesk config check` checks it.",
    )
}

/// The managed file with the person's own laid over it, refusing any key the managed file does
/// not let them set. The managed file is checked alone first, so its own faults name its lines.
pub fn load_managed(system: &Path, user: Option<&Path>) -> Result<DeskConfig> {
    let managed = DeskConfig::load(system).map_err(|e| in_file(e, system))?;
    let Some(user) = user else {
        return Ok(managed);
    };
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| {
            Error::config(format!(
                "The configuration file {} could not be opened: {e}.",
                path.display()
            ))
        })
    };
    let (system_text, user_text) = (read(system)?, read(user)?);
    let user_doc = toml_edit::ImDocument::parse(user_text.as_str()).map_err(|e| {
        Error::config(format!(
            "{} could not be read{}: {}",
            user.display(),
            crate::toml_place::at_line(&user_text, e.span()),
            e.message()
        ))
    })?;
    let allowed = &managed.managed.user_may_set;
    if let Some((key, span)) = first_not_allowed(user_doc.as_table(), "", allowed) {
        return Err(Error::config(format!(
            "{}{}: `{key}` is set by the centre's configuration ({}), and this file may not \
             change it.",
            user.display(),
            crate::toml_place::at_line(&user_text, span),
            system.display()
        ))
        .with_next_step(if allowed.is_empty() {
            "Remove it from your own file: the centre's configuration lets you change nothing. \
             Ask your IT team if you need it changed."
                .to_string()
        } else {
            format!(
                "Remove it from your own file; you may set only {}. Ask your IT team if you need \
                 it changed.",
                allowed.join(", ")
            )
        }));
    }
    let mut merged: toml::Table = toml::from_str(&system_text)
        .map_err(|e| Error::config(format!("{}: {}", system.display(), e.message())))?;
    let mut own: toml::Table = toml::from_str(&user_text)
        .map_err(|e| Error::config(format!("{}: {}", user.display(), e.message())))?;
    anchor_paths(&mut own, user.parent().unwrap_or(Path::new(".")));
    lay_over(&mut merged, own);
    let text = toml::to_string(&merged).map_err(|e| Error::config(e.to_string()))?;
    let base = system.parent().unwrap_or(Path::new("."));
    let mut config = DeskConfig::from_toml(&text, base).map_err(|e| {
        let message = format!(
            "With your own settings from {}: {}",
            user.display(),
            e.message
        );
        e.with_message(message)
    })?;
    // What the person may change is the managed file's to say, whatever theirs holds.
    config.managed = managed.managed;
    Ok(config)
}

/// Names the file in an error that does not already.
fn in_file(e: Error, path: &Path) -> Error {
    if e.message.contains(".toml") {
        return e;
    }
    let message = format!("{}: {}", path.display(), e.message);
    e.with_message(message)
}

/// May the person's own file set `key` (dotted)? `[managed]` itself never.
fn allowed_key(key: &str, allowed: &[String]) -> bool {
    let top = key.split('.').next().unwrap_or(key);
    top != "managed"
        && allowed.iter().any(|a| {
            let a = a.trim();
            key == a
                || key
                    .strip_prefix(a)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
}

/// The first key in `table` the person may not set, with where it is written.
fn first_not_allowed(
    table: &toml_edit::Table,
    prefix: &str,
    allowed: &[String],
) -> Option<(String, Option<std::ops::Range<usize>>)> {
    for (name, item) in table.iter() {
        let key = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        if allowed_key(&key, allowed) {
            continue;
        }
        // A table is looked into: one of its keys may be allowed on its own.
        let inner = match item {
            toml_edit::Item::Table(t) => Some(t.clone()),
            toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
                Some(t.clone().into_table())
            }
            _ => None,
        };
        if let Some(inner) = inner
            && !inner.is_empty()
        {
            if let Some(found) = first_not_allowed(&inner, &key, allowed) {
                return Some(found);
            }
            continue;
        }
        let span = table.key(name).and_then(|k| k.span());
        return Some((key, span));
    }
    None
}

/// Relative paths in the person's file are relative to that file, as in any configuration.
fn anchor_paths(own: &mut toml::Table, base: &Path) {
    let anchor = |v: &mut toml::Value| {
        if let toml::Value::String(s) = v
            && !s.contains("://")
            && Path::new(s.as_str()).is_relative()
        {
            *s = base.join(s.as_str()).to_string_lossy().into_owned();
        }
    };
    for key in ["directory", "store"] {
        if let Some(v) = own.get_mut(key) {
            anchor(v);
        }
    }
    if let Some(toml::Value::Table(tls)) = own.get_mut("tls") {
        for key in ["ca_bundle", "client_certificate"] {
            if let Some(v) = tls.get_mut(key) {
                anchor(v);
            }
        }
    }
}

/// `own`'s keys over `base`'s: tables key by key, anything else replaced whole.
fn lay_over(base: &mut toml::Table, own: toml::Table) {
    for (key, value) in own {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => lay_over(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_allows_its_keys_and_a_key_only_itself() {
        let allowed = vec!["desk".to_string(), "http.timeout_secs".to_string()];
        assert!(allowed_key("desk.name", &allowed));
        assert!(allowed_key("http.timeout_secs", &allowed));
        assert!(!allowed_key("http.max_body_bytes", &allowed));
        assert!(!allowed_key("desktop", &allowed));
        assert!(!allowed_key("store", &allowed));
        let everything = vec!["managed".to_string()];
        assert!(!allowed_key("managed.user_may_set", &everything));
    }
}
