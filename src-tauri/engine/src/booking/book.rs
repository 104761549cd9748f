//! Booking a slot: the checks before anything is sent (role, texts, the patient, "already
//! booked?", the slot still free, the timeframe), the intent written before the request goes,
//! and the clinical handover kept with the booking.

use chrono::{DateTime, FixedOffset};

use super::handover::Sent;
use super::request::{BookRequest, BookingOutcome};
use crate::Engine;
use crate::auth::permissions::Action as Permission;
use crate::directory::{Service, Standard};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{NhsNumber, SlotId};
use crate::standards::{SearchWindow, bars, check_texts, gp_connect, uec_booking, uk_day};
use crate::store::{Action, BookingEvent, BookingIntent, IntentHold, Outcome};
use crate::transport::FhirRequest;
use crate::views::{AppointmentView, DemographicMismatch, PatientView, SlotView};

/// What a booking attempt will send, kept so that a retry sends exactly the same.
pub(super) struct Plan<'a> {
    pub(super) service: &'a Service,
    pub(super) slots: Vec<SlotView>,
    pub(super) patient_id: Option<String>,
    pub(super) nhs: Option<NhsNumber>,
    pub(super) request: FhirRequest,
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

/// The patient with the call-back number the caller gave as their phone when no other is known
/// (a restricted record's is never): UEC Booking refuses a patient it cannot phone.
fn reachable_on_call_back(mut p: PatientView, req: &BookRequest) -> PatientView {
    if p.phone.as_deref().is_none_or(|n| n.trim().is_empty())
        && let Some(summary) = &req.clinical
    {
        p.phone = Some(summary.call_back_number.trim().to_string());
    }
    p
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
    /// Books a slot for a patient. See the module docs for the safety rules.
    pub async fn book(&self, req: BookRequest) -> Result<BookingOutcome> {
        let nhs = req.nhs_number.as_ref().map(|n| n.as_str());
        let service = self.reach_service(&req.service_id, nhs).await?;
        let mut event = self.event(Action::Book, &service, Outcome::Failed);
        event.slot_ids = req.slot_ids.iter().map(|s| s.to_string()).collect();
        event.nhs_number = req.nhs_number.as_ref().map(|n| n.as_str().to_string());
        self.permit(Permission::Book, &event).await?;
        self.remember_found(&service).await;
        check_texts(&req.description, req.comment.as_deref())?;
        if let Some(p) = &req.patient {
            crate::standards::chars::check_patient_chars(p)?;
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
        crate::clinical::check_timeframe(
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
                // The practice's address of a record PDS holds as restricted is neither shown
                // nor kept.
                let theirs = self.withhold_if_restricted(theirs).await;
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
                    let p = self.withhold_if_restricted(p).await;
                    self.check_home_postcode(service, &p)?;
                    return Ok((None, reachable_on_call_back(p, req), Vec::new()));
                }
                let nhs = req.nhs_number.as_ref().ok_or_else(|| {
                    Error::invalid("The patient's details are needed to book.").with_next_step(
                        "Enter the patient's name, date of birth, gender and address.",
                    )
                })?;
                // UEC has no patient search: look the patient up at a GP Connect service.
                if let Some(found) = self.lookup_patient(nhs).await? {
                    self.check_home_postcode(service, &found.patient)?;
                    return Ok((None, reachable_on_call_back(found.patient, req), Vec::new()));
                }
                Err(Error::invalid(
                    "The patient's details could not be found from their NHS number.",
                )
                .with_next_step("Enter the patient's name, date of birth, gender and address."))
            }
        }
    }

    /// UEC Booking and BaRS take no booking without the patient's home postcode (NHS Digital's
    /// UEC test tool, FHIR_111_UEC C63 and C64; the BaRS guide's Application 1 Patient): refused
    /// here, before anything is sent, with what to do. A restricted record's address is never
    /// sent, so such a patient is booked at these services by phone.
    fn check_home_postcode(&self, service: &Service, p: &PatientView) -> Result<()> {
        if p.postcode.as_deref().is_some_and(|c| !c.trim().is_empty()) {
            return Ok(());
        }
        let restricted = p
            .nhs_number
            .as_ref()
            .and_then(|n| self.found.pds.restricted(n))
            .unwrap_or(false);
        let standard = service.standard.label();
        let e = if restricted {
            Error::invalid(format!(
                "This patient's record is restricted: their address is never sent to a service, \
                 and {} ({standard}) takes no booking without a home postcode.",
                service.name
            ))
            .with_next_step(format!(
                "Phone {} to book, or book at the patient's GP practice.",
                service.name
            ))
        } else {
            Error::invalid(format!(
                "{} ({standard}) needs the patient's home postcode to book.",
                service.name
            ))
            .with_next_step(
                "Enter the patient's home postcode (ZZ99 3VZ when they have no fixed abode), then book.",
            )
        };
        Err(e.with_service(&service.id))
    }

    /// The requested slots, if every one is still offered as free; otherwise slot-taken. The
    /// search covers the slot's own UK day when it is known, else the next 14 days.
    pub(super) async fn free_slots_by_id(
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

pub(super) fn slot_ids(plan: &Plan<'_>) -> Vec<SlotId> {
    plan.slots.iter().map(|s| s.id.clone()).collect()
}
