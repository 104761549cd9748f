//! Settling a booking whose answer was lost or could not be read: looked for at the service,
//! or sent again under its own request id where the standard promises that is safe, and never
//! sent again on a guess. Unsettled, it is an unknown outcome.

use chrono::Duration;

use super::book::{Plan, slot_ids};
use crate::Engine;
use crate::directory::{Service, Standard};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::stu3::{Appointment, Bundle};
use crate::ids::{NhsNumber, SlotId};
use crate::standards::{SearchWindow, gp_connect, mapping};
use crate::store::BookingEvent;
use crate::transport::{FhirResponse, SendFailure};
use crate::views::{AppointmentStatus, AppointmentView};

impl Engine {
    /// Sends the booking once; if no answer came back, checks before ever sending it again.
    pub(super) async fn send_booking(
        &self,
        plan: &Plan<'_>,
        event: &mut BookingEvent,
    ) -> Result<(AppointmentView, bool)> {
        let service = plan.service;
        let first = self
            .send_raw_audited(service, plan.request.clone(), plan.nhs.as_ref())
            .await;
        let lost = match first {
            Ok(resp) => {
                let said_yes = resp.is_success();
                return match self.booking_answer(plan, resp, event).await {
                    Ok(a) => Ok((a, false)),
                    Err(e) if said_yes && unreadable(&e) => self.check_unreadable(plan, e).await,
                    Err(e) => Err(e),
                };
            }
            Err(SendFailure {
                error,
                maybe_delivered: false,
            }) => return Err(error),
            Err(SendFailure { error, .. }) => error,
        };
        tracing::warn!(service = %service.id, kind = ?lost.kind, "booking answer lost; checking");
        // The helpdesk needs the first POST's trace id to find out what happened to it.
        let first_trace = lost.trace_id.clone().unwrap_or_default();
        event.trace_id = lost.trace_id.clone();
        let unknown = || {
            Error::new(ErrorKind::OutcomeUnknown)
                .with_service(&service.id)
                .with_trace(&first_trace)
        };
        match self.look_patiently(plan).await {
            Ok(Some(found)) => return Ok((found, true)),
            Ok(None) => {}
            // A check that cannot be read settles nothing: never send again on a guess.
            Err(_) => return Err(unknown()),
        }
        // Not found (or cannot be looked for: UEC has no search, nor BaRS for a patient without
        // an NHS number): a retry with the same X-Request-ID, which the provider answers with the
        // booking it already made, if it made one. UEC and BaRS providers keep that promise
        // however often they are asked, so a retry that fails on the way is tried again; GP
        // Connect's is sent once, and only because the look said the booking is not there.
        let retries = match service.standard {
            Standard::UecBooking | Standard::Bars => SETTLE_ATTEMPTS,
            Standard::GpConnect => 1,
        };
        for attempt in 0..retries {
            if attempt > 0 {
                tokio::time::sleep(SETTLE_PAUSE * attempt).await;
            }
            let retry = self
                .send_raw_audited(service, plan.request.clone(), plan.nhs.as_ref())
                .await;
            // The first attempt may have been made whatever happens to the retry: only an
            // answer about the booking itself (made, or refused as a request) settles it. A
            // retry that fails in transit or on the provider's side leaves it open, so look
            // once more.
            match retry {
                // A 409 to a request sent again under its own X-Request-ID says the service has
                // seen that id (NHS Digital's UEC test tool expects exactly that; BaRS answers a
                // repeated id 409 duplicate), or that the slot is taken: it does not say which,
                // so it never stands as slot-taken for a booking our first attempt may have made.
                Ok(resp) if resp.status == 409 && plan.request.request_id.is_some() => {
                    return match self.look_patiently(plan).await {
                        Ok(Some(found)) => Ok((found, true)),
                        _ => Err(unknown().with_diagnostics(
                            "the booking sent again under its own request id was answered 409",
                        )),
                    };
                }
                Ok(resp) if settles(&resp) => {
                    let said_yes = resp.is_success();
                    let mut retry_event = event.clone();
                    let result = self.booking_answer(plan, resp, &mut retry_event).await;
                    event.trace_id = Some(first_trace.clone());
                    return match result {
                        Ok(a) => Ok((a, true)),
                        Err(e) if said_yes && unreadable(&e) => {
                            self.check_unreadable(plan, e.with_trace(&first_trace))
                                .await
                        }
                        Err(e) => Err(e),
                    };
                }
                unsettled => {
                    match self.look_patiently(plan).await {
                        Ok(Some(found)) => return Ok((found, true)),
                        Ok(None) => {}
                        Err(_) => return Err(unknown()),
                    }
                    // A retry that met the time limit is not repeated: no one waits several.
                    if unsettled.is_err_and(|f| !worth_asking_again(f.error.kind)) {
                        break;
                    }
                }
            }
        }
        Err(unknown())
    }

    /// `find_booking`, asked again when the look itself fails quickly (a server error, a dropped
    /// connection, an unreadable answer): looking is harmless to repeat, and one failed read
    /// should not leave a person ringing the service. A slow service is not asked again, so no
    /// one waits several timeouts.
    async fn look_patiently(&self, plan: &Plan<'_>) -> Result<Option<AppointmentView>> {
        let mut attempt = 1;
        loop {
            match self.find_booking(plan).await {
                Err(e) if attempt < SETTLE_ATTEMPTS && worth_asking_again(e.kind) => {
                    tokio::time::sleep(SETTLE_PAUSE * attempt).await;
                    attempt += 1;
                }
                found => return found,
            }
        }
    }

    /// The service said yes to the booking but its answer could not be read: that is no failure
    /// to book. Look, as after a lost answer, and never send it again; unsettled, it is unknown.
    async fn check_unreadable(
        &self,
        plan: &Plan<'_>,
        read_error: Error,
    ) -> Result<(AppointmentView, bool)> {
        let service = plan.service;
        tracing::warn!(service = %service.id, kind = ?read_error.kind, "booking answer unreadable; checking");
        match self.look_patiently(plan).await {
            Ok(Some(found)) => Ok((found, true)),
            _ => {
                let mut err = Error::new(ErrorKind::OutcomeUnknown)
                    .with_service(&service.id)
                    .with_message(format!(
                        "{} said the booking was made, but its answer could not be read.",
                        service.name
                    ));
                err.trace_id = read_error.trace_id;
                err.diagnostics = read_error.diagnostics;
                Err(err)
            }
        }
    }

    /// Reads a provider's answer to a booking POST.
    async fn booking_answer(
        &self,
        plan: &Plan<'_>,
        resp: FhirResponse,
        event: &mut BookingEvent,
    ) -> Result<AppointmentView> {
        let service = plan.service;
        event.trace_id = Some(resp.trace_id.to_string());
        if resp.is_success() && service.standard == Standard::Bars {
            return self.bars_message_answer(service, &resp);
        }
        if resp.is_success() {
            let appointment: Appointment = resp.resource()?;
            let mut view = mapping::appointment_view(&appointment, service, None, resp.version())
                .ok_or_else(|| {
                Error::new(ErrorKind::OutcomeUnknown)
                    .with_service(&service.id)
                    .with_trace(resp.trace_id)
                    .with_message(
                        "The service said the booking was made, but its answer could not be read.",
                    )
            })?;
            view.reference_url = resp.location.as_deref().map(mapping::reference_url);
            return Ok(view);
        }
        let mut err = resp.to_error(service);
        match resp.status {
            409 if err.kind != ErrorKind::DuplicateMessage => err.kind = ErrorKind::SlotTaken,
            // UEC providers also answer 422 when the slot has gone: look again to tell.
            422 => match self
                .free_slots_by_id(
                    service,
                    &slot_ids(plan),
                    plan.slots.first().map(|s| s.start),
                )
                .await
            {
                Err(e) if e.kind == ErrorKind::SlotTaken => err.kind = ErrorKind::SlotTaken,
                // Still free, or the check failed: the provider's own refusal stands.
                _ => return Err(err),
            },
            _ => return Err(err),
        }
        if err.kind == ErrorKind::SlotTaken {
            let fresh = Error::new(ErrorKind::SlotTaken);
            err.message = fresh.message;
            err.next_step = fresh.next_step;
        }
        Err(err)
    }

    /// After a lost answer: is the booking at the provider? GP Connect lists the patient's
    /// appointments; UEC has no such search, so the same X-Request-ID is sent again and the
    /// provider answers with the booking it already made (so `None` here means "retry").
    async fn find_booking(&self, plan: &Plan<'_>) -> Result<Option<AppointmentView>> {
        self.find_booked(
            plan.service,
            &slot_ids(plan),
            plan.slots[0].start,
            plan.patient_id.as_deref(),
            plan.nhs.as_ref(),
        )
        .await
    }

    /// The booked appointment holding exactly `wanted` slots at `service`, looked for among the
    /// patient's appointments around `start`; `None` where the standard has no such search.
    pub(crate) async fn find_booked(
        &self,
        service: &Service,
        wanted: &[SlotId],
        start: chrono::DateTime<chrono::FixedOffset>,
        patient_id: Option<&str>,
        nhs: Option<&NhsNumber>,
    ) -> Result<Option<AppointmentView>> {
        let is_ours = |a: &AppointmentView| {
            a.status == AppointmentStatus::Booked
                && !a.slot_ids.is_empty()
                && a.slot_ids
                    .iter()
                    .all(|s| wanted.iter().any(|w| w.as_str() == s))
        };
        match (service.standard, patient_id, nhs) {
            (Standard::GpConnect, Some(pid), _) => {
                let day = start.date_naive();
                let window = SearchWindow::new(day - Duration::days(1), day + Duration::days(1))?;
                let resp = self
                    .send(service, gp_connect::patient_appointments(pid, &window), nhs)
                    .await?;
                let bundle: Bundle = resp.resource()?;
                Ok(bundle
                    .appointments()
                    .filter_map(|a| mapping::appointment_view(a, service, Some(&bundle), None))
                    .find(is_ours))
            }
            (Standard::Bars, _, Some(nhs)) => Ok(self
                .bars_patient_appointments(service, nhs)
                .await?
                .into_iter()
                .find(is_ours)),
            // No search to ask: the retry with the same request id settles it.
            _ => Ok(None),
        }
    }
}

/// How often a lost booking is looked for (or, at UEC and BaRS, re-sent under its own request id)
/// before it is called unknown, with pauses growing by `SETTLE_PAUSE`.
const SETTLE_ATTEMPTS: u32 = 3;
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// A failure that may well not happen a moment later.
fn worth_asking_again(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::ProviderError
            | ErrorKind::Unavailable
            | ErrorKind::MalformedResponse
            | ErrorKind::WrongContentType
    )
}

/// Whether a provider's answer to a repeated booking says what became of it: made (2xx), or
/// refused as a request (4xx other than "timed out" and "too many"). Server errors do not.
fn settles(resp: &FhirResponse) -> bool {
    resp.is_success() || ((400..500).contains(&resp.status) && !matches!(resp.status, 408 | 429))
}

/// Errors that say a provider's answer could not be read, rather than what it said.
fn unreadable(e: &Error) -> bool {
    matches!(
        e.kind,
        ErrorKind::MalformedResponse | ErrorKind::WrongContentType | ErrorKind::ResponseTooLarge
    )
}
