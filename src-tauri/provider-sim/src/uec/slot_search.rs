//! UEC free slot search for one HealthcareService, with its `_include:iterate`s.

use crate::fhir_time::{SearchPoint, parse_prefixed, window_length};
use crate::handler::{Ctx, Reply};
use crate::outcome::FhirError;
use crate::query::Query;
use crate::resources::{
    entry, searchset, uec_healthcare_service, uec_location, uec_practitioner,
    uec_practitioner_role, uec_schedule, uec_slot,
};
use crate::slots::SlotDef;
use chrono::Duration;

const ITERATE_INCLUDES: [&str; 4] = [
    "Schedule:actor:Practitioner",
    "Schedule:actor:PractitionerRole",
    "Schedule:actor:HealthcareService",
    "HealthcareService:location",
];

fn bound(starts: &[&str], prefix: &str) -> Result<SearchPoint, FhirError> {
    let mut found = starts.iter().filter(|s| s.starts_with(prefix));
    match (found.next(), found.next()) {
        (Some(v), None) => parse_prefixed(v, prefix).map_err(FhirError::invalid_parameter),
        _ => Err(FhirError::invalid_parameter(format!(
            "Exactly one start={prefix}<instant> parameter is required"
        ))),
    }
}

/// Unknown or missing HealthcareService ids are an error (422), not an empty result, so a
/// consumer with a stale directory entry finds out.
fn check_healthcare_service(ctx: &Ctx<'_>, q: &Query) -> Result<(), FhirError> {
    let given = q
        .one("schedule.actor:healthcareservice")
        .map_err(FhirError::invalid_parameter)?
        .ok_or_else(|| {
            FhirError::invalid_parameter("schedule.actor:healthcareservice is required")
        })?;
    let id = given.strip_prefix("HealthcareService/").unwrap_or(given);
    if Some(id) != ctx.service.healthcare_service {
        return Err(FhirError::invalid_parameter(format!(
            "HealthcareService {given} is not provided here"
        )));
    }
    Ok(())
}

pub fn search(ctx: &Ctx<'_>) -> Result<Reply, FhirError> {
    let q = Query::parse(ctx.query).map_err(FhirError::invalid_parameter)?;
    check_healthcare_service(ctx, &q)?;
    let starts = q.all("start");
    if starts.len() != 2 {
        return Err(FhirError::invalid_parameter(
            "start=ge<instant> and start=le<instant> are both required",
        ));
    }
    let (from, to) = (bound(&starts, "ge")?, bound(&starts, "le")?);
    match q.one("status").map_err(FhirError::invalid_parameter)? {
        Some("free") => {}
        _ => return Err(FhirError::invalid_parameter("status=free is required")),
    }
    let length = window_length(from, to);
    if length < Duration::zero() {
        return Err(FhirError::invalid_parameter(
            "The start=le bound is before the start=ge bound",
        ));
    }
    if length > Duration::days(14) {
        return Err(FhirError::invalid_parameter(
            "The search window must not be longer than 14 days",
        ));
    }
    if let Some(v) = q.all("_include").iter().find(|v| **v != "Slot:schedule") {
        return Err(FhirError::invalid_parameter(format!(
            "_include={v} is not supported"
        )));
    }
    let iterate = q.all("_include:iterate");
    if let Some(v) = iterate.iter().find(|v| !ITERATE_INCLUDES.contains(v)) {
        return Err(FhirError::invalid_parameter(format!(
            "_include:iterate={v} is not supported"
        )));
    }

    let service = ctx.service;
    let lower = from.lower();
    let slots: Vec<SlotDef> = ctx.sim.store.with(ctx.now, |txn| {
        txn.slots(service.id)
            .iter()
            .filter(|s| s.start >= lower && to.covers_up_to(s.start) && s.start > ctx.now)
            .filter(|s| txn.is_free(service.id, s))
            .cloned()
            .collect()
    });
    if slots.is_empty() {
        return Ok(Reply::ok(searchset(Vec::new(), ctx.now)));
    }

    let root = ctx.root_url();
    let mut entries: Vec<serde_json::Value> = slots
        .iter()
        .map(|s| entry(&root, uec_slot(service, s), "match"))
        .collect();
    let used: Vec<_> = service
        .schedules
        .iter()
        .filter(|sch| slots.iter().any(|s| s.schedule_id == sch.id))
        .collect();
    let wants = |name: &str| iterate.contains(&name);
    if !q.all("_include").is_empty() {
        let horizon = (lower, to.upper());
        for sch in &used {
            entries.push(entry(&root, uec_schedule(service, sch, horizon), "include"));
        }
    }
    if wants(ITERATE_INCLUDES[0]) {
        for sch in &used {
            entries.push(entry(&root, uec_practitioner(&sch.practitioner), "include"));
        }
    }
    if wants(ITERATE_INCLUDES[1]) {
        for sch in &used {
            entries.push(entry(&root, uec_practitioner_role(service, sch), "include"));
        }
    }
    if wants(ITERATE_INCLUDES[2]) {
        entries.push(entry(&root, uec_healthcare_service(service), "include"));
    }
    if wants(ITERATE_INCLUDES[3]) {
        entries.push(entry(&root, uec_location(service), "include"));
    }
    Ok(Reply::ok(searchset(entries, ctx.now)))
}
