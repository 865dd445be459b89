//! `!palvelu <id or name>` / `!tjänst` / `!service`: the whole card.

use super::{Action, Ctx};
use crate::catalogue::answer;
use crate::lang::Msg;

pub fn apply(ctx: Ctx<'_>, query: &str) -> Vec<Action> {
    let engine = ctx.engine;
    let texts = engine.texts();
    if query.trim().is_empty() {
        return vec![ctx.reply(texts.message(ctx.lang, Msg::ServiceUsage, &[]))];
    }
    let catalogue = engine.catalogue();
    // A name or id first; otherwise the card a search is confident about.
    let card = catalogue.find_by_name_or_id(query, ctx.lang).or_else(|| {
        let result = engine.index().search(query, ctx.lang);
        result.hits.first().filter(|_| result.confident).and_then(|hit| catalogue.card(&hit.id))
    });
    let message = match card {
        Some(card) => answer::full_card(card, catalogue, ctx.lang, texts),
        None => texts.message(ctx.lang, Msg::ServiceNotFound, &[("query", query.trim())]),
    };
    vec![ctx.reply(message)]
}
