//! "Already booked?": before a booking, the patient's upcoming appointments — at the services
//! the desk was asked about and wherever the centre's registry says it booked them — so a second
//! appointment is a deliberate choice, not an accident of two calls.

use serde::{Deserialize, Serialize};

use super::PatientAppointments;
use crate::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{AppointmentId, NhsNumber, ServiceId};
use crate::standards::{SearchWindow, uk_time};
use crate::views::{AppointmentStatus, AppointmentView};

/// An upcoming appointment the person was shown before booking, and chose to book beside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SeenAppointment {
    pub service_id: ServiceId,
    pub appointment_id: AppointmentId,
}

impl SeenAppointment {
    pub fn of(a: &AppointmentView) -> Self {
        SeenAppointment {
            service_id: a.service_id.clone(),
            appointment_id: a.id.clone(),
        }
    }
}

impl Engine {
    /// The safety check itself, whichever front asks for the booking: the patient's upcoming
    /// appointments at `service` and wherever the registry says the centre booked them are
    /// looked for, and any the person did not acknowledge (`seen`) refuses the booking, named.
    /// A service that cannot be asked does not stop the booking: the fronts warn of it.
    pub(crate) async fn check_not_already_booked(
        &self,
        nhs: &NhsNumber,
        service: &ServiceId,
        seen: &[SeenAppointment],
    ) -> Result<()> {
        let found = self
            .upcoming_appointments(nhs, std::slice::from_ref(service))
            .await;
        for f in &found.failures {
            tracing::warn!(kind = ?f.kind, "a service was not asked in the already-booked check");
        }
        let unseen: Vec<String> = found
            .appointments
            .iter()
            .filter(|a| !seen.contains(&SeenAppointment::of(a)))
            .map(|a| format!("{} at {} ({})", a.service_name, uk_time(a.start), a.id))
            .collect();
        if unseen.is_empty() {
            return Ok(());
        }
        Err(Error::new(ErrorKind::AlreadyBooked)
            .with_message(format!(
                "The patient already has an upcoming appointment: {}.",
                unseen.join("; ")
            ))
            .with_next_step(
                "Check with the patient. To book another as well, confirm that you have seen the appointment they already have.",
            ))
    }

    /// The patient's booked appointments still to come: asked of `services` (GP Connect and
    /// BaRS services search by NHS number; UEC ones are read back from the registry) and of every
    /// service the registry knows the centre booked them at. Services that could not be asked
    /// are listed with why; the check never stops a booking by itself.
    pub async fn upcoming_appointments(
        &self,
        nhs: &NhsNumber,
        services: &[ServiceId],
    ) -> PatientAppointments {
        let (ask, unreached) = self.services_for_patient(nhs, services).await;
        let window = SearchWindow::default_from(self.clock().uk_today());
        let mut found = self.patient_appointments(nhs, &ask, &window).await;
        found.failures.extend(unreached);
        let now = self.clock().now();
        found
            .appointments
            .retain(|a| a.status == AppointmentStatus::Booked && a.start > now);
        found
    }

    /// `services`, and every service the registry says the centre booked the patient at: a
    /// service found in the national directories in an earlier session is looked up again. One
    /// that cannot be reached is returned with why, never dropped unsaid.
    pub(crate) async fn services_for_patient(
        &self,
        nhs: &NhsNumber,
        services: &[ServiceId],
    ) -> (Vec<ServiceId>, Vec<Error>) {
        let mut ask: Vec<ServiceId> = services
            .iter()
            .filter(|id| self.service(id).is_ok())
            .cloned()
            .collect();
        let mut unreached = Vec::new();
        let known = match self.store().appointments_for(nhs.as_str(), None).await {
            Ok(known) => known,
            // The services asked still answer; the registry's part is missing, and said so.
            Err(e) => {
                tracing::warn!(kind = ?e.kind, "registry not read for the patient's services");
                unreached.push(e);
                Vec::new()
            }
        };
        let mut booked_at: Vec<String> = known.into_iter().map(|(service, _)| service).collect();
        booked_at.sort();
        booked_at.dedup();
        for id in booked_at.iter().filter_map(|s| ServiceId::parse(s).ok()) {
            if ask.contains(&id) {
                continue;
            }
            match self.reach_service(&id, Some(nhs.as_str())).await {
                Ok(s) if !ask.contains(&s.id) => ask.push(s.id),
                Ok(_) => {}
                // Booked by a desk with another services list, say: this desk cannot ask.
                Err(e) if e.kind == ErrorKind::UnknownService => unreached.push(
                    Error::new(ErrorKind::UnknownService)
                        .with_service(&id)
                        .with_message(format!(
                            "The centre booked this patient at '{id}', which this desk does not know."
                        ))
                        .with_next_step("Check with that service by phone before booking again."),
                ),
                Err(e) => unreached.push(e.with_service(&id)),
            }
        }
        (ask, unreached)
    }
}
