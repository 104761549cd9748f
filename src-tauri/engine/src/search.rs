//! Fan-out slot search: many services at once, bounded concurrency, a time limit per service,
//! and every service's progress reported as it happens so slow services never hold up fast ones.

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::mpsc;

use crate::Engine;
use crate::directory::Service;
use crate::error::{Error, ErrorKind};
use crate::ids::ServiceId;
use crate::search_log::SearchTally;
use crate::standards::SearchWindow;
use crate::views::{DeliveryChannel, SlotView};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchRequest {
    pub services: Vec<ServiceId>,
    pub window: SearchWindow,
    /// Only slots with this delivery channel; slots that do not say are left out when set.
    pub channel: Option<DeliveryChannel>,
}

/// Where one service's search stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ServiceProgress {
    Searching,
    Found { count: u32 },
    None,
    Failed { error: Error },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum SearchEvent {
    Progress {
        service_id: ServiceId,
        service_name: String,
        progress: ServiceProgress,
    },
    Slots {
        service_id: ServiceId,
        slots: Vec<SlotView>,
    },
    Finished,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServiceStatus {
    pub service_id: ServiceId,
    pub service_name: String,
    pub progress: ServiceProgress,
}

/// Everything one search found, slots soonest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchResult {
    pub services: Vec<ServiceStatus>,
    pub slots: Vec<SlotView>,
}

pub(crate) fn sort_slots(slots: &mut [SlotView]) {
    slots.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then_with(|| a.service_name.cmp(&b.service_name))
            .then_with(|| a.id.cmp(&b.id))
    });
}

impl Engine {
    /// Starts a search; events arrive on the receiver as services answer, then `Finished`.
    /// Unknown service ids are reported as failed, not fatal.
    pub fn search(&self, request: SearchRequest) -> mpsc::Receiver<SearchEvent> {
        let (tx, rx) = mpsc::channel(64);
        let engine = self.clone();
        tokio::spawn(async move {
            // A backstop over the per-request limits: a UEC search may take two requests.
            let per_service = engine.transport().settings().timeout() * 2 + Duration::from_secs(1);
            let concurrency = engine.transport().settings().search_concurrency.max(1);
            let services: Vec<Result<Service, (ServiceId, Error)>> = request
                .services
                .iter()
                .map(|id| engine.service(id).map_err(|e| (id.clone(), e)))
                .collect();
            for s in &services {
                let (service_id, service_name) = match s {
                    Ok(s) => (s.id.clone(), s.name.clone()),
                    Err((id, _)) => (id.clone(), id.to_string()),
                };
                let event = SearchEvent::Progress {
                    service_id,
                    service_name,
                    progress: ServiceProgress::Searching,
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            let mut running = futures::stream::iter(services)
                .map(|s| {
                    let engine = engine.clone();
                    let window = request.window;
                    async move {
                        let service = match s {
                            Ok(s) => s,
                            Err((id, e)) => return (id.clone(), id.to_string(), Err(e)),
                        };
                        let result = tokio::time::timeout(
                            per_service,
                            engine.search_service(&service.id, &window),
                        )
                        .await
                        .unwrap_or_else(|_| {
                            Err(Error::new(ErrorKind::Timeout).with_service(&service.id))
                        });
                        (service.id, service.name, result)
                    }
                })
                .buffer_unordered(concurrency);
            let mut tally = SearchTally {
                asked: u32::try_from(request.services.len()).unwrap_or(u32::MAX),
                ..SearchTally::default()
            };
            while let Some((service_id, service_name, result)) = running.next().await {
                let progress = match result {
                    Ok(mut slots) => {
                        if let Some(c) = request.channel {
                            slots.retain(|s| s.delivery_channel == Some(c));
                        }
                        let count = u32::try_from(slots.len()).unwrap_or(u32::MAX);
                        tally.slots = tally.slots.saturating_add(count);
                        if count > 0 {
                            let event = SearchEvent::Slots {
                                service_id: service_id.clone(),
                                slots,
                            };
                            if tx.send(event).await.is_err() {
                                return;
                            }
                            ServiceProgress::Found { count }
                        } else {
                            ServiceProgress::None
                        }
                    }
                    Err(error) => {
                        tally.failed += 1;
                        ServiceProgress::Failed { error }
                    }
                };
                let event = SearchEvent::Progress {
                    service_id,
                    service_name,
                    progress,
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            // Recorded before Finished goes out, so whoever waits for it finds the record.
            engine.record_search(&request.window, tally).await;
            let _ = tx.send(SearchEvent::Finished).await;
        });
        rx
    }

    /// Runs a search to the end and gathers its results.
    pub async fn search_all(&self, request: SearchRequest) -> SearchResult {
        let mut rx = self.search(request);
        let mut services: Vec<ServiceStatus> = Vec::new();
        let mut slots = Vec::new();
        while let Some(event) = rx.recv().await {
            match event {
                SearchEvent::Progress {
                    service_id,
                    service_name,
                    progress,
                } => match services.iter_mut().find(|s| s.service_id == service_id) {
                    Some(s) => s.progress = progress,
                    None => services.push(ServiceStatus {
                        service_id,
                        service_name,
                        progress,
                    }),
                },
                SearchEvent::Slots { slots: mut s, .. } => slots.append(&mut s),
                SearchEvent::Finished => break,
            }
        }
        sort_slots(&mut slots);
        SearchResult { services, slots }
    }
}
