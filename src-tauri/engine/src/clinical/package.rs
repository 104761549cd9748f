//! What each standard carries of the summary, for the person booking to read before sending and
//! for the confirmation to say afterwards.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::bars;
use super::cda::{self, ReportInput};
use super::summary::ClinicalSummary;
use super::text::{self, GpConnectText};
use crate::auth::Session;
use crate::directory::Standard;
use crate::standards::bars_message::Recipient;
use crate::views::PatientView;

/// The ways the summary can travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum PackageStandard {
    GpConnect,
    UecBooking,
    Bars,
}

impl From<Standard> for PackageStandard {
    fn from(s: Standard) -> Self {
        match s {
            Standard::GpConnect => PackageStandard::GpConnect,
            Standard::UecBooking => PackageStandard::UecBooking,
            Standard::Bars => PackageStandard::Bars,
        }
    }
}

/// One titled part of the report as the receiving clinician reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewSection {
    pub title: String,
    pub lines: Vec<String>,
}

/// Exactly what the receiving service will get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalPreview {
    pub standard: PackageStandard,
    /// The appointment's description and comment, cut to the standard's limits (editable).
    pub text: GpConnectText,
    /// The whole summary as sections: the UEC encounter report's body, the BaRS bundle's
    /// content, and for GP Connect what is kept with the booking when the comment is cut.
    pub sections: Vec<PreviewSection>,
    /// The document itself: the CDA report (UEC) or the message Bundle as JSON (BaRS).
    pub document: Option<String>,
}

/// Who and where, for the packages that name them.
pub struct PackageContext<'a> {
    pub patient: &'a PatientView,
    pub session: &'a Session,
    pub recipient_name: &'a str,
    pub recipient_ods: &'a str,
    /// Where a BaRS message is addressed (the `dos-service-id|…` endpoint).
    pub recipient_endpoint: String,
    pub now: DateTime<FixedOffset>,
}

/// Builds the preview; `report_id` names the UEC report (and its DocumentReference).
pub fn preview(
    summary: &ClinicalSummary,
    standard: PackageStandard,
    ctx: &PackageContext<'_>,
    report_id: Uuid,
) -> ClinicalPreview {
    let sections = text::sections(summary)
        .into_iter()
        .map(|s| PreviewSection {
            title: s.title.to_string(),
            lines: s.lines,
        })
        .collect();
    let document = match standard {
        PackageStandard::GpConnect => None,
        PackageStandard::UecBooking => Some(cda::report(&ReportInput {
            report_id,
            created_at: ctx.now,
            summary,
            patient: ctx.patient,
            session: ctx.session,
            recipient_name: ctx.recipient_name,
            appointment_ref: None,
        })),
        PackageStandard::Bars => {
            let bundle = bars::message_bundle(
                summary,
                ctx.patient,
                ctx.session,
                &Recipient {
                    name: ctx.recipient_name,
                    ods: ctx.recipient_ods,
                    endpoint: ctx.recipient_endpoint.clone(),
                },
                ctx.now,
            );
            serde_json::to_string_pretty(&bundle).ok()
        }
    };
    ClinicalPreview {
        standard,
        text: text::gp_connect(summary),
        sections,
        document,
    }
}
