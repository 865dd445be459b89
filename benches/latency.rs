//! Reply latency against a plain client on the same homeserver, in the same run.
//!
//! Run with `scripts/bench-latency` (release build, the test homeserver). Three programs
//! take part: an echo client (matrix-sdk, answering `ping N` with `pong N` from the same
//! kind of sync loop Kaveri uses), Kaveri itself, and a timing client. The timing client
//! measures, alternating, 50 `ping`, 50 `!apua` and 50 `!kysy` round trips one at a time;
//! then a load run: 10 clients each send 20 messages at once, first pings to the echo
//! client, then questions to Kaveri. It prints median, p90, max, answered/sent, and
//! Kaveri's figures as a ratio to the echo client's.
//!
//! Targets (issue #9): median within 15 ms of the echo client's, p90 within 30 ms; under
//! load all answered, p90 at most 1.5 x the echo client's.
#![cfg_attr(not(feature = "matrix"), allow(unused))]
#![recursion_limit = "256"]

#[cfg(feature = "matrix")]
#[path = "../tests/support/mod.rs"]
mod support;

#[cfg(not(feature = "matrix"))]
fn main() {
    println!("latency: needs the matrix feature");
}

#[cfg(feature = "matrix")]
fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test --all-targets` runs bench binaries too; this one needs a homeserver
        // and a release build to say anything.
        println!("latency: measured by scripts/bench-latency");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(bench::run());
}

#[cfg(feature = "matrix")]
mod bench {
    use super::support::{self, Bot};
    use matrix_sdk::config::SyncSettings;
    use matrix_sdk::ruma::api::client::filter::FilterDefinition;
    use matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter;
    use matrix_sdk::ruma::events::room::message::{OriginalSyncRoomMessageEvent, RoomMessageEventContent};
    use matrix_sdk::ruma::{OwnedRoomId, OwnedUserId};
    use matrix_sdk::{Client, Room};
    use std::time::{Duration, Instant};
    use tokio::sync::mpsc;

    const ROUND_TRIPS: usize = 50;
    const LOAD_CLIENTS: usize = 10;
    const LOAD_MESSAGES: usize = 20;
    const QUESTIONS: [&str; 5] = [
        "!kysy kuka on työkykykoordinaattori?",
        "!kysy mitä on IPS-työhönvalmennus?",
        "!kysy asiakkaalla on paljon velkoja, mihin ohjaan?",
        "!ask what is the work-ability team?",
        "!fråga vad gör arbetsförmågekoordinatorn?",
    ];

    fn filter() -> Filter {
        let mut filter = FilterDefinition::with_lazy_loading();
        filter.room.timeline.limit = Some(500u32.into());
        Filter::FilterDefinition(filter)
    }

    /// A message a client saw, stamped when its sync delivered it.
    struct Arrival {
        room: OwnedRoomId,
        sender: OwnedUserId,
        at: Instant,
    }

    /// A matrix-sdk client syncing in a loop of its own, without the SDK loop's pause.
    struct Participant {
        client: Client,
        user_id: String,
        arrivals: mpsc::UnboundedReceiver<Arrival>,
    }

    impl Participant {
        async fn new(name: &str) -> Participant {
            let (user_id, password) = support::register(&support::unique(name));
            let client = Client::builder().homeserver_url(support::homeserver()).build().await.expect("client");
            client.matrix_auth().login_username(&user_id, &password).send().await.expect("login");
            let (tx, arrivals) = mpsc::unbounded_channel();
            client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(Arrival {
                        room: room.room_id().to_owned(),
                        sender: ev.sender.clone(),
                        at: Instant::now(),
                    });
                }
            });
            client.sync_once(SyncSettings::default().filter(filter())).await.expect("first sync");
            let syncing = client.clone();
            tokio::spawn(async move {
                loop {
                    let settings = SyncSettings::default().filter(filter()).timeout(Duration::from_secs(30));
                    if syncing.sync_once(settings).await.is_err() {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            });
            Participant { client, user_id, arrivals }
        }

        async fn room_with(&self, others: &[&str]) -> Room {
            let room = self.client.create_room(Default::default()).await.expect("room");
            for other in others {
                room.invite_user_by_id(&OwnedUserId::try_from(*other).unwrap()).await.expect("invite");
            }
            room
        }

        async fn wait_joined(&self, room: &Room, user: &str) {
            let user = OwnedUserId::try_from(user).unwrap();
            let deadline = Instant::now() + Duration::from_secs(60);
            while !matches!(room.get_member_no_sync(&user).await, Ok(Some(m)) if *m.membership() == matrix_sdk::ruma::events::room::member::MembershipState::Join)
            {
                assert!(Instant::now() < deadline, "{user} never joined");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }

        /// The next message from `sender` in `room`, with when it arrived.
        async fn next_from(&mut self, room: &Room, sender: &str, limit: Duration) -> Option<Arrival> {
            let deadline = tokio::time::Instant::now() + limit;
            loop {
                match tokio::time::timeout_at(deadline, self.arrivals.recv()).await {
                    Ok(Some(a)) if a.room == room.room_id() && a.sender == sender => return Some(a),
                    Ok(Some(_)) => continue,
                    _ => return None,
                }
            }
        }
    }

    /// The echo client: answers `ping N` with the notice `pong N`.
    async fn start_echo() -> Participant {
        let echo = Participant::new("echo").await;
        let own = echo.user_id.clone();
        echo.client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
            let own = own.clone();
            async move {
                let body = ev.content.body();
                if ev.sender != own && body.starts_with("ping") {
                    let reply = RoomMessageEventContent::notice_plain(body.replacen("ping", "pong", 1));
                    let _ = room.send(reply).await;
                }
            }
        });
        // Join whatever it is invited to.
        echo.client.add_event_handler(
            |ev: matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent, room: Room, client: Client| async move {
                if Some(ev.state_key.as_ref()) == client.user_id() {
                    let _ = room.join().await;
                }
            },
        );
        echo
    }

    #[derive(Default)]
    struct Figures {
        times: Vec<Duration>,
        sent: usize,
    }

    impl Figures {
        fn add(&mut self, took: Option<Duration>) {
            self.sent += 1;
            self.times.extend(took);
        }

        fn quantile(&self, q: f64) -> f64 {
            let mut ms: Vec<f64> = self.times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
            ms.sort_by(f64::total_cmp);
            if ms.is_empty() {
                return f64::NAN;
            }
            ms[((ms.len() - 1) as f64 * q).round() as usize]
        }

        fn line(&self, name: &str, baseline: Option<&Figures>) -> String {
            let (median, p90, max) = (self.quantile(0.5), self.quantile(0.9), self.quantile(1.0));
            let ratio = baseline.map_or(String::new(), |b| {
                format!(
                    "  median {:+.0} ms, p90 {:+.0} ms, p90 x{:.2} vs echo",
                    median - b.quantile(0.5),
                    p90 - b.quantile(0.9),
                    p90 / b.quantile(0.9)
                )
            });
            format!(
                "{name:<22} median {median:>6.0} ms  p90 {p90:>6.0} ms  max {max:>6.0} ms  answered {}/{}{ratio}",
                self.times.len(),
                self.sent
            )
        }
    }

    pub async fn run() {
        let echo = start_echo().await;
        let mut timer = Participant::new("timer").await;
        let mut kaveri = Bot::new(
            "[access]\nservers = [\"localhost\"]\ninvite_servers = [\"localhost\"]\n\n\
             [throttle]\nperson_burst = 100000\nroom_burst = 100000\n",
        );
        kaveri.start().await;
        let echo_room = timer.room_with(&[&echo.user_id]).await;
        let bot_room = timer.room_with(&[&kaveri.user_id]).await;
        timer.wait_joined(&echo_room, &echo.user_id).await;
        timer.wait_joined(&bot_room, &kaveri.user_id).await;

        let limit = Duration::from_secs(30);
        let (mut ping, mut help, mut ask) = (Figures::default(), Figures::default(), Figures::default());
        for n in 0..ROUND_TRIPS {
            let sent = Instant::now();
            echo_room.send(RoomMessageEventContent::text_plain(format!("ping {n}"))).await.expect("send");
            ping.add(timer.next_from(&echo_room, &echo.user_id, limit).await.map(|a| a.at - sent));

            let sent = Instant::now();
            bot_room.send(RoomMessageEventContent::text_plain("!apua")).await.expect("send");
            help.add(timer.next_from(&bot_room, &kaveri.user_id, limit).await.map(|a| a.at - sent));

            let sent = Instant::now();
            bot_room.send(RoomMessageEventContent::text_plain(QUESTIONS[n % QUESTIONS.len()])).await.expect("send");
            ask.add(timer.next_from(&bot_room, &kaveri.user_id, limit).await.map(|a| a.at - sent));
        }
        println!("round trips, one at a time ({ROUND_TRIPS} each):");
        println!("  {}", ping.line("echo client (ping)", None));
        println!("  {}", help.line("Kaveri !apua", Some(&ping)));
        println!("  {}", ask.line("Kaveri !kysy", Some(&ping)));

        // Load: every client in a room of its own with both bots.
        let mut clients = Vec::new();
        for _ in 0..LOAD_CLIENTS {
            let client = Participant::new("load").await;
            let room = client.room_with(&[&echo.user_id, &kaveri.user_id]).await;
            client.wait_joined(&room, &echo.user_id).await;
            client.wait_joined(&room, &kaveri.user_id).await;
            clients.push((client, room));
        }
        let echo_load = load(&mut clients, &echo.user_id, |n| format!("ping {n}")).await;
        let bot_load = load(&mut clients, &kaveri.user_id, |n| QUESTIONS[n % QUESTIONS.len()].to_string()).await;
        println!("load: {LOAD_CLIENTS} clients x {LOAD_MESSAGES} messages sent at once:");
        println!("  {}", echo_load.line("echo client (ping)", None));
        println!("  {}", bot_load.line("Kaveri !kysy", Some(&echo_load)));
        kaveri.stop().await;
    }

    /// Every client sends its messages back to back, all clients at once; the i-th reply
    /// from `responder` in a room answers the i-th message (both sides keep room order).
    async fn load(clients: &mut [(Participant, Room)], responder: &str, message: impl Fn(usize) -> String) -> Figures {
        let mut sending = Vec::new();
        for (_, room) in clients.iter() {
            let room = room.clone();
            let texts: Vec<String> = (0..LOAD_MESSAGES).map(&message).collect();
            sending.push(tokio::spawn(async move {
                let mut sent_at = Vec::new();
                for text in texts {
                    sent_at.push(Instant::now());
                    room.send(RoomMessageEventContent::text_plain(text)).await.expect("send");
                }
                sent_at
            }));
        }
        let mut figures = Figures::default();
        for ((client, room), sending) in clients.iter_mut().zip(sending) {
            let sent_at = sending.await.expect("sender");
            for sent in sent_at {
                figures.add(client.next_from(room, responder, Duration::from_secs(60)).await.map(|a| a.at - sent));
            }
        }
        figures
    }
}
