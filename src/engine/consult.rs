//! Consultation tickets inside the engine: opening (with the privacy guard and routing),
//! moving them through their life, the dialogue between asker and coordinator, and
//! feedback. Every state change is written in the same batch as the messages that
//! announce it.

use super::{Action, Engine, IncomingMessage};
use crate::consult::privacy::{self, FindingKind};
use crate::consult::routing::{self, Routing};
use crate::consult::ticket::{parse_ticket_id, ticket_id, AuditRecord, Origin, Refusal, Status, Ticket, Transition};
use crate::lang::{CommandKey, Lang, Message, Msg};
use crate::store::{Batch, StoreError, TreeId};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

/// How long the bot waits for the municipality or a "yes".
const DRAFT_MINUTES: i64 = 30;

/// What a Matrix event of the bot's (or the asker's question) belongs to.
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
    pub fn ticket(&self) -> &str {
        match self {
            Link::TicketThread(id) | Link::AskerQuestion(id) | Link::Feedback(id) | Link::Handoff(id, _) => id,
        }
    }
}

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

/// Ticket ids count up per year; the counter lives in the meta tree.
pub(super) fn counter_key(year: i32) -> String {
    format!("ticket_counter_{year}")
}

impl Engine {
    pub(crate) fn ticket(&self, id: &str) -> Result<Option<Ticket>, StoreError> {
        self.store.get(TreeId::Tickets, id.as_bytes())
    }

    pub fn tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        Ok(self.store.scan::<Ticket>(TreeId::Tickets)?.into_iter().map(|(_, t)| t).collect())
    }

    pub(crate) fn link(&self, event_id: &str) -> Option<Link> {
        self.store.get(TreeId::Links, event_id.as_bytes()).ok().flatten()
    }

    /// Called by adapters once a linked message is posted, with its event id, so replies
    /// and reactions to it find their ticket.
    pub fn link_sent(&self, link: &Link, event_id: &str) -> Result<(), StoreError> {
        let _one_at_a_time = self.handling.lock().unwrap_or_else(|e| e.into_inner());
        let mut batch = Batch::default();
        batch.put(TreeId::Links, event_id, link);
        if let Link::TicketThread(id) = link {
            if let Some(mut ticket) = self.ticket(id)? {
                ticket.thread_root = Some(event_id.to_string());
                batch.put(TreeId::Tickets, id.as_bytes(), &ticket);
            }
        }
        self.store.commit(batch)?;
        self.store.flush()
    }

    /// Work-ability coordinators: listed in config or regions, or with enough power in a
    /// coordinators' room (the adapter reports the sender's power level there).
    pub(crate) fn is_coordinator(&self, user: &str, room: &str, power: Option<i64>) -> bool {
        let c = &self.settings.consult;
        c.coordinators.iter().any(|u| u == user)
            || c.regions.files.iter().any(|f| {
                f.area.iter().any(|a| a.coordinators.iter().any(|u| u == user))
                    || f.topic.iter().any(|t| t.coordinators.iter().any(|u| u == user))
            })
            || (c.rooms.iter().any(|r| r.id == room) && power.is_some_and(|p| p >= c.min_power_level))
    }

    fn msg(&self, lang: Lang, key: Msg, args: &[(&str, &str)]) -> Message {
        self.texts.message(lang, key, args)
    }

    /// The language to tell the asker of a ticket things in.
    pub(crate) fn asker_lang(&self, ticket: &Ticket) -> Lang {
        ticket.asker_lang.unwrap_or_else(|| self.settings.room_lang(&ticket.asker_room))
    }

    fn status_name(&self, lang: Lang, status: Status) -> String {
        super::commands::status_name(&self.texts, lang, status)
    }

    /// The privacy guard for text that would be stored or forwarded. `Err` carries the
    /// reply (and a redaction) when an identity code was found: nothing may be kept.
    pub(crate) fn screen(&self, msg: &IncomingMessage, text: &str, lang: Lang) -> Result<(String, bool), Vec<Action>> {
        let findings = privacy::scan(text);
        if findings.iter().any(|f| f.kind == FindingKind::Hetu) {
            return Err(vec![
                Action::reply(&msg.room, msg.thread_root.as_deref(), self.msg(lang, Msg::PrivacyHetu, &[])),
                Action::redact_identity_code(msg, lang),
            ]);
        }
        Ok((privacy::mask(text, &findings), !findings.is_empty()))
    }

    /// `!konsultaatio <question>`: screens the question, routes it, and opens a ticket or
    /// asks for the municipality first.
    pub(crate) fn consult_open(&self, msg: &IncomingMessage, question: &str, lang: Lang, batch: &mut Batch) -> Vec<Action> {
        if question.trim().is_empty() {
            return vec![Action::reply(&msg.room, msg.thread_root.as_deref(), self.msg(lang, Msg::ConsultUsage, &[]))];
        }
        let (masked, was_masked) = match self.screen(msg, question, lang) {
            Ok(screened) => screened,
            Err(refusal) => return refusal,
        };
        let draft = Draft {
            question: masked,
            lang,
            asker_event: msg.thread_root.clone().unwrap_or_else(|| msg.event_id.clone()),
            at: msg.at,
            stage: DraftStage::NeedsMunicipality,
        };
        let mut actions = Vec::new();
        if was_masked {
            actions.push(self.reply_in(msg, &draft, self.msg(lang, Msg::PrivacyContactMasked, &[])));
        }
        actions.extend(self.open_or_ask(msg, draft, batch));
        actions
    }

    fn reply_in(&self, msg: &IncomingMessage, draft: &Draft, message: Message) -> Action {
        Action::reply(&msg.room, Some(&draft.asker_event), message)
    }

    fn open_or_ask(&self, msg: &IncomingMessage, draft: Draft, batch: &mut Batch) -> Vec<Action> {
        let routing = routing::route(&self.settings.consult.regions, &draft.question);
        if routing.municipality.is_none() {
            let ask = self.reply_in(msg, &draft, self.msg(draft.lang, Msg::ConsultAskMunicipality, &[]));
            batch.put(TreeId::Drafts, draft_key(&msg.room, &msg.sender), &Draft { stage: DraftStage::NeedsMunicipality, ..draft });
            return vec![ask];
        }
        batch.remove(TreeId::Drafts, draft_key(&msg.room, &msg.sender));
        self.open_ticket(msg, draft, routing, batch)
    }

    /// The coordinators' room for a county: one configured for it, else one for all.
    /// The coordinators' room for a county's tickets, and whether it is a fallback (the
    /// county has none of its own). A question is never dropped while any room exists.
    fn coordinators_room(&self, county: Option<&str>) -> Option<(String, bool)> {
        let rooms = &self.settings.consult.rooms;
        if let Some(own) = rooms.iter().find(|r| r.county.is_some() && r.county.as_deref() == county) {
            return Some((own.id.clone(), false));
        }
        if let Some(general) = rooms.iter().find(|r| r.county.is_none()) {
            // A room without a county takes every county's tickets: no fallback.
            return Some((general.id.clone(), false));
        }
        let configured = self.settings.consult.deadlines.fallback_room.clone();
        configured.or_else(|| rooms.first().map(|r| r.id.clone())).map(|room| (room, true))
    }

    fn open_ticket(&self, msg: &IncomingMessage, draft: Draft, routing: Routing, batch: &mut Batch) -> Vec<Action> {
        let lang = draft.lang;
        let Some((room, fallback)) = self.coordinators_room(routing.county.as_deref()) else {
            return vec![self.reply_in(msg, &draft, self.msg(lang, Msg::ConsultNotConfigured, &[]))];
        };
        let year = msg.at.year();
        let number = match self.store.get::<u32>(TreeId::Meta, counter_key(year).as_bytes()) {
            Ok(last) => last.unwrap_or(0) + 1,
            Err(e) => {
                batch.fail(e);
                return Vec::new();
            }
        };
        batch.put(TreeId::Meta, counter_key(year), &number);
        let origin = Origin { asker: &msg.sender, room: &msg.room, event: &draft.asker_event, at: msg.at, lang };
        let mut ticket = Ticket::new(ticket_id(year, number), origin, draft.question.clone(), &room);
        ticket.municipality = routing.municipality.clone();
        ticket.topic = routing.topic.clone();
        ticket.county = routing.county.clone();
        ticket.coordinators = routing.coordinators.clone();
        batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
        batch.put(TreeId::Links, ticket.asker_event.as_bytes(), &Link::AskerQuestion(ticket.id.clone()));
        audit(batch, self, &AuditRecord::opened(&ticket));
        let room_lang = self.settings.room_lang(&room);
        let coordinators = if ticket.coordinators.is_empty() { "-".to_string() } else { ticket.coordinators.join(", ") };
        let municipality = ticket.municipality.clone().unwrap_or_default();
        let local = |lang: Lang| self.settings.consult.regions.municipality_name(&municipality, lang);
        let notice = self.msg(
            room_lang,
            Msg::TicketNotice,
            &[
                ("id", &ticket.id),
                ("municipality", &local(room_lang)),
                ("topic", ticket.topic.as_deref().unwrap_or("-")),
                ("question", &ticket.question),
                ("asker", &ticket.asker),
                ("coordinators", &coordinators),
                ("opened", &super::reminder_text::when(&self.texts, room_lang, ticket.opened_at)),
            ],
        );
        let mut opened =
            self.msg(lang, Msg::ConsultOpened, &[("id", &ticket.id), ("municipality", &local(lang)), ("coordinators", &coordinators)]);
        if fallback {
            // The asker learns that their county's coordinators do not have the ticket.
            let county = routing.county.clone().unwrap_or_else(|| local(lang));
            opened = Message::join(&[opened, self.msg(lang, Msg::ConsultFallbackRoom, &[("county", &county)])]);
        }
        vec![
            Action::SendLinked {
                room,
                message: ticket.coordinators.iter().fold(notice, |notice, c| notice.with_pill(c)),
                thread_root: None,
                mentions: ticket.coordinators.clone(),
                link: Link::TicketThread(ticket.id.clone()),
                reach: None,
            },
            self.reply_in(msg, &draft, opened),
        ]
    }

    /// After an answer it was not sure of, the bot offers a consultation; the question
    /// waits (screened) for a "yes".
    pub(crate) fn offer_consult(&self, msg: &IncomingMessage, question: &str, lang: Lang, batch: &mut Batch) -> Option<Message> {
        let findings = privacy::scan(question);
        if findings.iter().any(|f| f.kind == FindingKind::Hetu) {
            return Some(self.msg(lang, Msg::PrivacyHetu, &[]));
        }
        if self.settings.consult.rooms.is_empty() {
            return None;
        }
        let draft = Draft {
            question: privacy::mask(question, &findings),
            lang,
            asker_event: msg.thread_root.clone().unwrap_or_else(|| msg.event_id.clone()),
            at: msg.at,
            stage: DraftStage::Offered,
        };
        batch.put(TreeId::Drafts, draft_key(&msg.room, &msg.sender), &draft);
        Some(self.msg(lang, Msg::AnswerOfferConsult, &[]))
    }

    /// Whether the bot waits for an answer from this person here. A store error counts
    /// as yes, so that the privacy gate errs on the side of refusing.
    pub(crate) fn has_draft(&self, room: &str, sender: &str) -> bool {
        self.store.contains(TreeId::Drafts, &draft_key(room, sender)).unwrap_or(true)
    }

    /// A plain message that may answer the bot: "yes" to an offer, or the municipality.
    pub(crate) fn draft_answer(&self, msg: &IncomingMessage, batch: &mut Batch) -> Option<Vec<Action>> {
        let draft: Draft = self.store.get(TreeId::Drafts, &draft_key(&msg.room, &msg.sender)).ok().flatten()?;
        if (msg.at - draft.at).num_minutes() > DRAFT_MINUTES {
            batch.remove(TreeId::Drafts, draft_key(&msg.room, &msg.sender));
            return None;
        }
        match draft.stage {
            DraftStage::Offered => {
                self.texts.answer_word(crate::lang::Word::Yes, &msg.text)?;
                Some(self.open_or_ask(msg, draft, batch))
            }
            DraftStage::NeedsMunicipality => {
                // Only a short reply can be the municipality; anything longer is chat.
                if msg.text.split_whitespace().count() > 4 {
                    return None;
                }
                let (text, _) = match self.screen(msg, &msg.text, draft.lang) {
                    Ok(screened) => screened,
                    Err(refusal) => return Some(refusal),
                };
                if routing::find_municipality(&self.settings.consult.regions, &text).is_none() {
                    let reply = self.msg(draft.lang, Msg::ConsultMunicipalityUnknown, &[("text", msg.text.trim())]);
                    return Some(vec![self.reply_in(msg, &draft, reply)]);
                }
                let combined = Draft { question: format!("{} ({})", draft.question, text.trim()), ..draft };
                Some(self.open_or_ask(msg, combined, batch))
            }
        }
    }

    /// A message in reply to `msg`, where it was written.
    pub(crate) fn answer(&self, msg: &IncomingMessage, lang: Lang, key: Msg, args: &[(&str, &str)]) -> Vec<Action> {
        vec![Action::reply(&msg.room, msg.thread_root.as_deref(), self.msg(lang, key, args)).answering(&msg.event_id)]
    }

    /// The ticket a command names, or the one whose thread it was written in; otherwise
    /// the reply saying what is missing.
    pub(crate) fn ticket_for(&self, msg: &IncomingMessage, args: &str, lang: Lang) -> Result<Ticket, Vec<Action>> {
        let first = args.split_whitespace().next().unwrap_or("");
        let named = parse_ticket_id(first);
        let id = named.or_else(|| msg.thread_root.as_deref().and_then(|root| self.link(root)).map(|l| l.ticket().to_string()));
        let Some(id) = id else { return Err(self.answer(msg, lang, Msg::TicketIdNeeded, &[])) };
        self.ticket(&id).ok().flatten().ok_or_else(|| self.answer(msg, lang, Msg::TicketNotFound, &[("id", first)]))
    }

    /// Coordinators, and the asker of the ticket, may add follow-ups and handoffs to it.
    pub(crate) fn may_tend(&self, msg: &IncomingMessage, ticket: &Ticket) -> bool {
        msg.sender == ticket.asker || self.is_coordinator(&msg.sender, &msg.room, msg.sender_power)
    }

    /// `!ota`, `!eskaloi`, `!ratkaistu`, `!sulje`, `!avaa`, `!vaihda`, and 👍 on a ticket.
    pub(crate) fn consult_transition(
        &self,
        msg: &IncomingMessage,
        args: &str,
        wanted: Wanted,
        lang: Lang,
        batch: &mut Batch,
    ) -> Vec<Action> {
        let reply = |m: Message| vec![Action::reply(&msg.room, msg.thread_root.as_deref(), m)];
        let mut ticket = match self.ticket_for(msg, args, lang) {
            Ok(t) => t,
            Err(refusal) => return refusal,
        };
        let transition = match wanted {
            Wanted::Claim => Transition::Claim,
            Wanted::Resolve => Transition::Resolve,
            Wanted::Close => Transition::Close,
            Wanted::Reopen => Transition::Reopen,
            Wanted::Escalate if ticket.status == Status::EscalatedTeam => {
                if !self.texts.has_word(crate::lang::Word::Confirm, args) {
                    return reply(self.msg(lang, Msg::TicketSpecialChecklist, &[("id", &ticket.id)]));
                }
                Transition::EscalateToSpecial
            }
            Wanted::Escalate => Transition::EscalateToTeam,
            Wanted::Reassign => {
                let Some(to) = args.split_whitespace().find(|w| w.starts_with('@') && w.contains(':')) else {
                    return reply(self.msg(lang, Msg::ReassignUsage, &[]));
                };
                // Words it cannot use (a step and a date, say) mean the person wanted
                // something else, most likely a handoff: change nothing and say so.
                let extra: Vec<&str> =
                    args.split_whitespace().filter(|w| *w != to && parse_ticket_id(w).is_none()).collect();
                if !extra.is_empty() {
                    let handoff = self.texts.command_word(lang, crate::lang::CommandKey::Handoff);
                    return reply(self.msg(lang, Msg::ReassignExtraWords, &[("words", &extra.join(" ")), ("handoff", handoff)]));
                }
                Transition::Reassign { to: to.to_string() }
            }
        };
        // The asker may reopen their own ticket; everything else is for coordinators.
        let own_reopen = !transition.needs_coordinator() && msg.sender == ticket.asker;
        let coordinator = self.is_coordinator(&msg.sender, &msg.room, msg.sender_power);
        if !own_reopen && !coordinator {
            return reply(self.msg(lang, Msg::RefusalNotCoordinator, &[]));
        }
        let audit_record = match ticket.apply(transition.clone(), &msg.sender, msg.at) {
            Ok(record) => record,
            Err(refusal) => return reply(self.refusal(lang, &ticket, &refusal, &msg.sender, coordinator)),
        };
        batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
        audit(batch, self, &audit_record);
        self.announce(msg, &ticket, &audit_record, lang)
    }

    fn refusal(&self, lang: Lang, ticket: &Ticket, refusal: &Refusal, actor: &str, coordinator: bool) -> Message {
        match refusal {
            Refusal::NotFrom { from, .. } => {
                let possible = self.possible_commands(lang, ticket, actor, coordinator);
                let key = if possible.is_empty() { Msg::RefusalNotFrom } else { Msg::RefusalNotFromPossible };
                self.msg(lang, key, &[("id", &ticket.id), ("status", &self.status_name(lang, *from)), ("possible", &possible)])
            }
            Refusal::AlreadyClaimed { owner } => {
                self.msg(lang, Msg::RefusalAlreadyClaimed, &[("id", &ticket.id), ("owner", owner)])
            }
            Refusal::AlreadyOwner => self.msg(lang, Msg::RefusalAlreadyOwner, &[("id", &ticket.id)]),
        }
    }

    /// The status commands `actor` could use on the ticket as it is now, e.g.
    /// "`!ratkaistu K-2026-0001`, `!eskaloi K-2026-0001`": what a refusal suggests instead.
    fn possible_commands(&self, lang: Lang, ticket: &Ticket, actor: &str, coordinator: bool) -> String {
        let candidates = [
            (CommandKey::Claim, &[Transition::Claim][..]),
            (CommandKey::Escalate, &[Transition::EscalateToTeam, Transition::EscalateToSpecial]),
            (CommandKey::Resolve, &[Transition::Resolve]),
            (CommandKey::Close, &[Transition::Close]),
            (CommandKey::Reopen, &[Transition::Reopen]),
        ];
        candidates
            .iter()
            .filter(|(_, transitions)| {
                transitions.iter().any(|t| (coordinator || !t.needs_coordinator()) && ticket.check(t, actor).is_ok())
            })
            // Plain words: an argument is text, not markup, so backticks would show as such.
            .map(|(command, _)| format!("!{} {}", self.texts.command_word(lang, *command), ticket.id))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Posts a change in the ticket's thread, tells the asker what concerns them, and
    /// confirms where the command was given when that was elsewhere.
    fn announce(&self, msg: &IncomingMessage, ticket: &Ticket, record: &AuditRecord, lang: Lang) -> Vec<Action> {
        let room_lang = self.settings.room_lang(&ticket.coordinators_room);
        let change = |l: Lang| {
            let from = record.from.map(|s| self.status_name(l, s)).unwrap_or_default();
            let mut actor = record.actor.clone();
            if let Some(target) = &record.target {
                actor = format!("{actor} → {target}");
            }
            self.msg(
                l,
                Msg::TicketChanged,
                &[("id", &ticket.id), ("from", &from), ("to", &self.status_name(l, record.to)), ("actor", &actor)],
            )
        };
        let mut actions = vec![Action::reply(&ticket.coordinators_room, ticket.thread_root.as_deref(), change(room_lang))];
        if record.to == Status::EscalatedTeam {
            actions.push(Action::reply(
                &ticket.coordinators_room,
                ticket.thread_root.as_deref(),
                self.msg(room_lang, Msg::TicketTeamAgenda, &[("id", &ticket.id)]),
            ));
        }
        // One status post per change: a command given anywhere in the coordinators' room is
        // answered by the post in the ticket's thread alone.
        if msg.room != ticket.coordinators_room {
            actions.push(Action::reply(&msg.room, msg.thread_root.as_deref(), change(lang)));
        }
        let asker_lang = self.asker_lang(ticket);
        let to_asker = |m: Message| Action::notify(&ticket.asker_room, Some(&ticket.asker_event), m, vec![ticket.asker.clone()]);
        match record.action.as_str() {
            "claim" => actions.push(to_asker(
                self.msg(asker_lang, Msg::TicketClaimedAsker, &[("id", &ticket.id), ("actor", &record.actor)]),
            )),
            "resolve" => actions.push(to_asker(self.msg(asker_lang, Msg::TicketResolvedAsker, &[("id", &ticket.id)]))),
            "escalate_team" | "escalate_special" => {
                let team = self.status_name(asker_lang, record.to);
                actions.push(to_asker(self.msg(asker_lang, Msg::TicketEscalatedAsker, &[("id", &ticket.id), ("team", &team)])));
            }
            "close" => actions.push(Action::SendLinked {
                room: ticket.asker_room.clone(),
                message: self.msg(asker_lang, Msg::FeedbackQuestion, &[("id", &ticket.id)]),
                thread_root: Some(ticket.asker_event.clone()),
                mentions: vec![ticket.asker.clone()],
                link: Link::Feedback(ticket.id.clone()),
                reach: None,
            }),
            _ => {}
        }
        actions
    }

    /// A message in a ticket's thread (coordinators' side) or the asker's thread: the
    /// consultation itself. Relayed to the other side after the privacy guard; a number
    /// from the asker after closing is their feedback.
    pub(crate) fn thread_message(&self, msg: &IncomingMessage, batch: &mut Batch) -> Option<Vec<Action>> {
        let link = self.link(msg.thread_root.as_deref()?)?;
        let mut ticket = self.ticket(link.ticket()).ok().flatten()?;
        match link {
            Link::TicketThread(_) if self.is_coordinator(&msg.sender, &msg.room, msg.sender_power) => {
                let lang = self.settings.room_lang(&msg.room);
                let (text, _) = match self.screen(msg, &msg.text, lang) {
                    Ok(screened) => screened,
                    Err(refusal) => return Some(refusal),
                };
                let mut actions = Vec::new();
                if ticket.status == Status::Claimed && ticket.owner.as_deref() == Some(msg.sender.as_str()) {
                    if let Ok(record) = ticket.apply(Transition::Start, &msg.sender, msg.at) {
                        audit(batch, self, &record);
                    }
                }
                ticket.last_activity_at = Some(msg.at);
                batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
                let asker_lang = self.asker_lang(&ticket);
                // The asker is waiting for this answer.
                actions.push(Action::notify(
                    &ticket.asker_room,
                    Some(&ticket.asker_event),
                    self.msg(asker_lang, Msg::RelayToAsker, &[("actor", &msg.sender), ("id", &ticket.id), ("text", &text)]),
                    vec![ticket.asker.clone()],
                ));
                Some(actions)
            }
            Link::AskerQuestion(_) | Link::Feedback(_) if msg.sender == ticket.asker => {
                let lang = self.asker_lang(&ticket);
                if ticket.status == Status::Closed && ticket.feedback.is_none() {
                    return Some(match self.texts.feedback_score(&msg.text) {
                        Some(score) => self.record_feedback(&mut ticket, score, lang, batch),
                        None => vec![Action::reply(&msg.room, msg.thread_root.as_deref(), self.msg(lang, Msg::FeedbackHint, &[]))],
                    });
                }
                if ticket.status == Status::Closed {
                    return None;
                }
                let (text, _) = match self.screen(msg, &msg.text, lang) {
                    Ok(screened) => screened,
                    Err(refusal) => return Some(refusal),
                };
                ticket.last_activity_at = Some(msg.at);
                batch.put(TreeId::Tickets, ticket.id.as_bytes(), &ticket);
                let room_lang = self.settings.room_lang(&ticket.coordinators_room);
                // The owner (or, before anyone has claimed it, its coordinators) must read it.
                let readers = ticket.owner.clone().map_or_else(|| ticket.coordinators.clone(), |owner| vec![owner]);
                Some(vec![Action::notify(
                    &ticket.coordinators_room,
                    ticket.thread_root.as_deref(),
                    self.msg(room_lang, Msg::RelayToCoordinators, &[("id", &ticket.id), ("text", &text)]),
                    readers,
                )])
            }
            _ => None,
        }
    }

    fn record_feedback(&self, ticket: &mut Ticket, score: u8, lang: Lang, batch: &mut Batch) -> Vec<Action> {
        ticket.feedback = Some(score);
        batch.put(TreeId::Tickets, ticket.id.as_bytes(), ticket);
        vec![Action::reply(
            &ticket.asker_room,
            Some(&ticket.asker_event),
            self.msg(lang, Msg::FeedbackThanks, &[("score", &score.to_string())]),
        )]
    }

    /// 👍 on a ticket's root claims it; a number reaction on the feedback question is
    /// the asker's score.
    pub(crate) fn consult_reaction(&self, reaction: &super::IncomingReaction, batch: &mut Batch) -> Vec<Action> {
        let Some(link) = self.link(&reaction.target) else { return Vec::new() };
        match link {
            Link::TicketThread(id) if is_thumbs_up(&reaction.key) => {
                let as_message = reaction.as_command(Some(reaction.target.clone()));
                let lang = self.settings.room_lang(&reaction.room);
                self.consult_transition(&as_message, &id, Wanted::Claim, lang, batch)
            }
            Link::Handoff(id, index) => self.handoff_reaction(reaction, &id, index, batch),
            Link::Feedback(id) => {
                let Some(mut ticket) = self.ticket(&id).ok().flatten() else { return Vec::new() };
                match keycap_score(&reaction.key) {
                    Some(score) if reaction.sender == ticket.asker && ticket.feedback.is_none() => {
                        let lang = self.asker_lang(&ticket);
                        self.record_feedback(&mut ticket, score, lang, batch)
                    }
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }
}

/// Which change a command asks for; escalation picks its level from the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    Claim,
    Escalate,
    Resolve,
    Close,
    Reopen,
    Reassign,
}

fn audit(batch: &mut Batch, engine: &Engine, record: &AuditRecord) {
    match engine.store.next_id() {
        Ok(id) => batch.put(TreeId::Audit, id.to_be_bytes(), record),
        // Never a defaulted id: that would overwrite audit record 0.
        Err(e) => batch.fail(e),
    }
}

fn is_thumbs_up(key: &str) -> bool {
    key.trim_end_matches(['\u{fe0f}']).starts_with('👍') || key == "+1"
}

/// Number reactions: keycap digits 0️⃣–9️⃣ and 🔟.
fn keycap_score(key: &str) -> Option<u8> {
    if key.starts_with('🔟') {
        return Some(10);
    }
    let mut chars = key.chars();
    let digit = chars.next()?.to_digit(10)?;
    chars.all(|c| c == '\u{fe0f}' || c == '\u{20e3}').then_some(digit as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_read_from_numbers_and_keycaps() {
        assert_eq!(keycap_score("7\u{fe0f}\u{20e3}"), Some(7));
        assert_eq!(keycap_score("🔟"), Some(10));
        assert_eq!(keycap_score("👍"), None);
        assert!(is_thumbs_up("👍") && is_thumbs_up("👍\u{fe0f}") && is_thumbs_up("👍🏽"));
    }
}
