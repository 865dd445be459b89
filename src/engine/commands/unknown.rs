//! A `!word` that names no command: say so, and point at the help.

use super::{Action, Ctx};
use crate::lang::Msg;

/// An unknown word is repeated only this far: it may be anything a script sent.
const LONGEST_WORD: usize = 40;

pub fn apply(ctx: Ctx<'_>, word: &str) -> Vec<Action> {
    let word = crate::lang::clean_echo(word, LONGEST_WORD);
    vec![ctx.reply(ctx.engine.texts().message(ctx.lang, Msg::UnknownCommand, &[("command", &word)]))]
}
