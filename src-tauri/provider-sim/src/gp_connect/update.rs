//! GP Connect amend and cancel: both PUT the whole Appointment; the interaction id says which.

use crate::handler::{Ctx, Reply, check_version, if_match, meta, within};
use crate::json_util::{arr_of, extensions_with, is_fhir_id, str_of, without_keys};
use crate::outcome::FhirError;
use crate::systems::{self, gpc};
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Amend,
    Cancel,
}

fn invalid(d: impl Into<String>) -> FhirError {
    FhirError::invalid_resource(d)
}

/// The resource with the parts a change may touch removed, for comparing the rest.
fn comparable(v: &Value, change: Change) -> Value {
    match change {
        Change::Amend => without_keys(v, &["meta", "description", "comment"]),
        Change::Cancel => {
            let mut rest = without_keys(v, &["meta", "status", "extension"]);
            let kept: Vec<Value> = arr_of(v, "extension")
                .iter()
                .filter(|e| str_of(e, "url") != Some(systems::EXT_CANCELLATION_REASON))
                .cloned()
                .collect();
            if !kept.is_empty()
                && let Some(o) = rest.as_object_mut()
            {
                o.insert("extension".into(), Value::Array(kept));
            }
            rest
        }
    }
}

fn check_amend(body: &Value) -> Result<(), FhirError> {
    match str_of(body, "description") {
        Some(d) if d.trim().is_empty() => Err(invalid("description is required")),
        Some(d) if !within(d, 100) => Err(invalid("description must be at most 100 characters")),
        Some(_) => Ok(()),
        None => Err(invalid("description is required")),
    }?;
    match body.get("comment") {
        None => Ok(()),
        Some(c) if c.as_str().is_some_and(|c| within(c, 500)) => Ok(()),
        Some(_) => Err(invalid("comment must be text of at most 500 characters")),
    }
}

fn check_cancel(body: &Value) -> Result<(), FhirError> {
    if str_of(body, "status") != Some("cancelled") {
        return Err(FhirError::invalid_parameter(
            "A cancellation must set status to cancelled",
        ));
    }
    let reasons: Vec<&Value> = extensions_with(body, systems::EXT_CANCELLATION_REASON).collect();
    let ok = matches!(reasons.as_slice(), [r] if str_of(r, "valueString").is_some_and(|s| !s.trim().is_empty()));
    if !ok {
        return Err(FhirError::invalid_parameter(
            "A cancellation needs one cancellation reason extension with a valueString",
        ));
    }
    Ok(())
}

pub fn update(ctx: &Ctx<'_>, id: &str, change: Change) -> Result<Reply, FhirError> {
    let body = ctx.body()?;
    if str_of(body, "resourceType") != Some("Appointment") {
        return Err(invalid("The body must be an Appointment"));
    }
    let expected = if_match(ctx.headers)?;
    let missing = || FhirError::no_record_found(format!("No appointment with id {id}"));
    if !is_fhir_id(id) {
        return Err(missing());
    }
    let service = ctx.service;
    ctx.sim.store.with(ctx.now, |txn| {
        let stored = txn.appointment(service.id, id).ok_or_else(missing)?.clone();
        check_version(expected, stored.version)?;
        if str_of(body, "id") != Some(id) {
            return Err(invalid("The id in the body must match the id in the URL"));
        }
        if stored.status() == "cancelled" {
            return Err(invalid(
                "This appointment is cancelled and cannot be amended or cancelled",
            ));
        }
        if stored.start().is_none_or(|s| s <= ctx.now) {
            return Err(invalid("Past appointments cannot be amended or cancelled"));
        }
        match change {
            Change::Amend => check_amend(body)?,
            Change::Cancel => check_cancel(body)?,
        }
        if comparable(body, change) != comparable(&stored.resource, change) {
            let what = match change {
                Change::Amend => "Only description and comment may be amended",
                Change::Cancel => {
                    "A cancellation may only set the status and the cancellation reason"
                }
            };
            return Err(invalid(what));
        }

        let version = stored.version.saturating_add(1);
        let mut updated = stored.clone();
        let resource = &mut updated.resource;
        match change {
            Change::Amend => {
                resource["description"] = body["description"].clone();
                match body.get("comment") {
                    Some(c) => resource["comment"] = c.clone(),
                    None => {
                        if let Some(o) = resource.as_object_mut() {
                            o.remove("comment");
                        }
                    }
                }
            }
            Change::Cancel => {
                resource["status"] = Value::String("cancelled".into());
                let mut extensions = arr_of(resource, "extension").to_vec();
                extensions.extend(extensions_with(body, systems::EXT_CANCELLATION_REASON).cloned());
                resource["extension"] = Value::Array(extensions);
            }
        }
        resource["meta"] = meta(version, ctx.now, gpc("GPConnect-Appointment-1"));
        updated.version = version;
        let body = updated.resource.clone();
        txn.replace(updated);
        Ok(Reply::ok(body).with_version(version).committed())
    })
}
