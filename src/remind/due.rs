//! Firing reminders: at most [`FIRE_BATCH`] at a time, each said once (its transaction
//! id comes from the reminder and the occurrence), a recurring one moved on to its next
//! occurrence in the same transaction.

use super::reminder::{due_key, next_after, parse_due_key, Reminder, Target};
use super::{repo, text};
use crate::kernel::{Action, Ctx, Reach, Tell};
use crate::store::{StoreError, TreeId};
use chrono::{DateTime, TimeDelta, Utc};

/// At most this many reminders are fired in one transaction; the scheduler fires again
/// while more are due.
pub const FIRE_BATCH: usize = 500;

/// The reminders due by `now`, each with the cause its transaction id derives from. A
/// reminder sent late says by how much, and how many repeats were missed.
pub(crate) fn fire(ctx: &mut Ctx<'_>, now: DateTime<Utc>) -> Result<Vec<(String, Action)>, StoreError> {
    let env = ctx.env;
    let end = due_key(now + TimeDelta::milliseconds(1), 0);
    let entries = env.store.scan_below::<u64>(TreeId::Due, &end, FIRE_BATCH)?;
    let mut out = Vec::with_capacity(entries.len());
    for (key, _) in entries {
        ctx.batch.remove(TreeId::Due, key.clone());
        let Some((occurrence, id)) = parse_due_key(&key) else {
            tracing::warn!("removed an unreadable reminder index entry");
            continue;
        };
        let Some(mut reminder) = env.store.get::<Reminder>(TreeId::Reminders, &id.to_be_bytes())? else {
            tracing::warn!(reminder = id, "removed an index entry whose reminder is gone");
            continue;
        };
        let next = reminder.recurrence.map(|rule| next_after(&rule, occurrence, now));
        let skipped = next.map_or(0, |(_, skipped)| skipped);
        // Plain text, not a notice: notices do not notify people under default push rules.
        let action = Action::Send {
            room: reminder.room.clone(),
            message: text::fired(&env.texts, &reminder, occurrence, now, skipped),
            thread_root: reminder.thread_root.clone(),
            notice: false,
            // The person it is for; a room reminder mentions nobody (never @room).
            mentions: match &reminder.target {
                Target::Creator => vec![reminder.creator.clone()],
                Target::User(user) => vec![user.clone()],
                Target::Room => Vec::new(),
            },
            in_reply_to: None,
            // A colleague who is not in the room gets it where they are.
            reach: match &reminder.target {
                Target::User(user) => Some(Reach {
                    person: user.clone(),
                    or_in: None,
                    tell: (!reminder.creator_told).then(|| Tell {
                        room: reminder.room.clone(),
                        thread_root: reminder.thread_root.clone(),
                        lang: reminder.lang,
                        id: reminder.id,
                    }),
                }),
                _ => None,
            },
        };
        out.push((format!("reminder:{id}:{}", occurrence.timestamp_millis()), action));
        tracing::info!(reminder = id, late_s = (now - occurrence).num_seconds(), skipped, "reminder due");
        match next {
            Some((next, _)) => {
                reminder.due = next;
                // Where it goes does not change: its creator hears of it once.
                reminder.creator_told |= matches!(reminder.target, Target::User(_));
                repo::put(ctx.batch, &reminder);
            }
            // The due entry is already removed above; removing it again is harmless.
            None => repo::remove(ctx.batch, &reminder),
        }
    }
    Ok(out)
}
