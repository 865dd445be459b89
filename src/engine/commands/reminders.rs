//! `!muistutukset` / `!påminnelser` / `!reminders`: the sender's reminders in this room,
//! those they set and those set for them, with their numbers. Reminders in other rooms
//! are only counted: their text belongs to those rooms.

use super::{Action, Ctx};
use crate::engine::reminder_text::{lines, rule, when};
use crate::lang::{Message, Msg};
use crate::remind::reminder::{owner_prefix, Reminder, Target};
use crate::store::TreeId;

pub fn apply(ctx: Ctx<'_>) -> Vec<Action> {
    let texts = ctx.engine.texts();
    let lang = ctx.lang;
    let sender = ctx.msg.sender.as_str();
    let mine = match own_reminders(ctx.engine, sender) {
        Ok(mine) => mine,
        Err(e) => {
            tracing::error!(error = %e, "could not read reminders");
            return vec![ctx.reply(texts.message(lang, Msg::RemindTryAgain, &[]))];
        }
    };
    let (mut here, elsewhere): (Vec<Reminder>, Vec<Reminder>) = mine.into_iter().partition(|r| r.room == ctx.msg.room);
    here.sort_by_key(|r| (r.due, r.id));

    let mut parts = Vec::new();
    if here.is_empty() {
        parts.push(texts.message(lang, Msg::RemindersNone, &[]));
    } else {
        parts.push(texts.message(lang, Msg::RemindersHeader, &[]));
        parts.extend(here.iter().map(|r| item(&ctx, r)));
    }
    if !elsewhere.is_empty() {
        parts.push(texts.message(lang, Msg::RemindersElsewhere, &[("count", &elsewhere.len().to_string())]));
    }
    if !here.is_empty() {
        parts.push(texts.message(lang, Msg::RemindersFooter, &[]));
    }
    vec![ctx.reply(lines(&parts))]
}

/// The reminders `user` set or is the target of, through the owners index: reading
/// only these keeps listing fast however many reminders others have.
fn own_reminders(engine: &crate::engine::Engine, user: &str) -> Result<Vec<Reminder>, crate::store::StoreError> {
    let store = engine.store();
    let mut out = Vec::new();
    for key in store.keys_with_prefix(TreeId::ReminderOwners, &owner_prefix(user))? {
        let id = &key[key.len() - 8..];
        if let Some(reminder) = store.get::<Reminder>(TreeId::Reminders, id)? {
            out.push(reminder);
        }
    }
    Ok(out)
}

/// "`3` ma 30.11.2026 klo 9.00 – sinulle: soita Kelaan (toistuu maanantaisin klo 9.00)".
fn item(ctx: &Ctx<'_>, reminder: &Reminder) -> Message {
    let texts = ctx.engine.texts();
    let lang = ctx.lang;
    let target = match &reminder.target {
        Target::Room => texts.message(lang, Msg::TargetRoom, &[]),
        Target::User(user) if *user == ctx.msg.sender => {
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
