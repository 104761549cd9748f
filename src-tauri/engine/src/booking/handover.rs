//! The clinical handover: what the receiving service will get of the call's triage summary
//! (previewed before booking), and — once booked — keeping it with the booking and delivering the
//! UEC encounter report with the appointment's reference written in.

use uuid::Uuid;

use super::request::{BookRequest, ClinicalSent};
use crate::Engine;
use crate::clinical::cda::{self, ReportInput};
use crate::clinical::{
    ClinicalPreview, ClinicalSummary, PackageContext, PackageStandard, bars, preview,
};
use crate::directory::Service;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::ServiceId;
use crate::standards::bars_message::{self, Recipient};
use crate::store::Handover;
use crate::views::{AppointmentView, PatientView};

const CDA_CONTENT_TYPE: &str = "application/hl7-v3+xml";

/// What the booking itself carried of the handover.
pub(crate) struct Sent<'a> {
    /// The UEC encounter report's id, which the booking's DocumentReference names.
    pub report_id: Uuid,
    /// BaRS: the booking message, clinical entries and all.
    pub bars_message: Option<&'a serde_json::Value>,
}

fn context<'a>(
    engine: &'a Engine,
    service: &'a Service,
    patient: &'a PatientView,
) -> PackageContext<'a> {
    PackageContext {
        patient,
        session: engine.session(),
        recipient_name: &service.name,
        recipient_ods: service.ods.as_str(),
        recipient_endpoint: match &service.target_identifier {
            Some(target) => bars_message::endpoint(target),
            None => service.base_url.clone(),
        },
        now: engine.clock().uk_now(),
    }
}

impl Engine {
    /// Exactly what `service` would receive of `summary` for this patient. The content is
    /// checked (consent is checked only when booking, so the preview can come first).
    pub fn clinical_preview(
        &self,
        summary: &ClinicalSummary,
        service_id: &ServiceId,
        patient: &PatientView,
    ) -> Result<ClinicalPreview> {
        summary.check_content()?;
        let service = &self.service(service_id)?;
        // As the booking will send it: nothing of a restricted record's address.
        let patient = &self.found.pds.withheld(patient.clone());
        Ok(preview(
            summary,
            service.standard.into(),
            &context(self, service, patient),
            Uuid::new_v4(),
        ))
    }

    /// Keeps the handover with the booking and, for UEC, delivers the report. A failure here
    /// never undoes the booking: it is reported in what comes back.
    pub(crate) async fn keep_clinical(
        &self,
        service: &Service,
        summary: &ClinicalSummary,
        patient: &PatientView,
        appointment: &AppointmentView,
        req: &BookRequest,
        sent: &Sent<'_>,
    ) -> ClinicalSent {
        let report_id = sent.report_id;
        let standard = PackageStandard::from(service.standard);
        let ctx = context(self, service, patient);
        let appointment_url = service.url(&format!("Appointment/{}", appointment.id));
        let report = (standard == PackageStandard::UecBooking).then(|| {
            cda::report(&ReportInput {
                report_id,
                created_at: ctx.now,
                summary,
                patient,
                session: self.session(),
                recipient_name: &service.name,
                appointment_ref: Some(&appointment_url),
            })
        });
        // BaRS: the message that went, clinical entries and all; otherwise the summary as a
        // BaRS message, kept ready for when the service moves to BaRS.
        let bundle = match sent.bars_message {
            Some(sent) => sent.clone(),
            None => bars::message_bundle(
                summary,
                patient,
                self.session(),
                &Recipient {
                    name: &service.name,
                    ods: service.ods.as_str(),
                    endpoint: ctx.recipient_endpoint.clone(),
                },
                ctx.now,
            ),
        };
        let handover = Handover {
            recorded_at: self.clock().now(),
            service_id: service.id.to_string(),
            appointment_id: appointment.id.to_string(),
            standard: crate::wire::wire_name(standard),
            summary_json: serde_json::to_string(summary).unwrap_or_default(),
            description: req.description.clone(),
            comment: req.comment.clone(),
            report_id: report.as_ref().map(|_| report_id.to_string()),
            report_xml: report.clone(),
            bars_bundle: bundle.to_string(),
            delivered_at: None,
        };
        if let Err(e) = self.store().record_handover(&handover).await {
            tracing::error!(kind = ?e.kind, diagnostics = ?e.diagnostics, "handover not recorded");
        }
        let (delivered, problem) = match report {
            Some(xml) => match self.deliver_report(service, report_id, xml).await {
                Ok(()) => (true, None),
                Err(e) => (false, Some(e)),
            },
            // BaRS: it went in the booking message, which the service accepted.
            None => (sent.bars_message.is_some(), None),
        };
        let message_id = sent
            .bars_message
            .and_then(|m| m["id"].as_str())
            .map(str::to_string);
        ClinicalSent {
            standard,
            description: req.description.clone(),
            comment: req.comment.clone(),
            report_id: handover.report_id.or(message_id),
            report_delivered: delivered,
            report_problem: problem,
        }
    }

    async fn deliver_report(&self, service: &Service, report_id: Uuid, xml: String) -> Result<()> {
        let url = service.report_url.as_deref().ok_or_else(|| {
            Error::new(ErrorKind::Unavailable)
                .with_service(&service.id)
                .with_message(format!(
                    "{} has no report channel set up, so the 111 report was kept here but not sent.",
                    service.name
                ))
                .with_next_step(
                    "Phone the service with anything they must know before the patient arrives.",
                )
        })?;
        // Built by us from checked text, but never sent if it is not XML after all.
        let xml = cda::checked(xml).map_err(|e| e.with_service(&service.id))?;
        self.transport()
            .post_document(url, CDA_CONTENT_TYPE, xml)
            .await
            .map_err(|e| {
                e.with_service(&service.id).with_next_step(
                    "The booking stands and the report is kept; phone the service with anything urgent.",
                )
            })?;
        if let Err(e) = self
            .store()
            .mark_report_delivered(&report_id.to_string(), self.clock().now())
            .await
        {
            tracing::error!(kind = ?e.kind, "report delivery not recorded");
        }
        tracing::info!(service = %service.id, report_id = %report_id, "report delivered");
        Ok(())
    }
}
