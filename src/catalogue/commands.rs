//! The catalogue's commands, each parsed once into a typed [`Command`]:
//! `!kysy` / `!fråga` / `!ask` (or a mention, or a direct message): a short answer from
//! the service catalogue, citing its card, or an honest "not sure";
//! `!palvelu` / `!tjänst` / `!service <id or name>`: the whole card;
//! `!palvelut` / `!tjänster` / `!services`: every card by category.

use super::{answer, Catalogue, Index, SearchResult};
use crate::kernel::policy::screen;
use crate::kernel::{Action, Env, Grounding, IncomingMessage};
use crate::lang::{CommandKey, Lang, Message, Msg};

/// A phrased answer draws on at most this many cards...
const GROUNDING_CARDS: usize = 3;
/// ...each scoring at least this share of the best one.
const GROUNDING_SHARE: f32 = 0.6;

#[derive(Debug, PartialEq)]
pub enum Command<'a> {
    Ask { question: &'a str },
    Service { query: &'a str },
    Services,
}

/// What is wrong with a catalogue command; each has a polite answer.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    EmptyQuestion,
    ServiceUsage,
}

/// Reads a catalogue command; `None` when `key` is not one.
pub fn parse(key: CommandKey, args: &str) -> Option<Result<Command<'_>, Refusal>> {
    let args = args.trim();
    Some(match key {
        CommandKey::Ask => question(args),
        CommandKey::Service if args.is_empty() => Err(Refusal::ServiceUsage),
        CommandKey::Service => Ok(Command::Service { query: args }),
        CommandKey::Services => Ok(Command::Services),
        _ => return None,
    })
}

/// A question, put with `!kysy` or to the bot without a command word.
pub fn question(text: &str) -> Result<Command<'_>, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        Err(Refusal::EmptyQuestion)
    } else {
        Ok(Command::Ask { question: text })
    }
}

pub fn refuse(env: &Env, msg: &IncomingMessage, lang: Lang, refusal: Refusal) -> Vec<Action> {
    let key = match refusal {
        Refusal::EmptyQuestion => Msg::AskEmpty,
        Refusal::ServiceUsage => Msg::ServiceUsage,
    };
    vec![msg.reply(env.msg(lang, key, &[]))]
}

/// What the catalogue has to say to a command.
pub enum Said {
    /// The whole reply.
    Reply(Action),
    /// Not sure: the closest cards. When the question is one for the network at all
    /// (`in_domain`; "the best pizzeria in Turku" is not), a consultation may be offered.
    Unsure { reply: Message, in_domain: bool },
}

pub fn apply(env: &Env, catalogue: &Catalogue, index: &Index, msg: &IncomingMessage, lang: Lang, command: Command<'_>) -> Said {
    match command {
        Command::Ask { question } => ask(env, catalogue, index, msg, lang, question),
        Command::Service { query } => {
            // A name or id first; otherwise the card a search is confident about.
            let card = catalogue.find_by_name_or_id(query, lang).or_else(|| {
                let result = index.search(query, lang);
                result.hits.first().filter(|_| result.confident).and_then(|hit| catalogue.card(&hit.id))
            });
            let message = match card {
                Some(card) => answer::full_card(card, catalogue, lang, &env.texts),
                // Repeated back, so screened like anything the bot keeps or forwards.
                None => env.msg(lang, Msg::ServiceNotFound, &[("query", &screen(query).text)]),
            };
            Said::Reply(msg.reply(message))
        }
        Command::Services => Said::Reply(msg.reply(answer::list_by_category(catalogue, lang, &env.texts))),
    }
}

fn ask(env: &Env, catalogue: &Catalogue, index: &Index, msg: &IncomingMessage, lang: Lang, question: &str) -> Said {
    let result = index.search(question, lang);
    let extractive = answer::answer(catalogue, &result, question, lang, &env.texts);
    if !result.confident {
        return Said::Unsure { reply: extractive, in_domain: result.in_domain };
    }
    // A confident answer may be phrased by an answer model, if the adapter has one.
    // The question is stored in the outbox and may leave the machine: mask personal data.
    let grounding = Grounding {
        question: screen(question).text,
        lang,
        card_ids: grounding_cards(&result),
    };
    Said::Reply(Action::Answer {
        room: msg.room.clone(),
        thread_root: msg.thread_root.clone(),
        fallback: extractive,
        grounding,
        in_reply_to: Some(msg.event_id.clone()),
    })
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
