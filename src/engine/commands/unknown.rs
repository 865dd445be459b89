//! A `!word` that names no command: say so, and point at the help.

use super::{Action, Ctx};
use crate::lang::Msg;

pub fn apply(ctx: Ctx<'_>, word: &str) -> Vec<Action> {
    vec![ctx.reply(ctx.engine.texts().message(ctx.lang, Msg::UnknownCommand, &[("command", word)]))]
}
