//! Every rule about who may do what, and what may be kept, in one place. The kernel's
//! gate applies them to each message and reaction before any capability sees it;
//! capabilities call [`screen`] on every text they store or forward.

use super::throttle::Admission;
use super::{Action, IncomingMessage, IncomingReaction, Kernel, Route};
use crate::lang::{CommandKey, Lang, Msg};
use crate::privacy;

impl super::Settings {
    /// `[access]`: who may use the bot (everyone sharing a room with it, when unset).
    pub fn may_use(&self, user: &str) -> bool {
        self.config.as_ref().is_none_or(|c| c.may_use(user))
    }

    /// Whether an invite from `inviter` into `room` is welcome.
    pub fn welcomes_invite(&self, room: &str, inviter: &str) -> bool {
        self.config.as_ref().is_none_or(|c| c.may_invite(inviter) && c.room_allowed(room))
    }

    /// Work-ability coordinators: listed in config or regions, or with enough power in a
    /// coordinators' room (the adapter reports the sender's power level there).
    pub fn is_coordinator(&self, user: &str, room: &str, power: Option<i64>) -> bool {
        let c = &self.consultations;
        c.coordinators.iter().any(|u| u == user)
            || self.regions.files.iter().any(|f| {
                f.area.iter().any(|a| a.coordinators.iter().any(|u| u == user))
                    || f.topic.iter().any(|t| t.coordinators.iter().any(|u| u == user))
            })
            || (self.coordinators_rooms.iter().any(|r| r.id == room) && power.is_some_and(|p| p >= c.min_power_level))
    }
}

/// A text as it may be stored, forwarded or logged: phone numbers, e-mail addresses and
/// identity codes masked (a message with an identity code is refused whole by the gate;
/// the mask is for the debug log, which sees messages before the gate).
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    pub text: String,
    /// Whether anything was masked (the sender is told).
    pub masked: bool,
}

pub fn screen(text: &str) -> Screened {
    let findings = privacy::scan(text);
    Screened { text: privacy::mask(text, &findings), masked: !findings.is_empty() }
}

/// What the gate decided about a message the bot reads.
pub enum Gate {
    /// Go on to the capabilities.
    Pass,
    /// Stop here with these actions (a refusal, a "slow down", or nothing).
    Stop(Vec<Action>),
}

impl Kernel {
    /// The gate every message the bot reads passes first. An identity code, in any
    /// spelling, stops everything: nothing is answered, stored or forwarded, the sender
    /// is told why, and the message is redacted where the bot may. Then access, for
    /// everything the bot reads (commands, questions, thread relays, answers to its own
    /// questions); then the throttle.
    pub fn gate(&self, msg: &IncomingMessage, route: &Route<'_>, lang: Lang) -> Gate {
        let env = &self.env;
        // The HTML too: a link's address is not in the plain body.
        if privacy::contains_hetu(&msg.text) || msg.html.as_deref().is_some_and(privacy::contains_hetu) {
            let text = match route {
                Route::Command { command: CommandKey::Remind, .. } => Msg::RemindIdentityCode,
                _ => Msg::PrivacyHetu,
            };
            tracing::info!(room = %msg.room, "refused a message with a personal identity code");
            return Gate::Stop(vec![msg.reply(env.msg(lang, text, &[])), Action::redact_identity_code(msg, lang)]);
        }
        if !env.settings.may_use(&msg.sender) {
            if *route == Route::Ignore {
                return Gate::Stop(Vec::new());
            }
            return Gate::Stop(vec![msg.reply(env.msg(lang, Msg::NotAllowed, &[]))]);
        }
        let (admission, quiet) = {
            let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
            (throttle.admit(&msg.event_id, &msg.sender, &msg.room, msg.at), throttle.quiet())
        };
        match admission {
            Admission::Answer => Gate::Pass,
            Admission::SlowDown => {
                let quiet = crate::time::words::duration(&env.texts, lang, quiet);
                tracing::info!(room = %msg.room, "throttled a sender");
                Gate::Stop(vec![msg.reply(env.msg(lang, Msg::SlowDown, &[("quiet", &quiet)]))])
            }
            Admission::Drop => Gate::Stop(Vec::new()),
        }
    }

    /// A reaction counts only from someone who may use the bot (and never from itself).
    pub fn admits_reaction(&self, reaction: &IncomingReaction) -> bool {
        reaction.sender != self.env.settings.bot_user && self.env.settings.may_use(&reaction.sender)
    }

    /// What to do with an invite. Joining twice is harmless, so invites skip the
    /// processed-event marks and the outbox: the adapter carries these out directly.
    pub fn decide_invite(&self, room: &str, inviter: &str) -> Vec<Action> {
        if self.env.settings.welcomes_invite(room, inviter) {
            return vec![Action::Join { room: room.to_string() }];
        }
        let lang = self.env.settings.room_lang(room);
        vec![
            Action::Join { room: room.to_string() },
            Action::reply(room, None, self.env.msg(lang, Msg::LeavingRoom, &[])),
            Action::Leave { room: room.to_string() },
        ]
    }

    /// The homeserver refused to remove a message with an identity code (the bot lacks
    /// the power level): the sender is asked to delete it, and the coordinators are told
    /// that such a message remains, without the code. Committed like any decision.
    pub fn redaction_refused(&self, redaction: &super::Delivery) -> Result<Vec<super::Delivery>, crate::store::StoreError> {
        let Action::Redact { room, event_id, sender: Some(sender), lang, .. } = &redaction.action else {
            return Ok(Vec::new());
        };
        let _one_at_a_time = self.one_at_a_time();
        let settings = &self.env.settings;
        let lang = lang.unwrap_or_else(|| settings.room_lang(room));
        let ask = self.env.msg(lang, Msg::RedactionRefusedSender, &[("user", sender)]);
        let mut actions = vec![Action::notify(room, None, ask, vec![sender.clone()]).answering(event_id)];
        for coordinators in settings.coordinators_rooms_for(room) {
            let lang = settings.room_lang(&coordinators);
            let message = self.env.msg(lang, Msg::RedactionRefusedCoordinators, &[("room", room), ("user", sender)]);
            actions.push(Action::notify(&coordinators, None, message, Vec::new()));
        }
        tracing::warn!(room = %room, "could not remove a message with an identity code; its sender was asked to");
        self.commit_follow_up(&format!("redaction-refused:{event_id}"), actions, crate::store::Batch::default())
    }
}
