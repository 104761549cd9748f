use booking_engine::Error;
use booking_engine::clinical::{ClinicalPreview, ClinicalSummary};
use booking_engine::ids::ServiceId;
use booking_engine::views::PatientView;
use tauri::State;

use crate::state::AppState;

/// Exactly what the chosen service would receive of the triage summary for this patient.
#[tauri::command]
#[specta::specta]
pub async fn clinical_preview(
    state: State<'_, AppState>,
    summary: ClinicalSummary,
    service_id: ServiceId,
    patient: PatientView,
) -> Result<ClinicalPreview, Error> {
    state
        .engine()
        .await?
        .clinical_preview(&summary, &service_id, &patient)
}
