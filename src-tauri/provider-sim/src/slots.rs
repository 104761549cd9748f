//! Slot generation: every schedule's opening hours laid out over the next four weeks, with ids
//! that stay the same across restarts.

use crate::fhir_time::{london_date, london_to_utc};
use crate::seed::{Hours, Region, ScheduleDef, Service, SlotKind, Standard};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use std::collections::HashMap;
use uuid::Uuid;

/// Slots are offered from today for this many days.
pub const HORIZON_DAYS: i64 = 28;

#[derive(Clone, Debug)]
pub struct SlotDef {
    pub id: String,
    pub schedule_id: &'static str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub kind: SlotKind,
    /// Already booked in the provider's own system, so never offered to us.
    pub preblocked: bool,
}

fn sessions(hours: Hours, day: Weekday) -> &'static [(u32, u32)] {
    const OOH_WEEKDAY: &[(u32, u32)] = &[(18 * 60 + 30, 22 * 60)];
    const OOH_WEEKEND: &[(u32, u32)] = &[(8 * 60, 22 * 60)];
    let weekend = matches!(day, Weekday::Sat | Weekday::Sun);
    match hours {
        Hours::Weekdays(s) if !weekend => s,
        Hours::Weekdays(_) => &[],
        Hours::EveningsAndWeekends if weekend => OOH_WEEKEND,
        Hours::EveningsAndWeekends => OOH_WEEKDAY,
        Hours::Daily(s) => s,
    }
}

fn uec_namespace() -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        b"urn:booking-desk:provider-sim:uec-slot",
    )
}

/// GP Connect: the schedule id followed by the UTC start as digits (numeric and unambiguous,
/// since the date part is always twelve digits). UEC and BaRS: a name-based UUID.
pub fn slot_id(service: &Service, schedule: &ScheduleDef, start: DateTime<Utc>) -> String {
    match service.standard {
        Standard::GpConnect => format!("{}{}", schedule.id, start.format("%Y%m%d%H%M")),
        Standard::UecBooking | Standard::Bars => {
            let name = format!("{}/{}/{}", service.id, schedule.id, start.to_rfc3339());
            Uuid::new_v5(&uec_namespace(), name.as_bytes()).to_string()
        }
    }
}

/// A stable pseudo-random choice, so the same slots are "already booked" after every restart.
/// Practices release only part of their book to 111, so most slots are not offered.
fn preblocked(id: &str) -> bool {
    let mut h: u32 = 0x811c_9dc5;
    for b in id.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % 5 < 3
}

/// The slots of one schedule on one local date.
pub fn slots_on(service: &Service, schedule: &ScheduleDef, date: NaiveDate) -> Vec<SlotDef> {
    let mut out = Vec::new();
    let step = i64::from(schedule.slot_minutes.max(5));
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    let mut ordinal = 0usize;
    for &(from, to) in sessions(schedule.hours, date.weekday()) {
        let mut m = i64::from(from);
        while m + step <= i64::from(to) {
            let local_start = midnight + Duration::minutes(m);
            let local_end = midnight + Duration::minutes(m + step);
            m += step;
            // Skip times that do not exist locally (the spring clock change).
            let (Some(start), Some(end)) = (london_to_utc(local_start), london_to_utc(local_end))
            else {
                continue;
            };
            if end <= start {
                continue;
            }
            let Some(kind) = schedule
                .kinds
                .get(ordinal % schedule.kinds.len().max(1))
                .copied()
            else {
                continue;
            };
            ordinal += 1;
            let id = slot_id(service, schedule, start);
            out.push(SlotDef {
                preblocked: preblocked(&id),
                id,
                schedule_id: schedule.id,
                start,
                end,
                kind,
            });
        }
    }
    out
}

/// Every service's slots from the UK date `today` for `HORIZON_DAYS`, soonest first.
pub struct SlotIndex {
    pub today: NaiveDate,
    by_service: HashMap<&'static str, Vec<SlotDef>>,
    positions: HashMap<&'static str, HashMap<String, usize>>,
}

impl SlotIndex {
    pub fn build(region: &Region, now: DateTime<Utc>) -> SlotIndex {
        let today = london_date(now);
        let mut by_service = HashMap::new();
        let mut positions = HashMap::new();
        for service in &region.services {
            let mut slots: Vec<SlotDef> = (0..HORIZON_DAYS)
                .flat_map(|d| {
                    let date = today + Duration::days(d);
                    service
                        .schedules
                        .iter()
                        .flat_map(move |s| slots_on(service, s, date))
                })
                .collect();
            slots.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
            let pos: HashMap<String, usize> = slots
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.clone(), i))
                .collect();
            by_service.insert(service.id, slots);
            positions.insert(service.id, pos);
        }
        SlotIndex {
            today,
            by_service,
            positions,
        }
    }

    pub fn slots(&self, service_id: &str) -> &[SlotDef] {
        self.by_service
            .get(service_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn get(&self, service_id: &str, slot_id: &str) -> Option<&SlotDef> {
        let i = *self.positions.get(service_id)?.get(slot_id)?;
        self.by_service.get(service_id)?.get(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{Kind, region};
    use chrono::{TimeZone, Timelike};
    use chrono_tz::Europe::London;

    fn monday() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 3, 6, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn ids_are_stable_and_unique() {
        let r = region();
        let a = SlotIndex::build(&r, monday());
        let b = SlotIndex::build(&r, monday());
        for s in &r.services {
            let ids_a: Vec<&str> = a.slots(s.id).iter().map(|x| x.id.as_str()).collect();
            let ids_b: Vec<&str> = b.slots(s.id).iter().map(|x| x.id.as_str()).collect();
            assert_eq!(ids_a, ids_b);
            let unique: std::collections::HashSet<&&str> = ids_a.iter().collect();
            assert_eq!(unique.len(), ids_a.len());
            for id in &ids_a {
                match s.standard {
                    Standard::GpConnect => assert!(id.chars().all(|c| c.is_ascii_digit())),
                    Standard::UecBooking | Standard::Bars => {
                        assert!(Uuid::parse_str(id).is_ok())
                    }
                }
                assert!(a.get(s.id, id).is_some());
            }
        }
    }

    #[test]
    fn volumes_and_hours_are_realistic() {
        let r = region();
        let idx = SlotIndex::build(&r, monday());
        for s in &r.services {
            let day_one: Vec<&SlotDef> = idx
                .slots(s.id)
                .iter()
                .filter(|x| london_date(x.start) == idx.today)
                .collect();
            let offered = day_one.iter().filter(|x| !x.preblocked).count();
            assert!((3..=80).contains(&offered), "{} offers {offered}", s.id);
            for slot in &day_one {
                let local = slot.start.with_timezone(&London);
                let minutes = local.hour() * 60 + local.minute();
                match s.kind {
                    Kind::GpPractice => assert!((8 * 60..18 * 60 + 30).contains(&minutes)),
                    Kind::GpOutOfHours => assert!(minutes >= 18 * 60 + 30),
                    Kind::UrgentCare => assert!((8 * 60..20 * 60).contains(&minutes)),
                    Kind::EmergencyDepartment => {}
                }
            }
        }
        let saturday = idx.today + Duration::days(5);
        let beckside_weekend = idx
            .slots("beckside-medical-practice")
            .iter()
            .filter(|x| london_date(x.start) == saturday)
            .count();
        assert_eq!(beckside_weekend, 0);
    }
}
