//! BaRS slot search answers (R4 searchset Bundles) as the desk's slot views: the Slot, its
//! Schedule, and whoever the Schedule names — a Practitioner, a PractitionerRole, a
//! HealthcareService and its Location.

use super::mapping::{address_text, concept_text, first_text, parse_instant, person_name};
use crate::directory::Service;
use crate::fhir::index::ReferenceIndex;
use crate::fhir::r4::{
    Bundle, BundleIndex, Extension, HealthcareService, Location, Practitioner, PractitionerRole,
    ResourceKind, Schedule, Slot,
};
use crate::ids::SlotId;
use crate::views::{
    DeliveryChannel, LocationView, PractitionerView, SlotSource, SlotView, SourceEntry,
};
use serde_json::Value;

pub(crate) const EXT_DELIVERY_CHANNEL: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeliveryChannel";

pub(crate) fn delivery_channel(exts: &[Extension]) -> Option<DeliveryChannel> {
    exts.iter()
        .find(|e| e.url == EXT_DELIVERY_CHANNEL)
        .and_then(|e| e.value_code.as_deref())
        .and_then(DeliveryChannel::from_code)
}

fn location_view(l: &Location) -> LocationView {
    LocationView {
        id: l.id.clone(),
        name: l.name.clone(),
        address: l.address.as_ref().and_then(address_text),
    }
}

/// Free slots, soonest first; a slot without a usable id, start or end is left out.
pub fn slot_views(bundle: &Bundle, service: &Service) -> Vec<SlotView> {
    let index = bundle.index();
    let mut views: Vec<SlotView> = bundle
        .resources_of::<Slot>()
        .filter(|s| s.status.as_deref().is_none_or(|st| st == "free"))
        .filter_map(|slot| slot_view(&Resolver(&index), service, slot))
        .collect();
    views.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    views
}

/// Typed look-ups over the index.
struct Resolver<'a>(&'a BundleIndex<'a>);

impl<'a> Resolver<'a> {
    fn find_of<T: ResourceKind>(&self, reference: &str) -> Option<&'a T> {
        self.0.find(reference).and_then(T::from_resource)
    }
}

fn slot_view(bundle: &Resolver<'_>, service: &Service, slot: &Slot) -> Option<SlotView> {
    let id = slot.id.as_deref().and_then(|i| SlotId::parse(i).ok());
    let start = slot.start.as_deref().and_then(parse_instant);
    let end = slot.end.as_deref().and_then(parse_instant);
    let (Some(id), Some(start), Some(end)) = (id, start, end) else {
        tracing::warn!(service = %service.id, "slot without a usable id, start or end left out");
        return None;
    };
    let schedule = slot
        .schedule
        .as_ref()
        .and_then(|r| r.reference.as_deref())
        .and_then(|r| bundle.find_of::<Schedule>(r));
    let mut practitioner: Option<PractitionerView> = None;
    let mut role: Option<String> = None;
    let mut location: Option<LocationView> = None;
    for actor in schedule.iter().flat_map(|s| s.actor.iter()) {
        let Some(r) = actor.reference.as_deref() else {
            continue;
        };
        if let Some(p) = bundle.find_of::<Practitioner>(r) {
            practitioner = Some(PractitionerView {
                id: p.id.clone(),
                name: person_name(&p.name),
                role: None,
                gender: p.gender.clone(),
            });
        } else if let Some(pr) = bundle.find_of::<PractitionerRole>(r) {
            role = role.or_else(|| first_text(&pr.code));
        } else if let Some(l) = bundle.find_of::<Location>(r) {
            location = Some(location_view(l));
        } else if let Some(hs) = bundle.find_of::<HealthcareService>(r)
            && location.is_none()
        {
            location = hs
                .location
                .iter()
                .filter_map(|l| l.reference.as_deref())
                .find_map(|l| bundle.find_of::<Location>(l))
                .map(location_view)
                .or_else(|| {
                    Some(LocationView {
                        id: None,
                        name: hs.name.clone(),
                        address: None,
                    })
                });
        }
    }
    if let Some(role) = role {
        practitioner
            .get_or_insert(PractitionerView {
                id: None,
                name: None,
                role: None,
                gender: None,
            })
            .role = Some(role);
    }
    Some(SlotView {
        service_id: service.id.clone(),
        service_name: service.name.clone(),
        service_kind: service.kind,
        id,
        schedule_id: schedule.and_then(|s| s.id.clone()),
        start,
        end,
        delivery_channel: delivery_channel(&slot.extension),
        slot_type: first_text(&slot.service_type)
            .or_else(|| slot.appointment_type.as_ref().and_then(concept_text))
            .or_else(|| first_text(&slot.service_category)),
        schedule_type: schedule.and_then(|s| first_text(&s.service_category)),
        practitioner,
        location,
        source: None,
    })
}

/// Keeps with each view what the search answer (`raw`) said about its slot, as received: the
/// Slot, its Schedule, and the HealthcareService, Practitioner, PractitionerRole and Location
/// reached from the Schedule. A booking sends them back.
pub fn attach_sources(views: &mut [SlotView], raw: &Value) {
    let entries: Vec<SourceEntry> = raw["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["resource"].is_object())
        .map(|e| SourceEntry {
            full_url: e["fullUrl"].as_str().map(str::to_string),
            resource: std::sync::Arc::new(e["resource"].clone()),
        })
        .collect();
    // Looked up once per answer: finding each slot's entries by reading the whole answer again
    // made a search's reading grow with slots × entries.
    let index = ReferenceIndex::new(entries.iter().map(|e| {
        (
            e.full_url.as_deref(),
            e,
            e.resource["resourceType"].as_str().unwrap_or_default(),
            e.resource["id"].as_str(),
        )
    }));
    for view in views.iter_mut() {
        let Some(slot) = index.find(&format!("Slot/{}", view.id.as_str())) else {
            continue;
        };
        let schedule = slot.resource["schedule"]["reference"]
            .as_str()
            .and_then(|r| index.find(r))
            .filter(|e| e.resource["resourceType"] == "Schedule");
        let mut related: Vec<&SourceEntry> = Vec::new();
        let mut pending: Vec<&SourceEntry> = schedule.into_iter().collect();
        while let Some(from) = pending.pop() {
            for r in references(&from.resource) {
                let Some(found) = index.find(&r) else {
                    continue;
                };
                let kind = found.resource["resourceType"].as_str().unwrap_or_default();
                if RELATED.contains(&kind) && !related.iter().any(|x| std::ptr::eq(*x, found)) {
                    related.push(found);
                    pending.push(found);
                }
            }
        }
        view.source = Some(SlotSource {
            slot: slot.clone(),
            schedule: schedule.cloned(),
            related: related.into_iter().cloned().collect(),
        });
    }
}

/// What a booking carries besides the Slot and Schedule, as the booking MessageDefinition
/// lists them.
const RELATED: [&str; 4] = [
    "HealthcareService",
    "Practitioner",
    "PractitionerRole",
    "Location",
];

/// Every `reference` string inside a resource.
fn references(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("reference") {
                    out.push(r.clone());
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out
}
