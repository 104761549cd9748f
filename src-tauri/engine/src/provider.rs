//! Single interactions with one service: capabilities, find a patient, search its free slots,
//! read an appointment. Each picks the standard's request, sends it and reads the answer.

use crate::Engine;
use crate::directory::{Service, Standard};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::stu3::{Appointment, Bundle, CapabilityStatement};
use crate::ids::{AppointmentId, NhsNumber, ServiceId};
use crate::standards::{SearchWindow, gp_connect, mapping, uec_booking};
use crate::transport::{FhirRequest, FhirResponse};
use crate::views::{
    AppointmentStatus, AppointmentView, CapabilityView, PatientMatch, PatientView, SlotView,
    capability_view,
};

impl Engine {
    /// Sends, audits, and maps a provider's error status to an [`Error`]. `nhs` is the patient
    /// the interaction is about, if any.
    pub(crate) async fn send(
        &self,
        service: &Service,
        req: FhirRequest,
        nhs: Option<&NhsNumber>,
    ) -> Result<FhirResponse> {
        let resp = self
            .send_raw_audited(service, req, nhs)
            .await
            .map_err(|f| f.error)?;
        resp.error_for_status(service).map_err(|e| {
            // The desk reached this service by its national directory entry: a refusal of who
            // the desk says it is addressing most likely means that entry is wrong.
            if e.kind == ErrorKind::AccessDenied && self.found.is_found(&service.id) {
                e.with_next_step(
                    "Its entry in the Spine Directory Service may be wrong: refer the patient by \
                     phone, and report the service's directory entry to the national service desk.",
                )
            } else {
                e
            }
        })
    }

    pub async fn capabilities(&self, service_id: &ServiceId) -> Result<CapabilityView> {
        let service = &self.reach_service(service_id, None).await?;
        let req = match service.standard {
            Standard::GpConnect => gp_connect::metadata(),
            Standard::UecBooking => uec_booking::metadata(),
            Standard::Bars => return self.bars_capabilities(service).await,
        };
        let resp = self.send(service, req, None).await?;
        let cs: CapabilityStatement = resp.resource()?;
        Ok(capability_view!(service, cs))
    }

    /// The patient as a GP Connect service holds them; `None` when it does not know them.
    pub async fn find_patient(
        &self,
        service_id: &ServiceId,
        nhs: &NhsNumber,
    ) -> Result<Option<PatientView>> {
        self.may(crate::auth::permissions::Action::Search)?;
        let service = &self.reach_service(service_id, Some(nhs.as_str())).await?;
        if service.standard != Standard::GpConnect {
            return Err(Error::new(ErrorKind::Rejected)
                .with_message(format!(
                    "{} uses {}, which has no patient search.",
                    service.name,
                    service.standard.label()
                ))
                .with_next_step("Look the patient up at a GP practice instead."));
        }
        let resp = self
            .send(service, gp_connect::find_patient(nhs), Some(nhs))
            .await?;
        let bundle: Bundle = resp.resource()?;
        Ok(bundle.patients().next().map(mapping::patient_view))
    }

    /// The patient from their NHS number. On a desk with PDS, PDS first: the number it holds
    /// the record under, whether it is restricted, and the registered practice, asked first
    /// among the GP Connect practices; a number PDS does not hold is not looked for further.
    /// Then the first GP Connect practice that knows them; with none, PDS's own details.
    /// `None` when no one knows them; an error only when none could be asked.
    pub async fn lookup_patient(&self, nhs: &NhsNumber) -> Result<Option<PatientMatch>> {
        let (traced, pds_error) = if self.desk().pds_url().is_some() {
            match self.trace_patient(nhs).await {
                Ok(t) => (Some(t), None),
                Err(e) if e.kind == ErrorKind::PatientNotFound => return Err(e),
                // PDS down, or refusing the desk: the practices can still be asked, and the
                // person is told the details are not PDS's.
                Err(e) => {
                    tracing::warn!(kind = ?e.kind, "PDS not asked; looking at the practices");
                    let message = format!(
                        "The Personal Demographics Service could not be asked: {}",
                        e.message
                    );
                    (None, Some(e.with_message(message)))
                }
            }
        } else {
            (None, None)
        };
        let number = match &traced {
            Some(t) => t.current_number()?,
            None => nhs.clone(),
        };
        let registered = traced
            .as_ref()
            .and_then(|t| t.registered_practice.as_deref());
        let mut practices: Vec<&Service> = self
            .directory()
            .all()
            .iter()
            .filter(|s| s.standard == Standard::GpConnect)
            .collect();
        // The registered practice first: the one that holds the patient's record.
        practices.sort_by_key(|s| Some(s.ods.as_str()) != registered);
        let mut first_error = None;
        let asked = practices.len();
        let mut failures = 0;
        for service in practices {
            match self.find_patient(&service.id, &number).await {
                Ok(Some(patient)) => {
                    let patient = match &traced {
                        Some(t) => t.govern(patient),
                        None => patient,
                    };
                    return Ok(Some(PatientMatch {
                        service_id: Some(service.id.clone()),
                        service_name: Some(service.name.clone()),
                        patient,
                        traced,
                        pds_error,
                    }));
                }
                Ok(None) => {}
                Err(e) => {
                    failures += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(t) = traced {
            return Ok(Some(PatientMatch {
                service_id: None,
                service_name: None,
                patient: t.view(),
                traced: Some(t),
                pds_error: None,
            }));
        }
        // No practice knows them and PDS could not be asked: "no record" would not be the whole
        // answer, so say PDS's failure.
        if let Some(e) = pds_error {
            return Err(e);
        }
        match first_error {
            // "Not known" is only an answer if someone could be asked.
            Some(e) if failures == asked => Err(e),
            _ => Ok(None),
        }
    }

    /// Free slots at one service, soonest first.
    pub async fn search_service(
        &self,
        service_id: &ServiceId,
        window: &SearchWindow,
    ) -> Result<Vec<SlotView>> {
        self.may(crate::auth::permissions::Action::Search)?;
        let service = &self.service(service_id)?;
        let requests = match service.standard {
            Standard::GpConnect => {
                gp_connect::free_slots(window, self.session().organisation.ods.as_str())
            }
            Standard::UecBooking => {
                let hs = service.healthcare_service.as_deref().unwrap_or_default();
                uec_booking::free_slots(window, hs)
            }
            Standard::Bars => return self.bars_search(service, window).await,
        };
        let mut slots: Vec<SlotView> = Vec::new();
        for req in requests {
            let resp = self.send(service, req, None).await?;
            let bundle: Bundle = resp.resource()?;
            slots.extend(mapping::slot_views(&bundle, service));
        }
        Ok(sorted_once_each(slots))
    }

    /// The appointment as the service holds it now, with the raw resource for updates.
    pub(crate) async fn read_raw(
        &self,
        service: &Service,
        id: &AppointmentId,
        nhs: Option<&NhsNumber>,
    ) -> Result<(Appointment, Option<String>)> {
        let req = match service.standard {
            Standard::GpConnect => gp_connect::read(id),
            Standard::UecBooking => uec_booking::read(id),
            Standard::Bars => {
                return Err(Error::new(ErrorKind::Rejected)
                    .with_service(&service.id)
                    .with_diagnostics("BaRS appointments are read as R4"));
            }
        };
        let resp = self.send(service, req, nhs).await?;
        let appointment: Appointment = resp.resource()?;
        let version = appointment
            .meta
            .as_ref()
            .and_then(|m| m.version_id.clone())
            .or_else(|| resp.version());
        Ok((appointment, version))
    }

    pub async fn read_appointment(
        &self,
        service_id: &ServiceId,
        id: &AppointmentId,
    ) -> Result<AppointmentView> {
        self.read_appointment_of(service_id, id, None).await
    }

    /// As [`Engine::read_appointment`], audited against the patient when the caller knows them.
    pub(crate) async fn read_appointment_of(
        &self,
        service_id: &ServiceId,
        id: &AppointmentId,
        nhs: Option<&NhsNumber>,
    ) -> Result<AppointmentView> {
        self.may(crate::auth::permissions::Action::ReadAppointments)?;
        let service = &match nhs {
            Some(n) => self.reach_service(service_id, Some(n.as_str())).await?,
            None => self.reach_appointment_service(service_id, id).await?,
        };
        let mut view = if service.standard == Standard::Bars {
            self.bars_read(service, id, nhs).await?.0
        } else {
            let (appointment, version) = self.read_raw(service, id, nhs).await?;
            mapping::appointment_view(&appointment, service, None, version).ok_or_else(|| {
                Error::new(ErrorKind::MalformedResponse)
                    .with_service(&service.id)
                    .with_diagnostics("appointment without a usable id, start or end")
            })?
        };
        if view.status == AppointmentStatus::Cancelled && view.cancellation_reason.is_none() {
            // A registry failure must not hide the appointment itself.
            view.cancellation_reason = self
                .store()
                .cancel_reason(service.id.as_str(), id.as_str())
                .await
                .ok()
                .flatten();
        }
        Ok(view)
    }
}

/// Slots soonest first, each id once: spans that meet, and providers that list a slot twice,
/// must not show it twice. Sorting first keeps this linear after the sort, for services that
/// offer thousands of slots.
pub(crate) fn sorted_once_each(mut slots: Vec<SlotView>) -> Vec<SlotView> {
    slots.sort_by(|a, b| a.id.cmp(&b.id));
    slots.dedup_by(|a, b| a.id == b.id);
    slots.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    slots
}
