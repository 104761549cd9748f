//! The CheckCapacitySummary search over the directory: the filters, the display order, the
//! surplus rule and the catch-all, as `nhsd-a2si/docs-dos-api` describes them (LOGIC:
//! `ccs_search_logic_v1_5.md`; ORDER: `ccs_order_returns_v1_5.md`; CATCH: `ccs_catch-all_v1_5.md`).
//! Distances are straight lines between postcodes' grid references (no road distances).

use super::directory::{
    self, Capacity, Directory, Disposition, DosService, EMERGENCY_DEPARTMENT, Opening, Postcode,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;

/// LOGIC "Validate Search Distance": the national default, in kilometres.
pub const DEFAULT_DISTANCE_KM: i64 = 60;
/// 1 mile in kilometres; LOGIC: "converted in to miles and returned as the distance".
const KM_PER_MILE: f64 = 1.609_344;

/// A validated case.
pub struct Case {
    pub postcode: &'static Postcode,
    pub surgery: Option<String>,
    /// The patient's age as a range of days: one day for an exact age, a span for an age group.
    pub age_days: (f64, f64),
    pub disposition: Option<&'static Disposition>,
    pub symptom_group: Option<i64>,
    pub discriminators: Vec<i64>,
    pub distance_km: i64,
    pub when: DateTime<Utc>,
}

/// A service the search returns.
pub struct Found<'a> {
    pub service: &'a DosService,
    pub distance_km: f64,
    /// ORDER "Service Referral": the patient's own practice, labelled "(Home)".
    pub home: bool,
    /// CATCH: returned by the catch-all, labelled "(Catch-all)".
    pub catch_all: bool,
}

impl Found<'_> {
    pub fn miles(&self) -> f64 {
        self.distance_km / KM_PER_MILE
    }

    pub fn display_name(&self) -> String {
        let name = &self.service.name;
        if self.catch_all {
            format!("{name} (Catch-all)")
        } else if self.home {
            format!("{name} (Home)")
        } else {
            name.clone()
        }
    }
}

/// LOGIC "Calculate Search Box": inside the square whose sides are `km` from the centre, and
/// the straight-line distance.
fn in_box(centre: &Postcode, s: &DosService, km: i64) -> Option<f64> {
    let p = directory::postcode(&s.postcode)?;
    let (de, dn) = (p.eastings - centre.eastings, p.northings - centre.northings);
    let limit = km * 1000;
    (de.abs() <= limit && dn.abs() <= limit).then(|| ((de * de + dn * dn) as f64).sqrt() / 1000.0)
}

/// LOGIC "Match Session Times": the window ends by the disposition's timeframe (0 or none: +60
/// min; up to 30: +30; 31–60: +timeframe; over 60: +timeframe − 60).
fn window_end(when: DateTime<Utc>, d: Option<&Disposition>) -> DateTime<Utc> {
    let minutes = i64::from(d.map_or(0, |d| d.minutes));
    let add = match minutes {
        0 => 60,
        1..=30 => 30,
        31..=60 => minutes,
        _ => minutes - 60,
    };
    when + Duration::minutes(add)
}

/// A local wall-clock minute of a day as an instant (the earlier one in the autumn's repeated
/// hour; a minute skipped in spring moves on an hour).
fn local(date: NaiveDate, minute: u32) -> Option<DateTime<Utc>> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    let naive = midnight + Duration::minutes(i64::from(minute));
    London
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            London
                .from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// Easter Sunday by year, from the published Easter tables, for the years the simulator runs in.
const EASTER_SUNDAYS: &[(i32, u32, u32)] = &[
    (2026, 4, 5),
    (2027, 3, 28),
    (2028, 4, 16),
    (2029, 4, 1),
    (2030, 4, 21),
    (2031, 4, 13),
    (2032, 3, 28),
    (2033, 4, 17),
    (2034, 4, 9),
    (2035, 3, 25),
    (2036, 4, 13),
    (2037, 4, 5),
    (2038, 4, 25),
    (2039, 4, 10),
    (2040, 4, 1),
];

/// Bank holidays in England and Wales as GOV.UK describes them: New Year's Day, Good Friday,
/// Easter Monday, the first and last Mondays of May, the last Monday of August, Christmas Day and
/// Boxing Day, a weekend one taken on the next weekday not already a holiday. Years without an
/// Easter above have none.
pub fn is_bank_holiday(date: chrono::NaiveDate) -> bool {
    use chrono::Weekday::{Mon, Sat, Sun};
    let year = date.year();
    let Some(&(_, m, d)) = EASTER_SUNDAYS.iter().find(|e| e.0 == year) else {
        return false;
    };
    let ymd = |m, d| chrono::NaiveDate::from_ymd_opt(year, m, d);
    let easter = ymd(m, d);
    let monday_of =
        |month, nth: u8| chrono::NaiveDate::from_weekday_of_month_opt(year, month, Mon, nth);
    let last_monday = |month| monday_of(month, 5).or_else(|| monday_of(month, 4));
    let moving = [
        easter.map(|e| e - Duration::days(2)),
        easter.map(|e| e + Duration::days(1)),
        monday_of(5, 1),
        last_monday(5),
        last_monday(8),
    ];
    if moving.contains(&Some(date)) {
        return true;
    }
    // The fixed days, each moved past weekends and the one before it.
    let mut taken: Vec<chrono::NaiveDate> = Vec::new();
    for fixed in [ymd(1, 1), ymd(12, 25), ymd(12, 26)].into_iter().flatten() {
        let mut day = fixed;
        while matches!(day.weekday(), Sat | Sun) || taken.contains(&day) {
            day = day.succ_opt().unwrap_or(day);
        }
        taken.push(day);
    }
    taken.contains(&date)
}

/// LOGIC: open at some point within [when, end], and not closing within 30 minutes of `when`
/// (a session already under way must run at least 30 minutes more to count).
pub fn open_within(opening: &Opening, when: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    let Opening::Rota(sessions) = opening else {
        return true;
    };
    let first = when.with_timezone(&London).date_naive();
    let last = end.with_timezone(&London).date_naive();
    let mut date = first;
    while date <= last {
        // On a bank holiday the rota's Bankholiday sessions are the day's opening.
        let day = if is_bank_holiday(date) {
            super::directory::BANK_HOLIDAY
        } else {
            date.weekday().num_days_from_monday()
        };
        for s in sessions.iter().filter(|s| s.day == day) {
            let (Some(start), Some(stop)) = (local(date, s.start), local(date, s.end)) else {
                continue;
            };
            let overlaps = start <= end && stop >= when;
            let closing_soon = start <= when && stop - when < Duration::minutes(30);
            if overlaps && !closing_soon {
                return true;
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    false
}

/// LOGIC "Check Age Format and Match on Age": ranges overlap.
fn age_matches(service: (f64, f64), case: (f64, f64)) -> bool {
    case.0 <= service.1 && case.1 >= service.0
}

fn matches(s: &DosService, case: &Case) -> bool {
    let p = &s.profile;
    // LOGIC "Match Symptom Group": a missing SG matches nothing (and so the catch-all runs).
    case.symptom_group.is_some_and(|g| p.symptom_groups.contains(&g))
        // LOGIC "Match GP Surgery": a restricted service needs the patient's practice listed.
        && p.restricted_to.is_none_or(|ods| case.surgery.as_deref() == Some(ods))
        // LOGIC "Check Capacity Status": red is never returned.
        && s.capacity != Capacity::None
        // LOGIC "Match Symptom Discriminator": profiled with all remaining SDs.
        && case.discriminators.iter().all(|d| p.discriminators.contains(d))
        // LOGIC "Match Disposition": none given matches all.
        && case.disposition.is_none_or(|d| p.dispositions.contains(&d.dx))
        && age_matches(p.age_days, case.age_days)
        && open_within(&s.opening, case.when, window_end(case.when, case.disposition))
}

/// ORDER "Remove Surplus Results": one of these service types, two of any other.
fn keep_per_type(type_id: i64) -> usize {
    match type_id {
        100 | 130 | 133 | 137 | 138 | 139 => 1,
        _ => 2,
    }
}

/// ORDER "Service Referral": home GP first, then commissioned (restricted) services, then the
/// rest; distance order kept within each.
fn referral_class(f: &Found) -> u8 {
    if f.home {
        0
    } else if f.service.profile.restricted_to.is_some() {
        1
    } else {
        3
    }
}

pub fn search<'a>(dir: &'a Directory, case: &Case) -> Vec<Found<'a>> {
    let mut found: Vec<Found> = dir
        .dos
        .iter()
        .filter_map(|s| {
            let km = in_box(case.postcode, s, case.distance_km)?;
            matches(s, case).then(|| Found {
                service: s,
                distance_km: km,
                home: case.surgery.as_deref() == Some(s.ods.as_str())
                    && s.service_type.id == directory::GP_PRACTICE.id,
                catch_all: false,
            })
        })
        .collect();
    // ORDER "Place Services in Order According to Rank", then by referral class and distance.
    found.sort_by(|a, b| {
        (a.service.service_type.rank, referral_class(a))
            .cmp(&(b.service.service_type.rank, referral_class(b)))
            .then(a.distance_km.total_cmp(&b.distance_km))
    });
    let mut kept: Vec<Found> = Vec::new();
    for f in found {
        let t = f.service.service_type.id;
        if kept
            .iter()
            .filter(|k| k.service.service_type.id == t)
            .count()
            < keep_per_type(t)
        {
            kept.push(f);
        }
    }
    if kept.is_empty() {
        return catch_all(dir, case);
    }
    kept
}

/// CATCH: the nearest two active EDs within the default 60 km, whatever the distance asked and
/// their capacity.
fn catch_all<'a>(dir: &'a Directory, case: &Case) -> Vec<Found<'a>> {
    let mut eds: Vec<Found> = dir
        .dos
        .iter()
        .filter(|s| s.service_type.id == EMERGENCY_DEPARTMENT.id)
        .filter_map(|s| {
            let km = in_box(case.postcode, s, DEFAULT_DISTANCE_KM)?;
            Some(Found {
                service: s,
                distance_km: km,
                home: false,
                catch_all: true,
            })
        })
        .collect();
    eds.sort_by(|a, b| a.distance_km.total_cmp(&b.distance_km));
    eds.truncate(2);
    eds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::national::directory::Session;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        London
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_session_window_follows_the_disposition() {
        let rota = Opening::Rota(vec![Session {
            day: 1,
            start: 8 * 60,
            end: 20 * 60,
        }]);
        // Tuesday 12 January 2027.
        assert!(open_within(
            &rota,
            at(2027, 1, 12, 10, 0),
            at(2027, 1, 12, 11, 0)
        ));
        // Closing within half an hour does not count.
        assert!(!open_within(
            &rota,
            at(2027, 1, 12, 19, 40),
            at(2027, 1, 12, 20, 40)
        ));
        // Opening within the window counts.
        assert!(open_within(
            &rota,
            at(2027, 1, 12, 7, 30),
            at(2027, 1, 12, 8, 30)
        ));
        assert!(!open_within(
            &rota,
            at(2027, 1, 12, 6, 0),
            at(2027, 1, 12, 7, 0)
        ));
        // Not a Tuesday.
        assert!(!open_within(
            &rota,
            at(2027, 1, 13, 10, 0),
            at(2027, 1, 13, 11, 0)
        ));
        assert!(open_within(
            &Opening::AllHours,
            at(2027, 1, 13, 3, 0),
            at(2027, 1, 13, 4, 0)
        ));
    }

    #[test]
    fn window_ends() {
        let t = at(2027, 1, 12, 10, 0);
        let dx = |dx: &str| directory::DISPOSITIONS.iter().find(|d| d.dx == dx);
        assert_eq!(window_end(t, None) - t, Duration::minutes(60));
        assert_eq!(window_end(t, dx("Dx11")) - t, Duration::minutes(60));
        assert_eq!(window_end(t, dx("Dx05")) - t, Duration::minutes(60));
        assert_eq!(window_end(t, dx("Dx06")) - t, Duration::minutes(300));
    }
}
