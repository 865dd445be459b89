//! Access, mentions and rate limits on a real Synapse, judged where people meet them:
//! whose commands are answered, what their `/notifications` show under the default push
//! rules, and whether every reply arrives once and in order when the homeserver throttles
//! the bot.
#![cfg(feature = "matrix")]
#![recursion_limit = "256"]

mod support;

use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::{Int, OwnedUserId};
use std::time::Duration;
use support::{Bot, Person};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_listed_users_may_use_the_bot_even_where_everyone_may_invite_it() {
    let mut alice = Person::new("alice").await;
    let bob = Person::new("bob").await;
    // A common setup: one named user, and invites from anyone on the own server.
    let mut bot = Bot::new(&format!("[access]\nusers = [\"{}\"]\ninvite_servers = [\"localhost\"]\n", alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;
    let bobs = alice.bring_in(&room, &[&bob]).await.remove(0);

    bobs.send(RoomMessageEventContent::text_plain("!konsultaatio Loimaalainen asiakas, selkävaivoja")).await.unwrap();
    let refused = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(refused.body.contains("ei ole oikeutta käyttää Kaveria"), "{refused:?}");
    alice.say(&room, "!help").await;
    let helped = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(helped.body.contains("helper for the work-ability"), "{helped:?}");
    assert!(bot.log().contains("access: may use the bot: ") && bot.log().contains(&alice.user_id), "the policy is logged at start");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_ping_a_whole_room_through_the_bot() {
    let mut alice = Person::new("alice").await;
    let bob = Person::new("bob").await;
    let mut bot = Bot::new(&format!("[access]\ninvite_users = [\"{}\"]\n", alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;
    alice.bring_in(&room, &[&bob]).await;
    // The bot holds power level 50, as it does where it needs to redact: enough for @room.
    let bot_id = OwnedUserId::try_from(bot.user_id.as_str()).unwrap();
    room.update_power_levels(vec![(&bot_id, Int::from(50))]).await.unwrap();

    // Control: alice's own "@room" does highlight bob, so the rule is live in this room.
    let control = alice.say(&room, "@room huomio kaikki").await;
    alice.say(&room, "!muistuta huone 10 sekunnin päästä kokous alkaa @room").await;
    let confirmation = alice.expect_from(&room, &bot.user_id, 40).await;
    alice.say(&room, "!tuntematon@room").await;
    let unknown = alice.expect_from(&room, &bot.user_id, 40).await;
    let fired = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(fired.body.contains("kokous alkaa"), "{fired:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;

    let notified = bob.notifications().await;
    let highlighted = |id: &str| notified.iter().find(|n| n.event_id == id).is_some_and(|n| n.highlight);
    assert!(highlighted(control.as_str()), "alice's @room should highlight bob: {notified:#?}");
    for from_bot in [&confirmation, &unknown, &fired] {
        assert!(!highlighted(from_bot.event_id.as_str()), "the bot pinged the room: {from_bot:?}\n{notified:#?}");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_homeserver_rate_limits_the_bot_every_reply_still_arrives_once_and_in_order() {
    let mut alice = Person::new("alice").await;
    let others = [Person::new("bob").await, Person::new("carol").await];
    let mut bot = Bot::new(&format!("[access]\ninvite_users = [\"{}\"]\n", alice.user_id));
    // Five messages at once, then one a second: the bot will be answered 429.
    support::strict_rate_limit(&bot.user_id);
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;
    let mut rooms = vec![room.clone()];
    rooms.extend(alice.bring_in(&room, &[&others[0], &others[1]]).await);

    // 15 numbered commands, five from each person: ten replies more than the burst.
    let mut words = Vec::new();
    for round in 0..5 {
        for (person, person_room) in rooms.iter().enumerate() {
            let word = format!("!komento{}", round * 3 + person + 1);
            person_room.send(RoomMessageEventContent::text_plain(word.as_str())).await.unwrap();
            words.push(word);
        }
    }
    let mut replies = vec![alice.expect_from(&room, &bot.user_id, 90).await];
    let first = std::time::Instant::now();
    while replies.len() < words.len() {
        replies.push(alice.expect_from(&room, &bot.user_id, 90).await);
    }
    // Ten replies beyond the burst at one a second: the limit was really in force.
    assert!(first.elapsed() >= Duration::from_secs(7), "replies were not rate limited: {:?}", first.elapsed());
    let extra = alice.collect_from(&room, &bot.user_id, 6).await;
    assert!(extra.is_empty(), "nothing twice: {extra:?}");
    let answered: Vec<String> = replies
        .iter()
        .map(|r| r.body.split('!').nth(1).and_then(|w| w.split(['`', '.', ' ']).next()).unwrap_or_default().to_string())
        .map(|w| format!("!{w}"))
        .collect();
    assert_eq!(answered, words, "every command answered once, in the order sent");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_missing_from_the_coordinators_room_is_warned_about_at_start_up() {
    let alice = Person::new("koordinaattori").await;
    let absent = Person::new("poissa").await;
    let coords = alice.client.create_room(Default::default()).await.unwrap();
    let mut bot = Bot::new(&format!(
        "[access]\ninvite_users = [\"{a}\"]\n\n[consultations]\ncoordinators = [\"{a}\", \"{b}\"]\n\n\
         [[rooms]]\nid = \"{k}\"\nkind = \"coordinators\"\nlanguage = \"fi\"\n",
        a = alice.user_id,
        b = absent.user_id,
        k = coords.room_id(),
    ));
    bot.start().await;
    coords.invite_user_by_id(&OwnedUserId::try_from(bot.user_id.as_str()).unwrap()).await.unwrap();
    alice.wait_membership(&coords, &bot.user_id, true).await;
    bot.stop().await;
    bot.start().await;
    let log = bot.log();
    let warned = |user: &str| log.lines().any(|l| l.contains("is not a member of the coordinators' room") && l.contains(user));
    assert!(warned(&absent.user_id), "{log}");
    assert!(!warned(&alice.user_id), "{log}");
    bot.stop().await;
}
