//! Carries out the engine's actions on Matrix.

use crate::catalogue::phrasing::{self, Phraser};
use super::engine_thread::EngineThread;
use crate::engine::{Action, Delivery, Engine, Grounding, Reach};
use crate::lang::Message;
use anyhow::Context;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::{Annotation, InReplyTo, Reply, Thread};
use matrix_sdk::ruma::events::room::message::{Relation, RoomMessageEventContent};
use matrix_sdk::ruma::events::Mentions;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedTransactionId, OwnedUserId};
use matrix_sdk::{Client, Room};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Delivers the outbox in order, oldest first, whenever the engine adds to it, and at
/// start for whatever a previous run decided but did not confirm.
pub async fn outbox_worker(client: Client, engine: EngineThread, phraser: Option<Phraser>, wake: Arc<Notify>) {
    let phrasing = Phrasing { engine: engine.engine().clone(), phraser };
    let mut failures: u32 = 0;
    loop {
        let pending = match engine.run(|e| e.pending_deliveries()).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "could not read the outbox");
                Vec::new()
            }
        };
        let mut stuck = false;
        let mut added = false;
        for delivery in pending {
            match deliver(&client, &delivery, Some(&engine), Some(&phrasing)).await {
                Ok(follow_up) => {
                    added |= follow_up;
                    confirm(&engine, &delivery).await
                }
                Err(e) if is_permanent(&e) && matches!(delivery.action, Action::Redact { .. }) => {
                    let refused = delivery.clone();
                    match engine.run(move |e| e.redaction_refused(&refused)).await {
                        Ok(follow_up) => added |= !follow_up.is_empty(),
                        Err(e) => tracing::error!(error = %e, "could not record a refused redaction"),
                    }
                    confirm(&engine, &delivery).await;
                }
                Err(e) if is_permanent(&e) => {
                    tracing::error!(error = %e, outbox_id = delivery.outbox_id, "dropping an action the homeserver refuses");
                    confirm(&engine, &delivery).await;
                }
                Err(e) => {
                    failures += 1;
                    if failures == 1 {
                        tracing::warn!(error = %e, "delivery failed; will retry");
                    }
                    stuck = true;
                    break;
                }
            }
        }
        if stuck {
            // Retried with the same transaction id, so the homeserver drops any duplicate.
            // The sync loop wakes this as soon as the homeserver answers again.
            let wait = super::backoff(failures, Duration::from_secs(60));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
            }
        } else if added {
            // What a refused redaction added goes out now, not at the next event.
            continue;
        } else {
            if failures > 0 {
                tracing::info!(failed_attempts = failures, "delivering again");
            }
            failures = 0;
            wake.notified().await;
        }
    }
}

async fn confirm(engine: &EngineThread, delivery: &Delivery) {
    let outbox_id = delivery.outbox_id;
    if let Err(e) = engine.run(move |e| e.delivered(outbox_id)).await {
        tracing::error!(error = %e, "could not clear a delivered action from the outbox");
    }
}

/// A 4xx other than rate limiting will not succeed on retry (not in the room, forbidden).
fn is_permanent(error: &anyhow::Error) -> bool {
    error.downcast_ref::<NotJoined>().is_some()
        || error
            .downcast_ref::<matrix_sdk::Error>()
            .and_then(|e| e.as_client_api_error())
            .is_some_and(|e| e.status_code.is_client_error() && e.status_code.as_u16() != 429)
        || error.downcast_ref::<matrix_sdk::HttpError>().and_then(|e| e.as_client_api_error()).is_some_and(|e| {
            e.status_code.is_client_error() && e.status_code.as_u16() != 429
        })
}

/// What an `Action::Answer` needs: the engine's catalogue and texts, and the answer
/// model when one is configured.
struct Phrasing {
    engine: Arc<Engine>,
    phraser: Option<Phraser>,
}

impl Phrasing {
    /// The phrased answer, or `fallback`. The model call blocks (up to its timeout), so it
    /// runs off the async runtime, with a hard stop of its own.
    async fn answer(&self, grounding: &Grounding, fallback: &Message) -> Message {
        let Some(phraser) = self.phraser.clone() else { return fallback.clone() };
        let limit = phraser.timeout() + Duration::from_millis(500);
        let (engine, grounding, backup) = (self.engine.clone(), grounding.clone(), fallback.clone());
        let job = tokio::task::spawn_blocking(move || {
            phrasing::answer(Some(&phraser), engine.catalogue(), engine.texts(), &grounding, &backup)
        });
        match tokio::time::timeout(limit, job).await {
            Ok(Ok(message)) => message,
            _ => {
                tracing::warn!("the answer model call did not finish; sending the extractive answer");
                fallback.clone()
            }
        }
    }
}

/// Sends "please try again" to someone whose message the store could not record:
/// straight to the homeserver, since the outbox is in the store. Its transaction id is
/// fixed per message, so a second attempt is recognised as the same one.
pub async fn send_apology(client: &Client, apology: &Delivery) {
    if let Err(e) = deliver(client, apology, None, None).await {
        tracing::warn!(error = %e, "could not send a please-try-again");
    }
}

/// Carries out one action; true when that queued a follow-up (a note on where a
/// handoff or a colleague's reminder went) that should leave now.
async fn deliver(
    client: &Client,
    delivery: &Delivery,
    engine: Option<&EngineThread>,
    phrasing: Option<&Phrasing>,
) -> anyhow::Result<bool> {
    let mut follow_up = false;
    let txn_id: OwnedTransactionId = delivery.txn_id.as_str().into();
    let late = engine.and_then(|e| e.engine().delivery_late_note(delivery, chrono::Utc::now()));
    let with_late_note = |message: &Message| match &late {
        Some(note) => Message::join(&[message.clone(), note.clone()]),
        None => message.clone(),
    };
    match &delivery.action {
        Action::Send { room, message, thread_root, notice, mentions, in_reply_to, reach } => {
            let message = with_late_note(message);
            let (room, thread_root, elsewhere) = place_for(client, room, thread_root, reach.as_ref()).await?;
            let to = Place { room: &room, thread_root: thread_root.as_deref(), in_reply_to: in_reply_to.as_deref() };
            send(client, to, &message, *notice, mentions, txn_id).await?;
            // Whoever must know that it went elsewhere (a reminder's creator) is told.
            if let (Some(engine), Some(direct), Some(Reach { tell: Some(_), .. })) = (engine, elsewhere, reach) {
                let delivery = delivery.clone();
                let queued = engine.run(move |e| e.reached_elsewhere(&delivery, &room, thread_root.as_deref(), direct)).await?;
                follow_up = !queued.is_empty();
            }
        }
        Action::SendLinked { room, message, thread_root, mentions, link, reach } => {
            let message = with_late_note(message);
            let (room, thread_root, elsewhere) = place_for(client, room, thread_root, reach.as_ref()).await?;
            let to = Place { room: &room, thread_root: thread_root.as_deref(), in_reply_to: None };
            let event_id = send(client, to, &message, false, mentions, txn_id).await?;
            if let Some(engine) = engine {
                let (link, event_id) = (link.clone(), event_id.to_string());
                engine.run(move |e| e.link_sent(&link, &event_id)).await?;
                if let Some(direct) = elsewhere {
                    let delivery = delivery.clone();
                    let queued =
                        engine.run(move |e| e.reached_elsewhere(&delivery, &room, thread_root.as_deref(), direct)).await?;
                    follow_up = !queued.is_empty();
                }
            }
        }
        Action::Answer { room, thread_root, fallback, grounding, in_reply_to } => {
            let message = match phrasing {
                Some(phrasing) => phrasing.answer(grounding, fallback).await,
                None => fallback.clone(),
            };
            let message = with_late_note(&message);
            let to = Place { room, thread_root: thread_root.as_deref(), in_reply_to: in_reply_to.as_deref() };
            send(client, to, &message, true, &[], txn_id).await?;
        }
        Action::React { room, event_id, key } => {
            let room = joined_room(client, room)?;
            let target: OwnedEventId = event_id.as_str().try_into().context("reaction target")?;
            room.send(ReactionEventContent::new(Annotation::new(target, key.clone())))
                .with_transaction_id(txn_id)
                .await?;
        }
        Action::Redact { room, event_id, reason, .. } => {
            let room = joined_room(client, room)?;
            let target: OwnedEventId = event_id.as_str().try_into().context("redaction target")?;
            room.redact(&target, reason.as_deref(), Some(txn_id)).await?;
        }
        Action::Join { room } => {
            join_with_retries(client, room).await?;
        }
        Action::Leave { room } => {
            if let Some(room) = client.get_room(&parse_room(room)?) {
                room.leave().await?;
            }
        }
    }
    Ok(follow_up)
}

/// Where a message meant for `room` goes: there, unless `reach` names a person who is
/// not a member; then the other room they may be in, else a direct message (opened if
/// there is none). The last value is None when it stays in `room`, Some(direct) otherwise.
async fn place_for(
    client: &Client,
    room: &str,
    thread_root: &Option<String>,
    reach: Option<&Reach>,
) -> anyhow::Result<(String, Option<String>, Option<bool>)> {
    let Some((reach, person)) = reach.and_then(|r| Some((r, OwnedUserId::try_from(r.person.as_str()).ok()?))) else {
        return Ok((room.to_string(), thread_root.clone(), None));
    };
    if is_member(client, room, &person).await {
        return Ok((room.to_string(), thread_root.clone(), None));
    }
    if let Some((other, thread)) = &reach.or_in {
        if is_member(client, other, &person).await {
            return Ok((other.clone(), thread.clone(), Some(false)));
        }
    }
    let direct = match client.get_dm_room(&person) {
        Some(existing) => existing,
        None => client.create_dm(&person).await.context("could not open a direct message")?,
    };
    Ok((direct.room_id().to_string(), None, Some(true)))
}

async fn is_member(client: &Client, room: &str, person: &matrix_sdk::ruma::UserId) -> bool {
    use matrix_sdk::ruma::events::room::member::MembershipState;
    let Some(room) = parse_room(room).ok().and_then(|id| client.get_room(&id)) else { return false };
    matches!(room.get_member(person).await, Ok(Some(member)) if *member.membership() == MembershipState::Join)
}

/// Where a message goes: a room, a thread in it, and the message it answers.
struct Place<'a> {
    room: &'a str,
    thread_root: Option<&'a str>,
    in_reply_to: Option<&'a str>,
}

async fn send(
    client: &Client,
    to: Place<'_>,
    message: &Message,
    notice: bool,
    mentions: &[String],
    txn_id: OwnedTransactionId,
) -> anyhow::Result<OwnedEventId> {
    let room = joined_room(client, to.room)?;
    let mut content = if notice {
        RoomMessageEventContent::notice_html(&message.plain, &message.html)
    } else {
        RoomMessageEventContent::text_html(&message.plain, &message.html)
    };
    let answered: Option<OwnedEventId> = to.in_reply_to.and_then(|id| id.try_into().ok());
    if let Some(root) = to.thread_root {
        let root: OwnedEventId = root.try_into().context("thread root")?;
        // Clients without threads show it as a reply to the latest event it follows: the
        // message it answers, else the root.
        let latest = answered.unwrap_or_else(|| root.clone());
        content.relates_to = Some(Relation::Thread(Thread::plain(root, latest)));
    } else if let Some(answered) = answered {
        content.relates_to = Some(Relation::Reply(Reply::new(InReplyTo::new(answered))));
    }
    // Always explicit, even when empty: with m.mentions present, push rules ignore
    // "@room" and names in the body, so nobody is pinged by text the bot repeats.
    let users = mentions.iter().filter_map(|u| OwnedUserId::try_from(u.as_str()).ok());
    content = content.add_mentions(Mentions::with_user_ids(users));
    Ok(room.send(content).with_transaction_id(txn_id).await?.response.event_id)
}

/// Invite answers run outside the outbox: joining is idempotent, and a declined invite is
/// simply declined again after a restart.
pub async fn invite_actions(client: Client, actions: Vec<Action>) {
    for (index, action) in actions.into_iter().enumerate() {
        let delivery = Delivery {
            outbox_id: 0,
            txn_id: crate::engine::txn_id_for(&format!("invite{}", chrono::Utc::now().timestamp_millis()), index),
            action,
            decided_at: None,
        };
        if let Err(e) = deliver(&client, &delivery, None, None).await {
            tracing::warn!(error = %e, "could not answer an invite");
            return;
        }
    }
}

/// Joining right after an invite can fail while the homeserver catches up; retry with a
/// growing pause for about an hour, as the matrix-sdk autojoin example does.
async fn join_with_retries(client: &Client, room: &str) -> anyhow::Result<()> {
    let room_id = parse_room(room)?;
    let mut delay = 2;
    loop {
        match client.join_room_by_id(&room_id).await {
            Ok(_) => {
                tracing::info!(room = %room_id, "joined");
                return Ok(());
            }
            Err(e) if delay <= 3600 => {
                tracing::warn!(error = %e, room = %room_id, retry_in_s = delay, "join failed");
                tokio::time::sleep(Duration::from_secs(delay)).await;
                delay *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn parse_room(room: &str) -> anyhow::Result<OwnedRoomId> {
    room.try_into().with_context(|| format!("'{room}' is not a room id"))
}

/// The bot has left (or was removed from) the room: retrying cannot help, and waiting
/// would hold up everything behind it in the outbox (a reminder set there, say).
#[derive(Debug)]
struct NotJoined(String);

impl std::fmt::Display for NotJoined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the bot is not in room {}", self.0)
    }
}

impl std::error::Error for NotJoined {}

fn joined_room(client: &Client, room: &str) -> anyhow::Result<Room> {
    match client.get_room(&parse_room(room)?) {
        Some(joined) if joined.state() == matrix_sdk::RoomState::Joined => Ok(joined),
        _ => Err(NotJoined(room.to_string()).into()),
    }
}
