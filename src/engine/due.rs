//! The engine's side of the scheduler: when the next reminder is due, and firing the due
//! ones. Adapters own the waiting; everything a user notices is decided here.

use super::reminder_text;
use super::{Action, Delivery, Engine};
use crate::remind::reminder::{due_key, next_after, parse_due_key, Reminder, Target};
use crate::store::{Batch, StoreError, TreeId};
use chrono::{DateTime, TimeDelta, Utc};

/// At most this many reminders are fired in one transaction; `fire_due` is called again
/// while more are due.
pub const FIRE_BATCH: usize = 500;

impl Engine {
    /// When the earliest stored reminder is due; none when there are no reminders.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let reminder = self.store.first::<u64>(TreeId::Due)?.and_then(|(key, _)| parse_due_key(&key)).map(|(at, _)| at);
        let agenda = self.next_agenda_due(self.clock.now());
        let deadline = self.next_ticket_deadline();
        Ok(reminder.into_iter().chain(agenda).chain(deadline).min())
    }

    /// Fires the reminders due by `now` (at most [`FIRE_BATCH`]): in one transaction,
    /// their messages go into the outbox, their index entries are removed, and recurring
    /// ones are indexed at their next occurrence. The transaction id of each message is
    /// derived from the reminder and the occurrence, so a resend after a crash is
    /// deduplicated by the homeserver. A reminder sent late says by how much.
    pub fn fire_due(&self, now: DateTime<Utc>) -> Result<Vec<Delivery>, StoreError> {
        // A reminder cancelled or set meanwhile must not be overwritten by a stale copy.
        let _one_at_a_time = self.handling.lock().unwrap_or_else(|e| e.into_inner());
        let end = due_key(now + TimeDelta::milliseconds(1), 0);
        let entries = self.store.scan_below::<u64>(TreeId::Due, &end, FIRE_BATCH)?;
        let mut batch = Batch::default();
        let mut deliveries = Vec::new();
        let mut scheduled = self.fire_agendas(now, &mut batch)?;
        scheduled.extend(self.fire_ticket_deadlines(now, &mut batch)?);
        for (cause, action) in scheduled {
            deliveries.extend(self.enqueue(&cause, vec![action], &mut batch)?);
        }
        if entries.is_empty() && batch.is_empty() {
            return Ok(deliveries);
        }
        for (key, _) in entries {
            batch.remove(TreeId::Due, key.clone());
            let Some((occurrence, id)) = parse_due_key(&key) else {
                tracing::warn!("removed an unreadable reminder index entry");
                continue;
            };
            let Some(mut reminder) = self.store.get::<Reminder>(TreeId::Reminders, &id.to_be_bytes())? else {
                tracing::warn!(reminder = id, "removed an index entry whose reminder is gone");
                continue;
            };
            let next = reminder.recurrence.map(|rule| next_after(&rule, occurrence, now));
            let skipped = next.map_or(0, |(_, skipped)| skipped);
            let message = reminder_text::fired(&self.texts, &reminder, occurrence, now, skipped);
            // Plain text, not a notice: notices do not notify people under default push rules.
            let action = Action::Send {
                room: reminder.room.clone(),
                message,
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
                    Target::User(user) => Some(super::Reach { person: user.clone(), or_in: None }),
                    _ => None,
                },
            };
            let cause = format!("reminder:{id}:{}", occurrence.timestamp_millis());
            deliveries.extend(self.enqueue(&cause, vec![action], &mut batch)?);
            tracing::info!(reminder = id, late_s = (now - occurrence).num_seconds(), skipped, "reminder due");
            match next {
                Some((next, _)) => {
                    reminder.due = next;
                    batch.put(TreeId::Due, reminder.due_key(), &id);
                    batch.put(TreeId::Reminders, reminder.key(), &reminder);
                }
                // The due entry is already removed above; removing it again is harmless.
                None => super::commands::remind::remove(&mut batch, &reminder),
            }
        }
        self.store.commit(batch)?;
        Ok(deliveries)
    }
}
