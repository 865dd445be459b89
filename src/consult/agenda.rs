//! Team meetings: the working day before each meeting of a work-ability team, at 9.00,
//! the bot posts the consultations escalated to the team as the meeting's agenda. The
//! next agenda of each team is kept in the meta tree, so asking when it is due costs
//! the same however many tickets there are.

use super::repo;
use super::ticket::{Status, Ticket};
use crate::config::TeamConfig;
use crate::kernel::{Action, Ctx, Env, Scheduled};
use crate::lang::{Message, Msg};
use crate::store::{StoreError, TreeId};
use crate::time::calendar::{is_business_day, localize, HELSINKI};
use crate::time::expr::{self, Recurrence};
use crate::time::words::when;
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// The next meeting of a team, and the schedule it was computed from (a changed schedule
/// in config starts over).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Meeting {
    schedule: String,
    recurrence: Recurrence,
    at: DateTime<Utc>,
}

fn state_key(team: &TeamConfig) -> String {
    format!("team_meeting_{}", team.id)
}

/// 9.00 on the last working day before the meeting's day.
fn agenda_time(meeting: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = meeting.with_timezone(&HELSINKI).date_naive();
    loop {
        day = day.pred_opt().expect("meetings are far from the start of time");
        if is_business_day(day) {
            break;
        }
    }
    localize(HELSINKI, day.and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("valid"))).with_timezone(&Utc)
}

/// A team's next meeting as stored, or computed afresh from its schedule.
fn meeting(env: &Env, team: &TeamConfig, now: DateTime<Utc>) -> Result<Option<Meeting>, StoreError> {
    let stored: Option<Meeting> = env.store.get(TreeId::Meta, state_key(team).as_bytes())?;
    if let Some(meeting) = stored.filter(|m| m.schedule == team.schedule) {
        return Ok(Some(meeting));
    }
    let Ok(parsed) = expr::parse(&team.schedule, now.with_timezone(&HELSINKI)) else { return Ok(None) };
    Ok(parsed.recurrence.map(|recurrence| Meeting {
        schedule: team.schedule.clone(),
        recurrence,
        at: parsed.at.with_timezone(&Utc),
    }))
}

/// The teams' agendas, for the kernel's list of scheduled sources.
pub struct Agendas;

impl Scheduled for Agendas {
    fn next_due(&self, env: &Env) -> Result<Option<DateTime<Utc>>, StoreError> {
        let now = env.now();
        let mut earliest = None;
        for team in env.settings.teams() {
            let next = meeting(env, team, now)?.map(|m| agenda_time(m.at));
            earliest = earliest.into_iter().chain(next).min();
        }
        Ok(earliest)
    }

    /// Posts the agendas that are due and moves each team to its next meeting. A meeting
    /// the bot was down through gets no agenda: only the coming one does.
    fn fire(&self, ctx: &mut Ctx<'_>, now: DateTime<Utc>) -> Result<Vec<(String, Action)>, StoreError> {
        let env = ctx.env;
        let mut out = Vec::new();
        for team in env.settings.teams() {
            let Some(mut meeting) = meeting(env, team, now)? else { continue };
            if now < agenda_time(meeting.at) {
                continue;
            }
            if now < meeting.at {
                let cause = format!("agenda:{}:{}", team.id, meeting.at.timestamp());
                out.push((cause, Action::reply(&team.room, None, agenda(env, team, meeting.at)?)));
            }
            // On to the first meeting whose agenda is still to come.
            loop {
                let next = expr::next_occurrence(&meeting.recurrence, meeting.at.with_timezone(&HELSINKI));
                meeting.at = next.with_timezone(&Utc);
                if meeting.at > now {
                    break;
                }
            }
            ctx.batch.put(TreeId::Meta, state_key(team), &meeting);
        }
        Ok(out)
    }
}

/// The agenda: every ticket escalated to the team (of its county), oldest first. Reads
/// every ticket, one at a time, once a week per team.
fn agenda(env: &Env, team: &TeamConfig, meeting: DateTime<Utc>) -> Result<Message, StoreError> {
    let lang = env.settings.room_lang(&team.room);
    let texts = &env.texts;
    let mut escalated: Vec<Ticket> = Vec::new();
    repo::for_each_ticket(env, |t| {
        if t.status == Status::EscalatedTeam && (team.county.is_none() || t.county == team.county) {
            escalated.push(t);
        }
    })?;
    escalated.sort_by_key(|t| t.escalated_team_at);
    let when = when(texts, lang, meeting);
    let mut lines = vec![texts.fill(lang, Msg::AgendaHeader, &[("when", &when), ("team", &team.id)])];
    if escalated.is_empty() {
        lines.push(texts.fill(lang, Msg::AgendaEmpty, &[]));
    }
    for t in &escalated {
        lines.push(texts.fill(
            lang,
            Msg::AgendaItem,
            &[
                ("id", &t.id),
                ("municipality", t.municipality.as_deref().unwrap_or("-")),
                ("topic", t.topic.as_deref().unwrap_or("-")),
                ("owner", t.owner.as_deref().unwrap_or("-")),
                ("question", &t.question),
            ],
        ));
    }
    Ok(Message::from_markup(&lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn agenda_goes_out_at_nine_on_the_working_day_before() {
        let helsinki = |y, m, d, h| HELSINKI.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&Utc);
        // Tuesday meeting: Monday 9.00.
        assert_eq!(agenda_time(helsinki(2026, 12, 1, 13)), helsinki(2026, 11, 30, 9));
        // Monday meeting: the Friday before.
        assert_eq!(agenda_time(helsinki(2026, 11, 30, 13)), helsinki(2026, 11, 27, 9));
        // Monday 7 December 2026 follows Independence Day on Sunday: still the Friday.
        assert_eq!(agenda_time(helsinki(2026, 12, 7, 13)), helsinki(2026, 12, 4, 9));
        // Tuesday 29 December 2026: Monday 28th is a working day.
        assert_eq!(agenda_time(helsinki(2026, 12, 29, 13)), helsinki(2026, 12, 28, 9));
        // Tuesday 27 December 2022: Monday 26th is Boxing Day, so Friday 23rd.
        assert_eq!(agenda_time(helsinki(2022, 12, 27, 13)), helsinki(2022, 12, 23, 9));
    }
}
