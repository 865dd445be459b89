//! Which ticket a command means, and who may tend it.

use super::commands::TicketRef;
use super::repo;
use super::ticket::Ticket;
use crate::kernel::{Action, Env, IncomingMessage};
use crate::lang::{Lang, Msg};
use crate::store::StoreError;

/// The ticket a command is about, or the reply saying what is missing.
pub(crate) fn ticket_for(env: &Env, msg: &IncomingMessage, lang: Lang, wanted: &TicketRef) -> Result<Result<Ticket, Vec<Action>>, StoreError> {
    let (id, typed) = match wanted {
        TicketRef::Named(id) => (Some(id.clone()), id.as_str()),
        TicketRef::FromThread { typed } => {
            let link = match msg.thread_root.as_deref() {
                Some(root) => repo::link(env, root)?,
                None => None,
            };
            (link.map(|l| l.ticket().to_string()), typed.as_str())
        }
    };
    let Some(id) = id else { return Ok(Err(vec![msg.reply(env.msg(lang, Msg::TicketIdNeeded, &[]))])) };
    Ok(repo::ticket(env, &id)?.ok_or_else(|| vec![msg.reply(env.msg(lang, Msg::TicketNotFound, &[("id", typed)]))]))
}

/// Coordinators, and the asker of the ticket, may add follow-ups and handoffs to it.
pub(crate) fn may_tend(env: &Env, msg: &IncomingMessage, ticket: &Ticket) -> bool {
    msg.sender == ticket.asker || env.settings.is_coordinator(&msg.sender, &msg.room, msg.sender_power)
}

