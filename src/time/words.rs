//! Time in words: moments ("ma 30.11.2026 klo 9.00"), durations and repeat rules, all
//! from prompts/<lang>/.

use super::calendar::HELSINKI;
use super::expr::Recurrence;
use crate::lang::{Lang, Msg, Texts};
use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc, Weekday};

/// The `index`th word of a space-separated list message (weekday names, months, units).
fn word(texts: &Texts, lang: Lang, list: Msg, index: usize) -> String {
    let plain = texts.message(lang, list, &[]).plain;
    plain.split_whitespace().nth(index).unwrap_or_default().to_string()
}

/// "klo 9.00", "kl. 9.00", "at 9:00".
pub fn clock(texts: &Texts, lang: Lang, hour: u32, minute: u32) -> String {
    let (hour, minute) = (hour.to_string(), format!("{minute:02}"));
    texts.message(lang, Msg::Clock, &[("hour", &hour), ("minute", &minute)]).plain
}

/// A moment in Helsinki time: "ma 30.11.2026 klo 9.00", "Mon 30 Nov 2026 at 9:00".
pub fn when(texts: &Texts, lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&HELSINKI);
    let weekday = word(texts, lang, Msg::WeekdaysShort, local.weekday().num_days_from_monday() as usize);
    let month = word(texts, lang, Msg::MonthNames, local.month0() as usize);
    let clock = clock(texts, lang, local.hour(), local.minute());
    let (day, year) = (local.day().to_string(), local.year().to_string());
    texts
        .message(
            lang,
            Msg::DateTime,
            &[("weekday", &weekday), ("day", &day), ("month", &month), ("year", &year), ("clock", &clock)],
        )
        .plain
}

/// A length of time, its two largest units: "45 s", "3 min", "2 h 5 min", "1 vrk 3 h".
pub fn duration(texts: &Texts, lang: Lang, length: TimeDelta) -> String {
    let seconds = length.num_seconds().max(0);
    if seconds < 60 {
        return format!("{seconds} {}", word(texts, lang, Msg::DurationUnits, 3));
    }
    let parts = [seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60];
    let first = parts.iter().position(|&n| n > 0).unwrap_or(2);
    parts
        .iter()
        .enumerate()
        .skip(first)
        .take(2)
        .filter(|(_, &n)| n > 0)
        .map(|(unit, n)| format!("{n} {}", word(texts, lang, Msg::DurationUnits, unit)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a reminder repeats, e.g. "maanantaisin klo 9.00" or "every 2 weeks on Tuesdays
/// at 13:00". `due` is an occurrence, for the time of day of day-based rules.
pub fn rule(texts: &Texts, lang: Lang, recurrence: &Recurrence, due: DateTime<Utc>) -> String {
    let weekdays = |weekday: Weekday| word(texts, lang, Msg::WeekdaysPlural, weekday.num_days_from_monday() as usize);
    let local = due.with_timezone(&HELSINKI);
    match *recurrence {
        Recurrence::Weekly { weekday, every_weeks, hour, minute } => {
            let clock = clock(texts, lang, hour, minute);
            let weekdays = weekdays(weekday);
            if every_weeks <= 1 {
                texts.message(lang, Msg::RuleWeekly, &[("weekdays", &weekdays), ("clock", &clock)]).plain
            } else {
                let n = every_weeks.to_string();
                texts
                    .message(lang, Msg::RuleEveryNWeeks, &[("n", &n), ("weekdays", &weekdays), ("clock", &clock)])
                    .plain
            }
        }
        Recurrence::EveryNDays { days } => {
            let clock = clock(texts, lang, local.hour(), local.minute());
            if days <= 1 {
                texts.message(lang, Msg::RuleDaily, &[("clock", &clock)]).plain
            } else {
                texts.message(lang, Msg::RuleEveryNDays, &[("n", &days.to_string()), ("clock", &clock)]).plain
            }
        }
        Recurrence::EverySeconds { seconds } => {
            let interval = duration(texts, lang, TimeDelta::seconds(i64::from(seconds)));
            texts.message(lang, Msg::RuleEvery, &[("interval", &interval)]).plain
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn moments_read_in_words_and_numbers_in_each_language() {
        let texts = Texts::embedded().unwrap();
        // Monday 30.11.2026 09:00 in Helsinki.
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap();
        assert_eq!(when(&texts, Lang::Fi, at), "ma 30.11.2026 klo 9.00");
        assert_eq!(when(&texts, Lang::Sv, at), "mån 30.11.2026 kl. 9.00");
        assert_eq!(when(&texts, Lang::En, at), "Mon 30 Nov 2026 at 9:00");
    }

    #[test]
    fn durations_show_their_two_largest_units() {
        let texts = Texts::embedded().unwrap();
        assert_eq!(duration(&texts, Lang::Fi, TimeDelta::seconds(45)), "45 s");
        assert_eq!(duration(&texts, Lang::Fi, TimeDelta::minutes(125)), "2 h 5 min");
        assert_eq!(duration(&texts, Lang::Fi, TimeDelta::minutes(60 * 27 + 4)), "1 vrk 3 h");
        assert_eq!(duration(&texts, Lang::En, TimeDelta::hours(48)), "2 d");
    }

    #[test]
    fn repeat_rules_read_naturally() {
        let texts = Texts::embedded().unwrap();
        let due = Utc.with_ymd_and_hms(2026, 11, 24, 11, 0, 0).unwrap();
        let tuesdays = Recurrence::Weekly { weekday: Weekday::Tue, every_weeks: 2, hour: 13, minute: 0 };
        assert_eq!(rule(&texts, Lang::Fi, &tuesdays, due), "tiistaisin klo 13.00 2 viikon välein");
        assert_eq!(rule(&texts, Lang::En, &tuesdays, due), "every 2 weeks on Tuesdays at 13:00");
        let mondays = Recurrence::Weekly { weekday: Weekday::Mon, every_weeks: 1, hour: 9, minute: 0 };
        assert_eq!(rule(&texts, Lang::Sv, &mondays, due), "på måndagar kl. 9.00");
        assert_eq!(rule(&texts, Lang::Fi, &Recurrence::EverySeconds { seconds: 1800 }, due), "30 min välein");
    }
}
