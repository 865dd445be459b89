//! `!kysy` / `!fråga` / `!ask`, a mention or a direct message: a short answer from the
//! service catalogue, citing its card, or an honest "not sure".

use super::{Action, Ctx};
use crate::catalogue::answer;
use crate::lang::Msg;

pub fn apply(ctx: Ctx<'_>, question: &str) -> Vec<Action> {
    let engine = ctx.engine;
    if question.trim().is_empty() {
        return vec![ctx.reply(engine.texts().message(ctx.lang, Msg::AskEmpty, &[]))];
    }
    let result = engine.index().search(question, ctx.lang);
    vec![ctx.reply(answer::answer(engine.catalogue(), &result, question, ctx.lang, engine.texts()))]
}
