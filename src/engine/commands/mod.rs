//! One file per command. Each takes the parsed route and returns the actions it calls for.

mod ask;
mod help;
mod service;
mod services;
mod unknown;
pub(crate) mod remind;
mod reminders;
mod cancel;
mod consult;
mod stats;

pub(crate) use stats::status_name;
mod ticket;

use super::consult::Wanted;
use super::{Action, Engine, IncomingMessage, Route};
use crate::lang::{CommandKey, Lang, Message};
use crate::store::Batch;

/// What a command may look at while deciding; `batch` collects its state changes so they
/// land in the same transaction as its replies.
pub struct Ctx<'a> {
    pub engine: &'a Engine,
    pub msg: &'a IncomingMessage,
    pub lang: Lang,
    #[allow(dead_code)] // used by the stateful commands
    pub batch: &'a mut Batch,
}

impl Ctx<'_> {
    /// A reply where the question was asked: in its thread when it came in one.
    pub fn reply(&self, message: Message) -> Action {
        Action::reply(&self.msg.room, self.msg.thread_root.as_deref(), message).answering(&self.msg.event_id)
    }
}

/// The command word as typed ("siirrä" in "Kaveri: !siirrä K-2026-0001 @bob:x").
fn typed_command(text: &str) -> Option<String> {
    let word = text.split_whitespace().find_map(|w| w.strip_prefix('!'))?;
    Some(word.to_lowercase())
}

pub fn dispatch(ctx: Ctx<'_>, route: Route<'_>) -> Vec<Action> {
    match route {
        Route::Command { command: CommandKey::Help, .. } => help::apply(ctx),
        Route::Command { command: CommandKey::Ask, args, .. } => ask::apply(ctx, args),
        Route::Question { text } => ask::apply(ctx, text),
        Route::Command { command: CommandKey::Service, args, .. } => service::apply(ctx, args),
        Route::Command { command: CommandKey::Services, .. } => services::apply(ctx),
        Route::Command { command: CommandKey::Remind, args, .. } => remind::apply(ctx, args),
        Route::Command { command: CommandKey::Reminders, .. } => reminders::apply(ctx),
        Route::Command { command: CommandKey::Cancel, args, .. } => cancel::apply(ctx, args),
        Route::Command { command: CommandKey::Consult, args, .. } => consult::apply(ctx, args),
        Route::Command { command: CommandKey::Claim, args, .. } => ticket::apply(ctx, args, Wanted::Claim),
        Route::Command { command: CommandKey::Escalate, args, .. } => ticket::apply(ctx, args, Wanted::Escalate),
        Route::Command { command: CommandKey::Resolve, args, .. } => ticket::apply(ctx, args, Wanted::Resolve),
        Route::Command { command: CommandKey::Close, args, .. } => ticket::apply(ctx, args, Wanted::Close),
        Route::Command { command: CommandKey::Reopen, args, .. } => ticket::apply(ctx, args, Wanted::Reopen),
        Route::Command { command: CommandKey::Reassign, args, lang } => {
            // The old Finnish word, one letter from the handoff's: still obeyed, with a hint.
            let old_word = typed_command(&ctx.msg.text).is_some_and(|w| crate::lang::fold(&w) == "siirra");
            let hint = old_word.then(|| ctx.reply(ctx.engine.texts().message(lang, crate::lang::Msg::ReassignOldWord, &[])));
            let mut actions = ticket::apply(ctx, args, Wanted::Reassign);
            actions.extend(hint);
            actions
        }
        Route::Command { command: CommandKey::Stats, args, .. } => stats::apply(ctx, args),
        Route::Command { command: CommandKey::Handoff, args, .. } => ctx.engine.handoff(ctx.msg, args, ctx.lang, ctx.batch),
        Route::Command { command: CommandKey::Acknowledge, args, .. } => {
            ctx.engine.acknowledge(ctx.msg, args, ctx.lang, ctx.batch)
        }
        Route::Command { command: CommandKey::Arrived, args, .. } => ctx.engine.arrived(ctx.msg, args, ctx.lang, ctx.batch),
        Route::Command { command: CommandKey::Followup, args, .. } => ctx.engine.followup(ctx.msg, args, ctx.lang, ctx.batch),
        Route::Unknown { word } => unknown::apply(ctx, word),
        Route::Ignore => Vec::new(),
    }
}
