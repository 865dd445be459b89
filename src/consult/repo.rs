//! Consultations in the store: tickets with the due-time index of their deadlines,
//! links from posted messages to tickets, drafts waiting for the asker, the yearly
//! ticket counter and the metadata-only audit records. Writes go into the batch.

use super::due;
use super::ticket::{AuditRecord, Ticket};
use crate::kernel::{Ctx, Env, Link};
use crate::lang::Lang;
use crate::store::{Batch, StoreError, TreeId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A consultation waiting for the asker: either for the municipality, or for a "yes"
/// to the bot's offer after an answer it was not sure of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub question: String,
    pub lang: Lang,
    /// The event the consultation grows from: replies go into its thread.
    pub asker_event: String,
    pub at: DateTime<Utc>,
    pub stage: DraftStage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftStage {
    Offered,
    NeedsMunicipality,
}

fn draft_key(room: &str, sender: &str) -> Vec<u8> {
    format!("{room}\u{0}{sender}").into_bytes()
}

pub(crate) fn ticket(env: &Env, id: &str) -> Result<Option<Ticket>, StoreError> {
    env.store.get(TreeId::Tickets, id.as_bytes())
}

/// Every ticket ever stored: for statistics, exports and agendas, never per event.
pub(crate) fn all_tickets(env: &Env) -> Result<Vec<Ticket>, StoreError> {
    Ok(env.store.scan::<Ticket>(TreeId::Tickets)?.into_iter().map(|(_, t)| t).collect())
}

/// Calls `f` with every ticket, one at a time (statistics, the deadline index).
pub(crate) fn for_each_ticket(env: &Env, f: impl FnMut(Ticket)) -> Result<(), StoreError> {
    env.store.for_each(TreeId::Tickets, f)
}

/// Writes a ticket and moves its entry in the deadline index to its next deadline (none
/// once nothing more can fire).
pub(crate) fn put_ticket(ctx: &mut Ctx<'_>, changed: &Ticket) -> Result<(), StoreError> {
    let limits = &ctx.env.settings.consultations;
    let before = match ctx.batch.pending::<Ticket>(TreeId::Tickets, changed.id.as_bytes()) {
        Some(pending) => Some(pending),
        None => ticket(ctx.env, &changed.id)?,
    };
    let ticket = changed;
    if let Some(at) = before.as_ref().and_then(|old| due::next(limits, old)) {
        ctx.batch.remove(TreeId::TicketDue, due_key(at, &ticket.id));
    }
    if let Some(at) = due::next(limits, ticket) {
        ctx.batch.put(TreeId::TicketDue, due_key(at, &ticket.id), &ticket.id);
    }
    ctx.batch.put(TreeId::Tickets, ticket.id.as_bytes(), ticket);
    Ok(())
}

/// Key of the deadline index: big-endian milliseconds (byte order is time order), then
/// the ticket id.
fn due_key(at: DateTime<Utc>, id: &str) -> Vec<u8> {
    let mut key = at.timestamp_millis().to_be_bytes().to_vec();
    key.extend_from_slice(id.as_bytes());
    key
}

fn due_of(key: &[u8]) -> Option<DateTime<Utc>> {
    let millis = i64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    DateTime::from_timestamp_millis(millis)
}

/// The earliest ticket deadline to come: the first key of the index.
pub(crate) fn next_deadline(env: &Env) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(env.store.first::<String>(TreeId::TicketDue)?.and_then(|(key, _)| due_of(&key)))
}

/// Up to `limit` entries of the deadline index due by `now`, earliest first: each
/// entry's key (for removing it) and ticket id.
pub(crate) fn tickets_due(env: &Env, now: DateTime<Utc>, limit: usize) -> Result<Vec<(Vec<u8>, String)>, StoreError> {
    let end = (now.timestamp_millis() + 1).to_be_bytes();
    env.store.scan_below::<String>(TreeId::TicketDue, &end, limit)
}

/// Removes one entry of the deadline index (one that was fired, or names no ticket).
pub(crate) fn remove_due_entry(batch: &mut Batch, key: Vec<u8>) {
    batch.remove(TreeId::TicketDue, key);
}

/// Meta key recording which deadline settings the index was built with. Change the
/// version ("v1") when the way deadlines are computed changes (due.rs, the calendar),
/// so that the next start rebuilds the index.
const INDEX_BUILT_WITH: &[u8] = b"ticket_due_index";

/// Builds the deadline index afresh when it was built with other deadline settings (or
/// never, as in a store from before it existed): the one start-up that reads every
/// ticket. Afterwards each change keeps it current.
pub(crate) fn ensure_deadline_index(env: &Env) -> Result<(), StoreError> {
    let limits = &env.settings.consultations;
    let built_with =
        format!("v1 nudge {} fallback {} idle {}", limits.nudge_after_hours, limits.fallback_after_hours, limits.idle_after_days);
    if env.store.get::<String>(TreeId::Meta, INDEX_BUILT_WITH)?.as_deref() == Some(built_with.as_str()) {
        return Ok(());
    }
    let mut batch = Batch::default();
    for (key, _) in env.store.scan::<String>(TreeId::TicketDue)? {
        batch.remove(TreeId::TicketDue, key);
    }
    let mut indexed = 0;
    for_each_ticket(env, |ticket| {
        if let Some(at) = due::next(&env.settings.consultations, &ticket) {
            batch.put(TreeId::TicketDue, due_key(at, &ticket.id), &ticket.id);
            indexed += 1;
        }
    })?;
    batch.put(TreeId::Meta, INDEX_BUILT_WITH, &built_with);
    env.store.commit(batch)?;
    tracing::info!(tickets_with_deadlines = indexed, "built the ticket deadline index");
    Ok(())
}

pub(crate) fn link(env: &Env, event_id: &str) -> Result<Option<Link>, StoreError> {
    env.store.get(TreeId::Links, event_id.as_bytes())
}

pub(crate) fn put_link(batch: &mut Batch, event_id: &str, link: &Link) {
    batch.put(TreeId::Links, event_id, link);
}

pub(crate) fn draft(env: &Env, room: &str, sender: &str) -> Result<Option<Draft>, StoreError> {
    env.store.get(TreeId::Drafts, &draft_key(room, sender))
}

pub(crate) fn has_draft(env: &Env, room: &str, sender: &str) -> Result<bool, StoreError> {
    env.store.contains(TreeId::Drafts, &draft_key(room, sender))
}

pub(crate) fn put_draft(batch: &mut Batch, room: &str, sender: &str, draft: &Draft) {
    batch.put(TreeId::Drafts, draft_key(room, sender), draft);
}

pub(crate) fn remove_draft(batch: &mut Batch, room: &str, sender: &str) {
    batch.remove(TreeId::Drafts, draft_key(room, sender));
}

/// Ticket numbers count up per year: K-2026-0001, K-2026-0002, …
pub(crate) fn next_ticket_number(ctx: &mut Ctx<'_>, year: i32) -> Result<u64, StoreError> {
    ctx.next_number(&format!("ticket_counter_{year}"))
}

/// Adds an audit record under an id unique in the store.
pub(crate) fn audit(ctx: &mut Ctx<'_>, record: &AuditRecord) -> Result<(), StoreError> {
    let id = ctx.unique_id()?;
    ctx.batch.put(TreeId::Audit, id.to_be_bytes(), record);
    Ok(())
}
