//! Every provider interaction goes into the audit trail: who asked, for which patient, what was
//! asked of which service, and how it ended. The trail is written here rather than in the
//! transport because only the engine holds the store and knows the patient.

use crate::Engine;
use crate::directory::Service;
use crate::error::Result;
use crate::ids::{AppointmentId, NhsNumber};
use crate::store::AuditRecord;
use crate::transport::{FhirRequest, FhirResponse, SendFailure};

use crate::wire::wire_name;

/// What an audited request asked, kept before the request is handed to the transport.
struct Asked {
    interaction: String,
    request_id: Option<uuid::Uuid>,
    appointment_id: Option<String>,
}

impl Engine {
    /// Sends through the transport and audits the interaction, whatever its outcome.
    pub(crate) async fn send_raw_audited(
        &self,
        service: &Service,
        req: FhirRequest,
        nhs: Option<&NhsNumber>,
    ) -> Result<FhirResponse, SendFailure> {
        let asked = Asked {
            interaction: req.interaction.clone(),
            request_id: req.request_id,
            appointment_id: req.appointment_id(),
        };
        // A Spine service found in the national directories is looked up in SDS for each
        // interaction, as GP Connect's rules ask, and never reused across them. (BaRS goes
        // through the platform's one root, which routes by the DoS id.)
        let resolved;
        let service = if service.standard != crate::directory::Standard::Bars
            && self.found.is_found(&service.id)
        {
            let scope = nhs.map_or("no patient", |n| n.as_str());
            match self
                .spine_endpoint(service.ods.as_str(), &req.interaction, scope)
                .await
                .and_then(|e| super::national::find::at_endpoint(service, &e))
            {
                Ok(s) => {
                    resolved = s;
                    &resolved
                }
                Err(error) => {
                    let result = Err(SendFailure {
                        error,
                        maybe_delivered: false,
                    });
                    self.audited(service, &asked, nhs, &result).await;
                    return result;
                }
            }
        } else {
            service
        };
        let result = self.send_with_auth(service, req).await;
        self.audited(service, &asked, nhs, &result).await;
        result
    }

    /// Appends one interaction to the audit trail. A failed write is logged (without patient
    /// data) and swallowed: the provider has already acted, and the desk must know what it did.
    async fn audited(
        &self,
        service: &Service,
        asked: &Asked,
        nhs: Option<&NhsNumber>,
        result: &Result<FhirResponse, SendFailure>,
    ) {
        let ended = result.as_ref().map_err(|f| &f.error);
        self.append_audit(service.id.as_str(), asked, nhs, ended)
            .await;
    }

    /// Audits a read from a national service (PDS): who asked about which patient, and how it
    /// ended, as for any provider.
    pub(crate) async fn audit_national(
        &self,
        api: &str,
        interaction: &str,
        nhs: Option<&NhsNumber>,
        result: &Result<FhirResponse>,
    ) {
        let asked = Asked {
            interaction: interaction.to_string(),
            request_id: None,
            appointment_id: None,
        };
        self.append_audit(api, &asked, nhs, result.as_ref()).await;
    }

    async fn append_audit(
        &self,
        service_id: &str,
        asked: &Asked,
        nhs: Option<&NhsNumber>,
        ended: std::result::Result<&FhirResponse, &crate::error::Error>,
    ) {
        let (outcome, trace_id) = match ended {
            Ok(resp) => (format!("http {}", resp.status), resp.trace_id.to_string()),
            Err(e) => (wire_name(e.kind), e.trace_id.clone().unwrap_or_default()),
        };
        let s = self.session();
        let record = AuditRecord {
            user_local_id: s.user.local_id.clone(),
            user_name: s.user.name.clone(),
            user_role: wire_name(s.user.role),
            organisation_ods: s.organisation.ods.to_string(),
            service_id: service_id.to_string(),
            interaction: asked.interaction.clone(),
            nhs_number: nhs.map(|n| n.as_str().to_string()),
            trace_id,
            request_id: asked.request_id.map(|r| r.to_string()),
            outcome,
            appointment_id: asked.appointment_id.clone(),
            covers: None,
        };
        if let Err(err) = self.store().append_audit(&record).await {
            tracing::error!(
                kind = ?err.kind,
                diagnostics = ?err.diagnostics,
                service = %service_id,
                interaction = %asked.interaction,
                trace_id = %record.trace_id,
                "audit write failed"
            );
        }
    }
}

impl Engine {
    /// The patient an appointment is for, when this desk booked it: amend and cancel name no
    /// patient themselves. Unknown (or unreadable) leaves the entry without one.
    pub(crate) async fn appointment_patient(
        &self,
        service: &Service,
        id: &AppointmentId,
    ) -> Option<NhsNumber> {
        let found = self
            .store()
            .appointment_nhs_number(service.id.as_str(), id.as_str())
            .await
            .ok()
            .flatten()?;
        NhsNumber::parse(&found).ok()
    }
}
