//! The reminder scheduler: sleeps until the next reminder is due (never longer than an
//! hour, so a changed wall clock is noticed), wakes early when a handled event may have
//! added an earlier one, has the engine fire what is due, and hands the messages to the
//! outbox worker. No polling: between due items it sleeps.

use super::engine_thread::EngineThread;
use crate::engine::Engine;
use crate::store::StoreError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const LONGEST_SLEEP: Duration = Duration::from_secs(3600);

pub async fn run(engine: EngineThread, wake: Arc<Notify>, outbox: Arc<Notify>) {
    let mut failures: u32 = 0;
    loop {
        let result = engine.run(|e| fire_all(e).and_then(|fired| Ok((fired, until_next(e)?)))).await;
        let wait = match result {
            Ok((fired, wait)) => {
                failures = 0;
                if fired > 0 {
                    outbox.notify_one();
                }
                wait
            }
            Err(e) => {
                failures += 1;
                let wait = super::backoff(failures, Duration::from_secs(60));
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

/// Fires everything due now, a transaction at a time, all saved to disk before the
/// outbox worker may send it. Returns how many messages were fired.
fn fire_all(engine: &Engine) -> Result<usize, StoreError> {
    let mut fired = 0;
    loop {
        let batch = engine.fire_due(engine.now())?;
        if batch.is_empty() {
            if fired > 0 {
                engine.store().flush()?;
            }
            return Ok(fired);
        }
        fired += batch.len();
    }
}

fn until_next(engine: &Engine) -> Result<Duration, StoreError> {
    Ok(match engine.next_due()? {
        Some(at) => (at - engine.now()).to_std().unwrap_or(Duration::ZERO).min(LONGEST_SLEEP),
        None => LONGEST_SLEEP,
    })
}
