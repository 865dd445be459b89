//! Reminders at scale: a sled store holding 1,000,000 reminders, written the way
//! `!muistuta` writes them (a `Reminders` record and a `Due` index entry each, and the
//! last id in `Meta`). The figures are measured in fresh child processes (this binary
//! run again with `--startup-only DIR` or `--child DIR`), so their memory is that of a
//! bot starting on that store:
//!
//! - start-up: `Store::open` + `Engine::new` (console settings) + the first `next_due()`,
//!   for the first start after the build (sled replays what it logged since the store
//!   last reopened itself) and two later ones;
//! - peak RSS (`VmHWM`) of each process, at the end of the measured work;
//! - `next_due()`: median and p99 of many calls;
//! - firing 10,000 reminders due at the same moment as the scheduler does: `fire_due`
//!   (at most `FIRE_BATCH` a call, each call one committed transaction) until nothing is
//!   left, with the scheduler's flush after each call timed separately;
//! - afterwards, outside the targets: a scan of every reminder, as `!muistutukset` does.
//!
//! Targets: start-up < 1 s, peak RSS < 200 MB. Prints PASS/FAIL against them.
//!
//! `cargo bench --no-default-features --bench reminders`

use chrono::{DateTime, TimeDelta, TimeZone, Utc, Weekday};
use kaveri::clock::ManualClock;
use kaveri::engine::{Engine, Event, IncomingMessage, Settings};
use kaveri::lang::Lang;
use kaveri::remind::reminder::{Reminder, Target};
use kaveri::time::expr::Recurrence;
use kaveri::store::{Batch, Store, TreeId};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REMINDERS: u64 = 1_000_000;
/// How many of them fall due at the same moment, `FIRE_AT`.
const DUE_AT_ONCE: u64 = 10_000;
/// Reminders per transaction while building the store (two writes each).
const BUILD_BATCH: u64 = 20_000;
const NEXT_DUE_CALLS: usize = 10_000;

const STARTUP_TARGET: Duration = Duration::from_secs(1);
const RSS_TARGET_MB: f64 = 200.0;

/// The engine's meta key for the last reminder id handed out
/// (`remind::repo`, private there).
const LAST_ID: &[u8] = b"reminder_last_id";

/// Monday 30.11.2026 at 9.00 Helsinki time: when the 10,000 fall due.
fn fire_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap()
}

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;
#[path = "support/child.rs"]
mod child;
use child::{get, ms, run_child, status_kib, us, verdict};

const TEXTS: &[&str] = &[
    "soita Kelaan asiakkaan kuntoutusrahasta",
    "tarkista onko TYP-palaveri vahvistettu",
    "lähetä lausuntopyyntö työterveyshuoltoon",
    "verkostopalaveri: asiakkaan työkykyarvio ja seuraavat askeleet",
    "kysy IPS-valmentajalta aloituspäivä",
    "ring FPA om rehabiliteringspenningen",
    "kontrollera att remissen till arbetsförmågeteamet är skickad",
    "follow up the work ability support plan with the coordinator",
    "muista kirjata sovitut asiat",
    "palaveri",
];

/// The `n`th of the million, as `!muistuta` would have stored it. Every 100th reminder
/// falls due at `fire_at()`; the rest are spread over the following year.
fn reminder(n: u64, rng: &mut Rng) -> Reminder {
    let id = n;
    let due = if n.is_multiple_of(REMINDERS / DUE_AT_ONCE) {
        fire_at()
    } else {
        fire_at() + TimeDelta::days(1) + TimeDelta::minutes(rng.below(365 * 24 * 60) as i64)
    };
    let creator = format!("@user{}:example.org", rng.below(20_000));
    let target = match rng.below(20) {
        0..=15 => Target::Creator,
        16..=18 => Target::User(format!("@user{}:example.org", rng.below(20_000))),
        _ => Target::Room,
    };
    let room = format!("!room{:06}abcdefghij:example.org", rng.below(2_000));
    let thread_root =
        (rng.below(3) == 0).then(|| format!("$event{:020}abcdefghijklmno", rng.next()));
    let text = TEXTS[rng.below(TEXTS.len())].to_string();
    let lang = [Lang::Fi, Lang::Fi, Lang::Fi, Lang::Sv, Lang::En][rng.below(5)];
    let recurrence = match rng.below(10) {
        0 => Some(Recurrence::Weekly {
            weekday: Weekday::Mon,
            every_weeks: 1 + rng.below(2) as u32,
            hour: 9,
            minute: 0,
        }),
        1 => Some(Recurrence::EveryNDays {
            days: 1 + rng.below(14) as u32,
        }),
        _ => None,
    };
    Reminder {
        id,
        creator,
        target,
        room,
        thread_root,
        text,
        lang,
        created_at: fire_at() - TimeDelta::days(30) + TimeDelta::seconds(n as i64),
        due,
        recurrence,
        creator_told: false,
    }
}

struct Built {
    took: Duration,
    /// How often the store reopened itself while being written (`REOPEN_AFTER_WRITES`).
    reopens: u64,
    /// The longest `commit` of a batch, and the longest of one that ended in a reopen:
    /// the difference is the pause a bot would feel.
    slowest_commit: Duration,
    slowest_reopening_commit: Duration,
}

/// Writes the million through `Batch`/`Store::commit` with the same trees, keys and
/// values as `remind::repo::add`, in large transactions, then flushes
/// and closes the store.
fn build(dir: &Path) -> Built {
    let start = Instant::now();
    let (mut slowest_commit, mut slowest_reopening_commit) = (Duration::ZERO, Duration::ZERO);
    let store = Store::open(dir).expect("open the store");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut n = 1;
    while n <= REMINDERS {
        let mut batch = Batch::default();
        let end = (n + BUILD_BATCH).min(REMINDERS + 1);
        for i in n..end {
            let r = reminder(i, &mut rng);
            batch.put(TreeId::Reminders, r.key(), &r);
            batch.put(TreeId::Due, r.due_key(), &r.id);
            for key in r.owner_keys() {
                batch.put(TreeId::ReminderOwners, key, &());
            }
        }
        batch.put(TreeId::Meta, LAST_ID, &(end - 1));
        let (t, reopens) = (Instant::now(), store.reopens());
        store.commit(batch).expect("commit a build batch");
        if store.reopens() == reopens {
            slowest_commit = slowest_commit.max(t.elapsed());
        } else {
            slowest_reopening_commit = slowest_reopening_commit.max(t.elapsed());
        }
        n = end;
    }
    store.flush().expect("flush the store");
    let reopens = store.reopens();
    drop(store);
    Built { took: start.elapsed(), reopens, slowest_commit, slowest_reopening_commit }
}

/// The measured side, in a process of its own. Prints `key value` lines.
fn child(dir: &Path, full: bool) {
    let clock = Arc::new(ManualClock::new(fire_at() - TimeDelta::hours(1)));
    let start = Instant::now();
    let store = Store::open(dir).expect("open the store");
    let opened = start.elapsed();
    let engine =
        Engine::new(Settings::console("@kaveri:console"), store, clock.clone()).expect("engine");
    let first = engine.next_due().expect("next_due");
    let startup = start.elapsed();
    assert_eq!(
        first,
        Some(fire_at()),
        "the first reminder due is the 10,000's"
    );
    println!("open_ms {:.3}", ms(opened));
    println!("startup_ms {:.3}", ms(startup));
    println!("rss_after_startup_kib {}", status_kib("VmRSS:"));
    println!("hwm_after_startup_kib {}", status_kib("VmHWM:"));
    if !full {
        return;
    }

    let mut times = Vec::with_capacity(NEXT_DUE_CALLS);
    for _ in 0..NEXT_DUE_CALLS {
        let t = Instant::now();
        std::hint::black_box(engine.next_due().expect("next_due"));
        times.push(t.elapsed());
    }
    times.sort_unstable();
    println!("next_due_median_us {:.3}", us(times[times.len() / 2]));
    println!(
        "next_due_p99_us {:.3}",
        us(times[(times.len() - 1) * 99 / 100])
    );

    // The moment arrives: fire as `matrix::scheduler::fire_all` does.
    clock.set(fire_at());
    let (mut fired, mut calls) = (0usize, 0usize);
    let (mut fire_time, mut flush_time, mut slowest) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let all = Instant::now();
    loop {
        let t = Instant::now();
        let deliveries = engine.fire_due(engine.now()).expect("fire_due");
        let took = t.elapsed();
        if deliveries.is_empty() {
            break;
        }
        calls += 1;
        fire_time += took;
        slowest = slowest.max(took);
        fired += deliveries.len();
        let t = Instant::now();
        engine.store().flush().expect("flush");
        flush_time += t.elapsed();
    }
    let total = all.elapsed();
    assert_eq!(fired as u64, DUE_AT_ONCE, "every due reminder fired once");
    let next = engine
        .next_due()
        .expect("next_due")
        .expect("more reminders remain");
    assert!(next > fire_at(), "nothing due is left");
    println!("fired {fired}");
    println!("fire_calls {calls}");
    println!("fire_ms {:.3}", ms(fire_time));
    println!("fire_slowest_call_ms {:.3}", ms(slowest));
    println!("flush_ms {:.3}", ms(flush_time));
    println!("fire_total_ms {:.3}", ms(total));
    println!("hwm_kib {}", status_kib("VmHWM:"));

    // After the measured work: `!muistutukset` for one of the 20,000 users, through the
    // engine as a message from them (it reads their reminders through the owners index).
    let t = Instant::now();
    let listing = engine
        .handle(&Event::Message(IncomingMessage {
            event_id: "$list".into(),
            sender: "@user42:example.org".into(),
            room: "!room000042abcdefghij:example.org".into(),
            text: "!muistutukset".into(),
            html: None,
            thread_root: None,
            mentions_bot: false,
            is_direct: false,
            sender_power: None,
            at: engine.now(),
        }))
        .expect("list reminders");
    assert_eq!(listing.len(), 1, "one reply");
    println!("list_ms {:.3}", ms(t.elapsed()));
    println!("hwm_after_list_kib {}", status_kib("VmHWM:"));
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo test --all-targets` also runs bench binaries, without `--bench`. Building a
    // million reminders in a debug build would take many minutes, so only `cargo bench`
    // (or a hand-run step below) measures.
    let steps = ["--bench", "--child", "--startup-only", "--build"];
    if !args.iter().any(|a| steps.contains(&a.as_str())) {
        println!("reminders at scale: measured by `cargo bench --no-default-features --bench reminders`");
        return;
    }
    if let Some(i) = args
        .iter()
        .position(|a| a == "--child" || a == "--startup-only")
    {
        child(Path::new(&args[i + 1]), args[i] == "--child");
        return;
    }
    // `--build DIR`: only build the store, to measure it again by hand with
    // `--startup-only DIR` or `--child DIR` (which fires the 10,000).
    if let Some(i) = args.iter().position(|a| a == "--build") {
        let built = build(Path::new(&args[i + 1]));
        println!("built in {:.1} s", built.took.as_secs_f64());
        return;
    }

    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("state");
    println!(
        "reminders at scale: building a store of {REMINDERS} reminders in {} …",
        dir.display()
    );
    let built = build(&dir);
    println!(
        "built in {:.1} s, {:.0} MiB on disk; the store reopened itself {} times \
         (slowest batch commit {:.0} ms, {:.0} ms with a reopen)",
        built.took.as_secs_f64(),
        dir_bytes(&dir) as f64 / (1024.0 * 1024.0),
        built.reopens,
        ms(built.slowest_commit),
        ms(built.slowest_reopening_commit),
    );

    // sled 0.34 writes its snapshot (where each page is) only when it opens a database,
    // so the first start after the build replays what was logged since the store last
    // reopened itself: the worst case, a bot that gained the million since its last
    // start. Later starts read the snapshot.
    let first = run_child("--startup-only", &dir);
    let second = run_child("--startup-only", &dir);
    let full = run_child("--child", &dir);

    let first_ms = get(&first, "startup_ms");
    let later_ms = [get(&second, "startup_ms"), get(&full, "startup_ms")];
    let peaks_mb = [
        get(&first, "hwm_after_startup_kib") / 1024.0,
        get(&second, "hwm_after_startup_kib") / 1024.0,
        get(&full, "hwm_kib") / 1024.0,
    ];
    let peak_mb = peaks_mb.iter().cloned().fold(0.0, f64::max);
    let target_ms = ms(STARTUP_TARGET);
    let later_ok = later_ms.iter().all(|&t| t < target_ms);
    let first_ok = first_ms < target_ms;
    let rss_ok = peak_mb < RSS_TARGET_MB;
    let fired = get(&full, "fired");

    println!();
    println!("reminders at scale: {REMINDERS} stored, each figure from a fresh process");
    println!(
        "  start-up (open + engine + first next_due): {} ms (sled open alone {:.0} ms)  target < {target_ms:.0} ms  {}",
        later_ms.map(|t| format!("{t:.0}")).join(" / "),
        get(&full, "open_ms"),
        verdict(later_ok)
    );
    println!(
        "  start-up, first after the build (replays the log since the last reopen): {first_ms:.0} ms  target < {target_ms:.0} ms  {}",
        verdict(first_ok)
    );
    println!(
        "  peak RSS (VmHWM at the end of each process): {} MB  target < {RSS_TARGET_MB:.0} MB  {}",
        peaks_mb.map(|p| format!("{p:.1}")).join(" / "),
        verdict(rss_ok)
    );
    println!(
        "  next_due(): median {:.1} µs, p99 {:.1} µs over {NEXT_DUE_CALLS} calls",
        get(&full, "next_due_median_us"),
        get(&full, "next_due_p99_us")
    );
    println!(
        "  firing {fired:.0} due at once: {:.0} ms in {:.0} fire_due calls (FIRE_BATCH each, one \
         committed transaction a call; slowest {:.0} ms) + {:.0} ms flushing after each = {:.0} ms, {:.0} µs a reminder",
        get(&full, "fire_ms"),
        get(&full, "fire_calls"),
        get(&full, "fire_slowest_call_ms"),
        get(&full, "flush_ms"),
        get(&full, "fire_total_ms"),
        get(&full, "fire_total_ms") * 1e3 / fired,
    );
    println!(
        "  then !muistutukset for one user: {:.1} ms, peak {:.0} MB afterwards",
        get(&full, "list_ms"),
        get(&full, "hwm_after_list_kib") / 1024.0,
    );
    println!("  overall: {}", verdict(later_ok && first_ok && rss_ok));
}
