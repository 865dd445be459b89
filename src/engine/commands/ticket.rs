//! The ticket commands: `!ota` / `!ta` / `!claim`, `!eskaloi` / `!eskalera` / `!escalate`,
//! `!ratkaistu` / `!löst` / `!resolve`, `!sulje` / `!stäng` / `!close`,
//! `!avaa` / `!öppna` / `!reopen`, `!vaihda` / `!flytta` / `!reassign`.
//! Each takes an optional ticket id; inside a ticket's thread the thread names it.

use super::{Action, Ctx};
use crate::engine::consult::Wanted;

pub fn apply(ctx: Ctx<'_>, args: &str, wanted: Wanted) -> Vec<Action> {
    ctx.engine.consult_transition(ctx.msg, args, wanted, ctx.lang, ctx.batch)
}
