//! GP Connect free slot search, with the `_include`s that bring schedules, practitioners,
//! locations and the organisation along.

use crate::fhir_time::{parse_prefixed, window_length};
use crate::handler::{Ctx, Reply};
use crate::outcome::FhirError;
use crate::query::Query;
use crate::resources::{
    entry, gp_location, gp_organization, gp_practitioner, gp_schedule, gp_slot, searchset,
};
use crate::slots::SlotDef;
use crate::systems;
use chrono::Duration;

const RECURSE_INCLUDES: [&str; 3] = [
    "Schedule:actor:Practitioner",
    "Schedule:actor:Location",
    "Location:managingOrganization",
];

struct Includes {
    schedule: bool,
    practitioner: bool,
    location: bool,
    organization: bool,
}

fn includes(q: &Query) -> Result<Includes, FhirError> {
    for v in q.all("_include") {
        if v != "Slot:schedule" {
            return Err(FhirError::invalid_parameter(format!(
                "_include={v} is not supported"
            )));
        }
    }
    let recurse = q.all("_include:recurse");
    if let Some(v) = recurse.iter().find(|v| !RECURSE_INCLUDES.contains(v)) {
        return Err(FhirError::invalid_parameter(format!(
            "_include:recurse={v} is not supported"
        )));
    }
    Ok(Includes {
        schedule: !q.all("_include").is_empty(),
        practitioner: recurse.contains(&RECURSE_INCLUDES[0]),
        location: recurse.contains(&RECURSE_INCLUDES[1]),
        organization: recurse.contains(&RECURSE_INCLUDES[2]),
    })
}

fn check_search_filters(q: &Query) -> Result<(), FhirError> {
    for f in q.all("searchFilter") {
        let ok = match f.split_once('|') {
            Some((systems::ODS_CODE | systems::ORGANISATION_TYPE, value)) => !value.is_empty(),
            _ => false,
        };
        if !ok {
            return Err(FhirError::invalid_parameter(format!(
                "searchFilter '{f}' must be {}|<ODS code> or {}|<type>",
                systems::ODS_CODE,
                systems::ORGANISATION_TYPE
            )));
        }
    }
    Ok(())
}

pub fn search(ctx: &Ctx<'_>) -> Result<Reply, FhirError> {
    let q = Query::parse(ctx.query).map_err(FhirError::invalid_parameter)?;
    let one = |name: &str| -> Result<&str, FhirError> {
        q.one(name)
            .map_err(FhirError::invalid_parameter)?
            .ok_or_else(|| FhirError::invalid_parameter(format!("{name} is required")))
    };
    let start = parse_prefixed(one("start")?, "ge").map_err(FhirError::invalid_parameter)?;
    let end = parse_prefixed(one("end")?, "le").map_err(FhirError::invalid_parameter)?;
    if one("status")? != "free" {
        return Err(FhirError::invalid_parameter("status must be free"));
    }
    let length = window_length(start, end);
    if length < Duration::zero() {
        return Err(FhirError::invalid_parameter("end is before start"));
    }
    if length > Duration::days(14) {
        return Err(FhirError::invalid_parameter(
            "The search window must not be longer than 14 days",
        ));
    }
    let inc = includes(&q)?;
    check_search_filters(&q)?;

    let service = ctx.service;
    let (from, to) = (start.lower(), end.upper());
    let slots: Vec<SlotDef> = ctx.sim.store.with(ctx.now, |txn| {
        txn.slots(service.id)
            .iter()
            .filter(|s| s.start >= from && s.end <= to && s.start > ctx.now)
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
        .map(|s| entry(&root, gp_slot(s, "free"), "match"))
        .collect();
    let used: Vec<_> = service
        .schedules
        .iter()
        .filter(|sch| slots.iter().any(|s| s.schedule_id == sch.id))
        .collect();
    if inc.schedule {
        for sch in &used {
            entries.push(entry(
                &root,
                gp_schedule(service, sch, (from, to)),
                "include",
            ));
        }
    }
    if inc.practitioner {
        for sch in &used {
            entries.push(entry(&root, gp_practitioner(&sch.practitioner), "include"));
        }
    }
    if inc.location {
        entries.push(entry(&root, gp_location(service), "include"));
    }
    if inc.organization {
        entries.push(entry(&root, gp_organization(service), "include"));
    }
    Ok(Reply::ok(searchset(entries, ctx.now)))
}
