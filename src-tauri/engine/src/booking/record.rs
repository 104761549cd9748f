//! Every attempt at a service, in the registry: who tried what, for whom, and what came of it.

use crate::Engine;
use crate::auth::permissions::{self, Action as Permission};
use crate::directory::Service;
use crate::error::{ErrorKind, Result};
use crate::store::{Action, BookingEvent, Outcome};
use crate::views::AppointmentView;

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
            user_role: crate::wire::wire_name(s.user.role),
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
                e.appointment_status = Some(a.status);
                e.appointment_start = Some(a.start.to_rfc3339());
                e.appointment_end = Some(a.end.to_rfc3339());
                if e.nhs_number.is_none() {
                    e.nhs_number = a.nhs_number.as_ref().map(|n| n.as_str().to_string());
                }
            }
            Err(err) => {
                e.error_kind = Some(crate::wire::wire_name(err.kind));
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
    pub(super) async fn permit(&self, action: Permission, event: &BookingEvent) -> Result<()> {
        let Err(err) = permissions::check(self.session().user.role, action) else {
            return Ok(());
        };
        self.record(event.clone(), &Err(err.clone())).await;
        Err(err)
    }

    /// Event, permit, act, record: a change at a service made only if the signed-in role may
    /// make it, and recorded with what came of it whatever that was.
    pub(super) async fn permitted_and_recorded(
        &self,
        permission: Permission,
        mut event: BookingEvent,
        act: impl std::future::Future<Output = Result<AppointmentView>>,
    ) -> Result<AppointmentView> {
        self.permit(permission, &event).await?;
        let result = act.await;
        if result.is_ok() {
            event.outcome = Outcome::Succeeded;
        }
        self.record(event, &result).await;
        result
    }
}
