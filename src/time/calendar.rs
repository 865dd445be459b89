//! Finnish working-day calendar and wall-clock → zoned time conversion.
//!
//! Bank holidays (non-working days) in Finland: 1.1., 6.1., Good Friday, Easter Monday,
//! 1.5., Ascension Day, Midsummer Eve, 6.12., 24.12., 25.12. and 26.12. Midsummer Day
//! and All Saints' Day always fall on a Saturday, so they never remove a working day, and
//! Finland has no substitute days for holidays that fall on a weekend.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone,
    Weekday,
};
use chrono_tz::Tz;

/// The time zone Kaveri's users live in.
pub const HELSINKI: Tz = chrono_tz::Europe::Helsinki;

/// Easter Sunday of `year` in the Gregorian calendar (the "anonymous Gregorian
/// algorithm", also known as Meeus/Jones/Butcher). `None` only for years chrono cannot
/// represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    // Euclidean division keeps the algorithm well defined for proleptic negative years.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    // n / 31 is 3 or 4 (March or April), n % 31 + 1 is 1..=31.
    NaiveDate::from_ymd_opt(year, (n / 31) as u32, (n % 31 + 1) as u32)
}

/// All Finnish bank holidays of `year`, not sorted (Ascension Day can fall on 30.4.,
/// before May Day). Empty for years chrono cannot represent.
pub fn holidays(year: i32) -> Vec<NaiveDate> {
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let ymd = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    // Midsummer Eve is the Friday between 19 and 25 June.
    let midsummer_eve = ymd(6, 19).map(|june_19| {
        let to_friday = (7 + Weekday::Fri.num_days_from_monday()
            - june_19.weekday().num_days_from_monday())
            % 7;
        june_19 + Days::new(u64::from(to_friday))
    });
    [
        ymd(1, 1),                              // New Year's Day
        ymd(1, 6),                              // Epiphany
        easter.checked_sub_days(Days::new(2)),  // Good Friday
        easter.checked_add_days(Days::new(1)),  // Easter Monday
        ymd(5, 1),                              // May Day
        easter.checked_add_days(Days::new(39)), // Ascension Day
        midsummer_eve,
        ymd(12, 6),  // Independence Day
        ymd(12, 24), // Christmas Eve
        ymd(12, 25), // Christmas Day
        ymd(12, 26), // Boxing Day
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Whether `date` is a Finnish bank holiday.
pub fn is_holiday(date: NaiveDate) -> bool {
    holidays(date.year()).contains(&date)
}

/// Monday to Friday and not a bank holiday.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(date)
}

/// The `n`th business day after `date` (`date` itself when `n` is 0, whatever day it
/// is). `None` if the result would leave chrono's date range.
pub fn checked_add_business_days(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if is_business_day(day) {
            left -= 1;
        }
    }
    Some(day)
}

/// The `n`th business day after `date`; see [`checked_add_business_days`].
///
/// # Panics
/// If the result lies beyond chrono's last representable date (year 262142).
pub fn add_business_days(date: NaiveDate, n: u32) -> NaiveDate {
    checked_add_business_days(date, n).expect("business-day arithmetic left chrono's date range")
}

/// Office hours for business-hour deadlines (ticket nudges): 8.00–16.00 local time on
/// business days.
pub const OFFICE_OPENS: u32 = 8;
pub const OFFICE_CLOSES: u32 = 16;

/// `start` plus `hours` of office time in Helsinki: time outside 8–16 on business days
/// does not count. A start outside office hours counts from the next opening.
pub fn add_business_hours(start: DateTime<chrono::Utc>, hours: u32) -> DateTime<chrono::Utc> {
    use chrono::{NaiveTime, Utc};
    let open = NaiveTime::from_hms_opt(OFFICE_OPENS, 0, 0).expect("valid time");
    let close = NaiveTime::from_hms_opt(OFFICE_CLOSES, 0, 0).expect("valid time");
    let local = start.with_timezone(&HELSINKI).naive_local();
    let (mut day, mut clock) = (local.date(), local.time());
    let mut left = i64::from(hours) * 3600;
    loop {
        if is_business_day(day) && clock < close {
            let from = clock.max(open);
            let available = (close - from).num_seconds();
            if left <= available {
                return localize(HELSINKI, day.and_time(from) + TimeDelta::seconds(left)).with_timezone(&Utc);
            }
            left -= available;
        }
        day = day.succ_opt().expect("within chrono's date range");
        clock = NaiveTime::MIN;
    }
}

/// The moment a wall-clock time denotes in `tz` (for Kaveri's users, [`HELSINKI`]).
///
/// - A time that does not exist because the clocks spring forward is moved forward by
///   the length of the gap: 03:30 on the last Sunday of March becomes 04:30 EEST.
/// - A time that occurs twice because the clocks fall back takes the earlier moment,
///   i.e. the summer-time offset (+03:00 in Helsinki).
pub fn localize(tz: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(moment) => moment,
        LocalResult::Ambiguous(earlier, _later) => earlier,
        LocalResult::None => {
            // Read the wall-clock time with the offset in force before the gap: that
            // instant lies past the transition, where the clock shows `local` plus the
            // gap. The offset a day earlier is the one before the gap, as zones never
            // change offset twice within a day. The fallbacks only matter at the very
            // ends of chrono's range, where no zone has transitions.
            let day_before = local
                .checked_sub_signed(TimeDelta::days(1))
                .unwrap_or(local);
            let before = tz.offset_from_utc_datetime(&day_before).fix();
            let utc = local
                .checked_sub_signed(TimeDelta::seconds(i64::from(before.local_minus_utc())))
                .unwrap_or(local);
            tz.from_utc_datetime(&utc)
        }
    }
}

/// `moment`'s wall-clock time `days` calendar days later, in `moment`'s zone: across a
/// daylight-saving change this is 23 or 25 hours per day, not 24. `None` if the date
/// leaves chrono's range.
pub fn add_calendar_days(moment: DateTime<Tz>, days: u64) -> Option<DateTime<Tz>> {
    let date = moment.date_naive().checked_add_days(Days::new(days))?;
    Some(localize(moment.timezone(), date.and_time(moment.time())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn easter_dates() {
        // Published Easter Sundays, including the extreme dates 22.3. and 25.4.
        let known = [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ];
        for (y, m, d) in known {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_in_range() {
        for year in -500..3000 {
            let easter = easter_sunday(year).unwrap();
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(
                easter >= date(year, 3, 22) && easter <= date(year, 4, 25),
                "{year}"
            );
        }
    }

    #[test]
    fn holidays_2026() {
        let expected = [
            date(2026, 1, 1),
            date(2026, 1, 6),
            date(2026, 4, 3), // Good Friday
            date(2026, 4, 6), // Easter Monday
            date(2026, 5, 1),
            date(2026, 5, 14), // Ascension Day
            date(2026, 6, 19), // Midsummer Eve
            date(2026, 12, 6),
            date(2026, 12, 24),
            date(2026, 12, 25),
            date(2026, 12, 26),
        ];
        assert_eq!(holidays(2026), expected);
    }

    #[test]
    fn holidays_2027_movable() {
        let h = holidays(2027);
        assert!(h.contains(&date(2027, 3, 26))); // Good Friday
        assert!(h.contains(&date(2027, 3, 29))); // Easter Monday
        assert!(h.contains(&date(2027, 5, 6))); // Ascension Day
        assert!(h.contains(&date(2027, 6, 25))); // Midsummer Eve
        assert_eq!(h.len(), 11);
    }

    #[test]
    fn midsummer_eve_is_friday_19_to_25_june() {
        for year in 1950..2150 {
            // Ascension Day can fall in early June too (1.6.2000, Easter + 39).
            let eves: Vec<_> = holidays(year)
                .into_iter()
                .filter(|d| d.month() == 6 && d.day() >= 19)
                .collect();
            assert_eq!(eves.len(), 1, "{year}");
            assert_eq!(eves[0].weekday(), Weekday::Fri, "{year}");
            assert!(eves[0].day() <= 25, "{year}");
        }
    }

    #[test]
    fn business_days() {
        assert!(is_business_day(date(2026, 11, 23))); // Monday
        assert!(!is_business_day(date(2026, 11, 28))); // Saturday
        assert!(!is_business_day(date(2026, 11, 29))); // Sunday
        assert!(!is_business_day(date(2026, 12, 24))); // Thursday, Christmas Eve
        assert!(!is_business_day(date(2027, 5, 6))); // Ascension Day
        assert!(!is_holiday(date(2026, 6, 20))); // Midsummer Day is a Saturday anyway
        assert!(is_business_day(date(2026, 12, 28)));
    }

    #[test]
    fn adding_business_days() {
        // Friday + 1 → Monday.
        assert_eq!(add_business_days(date(2026, 11, 27), 1), date(2026, 11, 30));
        // Saturday + 1 → Monday.
        assert_eq!(add_business_days(date(2026, 11, 28), 1), date(2026, 11, 30));
        assert_eq!(add_business_days(date(2026, 11, 23), 0), date(2026, 11, 23));
        assert_eq!(add_business_days(date(2026, 11, 29), 0), date(2026, 11, 29));
        // Monday 21.12.2026 + 3: Tue 22, Wed 23, (Thu 24, Fri 25, Sat 26, Sun 27 off) Mon 28.
        assert_eq!(add_business_days(date(2026, 12, 21), 3), date(2026, 12, 28));
        // Over Easter 2027: Thu 25.3. + 1 → Tue 30.3. (Good Friday and Easter Monday off).
        assert_eq!(add_business_days(date(2027, 3, 25), 1), date(2027, 3, 30));
        // Over Ascension Day 2027 (Thu 6.5.).
        assert_eq!(add_business_days(date(2027, 5, 5), 1), date(2027, 5, 7));
        // Over New Year: Wed 31.12.2025 + 2 → Fri 2.1., Mon 5.1.; + 3 skips Epiphany (Tue 6.1.).
        assert_eq!(add_business_days(date(2025, 12, 31), 2), date(2026, 1, 5));
        assert_eq!(add_business_days(date(2025, 12, 31), 3), date(2026, 1, 7));
    }

    #[test]
    fn adding_business_days_at_the_end_of_time() {
        assert_eq!(checked_add_business_days(NaiveDate::MAX, 1), None);
        assert_eq!(
            checked_add_business_days(NaiveDate::MAX, 0),
            Some(NaiveDate::MAX)
        );
    }

    #[test]
    fn localize_ordinary_winter_and_summer() {
        assert_eq!(
            localize(HELSINKI, local(2026, 1, 15, 9, 0)).to_rfc3339(),
            "2026-01-15T09:00:00+02:00"
        );
        assert_eq!(
            localize(HELSINKI, local(2026, 7, 15, 9, 0)).to_rfc3339(),
            "2026-07-15T09:00:00+03:00"
        );
    }

    #[test]
    fn localize_spring_gap_moves_forward() {
        // Clocks go from 03:00 EET to 04:00 EEST on 28.3.2027 and 29.3.2026.
        assert_eq!(
            localize(HELSINKI, local(2027, 3, 28, 3, 30)).to_rfc3339(),
            "2027-03-28T04:30:00+03:00"
        );
        assert_eq!(
            localize(HELSINKI, local(2027, 3, 28, 3, 0)).to_rfc3339(),
            "2027-03-28T04:00:00+03:00"
        );
        assert_eq!(
            localize(HELSINKI, local(2026, 3, 29, 3, 59)).to_rfc3339(),
            "2026-03-29T04:59:00+03:00"
        );
        assert_eq!(
            localize(HELSINKI, local(2027, 3, 28, 2, 59)).to_rfc3339(),
            "2027-03-28T02:59:00+02:00"
        );
        assert_eq!(
            localize(HELSINKI, local(2027, 3, 28, 4, 0)).to_rfc3339(),
            "2027-03-28T04:00:00+03:00"
        );
    }

    #[test]
    fn localize_autumn_overlap_takes_summer_time() {
        // Clocks go from 04:00 EEST back to 03:00 EET on 25.10.2026.
        assert_eq!(
            localize(HELSINKI, local(2026, 10, 25, 3, 30)).to_rfc3339(),
            "2026-10-25T03:30:00+03:00"
        );
        assert_eq!(
            localize(HELSINKI, local(2026, 10, 25, 3, 0)).to_rfc3339(),
            "2026-10-25T03:00:00+03:00"
        );
        assert_eq!(
            localize(HELSINKI, local(2026, 10, 25, 4, 0)).to_rfc3339(),
            "2026-10-25T04:00:00+02:00"
        );
    }

    #[test]
    fn localize_other_zone_gap() {
        // New York springs forward at 02:00 → 03:00.
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            localize(ny, local(2026, 3, 8, 2, 30)).to_rfc3339(),
            "2026-03-08T03:30:00-04:00"
        );
    }

    #[test]
    fn calendar_days_keep_the_wall_clock_across_dst() {
        let friday = localize(HELSINKI, local(2027, 3, 26, 10, 0));
        assert_eq!(
            add_calendar_days(friday, 2).unwrap().to_rfc3339(),
            "2027-03-28T10:00:00+03:00"
        );
        let autumn = localize(HELSINKI, local(2026, 10, 23, 10, 0));
        assert_eq!(
            add_calendar_days(autumn, 7).unwrap().to_rfc3339(),
            "2026-10-30T10:00:00+02:00"
        );
        let late = HELSINKI.from_utc_datetime(&NaiveDate::MAX.and_time(NaiveTime::MIN));
        assert_eq!(add_calendar_days(late, 1), None);
    }

    #[test]
    fn business_hours_skip_evenings_weekends_and_holidays() {
        let h = |y, m, d, hh, mm| HELSINKI.with_ymd_and_hms(y, m, d, hh, mm, 0).unwrap().with_timezone(&chrono::Utc);
        // Monday 10.00 + 4 h = 14.00 the same day.
        assert_eq!(add_business_hours(h(2026, 11, 23, 10, 0), 4), h(2026, 11, 23, 14, 0));
        // Monday 14.00 + 4 h: 2 h on Monday, 2 h from Tuesday 8.00.
        assert_eq!(add_business_hours(h(2026, 11, 23, 14, 0), 4), h(2026, 11, 24, 10, 0));
        // Friday 15.00 + 2 h continues on Monday.
        assert_eq!(add_business_hours(h(2026, 11, 27, 15, 0), 2), h(2026, 11, 30, 9, 0));
        // Saturday evening counts from Monday's opening.
        assert_eq!(add_business_hours(h(2026, 11, 28, 20, 0), 1), h(2026, 11, 30, 9, 0));
        // Wednesday 23.12.2026 15.00 + 2 h: Christmas Eve to Boxing Day are holidays,
        // 27.12. is a Sunday, so the second hour falls on Monday 28.12.
        assert_eq!(add_business_hours(h(2026, 12, 23, 15, 0), 2), h(2026, 12, 28, 9, 0));
    }
}
