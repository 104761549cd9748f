//! After a restart: bookings that were in flight when the desk stopped (their intent written, no
//! outcome recorded) are looked for at the service, and what became of each is recorded, so no
//! booking the provider made is unknown to the desk.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::Engine;
use crate::directory::Standard;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{NhsNumber, ServiceId, SlotId};
use crate::standards::mapping::parse_instant;
use crate::store::{Action, BookingIntent, Outcome};

/// What an interrupted booking turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Settled {
    /// The service has it: recorded as booked.
    Booked,
    /// The service searched and does not have it: recorded as not made.
    NotBooked,
    /// It could not be looked for (UEC has no search; the service did not answer): recorded as
    /// unknown, for a person to check with the service.
    StillUnknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Reconciled {
    pub service_id: String,
    /// `None` when the service is no longer in the directory.
    pub service_name: Option<String>,
    pub slot_ids: Vec<String>,
    /// When the slot starts, if the intent's record of it can be read.
    pub slot_start: Option<DateTime<FixedOffset>>,
    /// The patient's NHS number, when the booking named one: whom to tell, or to book again.
    pub nhs_number: Option<String>,
    pub settled: Settled,
    pub appointment_id: Option<String>,
    /// In words, for the person at the desk.
    pub message: String,
}

impl Engine {
    /// Settles every booking this desk left in flight. Each is recorded in the registry and its
    /// intent removed, whatever it turned out to be. A booking whose run is still at work (another
    /// process of this desk, waiting for a slow service) is not in flight but in hand: it is
    /// left to that run, whose own outcome is the true one.
    pub async fn reconcile_interrupted(&self) -> Result<Vec<Reconciled>> {
        let mut out = Vec::new();
        for intent in self.store().open_bookings(self.desk().name()).await? {
            let Some(hold) = self.store().claim_orphan(&intent.request_id).await? else {
                continue;
            };
            let settled = self.settle(&intent).await;
            // A service the desk can no longer reach (gone from services.toml, or from the
            // national directories) cannot be asked or recorded against: the intent stays, and
            // is reported again at the next start.
            let known = settled.service_name.is_some();
            out.push(settled);
            if known && let Err(e) = self.store().end_booking(&intent.request_id).await {
                tracing::error!(kind = ?e.kind, "interrupted booking not closed");
            }
            hold.release().await;
        }
        Ok(out)
    }

    /// Settles this desk's open bookings for the patient (outcome unknown, or interrupted) now
    /// that their appointments are being looked at: each is looked for at its service and the
    /// registry records what it turned out to be. One still not known stays open, for the next
    /// look or start; one another run still has in hand is left to it.
    pub(crate) async fn settle_open_for(&self, nhs: &NhsNumber) -> Vec<Reconciled> {
        self.settle_open(|i| i.nhs_number.as_deref() == Some(nhs.as_str()))
            .await
    }

    /// Settles every booking this desk left with its outcome not known (or interrupted), for
    /// whichever patient, before another person takes the desk: the person who booked may not
    /// come back to it, and the next person must know what became of each. A booking still in
    /// hand (its answer awaited) is left to its run, whose own outcome is the true one; one
    /// still not known stays open for the next look or start.
    pub async fn settle_left_open(&self) -> Vec<Reconciled> {
        self.settle_open(|_| true).await
    }

    async fn settle_open(&self, which: impl Fn(&BookingIntent) -> bool) -> Vec<Reconciled> {
        let open = match self.store().open_bookings(self.desk().name()).await {
            Ok(open) => open,
            Err(e) => {
                tracing::warn!(kind = ?e.kind, "open bookings not read");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for intent in open.iter().filter(|i| which(i)) {
            let Ok(Some(hold)) = self.store().claim_orphan(&intent.request_id).await else {
                continue;
            };
            let settled = self.settle(intent).await;
            if settled.settled != Settled::StillUnknown
                && let Err(e) = self.store().end_booking(&intent.request_id).await
            {
                tracing::error!(kind = ?e.kind, "settled booking not closed");
            }
            hold.release().await;
            out.push(settled);
        }
        out
    }

    async fn settle(&self, intent: &BookingIntent) -> Reconciled {
        let Ok(service_id) = ServiceId::parse(&intent.service_id) else {
            return unknown(intent, "its service id is not valid");
        };
        // A service found in the national directories is looked up there again.
        let service = match self
            .reach_service(&service_id, intent.nhs_number.as_deref())
            .await
        {
            Ok(service) => service,
            Err(e) if e.kind == ErrorKind::UnknownService => {
                return unknown(intent, "its service is no longer in the directory");
            }
            Err(_) => return unknown(intent, "its service could not be looked up"),
        };
        let found = self.look_for(intent, &service).await;
        let mut event = self.event(Action::Book, &service, Outcome::Failed);
        event.slot_ids = intent.slot_ids.clone();
        event.nhs_number = intent.nhs_number.clone();
        event.request_id = Some(intent.request_id.clone());
        event.user_local_id = intent.user_local_id.clone();
        event.user_name = intent.user_name.clone();
        let (settled, result) = match found {
            Ok(Some(a)) => {
                event.outcome = Outcome::Succeeded;
                event.reason = Some("found at the service after an interrupted booking".into());
                (Settled::Booked, Ok(a))
            }
            Ok(None) if searchable(service.standard, intent) => (
                Settled::NotBooked,
                Err(Error::new(ErrorKind::Rejected).with_message(
                    "An interrupted booking was not made: the service was checked and does not have it.",
                )),
            ),
            Ok(None) | Err(_) => (Settled::StillUnknown, Err(Error::new(ErrorKind::OutcomeUnknown))),
        };
        let appointment_id = result.as_ref().ok().map(|a| a.id.to_string());
        // A booking the desk recorded as unknown was not interrupted: say which it was.
        let what = match self.store().outcome_of(&intent.request_id).await {
            Ok(Some(Outcome::Unknown)) => "A booking whose outcome was not known",
            _ => "An interrupted booking",
        };
        let message = match settled {
            Settled::Booked => format!(
                "{what} at {} was made: appointment {}.",
                service.name,
                appointment_id.as_deref().unwrap_or_default()
            ),
            Settled::NotBooked => format!(
                "{what} at {} was not made; the patient is not booked there.",
                service.name
            ),
            Settled::StillUnknown => format!(
                "{what} at {} could not be checked: call the service before booking again.",
                service.name
            ),
        };
        self.record(event, &result).await;
        Reconciled {
            service_name: Some(service.name.clone()),
            settled,
            appointment_id,
            message,
            ..about(intent)
        }
    }

    /// The booking at the service, if the standard lets the desk look.
    async fn look_for(
        &self,
        intent: &BookingIntent,
        service: &crate::directory::Service,
    ) -> Result<Option<crate::views::AppointmentView>> {
        let nhs = intent
            .nhs_number
            .as_deref()
            .map(NhsNumber::parse)
            .transpose()?;
        let start = parse_instant(&intent.slot_start).ok_or_else(|| {
            Error::new(ErrorKind::Store).with_diagnostics("intent without a readable slot start")
        })?;
        let wanted = intent
            .slot_ids
            .iter()
            .map(|s| SlotId::parse(s))
            .collect::<Result<Vec<_>>>()?;
        let patient_id = match (&service.standard, &nhs) {
            (Standard::GpConnect, Some(n)) => {
                self.find_patient(&service.id, n).await?.and_then(|p| p.id)
            }
            _ => None,
        };
        self.find_booked(service, &wanted, start, patient_id.as_deref(), nhs.as_ref())
            .await
    }
}

/// Whether "not found" means "not made": the standard searches the patient's appointments.
fn searchable(standard: Standard, intent: &BookingIntent) -> bool {
    matches!(standard, Standard::GpConnect | Standard::Bars) && intent.nhs_number.is_some()
}

fn unknown(intent: &BookingIntent, why: &str) -> Reconciled {
    Reconciled {
        message: format!("An interrupted booking could not be checked ({why}): call the service."),
        ..about(intent)
    }
}

/// What the intent itself says, before anything is known of the service or the outcome.
fn about(intent: &BookingIntent) -> Reconciled {
    Reconciled {
        service_id: intent.service_id.clone(),
        service_name: None,
        slot_ids: intent.slot_ids.clone(),
        slot_start: parse_instant(&intent.slot_start),
        nhs_number: intent.nhs_number.clone(),
        settled: Settled::StillUnknown,
        appointment_id: None,
        message: String::new(),
    }
}
