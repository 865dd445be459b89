//! The consultation commands, each parsed once into a typed [`Command`] (or a
//! [`Refusal`] saying what is wrong) before anything is read or written:
//!
//! - `!konsultaatio` / `!konsultation` / `!consult <question>`: open a ticket;
//! - `!ota` / `!ta` / `!claim`, `!eskaloi` / `!eskalera` / `!escalate [vahvistan]`,
//!   `!ratkaistu` / `!löst` / `!resolve`, `!sulje` / `!stäng` / `!close`,
//!   `!avaa` / `!öppna` / `!reopen`, `!vaihda` / `!flytta` / `!reassign @user`;
//! - `!siirto` / `!överlämning` / `!handoff @receiver <step> <when>`, `!kuittaa` /
//!   `!kvittera` / `!ack`, `!saapui` / `!kom` / `!arrived kyllä|ei`,
//!   `!seuranta` / `!uppföljning` / `!followup <when> [note]`;
//! - `!tilastot` / `!statistik` / `!stats [YYYY-MM]`.
//!
//! Ticket commands take an optional ticket id; inside a ticket's thread the thread
//! names it.

use super::ticket::parse_ticket_id;
use crate::kernel::IncomingMessage;
use crate::lang::{CommandKey, Texts, Word};
use crate::time::calendar::HELSINKI;
use crate::time::expr;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Which ticket a command is about.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketRef {
    /// Named in the command (`K-2026-0001`).
    Named(String),
    /// Not named: the ticket whose thread the command was written in. `typed` is the
    /// first word, shown if there is no such ticket either.
    FromThread { typed: String },
}

/// A change of a ticket's status or owner.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Claim,
    /// `confirmed`: the checklist for the special-expertise team was confirmed.
    Escalate { confirmed: bool },
    Resolve,
    Close,
    Reopen,
    /// `old_word`: given with `!siirrä`, one letter from the handoff's `!siirto`.
    Reassign { to: String, old_word: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command<'a> {
    Open { question: &'a str },
    Change { ticket: TicketRef, change: Change },
    Handoff { ticket: TicketRef, receiver: String, step: String, date: DateTime<Utc> },
    Acknowledge { ticket: TicketRef },
    Arrived { ticket: TicketRef, arrived: bool },
    FollowUp { ticket: TicketRef, due: DateTime<Utc>, note: String },
    /// Figures for `[from, to)`; `month` as typed, none for all time.
    Stats { from: DateTime<Utc>, to: DateTime<Utc>, month: Option<String> },
}

/// What is wrong with a consultation command; each has a polite answer and changes
/// nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    ConsultUsage,
    ReassignUsage,
    /// Words a reassignment cannot use (a step and a date, say): most likely a handoff.
    ReassignExtraWords(String),
    HandoffUsage,
    ArrivalUsage,
    FollowUpUsage,
    StatsUsage,
}

/// Reads a consultation command; `None` when `key` is not one.
pub fn parse<'a>(texts: &Texts, key: CommandKey, msg: &IncomingMessage, args: &'a str) -> Option<Result<Command<'a>, Refusal>> {
    let ticket = ticket_ref(args);
    // The words after the ticket id.
    let rest: Vec<&str> = args.split_whitespace().filter(|w| parse_ticket_id(w).is_none()).collect();
    let change = |change| Ok(Command::Change { ticket: ticket.clone(), change });
    Some(match key {
        CommandKey::Consult if args.trim().is_empty() => Err(Refusal::ConsultUsage),
        CommandKey::Consult => Ok(Command::Open { question: args.trim() }),
        CommandKey::Claim => change(Change::Claim),
        CommandKey::Escalate => change(Change::Escalate { confirmed: texts.has_word(Word::Confirm, args) }),
        CommandKey::Resolve => change(Change::Resolve),
        CommandKey::Close => change(Change::Close),
        CommandKey::Reopen => change(Change::Reopen),
        CommandKey::Reassign => {
            let Some(to) = rest.iter().find(|w| is_user_id(w)) else { return Some(Err(Refusal::ReassignUsage)) };
            let extra: Vec<&str> = rest.iter().copied().filter(|w| w != to).collect();
            if !extra.is_empty() {
                return Some(Err(Refusal::ReassignExtraWords(extra.join(" "))));
            }
            change(Change::Reassign { to: to.to_string(), old_word: typed_old_reassign_word(msg) })
        }
        CommandKey::Handoff => {
            let Some(receiver) = rest.first().filter(|w| is_user_id(w)) else { return Some(Err(Refusal::HandoffUsage)) };
            match split_step_and_time(&rest[1..].join(" "), msg.at) {
                Some((step, date)) => Ok(Command::Handoff { ticket, receiver: receiver.to_string(), step, date }),
                None => Err(Refusal::HandoffUsage),
            }
        }
        CommandKey::Acknowledge => Ok(Command::Acknowledge { ticket }),
        CommandKey::Arrived if texts.has_word(Word::Yes, args) => Ok(Command::Arrived { ticket, arrived: true }),
        CommandKey::Arrived if texts.has_word(Word::No, args) => Ok(Command::Arrived { ticket, arrived: false }),
        CommandKey::Arrived => Err(Refusal::ArrivalUsage),
        CommandKey::Followup => {
            let rest = rest.join(" ");
            match expr::parse_prefix(&rest, msg.at.with_timezone(&HELSINKI)) {
                Ok(parsed) if parsed.recurrence.is_none() => Ok(Command::FollowUp {
                    ticket,
                    due: parsed.at.with_timezone(&Utc),
                    note: rest[parsed.consumed..].trim().to_string(),
                }),
                _ => Err(Refusal::FollowUpUsage),
            }
        }
        CommandKey::Stats => {
            let month = args.trim();
            if month.is_empty() {
                let from = Utc.timestamp_opt(0, 0).single().expect("the epoch exists");
                Ok(Command::Stats { from, to: msg.at + chrono::Duration::seconds(1), month: None })
            } else {
                match month_bounds(month) {
                    Some((from, to)) => Ok(Command::Stats { from, to, month: Some(month.to_string()) }),
                    None => Err(Refusal::StatsUsage),
                }
            }
        }
        _ => return None,
    })
}

fn ticket_ref(args: &str) -> TicketRef {
    let first = args.split_whitespace().next().unwrap_or("");
    match parse_ticket_id(first) {
        Some(id) => TicketRef::Named(id),
        None => TicketRef::FromThread { typed: first.to_string() },
    }
}

/// `@localpart:server`, as Matrix user ids are written.
fn is_user_id(word: &str) -> bool {
    word.starts_with('@') && word.contains(':')
}

/// Whether the reassignment was typed with its old Finnish word `!siirrä`, one letter
/// from the handoff's `!siirto` (still obeyed, with a hint).
pub(crate) fn typed_old_reassign_word(msg: &IncomingMessage) -> bool {
    let word = msg.text.split_whitespace().find_map(|w| w.strip_prefix('!'));
    word.is_some_and(|w| crate::lang::fold(w) == "siirra")
}

/// Splits "<step> <when>" where the time is at the end: the longest ending that reads as
/// a time (from the message's send time), and the words before it.
fn split_step_and_time(text: &str, sent: DateTime<Utc>) -> Option<(String, DateTime<Utc>)> {
    let now = sent.with_timezone(&HELSINKI);
    let starts = std::iter::once(0).chain(text.match_indices(' ').map(|(i, _)| i + 1));
    for start in starts {
        let (step, when) = text.split_at(start);
        if let Ok(parsed) = expr::parse(when, now) {
            let step = step.trim();
            if !step.is_empty() {
                return Some((step.to_string(), parsed.at.with_timezone(&Utc)));
            }
        }
    }
    None
}

/// `2026-11` -> the first moment of November and of December, UTC.
fn month_bounds(text: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (year, month) = text.split_once('-')?;
    let (year, month): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
    let start = NaiveDate::from_ymd_opt(year, month, 1)?;
    let end = if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(year, month + 1, 1)? };
    Some((start.and_hms_opt(0, 0, 0)?.and_utc(), end.and_hms_opt(0, 0, 0)?.and_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn commands_are_read_into_typed_requests() {
        let texts = Texts::embedded().unwrap();
        let msg = IncomingMessage {
            event_id: "$1".into(),
            sender: "@anna:x".into(),
            room: "!r:x".into(),
            text: "!siirrä K-2026-0001 @bob:x".into(),
            html: None,
            thread_root: None,
            mentions_bot: false,
            is_direct: false,
            sender_power: None,
            at: Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap(),
        };
        let read = |key, args| parse(&texts, key, &msg, args).unwrap();
        assert_eq!(
            read(CommandKey::Reassign, "K-2026-0001 @bob:x"),
            Ok(Command::Change {
                ticket: TicketRef::Named("K-2026-0001".into()),
                change: Change::Reassign { to: "@bob:x".into(), old_word: true }
            })
        );
        assert_eq!(
            read(CommandKey::Reassign, "K-2026-0001 @bob:x ensikäynti ma"),
            Err(Refusal::ReassignExtraWords("ensikäynti ma".into()))
        );
        assert_eq!(read(CommandKey::Arrived, "kyllä"), Ok(Command::Arrived { ticket: TicketRef::FromThread { typed: "kyllä".into() }, arrived: true }));
        assert_eq!(read(CommandKey::Stats, "2026-13"), Err(Refusal::StatsUsage));
        assert_eq!(read(CommandKey::Consult, "  "), Err(Refusal::ConsultUsage));
        assert!(parse(&texts, CommandKey::Help, &msg, "").is_none());
    }
}
