//! `!tilastot` / `!statistik` / `!stats [YYYY-MM]`: consultation figures for
//! coordinators, for one month or for everything so far.

use super::repo;
use super::stats::{Report, Tally};
use super::ticket::Status;
use super::tickets::status_name;
use crate::kernel::{Ctx, Decision, IncomingMessage};
use crate::lang::{Lang, Message, Msg, Texts};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub(crate) fn stats(ctx: &mut Ctx<'_>, msg: &IncomingMessage, lang: Lang, from: DateTime<Utc>, to: DateTime<Utc>, month: Option<&str>) -> Decision {
    let env = ctx.env;
    if !env.settings.is_coordinator(&msg.sender, &msg.room, msg.sender_power) {
        return Ok(vec![msg.reply(env.msg(lang, Msg::RefusalNotCoordinator, &[]))]);
    }
    // Statistics from a partly read store would be wrong without saying so: an error.
    // Tickets are read one at a time: the tally keeps counts, not tickets.
    let mut tally = Tally::new(from, to);
    repo::for_each_ticket(env, |ticket| tally.add(&ticket))?;
    let label = match month {
        Some(month) => month.to_string(),
        None => env.texts.fill(lang, Msg::StatsAllTime, &[]),
    };
    Ok(vec![msg.reply(render(&tally.report(), &label, lang, &env.texts))])
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

