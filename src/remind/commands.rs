//! The reminder commands, each parsed once into a typed [`Command`]:
//! `!muistuta` / `!påminn` / `!remind [@user:server | huone/rummet/room] <when> <what>`
//! (once or recurring, for oneself, a colleague or the room), `!muistutukset` /
//! `!påminnelser` / `!reminders` (the sender's reminders here) and `!peru <n>` /
//! `!avbryt` / `!cancel` (the creator or a coordinator).
//!
//! The time is read relative to when the message was sent (a command answered after a
//! restart means what it meant then). A reminder and its confirmation land in the same
//! transaction.

use super::reminder::{Reminder, Target, MIN_REPEAT_SECONDS};
use super::repo;
use crate::kernel::{Action, Ctx, Decision, IncomingMessage};
use crate::lang::{CommandKey, Lang, Message, Msg, Texts};
use crate::time::calendar::HELSINKI;
use crate::time::expr::{parse_prefix, Recurrence, TimeError};
use crate::time::words::{rule, when};
use chrono::{DateTime, Utc};

/// A reminder command, read from its arguments.
#[derive(Debug, PartialEq)]
pub enum Command<'a> {
    Set(Request<'a>),
    List,
    Cancel { id: u64 },
}

/// Reads a reminder command; `None` when `key` is not one.
pub fn parse<'a>(texts: &Texts, key: CommandKey, msg: &IncomingMessage, args: &'a str) -> Option<Result<Command<'a>, Refusal>> {
    Some(match key {
        CommandKey::Remind => parse_request(texts, &msg.sender, args, msg.at).map(Command::Set),
        CommandKey::Reminders => Ok(Command::List),
        // "3", "#3" or "3." all mean reminder 3.
        CommandKey::Cancel => args
            .trim()
            .trim_start_matches('#')
            .trim_end_matches('.')
            .parse::<u64>()
            .map(|id| Command::Cancel { id })
            .map_err(|_| Refusal::CancelUsage),
        _ => return None,
    })
}

pub fn apply(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, command: Command<'_>) -> Decision {
    match command {
        Command::Set(request) => set(ctx, msg, lang, request),
        Command::List => list(ctx, msg, lang),
        Command::Cancel { id } => cancel(ctx, msg, lang, id),
    }
}

/// The polite answer to a command that could not be read; it changes nothing.
pub fn refuse(ctx: &Ctx<'_>, msg: &IncomingMessage, lang: Lang, refusal: Refusal) -> Vec<Action> {
    let seconds = MIN_REPEAT_SECONDS.to_string();
    let mut actions = vec![msg.reply(ctx.env.msg(lang, refusal.message(), &[("seconds", &seconds)]))];
    if refusal == Refusal::IdentityCode {
        // As with consultations: the code should not stay in the room either.
        actions.push(Action::redact_identity_code(msg, lang));
    }
    actions
}

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
    /// `!peru` without a reminder number.
    CancelUsage,
}

impl Refusal {
    fn message(&self) -> Msg {
        match self {
            Refusal::Usage => Msg::RemindUsage,
            Refusal::NoText => Msg::RemindNoText,
            Refusal::TooOften => Msg::RemindTooOften,
            Refusal::IdentityCode => Msg::RemindIdentityCode,
            Refusal::CancelUsage => Msg::CancelUsage,
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
fn parse_request<'a>(texts: &Texts, sender: &str, args: &'a str, sent: DateTime<Utc>) -> Result<Request<'a>, Refusal> {
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
    if crate::privacy::contains_hetu(text) {
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

fn set(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, request: Request<'_>) -> Decision {
    let reminder = Reminder {
        id: 0,
        creator: msg.sender.clone(),
        target: request.target,
        room: msg.room.clone(),
        thread_root: msg.thread_root.clone(),
        text: request.text.to_string(),
        lang,
        created_at: ctx.env.now(),
        due: request.at,
        recurrence: request.recurrence,
        creator_told: false,
    };
    let reminder = repo::add(ctx, reminder)?;
    Ok(vec![msg.reply(confirmation(&ctx.env.texts, &reminder))])
}

/// A one-off reminder for `creator`, said in `room` (and `thread_root`) at `due`: how
/// other capabilities set follow-ups. Returns the confirmation to show.
#[allow(clippy::too_many_arguments)]
pub fn set_follow_up(
    ctx: &mut Ctx<'_>,
    creator: &str,
    room: &str,
    thread_root: Option<String>,
    text: String,
    due: DateTime<Utc>,
    lang: Lang,
) -> Result<Message, crate::store::StoreError> {
    let reminder = Reminder {
        id: 0,
        creator: creator.to_string(),
        target: Target::Creator,
        room: room.to_string(),
        thread_root,
        text,
        lang,
        created_at: ctx.env.now(),
        due,
        recurrence: None,
        creator_told: false,
    };
    let reminder = repo::add(ctx, reminder)?;
    Ok(confirmation(&ctx.env.texts, &reminder))
}

/// The sender's reminders in this room, those they set and those set for them, with
/// their numbers. Reminders in other rooms are only counted: their text belongs there.
fn list(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang) -> Decision {
    let texts = &ctx.env.texts;
    let mine = repo::owned_by(ctx.env, &msg.sender)?;
    let (mut here, elsewhere): (Vec<Reminder>, Vec<Reminder>) = mine.into_iter().partition(|r| r.room == msg.room);
    here.sort_by_key(|r| (r.due, r.id));
    let mut parts = Vec::new();
    if here.is_empty() {
        parts.push(texts.message(lang, Msg::RemindersNone, &[]));
    } else {
        parts.push(texts.message(lang, Msg::RemindersHeader, &[]));
        parts.extend(here.iter().map(|r| item(texts, lang, &msg.sender, r)));
    }
    if !elsewhere.is_empty() {
        parts.push(texts.message(lang, Msg::RemindersElsewhere, &[("count", &elsewhere.len().to_string())]));
    }
    if !here.is_empty() {
        parts.push(texts.message(lang, Msg::RemindersFooter, &[]));
    }
    Ok(vec![msg.reply(Message::lines(&parts))])
}

/// Cancels a reminder: the person who set it may, and so may work-ability coordinators
/// (a network room's reminders are theirs to tend).
fn cancel(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, id: u64) -> Decision {
    let env = ctx.env;
    let id_text = id.to_string();
    let say = |key: Msg, args: &[(&str, &str)]| Ok(vec![msg.reply(env.msg(lang, key, args))]);
    let Some(reminder) = repo::get(env, id)? else {
        return say(Msg::CancelNotFound, &[("id", &id_text)]);
    };
    if reminder.creator != msg.sender && !env.settings.is_coordinator(&msg.sender, &msg.room, msg.sender_power) {
        return say(Msg::CancelNotYours, &[("id", &id_text)]);
    }
    repo::remove(ctx.batch, &reminder);
    tracing::info!(reminder = id, "reminder cancelled");
    if reminder.room == msg.room {
        say(Msg::CancelDone, &[("id", &id_text), ("text", &reminder.text)])
    } else {
        // The text belongs to the room it was set in.
        say(Msg::CancelDoneElsewhere, &[("id", &id_text)])
    }
}

/// "Selvä! Muistutan sinua ma 30.11.2026 klo 9.00: …", how it repeats, and its number.
pub(crate) fn confirmation(texts: &Texts, reminder: &Reminder) -> Message {
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
    Message::lines(&parts)
}

/// "`3` ma 30.11.2026 klo 9.00 – sinulle: soita Kelaan (toistuu maanantaisin klo 9.00)".
fn item(texts: &Texts, lang: Lang, sender: &str, reminder: &Reminder) -> Message {
    let target = match &reminder.target {
        Target::Room => texts.message(lang, Msg::TargetRoom, &[]),
        Target::User(user) if user == sender => {
            texts.message(lang, Msg::TargetFrom, &[("creator", &reminder.creator)])
        }
        Target::User(user) => texts.message(lang, Msg::TargetUser, &[("user", user)]),
        Target::Creator => texts.message(lang, Msg::TargetSelf, &[]),
    };
    let mut text = reminder.text.clone();
    if let Some(recurrence) = &reminder.recurrence {
        let rule = rule(texts, lang, recurrence, reminder.due);
        text = format!("{text} ({})", texts.message(lang, Msg::RemindersItemRepeats, &[("rule", &rule)]).plain);
    }
    let (id, at) = (reminder.id.to_string(), when(texts, lang, reminder.due));
    texts.message(lang, Msg::RemindersItem, &[("id", &id), ("when", &at), ("target", &target.plain), ("text", &text)])
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
        let read = |args| parse_request(&t, me, args, sent()).map(|r| (r.target, r.text));
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
        let refusal = |args| parse_request(&t, "@anna:example.org", args, sent()).err();
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
