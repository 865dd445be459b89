//! Kaveri on a real Synapse: invites, commands in three languages in plain and encrypted
//! rooms, and restarts that neither lose nor repeat an answer.
#![cfg(feature = "matrix")]
#![recursion_limit = "256"]

mod support;

use support::{Bot, Person};

/// SIGKILL and restart: whatever was answered or sent before is not sent again.
async fn killed_bot_repeats_nothing(bot: &mut Bot, person: &mut Person, room: &matrix_sdk::Room) {
    bot.kill();
    bot.start().await;
    let after_kill = person.collect_from(room, &bot.user_id, 8).await;
    assert!(after_kill.is_empty(), "nothing repeated after SIGKILL: {after_kill:?}");
}

fn invite_only(user: &str) -> String {
    format!("[access]\ninvite_users = [\"{user}\"]\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joins_an_allowed_invite_and_politely_leaves_a_disallowed_one() {
    let alice = Person::new("alice").await;
    let mut mallory = Person::new("mallory").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;

    let allowed = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&allowed, &bot.user_id, true).await;
    // It appears under the name the config gives it (bot.display_name, default Kaveri).
    let bot_id = matrix_sdk::ruma::OwnedUserId::try_from(bot.user_id.as_str()).unwrap();
    let member = allowed.get_member_no_sync(&bot_id).await.unwrap().expect("the bot is a member");
    assert_eq!(member.display_name(), Some("Kaveri"), "{:?}", member.display_name());

    let refused = mallory.create_room(&bot.user_id, false).await;
    let goodbye = mallory.expect_from(&refused, &bot.user_id, 40).await;
    assert!(goodbye.body.contains("ei ole oikeutta kutsua"), "{goodbye:?}");
    mallory.wait_membership(&refused, &bot.user_id, false).await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_is_answered_in_the_command_language_in_plain_and_encrypted_rooms() {
    let mut alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;

    for encrypted in [false, true] {
        let room = alice.create_room(&bot.user_id, encrypted).await;
        alice.wait_membership(&room, &bot.user_id, true).await;
        for (command, expected) in [
            ("!apua", "työkyvyn tuen verkoston apuri"),
            ("!hjälp", "stöd för arbetsförmåga"),
            ("!help", "helper for the work-ability support network"),
        ] {
            alice.say(&room, command).await;
            let reply = alice.expect_from(&room, &bot.user_id, 40).await;
            assert!(reply.body.contains(expected), "encrypted={encrypted} {command}: {reply:?}");
            assert!(reply.notice, "bot replies are notices so other bots ignore them");
        }
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_in_the_thread_the_question_came_from() {
    let mut alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    let root = alice.say(&room, "Kysymys asiakkaasta").await;
    let mut content = matrix_sdk::ruma::events::room::message::RoomMessageEventContent::text_plain("!help");
    content.relates_to = Some(matrix_sdk::ruma::events::room::message::Relation::Thread(
        matrix_sdk::ruma::events::relation::Thread::plain(root.clone(), root.clone()),
    ));
    let command = room.send(content).await.unwrap().response.event_id;
    let reply = alice.expect_from(&room, &bot.user_id, 40).await;
    assert_eq!(reply.thread_root.as_ref(), Some(&root), "{reply:?}");
    // For clients without threads it answers the command, not the thread's root.
    assert_eq!(reply.reply_to.as_ref(), Some(&command), "{reply:?}");

    // At top level, the answer says which message it answers.
    let question = alice.say(&room, "!apua").await;
    let answer = alice.expect_from(&room, &bot.user_id, 40).await;
    assert_eq!((answer.thread_root.as_ref(), answer.reply_to.as_ref()), (None, Some(&question)), "{answer:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_neither_repeats_old_answers_nor_loses_commands_sent_while_down() {
    let mut alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    alice.say(&room, "!help").await;
    let first = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(first.body.contains("helper for the work-ability"), "{first:?}");
    bot.stop().await;

    // Sent while the bot is down: answered once it is back, exactly once.
    alice.say(&room, "!apua").await;
    bot.start().await;
    let after_restart = alice.collect_from(&room, &bot.user_id, 12).await;
    assert_eq!(after_restart.len(), 1, "exactly one answer after restart: {after_restart:?}");
    assert!(after_restart[0].body.contains("työkyvyn tuen verkoston apuri"), "{after_restart:?}");

    // A new command is answered; the old ones still are not.
    alice.say(&room, "!hjälp").await;
    let new = alice.collect_from(&room, &bot.user_id, 10).await;
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(new[0].body.contains("stöd för arbetsförmåga"), "{new:?}");

    // A killed bot (no clean shutdown) also answers nothing twice.
    killed_bot_repeats_nothing(&mut bot, &mut alice, &room).await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_to_start_when_the_crypto_store_is_gone() {
    let alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    bot.stop().await;
    std::fs::remove_dir_all(bot.dir.path().join("data/matrix-store")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kaveri"))
        .args(["run", "--config", bot.dir.path().join("kaveri.toml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("lost its crypto store"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_catalogue_questions_by_command_and_by_mention_citing_the_card() {
    let mut alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, true).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    alice.say(&room, "!kysy Miten asiakas pääsee IPS-työhönvalmennukseen?").await;
    let answer = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(answer.body.contains("Lähde: palvelukortti IPS-työhönvalmennus"), "{answer:?}");

    alice.say(&room, &format!("{}: Who can refer a client to the work ability coordinator?", bot.user_id)).await;
    let answer = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(answer.body.contains("Source: service card"), "{answer:?}");

    alice.say(&room, "!tjänst TYP").await;
    let card = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(card.body.contains("(typ)") && card.body.contains("För vem:"), "{card:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_survive_sigkill_before_and_after_their_time_and_arrive_exactly_once() {
    use std::time::{Duration, Instant};
    let mut alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    let set_at = Instant::now();
    alice.say(&room, "!remind in 20 seconds first check").await;
    let first = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(first.body.contains("I will remind you on") && first.body.contains("first check"), "{first:?}");
    alice.say(&room, "!remind in 50 seconds second check").await;
    let second = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(second.body.contains("second check"), "{second:?}");

    // Killed and restarted before either is due: the restarted bot sends the first on time.
    bot.kill();
    bot.start().await;
    let on_time = alice.expect_from(&room, &bot.user_id, 45).await;
    assert!(on_time.body.contains("reminder: first check") && on_time.body.contains(&alice.user_id), "{on_time:?}");
    assert!(!on_time.notice, "reminders are plain messages, so they notify");
    assert!(set_at.elapsed() >= Duration::from_secs(19), "fired early: {:?}", set_at.elapsed());

    // Killed before the second is due and restarted after it: sent on start, exactly once,
    // and the first is not repeated.
    bot.kill();
    let due = set_at + Duration::from_secs(55);
    tokio::time::sleep_until(due.into()).await;
    bot.start().await;
    let after_restart = alice.collect_from(&room, &bot.user_id, 10).await;
    assert_eq!(after_restart.len(), 1, "exactly one reminder after the restart: {after_restart:?}");
    assert!(after_restart[0].body.contains("reminder: second check"), "{after_restart:?}");

    // Killed once more: nothing is sent again.
    killed_bot_repeats_nothing(&mut bot, &mut alice, &room).await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recurring_room_reminder_fires_each_time_until_cancelled() {
    let mut alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    alice.say(&room, "!muistuta huone 20 sekunnin välein tauko").await;
    let set = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(set.body.contains("Muistutan tätä huonetta") && set.body.contains("Toistuu 20 s välein"), "{set:?}");
    for round in 1..=2 {
        let fired = alice.expect_from(&room, &bot.user_id, 35).await;
        assert!(fired.body.contains("Muistutus huoneelle") && fired.body.contains("tauko"), "round {round}: {fired:?}");
    }
    alice.say(&room, "!peru 1").await;
    let cancelled = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(cancelled.body.contains("Peruin muistutuksen 1"), "{cancelled:?}");
    let after = alice.collect_from(&room, &bot.user_id, 25).await;
    assert!(after.is_empty(), "nothing after cancelling: {after:?}");

    // A colleague picked from the client's mention list arrives as a display-name pill.
    let (bob, _) = support::register(&support::unique("bob"));
    let pill = format!("<a href=\"https://matrix.to/#/{bob}\">Bob</a>");
    let content = matrix_sdk::ruma::events::room::message::RoomMessageEventContent::text_html(
        "!remind Bob tomorrow at 9 send the statement",
        format!("!remind {pill} tomorrow at 9 send the statement"),
    );
    room.send(content).await.unwrap();
    let for_bob = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(for_bob.body.contains(&format!("I will remind {bob} on")), "{for_bob:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_for_a_room_the_bot_was_removed_from_does_not_hold_up_other_replies() {
    let mut alice = Person::new("alice").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    let kept = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&kept, &bot.user_id, true).await;
    let left = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&left, &bot.user_id, true).await;

    alice.say(&left, "!remind in 15 seconds this room is gone by then").await;
    alice.expect_from(&left, &bot.user_id, 40).await;
    let bot_id = matrix_sdk::ruma::OwnedUserId::try_from(bot.user_id.as_str()).unwrap();
    left.kick_user(&bot_id, None).await.unwrap();
    alice.wait_membership(&left, &bot.user_id, false).await;
    tokio::time::sleep(std::time::Duration::from_secs(20)).await;

    alice.say(&kept, "!help").await;
    let reply = alice.expect_from(&kept, &bot.user_id, 30).await;
    assert!(reply.body.contains("work-ability"), "{reply:?}");
    assert!(bot.log().contains("not in room"), "the dropped reminder is logged:\n{}", bot.log());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_for_a_colleague_outside_the_room_reaches_them_by_direct_message() {
    let mut alice = Person::new("alice").await;
    let mut bob = Person::new("bob").await;
    let mut bot = Bot::new(&invite_only(&alice.user_id));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    alice.say(&room, &format!("!muistuta {} 10 sekunnin päästä soita Kelaan", bob.user_id)).await;
    alice.expect_from(&room, &bot.user_id, 40).await;
    let direct = bob.accept_direct_message(60).await;
    let reminder = bob.expect_from(&direct, &bot.user_id, 40).await;
    assert!(reminder.body.contains("soita Kelaan") && reminder.body.contains(&alice.user_id), "{reminder:?}");
    // Said where bob is, not in a room he cannot read; alice is told where it went.
    let in_room = alice.collect_from(&room, &bot.user_id, 3).await;
    assert_eq!(in_room.len(), 1, "{in_room:?}");
    assert!(in_room[0].body.contains(&bob.user_id) && in_room[0].body.contains("yksityisviestinä"), "{in_room:?}");
    assert!(!in_room[0].body.contains("soita Kelaan"), "{in_room:?}");
    bot.stop().await;
}
