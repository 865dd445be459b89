//! Test support: one real Synapse per test run (started by scripts/dev-homeserver, reused
//! if already running), users registered over its admin API, the real `kaveri` binary as
//! the bot, and matrix-sdk clients playing the people.
#![allow(dead_code)]

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::events::room::message::{OriginalSyncRoomMessageEvent, Relation, RoomMessageEventContent};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedUserId};
use matrix_sdk::{Client, Room};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The test homeserver's port: KAVERI_HS_PORT, so two checkouts can test side by side.
fn port() -> String {
    std::env::var("KAVERI_HS_PORT").unwrap_or_else(|_| "18448".into())
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hs_dir() -> PathBuf {
    repo().join("target/test-homeserver")
}

/// Starts (or reuses) the test homeserver once per run and returns its URL.
pub fn homeserver() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let status = Command::new(repo().join("scripts/dev-homeserver"))
            .arg("start")
            .env("KAVERI_HS_DIR", hs_dir())
            .env("KAVERI_HS_PORT", port())
            .status()
            .expect("scripts/dev-homeserver runs");
        assert!(status.success(), "test homeserver did not start");
        format!("http://127.0.0.1:{}", port())
    })
}

/// A user name unique to this run, so reruns against a reused server never collide.
pub fn unique(name: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let run = std::process::id();
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() % 1_000_000;
    format!("{name}{run}x{stamp}x{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Registers a user with the shared secret and returns (user id, password).
pub fn register(name: &str) -> (String, String) {
    homeserver();
    let password = format!("{name}-pw");
    let status = Command::new(repo().join(".venv/bin/register_new_matrix_user"))
        .args(["-c", hs_dir().join("homeserver.yaml").to_str().unwrap(), "-u", name, "-p", &password, "--no-admin"])
        .arg(homeserver())
        .stdout(Stdio::null())
        .status()
        .expect("register_new_matrix_user runs");
    assert!(status.success(), "could not register {name}");
    (format!("@{name}:localhost"), password)
}

/// What a person's `/notifications` lists: under the default push rules, the events
/// that notify them, and whether each is highlighted (a mention).
#[derive(Debug)]
pub struct Notified {
    pub event_id: String,
    pub sender: String,
    pub body: String,
    pub highlight: bool,
}

impl Person {
    pub async fn notifications(&self) -> Vec<Notified> {
        use matrix_sdk::ruma::api::client::push::get_notifications;
        let response = self.client.send(get_notifications::v3::Request::new()).await.unwrap();
        response
            .notifications
            .into_iter()
            .map(|n| {
                let event: serde_json::Value = n.event.deserialize_as().unwrap();
                Notified {
                    event_id: event["event_id"].as_str().unwrap_or_default().to_string(),
                    sender: event["sender"].as_str().unwrap_or_default().to_string(),
                    body: event["content"]["body"].as_str().unwrap_or_default().to_string(),
                    highlight: n.actions.iter().any(|a| a.is_highlight()),
                }
            })
            .collect()
    }
}

/// A homeserver admin's access token, for the admin API.
pub fn admin_token() -> String {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let name = unique("admin");
            let password = format!("{name}-pw");
            let status = Command::new(repo().join(".venv/bin/register_new_matrix_user"))
                .args(["-c", hs_dir().join("homeserver.yaml").to_str().unwrap(), "-u", &name, "-p", &password, "--admin"])
                .arg(homeserver())
                .stdout(Stdio::null())
                .status()
                .expect("register_new_matrix_user runs");
            assert!(status.success(), "could not register an admin");
            let login = serde_json::json!({
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": name},
                "password": password,
            });
            let login: serde_json::Value = serde_json::from_str(
                &ureq::post(&format!("{}/_matrix/client/v3/login", homeserver()))
                    .set("Content-Type", "application/json")
                    .send_string(&login.to_string())
                    .expect("admin login")
                    .into_string()
                    .unwrap(),
            )
            .unwrap();
            login["access_token"].as_str().unwrap().to_string()
        })
        .clone()
}

/// Gives `user` a strict message rate limit (bursts of 5, then one a second), although
/// the test homeserver raises it for everyone else. The admin API takes whole messages
/// per second, so Synapse's default (0.2 a second, bursts of 10) cannot be set exactly;
/// this one answers 429 sooner and more often.
pub fn strict_rate_limit(user: &str) {
    ureq::post(&format!("{}/_synapse/admin/v1/users/{user}/override_ratelimit", homeserver()))
        .set("Authorization", &format!("Bearer {}", admin_token()))
        .set("Content-Type", "application/json")
        .send_string(&serde_json::json!({"messages_per_second": 1, "burst_count": 5}).to_string())
        .expect("rate limit override");
}

/// The real bot binary, with its own account and data directory.
pub struct Bot {
    pub user_id: String,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Bot {
    /// `extra` is appended to the generated config (e.g. an [access] section).
    pub fn new(access: &str) -> Bot {
        Bot::reaching(homeserver(), access)
    }

    /// A bot that reaches the homeserver at `url` (through a [`Proxy`], say).
    pub fn reaching(url: &str, access: &str) -> Bot {
        let (user_id, password) = register(&unique("kaveri"));
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[matrix]\nhomeserver = \"{url}\"\nuser_id = \"{user_id}\"\npassword = \"{password}\"\n\n[bot]\ndata_dir = \"{}\"\n\n{access}\n",
            dir.path().join("data").display()
        );
        std::fs::write(dir.path().join("kaveri.toml"), config).unwrap();
        Bot { user_id, dir, child: None }
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("bot.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Starts the bot and waits until it syncs.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "bot already running");
        let previous_readies = self.log().matches(" ready").count();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.log_path()).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kaveri"))
            .args(["run", "--config", self.dir.path().join("kaveri.toml").to_str().unwrap()])
            // The default log level, as an operator would run it.
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("kaveri binary starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.log().matches(" ready").count() == previous_readies {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("bot exited with {status} before it was ready:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "bot not ready in 60 s:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Graceful stop with SIGTERM, as a service manager would.
    pub async fn stop(&mut self) {
        let mut child = self.child.take().expect("bot running");
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "bot exited badly on SIGTERM: {status}\n{}", self.log());
                return;
            }
            assert!(Instant::now() < deadline, "bot ignored SIGTERM:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("bot running");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A loopback TCP relay in front of the test homeserver that can be cut and restored: to
/// the bot behind it, the homeserver is down while it is cut. Nobody else is affected.
pub struct Proxy {
    pub url: String,
    port: u16,
    relay: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    pub async fn start() -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut proxy = Proxy { url: format!("http://127.0.0.1:{port}"), port, relay: None };
        proxy.relay = Some(tokio::spawn(Proxy::relay(listener)));
        proxy
    }

    async fn relay(listener: tokio::net::TcpListener) {
        let upstream = homeserver().trim_start_matches("http://").to_string();
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((mut inbound, _)) = listener.accept().await {
            let upstream = upstream.clone();
            connections.spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    }

    /// Closes every connection and refuses new ones, as a stopped homeserver would.
    pub fn cut(&mut self) {
        // Aborting the relay drops the listener and the JoinSet, which aborts every connection.
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
    }

    pub async fn restore(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => break listener,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("could not listen on {} again: {e}", self.port),
            }
        };
        self.relay = Some(tokio::spawn(Proxy::relay(listener)));
    }
}

/// A message some client saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub room: OwnedRoomId,
    pub sender: OwnedUserId,
    pub event_id: OwnedEventId,
    pub body: String,
    /// The HTML (`formatted_body`), if it has one.
    pub html: Option<String>,
    pub thread_root: Option<OwnedEventId>,
    /// The event it answers (m.in_reply_to), also inside a thread.
    pub reply_to: Option<OwnedEventId>,
    pub notice: bool,
}

/// A sync filter that returns up to 1000 timeline events per room, so a person's client
/// sees every reply of a burst (without it, Synapse sends 10 per room per sync).
fn every_event() -> matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter {
    let mut filter = matrix_sdk::ruma::api::client::filter::FilterDefinition::default();
    filter.room.timeline.limit = Some(1000u32.into());
    matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter::FilterDefinition(filter)
}

/// A person using a real Matrix client (with end-to-end encryption).
pub struct Person {
    pub client: Client,
    pub user_id: String,
    seen: mpsc::UnboundedReceiver<Seen>,
    _store: tempfile::TempDir,
}

impl Person {
    pub async fn new(name: &str) -> Person {
        let (user_id, password) = register(&unique(name));
        let store = tempfile::tempdir().unwrap();
        let client = Client::builder()
            .homeserver_url(homeserver())
            .sqlite_store(store.path(), None)
            .build()
            .await
            .unwrap();
        client.matrix_auth().login_username(&user_id, &password).send().await.unwrap();
        let (tx, seen) = mpsc::unbounded_channel();
        client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
            let tx = tx.clone();
            async move {
                let thread_root = match &ev.content.relates_to {
                    Some(Relation::Thread(t)) => Some(t.event_id.clone()),
                    _ => None,
                };
                let reply_to = match &ev.content.relates_to {
                    Some(Relation::Thread(t)) => t.in_reply_to.as_ref().map(|r| r.event_id.clone()),
                    Some(Relation::Reply(r)) => Some(r.in_reply_to.event_id.clone()),
                    _ => None,
                };
                let notice = matches!(ev.content.msgtype, matrix_sdk::ruma::events::room::message::MessageType::Notice(_));
                let _ = tx.send(Seen {
                    room: room.room_id().to_owned(),
                    sender: ev.sender.clone(),
                    event_id: ev.event_id.clone(),
                    body: ev.content.body().to_string(),
                    html: match &ev.content.msgtype {
                        matrix_sdk::ruma::events::room::message::MessageType::Text(t) => t.formatted.as_ref().map(|f| f.body.clone()),
                        matrix_sdk::ruma::events::room::message::MessageType::Notice(n) => n.formatted.as_ref().map(|f| f.body.clone()),
                        _ => None,
                    },
                    thread_root,
                    reply_to,
                    notice,
                });
            }
        });
        client.sync_once(SyncSettings::default().filter(every_event())).await.unwrap();
        let syncing = client.clone();
        tokio::spawn(async move {
            let _ = syncing.sync(SyncSettings::default().filter(every_event()).timeout(Duration::from_secs(5))).await;
        });
        Person { client, user_id, seen, _store: store }
    }

    /// Creates a room and invites `invitee`; encrypted if asked.
    pub async fn create_room(&self, invitee: &str, encrypted: bool) -> Room {
        let room = self.client.create_room(Default::default()).await.unwrap();
        if encrypted {
            room.enable_encryption().await.unwrap();
        }
        room.invite_user_by_id(&OwnedUserId::try_from(invitee).unwrap()).await.unwrap();
        room
    }

    /// Waits until `user` has joined (true) or left/refused (false) the room.
    pub async fn wait_membership(&self, room: &Room, user: &str, joined: bool) {
        use matrix_sdk::ruma::events::room::member::MembershipState;
        let user = OwnedUserId::try_from(user).unwrap();
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Ok(Some(member)) = room.get_member_no_sync(&user).await {
                let state = member.membership().clone();
                if joined && state == MembershipState::Join {
                    return;
                }
                if !joined && state == MembershipState::Leave {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "{user} never {} the room", if joined { "joined" } else { "left" });
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Invites `others` into `room` and has each join it; returns their handles to it.
    pub async fn bring_in(&self, room: &Room, others: &[&Person]) -> Vec<Room> {
        let mut joined = Vec::new();
        for other in others {
            room.invite_user_by_id(&OwnedUserId::try_from(other.user_id.as_str()).unwrap()).await.unwrap();
            other.client.join_room_by_id(room.room_id()).await.unwrap();
            joined.push(other.client.get_room(room.room_id()).expect("joined room"));
        }
        joined
    }

    /// Waits for an invite (the bot opening a direct message), joins it and returns it.
    pub async fn accept_direct_message(&self, secs: u64) -> Room {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let invited = loop {
            if let Some(invited) = self.client.invited_rooms().into_iter().next() {
                break invited;
            }
            assert!(Instant::now() < deadline, "{} was never invited to a direct message", self.user_id);
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        self.client.join_room_by_id(invited.room_id()).await.unwrap();
        self.client.get_room(invited.room_id()).expect("joined the direct message")
    }

    pub async fn say(&self, room: &Room, text: &str) -> OwnedEventId {
        room.send(RoomMessageEventContent::text_plain(text)).await.unwrap().response.event_id
    }

    /// The next message from `sender` in `room`, or panics after `secs`.
    pub async fn expect_from(&mut self, room: &Room, sender: &str, secs: u64) -> Seen {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, self.seen.recv()).await {
                Ok(Some(seen)) if seen.room == room.room_id() && seen.sender == sender => return seen,
                Ok(Some(_)) => continue,
                Ok(None) => panic!("client stopped"),
                Err(_) => panic!("no message from {sender} within {secs} s"),
            }
        }
    }

    /// Everything `sender` says in `room` during the next `secs`.
    pub async fn collect_from(&mut self, room: &Room, sender: &str, secs: u64) -> Vec<Seen> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        let mut out = Vec::new();
        while let Ok(Some(seen)) = tokio::time::timeout_at(deadline, self.seen.recv()).await {
            if seen.room == room.room_id() && seen.sender == sender {
                out.push(seen);
            }
        }
        out
    }
}

pub fn data_dir(bot: &Bot) -> &Path {
    bot.dir.path()
}
