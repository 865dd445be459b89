//! Reminders in the store: the records, their time-ordered due index and the owners
//! index. Every write goes into the decision's batch.

use super::reminder::{owner_prefix, parse_due_key, Reminder};
use crate::kernel::policy::screen;
use crate::kernel::{Ctx, Env};
use crate::store::{Batch, StoreError, TreeId};
use chrono::{DateTime, Utc};

/// Meta key of the last reminder id handed out.
const LAST_ID: &str = "reminder_last_id";

/// Numbers a new reminder (its `id` is ignored) and adds it with its places in the due
/// and owners indexes to the batch. Its text is kept and said again later, so phone
/// numbers and e-mail addresses are masked here, whoever set it.
pub(crate) fn add(ctx: &mut Ctx<'_>, mut reminder: Reminder) -> Result<Reminder, StoreError> {
    reminder.id = ctx.next_number(LAST_ID)?;
    reminder.text = screen(&reminder.text).text;
    put(ctx.batch, &reminder);
    tracing::info!(reminder = reminder.id, due = %reminder.due, recurring = reminder.recurrence.is_some(), "reminder set");
    Ok(reminder)
}

/// Writes a reminder with its due and owners entries (its old due entry is the
/// caller's to remove).
pub(crate) fn put(batch: &mut Batch, reminder: &Reminder) {
    batch.put(TreeId::Reminders, reminder.key(), reminder);
    batch.put(TreeId::Due, reminder.due_key(), &reminder.id);
    for key in reminder.owner_keys() {
        batch.put(TreeId::ReminderOwners, key, &());
    }
}

/// Removes a reminder with its due-index and owners-index entries.
pub(crate) fn remove(batch: &mut Batch, reminder: &Reminder) {
    batch.remove(TreeId::Reminders, reminder.key());
    batch.remove(TreeId::Due, reminder.due_key());
    for key in reminder.owner_keys() {
        batch.remove(TreeId::ReminderOwners, key);
    }
}

pub(crate) fn get(env: &Env, id: u64) -> Result<Option<Reminder>, StoreError> {
    env.store.get(TreeId::Reminders, &id.to_be_bytes())
}

/// The reminders `user` set or is the target of, through the owners index: reading
/// only these keeps listing fast however many reminders others have.
pub(crate) fn owned_by(env: &Env, user: &str) -> Result<Vec<Reminder>, StoreError> {
    let mut out = Vec::new();
    for key in env.store.keys_with_prefix(TreeId::ReminderOwners, &owner_prefix(user))? {
        if let Some(reminder) = env.store.get::<Reminder>(TreeId::Reminders, &key[key.len() - 8..])? {
            out.push(reminder);
        }
    }
    Ok(out)
}

/// When the earliest stored reminder is due.
pub(crate) fn next_due(env: &Env) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(env.store.first::<u64>(TreeId::Due)?.and_then(|(key, _)| parse_due_key(&key)).map(|(at, _)| at))
}
