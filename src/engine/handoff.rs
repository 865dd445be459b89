//! Escorted handoffs (saattaen vaihtaen) and ticket follow-ups: `!siirto`, `!kuittaa`
//! (or ✅ on the handoff message), `!saapui`, and `!seuranta`, which sets a reminder in
//! the ticket's thread.

use super::consult::Link;
use super::{Action, Delivery, Engine, IncomingMessage};
use crate::consult::privacy;
use crate::consult::ticket::{parse_ticket_id, Handoff, Ticket};
use crate::lang::{Lang, Msg, Word};
use crate::remind::calendar::HELSINKI;
use crate::remind::time_expr;
use crate::remind::reminder::{Reminder, Target};
use crate::store::{Batch, StoreError, TreeId};
use super::commands::remind;
use chrono::{DateTime, Utc};

/// Splits "<step> <when>" where the time is at the end: the longest ending that reads as
/// a time (from the message's send time), and the words before it.
fn split_step_and_time(text: &str, sent: DateTime<Utc>) -> Option<(String, DateTime<Utc>)> {
    let now = sent.with_timezone(&HELSINKI);
    let starts = std::iter::once(0).chain(text.match_indices(' ').map(|(i, _)| i + 1));
    for start in starts {
        let (step, when) = text.split_at(start);
        if let Ok(parsed) = time_expr::parse(when, now) {
            let step = step.trim();
            if !step.is_empty() {
                return Some((step.to_string(), parsed.at.with_timezone(&Utc)));
            }
        }
    }
    None
}

impl Engine {
    /// `!siirto [K-…] @receiver <next step> <when>`: coordinators or the asker.
    pub(crate) fn handoff(&self, msg: &IncomingMessage, args: &str, lang: Lang, batch: &mut Batch) -> Vec<Action> {
        let reply = |key: Msg, extra: &[(&str, &str)]| self.answer(msg, lang, key, extra);
        let mut ticket = match self.ticket_for(msg, args, lang) {
            Ok(t) => t,
            Err(refusal) => return refusal,
        };
        if !self.may_tend(msg, &ticket) {
            return reply(Msg::RefusalNotCoordinator, &[]);
        }
        let rest: Vec<&str> = args.split_whitespace().filter(|w| parse_ticket_id(w).is_none()).collect();
        let Some(receiver) = rest.first().filter(|w| w.starts_with('@') && w.contains(':')) else {
            return reply(Msg::HandoffUsage, &[]);
        };
        let Some((step, date)) = split_step_and_time(&rest[1..].join(" "), msg.at) else {
            return reply(Msg::HandoffUsage, &[]);
        };
        let (step, _) = match self.screen(msg, &step, lang) {
            Ok(screened) => screened,
            Err(refusal) => return refusal,
        };
        ticket.handoffs.push(Handoff {
            from: msg.sender.clone(),
            to: receiver.to_string(),
            step,
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
        batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
        let index = ticket.handoffs.len() - 1;
        let Action::Send { room, message, thread_root, .. } = self.handoff_message(&ticket, index, Msg::HandoffRecorded) else {
            unreachable!("handoff messages are replies")
        };
        // The receiver must see it to acknowledge it: where they are not in this room,
        // the ticket's thread in the coordinators' room, else a direct message.
        let or_in = (msg.room != ticket.coordinators_room).then(|| (ticket.coordinators_room.clone(), ticket.thread_root.clone()));
        vec![Action::SendLinked {
            room,
            message,
            thread_root,
            mentions: vec![receiver.to_string()],
            link: Link::Handoff(ticket.id.clone(), index),
            reach: Some(crate::engine::Reach { person: receiver.to_string(), or_in }),
        }]
    }

    /// The adapter posted a handoff where its receiver is (`room`, `thread_root`; a direct
    /// message when `direct`) instead of where it was agreed: remember the place for the
    /// receiver's reminders, and tell the sender where it went.
    pub fn reached_elsewhere(
        &self,
        delivery: &Delivery,
        room: &str,
        thread_root: Option<&str>,
        direct: bool,
    ) -> Result<Vec<Delivery>, StoreError> {
        let Action::SendLinked { link: Link::Handoff(id, index), .. } = &delivery.action else { return Ok(Vec::new()) };
        let _one_at_a_time = self.handling.lock().unwrap_or_else(|e| e.into_inner());
        let Some(mut ticket) = self.ticket(id)? else { return Ok(Vec::new()) };
        let Some(handoff) = ticket.handoffs.get_mut(*index) else { return Ok(Vec::new()) };
        handoff.receiver_place = Some((room.to_string(), thread_root.map(str::to_string)));
        let lang = self.handoff_lang(handoff);
        let place = self.texts.fill(lang, if direct { Msg::PlaceDirect } else { Msg::PlaceCoordinatorsThread }, &[]);
        let note = self.texts.message(lang, Msg::HandoffSentElsewhere, &[("to", &handoff.to), ("place", &place)]);
        let action = Action::reply(&handoff.room, handoff.thread_root.as_deref(), note);
        let mut batch = Batch::default();
        batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
        self.commit_follow_up(&format!("reached:{}", delivery.txn_id), vec![action], batch)
    }

    /// `!kuittaa [K-…]` by the receiver, or ✅ on the handoff message.
    pub(crate) fn acknowledge(&self, msg: &IncomingMessage, args: &str, lang: Lang, batch: &mut Batch) -> Vec<Action> {
        let mut ticket = match self.ticket_for(msg, args, lang) {
            Ok(t) => t,
            Err(refusal) => return refusal,
        };
        let pending = ticket.handoffs.iter().rposition(|h| h.to == msg.sender && h.acknowledged_at.is_none());
        self.acknowledge_handoff(msg, &mut ticket, pending, lang, batch)
    }

    fn acknowledge_handoff(
        &self,
        msg: &IncomingMessage,
        ticket: &mut Ticket,
        index: Option<usize>,
        lang: Lang,
        batch: &mut Batch,
    ) -> Vec<Action> {
        let Some(index) = index.filter(|&i| ticket.handoffs[i].to == msg.sender && ticket.handoffs[i].acknowledged_at.is_none())
        else {
            return self.answer(msg, lang, Msg::HandoffNothingToAck, &[("id", &ticket.id)]);
        };
        ticket.handoffs[index].acknowledged_at = Some(msg.at);
        ticket.last_activity_at = Some(msg.at);
        batch.put(TreeId::Tickets, ticket.id.as_bytes(), &*ticket);
        vec![self.handoff_message(ticket, index, Msg::HandoffAcknowledged)]
    }

    /// ✅ on a handoff message acknowledges it.
    pub(crate) fn handoff_reaction(&self, reaction: &super::IncomingReaction, id: &str, index: usize, batch: &mut Batch) -> Vec<Action> {
        if !reaction.key.starts_with('✅') && !reaction.key.starts_with('✔') {
            return Vec::new();
        }
        let Some(mut ticket) = self.ticket(id).ok().flatten() else { return Vec::new() };
        if index >= ticket.handoffs.len() || ticket.handoffs[index].to != reaction.sender {
            return Vec::new();
        }
        let as_message = reaction.as_command(None);
        // The reaction is on the handoff message, in the handoff's own room.
        let lang = self.handoff_lang(&ticket.handoffs[index]);
        self.acknowledge_handoff(&as_message, &mut ticket, Some(index), lang, batch)
    }

    /// `!saapui [K-…] kyllä|ei`: the answer to the check-in, from either side of the handoff.
    pub(crate) fn arrived(&self, msg: &IncomingMessage, args: &str, lang: Lang, batch: &mut Batch) -> Vec<Action> {
        let reply = |key: Msg, extra: &[(&str, &str)]| self.answer(msg, lang, key, extra);
        let mut ticket = match self.ticket_for(msg, args, lang) {
            Ok(t) => t,
            Err(refusal) => return refusal,
        };
        let answer = if self.texts.has_word(Word::Yes, args) {
            true
        } else if self.texts.has_word(Word::No, args) {
            false
        } else {
            return reply(Msg::ArrivalUsage, &[]);
        };
        let Some(index) = ticket.handoffs.iter().rposition(|h| h.from == msg.sender || h.to == msg.sender) else {
            return reply(Msg::HandoffNothingToAck, &[("id", &ticket.id)]);
        };
        ticket.handoffs[index].arrived = Some(answer);
        ticket.last_activity_at = Some(msg.at);
        batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
        let said = self.texts.fill(lang, if answer { Msg::HandoffArrivedYes } else { Msg::HandoffArrivedNo }, &[]);
        reply(Msg::HandoffArrivalRecorded, &[("id", &ticket.id), ("answer", &said)])
    }

    /// `!seuranta [K-…] <when> [note]`: a reminder for the sender in the ticket's thread.
    pub(crate) fn followup(&self, msg: &IncomingMessage, args: &str, lang: Lang, batch: &mut Batch) -> Vec<Action> {
        let reply = |key: Msg, extra: &[(&str, &str)]| self.answer(msg, lang, key, extra);
        let ticket = match self.ticket_for(msg, args, lang) {
            Ok(t) => t,
            Err(refusal) => return refusal,
        };
        if !self.may_tend(msg, &ticket) {
            return reply(Msg::RefusalNotCoordinator, &[]);
        }
        let rest: String = args.split_whitespace().filter(|w| parse_ticket_id(w).is_none()).collect::<Vec<_>>().join(" ");
        let parsed = match time_expr::parse_prefix(&rest, msg.at.with_timezone(&HELSINKI)) {
            Ok(parsed) if parsed.recurrence.is_none() => parsed,
            _ => return reply(Msg::FollowupUsage, &[]),
        };
        let note = rest[parsed.consumed..].trim();
        if privacy::contains_hetu(note) {
            return reply(Msg::PrivacyHetu, &[]);
        }
        let note = privacy::mask(note, &privacy::scan(note));
        let note = if note.is_empty() { ticket.question.chars().take(80).collect() } else { note };
        let text = self.texts.fill(lang, Msg::FollowupText, &[("id", &ticket.id), ("note", &note)]);
        // Said where the ticket's dialogue is: the coordinators' thread for a
        // coordinator, the asker's own thread for the asker.
        let (room, thread) = if msg.sender == ticket.asker {
            (ticket.asker_room.clone(), Some(ticket.asker_event.clone()))
        } else {
            (ticket.coordinators_room.clone(), ticket.thread_root.clone())
        };
        let reminder = self.store_reminder(msg, batch, &room, thread, text, parsed.at.with_timezone(&Utc), lang);
        vec![Action::reply(&msg.room, msg.thread_root.as_deref(), reminder)]
    }
}

impl Engine {
    /// A one-off reminder for the sender, said in `room`; returns the confirmation (or,
    /// if the store fails, the polite "try again").
    #[allow(clippy::too_many_arguments)]
    fn store_reminder(
        &self,
        msg: &IncomingMessage,
        batch: &mut Batch,
        room: &str,
        thread_root: Option<String>,
        text: String,
        due: DateTime<Utc>,
        lang: Lang,
    ) -> crate::lang::Message {
        let reminder = Reminder {
            id: 0,
            creator: msg.sender.clone(),
            target: Target::Creator,
            room: room.to_string(),
            thread_root,
            text,
            lang,
            created_at: self.now(),
            due,
            recurrence: None,
        };
        match remind::store(self, batch, reminder) {
            Ok(reminder) => remind::confirmation(&self.texts, &reminder),
            Err(e) => {
                tracing::error!(error = %e, "could not set a follow-up");
                self.texts.message(lang, Msg::RemindTryAgain, &[])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_time_is_read_from_the_end_of_the_step() {
        // Monday 23.11.2026 10.00 in Helsinki.
        let sent = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
        let (step, at) = split_step_and_time("ensikäynti TE-palveluissa pe klo 10", sent).unwrap();
        assert_eq!(step, "ensikäynti TE-palveluissa");
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap());
        assert!(split_step_and_time("pelkkä askel", sent).is_none());
        assert!(split_step_and_time("huomenna", sent).is_none(), "a step is needed");
    }
}
