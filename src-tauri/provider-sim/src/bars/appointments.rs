//! Reading BaRS bookings back: one by id, or all of a patient's at this service by NHS number.

use super::outcome::BarsError;
use super::{Ctx, enc, self_link};
use crate::json_util::{arr_of, is_fhir_id, str_of};
use crate::nhs_number;
use crate::query::Query;
use crate::resources::{entry, searchset};
use crate::systems;
use serde_json::Value;

const PATIENT_IDENTIFIER: &str = "patient:identifier";

pub fn read(ctx: &Ctx<'_>, id: &str) -> Result<Value, BarsError> {
    if !is_fhir_id(id) {
        return Err(BarsError::rec_bad_request(
            "value",
            format!("'{id}' is not an Appointment id"),
        ));
    }
    ctx.sim.store.with(ctx.now, |txn| {
        txn.appointment(ctx.service.id, id)
            .map(|a| a.resource.clone())
            .ok_or_else(|| BarsError::rec_not_found(format!("No appointment with id {id}")))
    })
}

/// Whether the appointment's patient participant carries this NHS number.
fn is_patients(appointment: &Value, nhs: &str) -> bool {
    arr_of(appointment, "participant").iter().any(|p| {
        let id = &p["actor"]["identifier"];
        str_of(id, "system") == Some(systems::NHS_NUMBER) && str_of(id, "value") == Some(nhs)
    })
}

pub fn search(ctx: &Ctx<'_>) -> Result<Value, BarsError> {
    let q = Query::parse(ctx.query).map_err(|e| BarsError::rec_bad_request("invalid", e))?;
    if let Some(other) = q.names().into_iter().find(|n| *n != PATIENT_IDENTIFIER) {
        return Err(BarsError::rec_bad_request(
            "not-supported",
            format!(
                "The search parameter '{other}' is not supported here: search by {PATIENT_IDENTIFIER}"
            ),
        ));
    }
    let token = q
        .one(PATIENT_IDENTIFIER)
        .map_err(|e| BarsError::rec_bad_request("invalid", e))?
        .ok_or_else(|| {
            BarsError::rec_bad_request(
                "required",
                format!(
                    "{PATIENT_IDENTIFIER}={}|<NHS number> is required",
                    systems::NHS_NUMBER
                ),
            )
        })?;
    let nhs = match token.rsplit_once('|') {
        Some((system, value)) if system == systems::NHS_NUMBER || system.is_empty() => value,
        Some((system, _)) => {
            return Err(BarsError::rec_bad_request(
                "value",
                format!(
                    "Patients are identified by {} here, not {system}",
                    systems::NHS_NUMBER
                ),
            ));
        }
        None => token,
    };
    if !nhs_number::is_valid(nhs) {
        return Err(BarsError::rec_bad_request(
            "value",
            format!("'{nhs}' is not a valid NHS number"),
        ));
    }
    let mut found: Vec<(String, Value)> = ctx.sim.store.with(ctx.now, |txn| {
        txn.appointments(ctx.service.id)
            .filter(|a| is_patients(&a.resource, nhs))
            .map(|a| {
                (
                    str_of(&a.resource, "start").unwrap_or("").to_string(),
                    a.resource.clone(),
                )
            })
            .collect()
    });
    // Every start has the same offset format, but compare instants, not text.
    found.sort_by_key(|(start, _)| crate::fhir_time::parse_instant(start));
    let entries = found
        .into_iter()
        .map(|(_, a)| entry(&ctx.root, a, "match"))
        .collect();
    let mut bundle = searchset(entries, ctx.now);
    bundle["link"] = self_link(&format!(
        "{}/Appointment?{PATIENT_IDENTIFIER}={}",
        ctx.root,
        enc(token)
    ));
    Ok(bundle)
}
