//! UEC cancellation: the same Appointment PUT back with status cancelled and nothing else changed.

use super::request_id;
use crate::handler::{Ctx, Reply, check_version, if_match, meta};
use crate::json_util::{is_fhir_id, str_of, without_keys};
use crate::outcome::FhirError;
use crate::systems::care_connect;
use serde_json::Value;

fn invalid(d: impl Into<String>) -> FhirError {
    FhirError::invalid_resource(d)
}

pub fn cancel(ctx: &Ctx<'_>, id: &str) -> Result<Reply, FhirError> {
    request_id(ctx)?;
    let expected = if_match(ctx.headers)?
        .ok_or_else(|| FhirError::precondition_failed("If-Match is required to update"))?;
    let body = ctx.body()?;
    if str_of(body, "resourceType") != Some("Appointment") {
        return Err(invalid("The body must be an Appointment"));
    }
    let missing = || FhirError::no_record_found(format!("No appointment with id {id}"));
    if !is_fhir_id(id) {
        return Err(missing());
    }
    let service = ctx.service;
    ctx.sim.store.with(ctx.now, |txn| {
        let stored = txn.appointment(service.id, id).ok_or_else(missing)?.clone();
        check_version(Some(expected), stored.version)?;
        if str_of(body, "id") != Some(id) {
            return Err(invalid("The id in the body must match the id in the URL"));
        }
        if stored.status() == "cancelled" {
            return Err(invalid("This appointment is already cancelled"));
        }
        if stored.start().is_none_or(|s| s <= ctx.now) {
            return Err(invalid("Past appointments cannot be cancelled"));
        }
        if str_of(body, "status") != Some("cancelled") {
            return Err(invalid(
                "The only change allowed is status booked to cancelled",
            ));
        }
        if without_keys(body, &["meta", "status"])
            != without_keys(&stored.resource, &["meta", "status"])
        {
            return Err(invalid("Only the status may change when cancelling"));
        }
        let version = stored.version.saturating_add(1);
        let mut updated = stored;
        updated.resource["status"] = Value::String("cancelled".into());
        updated.resource["meta"] =
            meta(version, ctx.now, care_connect("CareConnect-Appointment-1"));
        updated.version = version;
        let reply_body = updated.resource.clone();
        txn.replace(updated);
        Ok(Reply::ok(reply_body).with_version(version).committed())
    })
}
