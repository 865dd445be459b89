//! `!kysy` / `!fråga` / `!ask`, a mention or a direct message: a short answer from the
//! service catalogue, citing its card, or an honest "not sure".

use super::{Action, Ctx};
use crate::catalogue::{answer, SearchResult};
use crate::consult::privacy;
use crate::engine::Grounding;
use crate::lang::Msg;

/// A phrased answer draws on at most this many cards...
const GROUNDING_CARDS: usize = 3;
/// ...each scoring at least this share of the best one.
const GROUNDING_SHARE: f32 = 0.6;

pub fn apply(ctx: Ctx<'_>, question: &str) -> Vec<Action> {
    let engine = ctx.engine;
    if question.trim().is_empty() {
        return vec![ctx.reply(engine.texts().message(ctx.lang, Msg::AskEmpty, &[]))];
    }
    let result = engine.index().search(question, ctx.lang);
    let extractive = answer::answer(engine.catalogue(), &result, question, ctx.lang, engine.texts());
    if !result.confident {
        // Not sure: offer to turn the question into a consultation, when it is one for the
        // network at all ("the best pizzeria in Turku" is not).
        let offer = if result.in_domain { engine.offer_consult(ctx.msg, question, ctx.lang, ctx.batch) } else { None };
        let reply = match offer {
            Some(offer) => crate::lang::Message::join(&[extractive, offer]),
            None => extractive,
        };
        return vec![ctx.reply(reply)];
    }
    // A confident answer may be phrased by an answer model, if the adapter has one.
    // The question is stored in the outbox and may leave the machine: mask personal data.
    let grounding = Grounding {
        question: privacy::mask(question, &privacy::scan(question)),
        lang: ctx.lang,
        card_ids: grounding_cards(&result),
    };
    vec![Action::Answer {
        room: ctx.msg.room.clone(),
        thread_root: ctx.msg.thread_root.clone(),
        fallback: extractive,
        grounding,
        in_reply_to: Some(ctx.msg.event_id.clone()),
    }]
}

/// The best card and the runners-up close to it.
fn grounding_cards(result: &SearchResult) -> Vec<String> {
    let best = result.hits.first().map_or(0.0, |h| h.score);
    result
        .hits
        .iter()
        .enumerate()
        .filter(|(i, hit)| *i == 0 || hit.score >= GROUNDING_SHARE * best)
        .take(GROUNDING_CARDS)
        .map(|(_, hit)| hit.id.clone())
        .collect()
}
