//! The consultation rules: opening a ticket (routing, the asker's drafts), moving it
//! through its life, the dialogue between asker and coordinators, and feedback. Every
//! state change is written in the same batch as the messages that announce it.

use super::commands::{Change, TicketRef};
use super::find::ticket_for;
use super::repo::{self, Draft, DraftStage};
use super::routing::{self, Routing};
use super::ticket::{ticket_id, AuditRecord, Origin, Refusal, Status, Ticket, Transition};
use crate::kernel::policy::screen;
use crate::kernel::{Action, Ctx, Decision, Env, IncomingMessage, Link};
use crate::lang::{CommandKey, Lang, Message, Msg, Texts, Word};
use crate::privacy;
use crate::store::StoreError;
use crate::time::words::when;
use chrono::Datelike;

/// How long the bot waits for the municipality or a "yes".
const DRAFT_MINUTES: i64 = 30;

/// The language to tell the asker of a ticket things in.
pub(crate) fn asker_lang(env: &Env, ticket: &Ticket) -> Lang {
    ticket.asker_lang.unwrap_or_else(|| env.settings.room_lang(&ticket.asker_room))
}

pub(crate) fn status_name(texts: &Texts, lang: Lang, status: Status) -> String {
    let key = match status {
        Status::Open => Msg::StatusOpen,
        Status::Claimed => Msg::StatusClaimed,
        Status::InProgress => Msg::StatusInProgress,
        Status::EscalatedTeam => Msg::StatusEscalatedTeam,
        Status::EscalatedSpecial => Msg::StatusEscalatedSpecial,
        Status::Resolved => Msg::StatusResolved,
        Status::Closed => Msg::StatusClosed,
    };
    texts.fill(lang, key, &[])
}

/// A reply in the asker's thread (the consultation's side for the asker).
fn reply_in(msg: &IncomingMessage, draft: &Draft, message: Message) -> Action {
    Action::reply(&msg.room, Some(&draft.asker_event), message)
}

/// Opens a consultation: routes the (screened) question, and opens a ticket or asks
/// for the municipality first.
pub(crate) fn open(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, question: &str) -> Decision {
    let screened = screen(question);
    let draft = Draft {
        question: screened.text,
        lang,
        asker_event: msg.thread_root.clone().unwrap_or_else(|| msg.event_id.clone()),
        at: msg.at,
        stage: DraftStage::NeedsMunicipality,
    };
    let mut actions = Vec::new();
    if screened.masked {
        actions.push(reply_in(msg, &draft, ctx.env.msg(lang, Msg::PrivacyContactMasked, &[])));
    }
    actions.extend(open_or_ask(ctx, msg, draft)?);
    Ok(actions)
}

fn open_or_ask(ctx: &mut Ctx<'_>, msg: &IncomingMessage, draft: Draft) -> Decision {
    let routing = routing::route(&ctx.env.settings.regions, &draft.question);
    if routing.municipality.is_none() {
        let ask = reply_in(msg, &draft, ctx.env.msg(draft.lang, Msg::ConsultAskMunicipality, &[]));
        repo::put_draft(ctx.batch, &msg.room, &msg.sender, &Draft { stage: DraftStage::NeedsMunicipality, ..draft });
        return Ok(vec![ask]);
    }
    repo::remove_draft(ctx.batch, &msg.room, &msg.sender);
    open_ticket(ctx, msg, draft, routing)
}

/// The coordinators' room for a county's tickets, and whether it is a fallback (the
/// county has none of its own). A question is never dropped while any room exists.
fn coordinators_room(env: &Env, county: Option<&str>) -> Option<(String, bool)> {
    let rooms = &env.settings.coordinators_rooms;
    if let Some(own) = rooms.iter().find(|r| r.county.is_some() && r.county.as_deref() == county) {
        return Some((own.id.clone(), false));
    }
    if let Some(general) = rooms.iter().find(|r| r.county.is_none()) {
        // A room without a county takes every county's tickets: no fallback.
        return Some((general.id.clone(), false));
    }
    let configured = env.settings.consultations.fallback_room.clone();
    configured.or_else(|| rooms.first().map(|r| r.id.clone())).map(|room| (room, true))
}

fn open_ticket(ctx: &mut Ctx<'_>, msg: &IncomingMessage, draft: Draft, routing: Routing) -> Decision {
    let env = ctx.env;
    let lang = draft.lang;
    let Some((room, fallback)) = coordinators_room(env, routing.county.as_deref()) else {
        return Ok(vec![reply_in(msg, &draft, env.msg(lang, Msg::ConsultNotConfigured, &[]))]);
    };
    let year = msg.at.year();
    let number = repo::next_ticket_number(ctx, year)?;
    let origin = Origin { asker: &msg.sender, room: &msg.room, event: &draft.asker_event, at: msg.at, lang };
    let mut ticket = Ticket::new(ticket_id(year, number as u32), origin, draft.question.clone(), &room);
    ticket.municipality = routing.municipality.clone();
    ticket.topic = routing.topic.clone();
    ticket.county = routing.county.clone();
    ticket.coordinators = routing.coordinators.clone();
    repo::put_ticket(ctx, &ticket)?;
    repo::put_link(ctx.batch, &ticket.asker_event, &Link::AskerQuestion(ticket.id.clone()));
    repo::audit(ctx, &AuditRecord::opened(&ticket))?;
    let room_lang = env.settings.room_lang(&room);
    let coordinators = if ticket.coordinators.is_empty() { "-".to_string() } else { ticket.coordinators.join(", ") };
    let municipality = ticket.municipality.clone().unwrap_or_default();
    let local = |lang: Lang| env.settings.regions.municipality_name(&municipality, lang);
    let notice = env.msg(
        room_lang,
        Msg::TicketNotice,
        &[
            ("id", &ticket.id),
            ("municipality", &local(room_lang)),
            ("topic", ticket.topic.as_deref().unwrap_or("-")),
            ("question", &ticket.question),
            ("asker", &ticket.asker),
            ("coordinators", &coordinators),
            ("opened", &when(&env.texts, room_lang, ticket.opened_at)),
        ],
    );
    let mut opened =
        env.msg(lang, Msg::ConsultOpened, &[("id", &ticket.id), ("municipality", &local(lang)), ("coordinators", &coordinators)]);
    if fallback {
        // The asker learns that their county's coordinators do not have the ticket.
        let county = routing.county.clone().unwrap_or_else(|| local(lang));
        opened = Message::join(&[opened, env.msg(lang, Msg::ConsultFallbackRoom, &[("county", &county)])]);
    }
    Ok(vec![
        Action::SendLinked {
            room,
            message: ticket.coordinators.iter().fold(notice, |notice, c| notice.with_pill(c)),
            thread_root: None,
            mentions: ticket.coordinators.clone(),
            link: Link::TicketThread(ticket.id.clone()),
            reach: None,
        },
        reply_in(msg, &draft, opened),
    ])
}

/// After an answer it was not sure of, the bot offers a consultation; the question
/// waits (screened) for a "yes". None where no coordinators' room is configured.
pub(crate) fn offer(ctx: &mut Ctx<'_>, msg: &IncomingMessage, question: &str, lang: Lang) -> Option<Message> {
    if ctx.env.settings.coordinators_rooms.is_empty() {
        return None;
    }
    let draft = Draft {
        question: screen(question).text,
        lang,
        asker_event: msg.thread_root.clone().unwrap_or_else(|| msg.event_id.clone()),
        at: msg.at,
        stage: DraftStage::Offered,
    };
    repo::put_draft(ctx.batch, &msg.room, &msg.sender, &draft);
    Some(ctx.env.msg(lang, Msg::AnswerOfferConsult, &[]))
}

/// A plain message that may answer the bot: "yes" to an offer, or the municipality.
pub(crate) fn draft_answer(ctx: &mut Ctx<'_>, msg: &IncomingMessage) -> Result<Option<Vec<Action>>, StoreError> {
    let env = ctx.env;
    let Some(draft) = repo::draft(env, &msg.room, &msg.sender)? else { return Ok(None) };
    if (msg.at - draft.at).num_minutes() > DRAFT_MINUTES {
        repo::remove_draft(ctx.batch, &msg.room, &msg.sender);
        return Ok(None);
    }
    match draft.stage {
        DraftStage::Offered => {
            if env.texts.answer_word(Word::Yes, &msg.text).is_none() {
                return Ok(None);
            }
            open_or_ask(ctx, msg, draft).map(Some)
        }
        DraftStage::NeedsMunicipality => {
            // Only a short reply can be the municipality; anything longer is chat.
            if msg.text.split_whitespace().count() > 4 {
                return Ok(None);
            }
            let text = screen(&msg.text).text;
            if routing::find_municipality(&env.settings.regions, &text).is_none() {
                let reply = env.msg(draft.lang, Msg::ConsultMunicipalityUnknown, &[("text", text.trim())]);
                return Ok(Some(vec![reply_in(msg, &draft, reply)]));
            }
            let combined = Draft { question: format!("{} ({})", draft.question, text.trim()), ..draft };
            open_or_ask(ctx, msg, combined).map(Some)
        }
    }
}

/// `!ota`, `!eskaloi`, `!ratkaistu`, `!sulje`, `!avaa`, `!vaihda`, and 👍 on a ticket.
pub(crate) fn change(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, wanted: &TicketRef, change: Change) -> Decision {
    // The old Finnish word for reassigning, one letter from the handoff's: still obeyed,
    // and whatever the answer, followed by a hint.
    let hint = matches!(change, Change::Reassign { old_word: true, .. })
        .then(|| msg.reply(ctx.env.msg(lang, Msg::ReassignOldWord, &[])));
    let mut actions = apply_change(ctx, msg, lang, wanted, change)?;
    actions.extend(hint);
    Ok(actions)
}

fn apply_change(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, wanted: &TicketRef, change: Change) -> Decision {
    let env = ctx.env;
    let reply = |m: Message| Ok(vec![Action::reply(&msg.room, msg.thread_root.as_deref(), m)]);
    let mut ticket = match ticket_for(env, msg, lang, wanted)? {
        Ok(t) => t,
        Err(refusal) => return Ok(refusal),
    };
    let transition = match change {
        Change::Claim => Transition::Claim,
        Change::Resolve => Transition::Resolve,
        Change::Close => Transition::Close,
        Change::Reopen => Transition::Reopen,
        Change::Escalate { confirmed } if ticket.status == Status::EscalatedTeam => {
            if !confirmed {
                return reply(env.msg(lang, Msg::TicketSpecialChecklist, &[("id", &ticket.id)]));
            }
            Transition::EscalateToSpecial
        }
        Change::Escalate { .. } => Transition::EscalateToTeam,
        Change::Reassign { to, .. } => Transition::Reassign { to },
    };
    // The asker may reopen their own ticket; everything else is for coordinators.
    let own_reopen = !transition.needs_coordinator() && msg.sender == ticket.asker;
    let coordinator = env.settings.is_coordinator(&msg.sender, &msg.room, msg.sender_power);
    if !own_reopen && !coordinator {
        return reply(env.msg(lang, Msg::RefusalNotCoordinator, &[]));
    }
    let record = match ticket.apply(transition, &msg.sender, msg.at) {
        Ok(record) => record,
        Err(refusal) => return reply(refusal_message(env, lang, &ticket, &refusal, &msg.sender, coordinator)),
    };
    repo::put_ticket(ctx, &ticket)?;
    repo::audit(ctx, &record)?;
    Ok(announce(env, msg, &ticket, &record, lang))
}

fn refusal_message(env: &Env, lang: Lang, ticket: &Ticket, refusal: &Refusal, actor: &str, coordinator: bool) -> Message {
    match refusal {
        Refusal::NotFrom { from, .. } => {
            let possible = possible_commands(&env.texts, lang, ticket, actor, coordinator);
            let key = if possible.is_empty() { Msg::RefusalNotFrom } else { Msg::RefusalNotFromPossible };
            env.msg(lang, key, &[("id", &ticket.id), ("status", &status_name(&env.texts, lang, *from)), ("possible", &possible)])
        }
        Refusal::AlreadyClaimed { owner } => env.msg(lang, Msg::RefusalAlreadyClaimed, &[("id", &ticket.id), ("owner", owner)]),
        Refusal::AlreadyOwner => env.msg(lang, Msg::RefusalAlreadyOwner, &[("id", &ticket.id)]),
    }
}

/// The status commands `actor` could use on the ticket as it is now, e.g.
/// "!ratkaistu K-2026-0001, !eskaloi K-2026-0001": what a refusal suggests instead.
fn possible_commands(texts: &Texts, lang: Lang, ticket: &Ticket, actor: &str, coordinator: bool) -> String {
    let candidates = [
        (CommandKey::Claim, &[Transition::Claim][..]),
        (CommandKey::Escalate, &[Transition::EscalateToTeam, Transition::EscalateToSpecial]),
        (CommandKey::Resolve, &[Transition::Resolve]),
        (CommandKey::Close, &[Transition::Close]),
        (CommandKey::Reopen, &[Transition::Reopen]),
    ];
    candidates
        .iter()
        .filter(|(_, transitions)| {
            transitions.iter().any(|t| (coordinator || !t.needs_coordinator()) && ticket.check(t, actor).is_ok())
        })
        // Plain words: an argument is text, not markup, so backticks would show as such.
        .map(|(command, _)| format!("!{} {}", texts.command_word(lang, *command), ticket.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Posts a change in the ticket's thread, tells the asker what concerns them, and
/// confirms where the command was given when that was elsewhere.
fn announce(env: &Env, msg: &IncomingMessage, ticket: &Ticket, record: &AuditRecord, lang: Lang) -> Vec<Action> {
    let texts = &env.texts;
    let room_lang = env.settings.room_lang(&ticket.coordinators_room);
    let change = |l: Lang| {
        let from = record.from.map(|s| status_name(texts, l, s)).unwrap_or_default();
        let mut actor = record.actor.clone();
        if let Some(target) = &record.target {
            actor = format!("{actor} → {target}");
        }
        env.msg(
            l,
            Msg::TicketChanged,
            &[("id", &ticket.id), ("from", &from), ("to", &status_name(texts, l, record.to)), ("actor", &actor)],
        )
    };
    let mut actions = vec![Action::reply(&ticket.coordinators_room, ticket.thread_root.as_deref(), change(room_lang))];
    if record.to == Status::EscalatedTeam {
        actions.push(Action::reply(
            &ticket.coordinators_room,
            ticket.thread_root.as_deref(),
            env.msg(room_lang, Msg::TicketTeamAgenda, &[("id", &ticket.id)]),
        ));
    }
    // One status post per change: a command given anywhere in the coordinators' room is
    // answered by the post in the ticket's thread alone.
    if msg.room != ticket.coordinators_room {
        actions.push(Action::reply(&msg.room, msg.thread_root.as_deref(), change(lang)));
    }
    let asker_lang = asker_lang(env, ticket);
    let to_asker = |m: Message| Action::notify(&ticket.asker_room, Some(&ticket.asker_event), m, vec![ticket.asker.clone()]);
    match record.action.as_str() {
        "claim" => actions.push(to_asker(
            env.msg(asker_lang, Msg::TicketClaimedAsker, &[("id", &ticket.id), ("actor", &record.actor)]),
        )),
        "resolve" => actions.push(to_asker(env.msg(asker_lang, Msg::TicketResolvedAsker, &[("id", &ticket.id)]))),
        "escalate_team" | "escalate_special" => {
            let team = status_name(texts, asker_lang, record.to);
            actions.push(to_asker(env.msg(asker_lang, Msg::TicketEscalatedAsker, &[("id", &ticket.id), ("team", &team)])));
        }
        "close" => actions.push(Action::SendLinked {
            room: ticket.asker_room.clone(),
            message: env.msg(asker_lang, Msg::FeedbackQuestion, &[("id", &ticket.id)]),
            thread_root: Some(ticket.asker_event.clone()),
            mentions: vec![ticket.asker.clone()],
            link: Link::Feedback(ticket.id.clone()),
            reach: None,
        }),
        _ => {}
    }
    actions
}

/// A message in a ticket's thread (coordinators' side) or the asker's thread: the
/// consultation itself. Relayed to the other side, screened; a number from the asker
/// after closing is their feedback. None when the message is not part of one.
pub(crate) fn thread_message(ctx: &mut Ctx<'_>, msg: &IncomingMessage) -> Result<Option<Vec<Action>>, StoreError> {
    let env = ctx.env;
    let Some(root) = msg.thread_root.as_deref() else { return Ok(None) };
    let Some(link) = repo::link(env, root)? else { return Ok(None) };
    let Some(mut ticket) = repo::ticket(env, link.ticket())? else { return Ok(None) };
    match link {
        Link::TicketThread(_) if env.settings.is_coordinator(&msg.sender, &msg.room, msg.sender_power) => {
            let screened = screen(&msg.text);
            if ticket.status == Status::Claimed && ticket.owner.as_deref() == Some(msg.sender.as_str()) {
                if let Ok(record) = ticket.apply(Transition::Start, &msg.sender, msg.at) {
                    repo::audit(ctx, &record)?;
                }
            }
            ticket.last_activity_at = Some(msg.at);
            repo::put_ticket(ctx, &ticket)?;
            let asker_lang = asker_lang(env, &ticket);
            let args = [("actor", msg.sender.as_str()), ("id", ticket.id.as_str()), ("text", screened.text.as_str())];
            let message = relayed(env, asker_lang, Msg::RelayToAsker, &args, msg, screened.masked);
            // The asker is waiting for this answer.
            Ok(Some(vec![Action::notify(&ticket.asker_room, Some(&ticket.asker_event), message, vec![ticket.asker.clone()])]))
        }
        Link::AskerQuestion(_) | Link::Feedback(_) if msg.sender == ticket.asker => {
            let lang = asker_lang(env, &ticket);
            if ticket.status == Status::Closed && ticket.feedback.is_none() {
                return Ok(Some(match env.texts.feedback_score(&msg.text) {
                    Some(score) => record_feedback(ctx, &mut ticket, score, lang)?,
                    None => vec![Action::reply(&msg.room, msg.thread_root.as_deref(), env.msg(lang, Msg::FeedbackHint, &[]))],
                }));
            }
            if ticket.status == Status::Closed {
                return Ok(None);
            }
            let screened = screen(&msg.text);
            ticket.last_activity_at = Some(msg.at);
            repo::put_ticket(ctx, &ticket)?;
            let room_lang = env.settings.room_lang(&ticket.coordinators_room);
            let args = [("id", ticket.id.as_str()), ("text", screened.text.as_str())];
            let message = relayed(env, room_lang, Msg::RelayToCoordinators, &args, msg, screened.masked);
            // The owner (or, before anyone has claimed it, its coordinators) must read it.
            let readers = ticket.owner.clone().map_or_else(|| ticket.coordinators.clone(), |owner| vec![owner]);
            Ok(Some(vec![Action::notify(&ticket.coordinators_room, ticket.thread_root.as_deref(), message, readers)]))
        }
        _ => Ok(None),
    }
}

/// A message relayed to the other side of a consultation. It keeps the writer's own
/// formatting (paragraphs, lists, links: the adapter has sanitised it to what Matrix
/// allows) unless something in it had to be masked; then the masked plain text, with
/// its line breaks and web addresses, stands in.
fn relayed(env: &Env, lang: Lang, key: Msg, args: &[(&str, &str)], msg: &IncomingMessage, masked: bool) -> Message {
    // The HTML is checked on its own: a link's address (mailto:, a phone number) is not
    // in the plain body. Too long to relay whole, it is not relayed cut in a tag either.
    let usable = |html: &&str| {
        !masked
            && privacy::scan(html).is_empty()
            && html.len() <= MAX_RELAYED_HTML_BYTES
            && msg.text.chars().count() <= MAX_RELAYED_CHARS
    };
    match msg.html.as_deref().filter(usable) {
        Some(html) => env.texts.message_with_html(lang, key, args, ("text", html)),
        None => env.msg(lang, key, args),
    }
}

/// A relayed message longer than this is relayed as (cut) plain text.
const MAX_RELAYED_CHARS: usize = 4000;
const MAX_RELAYED_HTML_BYTES: usize = 16_000;

pub(crate) fn record_feedback(ctx: &mut Ctx<'_>, ticket: &mut Ticket, score: u8, lang: Lang) -> Decision {
    ticket.feedback = Some(score);
    repo::put_ticket(ctx, ticket)?;
    Ok(vec![Action::reply(
        &ticket.asker_room,
        Some(&ticket.asker_event),
        ctx.env.msg(lang, Msg::FeedbackThanks, &[("score", &score.to_string())]),
    )])
}

pub(crate) fn is_thumbs_up(key: &str) -> bool {
    key.trim_end_matches(['\u{fe0f}']).starts_with('👍') || key == "+1"
}

/// Number reactions: keycap digits 0️⃣–9️⃣ and 🔟.
pub(crate) fn keycap_score(key: &str) -> Option<u8> {
    if key.starts_with('🔟') {
        return Some(10);
    }
    let mut chars = key.chars();
    let digit = chars.next()?.to_digit(10)?;
    chars.all(|c| c == '\u{fe0f}' || c == '\u{20e3}').then_some(digit as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_read_from_numbers_and_keycaps() {
        assert_eq!(keycap_score("7\u{fe0f}\u{20e3}"), Some(7));
        assert_eq!(keycap_score("🔟"), Some(10));
        assert_eq!(keycap_score("👍"), None);
        assert!(is_thumbs_up("👍") && is_thumbs_up("👍\u{fe0f}") && is_thumbs_up("👍🏽"));
    }
}
