//! The appointments the region starts with: one already in the past, so consumers can see that
//! past appointments cannot be amended or cancelled.

use crate::fhir_time::{format_london, london_date, london_to_utc};
use crate::gp_connect::enrich::add_provider_fields;
use crate::handler::meta;
use crate::seed::{Kind, Region};
use crate::slots::slot_id;
use crate::state::StoredAppointment;
use crate::systems::{self, gpc};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::json;

/// The first id handed out to new appointments.
const FIRST_ID: u64 = 1001;

/// Seeded appointments and the next free id.
pub fn appointments(region: &Region, now: DateTime<Utc>) -> (Vec<StoredAppointment>, u64) {
    let mut out = Vec::new();
    let practice = region.services.iter().find(|s| s.kind == Kind::GpPractice);
    let patient = region.patient_by_nhs("9434765919");
    if let (Some(service), Some(patient), Some(schedule)) = (
        practice,
        patient,
        practice.and_then(|s| s.schedules.first()),
    ) {
        let yesterday = london_date(now) - Duration::days(1);
        let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN);
        if let Some(start) = london_to_utc(yesterday.and_time(ten)) {
            let end = start + Duration::minutes(i64::from(schedule.slot_minutes));
            let slot = slot_id(service, schedule, start);
            let id = "1000";
            let mut resource = json!({
                "resourceType": "Appointment",
                "id": id,
                "meta": meta(1, start - Duration::days(2), gpc("GPConnect-Appointment-1")),
                "contained": [{
                    "resourceType": "Organization",
                    "id": "1",
                    "meta": { "profile": [gpc("CareConnect-GPC-Organization-1")] },
                    "identifier": [{ "system": systems::ODS_CODE, "value": "RYA" }],
                    "name": "NHS 111 North West",
                    "telecom": [{ "system": "phone", "value": "0113 496 0999", "use": "work" }],
                }],
                "extension": [{
                    "url": systems::EXT_BOOKING_ORGANISATION,
                    "valueReference": { "reference": "#1" },
                }],
                "status": "booked",
                "description": "Follow-up of chest infection",
                "start": format_london(start),
                "end": format_london(end),
                "slot": [{ "reference": format!("Slot/{slot}") }],
                "created": format_london(start - Duration::days(2)),
                "comment": "Booked by NHS 111",
                "participant": [
                    { "actor": { "reference": format!("Patient/{}", service.patient_id(patient)) }, "status": "accepted" },
                    { "actor": { "reference": format!("Location/{}", service.location.id) }, "status": "accepted" },
                ],
            });
            if let Some(kind) = schedule.kinds.first() {
                add_provider_fields(&mut resource, service, schedule, *kind);
            }
            out.push(StoredAppointment {
                service: service.id.to_string(),
                id: id.to_string(),
                version: 1,
                slot_ids: vec![slot],
                resource,
            });
        }
    }
    (out, FIRST_ID)
}
