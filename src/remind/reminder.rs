//! A reminder as stored: who set it, for whom, where it is said, and when it is next due.
//!
//! Two trees hold them (see `store::TreeId`): `Reminders` maps the id to the record, and
//! `Due` is the time-ordered index whose key is the due moment in big-endian unix
//! milliseconds followed by the id, so the first key is always the next reminder due.

use crate::time::calendar::HELSINKI;
use crate::time::expr::{next_occurrence, Recurrence};
use crate::lang::Lang;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Who a reminder is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The person who set it.
    Creator,
    /// A colleague, by Matrix user id; the reminder tells them who set it.
    User(String),
    /// Everyone in the room.
    Room,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// Small and increasing, so people can type it: `!peru 3`.
    pub id: u64,
    pub creator: String,
    pub target: Target,
    /// The room it was set in and is said in; its thread, if it was set in one.
    pub room: String,
    pub thread_root: Option<String>,
    /// User content: said only in `room`, and never logged above debug level.
    pub text: String,
    /// The language of the command that set it, used when it is said.
    pub lang: Lang,
    pub created_at: DateTime<Utc>,
    /// The next occurrence; for a recurring reminder it moves on each time it fires.
    pub due: DateTime<Utc>,
    pub recurrence: Option<Recurrence>,
    /// Its creator was told that it goes to the colleague by direct message: a
    /// recurring reminder says so once, not at every occurrence.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub creator_told: bool,
}

/// Recurring reminders may not repeat more often than this: a room is no place for a
/// reminder every second.
pub const MIN_REPEAT_SECONDS: u32 = 10;

/// A reminder said this much after its time is announced as late, with by how much.
pub const LATE_AFTER: TimeDelta = TimeDelta::seconds(60);

impl Reminder {
    pub fn key(&self) -> [u8; 8] {
        self.id.to_be_bytes()
    }

    pub fn due_key(&self) -> [u8; 16] {
        due_key(self.due, self.id)
    }

    /// Its keys in the owners index: the creator's and, for a colleague's reminder, the
    /// colleague's (see [`owner_prefix`]).
    pub fn owner_keys(&self) -> Vec<Vec<u8>> {
        let mut owners = vec![self.creator.as_str()];
        if let Target::User(user) = &self.target {
            if *user != self.creator {
                owners.push(user);
            }
        }
        owners.into_iter().map(|user| [owner_prefix(user), self.id.to_be_bytes().to_vec()].concat()).collect()
    }

    /// Repeats too often to be a sensible reminder.
    pub fn repeats_too_often(recurrence: &Recurrence) -> bool {
        matches!(recurrence, Recurrence::EverySeconds { seconds } if *seconds < MIN_REPEAT_SECONDS)
    }
}

/// Key of the `Due` index: big-endian milliseconds (so byte order is time order) and id.
/// The owners-index prefix of a user's reminders: the user id and a NUL.
pub fn owner_prefix(user: &str) -> Vec<u8> {
    let mut prefix = user.as_bytes().to_vec();
    prefix.push(0);
    prefix
}

pub fn due_key(at: DateTime<Utc>, id: u64) -> [u8; 16] {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&millis.to_be_bytes());
    key[8..].copy_from_slice(&id.to_be_bytes());
    key
}

/// The moment and reminder id a `Due` key stands for.
pub fn parse_due_key(key: &[u8]) -> Option<(DateTime<Utc>, u64)> {
    let millis = u64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    let id = u64::from_be_bytes(key.get(8..16)?.try_into().ok()?);
    let at = DateTime::from_timestamp_millis(i64::try_from(millis).ok()?)?;
    Some((at, id))
}

/// The next occurrence of a recurring reminder that fired for `occurrence`, and how many
/// occurrences between the two already passed by `now` (the bot was down): those are
/// reported in the message rather than sent one after another.
pub fn next_after(recurrence: &Recurrence, occurrence: DateTime<Utc>, now: DateTime<Utc>) -> (DateTime<Utc>, u64) {
    // Weekly and daily rules keep the Helsinki wall-clock time across DST changes.
    let mut next = next_occurrence(recurrence, occurrence.with_timezone(&HELSINKI));
    let mut skipped = 0;
    while next.with_timezone(&Utc) <= now {
        skipped += 1;
        if skipped >= 10_000 {
            // After a very long absence, count no further and continue from now.
            next = next_occurrence(recurrence, now.with_timezone(&HELSINKI));
            break;
        }
        next = next_occurrence(recurrence, next);
    }
    (next.with_timezone(&Utc), skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Weekday};

    #[test]
    fn due_keys_sort_by_time_then_id_and_read_back() {
        let early = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
        let late = early + TimeDelta::milliseconds(1);
        assert!(due_key(early, 99) < due_key(late, 1));
        assert!(due_key(early, 1) < due_key(early, 2));
        assert_eq!(parse_due_key(&due_key(late, 7)), Some((late, 7)));
        assert_eq!(parse_due_key(b"short"), None);
    }

    #[test]
    fn a_weekly_reminder_keeps_nine_o_clock_across_the_autumn_change() {
        let rule = Recurrence::Weekly { weekday: Weekday::Mon, every_weeks: 1, hour: 9, minute: 0 };
        // Monday 19.10.2026 09:00 summer time (06:00 UTC); the clocks fall back on 25.10.
        let fired = Utc.with_ymd_and_hms(2026, 10, 19, 6, 0, 0).unwrap();
        let (next, skipped) = next_after(&rule, fired, fired);
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 10, 26, 7, 0, 0).unwrap());
        assert_eq!(skipped, 0);
    }

    #[test]
    fn occurrences_missed_while_down_are_counted_not_repeated() {
        let rule = Recurrence::EveryNDays { days: 1 };
        let fired = Utc.with_ymd_and_hms(2026, 11, 20, 7, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
        let (next, skipped) = next_after(&rule, fired, now);
        // 21.11., 22.11. and 23.11. at 09:00 Helsinki time all passed.
        assert_eq!(skipped, 3);
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 24, 7, 0, 0).unwrap());
    }

    #[test]
    fn too_frequent_repeats_are_recognised() {
        assert!(Reminder::repeats_too_often(&Recurrence::EverySeconds { seconds: 5 }));
        assert!(!Reminder::repeats_too_often(&Recurrence::EverySeconds { seconds: 20 }));
        assert!(!Reminder::repeats_too_often(&Recurrence::EveryNDays { days: 1 }));
    }
}
