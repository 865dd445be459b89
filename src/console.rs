//! `kaveri chat`: the same engine in a terminal, no homeserver needed.

use crate::catalogue::phrasing::{self, Phraser};
use crate::clock::SystemClock;
use crate::engine::{Action, Delivery, Engine, Event, IncomingMessage, Settings};
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
    if interactive {
        writeln!(out, "Kaveri (console). /as @user:server, /room !room:server, /quit. Try !apua, !hjälp or !help.")?;
    }
    for delivery in engine.pending_deliveries()? {
        show(&engine, options.phraser.as_ref(), &mut out, &delivery)?;
    }
    fire_reminders(&engine, &mut out)?;
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            write!(out, "{sender}> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        // The console has no timer of its own: reminders due by now come before the answer.
        fire_reminders(&engine, &mut out)?;
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
            continue;
        }
        let event = Event::Message(IncomingMessage {
            event_id: format!("$console{}", engine.store().next_id()?),
            sender: sender.clone(),
            room: room.clone(),
            text: text.to_string(),
            thread_root: None,
            mentions_bot: false,
            // The console is a one-to-one conversation with the bot.
            is_direct: true,
            sender_power: None,
            at: engine.now(),
        });
        for delivery in engine.handle(&event)? {
            show(&engine, options.phraser.as_ref(), &mut out, &delivery)?;
        }
    }
    engine.store().flush()?;
    Ok(())
}

/// Prints the reminders due by now and marks them delivered.
fn fire_reminders(engine: &Engine, out: &mut impl Write) -> anyhow::Result<()> {
    loop {
        let fired = engine.fire_due(engine.now())?;
        if fired.is_empty() {
            return Ok(());
        }
        for delivery in fired {
            if let Action::Send { room, message, .. } = &delivery.action {
                writeln!(out, "Kaveri [{room}]:\n{}\n", message.plain)?;
            }
            engine.delivered(delivery.outbox_id)?;
        }
    }
}

fn show(engine: &Engine, phraser: Option<&Phraser>, out: &mut impl Write, delivery: &Delivery) -> anyhow::Result<()> {
    match &delivery.action {
        Action::Send { room, message, .. } => writeln!(out, "Kaveri [{room}]:\n{}\n", message.plain)?,
        Action::Answer { room, fallback, grounding, .. } => {
            let message = phrasing::answer(phraser, engine.catalogue(), engine.texts(), grounding, fallback);
            writeln!(out, "Kaveri [{room}]:\n{}\n", message.plain)?
        }
        Action::React { key, .. } => writeln!(out, "Kaveri reacts {key}")?,
        Action::Redact { .. } => writeln!(out, "Kaveri would remove that message.")?,
        Action::SendLinked { room, message, link, .. } => {
            writeln!(out, "Kaveri [{room}]:\n{}\n", message.plain)?;
            // The console has no event ids of its own; any unique one links the ticket.
            engine.link_sent(link, &format!("$console-sent{}", delivery.outbox_id))?;
        }
        Action::Join { room } => writeln!(out, "Kaveri joins {room}")?,
        Action::Leave { room } => writeln!(out, "Kaveri leaves {room}")?,
    }
    engine.delivered(delivery.outbox_id)?;
    Ok(())
}
