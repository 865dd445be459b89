//! `!peru <id>` / `!avbryt` / `!cancel`: cancels a reminder. The person who set it may,
//! and so may work-ability coordinators (a network room's reminders are theirs to tend).

use super::{Action, Ctx};
use crate::lang::Msg;
use crate::remind::reminder::Reminder;
use crate::store::TreeId;

pub fn apply(ctx: Ctx<'_>, args: &str) -> Vec<Action> {
    let texts = ctx.engine.texts();
    let lang = ctx.lang;
    let say = |key: Msg, args: &[(&str, &str)]| vec![ctx.reply(texts.message(lang, key, args))];
    // "3", "#3" or "3." all mean reminder 3.
    let Ok(id) = args.trim().trim_start_matches('#').trim_end_matches('.').parse::<u64>() else {
        return say(Msg::CancelUsage, &[]);
    };
    let id_text = id.to_string();
    let reminder = match ctx.engine.store().get::<Reminder>(TreeId::Reminders, &id.to_be_bytes()) {
        Ok(Some(reminder)) => reminder,
        Ok(None) => return say(Msg::CancelNotFound, &[("id", &id_text)]),
        Err(e) => {
            tracing::error!(error = %e, "could not read a reminder");
            return say(Msg::RemindTryAgain, &[]);
        }
    };
    let msg = ctx.msg;
    if reminder.creator != msg.sender && !ctx.engine.is_coordinator(&msg.sender, &msg.room, msg.sender_power) {
        return say(Msg::CancelNotYours, &[("id", &id_text)]);
    }
    let answer = if reminder.room == ctx.msg.room {
        texts.message(lang, Msg::CancelDone, &[("id", &id_text), ("text", &reminder.text)])
    } else {
        // The text belongs to the room it was set in.
        texts.message(lang, Msg::CancelDoneElsewhere, &[("id", &id_text)])
    };
    let reply = ctx.reply(answer);
    super::remind::remove(ctx.batch, &reminder);
    tracing::info!(reminder = id, "reminder cancelled");
    vec![reply]
}
