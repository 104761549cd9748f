//! Book, amend, cancel and list appointments, with the safety rules around them: the slot is
//! re-checked before booking, a booking that got no answer is checked at the provider before it
//! is ever sent again, and every attempt is recorded in the registry.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::Engine;
use crate::auth::permissions::{self, Action as Permission};
use crate::clinical::{ClinicalApproval, ClinicalSummary, PackageStandard, Timeframe};
use crate::directory::{Service, Standard};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::stu3::{Appointment, Bundle};
use crate::handover::Sent;
use crate::ids::{AppointmentId, NhsNumber, ServiceId, SlotId};
use crate::standards::{SearchWindow, bars, check_texts, gp_connect, mapping, uec_booking, uk_day};
use crate::store::{Action, BookingEvent, BookingIntent, BookingSummary, IntentHold, Outcome};
use crate::transport::{FhirRequest, FhirResponse, SendFailure};
use crate::upcoming::SeenAppointment;
use crate::views::{AppointmentView, DemographicMismatch, PatientView, SlotView};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookRequest {
    pub service_id: ServiceId,
    /// One slot, or (GP Connect) several contiguous slots of one schedule.
    pub slot_ids: Vec<SlotId>,
    /// When the (first) slot starts, as it was listed: the check that it is still free searches
    /// its own day. Without it, the next 14 days are searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_start: Option<DateTime<FixedOffset>>,
    pub nhs_number: Option<NhsNumber>,
    /// Our details for the patient: required where the service cannot look them up (UEC
    /// without an NHS number); otherwise compared with the provider's.
    pub patient: Option<PatientView>,
    pub description: String,
    pub comment: Option<String>,
    /// The triage outcome's timeframe; a later slot needs a clinician or a recorded approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeframe: Option<Timeframe>,
    /// A clinician's approval for a slot later than the timeframe (call handlers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical_approval: Option<ClinicalApproval>,
    /// The call's triage summary, packaged for the service's standard and kept with the
    /// booking. Its triage timeframe applies when `timeframe` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical: Option<ClinicalSummary>,
    /// "Already booked?": the patient's upcoming appointments the person was shown and chose to
    /// book beside. The engine looks again before booking and refuses while it finds one not
    /// named here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub book_beside: Vec<SeenAppointment>,
    /// The person was told the patient may already be booked and chose to book anyway (the
    /// CLI's `--book-anyway`, after its own look): the engine does not look again, and the
    /// registry records the choice.
    #[serde(default)]
    pub book_anyway: bool,
}

/// What of the triage summary went with a booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalSent {
    pub standard: PackageStandard,
    pub description: String,
    pub comment: Option<String>,
    /// UEC: the encounter report's id (the DocumentReference's identifier). BaRS: the id of
    /// the booking message that carried the summary.
    pub report_id: Option<String>,
    /// UEC: whether the report reached the service; the report is kept either way. BaRS: the
    /// summary went in the booking message, so it arrived with the booking.
    pub report_delivered: bool,
    /// Why the report did not reach the service, when it did not.
    pub report_problem: Option<Error>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingOutcome {
    pub appointment: AppointmentView,
    /// The provider's first answer was lost; this outcome was established afterwards, by
    /// finding the booking at the provider or by the retry that carried the same request id.
    pub confirmed_by_check: bool,
    /// Where the provider's details for the patient differ from ours.
    pub demographic_mismatches: Vec<DemographicMismatch>,
    /// What of the triage summary was sent, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical: Option<ClinicalSent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PatientAppointments {
    pub appointments: Vec<AppointmentView>,
    /// Services that could not be asked, with why.
    pub failures: Vec<Error>,
}

/// What a booking attempt will send, kept so that a retry sends exactly the same.
struct Plan<'a> {
    service: &'a Service,
    slots: Vec<SlotView>,
    patient_id: Option<String>,
    nhs: Option<NhsNumber>,
    request: FhirRequest,
}

/// Past and cancelled appointments cannot be changed: say so before asking the provider.
fn check_changeable(
    view: &AppointmentView,
    service: &Service,
    verb: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    check_changeable_at(
        Some(view.status.as_str()),
        Some(view.start),
        service,
        verb,
        now,
    )
}

/// Differences the call handler should see before trusting the match.
pub fn compare_demographics(ours: &PatientView, theirs: &PatientView) -> Vec<DemographicMismatch> {
    let mut out = Vec::new();
    let mut check = |field: &str, a: String, b: String| {
        if !a.is_empty() && !b.is_empty() && a.to_lowercase() != b.to_lowercase() {
            out.push(DemographicMismatch {
                field: field.into(),
                ours: a,
                theirs: b,
            });
        }
    };
    check("family name", ours.family.clone(), theirs.family.clone());
    check("given name", ours.given.join(" "), theirs.given.join(" "));
    check(
        "gender",
        ours.gender.clone().unwrap_or_default(),
        theirs.gender.clone().unwrap_or_default(),
    );
    check(
        "date of birth",
        ours.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        theirs.birth_date.map(|d| d.to_string()).unwrap_or_default(),
    );
    out
}

/// GP Connect books several slots only when they are back to back in one schedule.
fn check_contiguous(slots: &[SlotView]) -> Result<()> {
    for pair in slots.windows(2) {
        if pair[0].schedule_id != pair[1].schedule_id || pair[0].end != pair[1].start {
            return Err(Error::invalid(
                "Several slots can be booked together only when they follow on from each other with the same clinician.",
            )
            .with_next_step("Choose one slot, or adjoining slots of one schedule."));
        }
    }
    Ok(())
}

impl Engine {
    pub(crate) fn event(
        &self,
        action: Action,
        service: &Service,
        outcome: Outcome,
    ) -> BookingEvent {
        let s = self.session();
        BookingEvent {
            id: 0,
            recorded_at: self.clock().now(),
            action,
            outcome,
            user_local_id: s.user.local_id.clone(),
            user_name: s.user.name.clone(),
            user_role: serde_json::to_value(s.user.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            organisation_ods: s.organisation.ods.to_string(),
            service_id: service.id.to_string(),
            slot_ids: Vec::new(),
            appointment_id: None,
            appointment_version: None,
            appointment_status: None,
            appointment_start: None,
            appointment_end: None,
            nhs_number: None,
            trace_id: None,
            request_id: None,
            error_kind: None,
            error_message: None,
            reason: None,
            approved_by: None,
            approval_reason: None,
            desk: self.desk().name().to_string(),
            outside_timeframe: false,
            patient_ref: None,
            settles: None,
        }
    }

    /// Records an attempt; a registry failure is reported but never undoes what the provider did.
    pub(crate) async fn record(&self, mut e: BookingEvent, result: &Result<AppointmentView>) {
        match result {
            Ok(a) => {
                e.appointment_id = Some(a.id.to_string());
                e.appointment_version = a.version.clone();
                e.appointment_status = Some(a.status.clone());
                e.appointment_start = Some(a.start.to_rfc3339());
                e.appointment_end = Some(a.end.to_rfc3339());
                if e.nhs_number.is_none() {
                    e.nhs_number = a.nhs_number.as_ref().map(|n| n.as_str().to_string());
                }
            }
            Err(err) => {
                e.error_kind = serde_json::to_value(err.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
                e.error_message = Some(err.message.clone());
                e.trace_id = e.trace_id.or_else(|| err.trace_id.clone());
                if err.kind == ErrorKind::OutcomeUnknown {
                    e.outcome = Outcome::Unknown;
                }
            }
        }
        if let Err(err) = self.store().record(&e).await {
            tracing::error!(kind = ?err.kind, diagnostics = ?err.diagnostics, "registry write failed");
        }
    }

    /// Refuses what the signed-in role may not do, before anything is sent; the refusal is
    /// recorded like any failed attempt, so the registry shows who tried.
    async fn permit(&self, action: Permission, event: &BookingEvent) -> Result<()> {
        let Err(err) = permissions::check(self.session().user.role, action) else {
            return Ok(());
        };
        self.record(event.clone(), &Err(err.clone())).await;
        Err(err)
    }

    /// Books a slot for a patient. See the module docs for the safety rules.
    pub async fn book(&self, req: BookRequest) -> Result<BookingOutcome> {
        let service = self.service(&req.service_id)?;
        let mut event = self.event(Action::Book, &service, Outcome::Failed);
        event.slot_ids = req.slot_ids.iter().map(|s| s.to_string()).collect();
        event.nhs_number = req.nhs_number.as_ref().map(|n| n.as_str().to_string());
        self.permit(Permission::Book, &event).await?;
        check_texts(&req.description, req.comment.as_deref())?;
        if let Some(p) = &req.patient {
            p.check_chars()?;
        }
        // One correlation id for the booking, its slot check, retries and look-ups (BaRS).
        // This run's hold on its booking intent, kept until the outcome is recorded below.
        let mut hold = None;
        let result =
            bars::in_one_piece_of_work(self.book_inner(&service, &req, &mut event, &mut hold))
                .await;
        let view_result = result
            .as_ref()
            .map(|o| o.appointment.clone())
            .map_err(Clone::clone);
        if view_result.is_ok() {
            event.outcome = Outcome::Succeeded;
        }
        let request_id = event.request_id.clone();
        let unknown = matches!(&view_result, Err(e) if e.kind == ErrorKind::OutcomeUnknown);
        self.record(event, &view_result).await;
        // The outcome is recorded (or the record failed and was logged): nothing is left to
        // check after a restart. An unknown outcome keeps its intent: the next look at the
        // patient's appointments, or the next start, finds what became of it and records that.
        if !unknown
            && let Some(id) = request_id
            && let Err(e) = self.store().end_booking(&id).await
        {
            tracing::error!(kind = ?e.kind, "booking intent not closed");
        }
        if let Some(hold) = hold {
            hold.release().await;
        }
        result
    }

    async fn book_inner(
        &self,
        service: &Service,
        req: &BookRequest,
        event: &mut BookingEvent,
        hold: &mut Option<IntentHold>,
    ) -> Result<BookingOutcome> {
        if req.slot_ids.is_empty() {
            return Err(Error::invalid("Choose a slot to book."));
        }
        if service.standard != Standard::GpConnect && req.slot_ids.len() > 1 {
            return Err(Error::invalid(format!(
                "{} takes one slot per booking.",
                service.name
            )));
        }
        // No summary goes anywhere incomplete or without the patient's consent.
        if let Some(c) = &req.clinical {
            c.validate()?;
        }
        // Refused before anything is asked of the service: an assessment time from the future.
        let timeframe = req
            .timeframe
            .or_else(|| req.clinical.as_ref().map(|c| c.triage.timeframe()))
            .map(|tf| tf.as_recorded(self.clock().uk_now()))
            .transpose()?;
        // Who the patient is at this service, and whether their details agree with ours.
        let (patient_id, patient, mismatches) = self.resolve_patient(service, req).await?;
        // "Already booked?" is the engine's rule, not only the fronts': no front can skip it.
        if req.book_anyway {
            event.reason = Some(
                "booked anyway: the person chose to book beside any upcoming appointment".into(),
            );
        } else if let Some(nhs) = &patient.nhs_number {
            self.check_not_already_booked(nhs, &service.id, &req.book_beside)
                .await?;
        }
        // The slot must still be free now, not just when it was listed.
        let slots = self
            .free_slots_by_id(service, &req.slot_ids, req.slot_start)
            .await?;
        check_contiguous(&slots)?;
        // The approver is the desk's to know, from the clinician's own sign-in: a front names
        // only the ticket it was given.
        let approval = match &req.clinical_approval {
            Some(a) => {
                a.check()?;
                Some((
                    self.desk().approver(&a.ticket)?,
                    a.reason.trim().to_string(),
                ))
            }
            None => None,
        };
        permissions::check_timeframe(
            self.session().user.role,
            &self.session().user.sds_user_id,
            timeframe.as_ref(),
            approval.as_ref().map(|(a, _)| a),
            slots[0].start,
        )?;
        event.outside_timeframe = timeframe
            .as_ref()
            .is_some_and(|tf| tf.is_exceeded_by(slots[0].start));
        if let (true, Some((approver, reason))) = (event.outside_timeframe, approval) {
            event.approved_by = Some(approver.recorded());
            event.approval_reason = Some(reason);
        }
        let request_id = uuid::Uuid::new_v4();
        event.request_id = Some(request_id.to_string());
        // The encounter report's id, named by the UEC booking's DocumentReference.
        let report_id = uuid::Uuid::new_v4();
        // BaRS: the message sent, kept with the booking as the handover.
        let mut sent_message = None;
        let request = match service.standard {
            Standard::GpConnect => {
                let pid = patient_id.as_deref().unwrap_or_default();
                let body = gp_connect::booking(
                    self.session(),
                    &slots,
                    pid,
                    &req.description,
                    req.comment.as_deref(),
                    self.clock().uk_now(),
                )?;
                gp_connect::book(&body)?
            }
            Standard::UecBooking => {
                let body = uec_booking::booking(
                    &slots[0],
                    &patient,
                    &req.description,
                    req.comment.as_deref(),
                    report_id,
                    self.clock().uk_now(),
                )?;
                uec_booking::book(&body, request_id)?
            }
            Standard::Bars => {
                let built = self.bars_booking(service, &slots[0], &patient, req, request_id)?;
                sent_message = Some(built.message);
                built.request
            }
        };
        let plan = Plan {
            service,
            slots,
            patient_id,
            nhs: patient.nhs_number.clone(),
            request,
        };
        // Written before the request goes: if the desk dies while it is out, the next start
        // checks at the service. Without it no booking is sent, so none can be lost. Held
        // first, so that no other run takes it for an orphan while this one waits for the
        // service.
        let unwritten = |e: Error| {
            e.with_message(
                "The bookings registry could not be written, so the booking was not sent.",
            )
            .with_next_step(
                "Try again; if it keeps failing, tell your supervisor and book by phone.",
            )
        };
        *hold = Some(
            self.store()
                .hold_intent(&request_id.to_string())
                .await
                .map_err(unwritten)?,
        );
        self.store()
            .begin_booking(&BookingIntent {
                request_id: request_id.to_string(),
                recorded_at: self.clock().now(),
                service_id: service.id.to_string(),
                slot_ids: slot_ids(&plan).iter().map(|s| s.to_string()).collect(),
                slot_start: plan.slots[0].start.to_rfc3339(),
                nhs_number: plan.nhs.as_ref().map(|n| n.as_str().to_string()),
                user_local_id: event.user_local_id.clone(),
                user_name: event.user_name.clone(),
                desk: event.desk.clone(),
            })
            .await
            .map_err(unwritten)?;
        let (mut appointment, confirmed_by_check) = self.send_booking(&plan, event).await?;
        if appointment.nhs_number.is_none() {
            appointment.nhs_number = plan.nhs.clone();
        }
        fill_from_slot(&mut appointment, &plan.slots[0]);
        let clinical = match &req.clinical {
            Some(summary) => Some(
                self.keep_clinical(
                    service,
                    summary,
                    &patient,
                    &appointment,
                    req,
                    &Sent {
                        report_id,
                        bars_message: sent_message.as_ref(),
                    },
                )
                .await,
            ),
            None => None,
        };
        Ok(BookingOutcome {
            appointment,
            confirmed_by_check,
            demographic_mismatches: mismatches,
            clinical,
        })
    }

    /// The patient's id at the service (GP Connect) and the details to send (UEC).
    async fn resolve_patient(
        &self,
        service: &Service,
        req: &BookRequest,
    ) -> Result<(Option<String>, PatientView, Vec<DemographicMismatch>)> {
        match service.standard {
            Standard::GpConnect => {
                let nhs = req.nhs_number.as_ref().ok_or_else(|| {
                    Error::invalid(format!(
                        "{} needs the patient's NHS number to book.",
                        service.name
                    ))
                    .with_next_step(
                        "Find the patient's NHS number, or book with an urgent treatment centre.",
                    )
                })?;
                let theirs = self.find_patient(&service.id, nhs).await?.ok_or_else(|| {
                    Error::new(ErrorKind::PatientNotFound)
                        .with_service(&service.id)
                        .with_message(format!("{} has no record of this patient.", service.name))
                })?;
                let mismatches = req
                    .patient
                    .as_ref()
                    .map(|ours| compare_demographics(ours, &theirs))
                    .unwrap_or_default();
                Ok((theirs.id.clone(), theirs, mismatches))
            }
            // Neither has a patient search: the details go in the booking.
            Standard::UecBooking | Standard::Bars => {
                if let Some(p) = &req.patient {
                    let mut p = p.clone();
                    if p.nhs_number.is_none() {
                        p.nhs_number = req.nhs_number.clone();
                    }
                    return Ok((None, p, Vec::new()));
                }
                let nhs = req.nhs_number.as_ref().ok_or_else(|| {
                    Error::invalid("The patient's details are needed to book.").with_next_step(
                        "Enter the patient's name, date of birth, gender and address.",
                    )
                })?;
                // UEC has no patient search: look the patient up at a GP Connect service.
                if let Some(found) = self.lookup_patient(nhs).await? {
                    return Ok((None, found.patient, Vec::new()));
                }
                Err(Error::invalid(
                    "The patient's details could not be found from their NHS number.",
                )
                .with_next_step("Enter the patient's name, date of birth, gender and address."))
            }
        }
    }

    /// The requested slots, if every one is still offered as free; otherwise slot-taken. The
    /// search covers the slot's own UK day when it is known, else the next 14 days.
    async fn free_slots_by_id(
        &self,
        service: &Service,
        ids: &[SlotId],
        listed_start: Option<DateTime<FixedOffset>>,
    ) -> Result<Vec<SlotView>> {
        let window = match listed_start {
            Some(start) => SearchWindow::day(uk_day(start)),
            None => SearchWindow::default_from(self.clock().uk_today()),
        };
        let free = self.search_service(&service.id, &window).await?;
        let mut chosen = Vec::with_capacity(ids.len());
        for id in ids {
            match free.iter().find(|s| &s.id == id) {
                Some(s) => chosen.push(s.clone()),
                None => {
                    return Err(Error::new(ErrorKind::SlotTaken)
                        .with_service(&service.id)
                        .with_message(format!(
                            "That slot at {} is no longer free.",
                            service.name
                        )));
                }
            }
        }
        chosen.sort_by_key(|s| s.start);
        Ok(chosen)
    }

    /// Sends the booking once; if no answer came back, checks before ever sending it again.
    async fn send_booking(
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
            a.status == "booked"
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

    /// Changes the description and/or comment (GP Connect only).
    pub async fn amend(
        &self,
        service_id: &ServiceId,
        id: &AppointmentId,
        description: Option<String>,
        comment: Option<String>,
    ) -> Result<AppointmentView> {
        let service = self.service(service_id)?;
        let mut event = self.event(Action::Amend, &service, Outcome::Failed);
        event.appointment_id = Some(id.to_string());
        self.permit(Permission::Amend, &event).await?;
        let result = self
            .amend_inner(&service, id, description.as_deref(), comment.as_deref())
            .await;
        if result.is_ok() {
            event.outcome = Outcome::Succeeded;
        }
        self.record(event, &result).await;
        result
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
        let service = self.service(service_id)?;
        let mut event = self.event(Action::Cancel, &service, Outcome::Failed);
        event.appointment_id = Some(id.to_string());
        event.reason = Some(reason.to_string());
        self.permit(Permission::Cancel, &event).await?;
        crate::standards::chars::check_chars("cancellation reason", reason)?;
        let result = bars::in_one_piece_of_work(self.cancel_inner(&service, id, reason)).await;
        if result.is_ok() {
            event.outcome = Outcome::Succeeded;
        }
        self.record(event, &result).await;
        result
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

    /// The patient's appointments across services: GP Connect services are asked; for UEC
    /// services (no such search) the appointments this desk booked are read back.
    pub async fn patient_appointments(
        &self,
        nhs: &NhsNumber,
        services: &[ServiceId],
        window: &SearchWindow,
    ) -> PatientAppointments {
        let mut out = PatientAppointments {
            appointments: Vec::new(),
            failures: Vec::new(),
        };
        // Every service at once: the answer waits for the slowest, not for the sum.
        let asked = services
            .iter()
            .map(|id| self.appointments_at(id, nhs, window));
        for result in futures::future::join_all(asked).await {
            match result {
                Ok(mut list) => out.appointments.append(&mut list),
                Err(e) => out.failures.push(e),
            }
        }
        out.appointments.sort_by_key(|a| a.start);
        // Looking at the patient's appointments is when a booking of theirs whose outcome was
        // not known is settled in the registry too.
        self.settle_open_for(nhs).await;
        out
    }

    async fn appointments_at(
        &self,
        service_id: &ServiceId,
        nhs: &NhsNumber,
        window: &SearchWindow,
    ) -> Result<Vec<AppointmentView>> {
        self.may(Permission::ReadAppointments)?;
        let service = self.service(service_id)?;
        match service.standard {
            Standard::GpConnect => {
                let Some(patient) = self.find_patient(&service.id, nhs).await? else {
                    return Ok(Vec::new());
                };
                let pid = patient.id.clone().unwrap_or_default();
                let resp = self
                    .send(
                        &service,
                        gp_connect::patient_appointments(&pid, window),
                        Some(nhs),
                    )
                    .await?;
                let bundle: Bundle = resp.resource()?;
                Ok(bundle
                    .appointments()
                    .filter_map(|a| mapping::appointment_view(a, &service, Some(&bundle), None))
                    .map(|mut a| {
                        a.nhs_number = a.nhs_number.or_else(|| Some(nhs.clone()));
                        a
                    })
                    .collect())
            }
            Standard::UecBooking => {
                let mut list = Vec::new();
                for (_, aid) in self
                    .store()
                    .appointments_for(nhs.as_str(), Some(service.id.as_str()))
                    .await?
                {
                    let aid = AppointmentId::parse(&aid)?;
                    let a = self
                        .read_appointment_of(&service.id, &aid, Some(nhs))
                        .await?;
                    let day = a.start.date_naive();
                    if day >= window.from && day <= window.to {
                        list.push(a);
                    }
                }
                Ok(list)
            }
            Standard::Bars => Ok(self
                .bars_patient_appointments(&service, nhs)
                .await?
                .into_iter()
                .filter(|a| {
                    let day = a.start.date_naive();
                    day >= window.from && day <= window.to
                })
                .collect()),
        }
    }

    /// What this desk has booked, one line per appointment: a registry shared with other desks
    /// holds theirs too, which the centre's screens show, not this desk's list.
    pub async fn bookings(&self) -> Result<Vec<BookingSummary>> {
        self.may(Permission::ReviewBookings)?;
        let mut list = self.store().bookings().await?;
        list.retain(|b| b.desk == self.desk().name());
        Ok(list)
    }
}

/// What the provider's answer leaves out but the slot we booked told us (UEC answers carry no
/// schedule details): the confirmation read back to the patient must be complete.
fn fill_from_slot(a: &mut AppointmentView, slot: &SlotView) {
    a.delivery_channel = a.delivery_channel.or(slot.delivery_channel);
    a.slot_type = a.slot_type.take().or_else(|| slot.slot_type.clone());
    a.schedule_type = a
        .schedule_type
        .take()
        .or_else(|| slot.schedule_type.clone());
    match (&mut a.practitioner, &slot.practitioner) {
        (None, Some(p)) => a.practitioner = Some(p.clone()),
        (Some(mine), Some(p)) => {
            mine.name = mine.name.take().or_else(|| p.name.clone());
            mine.role = mine.role.take().or_else(|| p.role.clone());
            mine.gender = mine.gender.take().or_else(|| p.gender.clone());
        }
        _ => {}
    }
    match (&mut a.location, &slot.location) {
        (None, Some(l)) => a.location = Some(l.clone()),
        (Some(mine), Some(l)) => {
            mine.name = mine.name.take().or_else(|| l.name.clone());
            mine.address = mine.address.take().or_else(|| l.address.clone());
        }
        _ => {}
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

fn slot_ids(plan: &Plan<'_>) -> Vec<SlotId> {
    plan.slots.iter().map(|s| s.id.clone()).collect()
}

fn check_changeable_stu3(
    current: &Appointment,
    service: &Service,
    verb: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let start = current.start.as_deref().and_then(mapping::parse_instant);
    check_changeable_at(current.status.as_deref(), start, service, verb, now)
}

fn check_changeable_at(
    status: Option<&str>,
    start: Option<chrono::DateTime<chrono::FixedOffset>>,
    service: &Service,
    verb: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if status == Some("cancelled") {
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
