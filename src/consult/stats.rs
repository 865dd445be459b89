//! Figures for a region's quarterly report, computed from tickets: counts by month,
//! municipality, topic, coordinator and status; median times to claim and to close;
//! escalations per level; feedback average and NPS.

use super::ticket::Ticket;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub total: usize,
    pub by_month: BTreeMap<String, usize>,
    pub by_municipality: BTreeMap<String, usize>,
    pub by_topic: BTreeMap<String, usize>,
    pub by_coordinator: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
    pub median_hours_to_claim: Option<f64>,
    pub median_hours_to_close: Option<f64>,
    pub escalated_to_team: usize,
    pub escalated_to_special: usize,
    pub feedback_count: usize,
    pub feedback_average: Option<f64>,
    /// Net promoter score: share of 9–10 minus share of 0–6, in percentage points.
    pub nps: Option<f64>,
}

/// Label for tickets without a municipality, topic or owner.
const UNKNOWN: &str = "-";

/// Tickets opened in `[from, to)`.
pub fn report(tickets: &[Ticket], from: DateTime<Utc>, to: DateTime<Utc>) -> Report {
    let chosen: Vec<&Ticket> = tickets.iter().filter(|t| t.opened_at >= from && t.opened_at < to).collect();
    let count_by = |key: &dyn Fn(&Ticket) -> String| {
        let mut map = BTreeMap::new();
        for t in &chosen {
            *map.entry(key(t)).or_insert(0) += 1;
        }
        map
    };
    let hours = |end: fn(&Ticket) -> Option<DateTime<Utc>>| {
        median(chosen.iter().filter_map(|t| end(t).map(|e| (e - t.opened_at).num_seconds() as f64 / 3600.0)).collect())
    };
    let scores: Vec<u8> = chosen.iter().filter_map(|t| t.feedback).collect();
    let share = |pred: fn(u8) -> bool| scores.iter().filter(|s| pred(**s)).count() as f64 / scores.len() as f64;
    Report {
        from,
        to,
        total: chosen.len(),
        by_month: count_by(&|t| t.opened_at.format("%Y-%m").to_string()),
        by_municipality: count_by(&|t| t.municipality.clone().unwrap_or_else(|| UNKNOWN.into())),
        by_topic: count_by(&|t| t.topic.clone().unwrap_or_else(|| UNKNOWN.into())),
        by_coordinator: count_by(&|t| t.owner.clone().unwrap_or_else(|| UNKNOWN.into())),
        by_status: count_by(&|t| t.status.key().to_string()),
        median_hours_to_claim: hours(|t| t.claimed_at),
        median_hours_to_close: hours(|t| t.closed_at),
        escalated_to_team: chosen.iter().filter(|t| t.escalated_team_at.is_some()).count(),
        escalated_to_special: chosen.iter().filter(|t| t.escalated_special_at.is_some()).count(),
        feedback_count: scores.len(),
        feedback_average: (!scores.is_empty())
            .then(|| scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64),
        nps: (!scores.is_empty()).then(|| 100.0 * (share(|s| s >= 9) - share(|s| s <= 6))),
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] })
}

/// One row per figure: `section,key,value`, for spreadsheets.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from("section,key,value\n");
    let mut row = |section: &str, key: &str, value: String| {
        out.push_str(&format!("{},{},{}\n", csv_field(section), csv_field(key), value));
    };
    row("period", "from", report.from.to_rfc3339());
    row("period", "to", report.to.to_rfc3339());
    row("total", "tickets", report.total.to_string());
    for (section, map) in [
        ("month", &report.by_month),
        ("municipality", &report.by_municipality),
        ("topic", &report.by_topic),
        ("coordinator", &report.by_coordinator),
        ("status", &report.by_status),
    ] {
        for (key, count) in map {
            row(section, key, count.to_string());
        }
    }
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    row("time", "median_hours_to_claim", opt(report.median_hours_to_claim));
    row("time", "median_hours_to_close", opt(report.median_hours_to_close));
    row("escalations", "work_ability_team", report.escalated_to_team.to_string());
    row("escalations", "special_expertise_team", report.escalated_to_special.to_string());
    row("feedback", "count", report.feedback_count.to_string());
    row("feedback", "average", opt(report.feedback_average));
    row("feedback", "nps", opt(report.nps));
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::consult::ticket::{ticket_id, Origin, Transition};
    use chrono::TimeZone;

    fn t(n: u32, day: u32, municipality: &str, feedback: Option<u8>) -> Ticket {
        let at = Utc.with_ymd_and_hms(2026, 11, day, 8, 0, 0).unwrap();
        let origin = Origin { asker: "@a:example.org", room: "!r:example.org", event: "$e", at, lang: crate::lang::Lang::Fi };
        let mut ticket = Ticket::new(ticket_id(2026, n), origin, String::new(), "!k:example.org");
        ticket.municipality = Some(municipality.into());
        ticket.feedback = feedback;
        ticket
    }

    #[test]
    fn counts_medians_and_feedback_are_computed_over_the_period() {
        let mut a = t(1, 2, "Loimaa", Some(10));
        a.apply(Transition::Claim, "@k1:example.org", a.opened_at + chrono::Duration::hours(2)).unwrap();
        a.apply(Transition::EscalateToTeam, "@k1:example.org", a.opened_at + chrono::Duration::hours(3)).unwrap();
        let mut b = t(2, 3, "Loimaa", Some(6));
        b.apply(Transition::Claim, "@k2:example.org", b.opened_at + chrono::Duration::hours(4)).unwrap();
        let c = t(3, 4, "Turku", Some(9));
        let outside = t(4, 28, "Turku", Some(0));
        let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let r = report(&[a, b, c, outside], from, to);
        assert_eq!(r.total, 3);
        assert_eq!(r.by_municipality["Loimaa"], 2);
        assert_eq!(r.by_coordinator["-"], 1);
        assert_eq!(r.by_status["escalated_team"], 1);
        assert_eq!(r.median_hours_to_claim, Some(3.0));
        assert_eq!(r.median_hours_to_close, None);
        assert_eq!(r.escalated_to_team, 1);
        assert_eq!(r.feedback_average, Some(25.0 / 3.0));
        // Two promoters (10, 9), one detractor (6): (2 - 1) / 3.
        assert!((r.nps.unwrap() - 100.0 / 3.0).abs() < 1e-9);
        let csv = to_csv(&r);
        assert!(csv.contains("municipality,Loimaa,2\n") && csv.contains("feedback,nps,33.33\n"), "{csv}");
    }

    #[test]
    fn empty_period_has_no_averages() {
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let r = report(&[], from, from);
        assert_eq!((r.total, r.feedback_average, r.nps, r.median_hours_to_claim), (0, None, None, None));
    }
}
