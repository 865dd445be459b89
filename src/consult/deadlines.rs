//! Deadlines on tickets, fired by the scheduler: an unclaimed ticket nudges its
//! coordinators and then goes to the fallback room; a claimed one idle too long reminds
//! its owner; a handoff not acknowledged reminds the receiver, then the sender; on the
//! agreed date both are asked whether the client arrived. Each fires once. Tickets are
//! found through the due-time index (repo.rs), so the cost of an event or of asking
//! when the next deadline is does not grow with the number of tickets ever stored.

use super::due::{deadlines, Timer};
use super::handoff::handoff_message;
use super::repo;
use super::ticket::Ticket;
use crate::kernel::{Action, Ctx, Env, Scheduled, Settings};
use crate::lang::Msg;
use crate::store::StoreError;
use chrono::{DateTime, Utc};

/// At most this many tickets are handled in one firing; the scheduler fires again
/// while more are due.
const FIRE_BATCH: usize = 500;

/// The tickets' scheduled work, for the kernel's list of scheduled sources.
pub struct TicketDeadlines;

impl Scheduled for TicketDeadlines {
    fn next_due(&self, env: &Env) -> Result<Option<DateTime<Utc>>, StoreError> {
        repo::next_deadline(env)
    }

    /// Fires the deadlines due by `now`, marking each on its ticket so it fires once.
    fn fire(&self, ctx: &mut Ctx<'_>, now: DateTime<Utc>) -> Result<Vec<(String, Action)>, StoreError> {
        let mut out = Vec::new();
        for (key, id) in repo::tickets_due(ctx.env, now, FIRE_BATCH)? {
            // Every entry read goes; writing the ticket adds the one for its next deadline.
            // An entry that matches no deadline any more can then never come back due.
            repo::remove_due_entry(ctx.batch, key);
            let Some(mut ticket) = repo::ticket(ctx.env, &id)? else {
                tracing::warn!(ticket = %id, "removed a deadline index entry that names no ticket");
                continue;
            };
            let due: Vec<(DateTime<Utc>, Timer)> =
                deadlines(&ctx.env.settings.consultations, &ticket).into_iter().filter(|(at, _)| *at <= now).collect();
            for (at, timer) in due {
                let cause = format!("deadline:{}:{timer:?}:{}", ticket.id, at.timestamp());
                if let Some(action) = deadline_action(ctx.env, &mut ticket, timer, now) {
                    out.push((cause, action));
                }
            }
            repo::put_ticket(ctx, &ticket)?;
        }
        Ok(out)
    }
}

/// The message a deadline calls for, marking the ticket so it fires once.
fn deadline_action(env: &Env, t: &mut Ticket, timer: Timer, now: DateTime<Utc>) -> Option<Action> {
    let limits = &env.settings.consultations;
    let lang = env.settings.room_lang(&t.coordinators_room);
    // A deadline asks someone to act: the ticket's coordinators, or its owner.
    let in_thread = |message, people: Vec<String>| Action::notify(&t.coordinators_room, t.thread_root.as_deref(), message, people);
    let coordinators = if t.coordinators.is_empty() { "-".to_string() } else { t.coordinators.join(", ") };
    match timer {
        Timer::Nudge => {
            t.nudged_at = Some(now);
            let hours = limits.nudge_after_hours.to_string();
            Some(in_thread(
                env.msg(lang, Msg::DeadlineNudge, &[("id", &t.id), ("hours", &hours), ("coordinators", &coordinators)]),
                t.coordinators.clone(),
            ))
        }
        Timer::Fallback => {
            t.fallback_at = Some(now);
            let room = fallback_room(&env.settings, t)?;
            let lang = env.settings.room_lang(&room);
            let hours = limits.fallback_after_hours.to_string();
            let municipality = t.municipality.clone().unwrap_or_default();
            // Nobody in particular yet: the whole fallback room is asked, as plain text.
            Some(Action::notify(
                &room,
                None,
                env.msg(
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
                env.msg(lang, Msg::DeadlineIdle, &[("id", &t.id), ("days", &days), ("owner", &owner)]),
                t.owner.iter().cloned().collect(),
            ))
        }
        Timer::HandoffReceiver(i) => {
            t.handoffs[i].receiver_reminded = true;
            Some(handoff_message(env, t, i, Msg::HandoffRemindReceiver))
        }
        Timer::HandoffSender(i) => {
            t.handoffs[i].sender_reminded = true;
            Some(handoff_message(env, t, i, Msg::HandoffRemindSender))
        }
        Timer::CheckIn(i) => {
            t.handoffs[i].checked_in = true;
            Some(handoff_message(env, t, i, Msg::HandoffCheckIn))
        }
    }
}

/// Where an unclaimed ticket goes after the fallback time: the county's own room from
/// the regions when that is a room id, else the general coordinators' room, else the
/// ticket's room (which then hears about it once more).
fn fallback_room(settings: &Settings, t: &Ticket) -> Option<String> {
    let county_room = t
        .county
        .as_deref()
        .and_then(|id| settings.regions.files.iter().find(|f| f.county.id == id))
        .map(|f| f.county.coordinators_room.clone())
        .filter(|room| room.starts_with('!') && *room != t.coordinators_room);
    let general = settings
        .coordinators_rooms
        .iter()
        .find(|r| r.county.is_none() && r.id != t.coordinators_room)
        .map(|r| r.id.clone());
    county_room.or(general).or_else(|| Some(t.coordinators_room.clone()))
}
