//! The Matrix adapter: the only code that imports matrix_sdk. It turns sync events into
//! engine events and carries out the engine's actions; it decides nothing itself.

mod deliver;
mod engine_thread;
mod pills;
mod scheduler;
mod session;
mod sync;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::engine::{Engine, Event, IncomingMessage, Settings};
use crate::store::Store;
use anyhow::Context;
use engine_thread::EngineThread;
use matrix_sdk::ruma::events::room::member::{MembershipState, StrippedRoomMemberEvent};
use matrix_sdk::ruma::events::room::message::{MessageFormat, MessageType, OriginalSyncRoomMessageEvent, Relation};
use ruma_html::{Html, SanitizerConfig};
use matrix_sdk::{Client, Room, RoomState};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const BACKLOG_SKIPPED: &str = "matrix_backlog_skipped";
/// How long an event stays marked as handled; far longer than any sync gap.
const PROCESSED_MARK_DAYS: i64 = 30;

/// Wakes the outbox worker and the reminder scheduler.
#[derive(Clone, Default)]
pub(crate) struct Wake {
    outbox: Arc<Notify>,
    schedule: Arc<Notify>,
}

impl Wake {
    fn all(&self) {
        self.outbox.notify_one();
        self.schedule.notify_one();
    }
}

/// The pause before retry number `failures`: 2, 4, 8 … seconds, at most `longest`.
pub(crate) fn backoff(failures: u32, longest: Duration) -> Duration {
    Duration::from_secs(1u64 << failures.clamp(1, 6)).min(longest)
}

/// Runs the bot until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let data_dir = &config.bot.data_dir;
    std::fs::create_dir_all(data_dir).with_context(|| format!("could not create {}", data_dir.display()))?;
    let store = Store::open(&data_dir.join("state")).context("could not open the state database")?;
    let engine = Arc::new(Engine::new(Settings::from_config(&config)?, store, Arc::new(SystemClock))?);
    tracing::info!("{}", config.access_summary());
    let regions = &engine.settings().regions;
    for warning in regions.coordinator_warnings(config.bot_server(), |county| config.has_coordinators_room_for(county)) {
        tracing::warn!("{warning}");
    }
    let client = session::connect(&config).await?;
    session::set_display_name(&client, &config.bot.display_name).await;
    let engine = EngineThread::start(engine);

    let pruned = engine.run(|e| e.prune_processed(chrono::Duration::days(PROCESSED_MARK_DAYS))).await?;
    tracing::debug!(pruned, "forgot old processed-event marks");
    let resume = sync::start_point(&client, &engine).await?;

    let wake = Wake::default();
    add_invite_handler(&client, engine.engine().clone());
    // Invites that arrived while the bot was away (or during the skipped backlog).
    for room in client.invited_rooms() {
        if let Some(inviter) = inviter_of(&room, &client).await {
            let actions = engine.engine().decide_invite(room.room_id().as_str(), &inviter);
            tokio::spawn(deliver::invite_actions(client.clone(), actions));
        }
    }
    let phraser = config.answer_model.as_ref().map(crate::catalogue::phrasing::Phraser::from_config);
    if let Some(model) = &config.answer_model {
        tracing::info!(url = %model.url, model = %model.model, "catalogue answers may be phrased by the answer model");
    }
    let worker = tokio::spawn(deliver::outbox_worker(client.clone(), engine.clone(), phraser, wake.outbox.clone()));
    // Reminders that fell due while the bot was down are fired as soon as it starts.
    let reminders = tokio::spawn(scheduler::run(engine.clone(), wake.schedule.clone(), wake.outbox.clone()));

    warn_about_absent_coordinators(&client, &config, &engine.engine().settings().regions).await;
    let rooms = client.joined_rooms().len();
    tracing::info!(user = %config.matrix.user_id, rooms, "ready");
    tokio::select! {
        result = sync::sync_forever(&client, &engine, &wake, resume) => result?,
        _ = shutdown_signal() => tracing::info!("shutting down"),
    }
    worker.abort();
    reminders.abort();
    engine.run(|e| e.store().flush()).await?;
    tracing::info!("state saved; bye");
    Ok(())
}

/// A coordinator who is not in their coordinators' room never sees the tickets posted
/// there: say so at start-up, from each room's member list.
async fn warn_about_absent_coordinators(client: &Client, config: &Config, regions: &crate::config::regions::Regions) {
    use matrix_sdk::RoomMemberships;
    for configured in config.rooms.iter().filter(|r| r.kind == crate::config::RoomKind::Coordinators) {
        let Some(room) = matrix_sdk::ruma::OwnedRoomId::try_from(configured.id.as_str()).ok().and_then(|id| client.get_room(&id))
        else {
            continue;
        };
        if room.state() != RoomState::Joined {
            continue;
        }
        let members = match room.members(RoomMemberships::JOIN | RoomMemberships::INVITE).await {
            Ok(members) => members,
            Err(e) => {
                tracing::warn!(error = %e, room = %configured.id, "could not read a coordinators' room's members");
                continue;
            }
        };
        // Coordinators listed without a county belong in a room that takes every county's
        // tickets, or in the only coordinators' room there is.
        let rooms = config.rooms.iter().filter(|r| r.kind == crate::config::RoomKind::Coordinators).count();
        let mut expected = if configured.county.is_none() || rooms == 1 {
            config.consultations.coordinators.clone()
        } else {
            Vec::new()
        };
        expected.extend(regions.coordinators_of(configured.county.as_deref()));
        for coordinator in expected {
            if !members.iter().any(|m| m.user_id().as_str() == coordinator) {
                tracing::warn!(room = %configured.id, %coordinator, "a coordinator is not a member of the coordinators' room: tickets posted there will not reach them");
            }
        }
    }
}

/// Invites are answered as the SDK processes them: joining is idempotent, so they need
/// neither the outbox nor the resume point.
fn add_invite_handler(client: &Client, engine: Arc<Engine>) {
    client.add_event_handler(move |ev: StrippedRoomMemberEvent, room: Room, client: Client| {
        let engine = engine.clone();
        async move {
            if ev.content.membership != MembershipState::Invite
                || Some(ev.state_key.as_ref()) != client.user_id()
                || room.state() != RoomState::Invited
            {
                return;
            }
            tracing::info!(room = %room.room_id(), inviter = %ev.sender, "invited");
            let actions = engine.decide_invite(room.room_id().as_str(), ev.sender.as_str());
            tokio::spawn(deliver::invite_actions(client, actions));
        }
    });
}

/// The sender's power level, read from the room state the SDK keeps (no request).
async fn power_of(room: &Room, user: &matrix_sdk::ruma::UserId) -> Option<i64> {
    use matrix_sdk::ruma::events::room::power_levels::UserPowerLevel;
    match room.get_user_power_level(user).await.ok()? {
        UserPowerLevel::Infinite => Some(i64::MAX),
        UserPowerLevel::Int(level) => Some(level.into()),
        _ => None,
    }
}

fn timestamp(ts: matrix_sdk::ruma::MilliSecondsSinceUnixEpoch) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ts.get().into()).unwrap_or_else(chrono::Utc::now)
}

/// Turns a room message into an engine event; None for what the bot must not answer:
/// its own messages, notices (other bots), edits, and rooms it has not joined.
async fn to_engine_event(
    ev: &OriginalSyncRoomMessageEvent,
    room: &Room,
    own_id: &matrix_sdk::ruma::UserId,
) -> Option<Event> {
    if room.state() != RoomState::Joined || ev.sender == own_id {
        return None;
    }
    let MessageType::Text(text) = &ev.content.msgtype else { return None };
    let thread_root = match &ev.content.relates_to {
        Some(Relation::Replacement(_)) => return None,
        Some(Relation::Thread(thread)) => Some(thread.event_id.to_string()),
        _ => None,
    };
    let mentions_bot = ev.content.mentions.as_ref().is_some_and(|m| m.user_ids.contains(own_id))
        || text.body.contains(own_id.as_str());
    // Bodies only at debug level, and never an identity code, even there.
    tracing::debug!(room = %room.room_id(), body = %crate::kernel::policy::screen(&text.body).text, "message");
    Some(Event::Message(IncomingMessage {
        event_id: ev.event_id.to_string(),
        sender: ev.sender.to_string(),
        room: room.room_id().to_string(),
        text: pills::with_user_ids(&text.body, text.formatted.as_ref().map(|f| f.body.as_str())),
        html: text.formatted.as_ref().filter(|f| f.format == MessageFormat::Html).map(|f| sanitised(&f.body)),
        thread_root,
        mentions_bot,
        is_direct: room.is_direct().await.unwrap_or(false),
        sender_power: power_of(room, &ev.sender).await,
        at: timestamp(ev.origin_server_ts),
    }))
}

/// A formatted body as Kaveri may relay it, cleaned with the Matrix specification's
/// own sanitiser (ruma-html, strict): only the tags and attributes the spec allows, no
/// reply fallback, and no images or script and style text either (an image from
/// elsewhere would tell its server who read the answer).
fn sanitised(html: &str) -> String {
    let config = SanitizerConfig::strict().remove_reply_fallback().remove_elements(["img", "script", "style"]);
    let parsed = Html::parse(html);
    parsed.sanitize_with(&config);
    parsed.to_string()
}

async fn inviter_of(room: &Room, client: &Client) -> Option<String> {
    let own = client.user_id()?;
    let member = room.get_member_no_sync(own).await.ok()??;
    Some(member.event().sender().to_string())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler can be installed");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
