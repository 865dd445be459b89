//! The kernel every capability runs on. Events are decided one at a time; a decision
//! reads through an [`Env`] and writes into a [`Batch`], and is committed with its
//! processed mark and outbox entries in one sled transaction, or not at all. It also
//! keeps the outbox and the sync resume point, and applies the policy gate
//! (policy.rs). It knows no capability: src/engine plugs them in.

mod action;
mod event;
pub mod policy;
mod router;
mod settings;
mod throttle;

pub use action::{txn_id_for, Action, Delivery, Grounding, Link, Reach, Tell};
pub use event::{Event, IncomingMessage, IncomingReaction};
pub use router::{route, Route};
pub use settings::{CoordinatorsRoom, Settings, CONSOLE_COORDINATORS_ROOM};

use crate::clock::Clock;
use crate::lang::{Lang, Message, Msg, Texts};
use crate::store::{Batch, Store, StoreError, TreeId};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex, MutexGuard};

/// What a decision returns: its actions, or the store error that stopped it. On an
/// error nothing of the decision is written and its event is not marked processed, so
/// it is decided again when the store works.
pub type Decision = Result<Vec<Action>, StoreError>;

/// What every decision may read: the texts, the deployment, the store and the time.
pub struct Env {
    pub texts: Texts,
    pub settings: Settings,
    pub store: Store,
    clock: Arc<dyn Clock>,
}

impl Env {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A user-facing text in `lang`, placeholders filled in one pass.
    pub fn msg(&self, lang: Lang, key: Msg, args: &[(&str, &str)]) -> Message {
        self.texts.message(lang, key, args)
    }
}

/// A decision under way: what it may read, and the batch its writes go to.
pub struct Ctx<'a> {
    pub env: &'a Env,
    pub batch: &'a mut Batch,
}

impl Ctx<'_> {
    /// The next number of a counter kept in the meta tree. A number taken earlier in
    /// the same batch counts, so two taken in one decision never collide; a failed read
    /// is an error, never a restart from 1.
    pub fn next_number(&mut self, key: &str) -> Result<u64, StoreError> {
        let last = match self.batch.pending::<u64>(TreeId::Meta, key.as_bytes()) {
            Some(last) => last,
            None => self.env.store.get::<u64>(TreeId::Meta, key.as_bytes())?.unwrap_or(0),
        };
        let next = last + 1;
        self.batch.put(TreeId::Meta, key, &next);
        Ok(next)
    }

    /// An id unique in the whole store (audit records).
    pub fn unique_id(&self) -> Result<u64, StoreError> {
        self.env.store.next_id()
    }
}

/// Work a capability does at a time of its own rather than on an event: reminders,
/// ticket deadlines, team agendas.
pub trait Scheduled: Send + Sync {
    /// When it next has work; none when nothing is waiting.
    fn next_due(&self, env: &Env) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// What is due by `now`, each action with the cause its transaction id derives from;
    /// the state changes that make each fire once go into `ctx`'s batch.
    fn fire(&self, ctx: &mut Ctx<'_>, now: DateTime<Utc>) -> Result<Vec<(String, Action)>, StoreError>;
}

/// A position in the homeserver's event stream (a sync token) and when it was reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResumePoint {
    pub token: String,
    pub at: DateTime<Utc>,
}

const RESUME_POINT: &[u8] = b"resume_point";

/// A message delivered later than this after it was decided says how late it is.
pub const DELIVERY_LATE_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// Apologies remembered, so that an event retried many times is apologised for once.
const REMEMBERED_APOLOGIES: usize = 1_000;

pub struct Kernel {
    pub env: Env,
    names: Vec<String>,
    /// One event at a time: a decision reads state that the previous one may have written.
    handling: Mutex<()>,
    throttle: Mutex<throttle::Throttle>,
    /// "Please try again" messages for decisions the store stopped, not yet taken by
    /// the adapter, and the events already apologised for.
    apologies: Mutex<(Vec<Delivery>, Vec<String>)>,
}

impl Kernel {
    /// Fails when prompts/ is broken; the message says where.
    pub fn new(settings: Settings, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<Kernel> {
        let throttle = throttle::Throttle::new(settings.config.as_ref().map(|c| c.throttle).unwrap_or_default());
        Ok(Kernel {
            names: settings.names(),
            env: Env { texts: Texts::embedded()?, settings, store, clock },
            handling: Mutex::new(()),
            throttle: Mutex::new(throttle),
            apologies: Mutex::new((Vec::new(), Vec::new())),
        })
    }

    /// Held while deciding and committing, so decisions never interleave.
    pub fn one_at_a_time(&self) -> MutexGuard<'_, ()> {
        self.handling.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What a message asks of the bot: a command, a question, or nothing.
    pub fn route<'a>(&self, msg: &'a IncomingMessage) -> Route<'a> {
        route(&self.env.texts, &msg.text, msg.mentions_bot || msg.is_direct, &self.names)
    }

    /// The language to answer a message in: its command word's, a question's own, else
    /// the room's.
    pub fn lang_of(&self, msg: &IncomingMessage, route: &Route<'_>) -> Lang {
        match route {
            Route::Command { lang, .. } => *lang,
            Route::Question { text } => {
                crate::lang::detect_lang(text).unwrap_or_else(|| self.env.settings.room_lang(&msg.room))
            }
            _ => self.env.settings.room_lang(&msg.room),
        }
    }

    /// Decides an event and commits the decision with the event's processed mark and
    /// its outbox entries in one transaction. An event seen before yields nothing. When
    /// the store fails, nothing is written and the error is returned: the event is
    /// decided again when it comes again (the caller may [`Kernel::apologise`]).
    pub fn decide_event(&self, event_id: &str, decide: impl FnOnce(&mut Ctx<'_>) -> Decision) -> Result<Vec<Delivery>, StoreError> {
        let committed = (|| {
            if self.env.store.contains(TreeId::Processed, event_id.as_bytes())? {
                return Ok(Vec::new());
            }
            let mut batch = Batch::default();
            let actions = decide(&mut Ctx { env: &self.env, batch: &mut batch })?;
            batch.put(TreeId::Processed, event_id, &self.env.now().timestamp());
            let deliveries = self.enqueue(event_id, actions, &mut batch)?;
            self.env.store.commit(batch)?;
            Ok(deliveries)
        })();
        if let Err(e) = &committed {
            tracing::error!(error = %e, "a decision could not be stored; its event will be decided again");
        }
        committed
    }

    /// Queues one "please try again" for `msg`, in `lang`, unless it already has one.
    pub fn apologise(&self, msg: &IncomingMessage, lang: Lang) {
        let mut apologies = self.apologies.lock().unwrap_or_else(|e| e.into_inner());
        let (pending, given) = &mut *apologies;
        if given.contains(&msg.event_id) {
            return;
        }
        if given.len() >= REMEMBERED_APOLOGIES {
            given.remove(0);
        }
        given.push(msg.event_id.clone());
        pending.push(Delivery {
            // Never in the outbox (the store is what failed; no outbox id is ever this
            // large): sent once, directly, with a transaction id of its own so that a
            // resend is recognised.
            outbox_id: u64::MAX,
            txn_id: txn_id_for(&format!("apology:{}", msg.event_id), 0),
            action: msg.reply(self.env.msg(lang, Msg::TryAgain, &[])),
            decided_at: Some(self.env.now()),
        });
    }

    /// "Please try again" messages to send now, straight to the homeserver.
    pub fn take_apologies(&self) -> Vec<Delivery> {
        std::mem::take(&mut self.apologies.lock().unwrap_or_else(|e| e.into_inner()).0)
    }

    /// Commits what something other than an event calls for (a delivery report, fired
    /// deadlines), with `batch`'s other writes, and writes it to disk so the outbox
    /// worker can send it at once. `cause` makes the transaction ids.
    pub fn commit_follow_up(&self, cause: &str, actions: Vec<Action>, mut batch: Batch) -> Result<Vec<Delivery>, StoreError> {
        let deliveries = self.enqueue(cause, actions, &mut batch)?;
        self.env.store.commit(batch)?;
        self.env.store.flush()?;
        Ok(deliveries)
    }

    /// Adds `actions` to the outbox in `batch`, with transaction ids derived from `cause`.
    pub fn enqueue(&self, cause: &str, actions: Vec<Action>, batch: &mut Batch) -> Result<Vec<Delivery>, StoreError> {
        let mut deliveries = Vec::with_capacity(actions.len());
        for (index, action) in actions.into_iter().enumerate() {
            let delivery = Delivery {
                outbox_id: self.env.store.next_id()?,
                txn_id: txn_id_for(cause, index),
                action,
                decided_at: Some(self.env.now()),
            };
            batch.put(TreeId::Outbox, delivery.outbox_id.to_be_bytes(), &delivery);
            deliveries.push(delivery);
        }
        Ok(deliveries)
    }

    /// The earliest moment any of `sources` has work.
    pub fn next_due(&self, sources: &[&dyn Scheduled]) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut earliest = None;
        for source in sources {
            earliest = earliest.into_iter().chain(source.next_due(&self.env)?).min();
        }
        Ok(earliest)
    }

    /// Fires what is due by `now` in every source, in one transaction with the outbox
    /// entries of what they say, so that each fires exactly once.
    pub fn fire_due(&self, sources: &[&dyn Scheduled], now: DateTime<Utc>) -> Result<Vec<Delivery>, StoreError> {
        let _one_at_a_time = self.one_at_a_time();
        let mut batch = Batch::default();
        let mut fired = Vec::new();
        for source in sources {
            fired.extend(source.fire(&mut Ctx { env: &self.env, batch: &mut batch }, now)?);
        }
        if fired.is_empty() && batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut deliveries = Vec::with_capacity(fired.len());
        for (cause, action) in fired {
            deliveries.extend(self.enqueue(&cause, vec![action], &mut batch)?);
        }
        self.env.store.commit(batch)?;
        Ok(deliveries)
    }

    /// Where the adapter's event stream continues after a restart; none before the first.
    pub fn resume_point(&self) -> Result<Option<ResumePoint>, StoreError> {
        self.env.store.get(TreeId::Meta, RESUME_POINT)
    }

    pub fn save_resume_point(&self, resume: &ResumePoint) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.put(TreeId::Meta, RESUME_POINT, resume);
        self.env.store.commit(batch)?;
        self.env.store.flush()
    }

    /// Actions decided earlier whose delivery was not confirmed (the bot stopped between
    /// deciding and sending). Resending them reuses their transaction ids.
    pub fn pending_deliveries(&self) -> Result<Vec<Delivery>, StoreError> {
        Ok(self.env.store.scan::<Delivery>(TreeId::Outbox)?.into_iter().map(|(_, d)| d).collect())
    }

    pub fn delivered(&self, outbox_id: u64) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.remove(TreeId::Outbox, outbox_id.to_be_bytes());
        self.env.store.commit(batch)
    }

    /// The note added to a message that leaves more than [`DELIVERY_LATE_AFTER`] after it
    /// was decided (the homeserver was unreachable, or the bot stopped before sending it),
    /// in the message's own language.
    pub fn delivery_late_note(&self, delivery: &Delivery, now: DateTime<Utc>) -> Option<Message> {
        let decided_at = delivery.decided_at?;
        if now - decided_at <= DELIVERY_LATE_AFTER {
            return None;
        }
        let (room, message) = match &delivery.action {
            Action::Send { room, message, .. } | Action::SendLinked { room, message, .. } => (room, message),
            Action::Answer { room, fallback, .. } => (room, fallback),
            _ => return None,
        };
        let env = &self.env;
        let lang = crate::lang::detect_lang(&message.plain).unwrap_or_else(|| env.settings.room_lang(room));
        let late = crate::time::words::duration(&env.texts, lang, now - decided_at);
        let due = crate::time::words::when(&env.texts, lang, decided_at);
        Some(env.msg(lang, Msg::DeliveryLate, &[("late", &late), ("due", &due)]))
    }

    /// Forgets processed-event marks older than `keep`. After a restart the homeserver
    /// only sends what came after the saved sync position, so old marks just take space.
    pub fn prune_processed(&self, keep: chrono::Duration) -> Result<usize, StoreError> {
        let cutoff = (self.env.now() - keep).timestamp();
        let mut batch = Batch::default();
        let mut pruned = 0;
        for (key, handled_at) in self.env.store.scan::<i64>(TreeId::Processed)? {
            if handled_at < cutoff {
                batch.remove(TreeId::Processed, key);
                pruned += 1;
            }
        }
        self.env.store.commit(batch)?;
        Ok(pruned)
    }
}
