//! The pure core: an `Event` goes in, `Action`s come out. It reads and writes the local
//! store but never touches the network; adapters deliver what it decides.

mod action;
mod agenda;
mod commands;
mod consult;
mod event;
mod router;
mod due;
mod handoff;
mod throttle;
mod timers;
mod reminder_text;

pub use action::{txn_id_for, Action, Delivery, Grounding, Reach};
pub use consult::Link;
pub use event::{Event, IncomingMessage, IncomingReaction};
pub use router::{route, Route};

use crate::catalogue::regions::Regions;
use crate::catalogue::{detect_lang, Catalogue, Index};
use crate::clock::Clock;
use crate::config::{Config, RoomKind};
use crate::lang::{Lang, Message, Texts};
use crate::store::{Batch, Store, StoreError, TreeId};
use std::sync::{Arc, Mutex};

/// What the engine needs to know about its deployment; built from the config file or,
/// for `kaveri chat`, from defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bot_user: String,
    pub display_name: String,
    pub default_lang: Lang,
    /// The full config when running on Matrix; none in the console.
    pub config: Option<Config>,
    pub consult: ConsultSettings,
}

/// Where consultations go and who may handle them.
#[derive(Debug, Clone, Default)]
pub struct ConsultSettings {
    pub rooms: Vec<CoordinatorsRoom>,
    pub coordinators: Vec<String>,
    pub min_power_level: i64,
    pub regions: Regions,
    pub deadlines: crate::config::ConsultationsConfig,
}

#[derive(Debug, Clone)]
pub struct CoordinatorsRoom {
    pub id: String,
    /// None: takes every county's tickets.
    pub county: Option<String>,
}

/// The console's stand-in for a coordinators' room, so consultations can be tried there.
pub const CONSOLE_COORDINATORS_ROOM: &str = "!koordinaattorit:example.org";

impl Settings {
    /// Fails when the configured regions directory is broken; the message names the file.
    pub fn from_config(config: &Config) -> anyhow::Result<Settings> {
        let regions = match &config.catalogue.regions_dir {
            Some(dir) => Regions::load_dir(dir).map_err(|problems| anyhow::anyhow!("{}", problems.join("\n")))?,
            None => Regions::shipped(),
        };
        let rooms = config
            .rooms
            .iter()
            .filter(|r| r.kind == RoomKind::Coordinators)
            .map(|r| CoordinatorsRoom { id: r.id.clone(), county: r.county.clone() })
            .collect();
        Ok(Settings {
            bot_user: config.matrix.user_id.clone(),
            display_name: config.bot.display_name.clone(),
            default_lang: config.bot.default_language,
            config: Some(config.clone()),
            consult: ConsultSettings {
                rooms,
                coordinators: config.consultations.coordinators.clone(),
                min_power_level: config.consultations.min_power_level,
                regions,
                deadlines: config.consultations.clone(),
            },
        })
    }

    /// The console: no config; consultations go to a stand-in coordinators' room and are
    /// routed with the shipped regions.
    pub fn console(bot_user: &str) -> Settings {
        let regions = Regions::shipped();
        Settings {
            bot_user: bot_user.to_string(),
            display_name: "Kaveri".into(),
            default_lang: Lang::Fi,
            config: None,
            consult: ConsultSettings {
                rooms: vec![CoordinatorsRoom { id: CONSOLE_COORDINATORS_ROOM.into(), county: None }],
                coordinators: Vec::new(),
                min_power_level: 50,
                regions,
                deadlines: Default::default(),
            },
        }
    }

    fn room_lang(&self, room: &str) -> Lang {
        self.config.as_ref().and_then(|c| c.room_language(room)).unwrap_or(self.default_lang)
    }

    fn may_use(&self, user: &str) -> bool {
        self.config.as_ref().is_none_or(|c| c.may_use(user))
    }

    /// Words that address the bot at the start of a message.
    fn names(&self) -> Vec<String> {
        let localpart = self.bot_user.trim_start_matches('@').split(':').next().unwrap_or_default();
        let mut names = vec![self.bot_user.clone(), format!("@{localpart}"), self.display_name.clone()];
        if !localpart.eq_ignore_ascii_case(&self.display_name) {
            names.push(localpart.to_string());
        }
        // Longest first, so "@kaveri:server" wins over "@kaveri".
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names
    }
}

/// A position in the homeserver's event stream (a sync token) and when it was reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResumePoint {
    pub token: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

const RESUME_POINT: &[u8] = b"resume_point";

/// A message delivered later than this after it was decided says how late it is.
pub const DELIVERY_LATE_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

pub struct Engine {
    texts: Texts,
    settings: Settings,
    names: Vec<String>,
    store: Store,
    clock: Arc<dyn Clock>,
    catalogue: Catalogue,
    index: Index,
    /// One event at a time: a decision reads state that the previous one may have written.
    handling: Mutex<()>,
    throttle: Mutex<throttle::Throttle>,
}

impl Engine {
    /// Fails when prompts/ or the configured catalogue is broken; the message says where.
    pub fn new(settings: Settings, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<Engine> {
        let catalogue = match settings.config.as_ref().and_then(|c| c.catalogue.dir.as_deref()) {
            Some(dir) => Catalogue::load_dir(dir)?,
            None => Catalogue::shipped(),
        };
        let index = Index::build(&catalogue);
        let throttle = throttle::Throttle::new(settings.config.as_ref().map(|c| c.throttle).unwrap_or_default());
        Ok(Engine {
            texts: Texts::embedded()?,
            names: settings.names(),
            settings,
            store,
            clock,
            catalogue,
            index,
            handling: Mutex::new(()),
            throttle: Mutex::new(throttle),
        })
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Decides what an event calls for and records it, with the event's processed mark and
    /// the resulting outbox entries, in one transaction. An event seen before yields nothing.
    pub fn handle(&self, event: &Event) -> Result<Vec<Delivery>, StoreError> {
        let _one_at_a_time = self.handling.lock().unwrap_or_else(|e| e.into_inner());
        let event_id = event.event_id();
        if self.store.contains(TreeId::Processed, event_id.as_bytes())? {
            return Ok(Vec::new());
        }
        let mut batch = Batch::default();
        let actions = self.decide(event, &mut batch);
        batch.put(TreeId::Processed, event_id, &self.clock.now().timestamp());
        let deliveries = self.enqueue(event_id, actions, &mut batch)?;
        self.store.commit(batch)?;
        Ok(deliveries)
    }

    fn enqueue(&self, cause: &str, actions: Vec<Action>, batch: &mut Batch) -> Result<Vec<Delivery>, StoreError> {
        let mut deliveries = Vec::with_capacity(actions.len());
        for (index, action) in actions.into_iter().enumerate() {
            let delivery = Delivery {
                outbox_id: self.store.next_id()?,
                txn_id: txn_id_for(cause, index),
                action,
                decided_at: Some(self.clock.now()),
            };
            batch.put(TreeId::Outbox, delivery.outbox_id.to_be_bytes(), &delivery);
            deliveries.push(delivery);
        }
        Ok(deliveries)
    }

    /// Decides a whole batch of events (one sync response), then moves the resume point
    /// past it and writes everything to disk. A failure leaves the resume point where it
    /// was: the batch is read again and the events already committed are skipped.
    pub fn record_batch(&self, events: &[Event], resume: &ResumePoint) -> Result<usize, StoreError> {
        let mut decided = 0;
        for event in events {
            decided += self.handle(event)?.len();
        }
        self.save_resume_point(resume)?;
        Ok(decided)
    }

    /// Where the adapter's event stream continues after a restart; none before the first.
    pub fn resume_point(&self) -> Result<Option<ResumePoint>, StoreError> {
        self.store.get(TreeId::Meta, RESUME_POINT)
    }

    pub fn save_resume_point(&self, resume: &ResumePoint) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.put(TreeId::Meta, RESUME_POINT, resume);
        self.store.commit(batch)?;
        self.store.flush()
    }

    /// Actions decided earlier whose delivery was not confirmed (the bot stopped between
    /// deciding and sending). Resending them reuses their transaction ids.
    pub fn pending_deliveries(&self) -> Result<Vec<Delivery>, StoreError> {
        Ok(self.store.scan::<Delivery>(TreeId::Outbox)?.into_iter().map(|(_, d)| d).collect())
    }

    pub fn delivered(&self, outbox_id: u64) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.remove(TreeId::Outbox, outbox_id.to_be_bytes());
        self.store.commit(batch)
    }

    /// The note added to a message that leaves more than [`DELIVERY_LATE_AFTER`] after it
    /// was decided (the homeserver was unreachable, or the bot stopped before sending it),
    /// in the message's own language.
    pub fn delivery_late_note(&self, delivery: &Delivery, now: chrono::DateTime<chrono::Utc>) -> Option<Message> {
        let decided_at = delivery.decided_at?;
        if now - decided_at <= DELIVERY_LATE_AFTER {
            return None;
        }
        let (room, message) = match &delivery.action {
            Action::Send { room, message, .. } | Action::SendLinked { room, message, .. } => (room, message),
            Action::Answer { room, fallback, .. } => (room, fallback),
            _ => return None,
        };
        let lang = detect_lang(&message.plain).unwrap_or_else(|| self.settings.room_lang(room));
        let late = reminder_text::duration(&self.texts, lang, now - decided_at);
        let due = reminder_text::when(&self.texts, lang, decided_at);
        Some(self.texts.message(lang, crate::lang::Msg::DeliveryLate, &[("late", &late), ("due", &due)]))
    }

    /// The homeserver refused to remove a message with an identity code (the bot lacks
    /// the power level): the sender is asked to delete it, and the coordinators are told
    /// that such a message remains, without the code. Committed like any decision.
    pub fn redaction_refused(&self, redaction: &Delivery) -> Result<Vec<Delivery>, StoreError> {
        let Action::Redact { room, event_id, sender: Some(sender), lang, .. } = &redaction.action else {
            return Ok(Vec::new());
        };
        let _one_at_a_time = self.handling.lock().unwrap_or_else(|e| e.into_inner());
        let lang = lang.unwrap_or_else(|| self.settings.room_lang(room));
        let ask = self.texts.message(lang, crate::lang::Msg::RedactionRefusedSender, &[("user", sender)]);
        let mut actions = vec![Action::notify(room, None, ask, vec![sender.clone()]).answering(event_id)];
        for coordinators in self.coordinators_rooms_for(room) {
            let lang = self.settings.room_lang(&coordinators);
            let message =
                self.texts.message(lang, crate::lang::Msg::RedactionRefusedCoordinators, &[("room", room), ("user", sender)]);
            actions.push(Action::notify(&coordinators, None, message, Vec::new()));
        }
        tracing::warn!(room = %room, "could not remove a message with an identity code; its sender was asked to");
        self.commit_follow_up(&format!("redaction-refused:{event_id}"), actions, Batch::default())
    }

    /// Commits what the adapter's report on a delivery calls for (with `batch`'s other
    /// writes) and writes it to disk, so the outbox worker can send it at once.
    pub(crate) fn commit_follow_up(&self, cause: &str, actions: Vec<Action>, mut batch: Batch) -> Result<Vec<Delivery>, StoreError> {
        let deliveries = self.enqueue(cause, actions, &mut batch)?;
        self.store.commit(batch)?;
        self.store.flush()?;
        Ok(deliveries)
    }

    /// The coordinators' rooms that look after `room`: those of its county, when the
    /// config gives it one, else every coordinators' room.
    fn coordinators_rooms_for(&self, room: &str) -> Vec<String> {
        let county = self.settings.config.as_ref().and_then(|c| c.rooms.iter().find(|r| r.id == room)?.county.clone());
        let rooms = &self.settings.consult.rooms;
        let of_county: Vec<String> = rooms
            .iter()
            .filter(|r| county.is_some() && (r.county == county || r.county.is_none()))
            .map(|r| r.id.clone())
            .collect();
        if of_county.is_empty() {
            rooms.iter().map(|r| r.id.clone()).filter(|id| id != room).collect()
        } else {
            of_county
        }
    }

    /// Forgets processed-event marks older than `keep`. After a restart the homeserver
    /// only sends what came after the saved sync position, so old marks just take space.
    pub fn prune_processed(&self, keep: chrono::Duration) -> Result<usize, StoreError> {
        let cutoff = (self.clock.now() - keep).timestamp();
        let mut batch = Batch::default();
        let mut pruned = 0;
        for (key, handled_at) in self.store.scan::<i64>(TreeId::Processed)? {
            if handled_at < cutoff {
                batch.remove(TreeId::Processed, key);
                pruned += 1;
            }
        }
        self.store.commit(batch)?;
        Ok(pruned)
    }

    /// What to do with an invite. Joining twice is harmless, so invites skip the
    /// processed-event marks and the outbox: the adapter carries these out directly.
    pub fn decide_invite(&self, room: &str, inviter: &str) -> Vec<Action> {
        let welcome = self.settings.config.as_ref().is_none_or(|c| c.may_invite(inviter) && c.room_allowed(room));
        if welcome {
            return vec![Action::Join { room: room.to_string() }];
        }
        let lang = self.settings.room_lang(room);
        vec![
            Action::Join { room: room.to_string() },
            Action::reply(room, None, self.texts.message(lang, crate::lang::Msg::LeavingRoom, &[])),
            Action::Leave { room: room.to_string() },
        ]
    }

    fn decide(&self, event: &Event, batch: &mut Batch) -> Vec<Action> {
        match event {
            Event::Message(msg) => self.decide_message(msg, batch),
            // A reaction from someone who may not use the bot changes nothing.
            Event::Reaction(reaction)
                if reaction.sender != self.settings.bot_user && self.settings.may_use(&reaction.sender) =>
            {
                self.consult_reaction(reaction, batch)
            }
            Event::Reaction(_) => Vec::new(),
        }
    }

    /// Whether the bot takes in this message: a command or question for it, a message in
    /// a consultation's thread (relayed), or the answer to a question it asked.
    fn reads(&self, msg: &IncomingMessage, route: &Route<'_>) -> bool {
        *route != Route::Ignore
            || msg.thread_root.as_deref().is_some_and(|root| self.link(root).is_some())
            || self.has_draft(&msg.room, &msg.sender)
    }

    /// The privacy gate every message the bot takes in passes first: a personal identity
    /// code, in any spelling, stops everything. Nothing is answered, stored or forwarded,
    /// the sender is told why, and the message is redacted where the bot may do so.
    fn refuse_identity_code(&self, msg: &IncomingMessage, route: &Route<'_>, lang: Lang) -> Vec<Action> {
        let text = match route {
            Route::Command { command: crate::lang::CommandKey::Remind, .. } => crate::lang::Msg::RemindIdentityCode,
            _ => crate::lang::Msg::PrivacyHetu,
        };
        tracing::info!(room = %msg.room, "refused a message with a personal identity code");
        vec![
            Action::reply(&msg.room, msg.thread_root.as_deref(), self.texts.message(lang, text, &[])).answering(&msg.event_id),
            Action::redact_identity_code(msg, lang),
        ]
    }

    fn decide_message(&self, msg: &IncomingMessage, batch: &mut Batch) -> Vec<Action> {
        if msg.sender == self.settings.bot_user {
            return Vec::new();
        }
        let route = route(&self.texts, &msg.text, msg.mentions_bot || msg.is_direct, &self.names);
        if !self.reads(msg, &route) {
            return Vec::new();
        }
        let lang = match route {
            Route::Command { lang, .. } => lang,
            Route::Question { text } => detect_lang(text).unwrap_or_else(|| self.settings.room_lang(&msg.room)),
            _ => self.settings.room_lang(&msg.room),
        };
        // Privacy first: an identity code is removed whoever sent it.
        if crate::consult::privacy::contains_hetu(&msg.text) {
            return self.refuse_identity_code(msg, &route, lang);
        }
        // Access second, for everything the bot reads: commands, questions, thread relays
        // and answers to its own questions alike.
        if !self.settings.may_use(&msg.sender) {
            if route == Route::Ignore {
                return Vec::new();
            }
            let refusal = self.texts.message(lang, crate::lang::Msg::NotAllowed, &[]);
            return vec![Action::reply(&msg.room, msg.thread_root.as_deref(), refusal).answering(&msg.event_id)];
        }
        // Then the throttle: past a burst, one "slow down" and then silence for a while.
        let (admission, quiet) = {
            let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
            (throttle.admit(&msg.sender, &msg.room, msg.at), throttle.quiet())
        };
        match admission {
            throttle::Admission::Answer => {}
            throttle::Admission::SlowDown => {
                let quiet = reminder_text::duration(&self.texts, lang, quiet);
                let message = self.texts.message(lang, crate::lang::Msg::SlowDown, &[("quiet", &quiet)]);
                tracing::info!(room = %msg.room, "throttled a sender");
                return vec![Action::reply(&msg.room, msg.thread_root.as_deref(), message).answering(&msg.event_id)];
            }
            throttle::Admission::Drop => return Vec::new(),
        }
        if matches!(route, Route::Ignore | Route::Question { .. }) {
            // Not a command: maybe part of a consultation, or the answer the bot asked for.
            if let Some(actions) = self.thread_message(msg, batch).or_else(|| self.draft_answer(msg, batch)) {
                return actions;
            }
        }
        if route == Route::Ignore {
            return Vec::new();
        }
        let ctx = commands::Ctx { engine: self, msg, lang, batch };
        commands::dispatch(ctx, route)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod reminder_tests;
#[cfg(test)]
mod consult_tests;
