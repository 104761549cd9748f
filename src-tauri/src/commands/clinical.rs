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

/// A clinician named at the desk approves a late slot: the demo's way (and a simulator-only
/// desk's). A desk that signs people in with CIS2 refuses it; its clinicians sign in to approve.
#[tauri::command]
#[specta::specta]
pub async fn approve_named(
    state: State<'_, AppState>,
    name: String,
) -> Result<booking_engine::clinical::Approver, Error> {
    state.engine().await?.desk().approver_named(&name)
}

/// A clinician signs in with CIS2, in the system browser, to approve a late slot.
#[tauri::command]
#[specta::specta]
pub async fn approve_with_cis2(
    state: State<'_, AppState>,
) -> Result<booking_engine::clinical::Approver, Error> {
    state.approve_with_cis2().await
}
