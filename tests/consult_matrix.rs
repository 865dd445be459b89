//! Consultations on a real Synapse: a professional's question reaches the coordinators'
//! room, is claimed with a reaction, answered, escalated and closed with feedback; the
//! privacy guard keeps identity codes out; the ticket survives a restart.
#![cfg(feature = "matrix")]
#![recursion_limit = "256"]

mod support;

use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::{Annotation, Thread};
use matrix_sdk::ruma::events::room::message::{Relation, RoomMessageEventContent};
use matrix_sdk::ruma::{OwnedEventId, OwnedUserId};
use matrix_sdk::Room;
use support::{Bot, Person};

async fn say_in_thread(room: &Room, root: &OwnedEventId, text: &str) {
    let mut content = RoomMessageEventContent::text_plain(text);
    content.relates_to = Some(Relation::Thread(Thread::plain(root.clone(), root.clone())));
    room.send(content).await.unwrap();
}

/// A formatted message (`plain` and its `html`) in the thread of `root`.
async fn say_html_in_thread(room: &Room, root: &OwnedEventId, plain: &str, html: &str) {
    let mut content = RoomMessageEventContent::text_html(plain, html);
    content.relates_to = Some(Relation::Thread(Thread::plain(root.clone(), root.clone())));
    room.send(content).await.unwrap();
}

/// The next message from the bot in `room` that contains `needle`, skipping others
/// (everyone in a room sees the bot's replies to everyone).
async fn expect_containing(person: &mut Person, room: &Room, bot: &str, needle: &str) -> support::Seen {
    loop {
        let seen = person.expect_from(room, bot, 40).await;
        if seen.body.contains(needle) {
            return seen;
        }
    }
}

async fn invite(room: &Room, user: &str) {
    room.invite_user_by_id(&OwnedUserId::try_from(user).unwrap()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_from_question_to_feedback() {
    let mut alice = Person::new("ammattilainen").await;
    let mut coord = Person::new("koordinaattori").await;
    let mut mallory = Person::new("mallory").await;
    let network = alice.client.create_room(Default::default()).await.unwrap();
    let coords = coord.client.create_room(Default::default()).await.unwrap();
    let config = format!(
        "[access]\ninvite_users = [\"{a}\", \"{c}\"]\n\n[catalogue]\nregions_dir = \"{dir}/config/regions\"\n\n\
         [consultations]\ncoordinators = [\"{c}\"]\n\n\
         [[rooms]]\nid = \"{n}\"\nkind = \"network\"\nlanguage = \"fi\"\n\n\
         [[rooms]]\nid = \"{k}\"\nkind = \"coordinators\"\nlanguage = \"fi\"\n",
        a = alice.user_id,
        c = coord.user_id,
        dir = env!("CARGO_MANIFEST_DIR"),
        n = network.room_id(),
        k = coords.room_id(),
    );
    let mut bot = Bot::new(&config);
    bot.start().await;
    invite(&network, &bot.user_id).await;
    invite(&network, &mallory.user_id).await;
    invite(&coords, &bot.user_id).await;
    alice.wait_membership(&network, &bot.user_id, true).await;
    coord.wait_membership(&coords, &bot.user_id, true).await;
    mallory.client.join_room_by_id(network.room_id()).await.unwrap();
    alice.wait_membership(&network, &mallory.user_id, true).await;

    // An identity code: nothing of it reaches the coordinators, the asker is asked to
    // remove it. The bot may not redact in alice's room (power level 0), so alice is asked
    // to delete the message herself and the coordinators learn that one remains.
    alice.say(&network, "!konsultaatio Loimaa: asiakas 131052 308T tarvitsee työkyvyn arviota").await;
    let warning = alice.expect_from(&network, &bot.user_id, 40).await;
    assert!(warning.body.contains("henkilötunnus") && !warning.body.contains("131052"), "{warning:?}");
    let delete_it = alice.expect_from(&network, &bot.user_id, 40).await;
    assert!(delete_it.body.contains("Poista viesti itse") && delete_it.body.contains(&alice.user_id), "{delete_it:?}");
    assert!(!delete_it.notice, "asking a person to act is a plain message, so it notifies: {delete_it:?}");
    let told = coord.collect_from(&coords, &bot.user_id, 4).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].body.contains("jäi viesti, jossa on henkilötunnus") && !told[0].body.contains("131052"), "{told:?}");

    // The real question: routed to the coordinators' room, the asker told in a thread.
    let question = alice
        .say(&network, "!konsultaatio Loimaalainen asiakas, 55 v, selkävaivoja ja pitkä työttömyys. Mihin ohjaan?")
        .await;
    let notice = expect_containing(&mut coord, &coords, &bot.user_id, "Uusi konsultaatio").await;
    assert!(notice.body.contains("Uusi konsultaatio K-") && notice.body.contains("Loimaa"), "{notice:?}");
    let ticket_id = notice.body.split_whitespace().find(|w| w.starts_with("K-")).unwrap().to_string();
    let opened = expect_containing(&mut alice, &network, &bot.user_id, "Avasin").await;
    assert!(opened.body.contains(&ticket_id), "{opened:?}");
    assert_eq!(opened.thread_root.as_ref(), Some(&question));

    // Someone who is not a coordinator cannot claim it.
    mallory.say(&mallory.client.get_room(network.room_id()).unwrap(), &format!("!ota {ticket_id}")).await;
    let refused = expect_containing(&mut mallory, &network, &bot.user_id, "vain työkykykoordinaattorit").await;
    assert!(refused.body.contains("Tämän voivat tehdä vain työkykykoordinaattorit"), "{refused:?}");

    // 👍 on the notice claims it; the asker hears of it.
    coords.send(ReactionEventContent::new(Annotation::new(notice.event_id.clone(), "👍".into()))).await.unwrap();
    let claimed = expect_containing(&mut alice, &network, &bot.user_id, "otti").await;
    assert!(claimed.body.contains("otti konsultaatiosi"), "{claimed:?}");

    // The coordinator answers in the ticket's thread, formatted; the asker gets it in
    // theirs with its list and link, and nothing Matrix does not allow.
    say_html_in_thread(
        &coords,
        &notice.event_id,
        "Ohjaa ensin työttömien terveystarkastukseen.\n- varaa aika\n- katso https://www.kela.fi/",
        "<p>Ohjaa ensin <strong>työttömien terveystarkastukseen</strong>.</p><ul><li>varaa aika</li>\
         <li>katso <a href=\"https://www.kela.fi/\">Kela</a></li></ul><script>alert(1)</script>\
         <img src=\"https://example.org/x.png\" onerror=\"alert(2)\">",
    )
    .await;
    let relayed = expect_containing(&mut alice, &network, &bot.user_id, "vastasi").await;
    assert!(relayed.body.contains("Ohjaa ensin työttömien terveystarkastukseen."), "{relayed:?}");
    assert_eq!(relayed.thread_root.as_ref(), Some(&question));
    let html = relayed.html.clone().unwrap_or_default();
    assert!(html.contains("<li>varaa aika</li>") && html.contains("<a href=\"https://www.kela.fi/\">Kela</a>"), "{html}");
    assert!(html.contains("<strong>työttömien terveystarkastukseen</strong>"), "{html}");
    assert!(!html.contains("<script") && !html.contains("alert") && !html.contains("<img"), "{html}");

    // Escalate to the team, resolve, close: the asker is asked for feedback.
    say_in_thread(&coords, &notice.event_id, "!eskaloi").await;
    expect_containing(&mut coord, &coords, &bot.user_id, "asialistalle").await;
    say_in_thread(&coords, &notice.event_id, "!ratkaistu").await;
    let resolved = expect_containing(&mut alice, &network, &bot.user_id, "ratkaistuksi").await;
    assert!(resolved.body.contains("ratkaistuksi"), "{resolved:?}");
    say_in_thread(&coords, &notice.event_id, "!sulje").await;
    let feedback_question = expect_containing(&mut alice, &network, &bot.user_id, "0–10").await;
    assert!(feedback_question.body.contains("0–10"), "{feedback_question:?}");
    say_in_thread(&network, &question, "8").await;
    let thanks = expect_containing(&mut alice, &network, &bot.user_id, "Kiitos").await;
    assert!(thanks.body.contains("8/10"), "{thanks:?}");

    // After a restart the ticket and its feedback are still there.
    bot.stop().await;
    bot.start().await;
    coord.say(&coords, "!tilastot").await;
    let stats = expect_containing(&mut coord, &coords, &bot.user_id, "Konsultaatiot").await;
    assert!(stats.body.contains("(koko ajalta): 1 kpl") && stats.body.contains("1 vastaus, keskiarvo 8,0"), "{stats:?}");
    assert!(stats.body.contains("suljettu"), "{stats:?}");

    // Under the default push rules: the coordinator was notified of the new ticket, the
    // asker of the claim, the answer and the feedback question; chatter notified nobody.
    let coordinator_notified = coord.notifications().await;
    let notified = |list: &[support::Notified], event: &matrix_sdk::ruma::EventId| list.iter().any(|n| n.event_id == event.as_str());
    assert!(notified(&coordinator_notified, &notice.event_id), "new ticket: {coordinator_notified:#?}");
    assert!(!notified(&coordinator_notified, &stats.event_id), "statistics are chatter: {coordinator_notified:#?}");
    let asker_notified = alice.notifications().await;
    for (what, seen) in [("claim", &claimed), ("answer", &relayed), ("feedback question", &feedback_question)] {
        assert!(notified(&asker_notified, &seen.event_id), "{what}: {asker_notified:#?}");
    }
    assert!(!notified(&asker_notified, &opened.event_id), "the confirmation is chatter: {asker_notified:#?}");
    bot.stop().await;
}

/// A professional's network room, a coordinators' room and a would-be receiver, with the
/// bot in both rooms.
struct Handoffs {
    alice: Person,
    coord: Person,
    receiver: Person,
    network: Room,
    coords: Room,
    bot: Bot,
}

impl Handoffs {
    async fn set_up() -> Handoffs {
        let alice = Person::new("ammattilainen").await;
        let coord = Person::new("koordinaattori").await;
        let receiver = Person::new("vastaanottaja").await;
        let network = alice.client.create_room(Default::default()).await.unwrap();
        let coords = coord.client.create_room(Default::default()).await.unwrap();
        let config = format!(
            "[access]\ninvite_users = [\"{a}\", \"{c}\"]\n\n[catalogue]\nregions_dir = \"{dir}/config/regions\"\n\n\
             [consultations]\ncoordinators = [\"{c}\"]\n\n\
             [[rooms]]\nid = \"{k}\"\nkind = \"coordinators\"\nlanguage = \"fi\"\n",
            a = alice.user_id,
            c = coord.user_id,
            dir = env!("CARGO_MANIFEST_DIR"),
            k = coords.room_id(),
        );
        let mut bot = Bot::new(&config);
        bot.start().await;
        invite(&network, &bot.user_id).await;
        invite(&coords, &bot.user_id).await;
        alice.wait_membership(&network, &bot.user_id, true).await;
        coord.wait_membership(&coords, &bot.user_id, true).await;
        Handoffs { alice, coord, receiver, network, coords, bot }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escorted_handoff_is_acknowledged_with_a_reaction() {
    let Handoffs { alice, mut coord, mut receiver, network, coords, mut bot } = Handoffs::set_up().await;
    invite(&coords, &receiver.user_id).await;
    receiver.client.join_room_by_id(coords.room_id()).await.unwrap();
    coord.wait_membership(&coords, &receiver.user_id, true).await;

    alice.say(&network, "!konsultaatio Loimaa: mihin ohjaan pitkään työttömänä olleen?").await;
    let notice = expect_containing(&mut coord, &coords, &bot.user_id, "Uusi konsultaatio").await;
    say_in_thread(&coords, &notice.event_id, &format!("!siirto {} ensikäynti TE-palveluissa ensi maanantaina klo 10", receiver.user_id)).await;
    let handoff = expect_containing(&mut receiver, &coords, &bot.user_id, "saattaen vaihtaen").await;
    assert!(handoff.body.contains("ensikäynti TE-palveluissa"), "{handoff:?}");
    let receiver_notified = receiver.notifications().await;
    assert!(
        receiver_notified.iter().any(|n| n.event_id == handoff.event_id.as_str() && n.highlight),
        "the receiver is mentioned and notified: {receiver_notified:#?}"
    );

    let receiver_room = receiver.client.get_room(coords.room_id()).unwrap();
    receiver_room.send(ReactionEventContent::new(Annotation::new(handoff.event_id.clone(), "✅".into()))).await.unwrap();
    let ack = expect_containing(&mut coord, &coords, &bot.user_id, "kuittasi").await;
    assert!(ack.body.contains(&receiver.user_id), "{ack:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handoff_reaches_a_receiver_who_is_in_no_room_with_the_bot_by_direct_message() {
    let Handoffs { alice, mut coord, mut receiver, network, coords, mut bot } = Handoffs::set_up().await;

    alice.say(&network, "!konsultaatio Loimaa: mihin ohjaan pitkään työttömänä olleen?").await;
    let notice = expect_containing(&mut coord, &coords, &bot.user_id, "Uusi konsultaatio").await;
    say_in_thread(&coords, &notice.event_id, &format!("!siirto {} ensikäynti TE-palveluissa ensi maanantaina klo 10", receiver.user_id)).await;

    // The receiver shares no room with the bot: it opens a direct message.
    let direct = receiver.accept_direct_message(40).await;
    let handoff = expect_containing(&mut receiver, &direct, &bot.user_id, "saattaen vaihtaen").await;
    assert!(handoff.body.contains("ensikäynti TE-palveluissa"), "{handoff:?}");
    let where_it_went = expect_containing(&mut coord, &coords, &bot.user_id, "yksityisviestinä").await;
    assert!(where_it_went.body.contains(&receiver.user_id), "{where_it_went:?}");

    // ✅ from the direct message acknowledges it; the sender hears of it in the thread.
    direct.send(ReactionEventContent::new(Annotation::new(handoff.event_id.clone(), "✅".into()))).await.unwrap();
    let ack = expect_containing(&mut coord, &coords, &bot.user_id, "kuittasi").await;
    assert!(ack.body.contains(&receiver.user_id), "{ack:?}");
    // The receiver was notified: of the handoff itself when they had already joined, else
    // (Synapse pushes nothing to a room's invitees) of the bot's invitation to it.
    let notified = receiver.notifications().await;
    assert!(
        notified.iter().any(|n| n.event_id == handoff.event_id.as_str() || n.sender == bot.user_id),
        "{notified:#?}"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_from_a_county_without_a_room_goes_to_the_fallback_room() {
    let mut alice = Person::new("ammattilainen").await;
    let mut coord = Person::new("koordinaattori").await;
    let network = alice.client.create_room(Default::default()).await.unwrap();
    let turku = coord.client.create_room(Default::default()).await.unwrap();
    let fallback = coord.client.create_room(Default::default()).await.unwrap();
    // Only Varsinais-Suomi has a coordinators' room; the fallback room takes the rest.
    let config = format!(
        "[access]\ninvite_users = [\"{a}\", \"{c}\"]\n\n[catalogue]\nregions_dir = \"{dir}/config/regions\"\n\n\
         [consultations]\ncoordinators = [\"{c}\"]\nfallback_room = \"{f}\"\n\n\
         [[rooms]]\nid = \"{n}\"\nkind = \"network\"\nlanguage = \"fi\"\n\n\
         [[rooms]]\nid = \"{k}\"\nkind = \"coordinators\"\nlanguage = \"fi\"\ncounty = \"varsinais-suomi\"\n\n\
         [[rooms]]\nid = \"{f}\"\nkind = \"coordinators\"\nlanguage = \"fi\"\ncounty = \"kanta-hame\"\n",
        a = alice.user_id,
        c = coord.user_id,
        dir = env!("CARGO_MANIFEST_DIR"),
        n = network.room_id(),
        k = turku.room_id(),
        f = fallback.room_id(),
    );
    let mut bot = Bot::new(&config);
    bot.start().await;
    for room in [&network, &turku, &fallback] {
        invite(room, &bot.user_id).await;
    }
    alice.wait_membership(&network, &bot.user_id, true).await;
    coord.wait_membership(&turku, &bot.user_id, true).await;
    coord.wait_membership(&fallback, &bot.user_id, true).await;

    // Tampere is in Pirkanmaa, which has no room of its own.
    alice.say(&network, "!konsultaatio Tamperelainen asiakas, pitkään työttömänä ja uupunut. Mihin ohjaan?").await;
    let opened = expect_containing(&mut alice, &network, &bot.user_id, "Avasin").await;
    assert!(opened.body.contains("Pirkanmaa") || opened.body.contains("pirkanmaa"), "the asker is told where it went: {opened:?}");
    let ticket = expect_containing(&mut coord, &fallback, &bot.user_id, "Uusi konsultaatio").await;
    assert!(ticket.body.contains("Tampere"), "{ticket:?}");
    assert!(coord.collect_from(&turku, &bot.user_id, 3).await.is_empty(), "not in another county's room");
    bot.stop().await;
}
