//! Each finished fan-out search goes into the registry for the centre's reports: who searched at
//! which desk, how many services were asked, how many failed and how many slots came back.

use crate::Engine;
use crate::standards::SearchWindow;
use crate::store::SearchRecord;

/// What one search came to, counted as its services answered.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SearchTally {
    pub asked: u32,
    pub failed: u32,
    pub slots: u32,
}

impl Engine {
    /// Records a finished search. A registry failure is logged (no patient data: a search has
    /// none) and never fails the search: the slots are already on screen.
    pub(crate) async fn record_search(&self, window: &SearchWindow, tally: SearchTally) {
        let s = self.session();
        let record = SearchRecord {
            id: 0,
            recorded_at: self.clock().now(),
            user_local_id: s.user.local_id.clone(),
            user_name: s.user.name.clone(),
            desk: self.desk().name().to_string(),
            organisation_ods: s.organisation.ods.to_string(),
            services_asked: tally.asked,
            services_failed: tally.failed,
            slots_found: tally.slots,
            window_from: window.from,
            window_to: window.to,
        };
        if let Err(err) = self.store().record_search(&record).await {
            tracing::error!(kind = ?err.kind, diagnostics = ?err.diagnostics, "search not recorded");
        }
    }
}
