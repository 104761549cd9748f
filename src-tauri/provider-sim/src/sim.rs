//! The shared state behind every request: the region, the store, the fault dice, the simulated
//! platform's token ledger and our URL.

use crate::faults::Faults;
use crate::seed::{Region, Service};
use crate::state::Store;
use crate::token::Platform;
use std::sync::Arc;

pub struct Sim {
    pub region: Arc<Region>,
    pub store: Store,
    pub faults: Faults,
    /// BaRS services accept the bearer tokens this platform issued.
    pub platform: Arc<Platform>,
    /// `http://host:port`, no trailing slash.
    pub base_url: String,
    /// Every "now" the simulator uses.
    pub clock: crate::clock::SimClock,
}

impl Sim {
    /// A service's full root URL.
    pub fn root_url(&self, service: &Service) -> String {
        format!("{}{}", self.base_url, service.root_path())
    }
}
