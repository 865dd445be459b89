//! `!tilastot [YYYY-MM]` / `!statistik` / `!stats`: consultation figures for coordinators,
//! for one month or for everything so far.

use super::{Action, Ctx};
use crate::consult::stats::{report, Report};
use crate::consult::ticket::Status;
use crate::lang::{Lang, Message, Msg, Texts};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;

pub fn apply(ctx: Ctx<'_>, args: &str) -> Vec<Action> {
    let engine = ctx.engine;
    let texts = engine.texts();
    if !engine.is_coordinator(&ctx.msg.sender, &ctx.msg.room, ctx.msg.sender_power) {
        return vec![ctx.reply(texts.message(ctx.lang, Msg::RefusalNotCoordinator, &[]))];
    }
    let month = args.trim();
    let period = if month.is_empty() {
        Some((Utc.timestamp_opt(0, 0).unwrap(), ctx.msg.at + chrono::Duration::seconds(1)))
    } else {
        month_bounds(month)
    };
    let Some((from, to)) = period else {
        return vec![ctx.reply(texts.message(ctx.lang, Msg::StatsUsage, &[]))];
    };
    // Statistics from a partly read store would be wrong without saying so.
    let tickets = match engine.tickets() {
        Ok(tickets) => tickets,
        Err(e) => {
            ctx.batch.fail(e);
            return Vec::new();
        }
    };
    let label = if month.is_empty() { texts.fill(ctx.lang, Msg::StatsAllTime, &[]) } else { month.to_string() };
    vec![ctx.reply(render(&report(&tickets, from, to), &label, ctx.lang, texts))]
}

/// `2026-11` -> the first moment of November and of December, UTC.
fn month_bounds(text: &str) -> Option<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    let (year, month) = text.split_once('-')?;
    let (year, month): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
    let start = NaiveDate::from_ymd_opt(year, month, 1)?;
    let end = if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(year, month + 1, 1)? };
    Some((start.and_hms_opt(0, 0, 0)?.and_utc(), end.and_hms_opt(0, 0, 0)?.and_utc()))
}

fn render(r: &Report, period: &str, lang: Lang, texts: &Texts) -> Message {
    let mut lines = vec![texts.fill(lang, Msg::StatsHeader, &[("period", period), ("total", &r.total.to_string())])];
    let list = |map: &BTreeMap<String, usize>| map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
    // Statuses are counted by their stable key; show them in the reader's language.
    let by_status: BTreeMap<String, usize> = r
        .by_status
        .iter()
        .map(|(key, count)| {
            let status = Status::ALL.into_iter().find(|s| s.key() == key);
            (status.map_or_else(|| key.clone(), |s| status_name(texts, lang, s)), *count)
        })
        .collect();
    for (label, map) in [
        (Msg::StatsLabelMonth, &r.by_month),
        (Msg::StatsLabelMunicipality, &r.by_municipality),
        (Msg::StatsLabelTopic, &r.by_topic),
        (Msg::StatsLabelCoordinator, &r.by_coordinator),
        (Msg::StatsLabelStatus, &by_status),
    ] {
        if !map.is_empty() {
            let label = texts.fill(lang, label, &[]);
            lines.push(texts.fill(lang, Msg::StatsLine, &[("label", &label), ("values", &list(map))]));
        }
    }
    // Decimal comma in Finnish and Swedish, point in English: from prompts/.
    let separator = texts.fill(lang, Msg::DecimalSeparator, &[]);
    let hours = |v: Option<f64>| v.map(|h| format!("{h:.1}").replace('.', &separator)).unwrap_or_else(|| "–".into());
    let answers = texts.fill(lang, if r.feedback_count == 1 { Msg::WordAnswerOne } else { Msg::WordAnswerMany }, &[]);
    lines.push(texts.fill(
        lang,
        Msg::StatsTimes,
        &[
            ("claim", &hours(r.median_hours_to_claim)),
            ("close", &hours(r.median_hours_to_close)),
            ("team", &r.escalated_to_team.to_string()),
            ("special", &r.escalated_to_special.to_string()),
        ],
    ));
    lines.push(texts.fill(
        lang,
        Msg::StatsFeedback,
        &[
            ("count", &r.feedback_count.to_string()),
            ("answers", &answers),
            ("average", &hours(r.feedback_average)),
            ("nps", &r.nps.map(|n| format!("{n:.0}")).unwrap_or_else(|| "–".into())),
        ],
    ));
    Message::from_markup(&lines.join("\n"))
}

pub(crate) fn status_name(texts: &Texts, lang: Lang, status: Status) -> String {
    let key = match status {
        Status::Open => Msg::StatusOpen,
        Status::Claimed => Msg::StatusClaimed,
        Status::InProgress => Msg::StatusInProgress,
        Status::EscalatedTeam => Msg::StatusEscalatedTeam,
        Status::EscalatedSpecial => Msg::StatusEscalatedSpecial,
        Status::Resolved => Msg::StatusResolved,
        Status::Closed => Msg::StatusClosed,
    };
    texts.fill(lang, key, &[])
}
