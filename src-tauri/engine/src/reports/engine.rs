//! The supervisor's reviews of the whole centre, over the registry every desk shares. Each asks
//! the permission table first: a refusal is an error and nothing is read.

use chrono::Duration;

use super::days::{check_order, uk_day_start};
use super::figures::{REBOOKING_WINDOW, Recorded, SEARCH_WINDOW, centre_report};
use super::list::centre_bookings;
use super::types::{AppointmentHistory, BookingFilter, CentreBooking, CentreReport, ReportRange};
use crate::Engine;
use crate::auth::permissions::{self, Action as Permission};
use crate::error::Result;
use crate::ids::{AppointmentId, ServiceId};
use crate::store::{Action, Booked, BookingEvent};

impl Engine {
    fn review_centre(&self) -> Result<()> {
        permissions::check(self.session().user.role, Permission::ReviewCentre)
    }

    /// A service's name from this desk's directory; its id when the directory does not list it
    /// (another desk's service, or one since removed).
    fn service_name(&self, id: &str) -> String {
        self.directory()
            .find(id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|_| id.to_string())
    }

    /// The centre's booked list, newest booking first: one line per appointment booked at any
    /// desk sharing the registry, as its latest successful event leaves it.
    pub async fn centre_bookings(&self, filter: &BookingFilter) -> Result<Vec<CentreBooking>> {
        self.review_centre()?;
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            check_order(from, to)?;
        }
        let which = Booked {
            from: filter.from.map(uk_day_start),
            to: filter.to.map(|t| uk_day_start(t + Duration::days(1))),
            service_id: filter.service_id.as_deref(),
            user_local_id: filter.user_local_id.as_deref(),
            desk: filter.desk.as_deref(),
        };
        let events = self.store().booked_events(&which).await?;
        Ok(centre_bookings(&events, filter, |id| self.service_name(id)))
    }

    /// Everything recorded about one appointment, oldest first. Its booking events are those
    /// naming it. Its audit entries are those of the same service that name it (reads, amends
    /// and cancels record the appointment their request addressed), plus those sharing a
    /// request id or a trace id with one of its booking events: the booking request itself,
    /// sent before the appointment had an id.
    pub async fn appointment_history(
        &self,
        service_id: &ServiceId,
        appointment_id: &AppointmentId,
    ) -> Result<AppointmentHistory> {
        self.review_centre()?;
        let (service, appointment) = (service_id.as_str(), appointment_id.as_str());
        Ok(AppointmentHistory {
            service_id: service.to_string(),
            appointment_id: appointment.to_string(),
            events: self
                .store()
                .appointment_events(service, appointment)
                .await?,
            audit: self.store().appointment_audit(service, appointment).await?,
        })
    }

    /// The centre's figures over a range of UK days (at most 366).
    pub async fn centre_report(&self, range: &ReportRange) -> Result<CentreReport> {
        self.review_centre()?;
        range.check()?;
        let (from, to) = range.bounds();
        let mut events = self
            .store()
            .events_between(from - REBOOKING_WINDOW, to)
            .await?;
        // A booking whose unknown outcome was settled counts as what it turned out to be (the
        // settling event), not also as unknown.
        let settled = self.store().settled_events().await?;
        events.retain(|e| !settled.contains(&e.id));
        self.fill_cancelled_patients(&mut events).await?;
        let searches = self
            .store()
            .searches_between(from - SEARCH_WINDOW, to)
            .await?;
        let failed_interactions = self.store().failed_audit_between(from, to).await?;
        let recorded = Recorded {
            events: &events,
            searches: &searches,
            failed_interactions: &failed_interactions,
        };
        Ok(centre_report(*range, &recorded, |id| self.service_name(id)))
    }

    /// A cancellation names its patient only when the service's answer did: otherwise the
    /// patient is the one the appointment was booked for, wherever that was recorded.
    async fn fill_cancelled_patients(&self, events: &mut [BookingEvent]) -> Result<()> {
        for e in events.iter_mut() {
            if e.action != Action::Cancel || e.patient_key().is_some() {
                continue;
            }
            if let Some(appointment) = e.appointment_id.as_deref() {
                // The pseudonym too: it is what reports match on once the number is purged.
                (e.nhs_number, e.patient_ref) = self
                    .store()
                    .appointment_patient(&e.service_id, appointment)
                    .await?;
            }
        }
        Ok(())
    }
}
