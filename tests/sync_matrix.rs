//! The sync layer on a real Synapse: every command answered exactly once, counted per
//! command, through backlogs larger than one sync, parallel load, SIGKILL part-way
//! through a batch, and a homeserver outage with reminders falling due.
#![cfg(feature = "matrix")]
#![recursion_limit = "256"]

mod support;

use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::{Bot, Person, Proxy, Seen};

fn invite_only(users: &[&str]) -> String {
    let quoted: Vec<String> = users.iter().map(|u| format!("\"{u}\"")).collect();
    format!("[access]\ninvite_users = [{}]\n", quoted.join(", "))
}

/// The number in "task 17" at the end of a reminder confirmation.
fn task_number(reply: &Seen) -> Option<u32> {
    leading_number(reply.body.split("tehtävä ").nth(1)?)
}

fn leading_number(text: &str) -> Option<u32> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// How many confirmations each numbered reminder command got.
fn count_by_task(replies: &[Seen]) -> BTreeMap<u32, usize> {
    let mut counts = BTreeMap::new();
    for reply in replies {
        let number = task_number(reply).unwrap_or_else(|| panic!("not a confirmation of a numbered task: {reply:?}"));
        *counts.entry(number).or_default() += 1;
    }
    counts
}

/// Collects the bot's replies until `expected` have arrived (then 3 s more, to see any
/// duplicate), or `secs` pass.
async fn replies(person: &mut Person, room: &matrix_sdk::Room, bot: &str, expected: usize, secs: u64) -> Vec<Seen> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut seen = Vec::new();
    while seen.len() < expected && Instant::now() < deadline {
        seen.extend(person.collect_from(room, bot, 1).await);
    }
    seen.extend(person.collect_from(room, bot, 3).await);
    seen
}

fn assert_each_once(counts: &BTreeMap<u32, usize>, commands: u32) {
    let missing: Vec<u32> = (1..=commands).filter(|n| !counts.contains_key(n)).collect();
    let doubled: Vec<(&u32, &usize)> = counts.iter().filter(|(_, &n)| n > 1).collect();
    assert!(missing.is_empty() && doubled.is_empty(), "never answered: {missing:?}; answered twice or more: {doubled:?}");
    assert_eq!(counts.len() as u32, commands, "{counts:?}");
}

/// `people` in one room with the bot: the first created it, the others joined.
async fn shared_room(people: &[&Person], bot: &Bot) -> Vec<matrix_sdk::Room> {
    let room = people[0].create_room(&bot.user_id, false).await;
    people[0].wait_membership(&room, &bot.user_id, true).await;
    let mut rooms = vec![room.clone()];
    rooms.extend(people[0].bring_in(&room, &people[1..]).await);
    rooms
}

/// Sends `per_person` numbered reminder commands from each person in turn (each person
/// stays within the throttle's burst of ten), numbered 1, 2, … across all of them.
async fn numbered_commands(rooms: &[matrix_sdk::Room], per_person: u32) -> u32 {
    let mut n = 0;
    for _ in 0..per_person {
        for room in rooms {
            n += 1;
            let text = format!("!muistuta huomenna klo 9 tehtävä {n}");
            room.send(RoomMessageEventContent::text_plain(text)).await.unwrap();
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_commands_sent_while_the_bot_is_down_are_each_answered_once() {
    let mut alice = Person::new("alice").await;
    let (bob, carol) = (Person::new("bob").await, Person::new("carol").await);
    let mut bot = Bot::new(&invite_only(&[&alice.user_id]));
    bot.start().await;
    let rooms = shared_room(&[&alice, &bob, &carol], &bot).await;
    let room = rooms[0].clone();
    bot.stop().await;

    // More than the ten events per room that a plain sync returns.
    assert_eq!(numbered_commands(&rooms, 10).await, 30);
    bot.start().await;
    let answered = replies(&mut alice, &room, &bot.user_id, 30, 60).await;
    assert_each_once(&count_by_task(&answered), 30);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_people_asking_ten_questions_each_within_five_seconds_all_get_one_answer_each() {
    const PEOPLE: usize = 10;
    const QUESTIONS: [&str; 10] = [
        "!kysy kuka on työkykykoordinaattori?",
        "!kysy mitä on IPS-työhönvalmennus?",
        "!ask what is the work-ability team?",
        "!fråga vad gör arbetsförmågekoordinatorn?",
        "!kysy asiakkaalla on paljon velkoja, mihin ohjaan?",
        "!kysy mitä sosiaalinen kuntoutus tarkoittaa?",
        "!kysy miten haetaan ammatillista kuntoutusta Kelasta?",
        "!ask who can refer to the special-expertise team?",
        "!kysy työttömän terveystarkastus, kenelle?",
        "!kysy mitä saattaen vaihtaen tarkoittaa?",
    ];
    let mut people = Vec::new();
    for _ in 0..PEOPLE {
        people.push(Person::new("asker").await);
    }
    let ids: Vec<&str> = people.iter().map(|p| p.user_id.as_str()).collect();
    let mut bot = Bot::new(&invite_only(&ids));
    bot.start().await;
    let mut rooms = Vec::new();
    for person in &people {
        let room = person.create_room(&bot.user_id, false).await;
        person.wait_membership(&room, &bot.user_id, true).await;
        rooms.push(room);
    }

    let started = Instant::now();
    let senders: Vec<_> = rooms
        .iter()
        .cloned()
        .map(|room| {
            tokio::spawn(async move {
                for question in QUESTIONS {
                    room.send(RoomMessageEventContent::text_plain(question)).await.unwrap();
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    assert!(started.elapsed() < Duration::from_secs(5), "the load took {:?} to send", started.elapsed());

    for (person, room) in people.iter_mut().zip(&rooms) {
        let answered = replies(person, room, &bot.user_id, QUESTIONS.len(), 60).await;
        assert_eq!(answered.len(), QUESTIONS.len(), "{}: {answered:#?}", person.user_id);
    }
    assert_no_repeated_warning(&bot.log());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_killed_part_way_through_a_fifty_command_batch_answers_each_once_after_restart() {
    let mut alice = Person::new("alice").await;
    let mut others = Vec::new();
    for _ in 0..4 {
        others.push(Person::new("colleague").await);
    }
    let mut bot = Bot::new(&invite_only(&[&alice.user_id]));
    bot.start().await;
    let people: Vec<&Person> = std::iter::once(&alice).chain(others.iter()).collect();
    let rooms = shared_room(&people, &bot).await;
    let room = rooms[0].clone();
    bot.stop().await;

    assert_eq!(numbered_commands(&rooms, 10).await, 50);
    bot.start().await;
    // Killed as soon as the first answers arrive: part of the batch is out, part is not.
    let mut before_kill = vec![alice.expect_from(&room, &bot.user_id, 60).await];
    bot.kill();
    before_kill.extend(alice.collect_from(&room, &bot.user_id, 2).await);
    assert!(before_kill.len() < 50, "the kill came too late to test anything: {}", before_kill.len());

    bot.start().await;
    let expected = 50 - before_kill.len();
    let after_restart = replies(&mut alice, &room, &bot.user_id, expected, 60).await;
    let all: Vec<Seen> = before_kill.into_iter().chain(after_restart).collect();
    assert_each_once(&count_by_task(&all), 50);

    // Each command stored its reminder once: every person's list holds exactly theirs.
    let mut stored: BTreeMap<u32, usize> = BTreeMap::new();
    for person_room in &rooms {
        person_room.send(RoomMessageEventContent::text_plain("!muistutukset")).await.unwrap();
        let listing = alice.expect_from(&room, &bot.user_id, 30).await;
        for line in listing.body.lines().filter(|l| l.contains("tehtävä ")) {
            let number = leading_number(line.split("tehtävä ").nth(1).unwrap()).expect("a numbered reminder");
            *stored.entry(number).or_default() += 1;
        }
    }
    assert_each_once(&stored, 50);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_due_while_the_homeserver_is_down_arrive_within_seconds_of_its_return_marked_late() {
    let mut alice = Person::new("alice").await;
    let mut proxy = Proxy::start().await;
    let mut bot = Bot::reaching(&proxy.url, &invite_only(&[&alice.user_id]));
    bot.start().await;
    let room = alice.create_room(&bot.user_id, false).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    alice.say(&room, "!muistuta 20 sekunnin päästä soita kuntoutusohjaajalle").await;
    let confirmation = alice.expect_from(&room, &bot.user_id, 30).await;
    assert!(confirmation.body.contains("soita kuntoutusohjaajalle"), "{confirmation:?}");
    alice.say(&room, "!muistuta 40 sekunnin päästä tarkista lausunto").await;
    alice.expect_from(&room, &bot.user_id, 30).await;

    proxy.cut();
    let outage = alice.collect_from(&room, &bot.user_id, 60).await;
    assert!(outage.is_empty(), "nothing can arrive while the homeserver is unreachable: {outage:?}");
    proxy.restore().await;
    let back = Instant::now();

    let mut fired = vec![alice.expect_from(&room, &bot.user_id, 30).await];
    fired.push(alice.expect_from(&room, &bot.user_id, 30).await);
    let recovery = back.elapsed();
    assert!(recovery < Duration::from_secs(5), "reminders arrived {recovery:?} after the homeserver returned");
    let first = fired.iter().find(|r| r.body.contains("soita kuntoutusohjaajalle")).expect("the first reminder arrived");
    assert!(fired.iter().any(|r| r.body.contains("tarkista lausunto")), "{fired:?}");
    // Due about 40 s before the homeserver came back: more than the 30 s that earn a note.
    assert!(first.body.contains("muistutus") && first.body.contains("viivästyi"), "a late reminder says it is late: {first:?}");
    let again = alice.collect_from(&room, &bot.user_id, 5).await;
    assert!(again.is_empty(), "each reminder once: {again:?}");

    let log = bot.log();
    assert_eq!(log.matches("sync failed; retrying").count(), 1, "an outage is logged once:\n{log}");
    assert!(log.contains("homeserver reachable again"), "{log}");
    bot.stop().await;
}

/// The default-level log names each problem once, not after every sync.
fn assert_no_repeated_warning(log: &str) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in log.lines().filter(|l| l.contains(" WARN ")) {
        // The text after the level and target, without the timestamp.
        let message = line.split(" WARN ").nth(1).unwrap_or(line);
        *counts.entry(message).or_default() += 1;
    }
    let repeated: Vec<_> = counts.into_iter().filter(|(_, n)| *n > 2).collect();
    assert!(repeated.is_empty(), "warnings repeated at the default log level: {repeated:#?}");
}
