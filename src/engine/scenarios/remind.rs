//! Reminders through the engine, with a hand-moved clock: setting, listing, cancelling,
//! firing once, late delivery, recurrence across a DST change, and refusals.

use super::*;
use chrono::TimeDelta;

const ANNA: &str = "@anna:localhost";
const BOB: &str = "@bob:localhost";
const ROOM: &str = "!verkosto:localhost";

fn fixture(now: DateTime<Utc>) -> Fixture {
    Fixture::console(now)
}

/// `sender` says `text` in the network room.
fn say(f: &Fixture, sender: &str, text: &str) -> Vec<String> {
    f.say_in(ROOM, sender, text)
}

/// Reminders stored, counting their due-index entries.
fn stored(f: &Fixture) -> usize {
    f.engine.store().scan::<serde_json::Value>(TreeId::Reminders).unwrap().len()
        + f.engine.store().scan::<u64>(TreeId::Due).unwrap().len()
}


#[test]
fn setting_a_reminder_confirms_the_time_in_words_and_numbers_in_each_language() {
    let f = fixture(monday_ten());
    let fi = say(&f, ANNA, "!muistuta ensi maanantaina klo 9 soita Kelaan");
    assert!(fi[0].contains("Muistutan sinua ma 30.11.2026 klo 9.00: soita Kelaan"), "{fi:?}");
    assert!(fi[0].contains("!peru 1"), "{fi:?}");
    let sv = say(&f, ANNA, "!påminn nästa måndag kl 9 ring FPA");
    assert!(sv[0].contains("påminner dig mån 30.11.2026 kl. 9.00: ring FPA"), "{sv:?}");
    let en = say(&f, ANNA, "!remind next monday at 9 call Kela");
    assert!(en[0].contains("remind you on Mon 30 Nov 2026 at 9:00: call Kela"), "{en:?}");
    assert!(en[0].contains("!cancel 3"), "{en:?}");
    assert_eq!(f.engine.next_due().unwrap(), Some(Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap()));
}

#[test]
fn a_reminder_fires_once_at_its_time_and_mentions_the_person() {
    let f = fixture(monday_ten());
    say(&f, ANNA, "!muistuta 30 min päästä tarkista lausunto");
    f.clock.advance(TimeDelta::minutes(29));
    assert!(f.fire().is_empty(), "not due yet");
    f.clock.advance(TimeDelta::minutes(1));
    let fired = f.fire();
    let text = plain(&fired);
    assert_eq!(text.len(), 1);
    assert!(text[0].contains(ANNA) && text[0].contains("tarkista lausunto"), "{text:?}");
    assert!(!text[0].contains("myöhässä"), "on time: {text:?}");
    let Action::Send { room, notice, message, .. } = &fired[0].action else { panic!() };
    assert_eq!(room, ROOM);
    assert!(!notice, "a reminder must notify, so it is not a notice");
    assert!(message.html.contains("https://matrix.to/#/@anna:localhost"), "{message:?}");
    assert_eq!(message.html.matches("<a href").count(), 1, "one pill, not one inside another: {message:?}");
    // Waiting in the outbox until the adapter confirms delivery.
    assert_eq!(f.engine.pending_deliveries().unwrap().iter().filter(|d| d.outbox_id == fired[0].outbox_id).count(), 1);
    // Never again, and gone from the list.
    f.clock.advance(TimeDelta::hours(1));
    assert!(f.fire().is_empty());
    assert_eq!(f.engine.next_due().unwrap(), None);
    assert!(say(&f, ANNA, "!muistutukset")[0].contains("ei ole muistutuksia"));
}

#[test]
fn the_transaction_id_depends_only_on_the_reminder_and_its_occurrence() {
    let f = fixture(monday_ten());
    say(&f, ANNA, "!remind in 5 minutes stretch");
    let due = f.engine.next_due().unwrap().unwrap();
    f.clock.set(due);
    let fired = f.fire();
    assert_eq!(fired[0].txn_id, txn_id_for(&format!("reminder:1:{}", due.timestamp_millis()), 0));
}

#[test]
fn a_reminder_due_while_the_bot_was_down_says_how_late_it_is() {
    let f = fixture(monday_ten());
    say(&f, ANNA, "!muistuta klo 12 lounaspalaveri");
    f.clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 12, 5, 0).unwrap()); // 14:05 in Helsinki
    let text = plain(&f.fire());
    assert_eq!(text.len(), 1, "delivered, not dropped");
    assert!(text[0].contains("lounaspalaveri"), "{text:?}");
    assert!(text[0].contains("2 h 5 min myöhässä") && text[0].contains("ma 23.11.2026 klo 12.00"), "{text:?}");
}

#[test]
fn a_weekly_reminder_keeps_its_wall_clock_time_across_the_autumn_dst_change() {
    // Monday 19.10.2026 08:00 summer time; the clocks fall back on Sunday 25.10.
    let f = fixture(Utc.with_ymd_and_hms(2026, 10, 19, 5, 0, 0).unwrap());
    let set = say(&f, ANNA, "!muistuta huone joka maanantai klo 9 verkostopalaveri");
    assert!(set[0].contains("ma 19.10.2026 klo 9.00") && set[0].contains("Toistuu maanantaisin klo 9.00"), "{set:?}");
    f.clock.set(Utc.with_ymd_and_hms(2026, 10, 19, 6, 0, 0).unwrap());
    let first = plain(&f.fire());
    assert!(first[0].contains("Muistutus huoneelle") && first[0].contains("verkostopalaveri"), "{first:?}");
    // 9.00 winter time is 07:00 UTC, an hour later in UTC than the week before.
    let next = f.engine.next_due().unwrap().unwrap();
    assert_eq!(next, Utc.with_ymd_and_hms(2026, 10, 26, 7, 0, 0).unwrap());
    f.clock.set(next);
    assert_eq!(plain(&f.fire()).len(), 1);
    assert_eq!(f.engine.next_due().unwrap(), Some(Utc.with_ymd_and_hms(2026, 11, 2, 7, 0, 0).unwrap()));
    let list = say(&f, ANNA, "!muistutukset");
    assert!(list[0].contains("ma 2.11.2026 klo 9.00") && list[0].contains("toistuu maanantaisin"), "{list:?}");
}

#[test]
fn missed_repeats_are_reported_once_instead_of_sent_in_a_burst() {
    let f = fixture(monday_ten());
    say(&f, ANNA, "!remind every day at 11 stand-up");
    f.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()); // Thursday 12:00
    let text = plain(&f.fire());
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(text[0].contains("3 d 1 h late") && text[0].contains("missed 3 times"), "{text:?}");
    assert_eq!(f.engine.next_due().unwrap(), Some(Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()));
}

#[test]
fn a_colleague_is_told_who_set_their_reminder_and_both_see_it_listed() {
    let f = fixture(monday_ten());
    let set = say(&f, ANNA, "!muistuta @bob:localhost huomenna klo 9 lähetä lausunto");
    assert!(set[0].contains("Muistutan käyttäjää @bob:localhost ti 24.11.2026 klo 9.00"), "{set:?}");
    assert!(say(&f, BOB, "!muistutukset")[0].contains("sinulle (@anna:localhost asetti): lähetä lausunto"));
    assert!(say(&f, ANNA, "!muistutukset")[0].contains("käyttäjälle @bob:localhost: lähetä lausunto"));
    f.clock.set(Utc.with_ymd_and_hms(2026, 11, 24, 7, 0, 0).unwrap());
    let fired = f.fire();
    let text = plain(&fired);
    assert!(text[0].starts_with("⏰ @bob:localhost, @anna:localhost pyysi muistuttamaan sinua: lähetä lausunto"), "{text:?}");
    // Bob is mentioned, and must get it even if he is not in this room.
    assert!(
        matches!(&fired[0].action, Action::Send { mentions, reach: Some(r), .. }
            if mentions == &vec!["@bob:localhost".to_string()] && r.person == "@bob:localhost"),
        "{fired:?}"
    );
}

#[test]
fn the_list_shows_numbers_and_keeps_other_rooms_text_out() {
    let f = fixture(monday_ten());
    say(&f, ANNA, "!muistuta huomenna soita Kelaan");
    f.say_in("!toinen:localhost", ANNA, "!muistuta huomenna salainen asia");
    say(&f, BOB, "!muistuta huomenna Bobin oma");
    let list = say(&f, ANNA, "!muistutukset")[0].clone();
    assert!(list.contains("`1`") || list.contains("1 ti 24.11.2026"), "{list}");
    assert!(list.contains("soita Kelaan"), "{list}");
    assert!(!list.contains("salainen") && !list.contains("Bobin"), "{list}");
    assert!(list.contains("Muissa huoneissa sinulla on muistutuksia: 1"), "{list}");
}

#[test]
fn only_the_creator_can_cancel() {
    let f = fixture(monday_ten());
    say(&f, ANNA, "!muistuta huomenna soita Kelaan");
    let refused = say(&f, BOB, "!peru 1");
    assert!(refused[0].contains("vain sen asettaja"), "{refused:?}");
    assert!(f.engine.next_due().unwrap().is_some(), "still scheduled");
    let done = say(&f, ANNA, "!peru #1");
    assert!(done[0].contains("Peruin muistutuksen 1: soita Kelaan"), "{done:?}");
    assert_eq!(stored(&f), 0);
    f.clock.advance(TimeDelta::days(2));
    assert!(f.fire().is_empty(), "a cancelled reminder never fires");
    assert!(say(&f, ANNA, "!cancel 1")[0].contains("no reminder number 1"));
    assert!(say(&f, ANNA, "!avbryt")[0].contains("!avbryt 3"));
}

#[test]
fn bad_input_gets_a_polite_answer_and_changes_nothing() {
    let f = fixture(monday_ten());
    for (input, expected) in [
        ("!muistuta", "!muistuta <milloin> <mitä>"),
        ("!muistuta soita Kelaan", "En ymmärtänyt, milloin muistutan"),
        ("!muistuta tänään klo 8 soita", "aika on jo mennyt"),
        ("!muistuta 31.2. soita", "päivämäärää ei ole"),
        ("!muistuta huomenna klo 9", "Mistä muistutan?"),
        ("!påminn i morgon kl 25 ring", "klockslaget finns inte"),
        ("!remind every 5 seconds ping", "once every 10 seconds"),
        ("!muistuta huomenna soita 010101-123N asiasta", "henkilötunnus"),
    ] {
        let answer = say(&f, ANNA, input);
        assert_eq!(answer.len(), 1, "{input}");
        assert!(answer[0].contains(expected), "{input}: {answer:?}");
        assert_eq!(stored(&f), 0, "{input} stored something");
    }
    assert_eq!(f.engine.next_due().unwrap(), None);
    // Nothing was used up: the first real reminder is number 1.
    assert!(say(&f, ANNA, "!muistuta huomenna soita")[0].contains("!peru 1"));
}

#[test]
fn a_command_answered_late_counts_from_when_it_was_sent() {
    let f = fixture(monday_ten());
    let event = Event::Message(incoming("$backlog", ROOM, ANNA, "!muistuta 10 min päästä soita takaisin", monday_ten() - TimeDelta::minutes(5)));
    f.engine.handle(&event).unwrap();
    assert_eq!(f.engine.next_due().unwrap(), Some(monday_ten() + TimeDelta::minutes(5)));
    // The same event again (a resync) sets nothing more.
    assert!(f.engine.handle(&event).unwrap().is_empty());
    assert_eq!(stored(&f), 2);
}

#[test]
fn a_short_recurring_reminder_fires_every_interval() {
    let f = fixture(monday_ten());
    let set = say(&f, ANNA, "!remind every 20 seconds drink water");
    assert!(set[0].contains("Repeats every 20 s."), "{set:?}");
    for round in 1..=3 {
        f.clock.advance(TimeDelta::seconds(20));
        assert_eq!(plain(&f.fire()).len(), 1, "round {round}");
    }
    assert_eq!(f.engine.next_due().unwrap(), Some(monday_ten() + TimeDelta::seconds(80)));
}

#[test]
fn a_reminder_set_in_a_thread_is_said_in_that_thread() {
    let f = fixture(monday_ten());
    let event = Event::Message(IncomingMessage { thread_root: Some("$root".into()), ..incoming("$in-thread", ROOM, ANNA, "!muistuta tunnin päästä kysy asiakkaan suostumus", f.engine.now()) });
    let confirmation = f.engine.handle(&event).unwrap();
    assert!(matches!(&confirmation[0].action, Action::Send { thread_root: Some(r), .. } if r == "$root"));
    f.clock.advance(TimeDelta::hours(1));
    let fired = f.fire();
    assert!(matches!(&fired[0].action, Action::Send { thread_root: Some(r), .. } if r == "$root"), "{fired:?}");
}

#[test]
fn a_reminder_keeps_no_phone_number_or_e_mail_address() {
    let f = fixture(monday_ten());
    let confirmed = say(&f, ANNA, "!muistuta huomenna klo 9 soita asiakkaalle 040 123 4567 tai maili matti.m@example.com");
    assert!(!confirmed[0].contains("040 123 4567") && !confirmed[0].contains("matti.m@example.com"), "{confirmed:?}");
    let stored = f.engine.store().scan::<serde_json::Value>(TreeId::Reminders).unwrap();
    let text = stored[0].1["text"].as_str().unwrap().to_string();
    assert!(text.starts_with("soita asiakkaalle") && !text.contains("4567") && !text.contains("example.com"), "{text}");
    f.clock.advance(TimeDelta::days(1));
    let fired = plain(&f.fire());
    assert!(fired[0].contains("soita asiakkaalle") && !fired[0].contains("4567"), "{fired:?}");
}

#[test]
fn a_recurring_reminder_for_a_colleague_tells_its_creator_once_where_it_goes() {
    let f = fixture(monday_ten());
    say(&f, ANNA, &format!("!muistuta {BOB} joka päivä klo 11 tarkista postilaatikko"));
    let tells = |deliveries: &[Delivery]| {
        deliveries.iter().filter(|d| matches!(&d.action, Action::Send { reach: Some(Reach { tell: Some(_), .. }), .. })).count()
    };
    f.clock.advance(TimeDelta::hours(1));
    assert_eq!(tells(&f.fire()), 1, "the first time");
    f.clock.advance(TimeDelta::days(1));
    let second = f.fire();
    assert_eq!(plain(&second).len(), 1, "{second:?}");
    assert_eq!(tells(&second), 0, "not every day");
}
