//! A per-person and per-room throttle, so that no script can make the bot flood a room.
//! Token buckets timed by the events' own timestamps, so a backlog read after a restart
//! is judged at the pace it was written, and tests need no clock of their own.
//!
//! Past a burst, the person gets one polite "slow down" and then silence for
//! [`QUIET`]; the bucket keeps refilling meanwhile. State lives in memory only: after a
//! restart everyone starts with a full bucket, which errs on the side of answering.

use crate::config::ThrottleConfig;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;

/// Buckets kept before idle (full) ones are forgotten.
const KEEP_BUCKETS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Answer,
    /// Over the limit: answer with one "slow down", then nothing for a while.
    SlowDown,
    Drop,
}

#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
    quiet_until: Option<DateTime<Utc>>,
}

impl Bucket {
    fn full(burst: f64, at: DateTime<Utc>) -> Bucket {
        Bucket { tokens: burst, at, quiet_until: None }
    }

    fn refill(&mut self, burst: f64, every: TimeDelta, at: DateTime<Utc>) {
        if at > self.at {
            let elapsed = (at - self.at).num_milliseconds() as f64 / every.num_milliseconds() as f64;
            self.tokens = (self.tokens + elapsed).min(burst);
            self.at = at;
        }
    }
}

/// The limits: by default (see [`ThrottleConfig`]) a person may send 10 at once and one
/// more every 6 s, a room (whoever writes: a busy network meeting, not a bot loop) 60 at
/// once and one a second; a throttled person is not answered for 30 s.
#[derive(Debug, Clone, Copy)]
struct Limits {
    person_burst: f64,
    person_refill: TimeDelta,
    room_burst: f64,
    room_refill: TimeDelta,
    quiet: TimeDelta,
}

impl From<ThrottleConfig> for Limits {
    fn from(c: ThrottleConfig) -> Limits {
        let every = |seconds: f64| TimeDelta::milliseconds((seconds.max(0.001) * 1000.0) as i64);
        Limits {
            person_burst: f64::from(c.person_burst.max(1)),
            person_refill: every(c.person_every_seconds),
            room_burst: f64::from(c.room_burst.max(1)),
            room_refill: every(c.room_every_seconds),
            quiet: TimeDelta::seconds(i64::from(c.quiet_seconds)),
        }
    }
}

#[derive(Debug)]
pub struct Throttle {
    limits: Limits,
    people: HashMap<String, Bucket>,
    rooms: HashMap<String, Bucket>,
    /// The latest events admitted, oldest first, and the same as a set: a decision the
    /// store could not commit is retried with the same event, which must not be charged
    /// twice.
    admitted: std::collections::VecDeque<String>,
    admitted_set: std::collections::HashSet<String>,
}

/// Admitted events remembered for retries (a retry follows within seconds).
const REMEMBER_ADMITTED: usize = 1_000;

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(ThrottleConfig::default())
    }
}

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Throttle {
        Throttle {
            limits: config.into(),
            people: HashMap::new(),
            rooms: HashMap::new(),
            admitted: Default::default(),
            admitted_set: Default::default(),
        }
    }

    /// How long a throttled person is not answered.
    pub fn quiet(&self) -> TimeDelta {
        self.limits.quiet
    }

    /// Whether event `event` from `person` in `room`, sent `at`, is answered. An event
    /// admitted before (a retried decision) is admitted again at no cost.
    pub fn admit(&mut self, event: &str, person: &str, room: &str, at: DateTime<Utc>) -> Admission {
        if self.admitted_set.contains(event) {
            return Admission::Answer;
        }
        let admission = self.charge(person, room, at);
        if admission == Admission::Answer {
            if self.admitted.len() == REMEMBER_ADMITTED {
                if let Some(oldest) = self.admitted.pop_front() {
                    self.admitted_set.remove(&oldest);
                }
            }
            self.admitted.push_back(event.to_string());
            self.admitted_set.insert(event.to_string());
        }
        admission
    }

    /// Takes a token from `person`'s and `room`'s buckets if both have one.
    fn charge(&mut self, person: &str, room: &str, at: DateTime<Utc>) -> Admission {
        self.forget_idle(at);
        let l = self.limits;
        let mine = self.people.entry(person.to_string()).or_insert_with(|| Bucket::full(l.person_burst, at));
        mine.refill(l.person_burst, l.person_refill, at);
        if mine.quiet_until.is_some_and(|until| at < until) {
            return Admission::Drop;
        }
        let room = self.rooms.entry(room.to_string()).or_insert_with(|| Bucket::full(l.room_burst, at));
        room.refill(l.room_burst, l.room_refill, at);
        if mine.tokens >= 1.0 && room.tokens >= 1.0 {
            mine.tokens -= 1.0;
            room.tokens -= 1.0;
            mine.quiet_until = None;
            return Admission::Answer;
        }
        mine.quiet_until = Some(at + l.quiet);
        Admission::SlowDown
    }

    fn forget_idle(&mut self, at: DateTime<Utc>) {
        if self.people.len() + self.rooms.len() < KEEP_BUCKETS {
            return;
        }
        let idle = |burst: f64, every: TimeDelta| {
            move |_: &String, b: &mut Bucket| {
                let mut b = b.clone();
                b.refill(burst, every, at);
                b.tokens < burst || b.quiet_until.is_some_and(|until| at < until)
            }
        };
        self.people.retain(idle(self.limits.person_burst, self.limits.person_refill));
        self.rooms.retain(idle(self.limits.room_burst, self.limits.room_refill));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn ms(n: i64) -> TimeDelta {
        TimeDelta::milliseconds(n)
    }

    /// Admits a new event (each call is another message).
    fn admit(throttle: &mut Throttle, person: &str, room: &str, at: DateTime<Utc>) -> Admission {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let event = format!("$e{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        throttle.admit(&event, person, room, at)
    }

    #[test]
    fn a_retried_event_is_not_charged_again() {
        let mut throttle = Throttle::default();
        // The same message retried many times (the store failed) costs one token.
        for _ in 0..50 {
            assert_eq!(throttle.admit("$same", "@anna:x", "!r:x", t0()), Admission::Answer);
        }
        for i in 0..9 {
            assert_eq!(admit(&mut throttle, "@anna:x", "!r:x", t0() + ms(i)), Admission::Answer, "{i}");
        }
        assert_eq!(admit(&mut throttle, "@anna:x", "!r:x", t0() + ms(10)), Admission::SlowDown);
    }

    #[test]
    fn a_script_gets_its_burst_then_one_slow_down_then_silence() {
        let mut throttle = Throttle::default();
        // 100 commands in 37 s, as in the attack run.
        let outcomes: Vec<Admission> =
            (0..100).map(|i| admit(&mut throttle, "@script:x", "!room:x", t0() + ms(i * 370))).collect();
        let answered = outcomes.iter().filter(|&&a| a == Admission::Answer).count();
        let warned = outcomes.iter().filter(|&&a| a == Admission::SlowDown).count();
        assert_eq!(outcomes[..10], [Admission::Answer; 10]);
        assert_eq!(outcomes[10], Admission::SlowDown);
        assert!(answered <= 17, "{answered} answered: {outcomes:?}");
        assert!(warned <= 2, "one warning per quiet window: {outcomes:?}");
    }

    #[test]
    fn a_person_at_a_human_pace_is_never_throttled() {
        let mut throttle = Throttle::default();
        for i in 0..200 {
            assert_eq!(admit(&mut throttle, "@anna:x", "!room:x", t0() + TimeDelta::seconds(i * 6)), Admission::Answer, "{i}");
        }
    }

    #[test]
    fn after_the_quiet_window_the_person_is_answered_again() {
        let mut throttle = Throttle::default();
        for i in 0..10 {
            admit(&mut throttle, "@a:x", "!r:x", t0() + ms(i));
        }
        assert_eq!(admit(&mut throttle, "@a:x", "!r:x", t0() + ms(20)), Admission::SlowDown);
        assert_eq!(admit(&mut throttle, "@a:x", "!r:x", t0() + ms(30)), Admission::Drop);
        let quiet = throttle.quiet();
        assert_eq!(admit(&mut throttle, "@a:x", "!r:x", t0() + quiet + ms(30)), Admission::Answer);
    }

    #[test]
    fn one_flooding_person_does_not_silence_another() {
        let mut throttle = Throttle::default();
        for i in 0..30 {
            admit(&mut throttle, "@script:x", "!r:x", t0() + ms(i));
        }
        assert_eq!(admit(&mut throttle, "@anna:x", "!r:x", t0() + ms(40)), Admission::Answer);
    }

    #[test]
    fn a_room_flooded_by_many_accounts_is_throttled_too() {
        let mut throttle = Throttle::default();
        let outcomes: Vec<Admission> =
            (0..100).map(|i| admit(&mut throttle, &format!("@user{}:x", i / 5), "!r:x", t0() + ms(i))).collect();
        assert!(outcomes[..60].iter().all(|&a| a == Admission::Answer), "{outcomes:?}");
        assert_eq!(outcomes[60], Admission::SlowDown);
    }
}
