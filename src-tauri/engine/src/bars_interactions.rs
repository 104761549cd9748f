//! The engine's interactions with BaRS services: what `provider` and `booking` do for GP
//! Connect and UEC, over FHIR R4 and `$process-message`. The workflow around them (permissions,
//! re-checking the slot, lost answers, the registry) stays in `booking`.

use serde_json::Value;
use uuid::Uuid;

use crate::Engine;
use crate::booking::BookRequest;
use crate::clinical::bars::clinical_part;
use crate::directory::Service;
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::r4::{Appointment, Bundle, CapabilityStatement};
use crate::ids::{AppointmentId, NhsNumber};
use crate::standards::bars_message::{self, Booking, Recipient, urn};
use crate::standards::{SearchWindow, bars, bars_appointments, bars_slots};
use crate::transport::{FhirRequest, FhirResponse};
use crate::views::{AppointmentView, CapabilityView, PatientView, SlotView, capability_view};

/// How the message names a service: by its DoS id.
pub(crate) fn recipient(service: &Service) -> Result<Recipient<'_>> {
    Ok(Recipient {
        name: &service.name,
        ods: service.ods.as_str(),
        endpoint: bars_message::endpoint(bars::target(service)?),
    })
}

fn unreadable(service: &Service, resp: &FhirResponse, what: &str) -> Error {
    Error::new(ErrorKind::MalformedResponse)
        .with_service(&service.id)
        .with_trace(resp.trace_id)
        .with_diagnostics(what.to_string())
}

/// A booking message ready to send, and the message itself to keep with the booking.
pub(crate) struct BookingMessage {
    pub request: FhirRequest,
    pub message: Value,
}

impl Engine {
    pub(crate) async fn bars_search(
        &self,
        service: &Service,
        window: &SearchWindow,
    ) -> Result<Vec<SlotView>> {
        // The parts of one search are one piece of work, with one correlation id.
        bars::in_one_piece_of_work(async {
            let mut slots: Vec<SlotView> = Vec::new();
            for req in bars::free_slots(self.session(), service, window)? {
                let resp = self.send(service, req, None).await?;
                let bundle: Bundle = resp.resource_r4()?;
                let mut found = bars_slots::slot_views(&bundle, service);
                bars_slots::attach_sources(&mut found, &resp.json::<Value>()?);
                for s in found {
                    if !slots.iter().any(|x| x.id == s.id) {
                        slots.push(s);
                    }
                }
            }
            slots.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
            Ok(slots)
        })
        .await
    }

    pub(crate) async fn bars_capabilities(&self, service: &Service) -> Result<CapabilityView> {
        let resp = self
            .send(service, bars::metadata(self.session(), service)?, None)
            .await?;
        let cs: CapabilityStatement = resp.resource_r4()?;
        Ok(capability_view!(service, cs))
    }

    /// The appointment as the service holds it: its view, and the resource itself, whose
    /// unknown elements a cancellation sends back unchanged.
    pub(crate) async fn bars_read(
        &self,
        service: &Service,
        id: &AppointmentId,
        nhs: Option<&NhsNumber>,
    ) -> Result<(AppointmentView, Value)> {
        let resp = self
            .send(service, bars::read(self.session(), service, id)?, nhs)
            .await?;
        let appointment: Appointment = resp.resource_r4()?;
        let raw: Value = resp.json()?;
        let view = bars_appointments::appointment_view(&appointment, service, None)
            .ok_or_else(|| unreadable(service, &resp, "appointment without id, start or end"))?;
        Ok((view, raw))
    }

    pub(crate) async fn bars_patient_appointments(
        &self,
        service: &Service,
        nhs: &NhsNumber,
    ) -> Result<Vec<AppointmentView>> {
        let req = bars::patient_appointments(self.session(), service, nhs)?;
        let resp = self.send(service, req, Some(nhs)).await?;
        let bundle: Bundle = resp.resource_r4()?;
        Ok(bars_appointments::appointment_views(&bundle, service)
            .into_iter()
            .map(|mut a| {
                a.nhs_number = a.nhs_number.or_else(|| Some(nhs.clone()));
                a
            })
            .collect())
    }

    /// The booking message for `slot`, with the triage summary's entries when one is given.
    /// `request_id` is the X-Request-Id every attempt of this booking repeats.
    pub(crate) fn bars_booking(
        &self,
        service: &Service,
        slot: &SlotView,
        patient: &PatientView,
        req: &BookRequest,
        request_id: Uuid,
    ) -> Result<BookingMessage> {
        let session = self.session();
        let recipient = recipient(service)?;
        let now = self.clock().uk_now();
        let patient_url = urn(Uuid::new_v4());
        let call_back = req.clinical.as_ref().map(|c| c.call_back_number.as_str());
        bars_message::check_reachable(patient, call_back)?;
        let healthcare_service = bars::healthcare_service(service)?;
        bars_message::source_endpoint(session)?;
        let parties = bars_message::parties(session, &recipient);
        let clinical = req
            .clinical
            .as_ref()
            .map(|summary| clinical_part(summary, &patient_url, &parties, now));
        let message = bars_message::booking(
            session,
            &recipient,
            parties,
            Booking {
                slot,
                healthcare_service: &healthcare_service,
                patient,
                call_back,
                description: &req.description,
                comment: req.comment.as_deref(),
                clinical,
            },
            &patient_url,
            now,
        );
        let request = bars::process_message(session, service, &message, "book", request_id)?;
        Ok(BookingMessage { request, message })
    }

    /// The appointment a successful `$process-message` answer confirms.
    pub(crate) fn bars_message_answer(
        &self,
        service: &Service,
        resp: &FhirResponse,
    ) -> Result<AppointmentView> {
        let bundle: Bundle = resp.resource_r4()?;
        bars_appointments::message_appointment(&bundle)
            .and_then(|a| bars_appointments::appointment_view(a, service, Some(&bundle)))
            .ok_or_else(|| unreadable(service, resp, "message answer without a usable Appointment"))
    }

    /// The cancellation message for the appointment as the service holds it (`current`).
    pub(crate) fn bars_cancellation(
        &self,
        service: &Service,
        id: &AppointmentId,
        current: Value,
        reason: &str,
    ) -> Result<FhirRequest> {
        let session = self.session();
        let url = service.url(&format!("Appointment/{id}"));
        let message = bars_message::cancellation(
            session,
            &recipient(service)?,
            current,
            &url,
            reason,
            self.clock().uk_now(),
        )?;
        let mut req = bars::process_message(session, service, &message, "cancel", Uuid::new_v4())?;
        req.about_appointment = Some(id.to_string());
        Ok(req)
    }
}
