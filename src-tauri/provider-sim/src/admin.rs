//! Test hooks for driving a separate simulator process: list and reset appointments, and read
//! back BaRS bookings with the messages that carried them.

use crate::sim::Sim;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

async fn appointments(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(Value::Array(sim.store.all_appointments()))
}

async fn bars_bookings(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(serde_json::to_value(sim.store.bars_bookings()).unwrap_or_default())
}

async fn reset(State(sim): State<Arc<Sim>>) -> (StatusCode, Json<Value>) {
    sim.store.reset(sim.clock.now());
    tracing::info!("appointments reset to the seed");
    (StatusCode::OK, Json(json!({ "reset": true })))
}

/// Arms a booking whose outcome the desk cannot learn: the next GP Connect or UEC booking is
/// committed and its answer lost, and the next three looks at a patient's appointments (as many
/// as a desk makes before it gives up) are refused.
async fn lose_next_booking(State(sim): State<Arc<Sim>>) -> (StatusCode, Json<Value>) {
    sim.faults.lose_next_booking();
    tracing::info!("the next booking's answer will be lost");
    (StatusCode::OK, Json(json!({ "armed": true })))
}

/// Arms a booking the desk is still waiting on: the next GP Connect or UEC booking is committed
/// and its answer never sent, so a desk can be killed mid-request.
async fn hold_next_booking(State(sim): State<Arc<Sim>>) -> (StatusCode, Json<Value>) {
    sim.faults.hold_next_booking();
    tracing::info!("the next booking's answer will be held");
    (StatusCode::OK, Json(json!({ "armed": true })))
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_admin/faults/lose-next-booking", post(lose_next_booking))
        .route("/_admin/faults/hold-next-booking", post(hold_next_booking))
        .route("/_admin/appointments", get(appointments))
        .route("/_admin/bars-bookings", get(bars_bookings))
        .route("/_admin/reset", post(reset))
}
