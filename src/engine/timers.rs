//! Deadlines on tickets, fired by the scheduler: an unclaimed ticket nudges its
//! coordinators and then goes to the fallback room; a claimed one idle too long reminds
//! its owner; a handoff not acknowledged reminds the receiver, then the sender; on the
//! agreed date both are asked whether the client arrived. Each fires once.

use super::{Action, Engine};
use crate::consult::ticket::{Handoff, Status, Ticket};
use crate::lang::{Lang, Msg};
use crate::remind::calendar::{add_business_days, add_business_hours, localize, HELSINKI};
use crate::store::{Batch, StoreError, TreeId};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    Nudge,
    Fallback,
    Idle,
    HandoffReceiver(usize),
    HandoffSender(usize),
    CheckIn(usize),
}

/// The same clock time `days` business days later, in Helsinki.
fn business_days_later(at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let local = at.with_timezone(&HELSINKI).naive_local();
    let day = add_business_days(local.date(), days);
    localize(HELSINKI, day.and_time(local.time())).with_timezone(&Utc)
}

impl Engine {
    /// Every deadline of a ticket that has not fired yet.
    fn deadlines(&self, t: &Ticket) -> Vec<(DateTime<Utc>, Timer)> {
        let limits = &self.settings.consult.deadlines;
        let mut out = Vec::new();
        if t.status == Status::Open {
            if t.nudged_at.is_none() {
                out.push((add_business_hours(t.opened_at, limits.nudge_after_hours), Timer::Nudge));
            }
            if t.fallback_at.is_none() {
                out.push((add_business_hours(t.opened_at, limits.fallback_after_hours), Timer::Fallback));
            }
        }
        if t.status.is_active() {
            let last = t.last_activity_at.or(t.claimed_at).unwrap_or(t.opened_at);
            if t.idle_reminded_at.is_none_or(|reminded| reminded < last) {
                out.push((business_days_later(last, limits.idle_after_days), Timer::Idle));
            }
        }
        if t.status != Status::Closed {
            for (i, h) in t.handoffs.iter().enumerate() {
                if h.acknowledged_at.is_none() && !h.receiver_reminded {
                    out.push((business_days_later(h.created_at, 1), Timer::HandoffReceiver(i)));
                }
                if h.acknowledged_at.is_none() && !h.sender_reminded {
                    out.push((business_days_later(h.created_at, 2), Timer::HandoffSender(i)));
                }
                if !h.checked_in {
                    out.push((h.date, Timer::CheckIn(i)));
                }
            }
        }
        out
    }

    /// The earliest ticket deadline still to fire.
    pub(crate) fn next_ticket_deadline(&self) -> Option<DateTime<Utc>> {
        let tickets = self.tickets().ok()?;
        tickets.iter().flat_map(|t| self.deadlines(t)).map(|(at, _)| at).min()
    }

    /// Fires the deadlines due by `now`, marking each on its ticket in `batch`.
    pub(crate) fn fire_ticket_deadlines(
        &self,
        now: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Result<Vec<(String, Action)>, StoreError> {
        let mut out = Vec::new();
        for mut ticket in self.tickets()? {
            let due: Vec<(DateTime<Utc>, Timer)> =
                self.deadlines(&ticket).into_iter().filter(|(at, _)| *at <= now).collect();
            if due.is_empty() {
                continue;
            }
            for (at, timer) in due {
                let cause = format!("deadline:{}:{timer:?}:{}", ticket.id, at.timestamp());
                if let Some(action) = self.deadline_action(&mut ticket, timer, now) {
                    out.push((cause, action));
                }
            }
            batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
        }
        Ok(out)
    }

    /// The message a deadline calls for, marking the ticket so it fires once.
    fn deadline_action(&self, t: &mut Ticket, timer: Timer, now: DateTime<Utc>) -> Option<Action> {
        let limits = &self.settings.consult.deadlines;
        let lang = self.settings.room_lang(&t.coordinators_room);
        // A deadline asks someone to act: the ticket's coordinators, or its owner.
        let in_thread =
            |message, people: Vec<String>| Action::notify(&t.coordinators_room, t.thread_root.as_deref(), message, people);
        let coordinators = if t.coordinators.is_empty() { "-".to_string() } else { t.coordinators.join(", ") };
        match timer {
            Timer::Nudge => {
                t.nudged_at = Some(now);
                let hours = limits.nudge_after_hours.to_string();
                Some(in_thread(
                    self.texts.message(lang, Msg::DeadlineNudge, &[("id", &t.id), ("hours", &hours), ("coordinators", &coordinators)]),
                    t.coordinators.clone(),
                ))
            }
            Timer::Fallback => {
                t.fallback_at = Some(now);
                let room = self.fallback_room(t)?;
                let lang = self.settings.room_lang(&room);
                let hours = limits.fallback_after_hours.to_string();
                let municipality = t.municipality.clone().unwrap_or_default();
                // Nobody in particular yet: the whole fallback room is asked, as plain text.
                Some(Action::notify(
                    &room,
                    None,
                    self.texts.message(
                        lang,
                        Msg::DeadlineFallback,
                        &[("id", &t.id), ("hours", &hours), ("municipality", &municipality), ("question", &t.question)],
                    ),
                    Vec::new(),
                ))
            }
            Timer::Idle => {
                t.idle_reminded_at = Some(now);
                let owner = t.owner.clone().unwrap_or_default();
                let days = limits.idle_after_days.to_string();
                Some(in_thread(
                    self.texts.message(lang, Msg::DeadlineIdle, &[("id", &t.id), ("days", &days), ("owner", &owner)]),
                    t.owner.iter().cloned().collect(),
                ))
            }
            Timer::HandoffReceiver(i) => {
                t.handoffs[i].receiver_reminded = true;
                Some(self.handoff_message(t, i, Msg::HandoffRemindReceiver))
            }
            Timer::HandoffSender(i) => {
                t.handoffs[i].sender_reminded = true;
                Some(self.handoff_message(t, i, Msg::HandoffRemindSender))
            }
            Timer::CheckIn(i) => {
                t.handoffs[i].checked_in = true;
                Some(self.handoff_message(t, i, Msg::HandoffCheckIn))
            }
        }
    }

    /// The language a handoff was agreed in; handoffs from before it was kept use their room's.
    pub(crate) fn handoff_lang(&self, h: &Handoff) -> Lang {
        h.lang.unwrap_or_else(|| self.settings.room_lang(&h.room))
    }

    pub(crate) fn handoff_message(&self, t: &Ticket, index: usize, key: Msg) -> Action {
        let h: &Handoff = &t.handoffs[index];
        let lang = self.handoff_lang(h);
        let when = super::reminder_text::when(&self.texts, lang, h.date);
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
            self.texts.message(
                lang,
                key,
                &[("id", &t.id), ("from", &h.from), ("to", &h.to), ("step", &h.step), ("when", &when)],
            ),
            people,
        )
    }

    /// Where an unclaimed ticket goes after the fallback time: the county's own room from
    /// the regions when that is a room id, else the general coordinators' room, else the
    /// ticket's room (which then hears about it once more).
    fn fallback_room(&self, t: &Ticket) -> Option<String> {
        let regions = &self.settings.consult.regions;
        let county_room = t
            .county
            .as_deref()
            .and_then(|id| regions.files.iter().find(|f| f.county.id == id))
            .map(|f| f.county.coordinators_room.clone())
            .filter(|room| room.starts_with('!') && *room != t.coordinators_room);
        let general = self
            .settings
            .consult
            .rooms
            .iter()
            .find(|r| r.county.is_none() && r.id != t.coordinators_room)
            .map(|r| r.id.clone());
        county_room.or(general).or_else(|| Some(t.coordinators_room.clone()))
    }
}
