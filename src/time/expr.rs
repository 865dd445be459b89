//! Time expressions in Finnish, Swedish and English: "huomenna klo 9", "om två veckor",
//! "joka toinen tiistai klo 13", "every monday at 9", "15.12.", "vk 50", ...
//!
//! How it works: the input is split into tokens (runs of letters, runs of ASCII digits and
//! single other symbols, each with its byte span). From the first token on, every way of
//! reading up to three parts is tried: a day (day word, weekday, date, ISO week), a clock
//! time, a relative duration and a recurrence, in the combinations that make sense. The
//! reading that covers the most tokens wins, and only then is it turned into a moment, so
//! that "31.2." is reported as an invalid date rather than as "not understood". Words are
//! compared lowercased with ä, ö and å folded to a, o and a, so "paivan" matches "päivän".
//!
//! Defaults and rules (see [`parse`]): a day without a clock time means 09:00; a relative
//! duration keeps the time of day; a bare weekday is the next such day after today; a bare
//! clock time that has passed today means tomorrow; a moment in the past is an error.

use super::calendar::{self, localize};
use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeDelta, Timelike, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A time expression read from the start of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The (first) moment the expression denotes; always after `now`.
    pub at: DateTime<Tz>,
    /// Bytes of input consumed from the start, including the whitespace and one separator
    /// (`,` `:` `;` `.` `-` `–` `—`) after the expression. Always a char boundary.
    pub consumed: usize,
    /// Set for recurring expressions ("joka maanantai"); `at` is then the first occurrence.
    pub recurrence: Option<Recurrence>,
}

/// How a recurring reminder repeats; see [`next_occurrence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    /// On `weekday` at `hour:minute` local time, every `every_weeks` weeks.
    Weekly {
        weekday: Weekday,
        every_weeks: u32,
        hour: u32,
        minute: u32,
    },
    /// Every `days` calendar days, at the wall-clock time of the previous occurrence.
    EveryNDays { days: u32 },
    /// Every `seconds` of elapsed time ("joka tunti", "every 20 seconds"), whatever the
    /// wall clock does.
    EverySeconds { seconds: u32 },
}

/// Why an input is not a usable time expression. Carries no prose: user-facing texts are
/// looked up by [`TimeError::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// Nothing but whitespace.
    Empty,
    /// No time expression at the start (or, for [`parse`], text left after it).
    NotUnderstood,
    /// The expression denotes a moment that is not after `now`.
    InPast,
    /// A date or week that does not exist, such as 31.2. or week 54.
    InvalidDate,
    /// A clock time that does not exist, such as 25:00 or 9:75.
    InvalidTime,
    /// A weekday together with a date that falls on another weekday ("ma 1.12.2026").
    WeekdayMismatch,
    /// An amount beyond [`MAX_AMOUNT`], zero repeats, or a date beyond the calendar.
    OutOfRange,
}

impl TimeError {
    /// Stable machine key, for looking up the user-facing text.
    pub fn key(&self) -> &'static str {
        match self {
            TimeError::Empty => "empty",
            TimeError::NotUnderstood => "not_understood",
            TimeError::InPast => "in_past",
            TimeError::InvalidDate => "invalid_date",
            TimeError::InvalidTime => "invalid_time",
            TimeError::WeekdayMismatch => "weekday_mismatch",
            TimeError::OutOfRange => "out_of_range",
        }
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl std::error::Error for TimeError {}

/// The largest amount accepted in a relative duration or repeat interval ("in 10000
/// days"). It also bounds the work of counting business days.
pub const MAX_AMOUNT: u32 = 10_000;

/// Reads `input` as a whole as a time expression relative to `now` (whose zone is used
/// for the result). Trailing whitespace and one trailing separator are allowed.
pub fn parse(input: &str, now: DateTime<Tz>) -> Result<Parsed, TimeError> {
    let reading = longest_reading(input)?;
    if reading.consumed != input.len() {
        return Err(TimeError::NotUnderstood);
    }
    reading.resolve(now)
}

/// Reads the longest time expression at the start of `input`; `consumed` tells where the
/// rest ("soita Kelaan" in "huomenna klo 9 soita Kelaan") begins.
pub fn parse_prefix(input: &str, now: DateTime<Tz>) -> Result<Parsed, TimeError> {
    longest_reading(input)?.resolve(now)
}

/// The next occurrence of `rec` after `after`, which should be the previous occurrence
/// (or, for the first one, the present moment).
///
/// `Weekly`: if `after` falls on the weekday, the slot that day if it is still ahead,
/// otherwise the slot `every_weeks` weeks later; from any other day, the next slot on the
/// weekday. `EveryNDays`: `after`'s wall-clock time `days` calendar days later. Both keep
/// the wall-clock time across daylight-saving changes (a slot in the spring gap moves
/// forward by the gap). An hour or minute out of range is clamped to 23 or 59, and a
/// count of 0 is read as 1.
///
/// # Panics
/// If the next occurrence lies beyond chrono's last representable date (year 262142).
pub fn next_occurrence(rec: &Recurrence, after: DateTime<Tz>) -> DateTime<Tz> {
    let next = match *rec {
        Recurrence::Weekly {
            weekday,
            every_weeks,
            hour,
            minute,
        } => {
            let time = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), 0).unwrap_or_default();
            let date = after.date_naive();
            if date.weekday() == weekday {
                let same_day = slot(after.timezone(), date, time);
                if same_day > after {
                    Some(same_day)
                } else {
                    let weeks = u64::from(every_weeks.max(1));
                    date.checked_add_days(Days::new(7 * weeks))
                        .map(|date| slot(after.timezone(), date, time))
                }
            } else {
                next_weekday_slot(weekday, time, after)
            }
        }
        Recurrence::EveryNDays { days } => {
            calendar::add_calendar_days(after, u64::from(days.max(1)))
        }
        Recurrence::EverySeconds { seconds } => {
            after.checked_add_signed(TimeDelta::seconds(i64::from(seconds.max(1))))
        }
    };
    next.expect("next occurrence beyond chrono's date range")
}

// ---------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Num,
    Sym(char),
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    /// Lowercased, with ä, ö, å folded to a, o, a.
    text: String,
    /// Lowercased only: the Swedish abbreviations "sön" and "lör" must not match the
    /// English words "son" and "lor".
    lower: String,
    /// Byte offset just past the token.
    end: usize,
    /// Whitespace (or the start of input) comes right before this token.
    spaced: bool,
}

fn tokenize(input: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    let mut spaced = true;
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            spaced = true;
            continue;
        }
        let kind = if c.is_alphabetic() {
            Kind::Word
        } else if c.is_ascii_digit() {
            Kind::Num
        } else {
            Kind::Sym(c)
        };
        let mut end = start + c.len_utf8();
        let continues = |d: char| match kind {
            Kind::Word => d.is_alphabetic(),
            Kind::Num => d.is_ascii_digit(),
            Kind::Sym(_) => false,
        };
        while let Some(&(i, d)) = chars.peek() {
            if !continues(d) {
                break;
            }
            end = i + d.len_utf8();
            chars.next();
        }
        let lower = input[start..end].to_lowercase();
        let text = lower.chars().map(crate::lang::fold_char).collect();
        tokens.push(Token {
            kind,
            text,
            lower,
            end,
            spaced,
        });
        spaced = false;
    }
    tokens
}

/// Token-level look-ups; an index past the end matches nothing.
struct Toks<'a>(&'a [Token]);

impl Toks<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        self.0
            .get(i)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text.as_str())
    }

    fn is(&self, i: usize, words: &[&str]) -> bool {
        self.word(i).is_some_and(|w| words.contains(&w))
    }

    fn lookup<T: Copy>(&self, i: usize, table: &[(&str, T)]) -> Option<T> {
        let w = self.word(i)?;
        table
            .iter()
            .find(|(key, _)| *key == w)
            .map(|&(_, value)| value)
    }

    /// A digit run of at most `max_digits` digits; values beyond u32 saturate (and are
    /// then rejected as out of range).
    fn num(&self, i: usize, max_digits: usize) -> Option<u32> {
        let t = self
            .0
            .get(i)
            .filter(|t| t.kind == Kind::Num && t.text.len() <= max_digits)?;
        Some(t.text.parse().unwrap_or(u32::MAX))
    }

    fn digits(&self, i: usize) -> usize {
        self.0
            .get(i)
            .filter(|t| t.kind == Kind::Num)
            .map_or(0, |t| t.text.len())
    }

    fn sym(&self, i: usize, c: char) -> bool {
        self.0.get(i).is_some_and(|t| t.kind == Kind::Sym(c))
    }

    /// Token `i` exists and follows the previous one without whitespace.
    fn glued(&self, i: usize) -> bool {
        self.0.get(i).is_some_and(|t| !t.spaced)
    }

    fn glued_sym(&self, i: usize, c: char) -> bool {
        self.glued(i) && self.sym(i, c)
    }

    /// Past an abbreviation's optional dot ("kl.", "v.", "pe.").
    fn skip_dot(&self, i: usize) -> usize {
        if self.glued_sym(i, '.') {
            i + 1
        } else {
            i
        }
    }
}

// ---------------------------------------------------------------------------------------
// Vocabulary (folded forms)

const NUMBER_WORDS: &[(&str, u32)] = &[
    // Finnish, nominative and genitive ("kahden viikon päästä").
    ("yksi", 1),
    ("yhden", 1),
    ("kaksi", 2),
    ("kahden", 2),
    ("parin", 2),
    ("kolme", 3),
    ("kolmen", 3),
    ("nelja", 4),
    ("neljan", 4),
    ("viisi", 5),
    ("viiden", 5),
    ("kuusi", 6),
    ("kuuden", 6),
    ("seitseman", 7),
    ("kahdeksan", 8),
    ("yhdeksan", 9),
    ("kymmenen", 10),
    ("yksitoista", 11),
    ("yhdentoista", 11),
    ("kaksitoista", 12),
    ("kahdentoista", 12),
    // Swedish.
    ("en", 1),
    ("ett", 1),
    ("tva", 2),
    ("tre", 3),
    ("fyra", 4),
    ("fem", 5),
    ("sex", 6),
    ("sju", 7),
    ("atta", 8),
    ("nio", 9),
    ("tio", 10),
    ("elva", 11),
    ("tolv", 12),
    // English.
    ("a", 1),
    ("an", 1),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

/// Number words that may stand for a number on their own ("kello kymmenen", "halv tio",
/// "every two weeks"): not the articles "a", "an", "en" nor "parin" (a couple), which
/// count only in durations ("in an hour", "parin päivän päästä").
fn number_word(t: &Toks, i: usize) -> Option<u32> {
    if t.is(i, &["a", "an", "en", "parin"]) {
        return None;
    }
    t.lookup(i, NUMBER_WORDS)
}

/// "2", "kahden", "två", "an".
fn amount(t: &Toks, i: usize) -> Option<u32> {
    t.num(i, usize::MAX).or_else(|| t.lookup(i, NUMBER_WORDS))
}

const ORDINALS: &[(&str, u32)] = &[
    ("toinen", 2),
    ("kolmas", 3),
    ("neljas", 4),
    ("viides", 5),
    ("kuudes", 6),
    ("annan", 2),
    ("tredje", 3),
    ("fjarde", 4),
    ("femte", 5),
    ("sjatte", 6),
    ("other", 2),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    BusinessDay,
}

impl Unit {
    /// Elapsed-time units are added as absolute durations and leave no room for a clock
    /// time; the others step the calendar and keep (or take) a time of day.
    fn is_elapsed(self) -> bool {
        matches!(self, Unit::Second | Unit::Minute | Unit::Hour)
    }

    /// Length of an elapsed-time unit.
    fn seconds(self) -> Option<u32> {
        match self {
            Unit::Second => Some(1),
            Unit::Minute => Some(60),
            Unit::Hour => Some(3600),
            _ => None,
        }
    }
}

/// Elapsed-time units in the nominative, as counted after "joka", "varje", "every":
/// "joka tunti", "varje timme", "every 20 seconds". English "second" is left out: "every
/// second week" is an ordinal.
const ELAPSED_UNITS: &[(&str, Unit)] = &[
    ("sekunti", Unit::Second),
    ("minuutti", Unit::Minute),
    ("tunti", Unit::Hour),
    ("sekund", Unit::Second),
    ("sekunder", Unit::Second),
    ("minut", Unit::Minute),
    ("minuter", Unit::Minute),
    ("timme", Unit::Hour),
    ("timmar", Unit::Hour),
    ("seconds", Unit::Second),
    ("minute", Unit::Minute),
    ("minutes", Unit::Minute),
    ("hour", Unit::Hour),
    ("hours", Unit::Hour),
];

const UNITS: &[(&str, Unit)] = &[
    // Finnish genitive ("tunnin päästä").
    ("sekunnin", Unit::Second),
    ("minuutin", Unit::Minute),
    ("tunnin", Unit::Hour),
    ("paivan", Unit::Day),
    ("vuorokauden", Unit::Day),
    ("vrk", Unit::Day),
    ("viikon", Unit::Week),
    ("kuukauden", Unit::Month),
    ("kk", Unit::Month),
    ("vuoden", Unit::Year),
    ("arkipaivan", Unit::BusinessDay),
    ("tyopaivan", Unit::BusinessDay),
    // Swedish.
    ("sekund", Unit::Second),
    ("sekunder", Unit::Second),
    ("minut", Unit::Minute),
    ("minuter", Unit::Minute),
    ("timme", Unit::Hour),
    ("timmar", Unit::Hour),
    ("dag", Unit::Day),
    ("dagar", Unit::Day),
    ("vecka", Unit::Week),
    ("veckor", Unit::Week),
    ("manad", Unit::Month),
    ("manader", Unit::Month),
    ("ar", Unit::Year),
    ("arbetsdag", Unit::BusinessDay),
    ("arbetsdagar", Unit::BusinessDay),
    ("vardag", Unit::BusinessDay),
    ("vardagar", Unit::BusinessDay),
    // English.
    ("second", Unit::Second),
    ("seconds", Unit::Second),
    ("secs", Unit::Second),
    ("minute", Unit::Minute),
    ("minutes", Unit::Minute),
    ("mins", Unit::Minute),
    ("hour", Unit::Hour),
    ("hours", Unit::Hour),
    ("hr", Unit::Hour),
    ("hrs", Unit::Hour),
    ("day", Unit::Day),
    ("days", Unit::Day),
    ("week", Unit::Week),
    ("weeks", Unit::Week),
    ("month", Unit::Month),
    ("months", Unit::Month),
    ("year", Unit::Year),
    ("years", Unit::Year),
    ("workday", Unit::BusinessDay),
    ("workdays", Unit::BusinessDay),
    // Shared.
    ("min", Unit::Minute),
    ("h", Unit::Hour),
];

const MONTHS: &[(&str, u32)] = &[
    // Finnish partitive ("15. joulukuuta").
    ("tammikuuta", 1),
    ("helmikuuta", 2),
    ("maaliskuuta", 3),
    ("huhtikuuta", 4),
    ("toukokuuta", 5),
    ("kesakuuta", 6),
    ("heinakuuta", 7),
    ("elokuuta", 8),
    ("syyskuuta", 9),
    ("lokakuuta", 10),
    ("marraskuuta", 11),
    ("joulukuuta", 12),
    // Swedish and English, with abbreviations.
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("feb", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("maj", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("augusti", 8),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];
const FI_WEEKDAYS: [&str; 7] = [
    "maanantai",
    "tiistai",
    "keskiviikko",
    "torstai",
    "perjantai",
    "lauantai",
    "sunnuntai",
];
const SV_WEEKDAYS: [&str; 7] = [
    "mandag", "tisdag", "onsdag", "torsdag", "fredag", "lordag", "sondag",
];
const EN_WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
/// Abbreviations, matched on the lowercased (unfolded) text.
const WEEKDAY_ABBREVIATIONS: [&[&str]; 7] = [
    &["ma", "mån", "mon"],
    &["ti", "tis", "tue", "tues"],
    &["ke", "ons", "wed"],
    &["to", "tor", "tors", "thu", "thur", "thurs"],
    &["pe", "fre", "fri"],
    &["la", "lör", "sat"],
    &["su", "sön", "sun"],
];

/// How a weekday word is inflected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekdayForm {
    /// One day: "maanantai(na)", "måndag(en)", "monday", "ma".
    Single,
    /// A deadline: "maanantaihin (mennessä)", "keskiviikkoon".
    By,
    /// Every such day: "maanantaisin", "måndagar", "mondays".
    Plural,
}

/// A weekday word at `i`, with the index past it (and past an abbreviation's dot).
fn weekday_at(t: &Toks, i: usize) -> Option<(Weekday, WeekdayForm, usize)> {
    let token = t.0.get(i).filter(|t| t.kind == Kind::Word)?;
    let word = token.text.as_str();
    for (n, &weekday) in WEEKDAYS.iter().enumerate() {
        if WEEKDAY_ABBREVIATIONS[n].contains(&token.lower.as_str()) {
            return Some((weekday, WeekdayForm::Single, t.skip_dot(i + 1)));
        }
        // Finnish case endings: essive -na, translative -ksi, illative -hin/-on, and the
        // adverbial plural -sin/-isin.
        if let Some(ending) = word.strip_prefix(FI_WEEKDAYS[n]) {
            let (illative, plural) = if FI_WEEKDAYS[n].ends_with('o') {
                ("on", "isin")
            } else {
                ("hin", "sin")
            };
            let form = match ending {
                "" | "na" | "ksi" => Some(WeekdayForm::Single),
                e if e == illative => Some(WeekdayForm::By),
                e if e == plural => Some(WeekdayForm::Plural),
                _ => None,
            };
            if let Some(form) = form {
                return Some((weekday, form, i + 1));
            }
        }
        let form = match (
            word.strip_prefix(SV_WEEKDAYS[n]),
            word.strip_prefix(EN_WEEKDAYS[n]),
        ) {
            (Some("" | "en"), _) | (_, Some("")) => Some(WeekdayForm::Single),
            (Some("ar"), _) | (_, Some("s")) => Some(WeekdayForm::Plural),
            _ => None,
        };
        if let Some(form) = form {
            return Some((weekday, form, i + 1));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Parts of an expression

/// A clock time as written; validated when resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Clock {
    hour: u32,
    minute: u32,
}

impl Clock {
    fn time(self) -> Result<NaiveTime, TimeError> {
        NaiveTime::from_hms_opt(self.hour, self.minute, 0).ok_or(TimeError::InvalidTime)
    }
}

const NINE: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).unwrap();

/// Hours said in words ("kello kolme", "puoli kaksi", "halv tio") do not say whether
/// morning or afternoon is meant; read them as working hours, 07:00–18:59.
fn working_hour(hour: u32) -> u32 {
    if hour < 7 {
        hour + 12
    } else {
        hour
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DaySpec {
    /// Today plus this many days: "tänään", "huomenna", "i övermorgon".
    Offset(u32),
    /// A weekday; `next_week` for "ensi", "nästa", "next" (that weekday of next ISO week).
    Weekday { weekday: Weekday, next_week: bool },
    Date {
        day: u32,
        month: u32,
        year: Option<i32>,
    },
    /// Monday of an ISO week.
    IsoWeek(u32),
    /// Monday of next ISO week: "ensi viikolla", "next week".
    NextWeek,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RepeatSpec {
    /// `weekday: None` repeats on today's weekday ("joka viikko", "every 2 weeks").
    Weekly {
        weekday: Option<Weekday>,
        every: u32,
    },
    Daily {
        every: u32,
    },
    /// Elapsed time between occurrences, in seconds ("every 20 seconds", "joka tunti").
    Elapsed {
        every: u32,
        unit: Unit,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Day(DaySpec),
    Clock(Clock),
    /// "in 3 days", "2 tunnin päästä".
    Relative(u32, Unit),
    Repeat(RepeatSpec),
}

impl Item {
    fn clock(hour: u32, minute: u32) -> Item {
        Item::Clock(Clock { hour, minute })
    }

    fn weekly(weekday: Option<Weekday>, every: u32) -> Item {
        Item::Repeat(RepeatSpec::Weekly { weekday, every })
    }

    fn daily(every: u32) -> Item {
        Item::Repeat(RepeatSpec::Daily { every })
    }

    fn elapsed(every: u32, unit: Unit) -> Item {
        Item::Repeat(RepeatSpec::Elapsed { every, unit })
    }
}

type Found = Vec<(Item, usize)>;

/// Every item that can be read starting at token `i`, each with the index past it.
/// Ambiguous input yields several: "10.10" is a date first and a clock time second.
fn items_at(t: &Toks, i: usize) -> Found {
    let mut found = Vec::new();
    repeat(t, i, &mut found);
    relative(t, i, &mut found);
    day_word(t, i, &mut found);
    weekday(t, i, &mut found);
    week(t, i, &mut found);
    date(t, i, &mut found);
    clock(t, i, &mut found);
    found
}

/// "joka (toinen) tiistai", "varje/varannan/var tredje vecka", "every (other/2) monday",
/// "6 viikon välein", "maanantaisin", "på måndagar", "mondays", "daily", ...
fn repeat(t: &Toks, i: usize, found: &mut Found) {
    let target = |j: usize, every: u32| -> Option<(Item, usize)> {
        if let Some((weekday, WeekdayForm::Single, end)) = weekday_at(t, j) {
            Some((Item::weekly(Some(weekday), every), end))
        } else if t.is(j, &["viikko", "vecka", "veckor", "week", "weeks"]) {
            Some((Item::weekly(None, every), j + 1))
        } else if t.is(j, &["paiva", "dag", "dagar", "day", "days"]) {
            Some((Item::daily(every), j + 1))
        } else {
            t.lookup(j, ELAPSED_UNITS).map(|unit| (Item::elapsed(every, unit), j + 1))
        }
    };

    if t.is(i, &["joka", "varje", "var", "every"]) {
        let j = i + 1;
        if let Some(every) = t.lookup(j, ORDINALS) {
            found.extend(target(j + 1, every));
        } else if let Some(every) = t.num(j, usize::MAX) {
            // "joka 2. viikko", "var 3:e vecka", "every 2nd week", "every 2 weeks".
            let k = if t.glued_sym(j + 1, '.') {
                j + 2
            } else if t.glued_sym(j + 1, ':') && t.glued(j + 2) && t.is(j + 2, &["e"]) {
                j + 3
            } else if t.glued(j + 1) && t.is(j + 1, &["st", "nd", "rd", "th"]) {
                j + 2
            } else {
                j + 1
            };
            found.extend(target(k, every));
        } else if let Some(every) = number_word(t, j) {
            found.extend(target(j + 1, every)); // "every two weeks"
        } else {
            found.extend(target(j, 1)); // "joka tiistai", "varje vecka"
        }
    }
    if t.is(i, &["varannan"]) {
        found.extend(target(i + 1, 2));
    }
    if t.is(i, &["puolen"]) && t.is(i + 1, &["tunnin"]) && t.is(i + 2, &["valein"]) {
        found.push((Item::elapsed(30, Unit::Minute), i + 3));
    }
    // "6 viikon välein", "kahden päivän välein", "viikon välein", "20 sekunnin välein".
    let (every, j) = amount(t, i).map_or((1, i), |n| (n, i + 1));
    if t.is(j + 1, &["valein"]) {
        match t.lookup(j, UNITS) {
            Some(Unit::Week) => found.push((Item::weekly(None, every), j + 2)),
            Some(Unit::Day) => found.push((Item::daily(every), j + 2)),
            Some(unit) if unit.is_elapsed() => found.push((Item::elapsed(every, unit), j + 2)),
            _ => {}
        }
    }
    let j = if t.is(i, &["on", "pa"]) { i + 1 } else { i };
    if let Some((weekday, WeekdayForm::Plural, end)) = weekday_at(t, j) {
        found.push((Item::weekly(Some(weekday), 1), end));
    }
    if t.is(i, &["viikoittain", "veckovis", "weekly"]) {
        found.push((Item::weekly(None, 1), i + 1));
    }
    if t.is(i, &["paivittain", "dagligen", "daily"]) {
        found.push((Item::daily(1), i + 1));
    }
}

/// "2 viikon päästä", "tunnin kuluttua", "puolen tunnin päästä", "om 2 veckor",
/// "om en halvtimme", "in an hour", "in half an hour", "in 3 working days".
fn relative(t: &Toks, i: usize, found: &mut Found) {
    const HALF_HOUR: Item = Item::Relative(30, Unit::Minute);
    let fi_after = ["paasta", "kuluttua"];
    if t.is(i, &["puolen"]) && t.is(i + 1, &["tunnin"]) && t.is(i + 2, &fi_after) {
        found.push((HALF_HOUR, i + 3));
    }
    // The number may be left out in Finnish: "tunnin päästä" is in an hour.
    let (n, j) = amount(t, i).map_or((1, i), |n| (n, i + 1));
    if let Some(unit) = t.lookup(j, UNITS) {
        if t.is(j + 1, &fi_after) {
            found.push((Item::Relative(n, unit), j + 2));
        }
    }

    if !t.is(i, &["om", "in"]) {
        return;
    }
    if t.is(i + 1, &["half"]) && t.is(i + 2, &["a", "an"]) && t.is(i + 3, &["hour"]) {
        found.push((HALF_HOUR, i + 4));
    }
    if t.is(i + 1, &["en"]) && t.is(i + 2, &["halvtimme"]) {
        found.push((HALF_HOUR, i + 3));
    }
    if t.is(i + 1, &["en"]) && t.is(i + 2, &["halv"]) && t.is(i + 3, &["timme"]) {
        found.push((HALF_HOUR, i + 4));
    }
    if let Some(n) = amount(t, i + 1) {
        if let Some(unit) = t.lookup(i + 2, UNITS) {
            found.push((Item::Relative(n, unit), i + 3));
        }
        if t.is(i + 2, &["working", "business", "work"]) && t.is(i + 3, &["day", "days"]) {
            found.push((Item::Relative(n, Unit::BusinessDay), i + 4));
        }
    }
}

/// "tänään", "huomenna", "ylihuomenna", "i dag", "imorgon", "i övermorgon", "today",
/// "tomorrow", "(the) day after tomorrow".
fn day_word(t: &Toks, i: usize, found: &mut Found) {
    const WORDS: &[(&str, u32)] = &[
        ("tanaan", 0),
        ("huomenna", 1),
        ("ylihuomenna", 2),
        ("idag", 0),
        ("imorgon", 1),
        ("overmorgon", 2),
        ("today", 0),
        ("tomorrow", 1),
    ];
    if let Some(n) = t.lookup(i, WORDS) {
        found.push((Item::Day(DaySpec::Offset(n)), i + 1));
    }
    if t.is(i, &["i"]) {
        if let Some(n) = t.lookup(i + 1, &[("dag", 0), ("morgon", 1), ("overmorgon", 2)]) {
            found.push((Item::Day(DaySpec::Offset(n)), i + 2));
        }
    }
    let j = if t.is(i, &["the"]) { i + 1 } else { i };
    if t.is(j, &["day"]) && t.is(j + 1, &["after"]) && t.is(j + 2, &["tomorrow"]) {
        found.push((Item::Day(DaySpec::Offset(2)), j + 3));
    }
}

/// "perjantaina", "pe", "maanantaihin mennessä", "ensi (viikon) maanantaina",
/// "på fredag", "nästa måndag", "on friday", "next monday", "by friday".
fn weekday(t: &Toks, i: usize, found: &mut Found) {
    let (next_week, j) = if t.is(i, &["ensi"]) && t.is(i + 1, &["viikon"]) {
        (true, i + 2)
    } else if t.is(i, &["ensi", "nasta", "next"]) {
        (true, i + 1)
    } else if t.is(i, &["on", "pa", "this", "tana", "tulevana", "by"]) {
        (false, i + 1)
    } else {
        (false, i)
    };
    let end = match weekday_at(t, j) {
        Some((weekday, WeekdayForm::Single, end)) => Some((weekday, end)),
        Some((weekday, WeekdayForm::By, end)) => Some((
            weekday,
            if t.is(end, &["mennessa"]) {
                end + 1
            } else {
                end
            },
        )),
        Some((_, WeekdayForm::Plural, _)) | None => None,
    };
    if let Some((weekday, end)) = end {
        found.push((Item::Day(DaySpec::Weekday { weekday, next_week }), end));
    }
}

/// ISO weeks ("viikolla 50", "vk 50", "vko 50", "v. 50", "vecka 50", "week 50") and next
/// week ("ensi viikolla", "nästa vecka", "i nästa vecka", "next week").
fn week(t: &Toks, i: usize, found: &mut Found) {
    let j = if t.is(i, &["viikolla", "viikko", "vecka", "week"]) {
        i + 1
    } else if t.is(i, &["vk", "vko", "v", "wk"]) {
        t.skip_dot(i + 1)
    } else {
        i
    };
    if j > i {
        if let Some(n) = t.num(j, 2) {
            found.push((Item::Day(DaySpec::IsoWeek(n)), j + 1));
        }
    }
    let j = if t.is(i, &["i"]) && t.is(i + 1, &["nasta"]) {
        i + 1
    } else {
        i
    };
    if (t.is(j, &["ensi"]) && t.is(j + 1, &["viikolla", "viikko"]))
        || (t.is(j, &["nasta"]) && t.is(j + 1, &["vecka"]))
        || (t.is(j, &["next"]) && t.is(j + 1, &["week"]))
    {
        found.push((Item::Day(DaySpec::NextWeek), j + 2));
    }
}

/// A year written with other than two or four digits.
const UNREADABLE_YEAR: i32 = i32::MIN;

/// "15.12.", "15.12.2026", "15.12.26", bare "15.12", "2026-12-15", "15. joulukuuta",
/// "den 15 december (2026)", "15th December", "December 15(, 2026)", "on 15.12.".
fn date(t: &Toks, i: usize, found: &mut Found) {
    let i = if t.is(i, &["den", "on"]) { i + 1 } else { i };
    let day_at = |j: usize| t.num(j, 2).filter(|d| (1..=31).contains(d));
    let month_at = |j: usize| t.num(j, 2).filter(|m| (1..=12).contains(m));
    let push = |found: &mut Found, day, month, year, end| {
        found.push((Item::Day(DaySpec::Date { day, month, year }), end));
    };

    // Day and month numbers, written without spaces.
    if let Some(day) = day_at(i) {
        if let Some(month) = month_at(i + 2).filter(|_| t.glued_sym(i + 1, '.') && t.glued(i + 2)) {
            if t.glued_sym(i + 3, '.') {
                if t.glued(i + 4) && matches!(t.digits(i + 4), 2 | 4) {
                    let year = t.num(i + 4, 4).map(|y| if y < 100 { 2000 + y } else { y });
                    push(found, day, month, year.map(|y| y as i32), i + 5);
                } else if t.glued(i + 4) && t.digits(i + 4) > 0 {
                    // "15.12.99999", "15.12.202": a year that cannot be meant. Read as one, it
                    // is refused as out of range instead of leaving its digits in the text.
                    push(found, day, month, Some(UNREADABLE_YEAR), i + 5);
                }
                push(found, day, month, None, i + 4);
            }
            // Finns often leave out the final dot; "10.10" may also be a clock time,
            // which `clock` offers as the next reading.
            push(found, day, month, None, i + 3);
        }
    }
    // ISO 8601.
    if t.digits(i) == 4
        && t.glued_sym(i + 1, '-')
        && t.glued_sym(i + 3, '-')
        && t.glued(i + 2)
        && t.glued(i + 4)
    {
        if let (Some(year), Some(month), Some(day)) = (t.num(i, 4), month_at(i + 2), day_at(i + 4))
        {
            push(found, day, month, Some(year as i32), i + 5);
        }
    }
    // A year after a month name: "15 December 2026", "December 15, 2026".
    let year_at = |j: usize| -> (Option<i32>, usize) {
        let k = if t.sym(j, ',') { j + 1 } else { j };
        match t.num(k, 4).filter(|_| t.digits(k) == 4) {
            Some(year) => (Some(year as i32), k + 1),
            None => (None, j),
        }
    };
    // Past an ordinal ending: "15.", "15:e", "15th".
    let ordinal_end = |j: usize| -> usize {
        if t.glued_sym(j, '.') {
            j + 1
        } else if t.glued_sym(j, ':') && t.glued(j + 1) && t.is(j + 1, &["e"]) {
            j + 2
        } else if t.glued(j) && t.is(j, &["st", "nd", "rd", "th"]) {
            j + 1
        } else {
            j
        }
    };
    if let Some(day) = day_at(i) {
        let j = ordinal_end(i + 1);
        if let Some(month) = t.lookup(j, MONTHS) {
            let (year, end) = year_at(t.skip_dot(j + 1));
            push(found, day, month, year, end);
        }
    }
    if let Some(month) = t.lookup(i, MONTHS) {
        let j = t.skip_dot(i + 1);
        if let Some(day) = day_at(j) {
            let (year, end) = year_at(ordinal_end(j + 1));
            push(found, day, month, year, end);
        }
    }
}

/// "klo 13", "klo 13.30", "kello 9", "kl. 9:30", "klockan 9", "at 9", "at 2pm", bare
/// "13:30", "13.30", "9am", "puoli kymmenen" (9:30), "halv tio" (9:30), "kello kolme".
fn clock(t: &Toks, i: usize, found: &mut Found) {
    let marked = t.is(i, &["klo", "kello", "kl", "klockan", "at"]);
    let j = if marked { t.skip_dot(i + 1) } else { i };

    if let Some(hour) = t.num(j, 2) {
        // Minutes follow ':' or '.' and have two digits: "13:30", "9.05".
        let has_minutes = (t.glued_sym(j + 1, ':') || t.glued_sym(j + 1, '.'))
            && t.glued(j + 2)
            && t.digits(j + 2) == 2;
        let (minute, k) = match t.num(j + 2, 2).filter(|_| has_minutes) {
            Some(minute) => (minute, j + 3),
            None => (0, j + 1),
        };
        if let Some(pm) = t.lookup(k, &[("am", false), ("pm", true)]) {
            if (1..=12).contains(&hour) {
                let hour = hour % 12 + if pm { 12 } else { 0 };
                found.push((Item::clock(hour, minute), k + 1));
            }
        } else if marked || has_minutes {
            // A bare number is too ambiguous to be a time: it needs a marker or minutes.
            found.push((Item::clock(hour, minute), k));
        }
    }
    // Hours in words, Finnish and Swedish: "kello kymmenen", "klockan tio".
    if marked && !t.is(i, &["at"]) {
        if let Some(hour) = number_word(t, j) {
            found.push((Item::clock(working_hour(hour % 12), 0), j + 1));
        }
    }
    // Half to the hour: "puoli kymmenen" and "halv tio" are 9:30.
    if t.is(j, &["puoli", "halv"]) {
        if let Some(hour) = number_word(t, j + 1)
            .or_else(|| t.num(j + 1, 2))
            .filter(|h| (1..=12).contains(h))
        {
            found.push((Item::clock(working_hour(hour - 1), 30), j + 2));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Readings: compatible combinations of items

/// What a sequence of items says, filled in item by item.
#[derive(Debug, Clone, Copy, Default)]
struct Reading {
    day: Option<DaySpec>,
    /// The weekday written before a date ("ma 30.11."), to be checked against it.
    weekday_check: Option<Weekday>,
    clock: Option<Clock>,
    relative: Option<(u32, Unit)>,
    repeat: Option<RepeatSpec>,
}

impl Reading {
    /// This reading extended by `item`, if the two fit together.
    fn with(self, item: Item) -> Option<Reading> {
        let mut r = self;
        let bare = self.day.is_none() && self.relative.is_none() && self.repeat.is_none();
        match item {
            Item::Clock(clock) => {
                if r.clock.is_some()
                    || r.relative.is_some_and(|(_, unit)| unit.is_elapsed())
                    || matches!(r.repeat, Some(RepeatSpec::Elapsed { .. }))
                {
                    return None;
                }
                r.clock = Some(clock);
            }
            Item::Relative(n, unit) => {
                if !bare || (unit.is_elapsed() && r.clock.is_some()) {
                    return None;
                }
                r.relative = Some((n, unit));
            }
            Item::Repeat(spec) => {
                if !bare || (matches!(spec, RepeatSpec::Elapsed { .. }) && r.clock.is_some()) {
                    return None;
                }
                r.repeat = Some(spec);
            }
            Item::Day(day) => match (self.day, day) {
                _ if bare => r.day = Some(day),
                (
                    Some(DaySpec::Weekday {
                        weekday,
                        next_week: false,
                    }),
                    DaySpec::Date { .. },
                ) if self.clock.is_none() => {
                    r.weekday_check = Some(weekday);
                    r.day = Some(day);
                }
                _ => return None,
            },
        }
        Some(r)
    }

    fn resolve(&self, now: DateTime<Tz>) -> Result<(DateTime<Tz>, Option<Recurrence>), TimeError> {
        let tz = now.timezone();
        let today = now.date_naive();
        let clock = self.clock.map(Clock::time).transpose()?;
        if let Some(spec) = self.repeat {
            return first_occurrence(spec, clock.unwrap_or(NINE), now)
                .map(|(at, rec)| (at, Some(rec)));
        }
        let at = if let Some((n, unit)) = self.relative {
            after_duration(n, unit, clock, now)?
        } else if let Some(day) = self.day {
            let date = day.date(today)?;
            if self
                .weekday_check
                .is_some_and(|weekday| weekday != date.weekday())
            {
                return Err(TimeError::WeekdayMismatch);
            }
            slot(tz, date, clock.unwrap_or(NINE))
        } else {
            // Only a clock time: today, or tomorrow if it has passed.
            let time = clock.ok_or(TimeError::NotUnderstood)?;
            after_today(now, time, 1)?
        };
        if at <= now {
            return Err(TimeError::InPast);
        }
        Ok((at, None))
    }
}

/// Every reading of `t` from token `i` on that extends `reading`, with the index past it.
fn extend(t: &Toks, i: usize, reading: Reading, out: &mut Vec<(Reading, usize)>) {
    for (item, end) in items_at(t, i) {
        let Some(longer) = reading.with(item) else {
            continue;
        };
        out.push((longer, end));
        extend(t, end, longer, out);
        // "Friday, December 4"
        if t.sym(end, ',') {
            extend(t, end + 1, longer, out);
        }
    }
}

/// The readings that cover the most of the input, best first, and the bytes they cover
/// with the trailing separator.
struct Longest {
    readings: Vec<Reading>,
    consumed: usize,
}

fn longest_reading(input: &str) -> Result<Longest, TimeError> {
    if input.trim().is_empty() {
        return Err(TimeError::Empty);
    }
    let tokens = tokenize(input);
    let mut all = Vec::new();
    extend(&Toks(&tokens), 0, Reading::default(), &mut all);
    let end = all
        .iter()
        .map(|&(_, end)| end)
        .max()
        .ok_or(TimeError::NotUnderstood)?;
    let readings = all
        .into_iter()
        .filter(|&(_, e)| e == end)
        .map(|(r, _)| r)
        .collect();
    Ok(Longest {
        readings,
        consumed: skip_separator(input, tokens[end - 1].end),
    })
}

/// Past whitespace, at most one separator and more whitespace from `pos`.
fn skip_separator(input: &str, pos: usize) -> usize {
    let rest = &input[pos..];
    let after_space = rest.trim_start();
    let after_sep = after_space
        .strip_prefix(|c: char| matches!(c, ',' | ':' | ';' | '.' | '-' | '–' | '—'))
        .map_or(after_space, str::trim_start);
    input.len() - after_sep.len()
}

impl Longest {
    /// The first reading that gives a moment; failing all, the first one's error.
    fn resolve(self, now: DateTime<Tz>) -> Result<Parsed, TimeError> {
        let mut first_error = None;
        for reading in &self.readings {
            match reading.resolve(now) {
                Ok((at, recurrence)) => {
                    return Ok(Parsed {
                        at,
                        consumed: self.consumed,
                        recurrence,
                    })
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(TimeError::NotUnderstood))
    }
}

// ---------------------------------------------------------------------------------------
// Turning parts into moments

fn slot(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Tz> {
    localize(tz, date.and_time(time))
}

fn monday_of(date: NaiveDate) -> Result<NaiveDate, TimeError> {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        .ok_or(TimeError::OutOfRange)
}

fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate, TimeError> {
    date.checked_add_days(Days::new(days))
        .ok_or(TimeError::OutOfRange)
}

impl DaySpec {
    fn date(self, today: NaiveDate) -> Result<NaiveDate, TimeError> {
        match self {
            DaySpec::Offset(n) => add_days(today, u64::from(n)),
            DaySpec::Weekday {
                weekday,
                next_week: false,
            } => {
                // 1..=7 days ahead: a bare weekday is never today.
                let ahead = (weekday.num_days_from_monday() + 6
                    - today.weekday().num_days_from_monday())
                    % 7
                    + 1;
                add_days(today, u64::from(ahead))
            }
            DaySpec::Weekday {
                weekday,
                next_week: true,
            } => add_days(
                monday_of(today)?,
                7 + u64::from(weekday.num_days_from_monday()),
            ),
            DaySpec::NextWeek => add_days(monday_of(today)?, 7),
            DaySpec::Date {
                year: Some(UNREADABLE_YEAR),
                ..
            } => Err(TimeError::OutOfRange),
            DaySpec::Date {
                day,
                month,
                year: Some(year),
            } => NaiveDate::from_ymd_opt(year, month, day).ok_or(TimeError::InvalidDate),
            // This year unless already past; 29.2. waits for the next leap year.
            DaySpec::Date {
                day,
                month,
                year: None,
            } => (today.year()..=today.year() + 8)
                .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
                .find(|&date| date >= today)
                .ok_or(TimeError::InvalidDate),
            // This ISO year unless already past; week 53 waits for a year that has one.
            DaySpec::IsoWeek(week) => {
                let this_monday = monday_of(today)?;
                let year = today.iso_week().year();
                (year..=year + 8)
                    .filter_map(|year| NaiveDate::from_isoywd_opt(year, week, Weekday::Mon))
                    .find(|&monday| monday >= this_monday)
                    .ok_or(TimeError::InvalidDate)
            }
        }
    }
}

/// `now` plus a duration: elapsed time for minutes and hours, calendar steps (keeping the
/// time of day, or taking `clock`) for the rest.
fn after_duration(
    n: u32,
    unit: Unit,
    clock: Option<NaiveTime>,
    now: DateTime<Tz>,
) -> Result<DateTime<Tz>, TimeError> {
    if n > MAX_AMOUNT {
        return Err(TimeError::OutOfRange);
    }
    let today = now.date_naive();
    let date = match unit {
        Unit::Second => {
            return now
                .checked_add_signed(TimeDelta::seconds(i64::from(n)))
                .ok_or(TimeError::OutOfRange)
        }
        Unit::Minute => {
            return now
                .checked_add_signed(TimeDelta::minutes(i64::from(n)))
                .ok_or(TimeError::OutOfRange)
        }
        Unit::Hour => {
            return now
                .checked_add_signed(TimeDelta::hours(i64::from(n)))
                .ok_or(TimeError::OutOfRange)
        }
        Unit::Day => today.checked_add_days(Days::new(u64::from(n))),
        Unit::Week => today.checked_add_days(Days::new(7 * u64::from(n))),
        Unit::Month => today.checked_add_months(Months::new(n)),
        Unit::Year => today.checked_add_months(Months::new(12 * n)),
        Unit::BusinessDay => calendar::checked_add_business_days(today, n),
    }
    .ok_or(TimeError::OutOfRange)?;
    Ok(slot(now.timezone(), date, clock.unwrap_or(now.time())))
}

/// `time` today if still ahead, otherwise `time` `days` days later.
fn after_today(now: DateTime<Tz>, time: NaiveTime, days: u64) -> Result<DateTime<Tz>, TimeError> {
    let today = now.date_naive();
    let at = slot(now.timezone(), today, time);
    if at > now {
        Ok(at)
    } else {
        Ok(slot(now.timezone(), add_days(today, days)?, time))
    }
}

/// The first `time` on `weekday` strictly after `after` (today included).
fn next_weekday_slot(
    weekday: Weekday,
    time: NaiveTime,
    after: DateTime<Tz>,
) -> Option<DateTime<Tz>> {
    (0..=7)
        .filter_map(|k| after.date_naive().checked_add_days(Days::new(k)))
        .filter(|date| date.weekday() == weekday)
        .map(|date| slot(after.timezone(), date, time))
        .find(|&at| at > after)
}

fn first_occurrence(
    spec: RepeatSpec,
    time: NaiveTime,
    now: DateTime<Tz>,
) -> Result<(DateTime<Tz>, Recurrence), TimeError> {
    let every = match spec {
        RepeatSpec::Weekly { every, .. }
        | RepeatSpec::Daily { every }
        | RepeatSpec::Elapsed { every, .. } => every,
    };
    if every == 0 || every > MAX_AMOUNT {
        return Err(TimeError::OutOfRange);
    }
    let (hour, minute) = (time.hour(), time.minute());
    match spec {
        RepeatSpec::Weekly {
            weekday: Some(weekday),
            every,
        } => {
            let at = next_weekday_slot(weekday, time, now).ok_or(TimeError::OutOfRange)?;
            Ok((
                at,
                Recurrence::Weekly {
                    weekday,
                    every_weeks: every,
                    hour,
                    minute,
                },
            ))
        }
        // Repeating on today's weekday: the series starts today if the time is still
        // ahead, otherwise one interval on ("6 viikon välein" → in six weeks).
        RepeatSpec::Weekly {
            weekday: None,
            every,
        } => {
            let at = after_today(now, time, 7 * u64::from(every))?;
            Ok((
                at,
                Recurrence::Weekly {
                    weekday: now.weekday(),
                    every_weeks: every,
                    hour,
                    minute,
                },
            ))
        }
        RepeatSpec::Daily { every } => Ok((
            after_today(now, time, u64::from(every))?,
            Recurrence::EveryNDays { days: every },
        )),
        // The first occurrence is one interval from now.
        RepeatSpec::Elapsed { every, unit } => {
            let seconds = every * unit.seconds().unwrap_or(1);
            let at = now
                .checked_add_signed(TimeDelta::seconds(i64::from(seconds)))
                .ok_or(TimeError::OutOfRange)?;
            Ok((at, Recurrence::EverySeconds { seconds }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calendar::HELSINKI;

    /// Monday 23.11.2026 10:00, ISO week 48, winter time.
    const MON: &str = "2026-11-23T10:00:00+02:00";
    /// Friday 26.3.2027 10:00 (Good Friday); clocks spring forward on Sunday 28.3.
    const SPRING: &str = "2027-03-26T10:00:00+02:00";
    /// Friday 23.10.2026 10:00; clocks fall back on Sunday 25.10.
    const AUTUMN: &str = "2026-10-23T10:00:00+03:00";
    /// Tuesday 22.12.2026 10:00, before Christmas.
    const XMAS: &str = "2026-12-22T10:00:00+02:00";

    fn at(rfc3339: &str) -> DateTime<Tz> {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .with_timezone(&HELSINKI)
    }

    #[rustfmt::skip]
    const CASES: &[(&str, &str, &str)] = &[
        // Relative, Finnish.
        (MON, "2 viikon päästä", "2026-12-07T10:00:00+02:00"),
        (MON, "kahden viikon päästä", "2026-12-07T10:00:00+02:00"),
        (MON, "3 päivän kuluttua", "2026-11-26T10:00:00+02:00"),
        (MON, "tunnin päästä", "2026-11-23T11:00:00+02:00"),
        (MON, "30 min päästä", "2026-11-23T10:30:00+02:00"),
        (MON, "puolen tunnin päästä", "2026-11-23T10:30:00+02:00"),
        (MON, "kolmen päivän päästä", "2026-11-26T10:00:00+02:00"),
        (MON, "viiden minuutin päästä", "2026-11-23T10:05:00+02:00"),
        (MON, "kymmenen päivän päästä", "2026-12-03T10:00:00+02:00"),
        (MON, "seitsemän päivän kuluttua", "2026-11-30T10:00:00+02:00"),
        (MON, "yhden tunnin kuluttua", "2026-11-23T11:00:00+02:00"),
        (MON, "neljän viikon päästä", "2026-12-21T10:00:00+02:00"),
        (MON, "kuuden tunnin päästä", "2026-11-23T16:00:00+02:00"),
        (MON, "kahdeksan päivän päästä", "2026-12-01T10:00:00+02:00"),
        (MON, "yhdeksän päivän päästä", "2026-12-02T10:00:00+02:00"),
        (MON, "2 viikon paasta", "2026-12-07T10:00:00+02:00"),
        (MON, "3 paivan kuluttua", "2026-11-26T10:00:00+02:00"),
        (MON, "kuukauden päästä", "2026-12-23T10:00:00+02:00"),
        (MON, "3 päivän päästä klo 9", "2026-11-26T09:00:00+02:00"),
        (MON, "Kahden Viikon Päästä", "2026-12-07T10:00:00+02:00"),
        // Relative, Swedish and English.
        (MON, "om 2 veckor", "2026-12-07T10:00:00+02:00"),
        (MON, "om en timme", "2026-11-23T11:00:00+02:00"),
        (MON, "om 30 minuter", "2026-11-23T10:30:00+02:00"),
        (MON, "om tre dagar", "2026-11-26T10:00:00+02:00"),
        (MON, "om två veckor", "2026-12-07T10:00:00+02:00"),
        (MON, "om ett år", "2027-11-23T10:00:00+02:00"),
        (MON, "om fem timmar", "2026-11-23T15:00:00+02:00"),
        (MON, "om en halvtimme", "2026-11-23T10:30:00+02:00"),
        (MON, "in 3 days", "2026-11-26T10:00:00+02:00"),
        (MON, "in an hour", "2026-11-23T11:00:00+02:00"),
        (MON, "in 2 weeks", "2026-12-07T10:00:00+02:00"),
        (MON, "in 30 minutes", "2026-11-23T10:30:00+02:00"),
        (MON, "in one week", "2026-11-30T10:00:00+02:00"),
        (MON, "in ten days", "2026-12-03T10:00:00+02:00"),
        (MON, "in a month", "2026-12-23T10:00:00+02:00"),
        (MON, "in half an hour", "2026-11-23T10:30:00+02:00"),
        (MON, "in 2 days at 15", "2026-11-25T15:00:00+02:00"),
        // Seconds: elapsed time, like minutes and hours.
        (MON, "20 sekunnin päästä", "2026-11-23T10:00:20+02:00"),
        (MON, "sekunnin kuluttua", "2026-11-23T10:00:01+02:00"),
        (MON, "om 45 sekunder", "2026-11-23T10:00:45+02:00"),
        (MON, "in 20 seconds", "2026-11-23T10:00:20+02:00"),
        (MON, "in 1 second", "2026-11-23T10:00:01+02:00"),
        (MON, "in 90 secs", "2026-11-23T10:01:30+02:00"),
        // Day words.
        (MON, "huomenna", "2026-11-24T09:00:00+02:00"),
        (MON, "HUOMENNA", "2026-11-24T09:00:00+02:00"),
        (MON, "ylihuomenna", "2026-11-25T09:00:00+02:00"),
        (MON, "tänään klo 14", "2026-11-23T14:00:00+02:00"),
        (MON, "tanaan klo 14", "2026-11-23T14:00:00+02:00"),
        (MON, "i dag kl 15", "2026-11-23T15:00:00+02:00"),
        (MON, "idag 16:00", "2026-11-23T16:00:00+02:00"),
        (MON, "i morgon", "2026-11-24T09:00:00+02:00"),
        (MON, "imorgon", "2026-11-24T09:00:00+02:00"),
        (MON, "i övermorgon", "2026-11-25T09:00:00+02:00"),
        (MON, "today at 5pm", "2026-11-23T17:00:00+02:00"),
        (MON, "tomorrow", "2026-11-24T09:00:00+02:00"),
        (MON, "day after tomorrow", "2026-11-25T09:00:00+02:00"),
        (MON, "the day after tomorrow at 14:30", "2026-11-25T14:30:00+02:00"),
        // Weekdays; today is Monday.
        (MON, "maanantaina", "2026-11-30T09:00:00+02:00"),
        (MON, "maanantaihin mennessä", "2026-11-30T09:00:00+02:00"),
        (MON, "maanantaihin mennessa", "2026-11-30T09:00:00+02:00"),
        (MON, "perjantaina", "2026-11-27T09:00:00+02:00"),
        (MON, "keskiviikkona", "2026-11-25T09:00:00+02:00"),
        (MON, "keskiviikkoon mennessä", "2026-11-25T09:00:00+02:00"),
        (MON, "sunnuntaina", "2026-11-29T09:00:00+02:00"),
        (MON, "torstaiksi", "2026-11-26T09:00:00+02:00"),
        (MON, "pe", "2026-11-27T09:00:00+02:00"),
        (MON, "ma", "2026-11-30T09:00:00+02:00"),
        (MON, "ti", "2026-11-24T09:00:00+02:00"),
        (MON, "ke", "2026-11-25T09:00:00+02:00"),
        (MON, "to", "2026-11-26T09:00:00+02:00"),
        (MON, "la", "2026-11-28T09:00:00+02:00"),
        (MON, "su", "2026-11-29T09:00:00+02:00"),
        (MON, "ensi maanantaina", "2026-11-30T09:00:00+02:00"),
        (MON, "ensi perjantaina", "2026-12-04T09:00:00+02:00"),
        (MON, "ensi viikon keskiviikkona", "2026-12-02T09:00:00+02:00"),
        (MON, "tiistaina klo 13", "2026-11-24T13:00:00+02:00"),
        (MON, "pe klo 13", "2026-11-27T13:00:00+02:00"),
        (MON, "pe. klo 13", "2026-11-27T13:00:00+02:00"),
        (MON, "perjantaihin mennessä klo 12", "2026-11-27T12:00:00+02:00"),
        (MON, "på fredag", "2026-11-27T09:00:00+02:00"),
        (MON, "fredag", "2026-11-27T09:00:00+02:00"),
        (MON, "nästa måndag", "2026-11-30T09:00:00+02:00"),
        (MON, "nasta fredag", "2026-12-04T09:00:00+02:00"),
        (MON, "lördag", "2026-11-28T09:00:00+02:00"),
        (MON, "sön", "2026-11-29T09:00:00+02:00"),
        (MON, "friday", "2026-11-27T09:00:00+02:00"),
        (MON, "on friday", "2026-11-27T09:00:00+02:00"),
        (MON, "next monday", "2026-11-30T09:00:00+02:00"),
        (MON, "next friday at 9am", "2026-12-04T09:00:00+02:00"),
        (MON, "fri", "2026-11-27T09:00:00+02:00"),
        (MON, "ma 30.11.", "2026-11-30T09:00:00+02:00"),
        (MON, "Friday, December 4", "2026-12-04T09:00:00+02:00"),
        (MON, "fredag den 4 december kl 10", "2026-12-04T10:00:00+02:00"),
        // Dates.
        (MON, "15.12.", "2026-12-15T09:00:00+02:00"),
        (MON, "15.12.2026", "2026-12-15T09:00:00+02:00"),
        (MON, "15.12.26", "2026-12-15T09:00:00+02:00"),
        (MON, "15. joulukuuta", "2026-12-15T09:00:00+02:00"),
        (MON, "15 joulukuuta", "2026-12-15T09:00:00+02:00"),
        (MON, "den 15 december", "2026-12-15T09:00:00+02:00"),
        (MON, "15 december", "2026-12-15T09:00:00+02:00"),
        (MON, "15 December", "2026-12-15T09:00:00+02:00"),
        (MON, "December 15", "2026-12-15T09:00:00+02:00"),
        (MON, "2026-12-15", "2026-12-15T09:00:00+02:00"),
        (MON, "15.12. klo 10", "2026-12-15T10:00:00+02:00"),
        (MON, "klo 10 15.12.", "2026-12-15T10:00:00+02:00"),
        (MON, "1.1.", "2027-01-01T09:00:00+02:00"),
        (MON, "20.11.", "2027-11-20T09:00:00+02:00"),
        (MON, "23.11. klo 14", "2026-11-23T14:00:00+02:00"),
        (MON, "15.6.", "2027-06-15T09:00:00+03:00"),
        (MON, "December 15th, 2027", "2027-12-15T09:00:00+02:00"),
        (MON, "29.2.", "2028-02-29T09:00:00+02:00"),
        (MON, "3. maaliskuuta 2027", "2027-03-03T09:00:00+02:00"),
        (MON, "den 4:e december", "2026-12-04T09:00:00+02:00"),
        (MON, "10.10", "2027-10-10T09:00:00+03:00"),
        (MON, "huomenna 10.10", "2026-11-24T10:10:00+02:00"),
        (MON, "24.12 klo 12", "2026-12-24T12:00:00+02:00"),
        // Clock times; it is 10:00 now, so earlier times mean tomorrow.
        (MON, "klo 13", "2026-11-23T13:00:00+02:00"),
        (MON, "klo 13.30", "2026-11-23T13:30:00+02:00"),
        (MON, "kello 9", "2026-11-24T09:00:00+02:00"),
        (MON, "kl 9", "2026-11-24T09:00:00+02:00"),
        (MON, "kl. 13.30", "2026-11-23T13:30:00+02:00"),
        (MON, "klo 10", "2026-11-24T10:00:00+02:00"),
        (MON, "klo 23.59", "2026-11-23T23:59:00+02:00"),
        (MON, "klockan 14", "2026-11-23T14:00:00+02:00"),
        (MON, "at 9", "2026-11-24T09:00:00+02:00"),
        (MON, "at 9am", "2026-11-24T09:00:00+02:00"),
        (MON, "at 2pm", "2026-11-23T14:00:00+02:00"),
        (MON, "at 2 pm", "2026-11-23T14:00:00+02:00"),
        (MON, "at 12am", "2026-11-24T00:00:00+02:00"),
        (MON, "at 12pm", "2026-11-23T12:00:00+02:00"),
        (MON, "13:30", "2026-11-23T13:30:00+02:00"),
        (MON, "13.30", "2026-11-23T13:30:00+02:00"),
        (MON, "puoli kymmenen", "2026-11-24T09:30:00+02:00"),
        (MON, "halv tio", "2026-11-24T09:30:00+02:00"),
        (MON, "puoli kaksi", "2026-11-23T13:30:00+02:00"),
        (MON, "kello kolme", "2026-11-23T15:00:00+02:00"),
        (MON, "huomenna puoli yksi", "2026-11-24T12:30:00+02:00"),
        (MON, "huomenna klo 9", "2026-11-24T09:00:00+02:00"),
        (MON, "klo 9 huomenna", "2026-11-24T09:00:00+02:00"),
        (MON, "tomorrow at 9", "2026-11-24T09:00:00+02:00"),
        (MON, "i morgon kl 9", "2026-11-24T09:00:00+02:00"),
        (MON, "i morgon klockan halv tio", "2026-11-24T09:30:00+02:00"),
        // ISO weeks; this is week 48 and 2026 has 53 weeks.
        (MON, "viikolla 50", "2026-12-07T09:00:00+02:00"),
        (MON, "vk 50", "2026-12-07T09:00:00+02:00"),
        (MON, "vk50", "2026-12-07T09:00:00+02:00"),
        (MON, "vko 50", "2026-12-07T09:00:00+02:00"),
        (MON, "viikko 50", "2026-12-07T09:00:00+02:00"),
        (MON, "vecka 50", "2026-12-07T09:00:00+02:00"),
        (MON, "v. 50", "2026-12-07T09:00:00+02:00"),
        (MON, "week 50", "2026-12-07T09:00:00+02:00"),
        (MON, "vk 53", "2026-12-28T09:00:00+02:00"),
        (MON, "vk 2", "2027-01-11T09:00:00+02:00"),
        (MON, "vk 47", "2027-11-22T09:00:00+02:00"),
        (MON, "viikolla 10 klo 12", "2027-03-08T12:00:00+02:00"),
        (MON, "ensi viikolla", "2026-11-30T09:00:00+02:00"),
        (MON, "nästa vecka", "2026-11-30T09:00:00+02:00"),
        (MON, "next week", "2026-11-30T09:00:00+02:00"),
        // Business days: they keep the time of day.
        (MON, "3 arkipäivän päästä", "2026-11-26T10:00:00+02:00"),
        (MON, "3 työpäivän kuluttua", "2026-11-26T10:00:00+02:00"),
        (MON, "om 3 arbetsdagar", "2026-11-26T10:00:00+02:00"),
        (MON, "in 3 working days", "2026-11-26T10:00:00+02:00"),
        (MON, "in 3 business days", "2026-11-26T10:00:00+02:00"),
        (MON, "5 arkipaivan paasta", "2026-11-30T10:00:00+02:00"),
        (XMAS, "3 arkipäivän päästä", "2026-12-29T10:00:00+02:00"),
        (XMAS, "in 1 business day", "2026-12-23T10:00:00+02:00"),
        (XMAS, "2 työpäivän päästä klo 8", "2026-12-28T08:00:00+02:00"),
        (SPRING, "1 arkipäivän päästä", "2027-03-30T10:00:00+03:00"),
        // Spring forward: Sunday 28.3.2027 03:00 EET → 04:00 EEST.
        (SPRING, "2 päivän päästä", "2027-03-28T10:00:00+03:00"),
        (SPRING, "ylihuomenna klo 3.30", "2027-03-28T04:30:00+03:00"),
        (SPRING, "sunnuntaina klo 3.30", "2027-03-28T04:30:00+03:00"),
        (SPRING, "28.3. klo 3", "2027-03-28T04:00:00+03:00"),
        (SPRING, "in 48 hours", "2027-03-28T11:00:00+03:00"),
        (SPRING, "ensi maanantaina", "2027-03-29T09:00:00+03:00"),
        (SPRING, "huomenna", "2027-03-27T09:00:00+02:00"),
        (SPRING, "viikon päästä", "2027-04-02T10:00:00+03:00"),
        // Fall back: Sunday 25.10.2026 04:00 EEST → 03:00 EET.
        (AUTUMN, "su klo 3.30", "2026-10-25T03:30:00+03:00"),
        (AUTUMN, "sunnuntaina klo 3", "2026-10-25T03:00:00+03:00"),
        (AUTUMN, "2 päivän päästä", "2026-10-25T10:00:00+02:00"),
        (AUTUMN, "in 48 hours", "2026-10-25T09:00:00+02:00"),
        (AUTUMN, "viikon päästä", "2026-10-30T10:00:00+02:00"),
        (AUTUMN, "ma", "2026-10-26T09:00:00+02:00"),
        (AUTUMN, "ensi perjantaina", "2026-10-30T09:00:00+02:00"),
    ];

    #[test]
    fn table() {
        assert!(CASES.len() >= 110);
        let mut failures = Vec::new();
        for &(now, input, expected) in CASES {
            match parse(input, at(now)) {
                Ok(p)
                    if p.at.to_rfc3339() == expected
                        && p.recurrence.is_none()
                        && p.consumed == input.len() => {}
                other => failures.push(format!(
                    "{input:?} at {now}: expected {expected}, got {other:?}"
                )),
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    fn weekly(weekday: Weekday, every_weeks: u32, hour: u32, minute: u32) -> Recurrence {
        Recurrence::Weekly {
            weekday,
            every_weeks,
            hour,
            minute,
        }
    }

    #[test]
    #[rustfmt::skip]
    fn recurring() {
        use Weekday::*;
        let every_days = |days| Recurrence::EveryNDays { days };
        let every_seconds = |seconds| Recurrence::EverySeconds { seconds };
        let cases = [
            (MON, "joka maanantai klo 9", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "joka maanantai klo 13", "2026-11-23T13:00:00+02:00", weekly(Mon, 1, 13, 0)),
            (MON, "joka toinen tiistai klo 13", "2026-11-24T13:00:00+02:00", weekly(Tue, 2, 13, 0)),
            (MON, "joka viikko", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "joka toinen viikko", "2026-12-07T09:00:00+02:00", weekly(Mon, 2, 9, 0)),
            (MON, "joka 2. viikko klo 12", "2026-11-23T12:00:00+02:00", weekly(Mon, 2, 12, 0)),
            (MON, "6 viikon välein", "2027-01-04T09:00:00+02:00", weekly(Mon, 6, 9, 0)),
            (MON, "kahden viikon valein klo 14", "2026-11-23T14:00:00+02:00", weekly(Mon, 2, 14, 0)),
            (MON, "maanantaisin klo 9", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "keskiviikkoisin", "2026-11-25T09:00:00+02:00", weekly(Wed, 1, 9, 0)),
            (MON, "klo 9 joka perjantai", "2026-11-27T09:00:00+02:00", weekly(Fri, 1, 9, 0)),
            (MON, "viikoittain", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "varje vecka", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "varannan tisdag kl 13", "2026-11-24T13:00:00+02:00", weekly(Tue, 2, 13, 0)),
            (MON, "varje måndag kl 9", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "var tredje vecka", "2026-12-14T09:00:00+02:00", weekly(Mon, 3, 9, 0)),
            (MON, "var 3:e vecka", "2026-12-14T09:00:00+02:00", weekly(Mon, 3, 9, 0)),
            (MON, "på måndagar kl 9", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "every monday at 9", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (MON, "every 2 weeks", "2026-12-07T09:00:00+02:00", weekly(Mon, 2, 9, 0)),
            (MON, "every other tuesday at 13", "2026-11-24T13:00:00+02:00", weekly(Tue, 2, 13, 0)),
            (MON, "every two weeks", "2026-12-07T09:00:00+02:00", weekly(Mon, 2, 9, 0)),
            (MON, "every 2nd week", "2026-12-07T09:00:00+02:00", weekly(Mon, 2, 9, 0)),
            (MON, "fridays at 15", "2026-11-27T15:00:00+02:00", weekly(Fri, 1, 15, 0)),
            (MON, "weekly", "2026-11-30T09:00:00+02:00", weekly(Mon, 1, 9, 0)),
            (AUTUMN, "every friday at 10", "2026-10-30T10:00:00+02:00", weekly(Fri, 1, 10, 0)),
            (SPRING, "joka sunnuntai klo 3.30", "2027-03-28T04:30:00+03:00", weekly(Sun, 1, 3, 30)),
            (MON, "joka päivä klo 8", "2026-11-24T08:00:00+02:00", every_days(1)),
            (MON, "joka kolmas päivä", "2026-11-26T09:00:00+02:00", every_days(3)),
            (MON, "every day at 11", "2026-11-23T11:00:00+02:00", every_days(1)),
            (MON, "every 3 days", "2026-11-26T09:00:00+02:00", every_days(3)),
            (MON, "3 päivän välein", "2026-11-26T09:00:00+02:00", every_days(3)),
            (MON, "päivittäin klo 12", "2026-11-23T12:00:00+02:00", every_days(1)),
            (MON, "dagligen", "2026-11-24T09:00:00+02:00", every_days(1)),
            (MON, "daily at 8", "2026-11-24T08:00:00+02:00", every_days(1)),
            // Elapsed intervals: the first occurrence is one interval from now.
            (MON, "joka tunti", "2026-11-23T11:00:00+02:00", every_seconds(3600)),
            (MON, "joka 15. minuutti", "2026-11-23T10:15:00+02:00", every_seconds(900)),
            (MON, "20 sekunnin välein", "2026-11-23T10:00:20+02:00", every_seconds(20)),
            (MON, "puolen tunnin välein", "2026-11-23T10:30:00+02:00", every_seconds(1800)),
            (MON, "tunnin välein", "2026-11-23T11:00:00+02:00", every_seconds(3600)),
            (MON, "varje timme", "2026-11-23T11:00:00+02:00", every_seconds(3600)),
            (MON, "varannan timme", "2026-11-23T12:00:00+02:00", every_seconds(7200)),
            (MON, "var 15:e minut", "2026-11-23T10:15:00+02:00", every_seconds(900)),
            (MON, "every 20 seconds", "2026-11-23T10:00:20+02:00", every_seconds(20)),
            (MON, "every 30 minutes", "2026-11-23T10:30:00+02:00", every_seconds(1800)),
            (MON, "every hour", "2026-11-23T11:00:00+02:00", every_seconds(3600)),
        ];
        let mut failures = Vec::new();
        for (now, input, expected, rec) in cases {
            match parse(input, at(now)) {
                Ok(p) if p.at.to_rfc3339() == expected && p.recurrence == Some(rec) => {}
                other => failures.push(format!("{input:?}: expected {expected} {rec:?}, got {other:?}")),
            }
        }
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn errors() {
        let cases = [
            ("", TimeError::Empty),
            ("   ", TimeError::Empty),
            ("blah", TimeError::NotUnderstood),
            ("2 päivää", TimeError::NotUnderstood),
            ("huomenna soita", TimeError::NotUnderstood),
            ("klo 13 klo 14", TimeError::NotUnderstood),
            ("huomenna ylihuomenna", TimeError::NotUnderstood),
            ("in 30 minutes at 9", TimeError::NotUnderstood),
            ("joka", TimeError::NotUnderstood),
            ("15.12.2020", TimeError::InPast),
            ("tänään klo 8", TimeError::InPast),
            ("tänään", TimeError::InPast),
            ("today at 10", TimeError::InPast),
            ("23.11. klo 8", TimeError::InPast),
            ("2026-11-01", TimeError::InPast),
            ("31.2.", TimeError::InvalidDate),
            ("31.2.2027", TimeError::InvalidDate),
            ("30.2", TimeError::InvalidDate),
            ("31.4.", TimeError::InvalidDate),
            ("31 november", TimeError::InvalidDate),
            ("2027-02-30", TimeError::InvalidDate),
            ("vk 54", TimeError::InvalidDate),
            ("vk 0", TimeError::InvalidDate),
            ("klo 25", TimeError::InvalidTime),
            ("klo 9.75", TimeError::InvalidTime),
            ("huomenna klo 24", TimeError::InvalidTime),
            ("ma 1.12.2026", TimeError::WeekdayMismatch),
            ("in 99999 days", TimeError::OutOfRange),
            ("in 99999999999999999999 minutes", TimeError::OutOfRange),
            ("every 0 days", TimeError::OutOfRange),
            ("every 0 seconds", TimeError::OutOfRange),
            // A year of the wrong length is not left behind as text.
            ("15.12.99999", TimeError::OutOfRange),
            ("15.12.202", TimeError::OutOfRange),
            ("15.12.9", TimeError::OutOfRange),
            // An elapsed interval has no clock time of its own.
            ("every hour at 9", TimeError::NotUnderstood),
            ("klo 9 joka tunti", TimeError::NotUnderstood),
        ];
        let now = at(MON);
        for (input, expected) in cases {
            assert_eq!(parse(input, now), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn error_keys_are_distinct() {
        let all = [
            TimeError::Empty,
            TimeError::NotUnderstood,
            TimeError::InPast,
            TimeError::InvalidDate,
            TimeError::InvalidTime,
            TimeError::WeekdayMismatch,
            TimeError::OutOfRange,
        ];
        let keys: std::collections::HashSet<_> = all.iter().map(TimeError::key).collect();
        assert_eq!(keys.len(), all.len());
        assert_eq!(TimeError::InPast.to_string(), "in_past");
    }

    #[test]
    #[rustfmt::skip]
    fn prefixes() {
        let cases = [
            ("huomenna klo 9 soita Kelaan", "2026-11-24T09:00:00+02:00", "soita Kelaan"),
            ("2 viikon päästä: tarkista hakemus", "2026-12-07T10:00:00+02:00", "tarkista hakemus"),
            ("pe klo 13 palaveri", "2026-11-27T13:00:00+02:00", "palaveri"),
            ("om 2 veckor ring Kela", "2026-12-07T10:00:00+02:00", "ring Kela"),
            ("tomorrow at 9 call the client", "2026-11-24T09:00:00+02:00", "call the client"),
            ("15.12. muistuta työterveyshuoltoa", "2026-12-15T09:00:00+02:00", "muistuta työterveyshuoltoa"),
            ("in 3 days - check", "2026-11-26T10:00:00+02:00", "check"),
            ("huomenna, soita", "2026-11-24T09:00:00+02:00", "soita"),
            ("klo 13.30. Soita", "2026-11-23T13:30:00+02:00", "Soita"),
            ("ensi maanantaina soita äidille", "2026-11-30T09:00:00+02:00", "soita äidille"),
            ("maanantaihin mennessä raportti", "2026-11-30T09:00:00+02:00", "raportti"),
            // A bare number is not a clock time.
            ("huomenna 3 kertaa", "2026-11-24T09:00:00+02:00", "3 kertaa"),
            ("Friday, call Anna", "2026-11-27T09:00:00+02:00", "call Anna"),
            ("huomenna klo 9 ☕ kahvi", "2026-11-24T09:00:00+02:00", "☕ kahvi"),
            ("perjantaina😀", "2026-11-27T09:00:00+02:00", "😀"),
            ("i morgon kl. 9 möte", "2026-11-24T09:00:00+02:00", "möte"),
            ("vk 50 budjetti", "2026-12-07T09:00:00+02:00", "budjetti"),
            ("in 2 hours at 9", "2026-11-23T12:00:00+02:00", "at 9"),
            ("huomenna", "2026-11-24T09:00:00+02:00", ""),
        ];
        let now = at(MON);
        for (input, expected, rest) in cases {
            let p = parse_prefix(input, now).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
            assert_eq!(p.at.to_rfc3339(), expected, "{input:?}");
            assert_eq!(&input[p.consumed..], rest, "{input:?}");
        }
        let input = "joka maanantai klo 9 viikkopalaveri";
        let p = parse_prefix(input, now).unwrap();
        assert_eq!(&input[p.consumed..], "viikkopalaveri");
        assert_eq!(p.recurrence, Some(weekly(Weekday::Mon, 1, 9, 0)));
    }

    #[test]
    fn prefix_errors() {
        let now = at(MON);
        assert_eq!(
            parse_prefix("soita huomenna", now),
            Err(TimeError::NotUnderstood)
        );
        assert_eq!(
            parse_prefix("at a meeting", now),
            Err(TimeError::NotUnderstood)
        );
        assert_eq!(
            parse_prefix("huomenna klo 25 soita", now),
            Err(TimeError::InvalidTime)
        );
        assert_eq!(
            parse_prefix("31.2. soita", now),
            Err(TimeError::InvalidDate)
        );
        assert_eq!(
            parse_prefix("tänään klo 8 soita", now),
            Err(TimeError::InPast)
        );
        assert_eq!(parse_prefix(" \t", now), Err(TimeError::Empty));
    }

    #[test]
    #[rustfmt::skip]
    fn next_occurrences() {
        let next = |rec: Recurrence, after: &str| next_occurrence(&rec, at(after)).to_rfc3339();
        let tue = weekly(Weekday::Tue, 2, 13, 0);
        // From an occurrence: every_weeks later.
        assert_eq!(next(tue, "2026-11-24T13:00:00+02:00"), "2026-12-08T13:00:00+02:00");
        // From earlier the same weekday: that day.
        assert_eq!(next(tue, "2026-11-24T08:00:00+02:00"), "2026-11-24T13:00:00+02:00");
        // From another weekday: the next Tuesday.
        assert_eq!(next(tue, "2026-11-25T08:00:00+02:00"), "2026-12-01T13:00:00+02:00");
        // Across the autumn change the wall-clock time stays.
        let mon = weekly(Weekday::Mon, 1, 9, 0);
        assert_eq!(next(mon, "2026-10-19T09:00:00+03:00"), "2026-10-26T09:00:00+02:00");
        // A slot in the spring gap moves forward by it, and is back at 03:30 a week later.
        let sun = weekly(Weekday::Sun, 1, 3, 30);
        assert_eq!(next(sun, "2027-03-21T03:30:00+02:00"), "2027-03-28T04:30:00+03:00");
        assert_eq!(next(sun, "2027-03-28T04:30:00+03:00"), "2027-04-04T03:30:00+03:00");
        // Every 0 weeks is read as every week; out-of-range clock fields are clamped.
        assert_eq!(next(weekly(Weekday::Mon, 0, 9, 0), "2026-11-23T09:00:00+02:00"), "2026-11-30T09:00:00+02:00");
        assert_eq!(next(weekly(Weekday::Mon, 1, 99, 99), "2026-11-23T09:00:00+02:00"), "2026-11-23T23:59:00+02:00");
        let days = |days| Recurrence::EveryNDays { days };
        assert_eq!(next(days(1), "2027-03-27T10:00:00+02:00"), "2027-03-28T10:00:00+03:00");
        assert_eq!(next(days(3), "2026-11-26T09:00:00+02:00"), "2026-11-29T09:00:00+02:00");
        assert_eq!(next(days(0), "2026-11-26T09:00:00+02:00"), "2026-11-27T09:00:00+02:00");
        // Elapsed intervals ignore the wall clock: an hour after 03:30 summer time on the
        // night the clocks fall back is 03:30 winter time.
        let seconds = |seconds| Recurrence::EverySeconds { seconds };
        assert_eq!(next(seconds(3600), "2026-10-25T03:30:00+03:00"), "2026-10-25T03:30:00+02:00");
        assert_eq!(next(seconds(20), "2026-11-23T10:00:00+02:00"), "2026-11-23T10:00:20+02:00");
    }

    #[test]
    fn recurrence_serializes() {
        let rec = weekly(Weekday::Tue, 2, 13, 0);
        let json = serde_json::to_string(&rec).unwrap();
        assert_eq!(serde_json::from_str::<Recurrence>(&json).unwrap(), rec);
    }

    #[test]
    fn uses_the_zone_of_now() {
        use chrono::TimeZone;
        let now = chrono_tz::Europe::Stockholm
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .unwrap();
        assert_eq!(
            parse("i morgon kl 9", now).unwrap().at.to_rfc3339(),
            "2026-11-24T09:00:00+01:00"
        );
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        const VOCABULARY: &[&str] = &[
            "huomenna",
            "klo",
            "kl.",
            "9",
            "13.30",
            "15.12.",
            "2026",
            "päästä",
            "viikon",
            "joka",
            "toinen",
            "maanantai",
            "pe",
            "om",
            "in",
            "2",
            "veckor",
            "every",
            "other",
            "tuesday",
            "at",
            "9am",
            "vk",
            "50",
            "puoli",
            "halv",
            "tio",
            ",",
            ".",
            ":",
            "-",
            "den",
            "december",
            "arkipäivän",
            "välein",
            "ensi",
            "next",
            "ä",
            "☕",
            "é",
            "İ",
            "31.2.",
            "99999999999",
            "2026-12-15",
            "3:e",
            "var",
            "i",
            "sekunnin",
            "seconds",
            "tunti",
            "hour",
        ];

        fn check(input: &str) {
            let now = at(MON);
            let whole = parse(input, now);
            let prefix = parse_prefix(input, now);
            if let Ok(p) = &prefix {
                assert!(p.consumed <= input.len() && input.is_char_boundary(p.consumed));
                assert!(p.at > now);
                // The consumed prefix alone reads the same.
                let again = parse(&input[..p.consumed], now).unwrap();
                assert_eq!((again.at, again.recurrence), (p.at, p.recurrence));
            }
            if let Ok(p) = whole {
                assert_eq!(p.consumed, input.len());
                assert_eq!(prefix.map(|q| q.at), Ok(p.at));
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn arbitrary_text_never_panics(input in "\\PC{0,40}") {
                check(&input);
            }

            #[test]
            fn any_chars_never_panic(input in any::<String>()) {
                check(&input);
            }

            #[test]
            fn vocabulary_soup_never_panics(words in prop::collection::vec(prop::sample::select(VOCABULARY), 0..7), glue in prop::collection::vec(prop::sample::select(&[" ", "", "  "][..]), 7)) {
                let input: String = words.iter().zip(&glue).flat_map(|(w, g)| [*w, *g]).collect();
                check(&input);
            }
        }
    }
}
