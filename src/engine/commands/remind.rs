//! `!muistuta` / `!påminn` / `!remind [@user:server | huone/rummet/room] <when> <what>`:
//! a reminder for oneself, a colleague or the whole room, once or recurring.
//!
//! The time is read from the start of what follows the optional target, relative to when
//! the message was sent (a command answered after a restart means what it meant then).
//! The reminder and its confirmation land in the same transaction.

use super::{Action, Ctx};
use crate::engine::reminder_text::{lines, rule, when};
use crate::lang::{Lang, Msg, Texts};
use crate::remind::calendar::HELSINKI;
use crate::remind::reminder::{Reminder, Target, MIN_REPEAT_SECONDS};
use crate::remind::time_expr::{parse_prefix, Recurrence, TimeError};
use crate::engine::Engine;
use crate::store::{Batch, StoreError, TreeId};
use chrono::{DateTime, Utc};

/// Meta key of the last reminder id handed out.
const LAST_ID: &[u8] = b"reminder_last_id";

/// A reminder request read from the command's arguments.
#[derive(Debug, PartialEq)]
pub struct Request<'a> {
    pub target: Target,
    pub at: DateTime<Utc>,
    pub recurrence: Option<Recurrence>,
    pub text: &'a str,
}

/// Why a request is refused; each has a polite answer and changes nothing.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// No arguments: show how the command works.
    Usage,
    Time(TimeError),
    NoText,
    TooOften,
    IdentityCode,
}

impl Refusal {
    fn message(&self) -> Msg {
        match self {
            Refusal::Usage => Msg::RemindUsage,
            Refusal::NoText => Msg::RemindNoText,
            Refusal::TooOften => Msg::RemindTooOften,
            Refusal::IdentityCode => Msg::RemindIdentityCode,
            Refusal::Time(TimeError::Empty | TimeError::NotUnderstood) => Msg::TimeNotUnderstood,
            Refusal::Time(TimeError::InPast) => Msg::TimeInPast,
            Refusal::Time(TimeError::InvalidDate) => Msg::TimeInvalidDate,
            Refusal::Time(TimeError::InvalidTime) => Msg::TimeInvalidTime,
            Refusal::Time(TimeError::WeekdayMismatch) => Msg::TimeWeekdayMismatch,
            Refusal::Time(TimeError::OutOfRange) => Msg::TimeOutOfRange,
        }
    }
}

/// Reads `[target] <when> <what>`. `sent` is when the command was sent.
pub fn parse<'a>(texts: &Texts, sender: &str, args: &'a str, sent: DateTime<Utc>) -> Result<Request<'a>, Refusal> {
    let args = args.trim();
    if args.is_empty() {
        return Err(Refusal::Usage);
    }
    let (target, rest) = split_target(texts, sender, args);
    let parsed = parse_prefix(rest, sent.with_timezone(&HELSINKI)).map_err(Refusal::Time)?;
    let text = rest[parsed.consumed..].trim();
    if text.is_empty() {
        return Err(Refusal::NoText);
    }
    if parsed.recurrence.as_ref().is_some_and(Reminder::repeats_too_often) {
        return Err(Refusal::TooOften);
    }
    // Consultations are anonymous: an identity code must never reach storage.
    if crate::consult::privacy::contains_hetu(text) {
        return Err(Refusal::IdentityCode);
    }
    Ok(Request { target, at: parsed.at.with_timezone(&Utc), recurrence: parsed.recurrence, text })
}

/// A leading `@user:server` or room word ("huone", "rummet", "room" in any of the
/// languages), and the rest of the arguments.
fn split_target<'a>(texts: &Texts, sender: &str, args: &'a str) -> (Target, &'a str) {
    let (first, rest) = match args.find(char::is_whitespace) {
        Some(i) => (&args[..i], args[i..].trim_start()),
        None => (args, ""),
    };
    let word = first.trim_end_matches([':', ',']);
    if is_user_id(word) {
        let target = if word == sender { Target::Creator } else { Target::User(word.to_string()) };
        return (target, rest);
    }
    let lower = word.to_lowercase();
    let room_word = Lang::ALL
        .iter()
        .any(|&lang| texts.message(lang, Msg::RoomWords, &[]).plain.split_whitespace().any(|w| w == lower));
    if room_word {
        return (Target::Room, rest);
    }
    (Target::Creator, args)
}

/// `@localpart:server`, as Matrix user ids are written.
fn is_user_id(word: &str) -> bool {
    word.strip_prefix('@')
        .and_then(|id| id.split_once(':'))
        .is_some_and(|(local, server)| !local.is_empty() && !server.is_empty() && !word.contains(char::is_whitespace))
}

pub fn apply(mut ctx: Ctx<'_>, args: &str) -> Vec<Action> {
    let texts = ctx.engine.texts();
    let lang = ctx.lang;
    let request = match parse(texts, &ctx.msg.sender, args, ctx.msg.at) {
        Ok(request) => request,
        Err(refusal) => {
            let seconds = MIN_REPEAT_SECONDS.to_string();
            let mut actions = vec![ctx.reply(texts.message(lang, refusal.message(), &[("seconds", &seconds)]))];
            if refusal == Refusal::IdentityCode {
                // As with consultations: the code should not stay in the room either.
                actions.push(Action::redact_identity_code(ctx.msg, lang));
            }
            return actions;
        }
    };
    match record(&mut ctx, request) {
        Ok(reminder) => vec![ctx.reply(confirmation(texts, &reminder))],
        Err(e) => {
            tracing::error!(error = %e, "could not set a reminder");
            vec![ctx.reply(texts.message(lang, Msg::RemindTryAgain, &[]))]
        }
    }
}

/// Adds the reminder and its place in the due index to the decision's batch.
fn record(ctx: &mut Ctx<'_>, request: Request<'_>) -> Result<Reminder, StoreError> {
    let reminder = Reminder {
        id: 0,
        creator: ctx.msg.sender.clone(),
        target: request.target,
        room: ctx.msg.room.clone(),
        thread_root: ctx.msg.thread_root.clone(),
        text: request.text.to_string(),
        lang: ctx.lang,
        created_at: ctx.engine.now(),
        due: request.at,
        recurrence: request.recurrence,
    };
    store(ctx.engine, ctx.batch, reminder)
}

/// Numbers a new reminder (its `id` is ignored) and adds it and its place in the due
/// index to `batch`. Ticket follow-ups are stored the same way.
pub(crate) fn store(engine: &Engine, batch: &mut Batch, mut reminder: Reminder) -> Result<Reminder, StoreError> {
    let id = engine.store().get::<u64>(TreeId::Meta, LAST_ID)?.unwrap_or(0) + 1;
    reminder.id = id;
    batch.put(TreeId::Meta, LAST_ID, &id);
    batch.put(TreeId::Reminders, reminder.key(), &reminder);
    batch.put(TreeId::Due, reminder.due_key(), &id);
    for key in reminder.owner_keys() {
        batch.put(TreeId::ReminderOwners, key, &());
    }
    tracing::info!(reminder = id, due = %reminder.due, recurring = reminder.recurrence.is_some(), "reminder set");
    Ok(reminder)
}

/// Removes a reminder with its due-index and owners-index entries.
pub(crate) fn remove(batch: &mut Batch, reminder: &Reminder) {
    batch.remove(TreeId::Reminders, reminder.key());
    batch.remove(TreeId::Due, reminder.due_key());
    for key in reminder.owner_keys() {
        batch.remove(TreeId::ReminderOwners, key);
    }
}

/// "Selvä! Muistutan sinua ma 30.11.2026 klo 9.00: …", how it repeats, and its number.
pub(crate) fn confirmation(texts: &Texts, reminder: &Reminder) -> crate::lang::Message {
    let lang = reminder.lang;
    let at = when(texts, lang, reminder.due);
    let (at, text) = (at.as_str(), reminder.text.as_str());
    let set = match &reminder.target {
        Target::Creator => texts.message(lang, Msg::RemindSetSelf, &[("when", at), ("text", text)]),
        Target::User(user) => texts.message(lang, Msg::RemindSetUser, &[("user", user), ("when", at), ("text", text)]),
        Target::Room => texts.message(lang, Msg::RemindSetRoom, &[("when", at), ("text", text)]),
    };
    let mut parts = vec![set];
    if let Some(recurrence) = &reminder.recurrence {
        let rule = rule(texts, lang, recurrence, reminder.due);
        parts.push(texts.message(lang, Msg::RemindRepeats, &[("rule", &rule)]));
    }
    parts.push(texts.message(lang, Msg::RemindFooter, &[("id", &reminder.id.to_string())]));
    lines(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Monday 23.11.2026 10:00 in Helsinki.
    fn sent() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
    }

    #[test]
    fn targets_are_read_before_the_time() {
        let t = Texts::embedded().unwrap();
        let me = "@anna:example.org";
        let read = |args| parse(&t, me, args, sent()).map(|r| (r.target, r.text));
        assert_eq!(read("huomenna klo 9 soita Kelaan"), Ok((Target::Creator, "soita Kelaan")));
        assert_eq!(read("@bob:example.org: huomenna soita"), Ok((Target::User("@bob:example.org".into()), "soita")));
        assert_eq!(read("@anna:example.org huomenna soita"), Ok((Target::Creator, "soita")));
        assert_eq!(read("huone joka maanantai klo 9 palaveri"), Ok((Target::Room, "palaveri")));
        assert_eq!(read("Rummet i morgon möte"), Ok((Target::Room, "möte")));
        assert_eq!(read("room tomorrow meeting"), Ok((Target::Room, "meeting")));
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        let t = Texts::embedded().unwrap();
        let refusal = |args| parse(&t, "@anna:example.org", args, sent()).err();
        assert_eq!(refusal("  "), Some(Refusal::Usage));
        assert_eq!(refusal("soita Kelaan"), Some(Refusal::Time(TimeError::NotUnderstood)));
        assert_eq!(refusal("tänään klo 8 soita"), Some(Refusal::Time(TimeError::InPast)));
        assert_eq!(refusal("31.2. soita"), Some(Refusal::Time(TimeError::InvalidDate)));
        assert_eq!(refusal("huomenna klo 9"), Some(Refusal::NoText));
        assert_eq!(refusal("huone huomenna"), Some(Refusal::NoText));
        assert_eq!(refusal("every 5 seconds ping"), Some(Refusal::TooOften));
        assert_eq!(refusal("huomenna soita 010101-123N asiasta"), Some(Refusal::IdentityCode));
        // The year is refused, not kept as the start of the reminder's text.
        assert_eq!(refusal("15.12.99999 testi"), Some(Refusal::Time(TimeError::OutOfRange)));
    }
}
