//! The national directory services a 111 desk finds services and endpoints with: the Directory
//! of Services' SOAP web service ([`dos`]) and the Spine Directory Service FHIR API ([`sds`]),
//! over the region's services and a few that only the directories know ([`directory`]).

pub mod directory;
mod dos;
mod dos_search;
pub use dos_search::is_bank_holiday;
mod sds;
mod soap;

pub use dos::PATH as DOS_PATH;
pub use sds::BASE_PATH as SDS_PATH;

use crate::clock::SimClock;
use axum::Router;
use axum::routing::{any, post};
use directory::Directory;
use std::sync::Arc;

/// What the directories answer from.
pub struct National {
    pub directory: Directory,
    pub clock: SimClock,
    /// `http://host:port`, for SDS's links.
    pub base_url: String,
    /// The API platform, whose applications' API keys SDS accepts (API-key authentication is
    /// by the calling application's key on the platform).
    pub platform: Arc<crate::token::Platform>,
    /// `/Endpoint` searches asked, as (ODS code, interaction id): a test hook.
    pub endpoint_lookups: std::sync::Mutex<Vec<(String, String)>>,
}

/// The directories' routes, with their own state, to merge into the app.
pub fn router<S: Clone + Send + Sync + 'static>(national: Arc<National>) -> Router<S> {
    Router::new()
        .route(DOS_PATH, post(dos::post))
        .route(SDS_PATH, any(sds::serve))
        .route(&format!("{SDS_PATH}/{{*rest}}"), any(sds::serve))
        .with_state(national)
}
