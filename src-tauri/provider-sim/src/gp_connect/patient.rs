//! Find a patient by NHS number, and list a patient's appointments.

use crate::fhir_time::{SearchPoint, parse_prefixed};
use crate::handler::{Ctx, Reply};
use crate::json_util::{arr_of, is_fhir_id};
use crate::nhs_number;
use crate::outcome::FhirError;
use crate::query::Query;
use crate::resources::{entry, gp_location, gp_patient, searchset};
use crate::systems;

pub fn find(ctx: &Ctx<'_>) -> Result<Reply, FhirError> {
    let q = Query::parse(ctx.query).map_err(FhirError::bad_request)?;
    let identifier = q
        .one("identifier")
        .map_err(FhirError::bad_request)?
        .ok_or_else(|| FhirError::bad_request("The identifier search parameter is required"))?;
    let (system, value) = identifier.rsplit_once('|').ok_or_else(|| {
        FhirError::invalid_identifier_system(format!(
            "identifier must be {}|<NHS number>",
            systems::NHS_NUMBER
        ))
    })?;
    if system != systems::NHS_NUMBER {
        return Err(FhirError::invalid_identifier_system(format!(
            "Patients are found by {} only",
            systems::NHS_NUMBER
        )));
    }
    if value.is_empty() {
        return Err(FhirError::invalid_identifier_value(
            "The NHS number is empty",
        ));
    }
    if !nhs_number::is_valid(value) {
        return Err(FhirError::invalid_nhs_number(
            "The NHS number is not ten digits with a valid check digit",
        ));
    }
    let root = ctx.root_url();
    let entries = match ctx.sim.region.patient_by_nhs(value) {
        Some(i) => vec![entry(
            &root,
            gp_patient(ctx.service, i, &ctx.sim.region.patients[i]),
            "match",
        )],
        None => Vec::new(),
    };
    Ok(Reply::ok(searchset(entries, ctx.now)))
}

fn window(q: &Query) -> Result<(SearchPoint, SearchPoint), FhirError> {
    let starts = q.all("start");
    let pick = |prefix: &str| -> Result<SearchPoint, FhirError> {
        let mut found = starts.iter().filter(|s| s.starts_with(prefix));
        match (found.next(), found.next()) {
            (Some(v), None) => parse_prefixed(v, prefix).map_err(FhirError::invalid_parameter),
            _ => Err(FhirError::invalid_parameter(format!(
                "Exactly one start={prefix}<date> parameter is required"
            ))),
        }
    };
    if starts.len() != 2 {
        return Err(FhirError::invalid_parameter(
            "start=ge<date> and start=le<date> are both required",
        ));
    }
    let (from, to) = (pick("ge")?, pick("le")?);
    if to.upper() < from.lower() {
        return Err(FhirError::invalid_parameter(
            "The start=le date is before the start=ge date",
        ));
    }
    Ok((from, to))
}

pub fn appointments(ctx: &Ctx<'_>, patient_id: &str) -> Result<Reply, FhirError> {
    let region = &ctx.sim.region;
    let known = is_fhir_id(patient_id)
        && ctx
            .service
            .patient_index(patient_id, region.patients.len())
            .is_some();
    if !known {
        return Err(FhirError::patient_not_found(format!(
            "No patient with id {patient_id} at this practice"
        )));
    }
    let q = Query::parse(ctx.query).map_err(FhirError::invalid_parameter)?;
    let (from, to) = window(&q)?;
    let patient_ref = format!("Patient/{patient_id}");
    let mut found: Vec<(chrono::DateTime<chrono::Utc>, serde_json::Value)> =
        ctx.sim.store.with(ctx.now, |txn| {
            txn.appointments(ctx.service.id)
                .filter(|a| {
                    arr_of(&a.resource, "participant")
                        .iter()
                        .any(|p| p["actor"]["reference"].as_str() == Some(patient_ref.as_str()))
                })
                .filter_map(|a| a.start().map(|s| (s, a.resource.clone())))
                .filter(|(s, _)| *s >= from.lower() && to.covers_up_to(*s))
                .collect()
        });
    found.sort_by_key(|a| a.0);
    let root = ctx.root_url();
    let location_ref = format!("Location/{}", ctx.service.location.id);
    let references_location = found.iter().any(|(_, a)| {
        arr_of(a, "participant")
            .iter()
            .any(|p| p["actor"]["reference"].as_str() == Some(location_ref.as_str()))
    });
    let mut entries: Vec<serde_json::Value> = found
        .into_iter()
        .map(|(_, a)| entry(&root, a, "match"))
        .collect();
    if references_location {
        entries.push(entry(&root, gp_location(ctx.service), "include"));
    }
    Ok(Reply::ok(searchset(entries, ctx.now)))
}
