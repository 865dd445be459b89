//! What adapters hand to the engine: everything it needs, nothing network-shaped.

use chrono::{DateTime, Utc};

/// A text message someone sent in a room the bot is in.
#[derive(Debug, Clone)]
pub struct IncomingMessage {
    /// Unique per homeserver event; the engine never handles the same id twice.
    pub event_id: String,
    pub sender: String,
    pub room: String,
    pub text: String,
    /// The message's HTML (`formatted_body`), sanitised by the adapter to the tags and
    /// attributes Matrix allows; none for a plain message.
    pub html: Option<String>,
    /// Root of the thread the message was sent in, if any.
    pub thread_root: Option<String>,
    /// The adapter decides whether the bot was mentioned (pill, m.mentions, or its name).
    pub mentions_bot: bool,
    /// A one-to-one room with the bot: every message there is meant for it.
    pub is_direct: bool,
    /// The sender's power level in the room, where the adapter knows it; coordinators'
    /// rooms grant coordinator rights from a configured level.
    pub sender_power: Option<i64>,
    pub at: DateTime<Utc>,
}

impl IncomingMessage {
    /// A reply where the message was written (in its thread, if it came in one), as an
    /// answer to it.
    pub fn reply(&self, message: crate::lang::Message) -> super::Action {
        super::Action::reply(&self.room, self.thread_root.as_deref(), message).answering(&self.event_id)
    }
}

/// A reaction (annotation) someone put on a message.
#[derive(Debug, Clone)]
pub struct IncomingReaction {
    pub event_id: String,
    pub sender: String,
    pub room: String,
    /// The message reacted to.
    pub target: String,
    pub key: String,
    pub sender_power: Option<i64>,
    pub at: DateTime<Utc>,
}

impl IncomingReaction {
    /// The reaction as a command from its sender with no text (👍 claims, ✅
    /// acknowledges), answered in `thread_root`.
    pub fn as_command(&self, thread_root: Option<String>) -> IncomingMessage {
        IncomingMessage {
            event_id: self.event_id.clone(),
            sender: self.sender.clone(),
            room: self.room.clone(),
            text: String::new(),
            html: None,
            thread_root,
            mentions_bot: false,
            is_direct: false,
            sender_power: self.sender_power,
            at: self.at,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    Message(IncomingMessage),
    Reaction(IncomingReaction),
}

impl Event {
    pub fn event_id(&self) -> &str {
        match self {
            Event::Message(m) => &m.event_id,
            Event::Reaction(r) => &r.event_id,
        }
    }
}
