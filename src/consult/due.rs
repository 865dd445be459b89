//! When each deadline of a ticket falls (pure: from the ticket and the configured
//! limits). The index in repo.rs and the firing in deadlines.rs both ask here.

use super::ticket::{Status, Ticket};
use crate::config::ConsultationsConfig;
use crate::time::calendar::{add_business_days, add_business_hours, localize, HELSINKI};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
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

/// Every deadline of a ticket that has not fired yet.
pub(crate) fn deadlines(limits: &ConsultationsConfig, t: &Ticket) -> Vec<(DateTime<Utc>, Timer)> {
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

/// A ticket's next deadline; none when nothing more can fire (a closed ticket).
pub(crate) fn next(limits: &ConsultationsConfig, t: &Ticket) -> Option<DateTime<Utc>> {
    deadlines(limits, t).into_iter().map(|(at, _)| at).min()
}

