//! Kaveri's own sync loop around `sync_once`, so that no command is lost and none waits.
//!
//! matrix-sdk's `sync*` loops sleep a second whenever two syncs finish within one (every
//! reply's own echo does that) and save their token before event handlers run. Here:
//! - a filter asks for a generous timeline per room, and a timeline that still comes back
//!   `limited` is filled in from its `prev_batch` back to the previous sync position;
//! - every event of a batch is decided and committed on the engine thread, and only then
//!   is Kaveri's own resume point (token and time, in sled) moved past the batch;
//! - no pause after a successful sync; back-off only after errors, or when the server keeps
//!   answering at once with nothing new.

use super::engine_thread::EngineThread;
use super::{power_of, timestamp, to_engine_event, Wake};
use crate::engine::{Event, IncomingReaction, ResumePoint};
use anyhow::Context;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::deserialized_responses::TimelineEvent;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::api::client::filter::FilterDefinition;
use matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter;
use matrix_sdk::ruma::api::error::ErrorKind;
use matrix_sdk::ruma::events::{AnySyncMessageLikeEvent, AnySyncTimelineEvent, SyncMessageLikeEvent};
use matrix_sdk::ruma::uint;
use matrix_sdk::{Client, Room, RoomState};
use std::time::{Duration, Instant};

/// How long the homeserver may hold a sync open when nothing happens.
const LONG_POLL: Duration = Duration::from_secs(30);
/// A failed sync against a homeserver that is down costs nothing, and retrying often is
/// what lets waiting messages leave within seconds of its return.
const LONGEST_SYNC_PAUSE: Duration = Duration::from_secs(3);
/// Events per room in one sync; beyond this the timeline is paged in with /messages.
const TIMELINE_LIMIT: u32 = 200;
/// Pages of /messages read to fill one gap (100 events each): far beyond any backlog a
/// network room builds up while the bot is down for a day.
const GAP_PAGES: usize = 100;
/// Events this much older than the resume point were certainly seen before it (clock skew
/// between homeservers aside), so paging stops there even if the server ignored `to`.
const GAP_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

fn sync_filter() -> Filter {
    let mut filter = FilterDefinition::with_lazy_loading();
    filter.room.timeline.limit = Some(TIMELINE_LIMIT.into());
    Filter::FilterDefinition(filter)
}

/// Syncs until the login is revoked. Outages are logged once when they begin and once
/// when they end; on recovery the outbox and the scheduler are woken at once.
pub async fn sync_forever(
    client: &Client,
    engine: &EngineThread,
    wake: &Wake,
    mut resume: ResumePoint,
) -> anyhow::Result<()> {
    let mut failures: u32 = 0;
    let mut quick_empty: u32 = 0;
    let filter = sync_filter();
    loop {
        // After a failure, ask without waiting: the answer itself is the news that the
        // homeserver is back, and what waited for it should not wait for a long poll too.
        let poll = if failures > 0 { Duration::ZERO } else { LONG_POLL };
        let settings = SyncSettings::default().timeout(poll).filter(filter.clone()).token(resume.token.clone());
        let started = Instant::now();
        let result = match client.sync_once(settings).await {
            Ok(response) => record(client, engine, &resume, response).await,
            Err(e) => Err(anyhow::Error::from(e)),
        };
        match result {
            Ok((next, decided)) => {
                if failures > 0 {
                    tracing::info!(failed_attempts = failures, "homeserver reachable again; syncing");
                    failures = 0;
                    // Whatever waited for the homeserver leaves now, not at its next back-off.
                    wake.all();
                } else if decided > 0 {
                    wake.all();
                }
                // A server that answers at once with the same position is not long-polling;
                // do not spin on it.
                if poll > Duration::ZERO && next.token == resume.token && started.elapsed() < Duration::from_secs(1) {
                    quick_empty += 1;
                    if quick_empty >= 3 {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                } else {
                    quick_empty = 0;
                }
                resume = next;
            }
            Err(e) => {
                if is_revoked_login(&e) {
                    tracing::error!("the homeserver no longer accepts the bot's login");
                    return Err(e);
                }
                failures += 1;
                let wait = super::backoff(failures, LONGEST_SYNC_PAUSE);
                if failures == 1 {
                    tracing::warn!(error = %e, retry_in_s = wait.as_secs(), "sync failed; retrying");
                } else {
                    tracing::debug!(error = %e, attempt = failures, retry_in_s = wait.as_secs(), "sync failed again");
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
}

fn is_revoked_login(error: &anyhow::Error) -> bool {
    let kind = error
        .downcast_ref::<matrix_sdk::Error>()
        .and_then(|e| e.client_api_error_kind())
        .or_else(|| error.downcast_ref::<matrix_sdk::HttpError>().and_then(|e| e.client_api_error_kind()));
    matches!(kind, Some(ErrorKind::UnknownToken { .. }))
}

/// Where to sync from: Kaveri's own resume point; on the very first start, the end of the
/// current history, which is skipped (it was not addressed to the bot).
pub async fn start_point(client: &Client, engine: &EngineThread) -> anyhow::Result<ResumePoint> {
    if let Some(resume) = engine.run(|e| e.resume_point()).await? {
        return Ok(resume);
    }
    let first_start = !engine.run(|e| e.store().flag(super::BACKLOG_SKIPPED)).await?;
    let settings = SyncSettings::default().filter(sync_filter());
    // An installation from before the resume point continues from the SDK's own token.
    let settings = if first_start { settings.token(matrix_sdk::config::SyncToken::NoToken) } else { settings };
    let response = client.sync_once(settings).await.context("first sync with the homeserver failed")?;
    let resume = ResumePoint { token: response.next_batch.clone(), at: chrono::Utc::now() };
    if first_start {
        let saved = resume.clone();
        engine
            .run(move |e| {
                e.store().set_flag(super::BACKLOG_SKIPPED)?;
                e.save_resume_point(&saved)
            })
            .await?;
        tracing::info!("first start: skipped the room history");
        Ok(resume)
    } else {
        let previous = ResumePoint { token: String::new(), at: chrono::Utc::now() - chrono::TimeDelta::days(1) };
        Ok(record(client, engine, &previous, response).await?.0)
    }
}

/// Hands every new event of a sync response to the engine, oldest first, gaps filled in,
/// and moves the resume point past them once all are committed. An error leaves the
/// resume point where it was, so the same events are read again (and deduplicated).
async fn record(
    client: &Client,
    engine: &EngineThread,
    since: &ResumePoint,
    response: matrix_sdk::sync::SyncResponse,
) -> anyhow::Result<(ResumePoint, usize)> {
    let mut events = Vec::new();
    for (room_id, update) in &response.rooms.joined {
        let Some(room) = client.get_room(room_id) else { continue };
        let timeline = &update.timeline;
        if timeline.limited && !since.token.is_empty() {
            if let Some(prev_batch) = &timeline.prev_batch {
                let older = fill_gap(&room, prev_batch, since).await?;
                tracing::info!(room = %room_id, events = older.len(), "read a gap in the timeline");
                events.extend(convert_all(client, &room, &older).await);
            }
        }
        events.extend(convert_all(client, &room, &timeline.events).await);
    }
    let next = ResumePoint { token: response.next_batch.clone(), at: chrono::Utc::now() };
    let resume = next.clone();
    let count = events.len();
    let recorded = engine.run(move |e| e.record_batch(&events, &resume)).await;
    if recorded.is_err() {
        // The store stopped a decision: its sender hears "please try again" once.
        for apology in engine.run(|e| e.take_apologies()).await {
            super::deliver::send_apology(client, &apology).await;
        }
    }
    let decided = recorded.context("could not record a sync batch")?;
    if count > 0 {
        tracing::debug!(events = count, actions = decided, "recorded");
    }
    Ok((next, decided))
}

/// The events between the previous sync position and `prev_batch`, oldest first.
async fn fill_gap(room: &Room, prev_batch: &str, since: &ResumePoint) -> anyhow::Result<Vec<TimelineEvent>> {
    let oldest_wanted = since.at - GAP_SKEW;
    let mut newest_first = Vec::new();
    let mut from = prev_batch.to_string();
    for _ in 0..GAP_PAGES {
        let mut options = MessagesOptions::backward().from(from.as_str());
        options.to = Some(since.token.clone());
        options.limit = uint!(100);
        let page = room.messages(options).await.context("could not read a gap in a room's timeline")?;
        let mut reached_old = false;
        for event in page.chunk {
            let old = event.timestamp().and_then(|ts| chrono::DateTime::from_timestamp_millis(ts.get().into()));
            if old.is_some_and(|at| at < oldest_wanted) {
                reached_old = true;
                break;
            }
            newest_first.push(event);
        }
        match page.end {
            Some(end) if !reached_old && end != from => from = end,
            _ => break,
        }
    }
    newest_first.reverse();
    Ok(newest_first)
}

async fn convert_all(client: &Client, room: &Room, events: &[TimelineEvent]) -> Vec<Event> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        if let Some(event) = convert(client, room, event).await {
            out.push(event);
        }
    }
    out
}

/// The engine's view of a timeline event; None for what it never acts on.
async fn convert(client: &Client, room: &Room, event: &TimelineEvent) -> Option<Event> {
    if room.state() != RoomState::Joined {
        return None;
    }
    let own_id = client.user_id()?;
    match event.raw().deserialize().ok()? {
        AnySyncTimelineEvent::MessageLike(AnySyncMessageLikeEvent::RoomMessage(SyncMessageLikeEvent::Original(ev))) => {
            to_engine_event(&ev, room, own_id).await
        }
        AnySyncTimelineEvent::MessageLike(AnySyncMessageLikeEvent::Reaction(SyncMessageLikeEvent::Original(ev))) => {
            if ev.sender == own_id {
                return None;
            }
            Some(Event::Reaction(IncomingReaction {
                event_id: ev.event_id.to_string(),
                sender: ev.sender.to_string(),
                room: room.room_id().to_string(),
                target: ev.content.relates_to.event_id.to_string(),
                key: ev.content.relates_to.key.clone(),
                sender_power: power_of(room, &ev.sender).await,
                at: timestamp(ev.origin_server_ts),
            }))
        }
        AnySyncTimelineEvent::MessageLike(AnySyncMessageLikeEvent::RoomEncrypted(SyncMessageLikeEvent::Original(ev))) => {
            tracing::warn!(room = %room.room_id(), event = %ev.event_id, sender = %ev.sender, "could not decrypt a message");
            None
        }
        _ => None,
    }
}
