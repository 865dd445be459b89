//! How a reminder reads when it falls due.

use super::reminder::{Reminder, Target, LATE_AFTER};
use crate::lang::{Message, Msg, Texts};
use crate::time::words::{duration, when};
use chrono::{DateTime, Utc};

/// What is said when a reminder falls due for `occurrence` and is sent at `now`: the
/// reminder, how late it is if the bot was down, and how many repeats were missed.
pub fn fired(texts: &Texts, reminder: &Reminder, occurrence: DateTime<Utc>, now: DateTime<Utc>, skipped: u64) -> Message {
    let lang = reminder.lang;
    let text = reminder.text.as_str();
    let creator = reminder.creator.as_str();
    let main = match &reminder.target {
        Target::Creator => {
            texts.message(lang, Msg::ReminderSelf, &[("user", creator), ("text", text)]).with_pill(creator)
        }
        Target::User(user) => {
            texts.message(lang, Msg::ReminderUser, &[("user", user), ("creator", creator), ("text", text)]).with_pill(user)
        }
        Target::Room => texts.message(lang, Msg::ReminderRoom, &[("creator", creator), ("text", text)]),
    };
    let mut parts = vec![main];
    let late = now - occurrence;
    if late >= LATE_AFTER {
        let (late, due) = (duration(texts, lang, late), when(texts, lang, occurrence));
        parts.push(texts.message(lang, Msg::ReminderLate, &[("late", &late), ("due", &due)]));
    }
    if skipped > 0 {
        parts.push(texts.message(lang, Msg::ReminderSkipped, &[("count", &skipped.to_string())]));
    }
    Message::lines(&parts)
}

