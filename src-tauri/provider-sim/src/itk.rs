//! The 111 encounter report's way in, standing in for ITK messaging: a UEC service receives the
//! CDA document, keeps it (never replacing one it already has), and shows what it received
//! through `/_admin/reports` as its clinicians would see it.

use crate::seed::Standard;
use crate::sim::Sim;
use crate::state::ReceivedReport;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

/// Where a service's reports arrive, relative to the simulator's root.
pub fn report_path(service_id: &str) -> String {
    format!("/itk/{service_id}/report")
}

fn refuse(status: StatusCode, why: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "error": why })))
}

/// The document's own id: the `root` of the first `<id>` of the ClinicalDocument.
fn document_id(xml: &str) -> Option<String> {
    let start = xml.find("<ClinicalDocument")?;
    let rest = &xml[start..];
    let at = rest.find("<id root=\"")? + "<id root=\"".len();
    let id = rest[at..].split('"').next()?;
    uuid::Uuid::parse_str(id).ok().map(|u| u.to_string())
}

async fn receive(
    State(sim): State<Arc<Sim>>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    match sim.region.service(&service) {
        Some(s) if s.standard == Standard::UecBooking => {}
        Some(_) => return refuse(StatusCode::NOT_FOUND, "this service takes no 111 reports"),
        None => return refuse(StatusCode::NOT_FOUND, "no such service"),
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/hl7-v3+xml") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a 111 report must be application/hl7-v3+xml",
        );
    }
    let Ok(xml) = String::from_utf8(body.to_vec()) else {
        return refuse(StatusCode::BAD_REQUEST, "the report is not UTF-8 text");
    };
    let Some(report_id) = document_id(&xml) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the report is not a ClinicalDocument with a UUID id",
        );
    };
    let kept = sim.store.add_report(ReceivedReport {
        service,
        report_id: report_id.clone(),
        received_at: sim.clock.now(),
        xml,
    });
    if !kept {
        return refuse(
            StatusCode::CONFLICT,
            "a report with this id was already received; reports are never replaced",
        );
    }
    tracing::info!(report_id = %report_id, "111 report received");
    (
        StatusCode::ACCEPTED,
        Json(json!({ "report_id": report_id })),
    )
}

async fn reports(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(serde_json::to_value(sim.store.all_reports()).unwrap_or_default())
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/itk/{service}/report", post(receive))
        .route("/_admin/reports", get(reports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_id_is_read_from_the_clinical_document() {
        let xml = r#"<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"><typeId root="2.16.840.1.113883.1.3"/><id root="5A1C0F6E-2F43-4C5E-9A53-0C7F7C2B1D11"/></ClinicalDocument>"#;
        assert_eq!(
            document_id(xml).as_deref(),
            Some("5a1c0f6e-2f43-4c5e-9a53-0c7f7c2b1d11")
        );
        assert_eq!(document_id("<ClinicalDocument><id root=\"x\"/>"), None);
        assert_eq!(document_id("<html/>"), None);
    }
}
