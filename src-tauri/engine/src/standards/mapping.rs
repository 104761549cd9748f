//! Turning provider resources into views. Shared by both standards: a GP Connect Schedule points
//! at a Practitioner and a Location, a UEC Schedule at a Practitioner, a PractitionerRole and a
//! HealthcareService (whose Location holds the address). Whatever a provider included is used;
//! nothing is assumed to be there.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::directory::Service;
use crate::fhir::stu3::{
    Address, Appointment, Bundle, BundleIndex, CodeableConcept, HumanName, Location, Patient,
    Reference, Resource, Slot, extension_by_url, urls,
};
use crate::ids::{AppointmentId, NhsNumber, SlotId};
use crate::views::{
    AppointmentStatus, AppointmentView, DeliveryChannel, LocationView, PatientView,
    PractitionerView, SlotView,
};

/// A FHIR instant or dateTime with an offset; a date alone is taken as midnight UTC.
pub fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|dt| dt.and_utc().fixed_offset())
    })
}

pub(crate) fn concept_text(c: &CodeableConcept) -> Option<String> {
    c.text
        .clone()
        .or_else(|| c.coding.iter().find_map(|cd| cd.display.clone()))
}

pub(crate) fn first_text(cs: &[CodeableConcept]) -> Option<String> {
    cs.iter().find_map(concept_text)
}

pub fn person_name(names: &[HumanName]) -> Option<String> {
    let n = names
        .iter()
        .find(|n| n.use_.as_deref() == Some("official"))
        .or(names.first())?;
    if let Some(family) = &n.family {
        let mut parts: Vec<String> = n.prefix.clone();
        parts.extend(n.given.iter().cloned());
        parts.push(family.clone());
        Some(parts.join(" "))
    } else {
        n.text.clone()
    }
}

pub fn address_text(a: &Address) -> Option<String> {
    let mut parts: Vec<String> = a.line.clone();
    parts.extend(a.city.clone());
    parts.extend(a.postal_code.clone());
    parts.dedup();
    if parts.is_empty() {
        a.text.clone()
    } else {
        Some(parts.join(", "))
    }
}

fn location_view(loc: &Location) -> LocationView {
    LocationView {
        id: loc.id.clone(),
        name: loc.name.clone(),
        address: loc.address.as_ref().and_then(address_text),
    }
}

fn delivery_channel(exts: &[crate::fhir::stu3::Extension]) -> Option<DeliveryChannel> {
    extension_by_url(exts, urls::EXT_GPC_DELIVERY_CHANNEL)
        .and_then(|e| e.value_code.as_deref())
        .and_then(DeliveryChannel::from_code)
}

fn role_from_extension(exts: &[crate::fhir::stu3::Extension]) -> Option<String> {
    extension_by_url(exts, urls::EXT_GPC_PRACTITIONER_ROLE)
        .and_then(|e| e.value_codeable_concept.as_ref())
        .and_then(concept_text)
}

/// The resource a reference points at: in the bundle, or among `contained` for `#id`.
fn resolve<'a>(
    bundle: Option<&'a Bundle>,
    contained: &'a [Resource],
    r: &Reference,
) -> Option<&'a Resource> {
    let target = r.reference.as_deref()?;
    if let Some(local) = target.strip_prefix('#') {
        return contained.iter().find(|c| c.id() == Some(local));
    }
    bundle.and_then(|b| b.find(target))
}

/// Every free slot in a searchset, resolved and sorted soonest first. Slots without readable
/// times are left out (and logged): a slot that cannot be placed in time cannot be offered.
pub fn slot_views(bundle: &Bundle, service: &Service) -> Vec<SlotView> {
    let index = bundle.index();
    let mut views: Vec<SlotView> = bundle
        .slots()
        .filter(|s| s.status.as_deref().is_none_or(|st| st == "free"))
        .filter_map(|slot| slot_view(&index, service, slot))
        .collect();
    views.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    views
}

fn slot_view(bundle: &BundleIndex<'_>, service: &Service, slot: &Slot) -> Option<SlotView> {
    let resolve = |r: &Reference| r.reference.as_deref().and_then(|t| bundle.find(t));
    let id = slot.id.as_deref().and_then(|i| SlotId::parse(i).ok());
    let start = slot.start.as_deref().and_then(parse_instant);
    let end = slot.end.as_deref().and_then(parse_instant);
    let (Some(id), Some(start), Some(end)) = (id, start, end) else {
        tracing::warn!(service = %service.id, "slot without a usable id, start or end left out");
        return None;
    };
    let schedule = slot.schedule.as_ref().and_then(|r| match resolve(r) {
        Some(Resource::Schedule(s)) => Some(s.as_ref()),
        _ => None,
    });
    let mut practitioner: Option<PractitionerView> = None;
    let mut role: Option<String> = None;
    let mut location: Option<LocationView> = None;
    if let Some(schedule) = schedule {
        role = role_from_extension(&schedule.extension);
        for actor in &schedule.actor {
            match resolve(actor) {
                Some(Resource::Practitioner(p)) => {
                    practitioner = Some(PractitionerView {
                        id: p.id.clone(),
                        name: person_name(&p.name),
                        role: None,
                        gender: p.gender.clone(),
                    })
                }
                Some(Resource::PractitionerRole(pr)) => {
                    role = role.or_else(|| first_text(&pr.code));
                }
                Some(Resource::Location(l)) => location = Some(location_view(l)),
                Some(Resource::HealthcareService(hs)) if location.is_none() => {
                    let loc = hs.location.iter().find_map(|r| match resolve(r) {
                        Some(Resource::Location(l)) => Some(location_view(l)),
                        _ => None,
                    });
                    location = loc.or_else(|| {
                        Some(LocationView {
                            id: None,
                            name: hs.name.clone(),
                            address: None,
                        })
                    });
                }
                _ => {}
            }
        }
    }
    if let Some(role) = role {
        let p = practitioner.get_or_insert(PractitionerView {
            id: None,
            name: None,
            role: None,
            gender: None,
        });
        p.role = Some(role);
    }
    Some(SlotView {
        service_id: service.id.clone(),
        service_name: service.name.clone(),
        service_kind: service.kind,
        id,
        schedule_id: slot
            .schedule
            .as_ref()
            .and_then(|r| r.type_and_id().map(|(_, id)| id.to_string())),
        start,
        end,
        delivery_channel: delivery_channel(&slot.extension),
        slot_type: first_text(&slot.service_type)
            .or_else(|| slot.service_category.as_ref().and_then(concept_text)),
        schedule_type: schedule.and_then(|s| s.service_category.as_ref().and_then(concept_text)),
        practitioner,
        location,
        source: None,
    })
}

/// A patient as the provider holds them.
pub fn patient_view(p: &Patient) -> PatientView {
    let name = p
        .name
        .iter()
        .find(|n| n.use_.as_deref() == Some("official"))
        .or(p.name.first());
    let nhs_number = p
        .identifier
        .iter()
        .filter(|i| i.system.as_deref() == Some(urls::NHS_NUMBER))
        .find_map(|i| i.value.as_deref().and_then(|v| NhsNumber::parse(v).ok()));
    let address = p
        .address
        .iter()
        .find(|a| a.use_.as_deref() == Some("home"))
        .or(p.address.first());
    let phone = p
        .telecom
        .iter()
        .filter(|t| t.system.as_deref() == Some("phone"))
        .min_by_key(|t| t.rank.unwrap_or(u32::MAX))
        .and_then(|t| t.value.clone());
    PatientView {
        id: p.id.clone(),
        nhs_number,
        family: name.and_then(|n| n.family.clone()).unwrap_or_default(),
        given: name.map(|n| n.given.clone()).unwrap_or_default(),
        prefix: name.and_then(|n| n.prefix.first().cloned()),
        gender: p.gender.clone(),
        birth_date: p
            .birth_date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok()),
        address_lines: address
            .map(|a| {
                let mut l = a.line.clone();
                l.extend(a.city.clone());
                l
            })
            .unwrap_or_default(),
        postcode: address.and_then(|a| a.postal_code.clone()),
        phone,
    }
}

/// An appointment with whatever the provider told us about its place and practitioner.
/// `bundle` resolves references when the appointment came in a searchset.
pub fn appointment_view(
    a: &Appointment,
    service: &Service,
    bundle: Option<&Bundle>,
    etag_version: Option<String>,
) -> Option<AppointmentView> {
    let id = a.id.as_deref().and_then(|i| AppointmentId::parse(i).ok())?;
    let start = a.start.as_deref().and_then(parse_instant)?;
    let end = a.end.as_deref().and_then(parse_instant)?;
    let mut practitioner: Option<PractitionerView> = None;
    let mut location: Option<LocationView> = None;
    let mut patient_id = None;
    let mut nhs_number = None;
    for p in &a.participant {
        let Some(actor) = &p.actor else { continue };
        let kind = actor
            .reference
            .as_deref()
            .map(|r| r.trim_start_matches('#'))
            .and_then(|r| r.split('/').next());
        match (resolve(bundle, &a.contained, actor), kind) {
            (Some(Resource::Location(l)), _) => location = Some(location_view(l)),
            (Some(Resource::Practitioner(pr)), _) => {
                practitioner = Some(PractitionerView {
                    id: pr.id.clone(),
                    name: person_name(&pr.name),
                    role: None,
                    gender: pr.gender.clone(),
                })
            }
            (Some(Resource::Patient(pt)), _) => {
                let v = patient_view(pt);
                patient_id = v.id.clone().or(patient_id);
                nhs_number = v.nhs_number.or(nhs_number);
            }
            (_, Some("Location")) => {
                location = Some(LocationView {
                    id: actor.type_and_id().map(|(_, id)| id.to_string()),
                    name: actor.display.clone(),
                    address: None,
                })
            }
            (_, Some("Practitioner")) => {
                practitioner = Some(PractitionerView {
                    id: actor.type_and_id().map(|(_, id)| id.to_string()),
                    name: actor.display.clone(),
                    role: None,
                    gender: None,
                })
            }
            (_, Some("Patient")) => {
                patient_id = actor.type_and_id().map(|(_, id)| id.to_string());
            }
            _ => {}
        }
        if nhs_number.is_none() {
            nhs_number = actor
                .identifier
                .as_ref()
                .filter(|i| i.system.as_deref() == Some(urls::NHS_NUMBER))
                .and_then(|i| i.value.as_deref())
                .and_then(|v| NhsNumber::parse(v).ok());
        }
    }
    if let Some(role) = role_from_extension(&a.extension) {
        practitioner
            .get_or_insert(PractitionerView {
                id: None,
                name: None,
                role: None,
                gender: None,
            })
            .role = Some(role);
    }
    // UEC appointments contain their Slot, whose id is the provider's slot id (its identifier,
    // when there is one, is a separate business identifier: NHS-Booking-API appointment.md).
    let slot_ids = a
        .slot
        .iter()
        .filter_map(|r| match resolve(bundle, &a.contained, r) {
            Some(Resource::Slot(s))
                if r.reference.as_deref().is_some_and(|x| x.starts_with('#')) =>
            {
                s.id.clone()
            }
            _ => r.type_and_id().map(|(_, id)| id.to_string()),
        })
        .collect();
    Some(AppointmentView {
        id,
        version: a
            .meta
            .as_ref()
            .and_then(|m| m.version_id.clone())
            .or(etag_version),
        status: AppointmentStatus::from_fhir(a.status.as_deref()),
        service_id: service.id.clone(),
        service_name: service.name.clone(),
        standard: service.standard,
        start,
        end,
        created: a.created.clone(),
        description: a.description.clone(),
        comment: a.comment.clone(),
        cancellation_reason: extension_by_url(
            &a.extension,
            urls::EXT_GPC_APPOINTMENT_CANCELLATION_REASON,
        )
        .and_then(|e| e.value_string.clone()),
        delivery_channel: delivery_channel(&a.extension),
        slot_type: first_text(&a.service_type),
        schedule_type: a.service_category.as_ref().and_then(concept_text),
        slot_ids,
        practitioner,
        location,
        patient_id,
        nhs_number,
        reference_url: None,
        service_reference: service_reference(a.identifier.iter().map(|i| i.value.as_deref())),
    })
}

/// The longest identifier value taken as a reference to read aloud; longer is not one.
const MAX_REFERENCE_CHARS: usize = 40;

/// The first identifier value of an Appointment as a reference for people: the desk writes no
/// identifier on an Appointment, so any there is the service's. GP Connect providers give one
/// under `https://fhir.nhs.uk/Id/gpconnect-appointment-identifier`; any system is accepted.
pub(crate) fn service_reference<'a>(
    values: impl IntoIterator<Item = Option<&'a str>>,
) -> Option<String> {
    values
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|v| {
            !v.is_empty()
                && v.chars().count() <= MAX_REFERENCE_CHARS
                && !v.chars().any(char::is_control)
        })
        .map(str::to_string)
}

/// Strips `/_history/n` from a `Location` header: the stable appointment reference.
pub fn reference_url(location: &str) -> String {
    match location.find("/_history") {
        Some(i) => location[..i].to_string(),
        None => location.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Directory;

    #[test]
    fn a_services_reference_is_a_short_printable_identifier_value() {
        let pick = |values: &[Option<&str>]| service_reference(values.iter().copied());
        assert_eq!(
            pick(&[None, Some("  "), Some(" GPC-000123 ")]).as_deref(),
            Some("GPC-000123")
        );
        assert_eq!(
            pick(&[Some(&"9".repeat(41)), Some("B-7")]).as_deref(),
            Some("B-7")
        );
        assert_eq!(pick(&[Some("A\u{7}1")]), None);
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn a_uec_appointment_names_the_slot_by_the_contained_slots_id() {
        let service = Directory::from_toml(
            "[[service]]\nid = \"calder-valley-utc\"\nname = \"Calder Valley UTC\"\n\
             kind = \"urgent-care\"\nstandard = \"uec-booking\"\n\
             base_url = \"https://p.example/uec/STU3\"\nods = \"RR801\"\n\
             asid = \"918999198002\"\nhealthcare_service = \"hs-1\"\n",
        )
        .expect("directory")
        .all()[0]
            .clone();
        let path = format!(
            "{}/../../tests/fixtures/uec/appointment_book_example.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut a: Appointment =
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
        // The published example is a request; as read back it has an id.
        a.id = Some("48fae2df-8010-4c80-8dd0-289a9dd60ae4".into());
        let view = appointment_view(&a, &service, None, Some("1".into())).expect("view");
        // Not the contained Slot's identifier (1db79eb3-...): that is not the slot's id.
        assert_eq!(view.slot_ids, ["slot002"]);
    }
}
