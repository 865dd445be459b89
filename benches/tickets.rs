//! Tickets at scale: a store holding 1,000 and then 100,000 consultation tickets (19 in
//! 20 closed, the rest open, claimed or escalated with handoffs pending) beside
//! 1,000,000 reminders. Measured in fresh child processes, as a bot on that store:
//!
//! - start-up: `Store::open` + `Engine::new` + the first `next_due()`: the first start
//!   on a store from before the deadline index (it builds the index from every ticket
//!   once), and a normal start after it;
//! - `next_due()`: median and p99 of many calls;
//! - the decision per event: `Engine::handle` (decided and committed) for a mix of help,
//!   catalogue questions, new consultations, status changes and reminders;
//! - peak RSS (`VmHWM`) at the end of each process.
//!
//! Targets: per-event time and `next_due` within 2× from 1,000 to 100,000 tickets,
//! start-up under 1 s, peak RSS under 250 MB. Prints PASS/FAIL against them.
//!
//! `cargo bench --no-default-features --bench tickets`

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use kaveri::clock::ManualClock;
use kaveri::consult::ticket::{Handoff, Origin, Status, Ticket};
use kaveri::engine::{Engine, Event, IncomingMessage, Settings, CONSOLE_COORDINATORS_ROOM};
use kaveri::lang::Lang;
use kaveri::remind::reminder::{Reminder, Target};
use kaveri::store::{Batch, Store, TreeId};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;
#[path = "support/child.rs"]
mod child;
use child::{get, median_p99_us, ms, run_child, status_kib, verdict};

const TICKET_COUNTS: [u64; 2] = [1_000, 100_000];
const REMINDERS: u64 = 1_000_000;
/// One ticket in this many is still open (or claimed, or escalated).
const OPEN_EVERY: u64 = 20;
const BUILD_BATCH: u64 = 20_000;
const NEXT_DUE_CALLS: usize = 10_000;
const EVENTS: usize = 400;
const STATISTICS: usize = 5;

const STARTUP_TARGET: Duration = Duration::from_secs(1);
const RSS_TARGET_MB: f64 = 250.0;
const GROWTH_TARGET: f64 = 2.0;

const NETWORK: &str = "!verkosto:console";

/// Monday 30.11.2026 at 12.00 Helsinki time: the bench's "now".
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap()
}

/// Ticket `n` of the year, opened in the two years before now.
fn ticket(n: u64, rng: &mut Rng) -> Ticket {
    let opened = now() - TimeDelta::minutes(rng.below(2 * 365 * 24 * 60) as i64 + 60);
    let asker = format!("@ammattilainen{}:console", n % 500);
    let event = format!("$question{n}");
    let origin = Origin { asker: &asker, room: NETWORK, event: &event, at: opened, lang: Lang::Fi };
    let mut t = Ticket::new(format!("K-2026-{n:06}"), origin, "Loimaalainen asiakas, pitkään työttömänä".into(), CONSOLE_COORDINATORS_ROOM);
    t.municipality = Some("Loimaa".into());
    if !n.is_multiple_of(OPEN_EVERY) {
        t.status = Status::Closed;
        t.closed_at = Some(opened + TimeDelta::days(3));
        t.feedback = Some((n % 11) as u8);
        return t;
    }
    t.status = [Status::Open, Status::Claimed, Status::InProgress, Status::EscalatedTeam][rng.below(4)];
    if t.status != Status::Open {
        t.owner = Some("@koordinaattori:console".into());
        t.claimed_at = Some(opened + TimeDelta::hours(2));
        t.handoffs.push(Handoff {
            from: "@koordinaattori:console".into(),
            to: "@ips-valmentaja:console".into(),
            step: "ensikäynti".into(),
            date: now() + TimeDelta::days(rng.below(30) as i64 + 1),
            created_at: opened + TimeDelta::hours(3),
            room: CONSOLE_COORDINATORS_ROOM.into(),
            thread_root: None,
            acknowledged_at: None,
            receiver_reminded: false,
            sender_reminded: false,
            checked_in: false,
            arrived: None,
            lang: Some(Lang::Fi),
            receiver_place: None,
        });
    }
    t
}

fn reminder(n: u64, rng: &mut Rng) -> Reminder {
    let due = now() + TimeDelta::minutes(rng.below(365 * 24 * 60) as i64 + 1);
    Reminder {
        id: n,
        creator: format!("@ammattilainen{}:console", n % 2_000),
        target: Target::Creator,
        room: NETWORK.into(),
        thread_root: None,
        text: "soita Kelaan asiakkaan kuntoutusrahasta".into(),
        lang: Lang::Fi,
        created_at: now() - TimeDelta::days(1),
        due,
        recurrence: None,
        creator_told: false,
    }
}

/// Writes the tickets and the reminders as the engine stores them, except the deadline
/// index: the first start builds it, as after an upgrade.
fn build(dir: &Path, tickets: u64) -> Duration {
    let start = Instant::now();
    let store = Store::open(dir).expect("open the store");
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut n = 1;
    while n <= REMINDERS.max(tickets) {
        let mut batch = Batch::default();
        let end = n + BUILD_BATCH;
        for i in n..end {
            if i <= tickets {
                let t = ticket(i, &mut rng);
                batch.put(TreeId::Tickets, t.id.as_bytes(), &t);
            }
            if i <= REMINDERS {
                let r = reminder(i, &mut rng);
                batch.put(TreeId::Reminders, r.key(), &r);
                batch.put(TreeId::Due, r.due_key(), &r.id);
                for key in r.owner_keys() {
                    batch.put(TreeId::ReminderOwners, key, &());
                }
            }
        }
        batch.put(TreeId::Meta, "reminder_last_id", &REMINDERS);
        batch.put(TreeId::Meta, "ticket_counter_2026", &tickets);
        store.commit(batch).expect("commit a build batch");
        n = end;
    }
    store.flush().expect("flush");
    start.elapsed()
}

fn engine_on(dir: &Path) -> (Engine, Duration) {
    let clock = Arc::new(ManualClock::new(now()));
    let start = Instant::now();
    let store = Store::open(dir).expect("open the store");
    let engine = Engine::new(Settings::console("@kaveri:console"), store, clock).expect("engine");
    engine.next_due().expect("next_due");
    (engine, start.elapsed())
}

/// The events of the mix, by number: what a network's busy hour looks like.
fn event(i: usize) -> Event {
    let text = match i % 4 {
        0 => "!apua".to_string(),
        1 => "!kysy mihin ohjaan asiakkaan jonka työkyky on epäselvä?".to_string(),
        2 => format!("!konsultaatio Loimaalainen asiakas {i}, pitkään työttömänä. Mihin ohjaan?"),
        _ => format!("!muistuta huomenna klo 9 soita asiakkaalle {i}"),
    };
    // Many people, a couple of seconds apart: the throttle lets a busy hour through.
    message(format!("$bench{i}"), format!("@ammattilainen{i}:console"), NETWORK, text, i)
}

/// `!tilastot` for all time, by a coordinator in the coordinators' room.
fn statistics(i: usize) -> Event {
    message(format!("$stats{i}"), format!("@koordinaattori{i}:console"), CONSOLE_COORDINATORS_ROOM, "!tilastot".into(), EVENTS + i)
}

fn message(event_id: String, sender: String, room: &str, text: String, i: usize) -> Event {
    Event::Message(IncomingMessage {
        event_id,
        sender,
        room: room.into(),
        text,
        html: None,
        thread_root: None,
        mentions_bot: false,
        is_direct: true,
        sender_power: Some(100),
        at: now() + TimeDelta::seconds(2 * i as i64),
    })
}

/// The measured side, in a process of its own. `--startup`: start-up only; `--child`:
/// everything.
fn child(dir: &Path, full: bool) {
    let (engine, startup) = engine_on(dir);
    println!("startup_ms {:.3}", ms(startup));
    println!("hwm_after_startup_kib {}", status_kib("VmHWM:"));
    if !full {
        return;
    }
    let mut times = Vec::with_capacity(NEXT_DUE_CALLS);
    for _ in 0..NEXT_DUE_CALLS {
        let start = Instant::now();
        std::hint::black_box(engine.next_due().expect("next_due"));
        times.push(start.elapsed());
    }
    let (median, p99) = median_p99_us(&mut times);
    println!("next_due_median_us {median:.3}\nnext_due_p99_us {p99:.3}");
    let mut per_event = Vec::with_capacity(EVENTS);
    for i in 0..EVENTS {
        let start = Instant::now();
        let deliveries = engine.handle(&event(i)).expect("handle");
        per_event.push(start.elapsed());
        assert!(!deliveries.is_empty(), "event {i} was answered");
    }
    let (median, p99) = median_p99_us(&mut per_event);
    println!("event_median_us {median:.3}\nevent_p99_us {p99:.3}");
    println!("hwm_events_kib {}", status_kib("VmHWM:"));
    // Statistics read every ticket by design (a coordinator's report, not per event):
    // timed apart, after the mix.
    let mut stats = Vec::new();
    for i in 0..STATISTICS {
        let start = Instant::now();
        assert!(!engine.handle(&statistics(i)).expect("handle").is_empty());
        stats.push(start.elapsed());
    }
    let (median, _) = median_p99_us(&mut stats);
    println!("stats_median_us {median:.3}");
    println!("hwm_kib {}", status_kib("VmHWM:"));
}

/// The highest peak RSS the children reported under `keys`, in MB.
fn peak_mb(children: &[&Vec<(String, f64)>], keys: &[&str]) -> f64 {
    let kib = children.iter().flat_map(|f| f.iter()).filter(|(k, _)| keys.contains(&k.as_str())).map(|(_, v)| *v);
    kib.fold(0.0, f64::max) / 1024.0
}

/// Peak RSS while starting and deciding events.
const WORKING: &[&str] = &["hwm_after_startup_kib", "hwm_events_kib"];
/// Peak RSS at the end, after the statistics too.
const OVERALL: &[&str] = &["hwm_after_startup_kib", "hwm_events_kib", "hwm_kib"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child" || a == "--startup") {
        child(Path::new(&args[i + 1]), args[i] == "--child");
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it only when asked.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let mut results = Vec::new();
    for tickets in TICKET_COUNTS {
        let dir = tempfile::tempdir().expect("temporary directory");
        let took = build(dir.path(), tickets);
        println!("built {tickets} tickets and {REMINDERS} reminders in {:.1} s", took.as_secs_f64());
        let first = run_child("--startup", dir.path());
        let second = run_child("--startup", dir.path());
        let full = run_child("--child", dir.path());
        println!(
            "{tickets} tickets: start-up first {:.0} ms (builds the deadline index), then {:.0} / {:.0} ms; next_due median {:.2} µs p99 {:.2} µs; \
             per event median {:.0} µs p99 {:.0} µs; !tilastot {:.1} ms; peak RSS {:.0} MB, {:.0} MB after !tilastot",
            get(&first, "startup_ms"),
            get(&second, "startup_ms"),
            get(&full, "startup_ms"),
            get(&full, "next_due_median_us"),
            get(&full, "next_due_p99_us"),
            get(&full, "event_median_us"),
            get(&full, "event_p99_us"),
            get(&full, "stats_median_us") / 1e3,
            peak_mb(&[&first, &second, &full], WORKING),
            peak_mb(&[&first, &second, &full], OVERALL),
        );
        results.push((first, second, full));
    }
    let [(_, _, small), (first, second, big)] = [&results[0], &results[1]].map(|r| r.clone());
    let growth = |key: &str| get(&big, key) / get(&small, key);
    let startup = get(&second, "startup_ms").max(get(&big, "startup_ms"));
    let rss = peak_mb(&[&first, &second, &big], OVERALL);
    println!("targets (100,000 against 1,000 tickets):");
    let event_growth = growth("event_median_us");
    println!("  per-event median ×{event_growth:.2}  target ≤ {GROWTH_TARGET}  {}", verdict(event_growth <= GROWTH_TARGET));
    let due_growth = growth("next_due_median_us");
    println!("  next_due median ×{due_growth:.2}  target ≤ {GROWTH_TARGET}  {}", verdict(due_growth <= GROWTH_TARGET));
    println!("  start-up {startup:.0} ms  target < {} ms  {}", STARTUP_TARGET.as_millis(), verdict(startup < ms(STARTUP_TARGET)));
    println!(
        "  first start, building the index: {:.0} ms  target < {} ms  {}",
        get(&first, "startup_ms"),
        STARTUP_TARGET.as_millis(),
        verdict(get(&first, "startup_ms") < ms(STARTUP_TARGET))
    );
    println!("  peak RSS (with !tilastot over every ticket) {rss:.0} MB  target < {RSS_TARGET_MB:.0} MB  {}", verdict(rss < RSS_TARGET_MB));
}
