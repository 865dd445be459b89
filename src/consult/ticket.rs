//! The consultation ticket and its life: an explicit state machine whose every change
//! yields a metadata-only audit record. Decides what may happen; stores nothing.

use chrono::{DateTime, Datelike, Utc};
use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a consultation stands. The path follows the seeds: a short consultation with the
/// coordinator, then the local work-ability team, then the special-expertise team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Claimed,
    InProgress,
    /// On the agenda of the local work-ability team (työkykytiimi).
    EscalatedTeam,
    /// Referred to the special-expertise team (erityisosaamistiimi).
    EscalatedSpecial,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Open,
        Status::Claimed,
        Status::InProgress,
        Status::EscalatedTeam,
        Status::EscalatedSpecial,
        Status::Resolved,
        Status::Closed,
    ];

    /// Stable key for prompts/ and statistics.
    pub fn key(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Claimed => "claimed",
            Status::InProgress => "in_progress",
            Status::EscalatedTeam => "escalated_team",
            Status::EscalatedSpecial => "escalated_special",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    /// Someone is working on it: claimed, in progress or with a team.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Claimed | Status::InProgress | Status::EscalatedTeam | Status::EscalatedSpecial)
    }
}

/// What someone asks to happen to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Claim,
    /// The owner answered in the thread: the consultation is under way.
    Start,
    EscalateToTeam,
    EscalateToSpecial,
    Resolve,
    Close,
    Reopen,
    Reassign { to: String },
}

impl Transition {
    pub fn key(&self) -> &'static str {
        match self {
            Transition::Claim => "claim",
            Transition::Start => "start",
            Transition::EscalateToTeam => "escalate_team",
            Transition::EscalateToSpecial => "escalate_special",
            Transition::Resolve => "resolve",
            Transition::Close => "close",
            Transition::Reopen => "reopen",
            Transition::Reassign { .. } => "reassign",
        }
    }

    /// Only coordinators may move a ticket along; the asker may reopen their own.
    pub fn needs_coordinator(&self) -> bool {
        !matches!(self, Transition::Reopen)
    }
}

/// Why a transition was refused; `key()` selects the message in prompts/.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not possible from this status (e.g. closing an open ticket).
    NotFrom { from: Status, transition: &'static str },
    AlreadyClaimed { owner: String },
    AlreadyOwner,
}

impl Refusal {
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::NotFrom { .. } => "not_from",
            Refusal::AlreadyClaimed { .. } => "already_claimed",
            Refusal::AlreadyOwner => "already_owner",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotFrom { from, transition } => write!(f, "cannot {transition} a ticket that is {}", from.key()),
            Refusal::AlreadyClaimed { owner } => write!(f, "already claimed by {owner}"),
            Refusal::AlreadyOwner => f.write_str("already the owner"),
        }
    }
}

/// Who changed what, when: never a message body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub ticket: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `open`, or the transition's key.
    pub action: String,
    /// Reassignments record the new owner; `None` otherwise.
    pub target: Option<String>,
    /// `None` when the ticket was opened.
    pub from: Option<Status>,
    pub to: Status,
}

impl AuditRecord {
    pub fn opened(ticket: &Ticket) -> AuditRecord {
        AuditRecord {
            ticket: ticket.id.clone(),
            at: ticket.opened_at,
            actor: ticket.asker.clone(),
            action: "open".into(),
            target: None,
            from: None,
            to: ticket.status,
        }
    }
}

/// A readable ticket id: `K-2026-0042`, numbered per year.
pub fn ticket_id(year: i32, number: u32) -> String {
    format!("K-{year}-{number:04}")
}

/// Reads `K-2026-0042` (any case, also `k-2026-42`) back into the canonical id.
pub fn parse_ticket_id(text: &str) -> Option<String> {
    let mut parts = text.trim().split('-');
    let (k, year, number) = (parts.next()?, parts.next()?, parts.next()?);
    if !k.eq_ignore_ascii_case("k") || parts.next().is_some() || year.len() != 4 {
        return None;
    }
    Some(ticket_id(year.parse().ok()?, number.parse().ok().filter(|n| *n > 0)?))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub status: Status,
    pub opened_at: DateTime<Utc>,
    pub asker: String,
    /// The room and message where the professional asked; answers are relayed there.
    pub asker_room: String,
    pub asker_event: String,
    /// The question with phone numbers and e-mail addresses masked; identity codes never
    /// reach a ticket at all.
    pub question: String,
    pub municipality: Option<String>,
    pub topic: Option<String>,
    pub county: Option<String>,
    /// Coordinators the routing chose, and the room where the ticket's thread lives.
    pub coordinators: Vec<String>,
    pub coordinators_room: String,
    pub thread_root: Option<String>,
    pub owner: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub escalated_team_at: Option<DateTime<Utc>>,
    pub escalated_special_at: Option<DateTime<Utc>>,
    /// 0–10, asked when the ticket closes.
    pub feedback: Option<u8>,
    /// Last message or change on the ticket; a claimed ticket idle too long reminds its owner.
    #[serde(default)]
    pub last_activity_at: Option<DateTime<Utc>>,
    /// When the coordinators were nudged about an unclaimed ticket, and when it went to
    /// the fallback room: each happens once.
    #[serde(default)]
    pub nudged_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub fallback_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub idle_reminded_at: Option<DateTime<Utc>>,
    /// Escorted handoffs (saattaen vaihtaen) agreed on this ticket.
    #[serde(default)]
    pub handoffs: Vec<Handoff>,
    /// The language the asker used; what is said to them is said in it. Tickets from
    /// before this was kept fall back to the asker's room language.
    #[serde(default)]
    pub asker_lang: Option<Lang>,
}

/// An escorted handoff: who hands the client over, to whom, the agreed next step and
/// date, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub from: String,
    pub to: String,
    /// The next step, screened like every stored text.
    pub step: String,
    pub date: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Where the handoff was agreed; its reminders and check-in are said there.
    pub room: String,
    pub thread_root: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub receiver_reminded: bool,
    pub sender_reminded: bool,
    pub checked_in: bool,
    /// The answer to "did the client arrive?".
    pub arrived: Option<bool>,
    /// The language the handoff was agreed in; its reminders and check-in use it.
    #[serde(default)]
    pub lang: Option<Lang>,
    /// Where the receiver was reached when they are not in `room` (a room and thread):
    /// reminders for them go there too.
    #[serde(default)]
    pub receiver_place: Option<(String, Option<String>)>,
}

/// Where a consultation came from: the asker and the message that started it.
pub struct Origin<'a> {
    pub asker: &'a str,
    pub room: &'a str,
    pub event: &'a str,
    pub at: DateTime<Utc>,
    pub lang: Lang,
}

impl Ticket {
    /// A new open ticket with nothing routed, claimed or scheduled yet.
    pub fn new(id: String, origin: Origin<'_>, question: String, coordinators_room: &str) -> Ticket {
        Ticket {
            id,
            status: Status::Open,
            opened_at: origin.at,
            asker: origin.asker.to_string(),
            asker_room: origin.room.to_string(),
            asker_event: origin.event.to_string(),
            question,
            municipality: None,
            topic: None,
            county: None,
            coordinators: Vec::new(),
            coordinators_room: coordinators_room.to_string(),
            thread_root: None,
            owner: None,
            claimed_at: None,
            resolved_at: None,
            closed_at: None,
            escalated_team_at: None,
            escalated_special_at: None,
            feedback: None,
            last_activity_at: Some(origin.at),
            nudged_at: None,
            fallback_at: None,
            idle_reminded_at: None,
            handoffs: Vec::new(),
            asker_lang: Some(origin.lang),
        }
    }

    pub fn year(&self) -> i32 {
        self.opened_at.year()
    }

    /// The status a transition leads to, or why it may not happen. Pure: nothing changes.
    pub fn check(&self, transition: &Transition, actor: &str) -> Result<Status, Refusal> {
        use Status::*;
        let refuse = || Refusal::NotFrom { from: self.status, transition: transition.key() };
        match (transition, self.status) {
            (Transition::Claim, Open) => Ok(Claimed),
            (Transition::Claim, s) if s.is_active() => match &self.owner {
                Some(owner) if owner == actor => Err(Refusal::AlreadyOwner),
                Some(owner) => Err(Refusal::AlreadyClaimed { owner: owner.clone() }),
                None => Err(refuse()),
            },
            (Transition::Start, Claimed) => Ok(InProgress),
            (Transition::EscalateToTeam, Claimed | InProgress) => Ok(EscalatedTeam),
            (Transition::EscalateToSpecial, EscalatedTeam) => Ok(EscalatedSpecial),
            (Transition::Resolve, s) if s.is_active() => Ok(Resolved),
            (Transition::Close, Resolved) => Ok(Closed),
            (Transition::Reopen, Resolved | Closed) => Ok(if self.owner.is_some() { InProgress } else { Open }),
            (Transition::Reassign { to }, s) if s != Closed && s != Resolved => {
                if self.owner.as_deref() == Some(to.as_str()) {
                    Err(Refusal::AlreadyOwner)
                } else {
                    Ok(if s == Open { Claimed } else { s })
                }
            }
            _ => Err(refuse()),
        }
    }

    /// Applies a transition and returns its audit record; a refused one changes nothing.
    pub fn apply(&mut self, transition: Transition, actor: &str, at: DateTime<Utc>) -> Result<AuditRecord, Refusal> {
        let to = self.check(&transition, actor)?;
        let from = self.status;
        match &transition {
            Transition::Claim => {
                self.owner = Some(actor.to_string());
                self.claimed_at = Some(at);
            }
            Transition::Reassign { to: new_owner } => {
                self.owner = Some(new_owner.clone());
                self.claimed_at.get_or_insert(at);
            }
            Transition::EscalateToTeam => self.escalated_team_at = Some(at),
            Transition::EscalateToSpecial => self.escalated_special_at = Some(at),
            Transition::Resolve => self.resolved_at = Some(at),
            Transition::Close => self.closed_at = Some(at),
            Transition::Reopen => {
                self.resolved_at = None;
                self.closed_at = None;
            }
            Transition::Start => {}
        }
        self.status = to;
        self.last_activity_at = Some(at);
        let target = match &transition {
            Transition::Reassign { to } => Some(to.clone()),
            _ => None,
        };
        Ok(AuditRecord {
            ticket: self.id.clone(),
            at,
            actor: actor.to_string(),
            action: transition.key().to_string(),
            target,
            from: Some(from),
            to,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use Status::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap()
    }

    fn ticket(status: Status, owner: Option<&str>) -> Ticket {
        let origin = Origin { asker: "@ammattilainen:example.org", room: "!verkosto:example.org", event: "$kysymys", at: at(8), lang: Lang::Fi };
        let mut t = Ticket::new(ticket_id(2026, 42), origin, "Minne ohjaan?".into(), "!koord:example.org");
        t.status = status;
        t.owner = owner.map(str::to_string);
        t.municipality = Some("Loimaa".into());
        t.county = Some("varsinais-suomi".into());
        t.coordinators = vec!["@k1:example.org".into()];
        t
    }

    /// Every (transition, status) pair: the legal ones and where they lead.
    #[test]
    fn transition_table_is_exactly_the_documented_one() {
        let transitions = [
            Transition::Claim,
            Transition::Start,
            Transition::EscalateToTeam,
            Transition::EscalateToSpecial,
            Transition::Resolve,
            Transition::Close,
            Transition::Reopen,
            Transition::Reassign { to: "@k2:example.org".into() },
        ];
        let legal: &[(&str, Status, Status)] = &[
            ("claim", Open, Claimed),
            ("start", Claimed, InProgress),
            ("escalate_team", Claimed, EscalatedTeam),
            ("escalate_team", InProgress, EscalatedTeam),
            ("escalate_special", EscalatedTeam, EscalatedSpecial),
            ("resolve", Claimed, Resolved),
            ("resolve", InProgress, Resolved),
            ("resolve", EscalatedTeam, Resolved),
            ("resolve", EscalatedSpecial, Resolved),
            ("close", Resolved, Closed),
            ("reopen", Resolved, InProgress),
            ("reopen", Closed, InProgress),
            ("reassign", Open, Claimed),
            ("reassign", Claimed, Claimed),
            ("reassign", InProgress, InProgress),
            ("reassign", EscalatedTeam, EscalatedTeam),
            ("reassign", EscalatedSpecial, EscalatedSpecial),
        ];
        for transition in &transitions {
            for from in Status::ALL {
                let owner = if from == Open { None } else { Some("@k1:example.org") };
                let t = ticket(from, owner);
                let expected = legal.iter().find(|(k, f, _)| *k == transition.key() && *f == from).map(|(_, _, to)| *to);
                match (t.check(transition, "@k1:example.org"), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{} from {from:?}", transition.key()),
                    (Err(_), None) => {}
                    (got, want) => panic!("{} from {from:?}: got {got:?}, want {want:?}", transition.key()),
                }
            }
        }
    }

    #[test]
    fn claim_records_owner_time_and_audit_without_the_question() {
        let mut t = ticket(Open, None);
        let audit = t.apply(Transition::Claim, "@k1:example.org", at(9)).unwrap();
        assert_eq!((t.status, t.owner.as_deref(), t.claimed_at), (Claimed, Some("@k1:example.org"), Some(at(9))));
        assert_eq!((audit.from, audit.to, audit.actor.as_str()), (Some(Open), Claimed, "@k1:example.org"));
        let json = serde_json::to_string(&audit).unwrap();
        assert!(!json.contains("Minne ohjaan"), "audit must hold metadata only: {json}");
    }

    #[test]
    fn second_claim_names_the_owner_and_changes_nothing() {
        let mut t = ticket(Claimed, Some("@k1:example.org"));
        let before = t.clone();
        assert_eq!(
            t.apply(Transition::Claim, "@k2:example.org", at(9)),
            Err(Refusal::AlreadyClaimed { owner: "@k1:example.org".into() })
        );
        assert_eq!(t.apply(Transition::Claim, "@k1:example.org", at(9)), Err(Refusal::AlreadyOwner));
        assert_eq!(t, before);
    }

    #[test]
    fn reopen_without_an_owner_goes_back_to_open() {
        let mut t = ticket(Closed, None);
        t.closed_at = Some(at(10));
        t.apply(Transition::Reopen, "@ammattilainen:example.org", at(11)).unwrap();
        assert_eq!((t.status, t.closed_at), (Open, None));
    }

    #[test]
    fn escalations_are_timestamped_for_statistics() {
        let mut t = ticket(InProgress, Some("@k1:example.org"));
        t.apply(Transition::EscalateToTeam, "@k1:example.org", at(10)).unwrap();
        t.apply(Transition::EscalateToSpecial, "@k1:example.org", at(11)).unwrap();
        assert_eq!((t.escalated_team_at, t.escalated_special_at), (Some(at(10)), Some(at(11))));
    }

    #[test]
    fn only_reopen_is_open_to_non_coordinators() {
        assert!(!Transition::Reopen.needs_coordinator());
        assert!(Transition::Claim.needs_coordinator());
        assert!(Transition::Close.needs_coordinator());
    }

    #[test]
    fn ticket_ids_read_back_in_any_case() {
        assert_eq!(ticket_id(2026, 42), "K-2026-0042");
        assert_eq!(parse_ticket_id("k-2026-42").as_deref(), Some("K-2026-0042"));
        assert_eq!(parse_ticket_id("K-2026-0042").as_deref(), Some("K-2026-0042"));
        for bad in ["K-26-1", "K-2026-0", "X-2026-0001", "K-2026-0001-1", "K-2026-abc"] {
            assert_eq!(parse_ticket_id(bad), None, "{bad}");
        }
    }
}
