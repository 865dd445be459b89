//! Escorted handoffs (saattaen vaihtaen) and ticket follow-ups: `!siirto`, `!kuittaa`
//! (or ✅ on the handoff message), `!saapui`, and `!seuranta`, which sets a reminder in
//! the ticket's thread.

use super::commands::TicketRef;
use super::repo;
use super::find::{may_tend, ticket_for};
use super::ticket::{Handoff, Ticket};
use crate::kernel::policy::screen;
use crate::kernel::{Action, Ctx, Decision, Delivery, Env, IncomingMessage, IncomingReaction, Link, Reach};
use crate::lang::{Lang, Msg};
use crate::time::words::when;
use chrono::{DateTime, Utc};

/// The language a handoff was agreed in; handoffs from before it was kept use their room's.
pub(crate) fn handoff_lang(env: &Env, h: &Handoff) -> Lang {
    h.lang.unwrap_or_else(|| env.settings.room_lang(&h.room))
}

/// A message about handoff `index` of ticket `t`, to whoever must act on it.
pub(crate) fn handoff_message(env: &Env, t: &Ticket, index: usize, key: Msg) -> Action {
    let h: &Handoff = &t.handoffs[index];
    let lang = handoff_lang(env, h);
    let when = when(&env.texts, lang, h.date);
    // Who must act: the receiver until they acknowledge, the sender when reminded that
    // nobody has, both on the day of the check-in.
    let people = match key {
        Msg::HandoffRemindSender => vec![h.from.clone()],
        Msg::HandoffCheckIn => vec![h.from.clone(), h.to.clone()],
        _ => vec![h.to.clone()],
    };
    // A reminder for the receiver goes where the handoff reached them.
    let (room, thread_root) = match (&h.receiver_place, key) {
        (Some((room, thread)), Msg::HandoffRemindReceiver) => (room.as_str(), thread.as_deref()),
        _ => (h.room.as_str(), h.thread_root.as_deref()),
    };
    Action::notify(
        room,
        thread_root,
        env.msg(lang, key, &[("id", &t.id), ("from", &h.from), ("to", &h.to), ("step", &h.step), ("when", &when)]),
        people,
    )
}

/// `!siirto [K-…] @receiver <next step> <when>`: coordinators or the asker.
pub(crate) fn handoff(
    ctx: &mut Ctx<'_>,
    msg: &IncomingMessage,
    lang: Lang,
    wanted: &TicketRef,
    receiver: &str,
    step: &str,
    date: DateTime<Utc>,
) -> Decision {
    let env = ctx.env;
    let mut ticket = match ticket_for(env, msg, lang, wanted)? {
        Ok(t) => t,
        Err(refusal) => return Ok(refusal),
    };
    if !may_tend(env, msg, &ticket) {
        return Ok(vec![msg.reply(env.msg(lang, Msg::RefusalNotCoordinator, &[]))]);
    }
    ticket.handoffs.push(Handoff {
        from: msg.sender.clone(),
        to: receiver.to_string(),
        step: screen(step).text,
        date,
        created_at: msg.at,
        room: msg.room.clone(),
        thread_root: msg.thread_root.clone(),
        acknowledged_at: None,
        receiver_reminded: false,
        sender_reminded: false,
        checked_in: false,
        arrived: None,
        lang: Some(lang),
        receiver_place: None,
    });
    ticket.last_activity_at = Some(msg.at);
    repo::put_ticket(ctx, &ticket)?;
    let index = ticket.handoffs.len() - 1;
    let Action::Send { room, message, thread_root, .. } = handoff_message(env, &ticket, index, Msg::HandoffRecorded) else {
        unreachable!("handoff messages are plain messages")
    };
    // The receiver must see it to acknowledge it: where they are not in this room,
    // the ticket's thread in the coordinators' room, else a direct message.
    let or_in = (msg.room != ticket.coordinators_room).then(|| (ticket.coordinators_room.clone(), ticket.thread_root.clone()));
    Ok(vec![Action::SendLinked {
        room,
        message,
        thread_root,
        mentions: vec![receiver.to_string()],
        link: Link::Handoff(ticket.id.clone(), index),
        reach: Some(Reach { person: receiver.to_string(), or_in, tell: None }),
    }])
}

/// The adapter posted a handoff where its receiver is (`room`, `thread_root`; a direct
/// message when `direct`) instead of where it was agreed: remember the place for the
/// receiver's reminders, and tell the sender where it went.
pub(crate) fn reached_elsewhere(
    ctx: &mut Ctx<'_>,
    delivery: &Delivery,
    room: &str,
    thread_root: Option<&str>,
    direct: bool,
) -> Decision {
    let env = ctx.env;
    let Action::SendLinked { link: Link::Handoff(id, index), .. } = &delivery.action else { return Ok(Vec::new()) };
    let Some(mut ticket) = repo::ticket(env, id)? else { return Ok(Vec::new()) };
    let Some(handoff) = ticket.handoffs.get_mut(*index) else { return Ok(Vec::new()) };
    handoff.receiver_place = Some((room.to_string(), thread_root.map(str::to_string)));
    let lang = handoff_lang(env, handoff);
    let place = env.texts.fill(lang, if direct { Msg::PlaceDirect } else { Msg::PlaceCoordinatorsThread }, &[]);
    let note = env.msg(lang, Msg::HandoffSentElsewhere, &[("to", &handoff.to), ("place", &place)]);
    let action = Action::reply(&handoff.room, handoff.thread_root.as_deref(), note);
    repo::put_ticket(ctx, &ticket)?;
    Ok(vec![action])
}

/// `!kuittaa [K-…]` by the receiver.
pub(crate) fn acknowledge(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, wanted: &TicketRef) -> Decision {
    let mut ticket = match ticket_for(ctx.env, msg, lang, wanted)? {
        Ok(t) => t,
        Err(refusal) => return Ok(refusal),
    };
    let pending = ticket.handoffs.iter().rposition(|h| h.to == msg.sender && h.acknowledged_at.is_none());
    acknowledge_handoff(ctx, msg, &mut ticket, pending, lang)
}

fn acknowledge_handoff(ctx: &mut Ctx<'_>, msg: &IncomingMessage, ticket: &mut Ticket, index: Option<usize>, lang: Lang) -> Decision {
    let env = ctx.env;
    let Some(index) = index.filter(|&i| ticket.handoffs[i].to == msg.sender && ticket.handoffs[i].acknowledged_at.is_none())
    else {
        return Ok(vec![msg.reply(env.msg(lang, Msg::HandoffNothingToAck, &[("id", &ticket.id)]))]);
    };
    ticket.handoffs[index].acknowledged_at = Some(msg.at);
    ticket.last_activity_at = Some(msg.at);
    repo::put_ticket(ctx, ticket)?;
    Ok(vec![handoff_message(env, ticket, index, Msg::HandoffAcknowledged)])
}

/// ✅ on a handoff message acknowledges it.
pub(crate) fn reaction(ctx: &mut Ctx<'_>, reaction: &IncomingReaction, id: &str, index: usize) -> Decision {
    if !reaction.key.starts_with('✅') && !reaction.key.starts_with('✔') {
        return Ok(Vec::new());
    }
    let Some(mut ticket) = repo::ticket(ctx.env, id)? else { return Ok(Vec::new()) };
    if index >= ticket.handoffs.len() || ticket.handoffs[index].to != reaction.sender {
        return Ok(Vec::new());
    }
    let as_message = reaction.as_command(None);
    // The reaction is on the handoff message, in the handoff's own room.
    let lang = handoff_lang(ctx.env, &ticket.handoffs[index]);
    acknowledge_handoff(ctx, &as_message, &mut ticket, Some(index), lang)
}

/// `!saapui [K-…] kyllä|ei`: the answer to the check-in, from either side of the handoff.
pub(crate) fn arrived(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, wanted: &TicketRef, answer: bool) -> Decision {
    let env = ctx.env;
    let reply = |key: Msg, extra: &[(&str, &str)]| Ok(vec![msg.reply(env.msg(lang, key, extra))]);
    let mut ticket = match ticket_for(env, msg, lang, wanted)? {
        Ok(t) => t,
        Err(refusal) => return Ok(refusal),
    };
    let Some(index) = ticket.handoffs.iter().rposition(|h| h.from == msg.sender || h.to == msg.sender) else {
        return reply(Msg::HandoffNothingToAck, &[("id", &ticket.id)]);
    };
    ticket.handoffs[index].arrived = Some(answer);
    ticket.last_activity_at = Some(msg.at);
    repo::put_ticket(ctx, &ticket)?;
    let said = env.texts.fill(lang, if answer { Msg::HandoffArrivedYes } else { Msg::HandoffArrivedNo }, &[]);
    reply(Msg::HandoffArrivalRecorded, &[("id", &ticket.id), ("answer", &said)])
}

/// `!seuranta [K-…] <when> [note]`: a reminder for the sender in the ticket's thread.
pub(crate) fn follow_up(
    ctx: &mut Ctx<'_>,
    msg: &IncomingMessage,
    lang: Lang,
    wanted: &TicketRef,
    due: DateTime<Utc>,
    note: &str,
) -> Decision {
    let env = ctx.env;
    let ticket = match ticket_for(env, msg, lang, wanted)? {
        Ok(t) => t,
        Err(refusal) => return Ok(refusal),
    };
    if !may_tend(env, msg, &ticket) {
        return Ok(vec![msg.reply(env.msg(lang, Msg::RefusalNotCoordinator, &[]))]);
    }
    // The reminder's store masks contact details in the whole text (remind::repo::add).
    let note = if note.is_empty() { ticket.question.chars().take(80).collect() } else { note.to_string() };
    let text = env.texts.fill(lang, Msg::FollowupText, &[("id", &ticket.id), ("note", &note)]);
    // Said where the ticket's dialogue is: the coordinators' thread for a
    // coordinator, the asker's own thread for the asker.
    let (room, thread) = if msg.sender == ticket.asker {
        (ticket.asker_room.clone(), Some(ticket.asker_event.clone()))
    } else {
        (ticket.coordinators_room.clone(), ticket.thread_root.clone())
    };
    let confirmation = crate::remind::set_follow_up(ctx, &msg.sender, &room, thread, text, due, lang)?;
    Ok(vec![Action::reply(&msg.room, msg.thread_root.as_deref(), confirmation)])
}
