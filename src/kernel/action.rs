//! What the engine decides and adapters carry out.

use crate::lang::{Lang, Message};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// Post a message; in a thread when `thread_root` is set.
    Send {
        room: String,
        message: Message,
        thread_root: Option<String>,
        /// Bot chatter that other bots should ignore (m.notice).
        notice: bool,
        /// Exactly the people to notify (m.mentions); nobody when empty, never the room.
        #[serde(default)]
        mentions: Vec<String>,
        /// The message this answers (m.in_reply_to), so a busy room sees whose it is.
        #[serde(default)]
        in_reply_to: Option<String>,
        /// A person who must see it even if they are not in `room` (a colleague's
        /// reminder): the adapter then sends it where they are (see `SendLinked`).
        #[serde(default)]
        reach: Option<Reach>,
    },
    React { room: String, event_id: String, key: String },
    /// Remove a person's message (one with an identity code). Should the homeserver refuse,
    /// `sender` is asked in `lang` to delete it and the coordinators are told.
    Redact {
        room: String,
        event_id: String,
        reason: Option<String>,
        #[serde(default)]
        sender: Option<String>,
        #[serde(default)]
        lang: Option<Lang>,
    },
    Join { room: String },
    Leave { room: String },
    /// Post a message whose event id the engine must learn (a new ticket for its
    /// coordinators, a feedback question, a handoff): each asks someone to act, so it is
    /// plain text mentioning them. The adapter reports the event id back with
    /// `Engine::link_sent`.
    SendLinked {
        room: String,
        message: Message,
        thread_root: Option<String>,
        /// Users to notify (m.mentions).
        mentions: Vec<String>,
        link: Link,
        /// The person who must see it. When they are not in `room`, the adapter posts it
        /// where they are (`or_in`, else a direct message) and reports where with
        /// `Engine::reached_elsewhere`.
        #[serde(default)]
        reach: Option<Reach>,
    },
    /// A confident catalogue answer (always m.notice). An adapter with an answer model
    /// may phrase it from `grounding`'s cards, keeping their source lines; without one,
    /// or on any error or timeout, it sends `fallback`, the extractive answer.
    Answer {
        room: String,
        thread_root: Option<String>,
        fallback: Message,
        grounding: Grounding,
        /// The question it answers.
        #[serde(default)]
        in_reply_to: Option<String>,
    },
}

/// What a message the bot posts belongs to, so that replies and reactions to it find
/// their place: the adapter reports its event id back (`Engine::link_sent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Link {
    /// The root of a ticket's thread in the coordinators' room.
    TicketThread(String),
    /// The professional's original question: its thread is the asker's side.
    AskerQuestion(String),
    /// The bot's "how useful was it?" question.
    Feedback(String),
    /// A handoff's announcement (ticket id, index among its handoffs): ✅ acknowledges.
    Handoff(String, usize),
}

impl Link {
    /// The ticket it belongs to.
    pub fn ticket(&self) -> &str {
        match self {
            Link::TicketThread(id) | Link::AskerQuestion(id) | Link::Feedback(id) | Link::Handoff(id, _) => id,
        }
    }
}

/// Someone a message must reach, and a second place to try before a direct message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    pub person: String,
    /// A room and thread (the ticket's, in the coordinators' room) where they may be.
    pub or_in: Option<(String, Option<String>)>,
    /// Whom to tell when it went elsewhere, and how (a colleague's reminder: its
    /// creator, where they set it). Handoffs say so through their link instead.
    #[serde(default)]
    pub tell: Option<Tell>,
}

/// A note to post when a message had to go elsewhere: in `room` (and `thread_root`),
/// in `lang`, naming reminder `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tell {
    pub room: String,
    pub thread_root: Option<String>,
    pub lang: Lang,
    pub id: u64,
}

/// What a phrased answer may draw on: the question (identity codes, phones and e-mails
/// already masked) and the cards retrieved for it, best first, all of which it cites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grounding {
    pub question: String,
    pub lang: Lang,
    pub card_ids: Vec<String>,
}

impl Action {
    /// The removal of a message that holds a personal identity code.
    pub fn redact_identity_code(msg: &super::IncomingMessage, lang: Lang) -> Action {
        Action::Redact {
            room: msg.room.clone(),
            event_id: msg.event_id.clone(),
            reason: None,
            sender: Some(msg.sender.clone()),
            lang: Some(lang),
        }
    }

    /// A message someone must act on or is waiting for: plain text (clients following the
    /// default push rules never notify for notices) mentioning exactly `people`.
    pub fn notify(room: &str, thread_root: Option<&str>, message: Message, people: Vec<String>) -> Action {
        let message = people.iter().fold(message, |message, person| message.with_pill(person));
        Action::Send {
            room: room.to_string(),
            message,
            thread_root: thread_root.map(str::to_string),
            notice: false,
            mentions: people,
            in_reply_to: None,
            reach: None,
        }
    }

    /// Bot chatter nobody must act on (help, catalogue answers, confirmations): a notice.
    pub fn reply(room: &str, thread_root: Option<&str>, message: Message) -> Action {
        Action::Send {
            room: room.to_string(),
            message,
            thread_root: thread_root.map(str::to_string),
            notice: true,
            mentions: Vec::new(),
            in_reply_to: None,
            reach: None,
        }
    }

    /// The same message as an answer to `event` (m.in_reply_to).
    pub fn answering(mut self, event: &str) -> Action {
        if let Action::Send { in_reply_to, .. } | Action::Answer { in_reply_to, .. } = &mut self {
            *in_reply_to = Some(event.to_string());
        }
        self
    }
}

/// An action stored in the outbox. `txn_id` is derived from what caused it, so a resend
/// after a crash is recognised by the homeserver instead of delivered twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub outbox_id: u64,
    pub txn_id: String,
    pub action: Action,
    /// When it was decided (for a fired reminder: when it fired). A message that leaves
    /// much later says so. None in outboxes written before this field existed.
    #[serde(default)]
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// FNV-1a: a stable hash (unlike std's), so the same cause gives the same transaction id
/// in every build and after every restart.
pub fn txn_id_for(cause: &str, index: usize) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in cause.bytes().chain(index.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("kaveri{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_are_stable_and_distinct() {
        assert_eq!(txn_id_for("$e1", 0), txn_id_for("$e1", 0));
        assert_ne!(txn_id_for("$e1", 0), txn_id_for("$e1", 1));
        assert_ne!(txn_id_for("$e1", 0), txn_id_for("$e2", 0));
    }
}
