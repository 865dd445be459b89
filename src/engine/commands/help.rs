//! `!apua` / `!hjälp` / `!help`: what Kaveri does and its commands.

use super::{Action, Ctx};
use crate::lang::Msg;

pub fn apply(ctx: Ctx<'_>) -> Vec<Action> {
    vec![ctx.reply(ctx.engine.texts().message(ctx.lang, Msg::Help, &[]))]
}
