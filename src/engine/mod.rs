//! The engine: the kernel with the capabilities plugged in. An `Event` goes in,
//! `Action`s come out; it reads and writes the local store but never touches the
//! network, and adapters deliver what it decides.
//!
//! Where things are: a command word is recognised in kernel/router.rs, its arguments
//! are parsed into a typed request in its capability's `commands.rs` (catalogue,
//! remind, consult), dispatched by the one match in [`Engine::apply`], decided by the
//! capability's rules against its state (remind's and consult's `repo.rs`; the
//! catalogue's cards are read-only), and worded from prompts/<lang>/. The gate
//! (access, privacy, throttle) is kernel/policy.rs; scheduled work is each capability's
//! `Scheduled` source, listed in [`Engine::scheduled`].

use crate::catalogue::commands::{self as catalogue_commands, Said};
use crate::catalogue::{Catalogue, Index};
use crate::clock::Clock;
use crate::kernel::policy::Gate;
use crate::kernel::{Ctx, Decision, Kernel, Scheduled};
use crate::lang::{CommandKey, Lang, Message, Msg, Texts};
use crate::store::{Batch, Store, StoreError};
use crate::{consult, remind};
use chrono::{DateTime, Utc};
use std::cell::Cell;
use std::sync::Arc;

pub use crate::kernel::{
    route, txn_id_for, Action, Delivery, Event, Grounding, IncomingMessage, IncomingReaction, Link, Reach, ResumePoint,
    Route, Settings, CONSOLE_COORDINATORS_ROOM, DELIVERY_LATE_AFTER,
};
pub use crate::remind::FIRE_BATCH;

/// A command of any capability, read from its words.
enum Command<'a> {
    Help,
    Unknown(&'a str),
    Catalogue(catalogue_commands::Command<'a>),
    Remind(remind::Command<'a>),
    Consult(consult::Command<'a>),
}

/// What is wrong with a command, per capability; each has a polite answer.
enum Refused {
    Catalogue(catalogue_commands::Refusal),
    Remind(remind::Refusal),
    Consult(consult::Refusal),
}

/// An unknown word is repeated only this far: it may be anything a script sent.
const LONGEST_UNKNOWN_WORD: usize = 40;

pub struct Engine {
    kernel: Kernel,
    catalogue: Catalogue,
    index: Index,
}

impl Engine {
    /// Fails when prompts/ or the configured catalogue is broken; the message says where.
    pub fn new(settings: Settings, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<Engine> {
        let catalogue = match settings.config.as_ref().and_then(|c| c.catalogue.dir.as_deref()) {
            Some(dir) => Catalogue::load_dir(dir)?,
            None => Catalogue::shipped(),
        };
        let index = Index::build(&catalogue);
        let kernel = Kernel::new(settings, store, clock)?;
        consult::prepare(&kernel.env)?;
        Ok(Engine { kernel, catalogue, index })
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn settings(&self) -> &Settings {
        &self.kernel.env.settings
    }

    pub fn texts(&self) -> &Texts {
        &self.kernel.env.texts
    }

    pub fn store(&self) -> &Store {
        &self.kernel.env.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.kernel.env.now()
    }

    /// Decides what an event calls for and records it, with the event's processed mark
    /// and the resulting outbox entries, in one transaction. An event seen before yields
    /// nothing. On a store error nothing is recorded (the event is decided again later)
    /// and the person gets one "please try again" through [`Engine::take_apologies`].
    pub fn handle(&self, event: &Event) -> Result<Vec<Delivery>, StoreError> {
        let _one_at_a_time = self.kernel.one_at_a_time();
        match event {
            Event::Message(msg) => {
                let route = self.kernel.route(msg);
                let lang = self.kernel.lang_of(msg, &route);
                let stopped_at_gate = Cell::new(false);
                let decided = self.kernel.decide_event(&msg.event_id, |ctx| {
                    self.decide_message(ctx, msg, &route, lang, &stopped_at_gate)
                });
                // Someone who asked the bot something hears once that it will come later;
                // not chatter, and not a message the gate turned away.
                if decided.is_err() && route != Route::Ignore && !stopped_at_gate.get() {
                    self.kernel.apologise(msg, lang);
                }
                decided
            }
            Event::Reaction(reaction) => self.kernel.decide_event(&reaction.event_id, |ctx| {
                // A reaction from someone who may not use the bot changes nothing.
                if self.kernel.admits_reaction(reaction) {
                    consult::reaction(ctx, reaction)
                } else {
                    Ok(Vec::new())
                }
            }),
        }
    }

    fn decide_message(
        &self,
        ctx: &mut Ctx<'_>,
        msg: &IncomingMessage,
        route: &Route<'_>,
        lang: Lang,
        stopped_at_gate: &Cell<bool>,
    ) -> Decision {
        if msg.sender == ctx.env.settings.bot_user {
            return Ok(Vec::new());
        }
        // The bot takes in commands and questions for it, messages in a consultation's
        // thread (relayed) and answers to its own questions; nothing else.
        if *route == Route::Ignore && !consult::reads(ctx.env, msg)? {
            return Ok(Vec::new());
        }
        if let Gate::Stop(actions) = self.kernel.gate(msg, route, lang) {
            stopped_at_gate.set(true);
            return Ok(actions);
        }
        if matches!(route, Route::Ignore | Route::Question { .. }) {
            // Not a command: maybe part of a consultation, or the answer the bot asked for.
            if let Some(actions) = consult::conversation(ctx, msg)? {
                return Ok(actions);
            }
        }
        let command = match *route {
            Route::Ignore => return Ok(Vec::new()),
            Route::Unknown { word } => Ok(Command::Unknown(word)),
            Route::Question { text } => catalogue_commands::question(text).map(Command::Catalogue).map_err(Refused::Catalogue),
            Route::Command { command, args, .. } => self.parse(command, msg, args),
        };
        match command {
            Ok(command) => self.apply(ctx, msg, lang, command),
            Err(refused) => Ok(self.refuse(ctx, msg, lang, refused)),
        }
    }

    /// Each capability reads its own commands' arguments.
    fn parse<'a>(&self, key: CommandKey, msg: &IncomingMessage, args: &'a str) -> Result<Command<'a>, Refused> {
        let texts = self.texts();
        if key == CommandKey::Help {
            return Ok(Command::Help);
        }
        if let Some(read) = catalogue_commands::parse(key, args) {
            return read.map(Command::Catalogue).map_err(Refused::Catalogue);
        }
        if let Some(read) = remind::commands::parse(texts, key, msg, args) {
            return read.map(Command::Remind).map_err(Refused::Remind);
        }
        match consult::commands::parse(texts, key, msg, args) {
            Some(read) => read.map(Command::Consult).map_err(Refused::Consult),
            None => unreachable!("every command word belongs to a capability: {key:?}"),
        }
    }

    /// The one dispatch: each command to its capability.
    fn apply(&self, ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, command: Command<'_>) -> Decision {
        let env = ctx.env;
        match command {
            Command::Help => Ok(vec![msg.reply(env.msg(lang, Msg::Help, &[]))]),
            Command::Unknown(word) => {
                let word = crate::lang::clean_echo(&crate::kernel::policy::screen(word).text, LONGEST_UNKNOWN_WORD);
                Ok(vec![msg.reply(env.msg(lang, Msg::UnknownCommand, &[("command", &word)]))])
            }
            Command::Catalogue(command) => {
                let question = match &command {
                    catalogue_commands::Command::Ask { question } => Some(*question),
                    _ => None,
                };
                match catalogue_commands::apply(env, &self.catalogue, &self.index, msg, lang, command) {
                    Said::Reply(action) => Ok(vec![action]),
                    Said::Unsure { reply, in_domain } => {
                        // Not sure: a question for the network may become a consultation.
                        let offer = question.filter(|_| in_domain).and_then(|q| consult::offer(ctx, msg, q, lang));
                        let reply = match offer {
                            Some(offer) => Message::join(&[reply, offer]),
                            None => reply,
                        };
                        Ok(vec![msg.reply(reply)])
                    }
                }
            }
            Command::Remind(command) => remind::commands::apply(ctx, msg, lang, command),
            Command::Consult(command) => consult::apply(ctx, msg, lang, command),
        }
    }

    fn refuse(&self, ctx: &Ctx<'_>, msg: &IncomingMessage, lang: Lang, refused: Refused) -> Vec<Action> {
        match refused {
            Refused::Catalogue(refusal) => catalogue_commands::refuse(ctx.env, msg, lang, refusal),
            Refused::Remind(refusal) => remind::commands::refuse(ctx, msg, lang, refusal),
            Refused::Consult(refusal) => consult::refuse(ctx.env, msg, lang, refusal),
        }
    }

    /// "Please try again" for decisions the store stopped: the adapter sends these
    /// directly (the outbox is in the store), each once.
    pub fn take_apologies(&self) -> Vec<Delivery> {
        self.kernel.take_apologies()
    }

    /// Decides a whole batch of events (one sync response), then moves the resume point
    /// past it and writes everything to disk. A failure leaves the resume point where it
    /// was: the batch is read again and the events already committed are skipped.
    pub fn record_batch(&self, events: &[Event], resume: &ResumePoint) -> Result<usize, StoreError> {
        let mut decided = 0;
        for event in events {
            decided += self.handle(event)?.len();
        }
        self.kernel.save_resume_point(resume)?;
        Ok(decided)
    }

    /// Where the adapter's event stream continues after a restart; none before the first.
    pub fn resume_point(&self) -> Result<Option<ResumePoint>, StoreError> {
        self.kernel.resume_point()
    }

    pub fn save_resume_point(&self, resume: &ResumePoint) -> Result<(), StoreError> {
        self.kernel.save_resume_point(resume)
    }

    /// Actions decided earlier whose delivery was not confirmed.
    pub fn pending_deliveries(&self) -> Result<Vec<Delivery>, StoreError> {
        self.kernel.pending_deliveries()
    }

    pub fn delivered(&self, outbox_id: u64) -> Result<(), StoreError> {
        self.kernel.delivered(outbox_id)
    }

    /// The note for a message that leaves late, in its own language.
    pub fn delivery_late_note(&self, delivery: &Delivery, now: DateTime<Utc>) -> Option<Message> {
        self.kernel.delivery_late_note(delivery, now)
    }

    /// The homeserver refused a redaction: see `Kernel::redaction_refused`.
    pub fn redaction_refused(&self, redaction: &Delivery) -> Result<Vec<Delivery>, StoreError> {
        self.kernel.redaction_refused(redaction)
    }

    /// Called by adapters once a linked message is posted, with its event id, so replies
    /// and reactions to it find their ticket.
    pub fn link_sent(&self, link: &Link, event_id: &str) -> Result<(), StoreError> {
        let _one_at_a_time = self.kernel.one_at_a_time();
        let env = &self.kernel.env;
        let mut batch = Batch::default();
        consult::link_sent(env, &mut batch, link, event_id)?;
        env.store.commit(batch)?;
        env.store.flush()
    }

    /// The adapter posted a message where the person it must reach is (`room`,
    /// `thread_root`; a direct message when `direct`) instead of where it was meant:
    /// a handoff (the sender is told, the receiver's reminders follow it there) or a
    /// colleague's reminder (its creator is told).
    pub fn reached_elsewhere(
        &self,
        delivery: &Delivery,
        room: &str,
        thread_root: Option<&str>,
        direct: bool,
    ) -> Result<Vec<Delivery>, StoreError> {
        let _one_at_a_time = self.kernel.one_at_a_time();
        let mut batch = Batch::default();
        let actions = match &delivery.action {
            Action::Send { reach: Some(Reach { person, tell: Some(tell), .. }), .. } => {
                remind::reached_elsewhere(&self.kernel.env, person, tell)
            }
            _ => consult::reached_elsewhere(&mut Ctx { env: &self.kernel.env, batch: &mut batch }, delivery, room, thread_root, direct)?,
        };
        self.kernel.commit_follow_up(&format!("reached:{}", delivery.txn_id), actions, batch)
    }

    /// The capabilities' scheduled work, in the order it fires.
    fn scheduled(&self) -> [&dyn Scheduled; 3] {
        [&consult::Agendas, &consult::TicketDeadlines, &remind::DueReminders]
    }

    /// When the next scheduled work is due; none when nothing waits.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.kernel.next_due(&self.scheduled())
    }

    /// Fires everything due by `now` (reminders at most [`FIRE_BATCH`] at a time) in one
    /// transaction with the outbox entries of what it says.
    pub fn fire_due(&self, now: DateTime<Utc>) -> Result<Vec<Delivery>, StoreError> {
        self.kernel.fire_due(&self.scheduled(), now)
    }

    /// One ticket, for tests.
    #[cfg(test)]
    pub(crate) fn ticket(&self, id: &str) -> Result<Option<consult::ticket::Ticket>, StoreError> {
        consult::ticket(&self.kernel.env, id)
    }

    /// Every ticket ever stored (exports and tests).
    pub fn tickets(&self) -> Result<Vec<consult::ticket::Ticket>, StoreError> {
        consult::all_tickets(&self.kernel.env)
    }

    /// What to do with an invite (carried out directly, not through the outbox).
    pub fn decide_invite(&self, room: &str, inviter: &str) -> Vec<Action> {
        self.kernel.decide_invite(room, inviter)
    }

    /// Forgets processed-event marks older than `keep`.
    pub fn prune_processed(&self, keep: chrono::Duration) -> Result<usize, StoreError> {
        self.kernel.prune_processed(keep)
    }
}

#[cfg(test)]
mod scenarios;
