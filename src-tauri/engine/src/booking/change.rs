//! Amending and cancelling an appointment at its service: refused before anything is asked when
//! the appointment is past or already cancelled.

use chrono::{DateTime, Utc};

use crate::Engine;
use crate::auth::permissions::Action as Permission;
use crate::directory::{Service, Standard};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::stu3::Appointment;
use crate::ids::{AppointmentId, NhsNumber, ServiceId};
use crate::standards::{bars, check_texts, gp_connect, mapping, uec_booking};
use crate::store::{Action, Outcome};
use crate::transport::FhirRequest;
use crate::views::{AppointmentStatus, AppointmentView};

impl Engine {
    /// Changes the description and/or comment (GP Connect only).
    pub async fn amend(
        &self,
        service_id: &ServiceId,
        id: &AppointmentId,
        description: Option<String>,
        comment: Option<String>,
    ) -> Result<AppointmentView> {
        let service = self.reach_appointment_service(service_id, id).await?;
        let mut event = self.event(Action::Amend, &service, Outcome::Failed);
        event.appointment_id = Some(id.to_string());
        let act = self.amend_inner(&service, id, description.as_deref(), comment.as_deref());
        self.permitted_and_recorded(Permission::Amend, event, act)
            .await
    }

    async fn amend_inner(
        &self,
        service: &Service,
        id: &AppointmentId,
        description: Option<&str>,
        comment: Option<&str>,
    ) -> Result<AppointmentView> {
        if service.standard != Standard::GpConnect {
            return Err(Error::new(ErrorKind::Rejected)
                .with_message(format!(
                    "{} does not allow appointments to be amended.",
                    service.name
                ))
                .with_next_step("Book the new slot first, then cancel the old appointment."));
        }
        if description.is_none() && comment.is_none() {
            return Err(Error::invalid(
                "Nothing to change: give a new description or comment.",
            ));
        }
        let nhs = self.appointment_patient(service, id).await;
        let (current, version) = self.read_raw(service, id, nhs.as_ref()).await?;
        check_texts(
            description
                .or(current.description.as_deref())
                .unwrap_or_default(),
            comment,
        )?;
        check_changeable_stu3(&current, service, "amended", self.clock().now())?;
        let req = gp_connect::amend(current, version.as_deref(), description, comment)?;
        self.update(service, req, nhs.as_ref()).await
    }

    pub async fn cancel(
        &self,
        service_id: &ServiceId,
        id: &AppointmentId,
        reason: &str,
    ) -> Result<AppointmentView> {
        let service = self.reach_appointment_service(service_id, id).await?;
        let mut event = self.event(Action::Cancel, &service, Outcome::Failed);
        event.appointment_id = Some(id.to_string());
        event.reason = Some(reason.to_string());
        let act = async {
            crate::standards::chars::check_chars("cancellation reason", reason)?;
            bars::in_one_piece_of_work(self.cancel_inner(&service, id, reason)).await
        };
        self.permitted_and_recorded(Permission::Cancel, event, act)
            .await
    }

    async fn cancel_inner(
        &self,
        service: &Service,
        id: &AppointmentId,
        reason: &str,
    ) -> Result<AppointmentView> {
        if reason.trim().is_empty() {
            return Err(Error::invalid("A reason for cancelling is required.")
                .with_next_step("Enter why the appointment is being cancelled."));
        }
        let nhs = self.appointment_patient(service, id).await;
        if service.standard == Standard::Bars {
            let (view, current) = self.bars_read(service, id, nhs.as_ref()).await?;
            check_changeable(&view, service, "cancelled", self.clock().now())?;
            let req = self.bars_cancellation(service, id, current, reason)?;
            let mut view = self.update(service, req, nhs.as_ref()).await?;
            if view.cancellation_reason.is_none() {
                view.cancellation_reason = Some(reason.to_string());
            }
            return Ok(view);
        }
        let (current, version) = self.read_raw(service, id, nhs.as_ref()).await?;
        check_changeable_stu3(&current, service, "cancelled", self.clock().now())?;
        let req = match service.standard {
            Standard::GpConnect => gp_connect::cancel(current, version.as_deref(), reason)?,
            Standard::UecBooking => {
                let v = version.ok_or_else(|| {
                    Error::new(ErrorKind::MalformedResponse)
                        .with_service(&service.id)
                        .with_diagnostics("appointment has no version to send in If-Match")
                })?;
                uec_booking::cancel(current, &v, uuid::Uuid::new_v4())?
            }
            Standard::Bars => unreachable!("BaRS cancellations return above"),
        };
        let mut view = self.update(service, req, nhs.as_ref()).await?;
        if view.cancellation_reason.is_none() {
            view.cancellation_reason = Some(reason.to_string());
        }
        Ok(view)
    }

    async fn update(
        &self,
        service: &Service,
        req: FhirRequest,
        nhs: Option<&NhsNumber>,
    ) -> Result<AppointmentView> {
        let resp = self
            .send_raw_audited(service, req, nhs)
            .await
            .map_err(|f| f.error)?;
        if !resp.is_success() {
            let mut err = resp.to_error(service);
            if resp.status == 409 && err.kind != ErrorKind::DuplicateMessage {
                let fresh = Error::new(ErrorKind::VersionConflict);
                err.kind = fresh.kind;
                err.message = fresh.message;
                err.next_step = fresh.next_step;
            }
            return Err(err);
        }
        if service.standard == Standard::Bars {
            return self.bars_message_answer(service, &resp);
        }
        let appointment: Appointment = resp.resource()?;
        mapping::appointment_view(&appointment, service, None, resp.version()).ok_or_else(|| {
            Error::new(ErrorKind::MalformedResponse)
                .with_service(&service.id)
                .with_trace(resp.trace_id)
        })
    }
}

/// Past and cancelled appointments cannot be changed: say so before asking the provider.
fn check_changeable(
    view: &AppointmentView,
    service: &Service,
    verb: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    check_changeable_at(view.status, Some(view.start), service, verb, now)
}

fn check_changeable_stu3(
    current: &Appointment,
    service: &Service,
    verb: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let start = current.start.as_deref().and_then(mapping::parse_instant);
    let status = AppointmentStatus::from_fhir(current.status.as_deref());
    check_changeable_at(status, start, service, verb, now)
}

fn check_changeable_at(
    status: AppointmentStatus,
    start: Option<chrono::DateTime<chrono::FixedOffset>>,
    service: &Service,
    verb: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if status == AppointmentStatus::Cancelled {
        return Err(Error::new(ErrorKind::Rejected)
            .with_service(&service.id)
            .with_message(format!(
                "This appointment is already cancelled and cannot be {verb}."
            ))
            .with_next_step("Book a new appointment if the patient still needs one."));
    }
    let started = start.is_some_and(|s| s <= now);
    if started {
        return Err(Error::new(ErrorKind::Rejected)
            .with_service(&service.id)
            .with_message(format!(
                "This appointment is in the past and cannot be {verb}."
            ))
            .with_next_step("Book a new appointment if the patient still needs one."));
    }
    Ok(())
}
