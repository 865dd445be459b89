//! The consultation flow through the engine, as the people in the rooms see it.

use super::*;
use crate::consult::ticket::Status;

const NETWORK: &str = "!verkosto:example.org";
const COORDS: &str = "!koordinaattorit:example.org";
const ASKER: &str = "@ammattilainen:example.org";
const COORDINATOR: &str = "@koordinaattori.loimaa:example.org";
const STRANGER: &str = "@joku:example.org";
const TEAM: &str = "!tyokykytiimi:example.org";

/// An engine on the test deployment: a Finnish network room, a coordinators' room
/// (`coordinators_county` gives it a county) and a team. `access` is added to [access].
fn engine_with(access: &str, network_lang: &str, coordinators_county: Option<&str>) -> Engine {
    let county = coordinators_county.map_or(String::new(), |c| format!("county = \"{c}\"\n"));
    let src = format!(
        r#"
[matrix]
homeserver = "http://127.0.0.1:8008"
user_id = "@kaveri:example.org"
password = "x"
[access]
invite_users = ["@admin:example.org"]
{access}
[catalogue]
regions_dir = "{}/config/regions"
[[rooms]]
id = "{NETWORK}"
kind = "network"
language = "{network_lang}"
[[rooms]]
id = "{COORDS}"
kind = "coordinators"
language = "fi"
{county}
[[teams]]
id = "loimaa"
room = "{TEAM}"
schedule = "joka tiistai klo 13"
"#,
        env!("CARGO_MANIFEST_DIR")
    );
    Fixture::with_settings(settings_from(&src), Store::temporary().unwrap(), monday_ten()).engine
}

fn engine() -> Engine {
    engine_with("", "fi", None)
}

struct Say<'a> {
    id: &'a str,
    sender: &'a str,
    room: &'a str,
    thread: Option<&'a str>,
    text: &'a str,
}

fn say(e: &Engine, s: Say<'_>) -> Vec<Action> {
    let event = Event::Message(IncomingMessage { thread_root: s.thread.map(str::to_string), ..incoming(s.id, s.room, s.sender, s.text, monday_utc(9, 0)) });
    e.handle(&event).unwrap().into_iter().map(|d| d.action).collect()
}

/// Monday 23.11.2026 at `hour`:`minute` UTC.
fn monday_utc(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, hour, minute, 0).unwrap()
}

fn text_of(action: &Action) -> &str {
    match action {
        Action::Send { message, .. } | Action::SendLinked { message, .. } => &message.plain,
        _ => "",
    }
}

fn room_of(action: &Action) -> &str {
    match action {
        Action::Send { room, .. } | Action::SendLinked { room, .. } | Action::Redact { room, .. } => room,
        _ => "",
    }
}

/// Opens K-2026-0001 from Loimaa and links its thread root to `$root`.
fn open_ticket(e: &Engine) -> Vec<Action> {
    let out = say(e, Say { id: "$q", sender: ASKER, room: NETWORK, thread: None, text: "!konsultaatio Loimaalainen asiakas, 55 v, selkävaivoja, pitkään työttömänä. Mihin ohjaan?" });
    for action in &out {
        if let Action::SendLinked { link, .. } = action {
            e.link_sent(link, "$root").unwrap();
        }
    }
    out
}

#[test]
fn opening_routes_to_the_area_coordinator_and_tells_the_asker() {
    let e = engine();
    let out = open_ticket(&e);
    let Action::SendLinked { room, mentions, message, .. } = &out[0] else { panic!("{out:?}") };
    assert_eq!(room, COORDS);
    assert_eq!(mentions, &vec![COORDINATOR.to_string()]);
    assert!(message.plain.contains("Uusi konsultaatio K-2026-0001") && message.plain.contains("Loimaa"), "{}", message.plain);
    assert_eq!(room_of(&out[1]), NETWORK);
    assert!(text_of(&out[1]).contains("Avasin konsultaation K-2026-0001"), "{out:?}");
    let ticket = e.ticket("K-2026-0001").unwrap().unwrap();
    assert_eq!((ticket.status, ticket.thread_root.as_deref()), (Status::Open, Some("$root")));
}

#[test]
fn the_whole_path_from_claim_to_feedback() {
    let e = engine();
    open_ticket(&e);
    // A 👍 from the coordinator claims it.
    let claim = e
        .handle(&Event::Reaction(IncomingReaction {
            event_id: "$r".into(),
            sender: COORDINATOR.into(),
            room: COORDS.into(),
            target: "$root".into(),
            key: "👍".into(),
            sender_power: None,
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
        }))
        .unwrap();
    assert!(claim.iter().any(|d| text_of(&d.action).contains("otti konsultaatiosi K-2026-0001")), "{claim:?}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::Claimed);

    // The coordinator's answer in the thread reaches the asker's thread.
    let relay = say(&e, Say { id: "$a1", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "Ohjaa työttömien terveystarkastukseen." });
    assert_eq!(room_of(&relay[0]), NETWORK);
    assert!(text_of(&relay[0]).contains("Ohjaa työttömien terveystarkastukseen."));
    assert!(matches!(&relay[0], Action::Send { thread_root: Some(t), .. } if t == "$q"));
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::InProgress);

    // The asker's follow-up reaches the coordinators' thread.
    let back = say(&e, Say { id: "$a2", sender: ASKER, room: NETWORK, thread: Some("$q"), text: "Kiitos, entä jos hän ei halua?" });
    assert_eq!(room_of(&back[0]), COORDS);
    assert!(text_of(&back[0]).contains("entä jos hän ei halua"));

    // Escalation: team, then the special-expertise team after the checklist.
    let team = say(&e, Say { id: "$e1", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!eskaloi" });
    assert!(team.iter().any(|a| text_of(a).contains("työkykytiimin seuraavan kokouksen asialistalle")), "{team:?}");
    let checklist = say(&e, Say { id: "$e2", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!eskaloi" });
    assert!(text_of(&checklist[0]).contains("Y100"), "{checklist:?}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::EscalatedTeam);
    say(&e, Say { id: "$e3", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!eskaloi K-2026-0001 vahvistettu" });
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::EscalatedSpecial);

    // Closing before resolving is refused with the reason.
    let refused = say(&e, Say { id: "$c0", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!sulje" });
    assert!(text_of(&refused[0]).contains("erityisosaamistiimissä"), "{refused:?}");
    say(&e, Say { id: "$c1", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!ratkaistu" });
    let closed = say(&e, Say { id: "$c2", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!sulje" });
    let feedback = closed.iter().find(|a| matches!(a, Action::SendLinked { .. })).expect("feedback question");
    assert!(text_of(feedback).contains("asteikolla 0–10"));
    assert_eq!(room_of(feedback), NETWORK);

    let thanks = say(&e, Say { id: "$f", sender: ASKER, room: NETWORK, thread: Some("$q"), text: "9" });
    assert!(text_of(&thanks[0]).contains("9/10"), "{thanks:?}");
    let ticket = e.ticket("K-2026-0001").unwrap().unwrap();
    assert_eq!((ticket.status, ticket.feedback), (Status::Closed, Some(9)));

    // The audit trail has every step and never the question.
    let audit = e.store().scan::<crate::consult::ticket::AuditRecord>(TreeId::Audit).unwrap();
    let actions: Vec<&str> = audit.iter().map(|(_, r)| r.action.as_str()).collect();
    assert_eq!(actions, ["open", "claim", "start", "escalate_team", "escalate_special", "resolve", "close"]);
    for (key, _) in &audit {
        let raw = String::from_utf8(e.store().get::<serde_json::Value>(TreeId::Audit, key).unwrap().unwrap().to_string().into_bytes()).unwrap();
        assert!(!raw.contains("selkävaivoja"), "{raw}");
    }
}

#[test]
fn only_coordinators_may_claim() {
    let e = engine();
    open_ticket(&e);
    let out = say(&e, Say { id: "$x", sender: STRANGER, room: COORDS, thread: None, text: "!ota K-2026-0001" });
    assert!(text_of(&out[0]).contains("vain työkykykoordinaattorit"), "{out:?}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::Open);
}

#[test]
fn power_level_in_the_coordinators_room_makes_a_coordinator() {
    let e = engine();
    open_ticket(&e);
    let event = Event::Message(IncomingMessage { sender_power: Some(50), ..incoming("$p", COORDS, STRANGER, "!claim K-2026-0001", monday_utc(9, 0)) });
    e.handle(&event).unwrap();
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().owner.as_deref(), Some(STRANGER));
}

#[test]
fn an_identity_code_stops_everything_and_asks_to_remove_it() {
    let e = engine();
    let out = say(&e, Say { id: "$h", sender: ASKER, room: NETWORK, thread: None, text: "!konsultaatio Loimaa, asiakas 131052-308T tarvitsee apua" });
    assert!(text_of(&out[0]).contains("henkilötunnus") && !text_of(&out[0]).contains("131052"), "{out:?}");
    assert!(matches!(&out[1], Action::Redact { event_id, .. } if event_id == "$h"));
    assert!(out.iter().all(|a| room_of(a) != COORDS));
    assert!(e.tickets().unwrap().is_empty());
    assert!(e.store().scan::<serde_json::Value>(TreeId::Drafts).unwrap().is_empty());
}

#[test]
fn phone_numbers_are_masked_before_storing() {
    let e = engine();
    let out = say(&e, Say { id: "$m", sender: ASKER, room: NETWORK, thread: None, text: "!konsultaatio Loimaa: soita 040 123 4567, mihin ohjaan?" });
    assert!(out.iter().any(|a| text_of(a).contains("Poistin viestistä puhelinnumeron")), "{out:?}");
    let ticket = e.ticket("K-2026-0001").unwrap().unwrap();
    assert!(!ticket.question.contains("040") && ticket.question.contains("[***]"), "{}", ticket.question);
}

#[test]
fn a_missing_municipality_is_asked_for_once_and_then_the_ticket_opens() {
    let e = engine();
    let out = say(&e, Say { id: "$q1", sender: ASKER, room: NETWORK, thread: None, text: "!konsultaatio Mihin ohjaan pitkäaikaistyöttömän?" });
    assert!(text_of(&out[0]).contains("Minkä kunnan"), "{out:?}");
    assert!(e.tickets().unwrap().is_empty());
    let unknown = say(&e, Say { id: "$q2", sender: ASKER, room: NETWORK, thread: None, text: "Atlantis" });
    assert!(text_of(&unknown[0]).contains("En tunnistanut kuntaa"), "{unknown:?}");
    let opened = say(&e, Say { id: "$q3", sender: ASKER, room: NETWORK, thread: None, text: "Loimaa" });
    assert!(opened.iter().any(|a| room_of(a) == COORDS), "{opened:?}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().municipality.as_deref(), Some("Loimaa"));
}

#[test]
fn yes_after_an_unsure_answer_opens_a_consultation() {
    let e = engine();
    let out = say(&e, Say { id: "$k", sender: ASKER, room: NETWORK, thread: None, text: "!kysy Turkulainen asiakas kysyy lomarahoista ja lomautuksesta" });
    assert!(text_of(&out[0]).contains("Vastaa kyllä"), "{out:?}");
    let opened = say(&e, Say { id: "$y", sender: ASKER, room: NETWORK, thread: None, text: "kyllä" });
    assert!(opened.iter().any(|a| room_of(a) == COORDS), "{opened:?}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().municipality.as_deref(), Some("Turku"));
}

#[test]
fn statistics_count_tickets_for_coordinators_only() {
    let e = engine();
    open_ticket(&e);
    let stats = say(&e, Say { id: "$s", sender: COORDINATOR, room: COORDS, thread: None, text: "!tilastot 2026-11" });
    assert!(text_of(&stats[0]).contains("Konsultaatiot (2026-11): 1") && text_of(&stats[0]).contains("Loimaa 1"), "{stats:?}");
    let refused = say(&e, Say { id: "$s2", sender: STRANGER, room: NETWORK, thread: None, text: "!stats" });
    assert!(text_of(&refused[0]).contains("Only work-ability coordinators"), "{refused:?}");
    let bad = say(&e, Say { id: "$s3", sender: COORDINATOR, room: COORDS, thread: None, text: "!tilastot marraskuu" });
    assert!(text_of(&bad[0]).contains("VVVV-KK"), "{bad:?}");
}

#[test]
fn the_team_gets_the_agenda_of_escalated_tickets_the_working_day_before() {
    let e = engine();
    open_ticket(&e);
    say(&e, Say { id: "$o", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!ota" });
    say(&e, Say { id: "$e", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!eskaloi" });
    // Monday 23.11. 10.00 in Helsinki: Tuesday's agenda was due at 9.00 today.
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    assert!(e.next_due().unwrap().unwrap() <= now);
    let fired = e.fire_due(now).unwrap();
    let agenda = fired.iter().find(|d| room_of(&d.action) == TEAM).expect("agenda posted");
    let text = text_of(&agenda.action);
    assert!(text.contains("kokous ti 24.11.2026 klo 13.00") && text.contains("K-2026-0001") && text.contains("Loimaa"), "{text}");
    // Nothing twice; the next agenda is Monday 30.11. at 9.00 Helsinki time.
    assert!(e.fire_due(now).unwrap().iter().all(|d| room_of(&d.action) != TEAM));
    let next_monday_nine = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap();
    let before = next_monday_nine - chrono::Duration::minutes(1);
    assert!(e.fire_due(before).unwrap().iter().all(|d| room_of(&d.action) != TEAM));
    assert!(e.fire_due(next_monday_nine).unwrap().iter().any(|d| room_of(&d.action) == TEAM));
}

fn helsinki(d: u32, h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
    crate::time::calendar::HELSINKI.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap().with_timezone(&chrono::Utc)
}

fn fired_texts(e: &Engine, at: chrono::DateTime<chrono::Utc>) -> Vec<(String, String)> {
    e.fire_due(at).unwrap().into_iter().map(|d| (room_of(&d.action).to_string(), text_of(&d.action).to_string())).collect()
}

#[test]
fn an_unclaimed_ticket_nudges_after_office_hours_then_goes_to_the_fallback_room() {
    let e = engine();
    // Opened Monday 23.11. at 11.00 Helsinki time (see `say`).
    open_ticket(&e);
    let nudge_at = helsinki(23, 15, 0);
    assert!(fired_texts(&e, nudge_at - chrono::Duration::minutes(1)).iter().all(|(_, t)| !t.contains("odottanut")));
    let nudged = fired_texts(&e, nudge_at);
    assert!(nudged.iter().any(|(r, t)| r == COORDS && t.contains("K-2026-0001") && t.contains("4 työtuntia")), "{nudged:?}");
    assert!(fired_texts(&e, nudge_at).iter().all(|(_, t)| !t.contains("odottanut")), "a nudge fires once");
    // 8 office hours: 5 on Monday, 3 on Tuesday from 8.00.
    let fallback = fired_texts(&e, helsinki(24, 11, 0));
    assert!(fallback.iter().any(|(_, t)| t.contains("8 työtuntia") && t.contains("selkävaivoja")), "{fallback:?}");
}

#[test]
fn a_claimed_ticket_left_idle_reminds_its_owner() {
    let e = engine();
    open_ticket(&e);
    say(&e, Say { id: "$o", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!ota" });
    // Claimed Monday 11.00: three business days later is Thursday 11.00.
    assert!(fired_texts(&e, helsinki(26, 10, 59)).iter().all(|(_, t)| !t.contains("työpäivään")));
    let idle = fired_texts(&e, helsinki(26, 11, 0));
    assert!(idle.iter().any(|(_, t)| t.contains(COORDINATOR) && t.contains("3 työpäivään")), "{idle:?}");
}

#[test]
fn a_handoff_is_acknowledged_by_reaction_and_checked_in_on_its_date() {
    let e = engine();
    open_ticket(&e);
    let out = say(&e, Say { id: "$h1", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!siirto @tiina:example.org ensikäynti TE-palveluissa pe klo 10" });
    let Action::SendLinked { link, mentions, message, .. } = &out[0] else { panic!("{out:?}") };
    assert_eq!(mentions, &vec!["@tiina:example.org".to_string()]);
    assert!(message.plain.contains("ensikäynti TE-palveluissa") && message.plain.contains("pe 27.11.2026 klo 10.00"), "{}", message.plain);
    e.link_sent(link, "$handoff").unwrap();

    // Someone else's ✅ does nothing; the receiver's acknowledges.
    let react = |id: &str, sender: &str| {
        e.handle(&Event::Reaction(IncomingReaction {
            event_id: id.into(),
            sender: sender.into(),
            room: COORDS.into(),
            target: "$handoff".into(),
            key: "✅".into(),
            sender_power: None,
            at: helsinki(23, 12, 0),
        }))
        .unwrap()
    };
    assert!(react("$x1", STRANGER).is_empty());
    let ack = react("$x2", "@tiina:example.org");
    assert!(text_of(&ack[0].action).contains("@tiina:example.org kuittasi siirron"), "{ack:?}");

    // Acknowledged: no reminders; on the agreed day both are asked if the client came.
    let day_after = fired_texts(&e, helsinki(25, 12, 0));
    assert!(day_after.iter().all(|(_, t)| !t.contains("kuitannut") && !t.contains("on siirretty")), "{day_after:?}");
    let check_in = fired_texts(&e, helsinki(27, 10, 0));
    assert!(check_in.iter().any(|(_, t)| t.contains("Saapuiko asiakas?")), "{check_in:?}");
    let answer = say(&e, Say { id: "$a", sender: "@tiina:example.org", room: COORDS, thread: None, text: "!saapui K-2026-0001 kyllä" });
    assert!(text_of(&answer[0]).contains("asiakas saapui"), "{answer:?}");
    let handoff = &e.ticket("K-2026-0001").unwrap().unwrap().handoffs[0];
    assert_eq!(handoff.arrived, Some(true));
}

#[test]
fn an_unacknowledged_handoff_reminds_the_receiver_then_the_sender() {
    let e = engine();
    open_ticket(&e);
    say(&e, Say { id: "$h1", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!siirto K-2026-0001 @tiina:example.org ensikäynti 7.12. klo 10" });
    let receiver = fired_texts(&e, helsinki(24, 11, 0));
    assert!(receiver.iter().any(|(_, t)| t.starts_with("@tiina:example.org: sinulle on siirretty")), "{receiver:?}");
    let sender = fired_texts(&e, helsinki(25, 11, 0));
    assert!(sender.iter().any(|(_, t)| t.starts_with(&format!("{COORDINATOR}: @tiina:example.org ei ole vielä kuitannut"))), "{sender:?}");
    let bad = say(&e, Say { id: "$h2", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!siirto @tiina:example.org" });
    assert!(text_of(&bad[0]).contains("!siirto K-2026-0001 @vastaanottaja"), "{bad:?}");
}

#[test]
fn a_follow_up_reminds_in_the_ticket_thread() {
    let e = engine();
    open_ticket(&e);
    let out = say(&e, Say { id: "$f", sender: COORDINATOR, room: COORDS, thread: None, text: "!seuranta K-2026-0001 2 viikon päästä soita kysyjälle" });
    assert!(text_of(&out[0]).contains("ma 7.12.2026 klo 11.00"), "{out:?}");
    let due = e.fire_due(helsinki(30, 0, 0) + chrono::Duration::days(7) + chrono::Duration::hours(11)).unwrap();
    let followup = due.iter().find(|d| text_of(&d.action).contains("seuranta K-2026-0001: soita kysyjälle")).expect("follow-up fired");
    assert!(matches!(&followup.action, Action::Send { room, thread_root: Some(t), .. } if room == COORDS && t == "$root"));
    let refused = say(&e, Say { id: "$f2", sender: STRANGER, room: NETWORK, thread: None, text: "!seuranta K-2026-0001 huomenna" });
    assert!(text_of(&refused[0]).contains("vain työkykykoordinaattorit"), "{refused:?}");
}

#[test]
fn a_coordinator_may_cancel_anyones_reminder_and_others_may_not() {
    let e = engine();
    say(&e, Say { id: "$m", sender: ASKER, room: NETWORK, thread: None, text: "!muistuta huomenna klo 9 verkostotapaaminen" });
    let refused = say(&e, Say { id: "$p1", sender: STRANGER, room: NETWORK, thread: None, text: "!peru 1" });
    assert!(!e.store().scan::<serde_json::Value>(TreeId::Reminders).unwrap().is_empty(), "{refused:?}");
    say(&e, Say { id: "$p2", sender: COORDINATOR, room: NETWORK, thread: None, text: "!peru 1" });
    assert!(e.store().scan::<serde_json::Value>(TreeId::Reminders).unwrap().is_empty());
}

#[test]
fn a_reminder_with_an_identity_code_is_refused_and_redacted() {
    let e = engine();
    let out = say(&e, Say { id: "$r", sender: ASKER, room: NETWORK, thread: None, text: "!muistuta huomenna soita 131052-308T asiasta" });
    assert!(text_of(&out[0]).contains("henkilötunnus") && !text_of(&out[0]).contains("131052"), "{out:?}");
    assert!(matches!(&out[1], Action::Redact { event_id, .. } if event_id == "$r"), "{out:?}");
}

#[test]
fn the_asker_may_reopen_their_closed_ticket_but_not_close_it() {
    let e = engine();
    open_ticket(&e);
    for (id, text) in [("$1", "!ota"), ("$2", "!ratkaistu"), ("$3", "!sulje")] {
        say(&e, Say { id, sender: COORDINATOR, room: COORDS, thread: Some("$root"), text });
    }
    let stranger = say(&e, Say { id: "$4", sender: STRANGER, room: NETWORK, thread: None, text: "!avaa K-2026-0001" });
    assert!(text_of(&stranger[0]).contains("vain työkykykoordinaattorit"), "{stranger:?}");
    say(&e, Say { id: "$5", sender: ASKER, room: NETWORK, thread: Some("$q"), text: "!avaa" });
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::InProgress);
    let close = say(&e, Say { id: "$6", sender: ASKER, room: NETWORK, thread: Some("$q"), text: "!sulje" });
    assert!(text_of(&close[0]).contains("vain työkykykoordinaattorit"), "{close:?}");
}

#[test]
fn the_asker_hears_back_in_the_language_they_asked_in() {
    let e = engine();
    // The network room is Finnish, but the asker writes English.
    let opened = say(&e, Say { id: "$q", sender: ASKER, room: NETWORK, thread: None, text: "!consult Client from Loimaa, back pain, long unemployed. Where next?" });
    assert!(text_of(&opened[1]).contains("I opened consultation K-2026-0001"), "{opened:?}");
    let claim = say(&e, Say { id: "$c", sender: COORDINATOR, room: COORDS, thread: None, text: "!ota K-2026-0001" });
    let to_asker = claim.iter().find(|a| room_of(a) == NETWORK).expect("the asker is told");
    assert!(text_of(to_asker).contains("has taken your consultation"), "{claim:?}");
    // The coordinators' room keeps its own language.
    assert!(claim.iter().any(|a| room_of(a) == COORDS && text_of(a).contains("otettu")), "{claim:?}");
}

#[test]
fn a_handoff_speaks_the_language_it_was_agreed_in() {
    let e = engine();
    open_ticket(&e);
    let out = say(&e, Say { id: "$h", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!handoff @tiina:example.org book the TYP meeting 7.12. at 10" });
    assert!(text_of(&out[0]).contains("I recorded the escorted handoff"), "{out:?}");
    let receiver = fired_texts(&e, helsinki(24, 11, 0));
    assert!(receiver.iter().any(|(_, t)| t.starts_with("@tiina:example.org: a client was handed over to you")), "{receiver:?}");
}

#[test]
fn a_refused_change_says_what_is_possible_now() {
    let e = engine();
    open_ticket(&e);
    say(&e, Say { id: "$c", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!ota" });
    let out = say(&e, Say { id: "$s", sender: COORDINATOR, room: COORDS, thread: None, text: "!sulje K-2026-0001" });
    let text = text_of(&out[0]);
    assert!(text.contains("kun sen tila on otettu"), "{text}");
    assert!(text.contains("!eskaloi K-2026-0001") && text.contains("!ratkaistu K-2026-0001"), "{text}");
    assert!(!text.contains("!sulje K-2026-0001") && !text.contains("!ota K-2026-0001"), "{text}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::Claimed);
    let english = say(&e, Say { id: "$s2", sender: COORDINATOR, room: COORDS, thread: None, text: "!close K-2026-0001" });
    assert!(text_of(&english[0]).contains("Possible now: !escalate K-2026-0001, !resolve K-2026-0001"), "{english:?}");
    let Action::Send { message, .. } = &english[0] else { panic!("{english:?}") };
    assert!(!message.html.contains('`'), "no literal Markdown: {}", message.html);
    // The asker may only reopen, which is not possible yet: no coordinator commands are offered.
    let asker = say(&e, Say { id: "$s3", sender: ASKER, room: NETWORK, thread: Some("$q"), text: "!reopen" });
    assert!(text_of(&asker[0]).ends_with("while its status is claimed."), "{asker:?}");
}

// --- One privacy gate, one access rule, one throttle for every path -------------------

fn refused_and_redacted(out: &[Action], event: &str) {
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(text_of(&out[0]).contains("henkilötunnus"), "{out:?}");
    assert!(!text_of(&out[0]).contains("308"), "the code is not repeated: {out:?}");
    assert!(matches!(&out[1], Action::Redact { event_id, sender: Some(s), .. } if event_id == event && s == ASKER), "{out:?}");
}

#[test]
fn an_identity_code_in_any_spelling_stops_every_path_and_nothing_is_stored() {
    for code in ["131052 308T", "131052308T", "131052\u{2013}308T", "\u{ff11}\u{ff13}\u{ff11}\u{ff10}\u{ff15}\u{ff12}-\u{ff13}\u{ff10}\u{ff18}\u{ff34}"] {
        let e = engine();
        for (id, text) in [
            ("$c", format!("!konsultaatio Loimaalainen asiakas {code}, selkävaivoja. Mihin ohjaan?")),
            ("$m", format!("!muistuta huomenna klo 9 soita asiakkaalle {code}")),
            ("$k", format!("!kysy mihin ohjaan asiakkaan {code} jolla on velkoja?")),
            ("$u", format!("!{code}")),
        ] {
            let out = say(&e, Say { id, sender: ASKER, room: NETWORK, thread: None, text: &text });
            refused_and_redacted(&out, id);
        }
        // A question by mention, too.
        let mention = e
            .handle(&Event::Message(IncomingMessage { mentions_bot: true, ..incoming("$mention", NETWORK, ASKER, &format!("Kaveri: kenelle asiakas {code} kuuluu?"), monday_utc(9, 0)) }))
            .unwrap();
        refused_and_redacted(&mention.into_iter().map(|d| d.action).collect::<Vec<_>>(), "$mention");
        for tree in [TreeId::Tickets, TreeId::Reminders, TreeId::Drafts] {
            assert!(e.store().scan::<serde_json::Value>(tree).unwrap().is_empty(), "{code}: {tree:?} holds something");
        }
    }
}

#[test]
fn an_identity_code_in_a_follow_up_or_a_thread_relay_is_refused_and_redacted() {
    let e = engine();
    open_ticket(&e);
    let followup = say(&e, Say { id: "$f", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!seuranta 2 viikon päästä soita 131052-308T" });
    assert!(matches!(followup.last(), Some(Action::Redact { event_id, .. }) if event_id == "$f"), "{followup:?}");
    let relay = say(&e, Say { id: "$t", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "Asiakas 131052 308T on tuttu." });
    assert!(matches!(relay.last(), Some(Action::Redact { event_id, .. }) if event_id == "$t"), "{relay:?}");
    assert!(relay.iter().all(|a| room_of(a) == COORDS), "nothing reaches the asker: {relay:?}");
    let ticket = serde_json::to_string(&e.ticket("K-2026-0001").unwrap().unwrap()).unwrap();
    assert!(!ticket.contains("308T"), "{ticket}");
}

#[test]
fn inviting_is_not_using_and_reactions_obey_the_access_list_too() {
    let e = engine_with(&format!("users = [\"{ASKER}\", \"{COORDINATOR}\"]\ninvite_servers = [\"example.org\"]"), "fi", None);
    let refused = say(&e, Say { id: "$s", sender: STRANGER, room: NETWORK, thread: None, text: "!konsultaatio Loimaalainen asiakas, selkävaivoja" });
    assert!(text_of(&refused[0]).contains("ei ole oikeutta"), "{refused:?}");
    assert!(e.store().scan::<serde_json::Value>(TreeId::Tickets).unwrap().is_empty());

    open_ticket(&e);
    let reaction = e
        .handle(&Event::Reaction(IncomingReaction {
            event_id: "$r".into(),
            sender: STRANGER.into(),
            room: COORDS.into(),
            target: "$root".into(),
            key: "👍".into(),
            sender_power: Some(100),
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
        }))
        .unwrap();
    assert!(reaction.is_empty(), "{reaction:?}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().status, Status::Open);
    // A message in the ticket's thread from someone outside the list is not relayed.
    let relay = say(&e, Say { id: "$x", sender: STRANGER, room: COORDS, thread: Some("$root"), text: "Minä tiedän!" });
    assert!(relay.is_empty(), "{relay:?}");
}

#[test]
fn a_flood_gets_one_slow_down_and_then_silence() {
    let e = engine();
    let mut replies = Vec::new();
    for i in 0..25 {
        let id = format!("$flood{i}");
        replies.push(say(&e, Say { id: &id, sender: STRANGER, room: NETWORK, thread: None, text: "!tuntematon" }));
    }
    assert!(replies[..10].iter().all(|r| r.len() == 1 && text_of(&r[0]).contains("En tunnista")), "{replies:?}");
    assert!(text_of(&replies[10][0]).contains("Hetkinen"), "{:?}", replies[10]);
    assert!(replies[11..].iter().all(Vec::is_empty), "{replies:?}");
    // Someone else in the same room is still answered.
    let other = say(&e, Say { id: "$other", sender: ASKER, room: NETWORK, thread: None, text: "!apua" });
    assert_eq!(other.len(), 1, "{other:?}");
}

#[test]
fn a_refused_redaction_asks_the_sender_and_tells_the_coordinators_without_the_code() {
    let e = engine();
    let out = e
        .handle(&Event::Message(incoming("$h", NETWORK, ASKER, "!kysy asiakas 131052-308T", monday_utc(9, 0))))
        .unwrap();
    let redaction = out.into_iter().find(|d| matches!(d.action, Action::Redact { .. })).unwrap();
    let follow_up: Vec<Action> = e.redaction_refused(&redaction).unwrap().into_iter().map(|d| d.action).collect();
    assert_eq!(follow_up.len(), 2, "{follow_up:?}");
    assert_eq!(room_of(&follow_up[0]), NETWORK);
    assert!(text_of(&follow_up[0]).contains("Poista viesti itse"), "{follow_up:?}");
    assert!(matches!(&follow_up[0], Action::Send { mentions, notice: false, .. } if mentions == &vec![ASKER.to_string()]));
    assert_eq!(room_of(&follow_up[1]), COORDS);
    assert!(text_of(&follow_up[1]).contains(NETWORK) && !text_of(&follow_up[1]).contains("308T"), "{follow_up:?}");
    // In the outbox, to be delivered like any decision.
    assert_eq!(e.pending_deliveries().unwrap().len(), 4);
}

#[test]
fn a_failed_store_read_writes_nothing_and_the_same_event_succeeds_on_retry() {
    let e = engine();
    open_ticket(&e);
    let first = serde_json::to_string(&e.ticket("K-2026-0001").unwrap().unwrap()).unwrap();
    // The year's ticket counter can no longer be read.
    let mut corrupt = Batch::default();
    corrupt.put(TreeId::Meta, "ticket_counter_2026", &"not a number");
    e.store().commit(corrupt).unwrap();

    let event = Event::Message(incoming("$q2", NETWORK, ASKER, "!konsultaatio Loimaalainen asiakas, uupunut, pitkään työttömänä. Mihin ohjaan?", monday_utc(9, 30)));
    assert!(e.handle(&event).is_err(), "a decision on a failed read is not committed");
    // Nothing half-written: ticket 1 untouched, no new ticket, no reply queued, and the
    // event not marked as handled, so it is decided again.
    assert_eq!(serde_json::to_string(&e.ticket("K-2026-0001").unwrap().unwrap()).unwrap(), first);
    assert_eq!(e.store().scan::<serde_json::Value>(TreeId::Tickets).unwrap().len(), 1);
    assert!(!e.store().contains(TreeId::Processed, b"$q2").unwrap());
    let queued = e.pending_deliveries().unwrap().len();

    let mut repaired = Batch::default();
    repaired.put(TreeId::Meta, "ticket_counter_2026", &1u32);
    e.store().commit(repaired).unwrap();
    let retried: Vec<Action> = e.handle(&event).unwrap().into_iter().map(|d| d.action).collect();
    assert!(retried.iter().any(|a| text_of(a).contains("K-2026-0002")), "{retried:?}");
    assert_eq!(serde_json::to_string(&e.ticket("K-2026-0001").unwrap().unwrap()).unwrap(), first);
    assert!(e.pending_deliveries().unwrap().len() > queued);
}

#[test]
fn who_is_notified_is_decided_per_message_kind() {
    let e = engine();
    let help = say(&e, Say { id: "$h", sender: ASKER, room: NETWORK, thread: None, text: "!apua" });
    assert!(matches!(&help[0], Action::Send { notice: true, mentions, .. } if mentions.is_empty()), "{help:?}");
    open_ticket(&e);
    let claim = say(&e, Say { id: "$c", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!ota" });
    let to_asker = claim.iter().find(|a| room_of(a) == NETWORK).expect("the asker hears of the claim");
    assert!(matches!(to_asker, Action::Send { notice: false, mentions, .. } if mentions == &vec![ASKER.to_string()]), "{claim:?}");
    let relay = say(&e, Say { id: "$a", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "Ohjaa terveystarkastukseen." });
    assert!(matches!(&relay[0], Action::Send { notice: false, mentions, .. } if mentions == &vec![ASKER.to_string()]), "{relay:?}");
    let back = say(&e, Say { id: "$b", sender: ASKER, room: NETWORK, thread: Some("$q"), text: "Kiitos, entä jos hän ei jaksa?" });
    assert!(matches!(&back[0], Action::Send { notice: false, mentions, .. } if mentions == &vec![COORDINATOR.to_string()]), "the owner: {back:?}");
}

#[test]
fn reassign_and_handoff_cannot_be_confused() {
    let e = engine();
    open_ticket(&e);
    let mixed = say(&e, Say { id: "$m", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!siirrä @bob:example.org ensikäynti maanantaina klo 10" });
    assert!(text_of(&mixed[0]).contains("En vaihtanut hoitajaa") && text_of(&mixed[0]).contains("ensikäynti maanantaina klo 10"), "{mixed:?}");
    assert!(text_of(&mixed[0]).contains("!siirto"), "the handoff is suggested: {mixed:?}");
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().owner, None, "nothing changed");

    let old_word = say(&e, Say { id: "$o", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!siirrä @bob:example.org" });
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().owner.as_deref(), Some("@bob:example.org"), "{old_word:?}");
    assert!(old_word.iter().any(|a| text_of(a).contains("`!vaihda`") || text_of(a).contains("!vaihda")), "{old_word:?}");

    let new_word = say(&e, Say { id: "$n", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!vaihda @carol:example.org" });
    assert_eq!(e.ticket("K-2026-0001").unwrap().unwrap().owner.as_deref(), Some("@carol:example.org"), "{new_word:?}");
    assert!(!new_word.iter().any(|a| text_of(a).contains("Vinkki")), "{new_word:?}");
}

#[test]
fn a_county_without_its_own_room_falls_back_and_the_asker_is_told() {
    let e = engine_with("", "en", Some("varsinais-suomi"));
    let out = say(&e, Say { id: "$t", sender: ASKER, room: NETWORK, thread: None, text: "!consult Client in Tampere, long-term unemployed with back pain. Where to?" });
    let ticket = out.iter().find(|a| matches!(a, Action::SendLinked { .. })).expect("a ticket, not a dead end");
    assert_eq!(room_of(ticket), COORDS);
    let told = out.iter().find(|a| room_of(a) == NETWORK).unwrap();
    assert!(text_of(told).contains("no coordinators' room of its own"), "{out:?}");
}

#[test]
fn an_off_topic_question_is_not_offered_a_consultation() {
    let e = engine();
    let out = say(&e, Say { id: "$p", sender: ASKER, room: NETWORK, thread: None, text: "!kysy mikä on paras pizzeria Turussa?" });
    assert!(!text_of(&out[0]).contains("Vastaa kyllä"), "{out:?}");
    let yes = say(&e, Say { id: "$y", sender: ASKER, room: NETWORK, thread: None, text: "joo" });
    assert!(yes.is_empty(), "{yes:?}");
    assert!(e.store().scan::<serde_json::Value>(TreeId::Tickets).unwrap().is_empty());
}

#[test]
fn one_status_post_per_change_and_the_asker_hears_of_escalations() {
    let e = engine();
    open_ticket(&e);
    let claim = say(&e, Say { id: "$c", sender: COORDINATOR, room: COORDS, thread: None, text: "!ota K-2026-0001" });
    assert_eq!(claim.iter().filter(|a| room_of(a) == COORDS).count(), 1, "{claim:?}");
    let escalate = say(&e, Say { id: "$e", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!eskaloi" });
    let to_asker = escalate.iter().find(|a| room_of(a) == NETWORK).expect("the asker is told");
    assert!(text_of(to_asker).contains("K-2026-0001") && text_of(to_asker).contains("työkykytiimissä"), "{escalate:?}");
}

#[test]
fn a_swedish_asker_reads_the_swedish_name_of_the_municipality() {
    let e = engine();
    let out = say(&e, Say { id: "$s", sender: ASKER, room: NETWORK, thread: None, text: "!konsultation Klient från Kimitoön, lång arbetslöshet och ryggbesvär. Vart ska hen?" });
    let to_asker = out.iter().find(|a| room_of(a) == NETWORK).expect("the asker is answered");
    assert!(text_of(to_asker).contains("Kimitoön") && !text_of(to_asker).contains("Kemiönsaari"), "{out:?}");
    let ticket = out.iter().find(|a| room_of(a) == COORDS).expect("a ticket");
    assert!(text_of(ticket).contains("Kemiönsaari"), "the Finnish-speaking coordinators' room reads the Finnish name: {out:?}");
}

#[test]
fn a_handoff_delivered_elsewhere_tells_the_sender_and_reminds_the_receiver_there() {
    let e = engine();
    open_ticket(&e);
    let out = e
        .handle(&Event::Message(IncomingMessage { thread_root: Some("$root".into()), ..incoming("$h", COORDS, COORDINATOR, "!siirto @bob:example.org ensikäynti TE-palveluissa ensi maanantaina klo 10", monday_utc(9, 0)) }))
        .unwrap();
    let handoff = out.iter().find(|d| matches!(d.action, Action::SendLinked { .. })).expect("the handoff").clone();
    assert!(matches!(&handoff.action, Action::SendLinked { reach: Some(r), .. } if r.person == "@bob:example.org"), "{handoff:?}");

    let note: Vec<Action> =
        e.reached_elsewhere(&handoff, "!dm:example.org", None, true).unwrap().into_iter().map(|d| d.action).collect();
    assert_eq!(room_of(&note[0]), COORDS);
    assert!(text_of(&note[0]).contains("yksityisviestinä") && text_of(&note[0]).contains("@bob:example.org"), "{note:?}");

    // Unacknowledged after a business day: the receiver is reminded in the direct message.
    let due: Vec<Action> = e
        .fire_due(chrono::Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap())
        .unwrap()
        .into_iter()
        .map(|d| d.action)
        .collect();
    let reminder = due
        .iter()
        .find(|a| matches!(a, Action::Send { mentions, .. } if mentions == &vec!["@bob:example.org".to_string()]))
        .expect("the receiver is reminded");
    assert_eq!(room_of(reminder), "!dm:example.org", "{due:?}");
}

/// A coordinator's formatted answer in the ticket's thread, as the adapter hands it over
/// (its HTML already sanitised to what Matrix allows).
fn answer_formatted(e: &Engine, id: &str, text: &str, html: &str) -> Vec<Action> {
    let event = Event::Message(IncomingMessage { html: Some(html.into()), thread_root: Some("$root".into()), ..incoming(id, COORDS, COORDINATOR, text, monday_utc(9, 30)) });
    e.handle(&event).unwrap().into_iter().map(|d| d.action).collect()
}

#[test]
fn a_relayed_answer_keeps_its_formatting_unless_something_was_masked() {
    let e = engine();
    open_ticket(&e);
    let html = "<p>Ohjaa <strong>IPS-valmennukseen</strong>:</p><ul><li>varaa aika</li><li>lue <a href=\"https://www.kela.fi/\">Kela</a></li></ul> @room";
    let relay = answer_formatted(&e, "$f1", "Ohjaa IPS-valmennukseen:\n- varaa aika\n- lue https://www.kela.fi/ @room", html);
    let Action::Send { message, .. } = &relay[0] else { panic!("{relay:?}") };
    assert!(message.html.contains("<ul><li>varaa aika</li>") && message.html.contains("<strong>IPS-valmennukseen</strong>"), "{}", message.html);
    assert!(message.plain.contains("- varaa aika"), "{}", message.plain);
    assert!(!message.html.contains("@room") && !message.plain.contains("@room"), "no @room through the bot: {message:?}");
    // A phone number in it: the masked plain text stands in, so the number is nowhere.
    let masked = answer_formatted(&e, "$f2", "Soita 040 123 4567", "<p>Soita <em>040 123 4567</em></p>");
    let Action::Send { message, .. } = &masked[0] else { panic!("{masked:?}") };
    assert!(!message.html.contains("4567") && !message.plain.contains("4567") && !message.html.contains("<em>"), "{message:?}");
}

#[test]
fn formatting_with_contact_details_or_an_identity_code_in_a_link_is_not_relayed() {
    let e = engine();
    open_ticket(&e);
    // The plain body shows only the link's text; the address is an e-mail address.
    let relay = answer_formatted(&e, "$m1", "Kirjoita Matille", "<p>Kirjoita <a href=\"mailto:matti.m@example.com\">Matille</a></p>");
    let Action::Send { message, .. } = &relay[0] else { panic!("{relay:?}") };
    assert!(!message.html.contains("example.com") && message.plain.contains("Kirjoita Matille"), "{message:?}");
    // An identity code hidden in a link stops the message at the gate, as in plain text.
    let refused = answer_formatted(&e, "$m2", "Katso tiedot", "<a href=\"https://x.example/?hetu=131052-308T\">tiedot</a>");
    assert!(refused.iter().any(|a| matches!(a, Action::Redact { .. })), "{refused:?}");
    assert!(refused.iter().all(|a| room_of(a) != NETWORK), "nothing reaches the asker: {refused:?}");
}

#[test]
fn a_deadline_index_entry_without_its_ticket_is_removed_when_due() {
    let e = engine();
    let stale_at = monday_utc(6, 0);
    let mut key = stale_at.timestamp_millis().to_be_bytes().to_vec();
    key.extend_from_slice(b"K-2026-9999");
    let mut batch = Batch::default();
    batch.put(TreeId::TicketDue, key, &"K-2026-9999");
    e.store().commit(batch).unwrap();
    assert_eq!(e.next_due().unwrap(), Some(stale_at));
    let fired = e.fire_due(monday_utc(8, 0)).unwrap();
    assert!(fired.iter().all(|d| !text_of(&d.action).contains("K-2026-9999")), "{fired:?}");
    assert!(e.store().scan::<String>(TreeId::TicketDue).unwrap().is_empty());
    assert_ne!(e.next_due().unwrap(), Some(stale_at), "the scheduler would wake for it again and again");
}

#[test]
fn the_old_reassign_word_gets_its_hint_even_when_refused() {
    let e = engine();
    open_ticket(&e);
    let refused = say(&e, Say { id: "$v", sender: COORDINATOR, room: COORDS, thread: Some("$root"), text: "!siirrä @bob:example.org ensikäynti maanantaina" });
    assert!(refused.iter().any(|a| text_of(a).contains("!siirto")), "{refused:?}");
    let hint = e.texts().message(Lang::Fi, Msg::ReassignOldWord, &[]).plain;
    assert!(refused.iter().any(|a| text_of(a) == hint), "{refused:?}");
}
