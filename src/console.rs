//! `kaveri chat`: the same engine in a terminal, no homeserver needed.

use crate::catalogue::phrasing::{self, Phraser};
use crate::clock::SystemClock;
use crate::engine::{Action, Delivery, Engine, Event, IncomingMessage, IncomingReaction, Settings};
use crate::store::Store;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

pub struct ConsoleOptions<'a> {
    pub data_dir: &'a Path,
    pub sender: String,
    pub room: String,
    /// Phrases catalogue answers when the config names an answer model.
    pub phraser: Option<Phraser>,
}

pub fn run(options: ConsoleOptions<'_>) -> anyhow::Result<()> {
    std::fs::create_dir_all(options.data_dir)?;
    let store = Store::open(options.data_dir)?;
    let engine = Engine::new(Settings::console("@kaveri:console"), store, Arc::new(SystemClock))?;
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = std::io::stdout().lock();
    let mut sender = options.sender;
    let mut room = options.room;
    let mut thread: Option<String> = None;
    if interactive {
        writeln!(
            out,
            "Kaveri (console). /as @user:server, /room !room:server, /thread $event (or /thread to leave it), \
             /react $event 👍, /quit. Try !apua, !hjälp or !help."
        )?;
    }
    for delivery in engine.pending_deliveries()? {
        show(&engine, options.phraser.as_ref(), &mut out, &delivery)?;
    }
    fire_reminders(&engine, options.phraser.as_ref(), &mut out)?;
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            write!(out, "{sender}> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        // The console has no timer of its own: reminders due by now come before the answer.
        fire_reminders(&engine, options.phraser.as_ref(), &mut out)?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if text == "/quit" {
            break;
        }
        if let Some(user) = text.strip_prefix("/as ") {
            sender = user.trim().to_string();
            continue;
        }
        if let Some(r) = text.strip_prefix("/room ") {
            room = r.trim().to_string();
            thread = None;
            continue;
        }
        if let Some(t) = text.strip_prefix("/thread") {
            // "/thread $event" writes in that thread from now on; "/thread" leaves it.
            thread = Some(t.trim().to_string()).filter(|t| !t.is_empty());
            continue;
        }
        let event_id = format!("$console{}", engine.store().next_id()?);
        if let Some(reaction) = text.strip_prefix("/react ") {
            let Some((target, key)) = reaction.trim().split_once(' ') else { continue };
            let event = Event::Reaction(IncomingReaction {
                event_id,
                sender: sender.clone(),
                room: room.clone(),
                target: target.to_string(),
                key: key.trim().to_string(),
                sender_power: None,
                at: engine.now(),
            });
            for delivery in engine.handle(&event)? {
                show(&engine, options.phraser.as_ref(), &mut out, &delivery)?;
            }
            continue;
        }
        let event = Event::Message(IncomingMessage {
            event_id,
            sender: sender.clone(),
            room: room.clone(),
            text: text.to_string(),
            html: None,
            thread_root: thread.clone(),
            mentions_bot: false,
            // The console is a one-to-one conversation with the bot.
            is_direct: true,
            sender_power: None,
            at: engine.now(),
        });
        // The store failed: nothing was changed. As on Matrix, the person hears once that
        // the answer comes later, and the message is decided again a few times.
        let mut decided = engine.handle(&event);
        for _ in 0..RETRIES {
            if decided.is_ok() {
                break;
            }
            for apology in engine.take_apologies() {
                show(&engine, options.phraser.as_ref(), &mut out, &apology)?;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
            decided = engine.handle(&event);
        }
        match decided {
            Ok(deliveries) => {
                for delivery in deliveries {
                    show(&engine, options.phraser.as_ref(), &mut out, &delivery)?;
                }
            }
            Err(e) => tracing::error!(error = %e, "could not store a decision; the message was dropped"),
        }
    }
    engine.store().flush()?;
    Ok(())
}

/// Prints what the scheduler has due by now (reminders, deadlines, agendas).
fn fire_reminders(engine: &Engine, phraser: Option<&Phraser>, out: &mut impl Write) -> anyhow::Result<()> {
    loop {
        let fired = engine.fire_due(engine.now())?;
        if fired.is_empty() {
            return Ok(());
        }
        for delivery in fired {
            show(engine, phraser, out, &delivery)?;
        }
    }
}

/// One message from the bot, with its room and, when it belongs to one, its thread.
fn say(out: &mut impl Write, room: &str, thread_root: Option<&str>, text: &str) -> std::io::Result<()> {
    match thread_root {
        Some(thread) => writeln!(out, "Kaveri [{room} › thread {thread}]:\n{text}\n"),
        None => writeln!(out, "Kaveri [{room}]:\n{text}\n"),
    }
}

/// How many times the console decides a message again after a store error.
const RETRIES: usize = 3;

fn show(engine: &Engine, phraser: Option<&Phraser>, out: &mut impl Write, delivery: &Delivery) -> anyhow::Result<()> {
    match &delivery.action {
        Action::Send { room, message, thread_root, .. } => say(out, room, thread_root.as_deref(), &message.plain)?,
        Action::Answer { room, fallback, grounding, thread_root, .. } => {
            let message = phrasing::answer(phraser, engine.catalogue(), engine.texts(), grounding, fallback);
            say(out, room, thread_root.as_deref(), &message.plain)?
        }
        Action::React { key, .. } => writeln!(out, "Kaveri reacts {key}")?,
        Action::Redact { .. } => writeln!(out, "Kaveri would remove that message.")?,
        Action::SendLinked { room, message, link, thread_root, .. } => {
            // The console has no event ids of its own; any unique one links the ticket.
            let event_id = format!("$console-sent{}", delivery.outbox_id);
            say(out, room, thread_root.as_deref(), &format!("{}\n(event {event_id})", message.plain))?;
            engine.link_sent(link, &event_id)?;
        }
        Action::Join { room } => writeln!(out, "Kaveri joins {room}")?,
        Action::Leave { room } => writeln!(out, "Kaveri leaves {room}")?,
    }
    engine.delivered(delivery.outbox_id)?;
    Ok(())
}
