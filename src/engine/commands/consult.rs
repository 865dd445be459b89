//! `!konsultaatio` / `!konsultation` / `!consult <question>`: open a consultation ticket.

use super::{Action, Ctx};

pub fn apply(ctx: Ctx<'_>, question: &str) -> Vec<Action> {
    ctx.engine.consult_open(ctx.msg, question, ctx.lang, ctx.batch)
}
