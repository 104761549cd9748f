//! UEC booking. A retried POST (same X-Request-ID) never makes a second booking. Sources differ
//! on what it gets instead, so the region has both: most services send the first answer again
//! (the NHS Booking API's X-Request-ID header, `nhsconnect/NHS-Booking-API`
//! `pages/explore/book_an_appointment.md`); services that follow NHS Digital's UEC test tool's
//! provider scripts (those answering a taken slot with 422) answer it 409, as the test tool
//! expects (`nhsdigitalmait/FHIR_111_UEC` `autotest_config/tstp/EB_BookAppointment.tstp`,
//! HappyPathWithResentRequestID).

use super::request_id;
use super::validate::validate;
use crate::handler::{Ctx, Reply, meta};
use crate::outcome::FhirError;
use crate::seed::SlotTakenAnswer;
use crate::state::StoredAppointment;
use crate::systems::care_connect;
use serde_json::{Value, json};
use uuid::Uuid;

fn appointment_namespace() -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        b"urn:booking-desk:provider-sim:uec-appointment",
    )
}

/// Gives the contained Patient a provider-local identifier when the consumer sent none.
fn assign_local_patient_id(resource: &mut Value, service_id: &str, n: u64) {
    let Some(contained) = resource.get_mut("contained").and_then(Value::as_array_mut) else {
        return;
    };
    if let Some(patient) = contained
        .iter_mut()
        .find(|c| c.get("resourceType").and_then(Value::as_str) == Some("Patient"))
    {
        patient["identifier"] = json!([{
            "system": format!("https://{service_id}.provider.example/Id/local-patient-number"),
            "value": format!("LP{n:06}"),
        }]);
    }
}

pub fn book(ctx: &Ctx<'_>) -> Result<Reply, FhirError> {
    let request_id = request_id(ctx)?.to_string();
    let body = ctx.body()?;
    let service = ctx.service;
    ctx.sim.store.with(ctx.now, |txn| {
        // Checked under the same lock as the booking, so two racing retries cannot both book.
        let earlier = txn
            .request(service.id, &request_id)
            .and_then(|id| txn.appointment(service.id, id));
        if let Some(a) = earlier {
            if service.slot_taken == SlotTakenAnswer::BusinessRule422 {
                return Err(FhirError::duplicate_rejected(
                    "A request with this X-Request-ID has already been processed",
                ));
            }
            let mut reply = Reply::created(
                a.resource.clone(),
                ctx.history_url(&a.id, a.version),
                a.version,
            );
            reply.committed = false;
            return Ok(reply);
        }

        let booking = validate(body, service, txn, ctx.now)?;
        if !txn.is_free(service.id, &booking.slot) {
            return Err(match service.slot_taken {
                SlotTakenAnswer::Conflict409 => {
                    FhirError::duplicate_rejected("The slot is no longer free")
                }
                SlotTakenAnswer::BusinessRule422 => FhirError::slot_no_longer_free_business_rule(),
            });
        }

        let n = txn.next_id();
        let id = Uuid::new_v5(
            &appointment_namespace(),
            format!("{}/{n}", service.id).as_bytes(),
        )
        .to_string();
        let mut resource = body.clone();
        resource["id"] = Value::String(id.clone());
        resource["meta"] = meta(1, ctx.now, care_connect("CareConnect-Appointment-1"));
        if booking.patient_needs_local_id {
            assign_local_patient_id(&mut resource, service.id, n);
        }
        txn.insert(StoredAppointment {
            service: service.id.to_string(),
            id: id.clone(),
            version: 1,
            slot_ids: vec![booking.slot.id.clone()],
            resource: resource.clone(),
        });
        txn.remember_request(service.id, &request_id, &id);
        Ok(Reply::created(resource, ctx.history_url(&id, 1), 1))
    })
}
