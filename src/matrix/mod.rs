//! The Matrix adapter: the only code that imports matrix_sdk. It turns sync events into
//! engine events and carries out the engine's actions; it decides nothing itself.

mod deliver;
mod pills;
mod scheduler;
mod session;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::engine::{Engine, Event, IncomingMessage, IncomingReaction, Settings};
use crate::store::Store;
use anyhow::Context;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::events::room::member::{MembershipState, StrippedRoomMemberEvent};
use matrix_sdk::ruma::events::room::message::{MessageType, OriginalSyncRoomMessageEvent, Relation};
use matrix_sdk::ruma::events::reaction::OriginalSyncReactionEvent;
use matrix_sdk::ruma::events::room::encrypted::OriginalSyncRoomEncryptedEvent;
use matrix_sdk::ruma::api::error::ErrorKind;
use matrix_sdk::{Client, LoopCtrl, Room, RoomState};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const BACKLOG_SKIPPED: &str = "matrix_backlog_skipped";
/// How long an event stays marked as handled; far longer than any sync gap.
const PROCESSED_MARK_DAYS: i64 = 30;

/// Runs the bot until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let data_dir = &config.bot.data_dir;
    std::fs::create_dir_all(data_dir).with_context(|| format!("could not create {}", data_dir.display()))?;
    let store = Store::open(&data_dir.join("state")).context("could not open the state database")?;
    let engine = Arc::new(Engine::new(Settings::from_config(&config)?, store, Arc::new(SystemClock))?);
    let client = session::connect(&config).await?;

    let pruned = engine.prune_processed(chrono::Duration::days(PROCESSED_MARK_DAYS))?;
    tracing::debug!(pruned, "forgot old processed-event marks");
    if !engine.store().flag(BACKLOG_SKIPPED)? {
        // First start: whatever was said before the bot arrived is not addressed to it.
        client.sync_once(SyncSettings::default()).await.context("first sync with the homeserver failed")?;
        engine.store().set_flag(BACKLOG_SKIPPED)?;
        tracing::info!("first start: skipped the room history");
    }

    let outbox = Arc::new(Notify::new());
    let schedule = Arc::new(Notify::new());
    add_handlers(&client, engine.clone(), outbox.clone(), schedule.clone());
    // Invites that arrived while the bot was away (or during the skipped backlog).
    for room in client.invited_rooms() {
        if let Some(inviter) = inviter_of(&room, &client).await {
            let actions = engine.decide_invite(room.room_id().as_str(), &inviter);
            tokio::spawn(deliver::invite_actions(client.clone(), actions));
        }
    }
    let phraser = config.answer_model.as_ref().map(crate::catalogue::phrasing::Phraser::from_config);
    if let Some(model) = &config.answer_model {
        tracing::info!(url = %model.url, model = %model.model, "catalogue answers may be phrased by the answer model");
    }
    let worker = tokio::spawn(deliver::outbox_worker(client.clone(), engine.clone(), phraser, outbox.clone()));
    // Reminders that fell due while the bot was down are fired as soon as it starts.
    let reminders = tokio::spawn(scheduler::run(engine.clone(), schedule, outbox.clone()));

    tracing::info!(user = %config.matrix.user_id, "ready");
    tokio::select! {
        result = sync_forever(&client) => result?,
        _ = shutdown_signal() => tracing::info!("shutting down"),
    }
    worker.abort();
    reminders.abort();
    engine.store().flush()?;
    tracing::info!("state saved; bye");
    Ok(())
}

/// Keeps syncing through homeserver outages, backing off up to a minute, and says so in
/// the log. Only a revoked login ends it.
async fn sync_forever(client: &Client) -> anyhow::Result<()> {
    let failures = Arc::new(AtomicU32::new(0));
    let settings = SyncSettings::default().timeout(Duration::from_secs(30));
    client
        .sync_with_result_callback(settings, |result| {
            let failures = failures.clone();
            async move {
                match result {
                    Ok(_) => {
                        if failures.swap(0, Ordering::Relaxed) > 0 {
                            tracing::info!("homeserver reachable again; syncing");
                        }
                    }
                    Err(e) => {
                        if matches!(e.client_api_error_kind(), Some(ErrorKind::UnknownToken { .. })) {
                            tracing::error!("the homeserver no longer accepts the bot's login");
                            return Err(e);
                        }
                        let n = failures.fetch_add(1, Ordering::Relaxed) + 1;
                        let wait = Duration::from_secs((1u64 << n.min(6)).min(60));
                        tracing::warn!(error = %e, attempt = n, retry_in_s = wait.as_secs(), "sync failed");
                        tokio::time::sleep(wait).await;
                    }
                }
                Ok(LoopCtrl::Continue)
            }
        })
        .await
        .context("sync stopped")
}

/// `schedule` wakes the reminder scheduler: a handled event may have set a reminder.
fn add_handlers(client: &Client, engine: Arc<Engine>, outbox: Arc<Notify>, schedule: Arc<Notify>) {
    let message_engine = engine.clone();
    let (reaction_outbox, reaction_schedule) = (outbox.clone(), schedule.clone());
    client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room, client: Client| {
        let engine = message_engine.clone();
        let outbox = outbox.clone();
        let schedule = schedule.clone();
        async move {
            let Some(event) = to_engine_event(&ev, &room, &client).await else { return };
            record(&engine, &event, &outbox, &schedule);
        }
    });

    let reaction_engine = engine.clone();
    client.add_event_handler(move |ev: OriginalSyncReactionEvent, room: Room, client: Client| {
        let engine = reaction_engine.clone();
        let (outbox, schedule) = (reaction_outbox.clone(), reaction_schedule.clone());
        async move {
            if room.state() != RoomState::Joined || Some(ev.sender.as_ref()) == client.user_id() {
                return;
            }
            let event = Event::Reaction(IncomingReaction {
                event_id: ev.event_id.to_string(),
                sender: ev.sender.to_string(),
                room: room.room_id().to_string(),
                target: ev.content.relates_to.event_id.to_string(),
                key: ev.content.relates_to.key.clone(),
                sender_power: power_of(&room, &ev.sender).await,
                at: timestamp(ev.origin_server_ts),
            });
            record(&engine, &event, &outbox, &schedule);
        }
    });

    let invite_engine = engine;
    client.add_event_handler(move |ev: StrippedRoomMemberEvent, room: Room, client: Client| {
        let engine = invite_engine.clone();
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

    client.add_event_handler(|ev: OriginalSyncRoomEncryptedEvent, room: Room| async move {
        tracing::warn!(room = %room.room_id(), event = %ev.event_id, sender = %ev.sender, "could not decrypt a message");
    });
}

/// Decided and stored before the SDK saves its sync token, so a crash after this point
/// loses nothing: the outbox is delivered on the next start.
fn record(engine: &Engine, event: &Event, outbox: &Notify, schedule: &Notify) {
    let result = engine.handle(event).and_then(|d| {
        engine.store().flush()?;
        Ok(d)
    });
    match result {
        Ok(deliveries) if !deliveries.is_empty() => {
            outbox.notify_one();
            schedule.notify_one();
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, event = %event.event_id(), "could not record an event"),
    }
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
async fn to_engine_event(ev: &OriginalSyncRoomMessageEvent, room: &Room, client: &Client) -> Option<Event> {
    let own_id = client.user_id()?;
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
    tracing::debug!(room = %room.room_id(), body = %text.body, "message");
    Some(Event::Message(IncomingMessage {
        event_id: ev.event_id.to_string(),
        sender: ev.sender.to_string(),
        room: room.room_id().to_string(),
        text: pills::with_user_ids(&text.body, text.formatted.as_ref().map(|f| f.body.as_str())),
        thread_root,
        mentions_bot,
        is_direct: room.is_direct().await.unwrap_or(false),
        sender_power: power_of(room, &ev.sender).await,
        at: timestamp(ev.origin_server_ts),
    }))
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
