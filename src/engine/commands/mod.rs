//! One file per command. Each takes the parsed route and returns the actions it calls for.

mod help;
mod unknown;

use super::{Action, Engine, IncomingMessage, Route};
use crate::lang::{CommandKey, Lang, Message};
use crate::store::Batch;

/// What a command may look at while deciding; `batch` collects its state changes so they
/// land in the same transaction as its replies.
pub struct Ctx<'a> {
    pub engine: &'a Engine,
    pub msg: &'a IncomingMessage,
    pub lang: Lang,
    #[allow(dead_code)] // used by the stateful commands
    pub batch: &'a mut Batch,
}

impl Ctx<'_> {
    /// A reply where the question was asked: in its thread when it came in one.
    pub fn reply(&self, message: Message) -> Action {
        Action::reply(&self.msg.room, self.msg.thread_root.as_deref(), message)
    }
}

pub fn dispatch(ctx: Ctx<'_>, route: Route<'_>) -> Vec<Action> {
    match route {
        Route::Command { command: CommandKey::Help, .. } => help::apply(ctx),
        Route::Unknown { word } => unknown::apply(ctx, word),
        // Answering questions from the catalogue arrives with the knowledge base; until
        // then the help says what the bot can do.
        Route::Command { .. } | Route::Question { .. } => help::apply(ctx),
        Route::Ignore => Vec::new(),
    }
}
