//! Bank holidays in England (and Wales), where the Directory of Services' rotas give a service's
//! opening on them as a day of their own (`Bankholiday`, CheckCapacitySummary v1.5 WSDL).
//!
//! The regular ones, by the rules GOV.UK publishes for England and Wales: New Year's Day, Good
//! Friday, Easter Monday, the early May bank holiday (first Monday in May), the spring bank
//! holiday (last Monday in May), the summer bank holiday (last Monday in August), Christmas Day
//! and Boxing Day; one falling on a Saturday or Sunday is taken on the next weekday that is not
//! already a bank holiday. A holiday proclaimed for one year alone (a coronation, a jubilee) or a
//! regular one moved is not known here until it is added to `PROCLAIMED`.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// One-off changes by royal proclamation, as (year, month, day, is a holiday): none announced
/// for the years the desk is used in yet.
const PROCLAIMED: &[(i32, u32, u32, bool)] = &[];

/// Whether `date` is a bank holiday in England.
pub fn is_bank_holiday(date: NaiveDate) -> bool {
    if let Some(&(_, _, _, holiday)) = PROCLAIMED
        .iter()
        .find(|&&(y, m, d, _)| NaiveDate::from_ymd_opt(y, m, d) == Some(date))
    {
        return holiday;
    }
    in_year(date.year()).contains(&date)
}

/// The year's regular bank holidays, substitute days included.
fn in_year(year: i32) -> Vec<NaiveDate> {
    let on = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("a real date");
    let easter = easter_sunday(year);
    let mut fixed = Vec::new();
    // Weekend days of the fixed holidays move on to the next free weekday, in date order, so
    // Christmas on a Saturday is the Monday and Boxing Day the Tuesday.
    for day in [on(1, 1), on(12, 25), on(12, 26)] {
        let mut d = day;
        while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || fixed.contains(&d) {
            d += Duration::days(1);
        }
        fixed.push(d);
    }
    let mut out = fixed;
    out.extend([
        easter - Duration::days(2),
        easter + Duration::days(1),
        first_monday(year, 5),
        last_monday(year, 5),
        last_monday(year, 8),
    ]);
    out
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).expect("a first Monday")
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 4))
        .expect("a last Monday")
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus).
fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a real date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn the_published_bank_holidays_of_2026_and_2027_are_known() {
        // GOV.UK's list for England and Wales.
        let y2026 = [
            date(2026, 1, 1),
            date(2026, 4, 3),
            date(2026, 4, 6),
            date(2026, 5, 4),
            date(2026, 5, 25),
            date(2026, 8, 31),
            date(2026, 12, 25),
            date(2026, 12, 28),
        ];
        let y2027 = [
            date(2027, 1, 1),
            date(2027, 3, 26),
            date(2027, 3, 29),
            date(2027, 5, 3),
            date(2027, 5, 31),
            date(2027, 8, 30),
            date(2027, 12, 27),
            date(2027, 12, 28),
        ];
        for year in [2026, 2027] {
            let expected: Vec<NaiveDate> = y2026
                .iter()
                .chain(&y2027)
                .copied()
                .filter(|d| d.year() == year)
                .collect();
            let mut got: Vec<NaiveDate> = (1..=366)
                .filter_map(|n| NaiveDate::from_yo_opt(year, n))
                .filter(|d| is_bank_holiday(*d))
                .collect();
            got.sort();
            assert_eq!(got, expected, "{year}");
        }
    }

    #[test]
    fn easter_and_the_weekend_moves_hold_across_years() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        // New Year's Day on a Saturday (2028) is taken on Monday 3 January; on a Sunday (2034)
        // on Monday 2 January.
        assert!(is_bank_holiday(date(2028, 1, 3)));
        assert!(!is_bank_holiday(date(2028, 1, 1)));
        assert!(is_bank_holiday(date(2034, 1, 2)));
        // Christmas on a Sunday (2033): Boxing Day is the Monday, Christmas the Tuesday.
        assert!(is_bank_holiday(date(2033, 12, 26)));
        assert!(is_bank_holiday(date(2033, 12, 27)));
        assert!(!is_bank_holiday(date(2033, 12, 28)));
        assert!(!is_bank_holiday(date(2026, 12, 7)));
    }
}
