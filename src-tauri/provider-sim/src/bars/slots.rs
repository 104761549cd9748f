//! BaRS slot search: `start=ge…&start=le…` (instants with an offset, at most 14 days apart),
//! `status=free` (or `busy`, comma separated), the optional `Schedule.actor:HealthcareService`,
//! and `_include`s. Includes this service cannot honour are left out, as the specification
//! says, and the Bundle's self link shows what was honoured.

use super::outcome::BarsError;
use super::{Ctx, enc, resources as r4, self_link};
use crate::fhir_time::parse_instant;
use crate::query::Query;
use crate::resources::{entry, searchset};
use crate::slots::SlotDef;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

const HEALTHCARE_SERVICE: &str = "Schedule.actor:HealthcareService";
const INCLUDE_PARAMS: [&str; 2] = ["_include", "_include:iterate"];
const INCLUDES: [&str; 7] = [
    "Slot:schedule",
    "Schedule:actor:Practitioner",
    "Schedule:actor:PractitionerRole",
    "Schedule:actor:HealthcareService",
    "HealthcareService:location",
    "HealthcareService:providedBy",
    "Slot:*",
];

fn bad(issue: &'static str, d: impl Into<String>) -> BarsError {
    BarsError::rec_bad_request(issue, d)
}

fn bound(starts: &[&str], prefix: &str) -> Result<DateTime<Utc>, BarsError> {
    let mut found = starts.iter().filter(|s| s.starts_with(prefix));
    let (Some(v), None) = (found.next(), found.next()) else {
        return Err(bad(
            "required",
            format!("Exactly one start={prefix}<dateTime> parameter is required"),
        ));
    };
    let rest = &v[prefix.len()..];
    parse_instant(rest)
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            let hint = if rest.contains(' ') {
                " ('+' in a query value must be sent as %2B)"
            } else {
                ""
            };
            bad(
                "value",
                format!(
                    "start={v}: '{rest}' is not a dateTime with seconds and an offset, \
                     e.g. 2024-06-01T09:00:00+00:00{hint}"
                ),
            )
        })
}

fn statuses(q: &Query) -> Result<(bool, bool), BarsError> {
    let raw = q
        .one("status")
        .map_err(|e| bad("invalid", format!("{e}: list statuses comma separated")))?
        .ok_or_else(|| {
            bad(
                "required",
                "The status parameter is required, e.g. status=free",
            )
        })?;
    let (mut free, mut busy) = (false, false);
    for s in raw.split(',').map(str::trim) {
        match s {
            "free" => free = true,
            "busy" => busy = true,
            other => {
                return Err(bad(
                    "value",
                    format!("status '{other}' is not supported: use free and/or busy"),
                ));
            }
        }
    }
    Ok((free, busy))
}

/// `Schedule.actor:HealthcareService` names the service searched: "Must be included", and a
/// request without it is `400 REC_BAD_REQUEST required` (the implementation guide's failure
/// scenarios, `NHSDigital/NHSDigital-FHIR-BookingAndReferrals`,
/// `guides/Live-ImplementationGuide-BaRS/Home/Core/1-5-0/Error-Handling/Failure-Scenarios-1-1-x/GET--Slots.page.md`),
/// though the API specification still marks it optional.
fn check_healthcare_service(ctx: &Ctx<'_>, q: &Query) -> Result<(), BarsError> {
    let Some(given) = q.one(HEALTHCARE_SERVICE).map_err(|e| bad("invalid", e))? else {
        return Err(bad(
            "required",
            format!("The {HEALTHCARE_SERVICE} parameter is required: the service's DoS id"),
        ));
    };
    // A token may come as system|value; a reference as HealthcareService/id.
    let id = given.rsplit('|').next().unwrap_or(given);
    let id = id.strip_prefix("HealthcareService/").unwrap_or(id);
    if Some(id) != ctx.service.dos_service_id {
        return Err(bad(
            "value",
            format!("HealthcareService {given} is not provided by this service"),
        ));
    }
    Ok(())
}

pub fn search(ctx: &Ctx<'_>) -> Result<Value, BarsError> {
    let q = Query::parse(ctx.query).map_err(|e| bad("invalid", e))?;
    for name in q.names() {
        let known = ["status", "start", HEALTHCARE_SERVICE].contains(&name)
            || INCLUDE_PARAMS.contains(&name);
        if !known {
            return Err(bad(
                "not-supported",
                format!("The search parameter '{name}' is not supported on Slot"),
            ));
        }
    }
    let (free, busy) = statuses(&q)?;
    let starts = q.all("start");
    if starts.len() != 2 {
        return Err(bad(
            "required",
            "start=ge<dateTime> and start=le<dateTime> are both required",
        ));
    }
    let (from, to) = (bound(&starts, "ge")?, bound(&starts, "le")?);
    if to < from {
        return Err(bad(
            "value",
            "The start=le bound is before the start=ge bound",
        ));
    }
    if to - from > Duration::days(14) {
        return Err(BarsError::rec_unprocessable(
            "too-costly",
            "The start time range requested is too wide: at most 14 days",
        ));
    }
    check_healthcare_service(ctx, &q)?;
    // The same page: "There is a minimum of the following 2 _includes required for current
    // Applications": Slot:schedule and Schedule:actor:HealthcareService (400 REC_BAD_REQUEST
    // required).
    for needed in ["Slot:schedule", "Schedule:actor:HealthcareService"] {
        let asked = INCLUDE_PARAMS
            .iter()
            .any(|p| q.all(p).iter().any(|v| *v == needed || *v == "Slot:*"));
        if !asked {
            return Err(bad("required", format!("_include={needed} is required")));
        }
    }
    let honoured: Vec<(&str, &str)> = INCLUDE_PARAMS
        .iter()
        .flat_map(|p| q.all(p).into_iter().map(move |v| (*p, v)))
        .filter(|(_, v)| INCLUDES.contains(v))
        .collect();
    let wants = |name: &str| honoured.iter().any(|(_, v)| *v == name);

    let service = ctx.service;
    let found: Vec<(SlotDef, &str)> = ctx.sim.store.with(ctx.now, |txn| {
        txn.slots(service.id)
            .iter()
            .filter(|s| s.start >= from && s.start <= to && s.start > ctx.now)
            .filter_map(|s| {
                let status = if txn.is_free(service.id, s) {
                    "free"
                } else {
                    "busy"
                };
                let wanted = (status == "free" && free) || (status == "busy" && busy);
                wanted.then(|| (s.clone(), status))
            })
            .collect()
    });

    let root = &ctx.root;
    let mut entries: Vec<Value> = found
        .iter()
        .map(|(s, status)| entry(root, r4::slot(service, s, status), "match"))
        .collect();
    let used: Vec<_> = service
        .schedules
        .iter()
        .filter(|sch| found.iter().any(|(s, _)| s.schedule_id == sch.id))
        .collect();
    if !used.is_empty() {
        if wants("Slot:schedule") || wants("Slot:*") {
            for sch in &used {
                entries.push(entry(
                    root,
                    r4::schedule(service, sch, (from, to)),
                    "include",
                ));
            }
        }
        if wants("Schedule:actor:PractitionerRole") {
            for sch in &used {
                entries.push(entry(root, r4::practitioner_role(service, sch), "include"));
            }
        }
        if wants("Schedule:actor:Practitioner") {
            for sch in &used {
                entries.push(entry(root, r4::practitioner(&sch.practitioner), "include"));
            }
        }
        if wants("Schedule:actor:HealthcareService") {
            entries.push(entry(root, r4::healthcare_service(service), "include"));
        }
        if wants("HealthcareService:location") {
            entries.push(entry(root, r4::location(service), "include"));
        }
        if wants("HealthcareService:providedBy") {
            entries.push(entry(root, r4::organization(service), "include"));
        }
    }

    // The self link repeats the search as it was understood.
    let mut params: Vec<String> = vec![format!("status={}", enc(&q.all("status").join(",")))];
    params.extend(starts.iter().map(|s| format!("start={}", enc(s))));
    if let Ok(Some(hs)) = q.one(HEALTHCARE_SERVICE) {
        params.push(format!("{HEALTHCARE_SERVICE}={}", enc(hs)));
    }
    params.extend(honoured.iter().map(|(p, v)| format!("{p}={}", enc(v))));
    let mut bundle = searchset(entries, ctx.now);
    bundle["link"] = self_link(&format!("{root}/Slot?{}", params.join("&")));
    Ok(bundle)
}
