//! The commands the UI calls: one file per screen, each command a few lines over the engine.

pub mod app;
pub mod appointments;
pub mod booking;
pub mod bookings;
pub mod clinical;
pub mod patient;
pub mod reports;
pub mod secrets;
pub mod services;
pub mod session;
pub mod slots;
