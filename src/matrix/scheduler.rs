//! The reminder scheduler: sleeps until the next reminder is due (never longer than an
//! hour, so a changed wall clock is noticed), wakes early when a handled event may have
//! added an earlier one, has the engine fire what is due, and hands the messages to the
//! outbox worker. No polling: between due items it sleeps.

use crate::engine::Engine;
use crate::store::StoreError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const LONGEST_SLEEP: Duration = Duration::from_secs(3600);

pub async fn run(engine: Arc<Engine>, wake: Arc<Notify>, outbox: Arc<Notify>) {
    let mut failures: u32 = 0;
    loop {
        let wait = match fire_all(&engine, &outbox).and_then(|()| until_next(&engine)) {
            Ok(wait) => {
                failures = 0;
                wait
            }
            Err(e) => {
                failures += 1;
                let wait = Duration::from_secs((1u64 << failures.min(6)).min(60));
                tracing::error!(error = %e, retry_in_s = wait.as_secs(), "could not fire due reminders");
                wait
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
        }
    }
}

/// Fires everything due now, a transaction at a time, each saved to disk before the
/// outbox worker may send it.
fn fire_all(engine: &Engine, outbox: &Notify) -> Result<(), StoreError> {
    loop {
        let fired = engine.fire_due(engine.now())?;
        if fired.is_empty() {
            return Ok(());
        }
        engine.store().flush()?;
        outbox.notify_one();
    }
}

fn until_next(engine: &Engine) -> Result<Duration, StoreError> {
    Ok(match engine.next_due()? {
        Some(at) => (at - engine.now()).to_std().unwrap_or(Duration::ZERO).min(LONGEST_SLEEP),
        None => LONGEST_SLEEP,
    })
}
