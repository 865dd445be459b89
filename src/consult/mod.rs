//! Consultations, one capability: a question the catalogue cannot settle becomes a
//! ticket for the right work-ability coordinators, tracked through claim, escalation
//! and close, with feedback, escorted handoffs and follow-ups.
//!
//! - commands.rs: every consultation command parsed into a typed request;
//! - tickets.rs: the rules (opening and routing, status changes, the dialogue, feedback),
//!   handoff.rs (handoffs and follow-ups), report.rs (statistics), find.rs (which
//!   ticket a command means, who may tend it);
//! - repo.rs: the state (tickets and their deadline index, links, drafts, counter, audit);
//! - deadlines.rs and agenda.rs: the scheduled work; due.rs: when each deadline falls;
//! - ticket.rs, routing.rs, stats.rs: the pure domain (state machine, routing, figures).

mod agenda;
pub mod commands;
mod deadlines;
mod due;
mod find;
mod handoff;
mod repo;
mod report;
pub mod routing;
pub mod stats;
pub mod ticket;
mod tickets;

pub use agenda::Agendas;
pub use commands::{Command, Refusal};
pub use deadlines::TicketDeadlines;

use crate::kernel::{Action, Ctx, Decision, Delivery, Env, IncomingMessage, IncomingReaction, Link};
use crate::lang::{Lang, Message, Msg};
use crate::store::{Batch, StoreError};
use ticket::Ticket;

pub fn apply(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, command: Command<'_>) -> Decision {
    match command {
        Command::Open { question } => tickets::open(ctx, msg, lang, question),
        Command::Change { ticket, change } => tickets::change(ctx, msg, lang, &ticket, change),
        Command::Handoff { ticket, receiver, step, date } => handoff::handoff(ctx, msg, lang, &ticket, &receiver, &step, date),
        Command::Acknowledge { ticket } => handoff::acknowledge(ctx, msg, lang, &ticket),
        Command::Arrived { ticket, arrived } => handoff::arrived(ctx, msg, lang, &ticket, arrived),
        Command::FollowUp { ticket, due, note } => handoff::follow_up(ctx, msg, lang, &ticket, due, &note),
        Command::Stats { from, to, month } => report::stats(ctx, msg, lang, from, to, month.as_deref()),
    }
}

/// The polite answer to a consultation command that could not be read.
pub fn refuse(env: &Env, msg: &IncomingMessage, lang: Lang, refusal: Refusal) -> Vec<Action> {
    let say = |key: Msg, args: &[(&str, &str)]| vec![msg.reply(env.msg(lang, key, args))];
    // A reassignment typed with the old word gets the hint whatever else is said.
    let with_hint = |mut actions: Vec<Action>| {
        if commands::typed_old_reassign_word(msg) {
            actions.push(msg.reply(env.msg(lang, Msg::ReassignOldWord, &[])));
        }
        actions
    };
    match refusal {
        Refusal::ConsultUsage => say(Msg::ConsultUsage, &[]),
        Refusal::ReassignUsage => with_hint(say(Msg::ReassignUsage, &[])),
        Refusal::ReassignExtraWords(words) => {
            let handoff = env.texts.command_word(lang, crate::lang::CommandKey::Handoff);
            with_hint(say(Msg::ReassignExtraWords, &[("words", &words), ("handoff", handoff)]))
        }
        // Statistics are for coordinators: others hear that, not how to write a month.
        Refusal::StatsUsage if !env.settings.is_coordinator(&msg.sender, &msg.room, msg.sender_power) => {
            say(Msg::RefusalNotCoordinator, &[])
        }
        Refusal::HandoffUsage => say(Msg::HandoffUsage, &[]),
        Refusal::ArrivalUsage => say(Msg::ArrivalUsage, &[]),
        Refusal::FollowUpUsage => say(Msg::FollowupUsage, &[]),
        Refusal::StatsUsage => say(Msg::StatsUsage, &[]),
    }
}

/// Whether a message with no command is for this capability: written in a
/// consultation's thread, or an answer the bot asked this person for.
pub fn reads(env: &Env, msg: &IncomingMessage) -> Result<bool, StoreError> {
    if let Some(root) = msg.thread_root.as_deref() {
        if repo::link(env, root)?.is_some() {
            return Ok(true);
        }
    }
    repo::has_draft(env, &msg.room, &msg.sender)
}

/// A message with no command that belongs to a consultation: relayed, taken as
/// feedback, or as the answer to the bot's question. None when it is not one.
pub fn conversation(ctx: &mut Ctx<'_>, msg: &IncomingMessage) -> Result<Option<Vec<Action>>, StoreError> {
    if let Some(actions) = tickets::thread_message(ctx, msg)? {
        return Ok(Some(actions));
    }
    tickets::draft_answer(ctx, msg)
}

/// A reaction on one of the bot's consultation messages: 👍 on a ticket's root claims
/// it; ✅ on a handoff acknowledges it; a number on the feedback question is the
/// asker's score.
pub fn reaction(ctx: &mut Ctx<'_>, reaction: &IncomingReaction) -> Decision {
    let env = ctx.env;
    let Some(link) = repo::link(env, &reaction.target)? else { return Ok(Vec::new()) };
    match link {
        Link::TicketThread(id) if tickets::is_thumbs_up(&reaction.key) => {
            let as_message = reaction.as_command(Some(reaction.target.clone()));
            let lang = env.settings.room_lang(&reaction.room);
            tickets::change(ctx, &as_message, lang, &commands::TicketRef::Named(id), commands::Change::Claim)
        }
        Link::Handoff(id, index) => handoff::reaction(ctx, reaction, &id, index),
        Link::Feedback(id) => {
            let Some(mut ticket) = repo::ticket(env, &id)? else { return Ok(Vec::new()) };
            match tickets::keycap_score(&reaction.key) {
                Some(score) if reaction.sender == ticket.asker && ticket.feedback.is_none() => {
                    let lang = tickets::asker_lang(env, &ticket);
                    tickets::record_feedback(ctx, &mut ticket, score, lang)
                }
                _ => Ok(Vec::new()),
            }
        }
        _ => Ok(Vec::new()),
    }
}

/// After an unsure catalogue answer: offers to turn the question into a consultation.
pub fn offer(ctx: &mut Ctx<'_>, msg: &IncomingMessage, question: &str, lang: Lang) -> Option<Message> {
    tickets::offer(ctx, msg, question, lang)
}

/// The adapter posted a linked message: remember its event id so that replies and
/// reactions to it find their ticket.
pub fn link_sent(env: &Env, batch: &mut Batch, link: &Link, event_id: &str) -> Result<(), StoreError> {
    repo::put_link(batch, event_id, link);
    if let Link::TicketThread(id) = link {
        if let Some(mut ticket) = repo::ticket(env, id)? {
            ticket.thread_root = Some(event_id.to_string());
            // The thread root changes no deadline: written as is.
            batch.put(crate::store::TreeId::Tickets, id.as_bytes(), &ticket);
        }
    }
    Ok(())
}

/// A handoff reached its receiver somewhere else than where it was agreed.
pub fn reached_elsewhere(ctx: &mut Ctx<'_>, delivery: &Delivery, room: &str, thread_root: Option<&str>, direct: bool) -> Decision {
    handoff::reached_elsewhere(ctx, delivery, room, thread_root, direct)
}

/// One ticket by its id.
pub fn ticket(env: &Env, id: &str) -> Result<Option<Ticket>, StoreError> {
    repo::ticket(env, id)
}

/// Every ticket ever stored, for exports and tests.
pub fn all_tickets(env: &Env) -> Result<Vec<Ticket>, StoreError> {
    repo::all_tickets(env)
}

/// Builds the deadline index when the deadline settings changed or it never existed.
pub fn prepare(env: &Env) -> Result<(), StoreError> {
    repo::ensure_deadline_index(env)
}
