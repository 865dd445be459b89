//! Engine scenarios: what people in the rooms see, driven through `Engine::handle` and
//! the scheduler with a hand-moved clock. Every scenario file uses this one harness.

mod basics;
mod consult;
mod failing_store;
mod remind;

pub(super) use super::*;
pub(super) use crate::clock::ManualClock;
pub(super) use crate::config::Config;
pub(super) use crate::store::{Batch, TreeId};
pub(super) use crate::lang::{Lang, Msg};
pub(super) use chrono::{DateTime, TimeZone, Utc};
use std::cell::Cell;

/// Monday 23.11.2026 10:00 in Helsinki.
pub(super) fn monday_ten() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

/// One test deployment: an engine on a throw-away store, with a clock the test moves.
pub(super) struct Fixture {
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    next_event: Cell<u32>,
}

impl Fixture {
    /// The console's deployment (no config file).
    pub fn console(now: DateTime<Utc>) -> Fixture {
        Fixture::with_settings(Settings::console("@kaveri:localhost"), Store::temporary().unwrap(), now)
    }

    /// A deployment configured with `rest` after the `[matrix]` section.
    pub fn configured(rest: &str, now: DateTime<Utc>) -> Fixture {
        Fixture::with_settings(settings(rest), Store::temporary().unwrap(), now)
    }

    pub fn with_settings(settings: Settings, store: Store, now: DateTime<Utc>) -> Fixture {
        let clock = Arc::new(ManualClock::new(now));
        let engine = Engine::new(settings, store, clock.clone()).unwrap();
        Fixture { engine, clock, next_event: Cell::new(0) }
    }

    /// A new event id.
    pub fn next_id(&self) -> String {
        self.next_event.set(self.next_event.get() + 1);
        format!("$e{}", self.next_event.get())
    }

    /// `sender` says `text` in `room` now; the plain texts of the bot's answers.
    pub fn say_in(&self, room: &str, sender: &str, text: &str) -> Vec<String> {
        plain(&self.engine.handle(&Event::Message(self.message(room, sender, text))).unwrap())
    }

    /// Fires what is due now.
    pub fn fire(&self) -> Vec<Delivery> {
        self.engine.fire_due(self.engine.now()).unwrap()
    }

    /// A message from `sender` in `room` now.
    pub fn message(&self, room: &str, sender: &str, text: &str) -> IncomingMessage {
        incoming(&self.next_id(), room, sender, text, self.engine.now())
    }
}

/// A plain message, not addressed to the bot by mention.
pub(super) fn incoming(id: &str, room: &str, sender: &str, text: &str, at: DateTime<Utc>) -> IncomingMessage {
    IncomingMessage {
        event_id: id.into(),
        sender: sender.into(),
        room: room.into(),
        text: text.into(),
        html: None,
        thread_root: None,
        mentions_bot: false,
        is_direct: false,
        sender_power: None,
        at,
    }
}

/// Settings from a config whose `[matrix]` section is filled in and `rest` follows.
pub(super) fn settings(rest: &str) -> Settings {
    settings_from(&format!(
        "[matrix]\nhomeserver = \"http://127.0.0.1:8008\"\nuser_id = \"@kaveri:localhost\"\npassword = \"x\"\n{rest}"
    ))
}

/// Settings from a whole config file.
pub(super) fn settings_from(config: &str) -> Settings {
    Settings::from_config(&Config::parse(config, "t.toml").unwrap()).unwrap()
}

/// The plain text of each message among `deliveries` (a catalogue answer's fallback).
pub(super) fn plain(deliveries: &[Delivery]) -> Vec<String> {
    deliveries
        .iter()
        .filter_map(|d| match &d.action {
            Action::Send { message, .. } | Action::SendLinked { message, .. } => Some(message.plain.clone()),
            Action::Answer { fallback, .. } => Some(fallback.plain.clone()),
            _ => None,
        })
        .collect()
}
