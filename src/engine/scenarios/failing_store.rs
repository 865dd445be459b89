//! A store that fails part-way: the decision is dropped whole (nothing half-written,
//! the event not marked processed), the person hears one "please try again" in their
//! language, and the same event succeeds once the store works again, overwriting
//! nothing.

use super::*;

const NETWORK: &str = "!verkosto:localhost";
const COORDS: &str = "!koordinaattorit:localhost";
const ASKER: &str = "@ammattilainen:localhost";

fn fixture() -> Fixture {
    Fixture::configured(
        &format!(
            "[access]\ninvite_users = [\"@admin:localhost\"]\n[catalogue]\nregions_dir = \"{}/config/regions\"\n[[rooms]]\nid = \"{NETWORK}\"\nkind = \"network\"\nlanguage = \"fi\"\n[[rooms]]\nid = \"{COORDS}\"\nkind = \"coordinators\"\n",
            env!("CARGO_MANIFEST_DIR")
        ),
        monday_ten(),
    )
}

fn records(f: &Fixture, tree: TreeId) -> Vec<(Vec<u8>, serde_json::Value)> {
    f.engine.store().scan::<serde_json::Value>(tree).unwrap()
}

#[test]
fn a_consultation_on_a_failing_store_is_retried_whole_and_overwrites_nothing() {
    let f = fixture();
    f.say_in(NETWORK, ASKER, "!konsultaatio Loimaalainen asiakas, pitkään työttömänä. Mihin ohjaan?");
    let tickets_before = records(&f, TreeId::Tickets);
    let audit_before = records(&f, TreeId::Audit);
    assert_eq!((tickets_before.len(), audit_before.len()), (1, 1));

    // The counter of this year's tickets cannot be read.
    f.engine.store().fail(Some(TreeId::Meta));
    let question = f.message(NETWORK, ASKER, "!konsultaatio Liedon asiakas, uupunut ja työtön. Mihin ohjaan?");
    let event = Event::Message(question.clone());
    assert!(f.engine.handle(&event).is_err());
    assert!(f.engine.handle(&event).is_err(), "the sync layer retries the same event");
    f.engine.store().heal();

    // Nothing of it was written, and the asker was told once, in Finnish, in reply.
    assert_eq!(records(&f, TreeId::Tickets), tickets_before);
    assert_eq!(records(&f, TreeId::Audit), audit_before);
    assert!(!f.engine.store().contains(TreeId::Processed, question.event_id.as_bytes()).unwrap());
    let apologies = f.engine.take_apologies();
    assert_eq!(apologies.len(), 1, "{apologies:?}");
    assert!(plain(&apologies)[0].contains("Jotain meni vikaan tallennuksessa"), "{apologies:?}");
    assert!(matches!(&apologies[0].action, Action::Send { in_reply_to: Some(id), .. } if *id == question.event_id));
    assert!(f.engine.pending_deliveries().unwrap().iter().all(|d| d.txn_id != apologies[0].txn_id), "not in the outbox");

    // Retried with the store working: the next number, the first ticket and its audit
    // record untouched.
    let answers = plain(&f.engine.handle(&event).unwrap());
    assert!(answers.iter().any(|a| a.contains("K-2026-0002")), "{answers:?}");
    let tickets_after = records(&f, TreeId::Tickets);
    assert_eq!(tickets_after.len(), 2);
    assert_eq!(tickets_after[0], tickets_before[0]);
    let audit_after = records(&f, TreeId::Audit);
    assert_eq!(audit_after.len(), 2);
    assert_eq!(audit_after[0], audit_before[0]);
    assert!(f.engine.take_apologies().is_empty());
}

#[test]
fn a_reminder_whose_commit_fails_is_set_once_on_retry() {
    let f = fixture();
    f.engine.store().fail(None);
    let command = f.message(NETWORK, ASKER, "!remind tomorrow at 9 call the employment services");
    let event = Event::Message(command.clone());
    assert!(f.engine.handle(&event).is_err());
    f.engine.store().heal();
    assert!(records(&f, TreeId::Reminders).is_empty());
    let apologies = plain(&f.engine.take_apologies());
    assert!(apologies.len() == 1 && apologies[0].contains("Something went wrong while saving"), "{apologies:?}");

    let answers = plain(&f.engine.handle(&event).unwrap());
    assert!(answers[0].contains("call the employment services") && answers[0].contains("1"), "{answers:?}");
    assert_eq!(records(&f, TreeId::Reminders).len(), 1);
    // Handled: the same event again changes nothing.
    assert!(f.engine.handle(&event).unwrap().is_empty());
    assert_eq!(records(&f, TreeId::Reminders).len(), 1);
}

#[test]
fn two_numbers_taken_in_one_decision_differ() {
    let f = fixture();
    let env = &f.engine.kernel.env;
    let mut batch = crate::store::Batch::default();
    let mut ctx = crate::kernel::Ctx { env, batch: &mut batch };
    let first = ctx.next_number("some_counter").unwrap();
    let second = ctx.next_number("some_counter").unwrap();
    assert_eq!((first, second), (1, 2));
}

#[test]
fn chatter_on_a_failing_store_gets_no_apology() {
    let f = fixture();
    f.engine.store().fail(Some(TreeId::Processed));
    let chatter = Event::Message(f.message(NETWORK, ASKER, "huomenta kaikille"));
    assert!(f.engine.handle(&chatter).is_err());
    assert!(f.engine.take_apologies().is_empty(), "nobody asked the bot anything");
}

#[test]
fn a_message_the_gate_turned_away_gets_no_apology() {
    let f = fixture();
    f.engine.store().fail(None);
    let hetu = Event::Message(f.message(NETWORK, ASKER, "!kysy asiakas 131052-308T"));
    assert!(f.engine.handle(&hetu).is_err());
    assert!(f.engine.take_apologies().is_empty(), "not 'send it again' for an identity code");
}

#[test]
fn retries_of_one_message_do_not_count_against_its_sender() {
    let f = fixture();
    f.engine.store().fail(Some(TreeId::Processed));
    let question = f.message(NETWORK, ASKER, "!kysy Mihin ohjaan asiakkaan, jonka työkyky on epäselvä?");
    let event = Event::Message(question);
    // The sync layer retries the same event while the store fails: more often than the
    // throttle's burst of 10.
    for _ in 0..15 {
        assert!(f.engine.handle(&event).is_err());
    }
    f.engine.store().heal();
    let answers = plain(&f.engine.handle(&event).unwrap());
    assert!(answers.iter().any(|a| a.contains("Työkykykoordinaattori")), "{answers:?}");
    // And the sender still has the rest of their burst.
    for i in 0..9 {
        let answers = f.say_in(NETWORK, ASKER, "!kysy Mitä IPS-työhönvalmennus on?");
        assert!(answers.iter().any(|a| a.contains("IPS")) && !answers.iter().any(|a| a.contains("Hetkinen")), "{i}: {answers:?}");
    }
}
