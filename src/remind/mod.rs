//! Reminders, one capability: its commands (commands.rs: `!muistuta`, `!muistutukset`,
//! `!peru`), its state (repo.rs: records, due index, owners index), its scheduled work
//! (due.rs) and how a reminder reads (text.rs). Other capabilities set follow-ups
//! through [`commands::set_follow_up`].

pub mod commands;
mod due;
pub mod reminder;
mod repo;
mod text;

pub use commands::{set_follow_up, Command, Refusal};
pub use due::FIRE_BATCH;

use crate::kernel::{Action, Ctx, Env, Scheduled};
use crate::store::StoreError;
use chrono::{DateTime, Utc};

/// A colleague's reminder went to them as a direct message (they are not in the room
/// it was set in): its creator is told, where they set it.
pub fn reached_elsewhere(env: &Env, person: &str, tell: &crate::kernel::Tell) -> Vec<Action> {
    let note = env.msg(tell.lang, crate::lang::Msg::ReminderSentElsewhere, &[("to", person), ("id", &tell.id.to_string())]);
    vec![Action::reply(&tell.room, tell.thread_root.as_deref(), note)]
}

/// The reminders' scheduled work, for the kernel's list of scheduled sources.
pub struct DueReminders;

impl Scheduled for DueReminders {
    fn next_due(&self, env: &Env) -> Result<Option<DateTime<Utc>>, StoreError> {
        repo::next_due(env)
    }

    fn fire(&self, ctx: &mut Ctx<'_>, now: DateTime<Utc>) -> Result<Vec<(String, Action)>, StoreError> {
        due::fire(ctx, now)
    }
}
