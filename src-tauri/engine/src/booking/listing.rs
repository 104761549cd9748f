//! The patient's appointments across services, and what this desk has booked.

use super::request::PatientAppointments;
use crate::Engine;
use crate::auth::permissions::Action as Permission;
use crate::directory::Standard;
use crate::error::Result;
use crate::fhir::stu3::Bundle;
use crate::ids::{AppointmentId, NhsNumber, ServiceId};
use crate::standards::{SearchWindow, gp_connect, mapping};
use crate::store::BookingSummary;
use crate::views::AppointmentView;

impl Engine {
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

    /// The patient's appointments at every service in services.toml and wherever the registry
    /// says the centre booked them (a service found in the national directories is looked up
    /// again): a desk with no services list still shows what it booked.
    pub async fn patient_appointments_everywhere(
        &self,
        nhs: &NhsNumber,
        window: &SearchWindow,
    ) -> PatientAppointments {
        let (ask, unreached) = self
            .services_for_patient(nhs, &self.directory().ids())
            .await;
        let mut out = self.patient_appointments(nhs, &ask, window).await;
        out.failures.extend(unreached);
        out
    }

    async fn appointments_at(
        &self,
        service_id: &ServiceId,
        nhs: &NhsNumber,
        window: &SearchWindow,
    ) -> Result<Vec<AppointmentView>> {
        self.may(Permission::ReadAppointments)?;
        let service = self.reach_service(service_id, Some(nhs.as_str())).await?;
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
