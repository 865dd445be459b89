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
    let mut tally = Tally::new(from, to);
    for ticket in tickets {
        tally.add(ticket);
    }
    tally.report()
}

/// A report gathered one ticket at a time, so that tickets need not all be in memory
/// at once: it keeps counts and a few numbers per ticket, never the tickets.
pub struct Tally {
    report: Report,
    hours_to_claim: Vec<f64>,
    hours_to_close: Vec<f64>,
    scores: Vec<u8>,
}

impl Tally {
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Tally {
        Tally {
            report: Report {
                from,
                to,
                total: 0,
                by_month: BTreeMap::new(),
                by_municipality: BTreeMap::new(),
                by_topic: BTreeMap::new(),
                by_coordinator: BTreeMap::new(),
                by_status: BTreeMap::new(),
                median_hours_to_claim: None,
                median_hours_to_close: None,
                escalated_to_team: 0,
                escalated_to_special: 0,
                feedback_count: 0,
                feedback_average: None,
                nps: None,
            },
            hours_to_claim: Vec::new(),
            hours_to_close: Vec::new(),
            scores: Vec::new(),
        }
    }

    /// Counts `t` if it was opened in the report's period.
    pub fn add(&mut self, t: &Ticket) {
        let r = &mut self.report;
        if t.opened_at < r.from || t.opened_at >= r.to {
            return;
        }
        r.total += 1;
        let label = |value: &Option<String>| value.clone().unwrap_or_else(|| UNKNOWN.into());
        *r.by_month.entry(t.opened_at.format("%Y-%m").to_string()).or_insert(0) += 1;
        *r.by_municipality.entry(label(&t.municipality)).or_insert(0) += 1;
        *r.by_topic.entry(label(&t.topic)).or_insert(0) += 1;
        *r.by_coordinator.entry(label(&t.owner)).or_insert(0) += 1;
        *r.by_status.entry(t.status.key().to_string()).or_insert(0) += 1;
        let hours = |end: DateTime<Utc>| (end - t.opened_at).num_seconds() as f64 / 3600.0;
        self.hours_to_claim.extend(t.claimed_at.map(hours));
        self.hours_to_close.extend(t.closed_at.map(hours));
        r.escalated_to_team += usize::from(t.escalated_team_at.is_some());
        r.escalated_to_special += usize::from(t.escalated_special_at.is_some());
        self.scores.extend(t.feedback);
    }

    pub fn report(self) -> Report {
        let Tally { mut report, hours_to_claim, hours_to_close, scores } = self;
        report.median_hours_to_claim = median(hours_to_claim);
        report.median_hours_to_close = median(hours_to_close);
        report.feedback_count = scores.len();
        if !scores.is_empty() {
            let n = scores.len() as f64;
            let share = |pred: fn(u8) -> bool| scores.iter().filter(|s| pred(**s)).count() as f64 / n;
            report.feedback_average = Some(scores.iter().map(|&s| f64::from(s)).sum::<f64>() / n);
            report.nps = Some(100.0 * (share(|s| s >= 9) - share(|s| s <= 6)));
        }
        report
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
