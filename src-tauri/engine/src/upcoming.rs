//! "Already booked?": before a booking, the patient's upcoming appointments — at the services
//! the desk was asked about and wherever the centre's registry says it booked them — so a second
//! appointment is a deliberate choice, not an accident of two calls.

use crate::Engine;
use crate::booking::PatientAppointments;
use crate::ids::{NhsNumber, ServiceId};
use crate::standards::SearchWindow;

impl Engine {
    /// The patient's booked appointments still to come: asked of `services` (GP Connect and
    /// BaRS services search by NHS number; UEC ones are read back from the registry) and of every
    /// service the registry knows the centre booked them at. Services that could not be asked
    /// are listed with why; the check never stops a booking by itself.
    pub async fn upcoming_appointments(
        &self,
        nhs: &NhsNumber,
        services: &[ServiceId],
    ) -> PatientAppointments {
        let mut ask: Vec<ServiceId> = services
            .iter()
            .filter(|id| self.directory().get(id).is_ok())
            .cloned()
            .collect();
        match self.store().appointments_for(nhs.as_str(), None).await {
            Ok(known) => {
                for (service, _) in known {
                    if let Ok(id) = ServiceId::parse(&service)
                        && self.directory().get(&id).is_ok()
                        && !ask.contains(&id)
                    {
                        ask.push(id);
                    }
                }
            }
            // The services asked still answer; the registry's part is missing, and said so.
            Err(e) => tracing::warn!(kind = ?e.kind, "registry not read for the upcoming check"),
        }
        let window = SearchWindow::default_from(self.clock().uk_today());
        let mut found = self.patient_appointments(nhs, &ask, &window).await;
        let now = self.clock().now();
        found
            .appointments
            .retain(|a| a.status == "booked" && a.start > now);
        found
    }
}
