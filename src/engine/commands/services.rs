//! `!palvelut` / `!tjänster` / `!services`: every card by category.

use super::{Action, Ctx};
use crate::catalogue::answer;

pub fn apply(ctx: Ctx<'_>) -> Vec<Action> {
    let engine = ctx.engine;
    vec![ctx.reply(answer::list_by_category(engine.catalogue(), ctx.lang, engine.texts()))]
}
