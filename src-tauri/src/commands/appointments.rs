use booking_engine::Error;
use booking_engine::booking::PatientAppointments;
use booking_engine::ids::{AppointmentId, NhsNumber, ServiceId};
use booking_engine::standards::SearchWindow;
use booking_engine::views::AppointmentView;
use tauri::State;

use crate::state::AppState;

/// The patient's appointments at every service in the directory and wherever the centre
/// booked them.
#[tauri::command]
#[specta::specta]
pub async fn patient_appointments(
    state: State<'_, AppState>,
    nhs: String,
    window: SearchWindow,
) -> Result<PatientAppointments, Error> {
    let engine = state.engine().await?;
    let nhs = NhsNumber::parse(&nhs)?;
    Ok(engine.patient_appointments_everywhere(&nhs, &window).await)
}

/// "Already booked?": the patient's upcoming appointments at `services` and wherever the
/// registry says the centre booked them, before another booking is made.
#[tauri::command]
#[specta::specta]
pub async fn upcoming_appointments(
    state: State<'_, AppState>,
    nhs: String,
    services: Vec<ServiceId>,
) -> Result<PatientAppointments, Error> {
    let engine = state.engine().await?;
    let nhs = NhsNumber::parse(&nhs)?;
    Ok(engine.upcoming_appointments(&nhs, &services).await)
}

#[tauri::command]
#[specta::specta]
pub async fn read_appointment(
    state: State<'_, AppState>,
    service_id: ServiceId,
    appointment_id: AppointmentId,
) -> Result<AppointmentView, Error> {
    state
        .engine()
        .await?
        .read_appointment(&service_id, &appointment_id)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn amend_appointment(
    state: State<'_, AppState>,
    service_id: ServiceId,
    appointment_id: AppointmentId,
    description: Option<String>,
    comment: Option<String>,
) -> Result<AppointmentView, Error> {
    let engine = state.engine().await?;
    engine
        .amend(&service_id, &appointment_id, description, comment)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_appointment(
    state: State<'_, AppState>,
    service_id: ServiceId,
    appointment_id: AppointmentId,
    reason: String,
) -> Result<AppointmentView, Error> {
    state
        .engine()
        .await?
        .cancel(&service_id, &appointment_id, &reason)
        .await
}
