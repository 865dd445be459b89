//! The engine on a thread of its own. Decisions commit to sled and fsync, and the store
//! sometimes reopens itself for seconds; none of that may stall the async runtime that
//! syncs and delivers. Jobs run one at a time, in the order they were sent, so a decision
//! always sees what the previous one wrote.

use crate::engine::Engine;
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&Engine) + Send>;

#[derive(Clone)]
pub struct EngineThread {
    jobs: mpsc::Sender<Job>,
    engine: Arc<Engine>,
}

impl EngineThread {
    pub fn start(engine: Arc<Engine>) -> EngineThread {
        let (jobs, queue) = mpsc::channel::<Job>();
        let owned = engine.clone();
        std::thread::Builder::new()
            .name("kaveri-engine".into())
            .spawn(move || {
                for job in queue {
                    // A panic in one decision must not stop every later one: its caller
                    // sees the job fail, and the thread goes on with the next.
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&owned))).is_err() {
                        tracing::error!("a job on the engine thread panicked");
                    }
                }
            })
            .expect("the engine thread can be started");
        EngineThread { jobs, engine }
    }

    /// Runs `job` on the engine thread and waits for its result without blocking the runtime.
    pub async fn run<R, F>(&self, job: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&Engine) -> R + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |engine| {
            let _ = done.send(job(engine));
        });
        self.jobs.send(job).expect("the engine thread runs as long as the bot");
        result.await.expect("the job on the engine thread did not panic")
    }

    /// The engine's read-only parts (catalogue, texts, settings), which need no ordering.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
}
