//! The weekly metrics, their monthly aggregation, and the factory event log.

use perelom_engine::record::MetricKind;
use perelom_engine::{Clock, ColumnData, Table};

/// How a weekly metric becomes a monthly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Monthly {
    /// Events in the week: summed over the month.
    Sum,
    /// A stock or level: the month's last week.
    Last,
    /// A rate or index: averaged over the month's weeks.
    Mean,
}

use MetricKind::*;
use Monthly::*;

/// Every weekly metric: name, type, monthly aggregation, meaning.
pub const METRICS: &[(&str, MetricKind, Monthly, &str)] = &[
    (
        "strikes_started",
        Count,
        Sum,
        "strikes begun: a factory or a shop of it stops work, outside the episode gap of its last strike (F13)",
    ),
    ("strikes_resumed", Count, Sum, "stoppages within the episode gap of the factory's last strike: the same strike, not counted again"),
    ("strike_participants", Count, Sum, "workers who stopped work in strikes begun or resumed this week"),
    ("strikes_coordinated", Count, Sum, "strikes begun while a partner factory was on strike (F14)"),
    ("strikes_organized", Count, Sum, "strikes begun under the lead of an opposition cell (F14, F27)"),
    ("strikes_revision", Count, Sum, "strikes begun over a norm revision and rate cut (F06, F09)"),
    ("strikes_late_pay", Count, Sum, "strikes begun over wages paid late (F12)"),
    ("strikes_supply", Count, Sum, "strikes begun over a supply failure (F08)"),
    ("strikes_foreman", Count, Sum, "strikes begun over a conflict with a foreman (F16)"),
    ("strikes_conceded", Count, Sum, "strikes that ended in a concession"),
    ("strikes_repressed", Count, Sum, "strikes that ended in repression (F38, F39)"),
    ("factories_on_strike", Count, Mean, "factories on strike"),
    ("italianki", Count, Sum, "shops in a slow-down this week (italianka; F12): shop-weeks, not distinct shops"),
    ("italianka_workers", Count, Mean, "workers in a slow-down"),
    ("passive_protest", Count, Mean, "workers in passive protest (F12)"),
    ("meetings_held", Count, Sum, "campaign mass meetings held (F21)"),
    ("meetings_failed", Count, Sum, "meetings that failed for lack of attendance (F24)"),
    ("meeting_attendance", Real, Mean, "share of eligible workers attending this week's meetings"),
    ("opposition_resolutions", Count, Sum, "meetings that adopted the opposition's resolution (F21)"),
    ("members_bl", Count, Last, "active Bolshevik-Leninist members (F02)"),
    ("members_decists", Count, Last, "active Decist members (F02)"),
    ("members_blue", Count, Last, "active members who are blue-collar workers (F33)"),
    ("members_white", Count, Last, "active members who are white-collar staff (F33)"),
    ("members_peasant", Count, Last, "active members counted as peasants (F33)"),
    ("members_old_cadre", Count, Last, "active members from before 1928 (F32)"),
    ("members_new_recruit", Count, Last, "active members recruited since the start of the run (F32)"),
    ("sympathizers", Count, Last, "sympathizers (F20)"),
    ("new_members", Count, Sum, "sympathizers who joined"),
    ("leaflets", Count, Sum, "leaflets read"),
    ("arrests", Count, Sum, "arrests by the OGPU (F38)"),
    ("arrests_strikers", Count, Sum, "strike leaders arrested (F14, F38)"),
    ("arrests_members", Count, Sum, "opposition members arrested (F38)"),
    ("arrests_obstructed", Count, Sum, "arrests prevented by workers (F38)"),
    ("release_demands", Count, Sum, "arrests after which workers demanded a release (F38)"),
    ("cells_exposed", Count, Sum, "cells exposed by provocateurs (F38)"),
    ("escalation", Real, Mean, "strength of the repression escalation, 0 before it, 1 at full strength (F38)"),
    ("centre_bl", Real, Last, "strength of the Bolshevik-Leninist centre, 1 = intact (F03)"),
    ("centre_decists", Real, Last, "strength of the Decist centre, 1 = intact (F03)"),
    ("exiles", Count, Last, "people in the exile colonies: members and strike leaders (F35, F36)"),
    ("capitulations", Count, Sum, "old cadres who capitulated (F04)"),
    ("cooptations", Count, Sum, "workers enrolled in the party (F29)"),
    ("blacklisted", Count, Last, "people sacked and never re-hired (F39)"),
    ("working", Count, Last, "people at work"),
    ("sick", Count, Last, "people off sick (F10)"),
    ("striking", Count, Last, "people on strike"),
    ("arrested", Count, Last, "people under arrest"),
    ("population", Count, Last, "everyone modelled (constant)"),
    ("real_wage_index", Real, Mean, "mean real wage of the employed over their end-1927 level (F08)"),
    ("productivity_index", Real, Mean, "output per employed worker against 1927 (F10)"),
    ("fatigue", Real, Mean, "mean fatigue of the employed (F07, F10)"),
    ("grievance", Real, Mean, "mean grievance"),
    ("legitimacy", Real, Mean, "mean perceived legitimacy"),
    ("efficacy", Real, Mean, "mean belief that action can succeed (F24)"),
    ("mood_loyal", Real, Mean, "share loyal to the party line (F22)"),
    ("mood_left", Real, Mean, "share with left moods (F22)"),
    ("mood_right", Real, Mean, "share with right moods (F22)"),
    ("mood_indifferent", Real, Mean, "share indifferent (F22)"),
    ("loyal_party", Real, Mean, "share of party members loyal to the line (F29)"),
    ("loyal_nonparty", Real, Mean, "share of non-party people loyal to the line (F29)"),
    ("exile_radicalism", Real, Mean, "mean radicalism of the exiles (F35)"),
    ("exile_workers_radical", Real, Mean, "share of worker exiles favouring the radical strategy (F37)"),
    ("factories_discipline", Real, Mean, "share of factories reporting absences or slow-downs (F11)"),
];

pub fn recorder_spec() -> Vec<(&'static str, MetricKind)> {
    METRICS.iter().map(|m| (m.0, m.1)).collect()
}

pub fn index_of(name: &str) -> usize {
    METRICS.iter().position(|m| m.0 == name).unwrap_or_else(|| panic!("no metric {name}"))
}

/// Aggregates a weekly table by calendar month (weeks belong to the month of their
/// Thursday, so months partition the weeks).
pub fn monthly(weekly: &Table, clock: &Clock) -> Table {
    let steps = weekly.rows();
    let mut months: Vec<((i32, u32), Vec<usize>)> = Vec::new();
    for s in 0..steps {
        let Some(key) = clock.month_key(s as u32) else { continue };
        match months.last_mut() {
            Some((k, rows)) if *k == key => rows.push(s),
            _ => months.push((key, vec![s])),
        }
    }
    let mut t = Table::new();
    t.push("month", ColumnData::Str(months.iter().map(|((y, m), _)| format!("{y}-{m:02}")).collect()));
    t.push("weeks", ColumnData::I64(months.iter().map(|(_, r)| r.len() as i64).collect()));
    for (name, kind, agg, _) in METRICS {
        let Some(v) = weekly.numbers(name) else { continue };
        let vals: Vec<f64> = months
            .iter()
            .map(|(_, rows)| match agg {
                Sum => rows.iter().map(|&r| v[r]).sum(),
                Last => rows.last().map_or(0.0, |&r| v[r]),
                Mean => rows.iter().map(|&r| v[r]).sum::<f64>() / rows.len() as f64,
            })
            .collect();
        let data = match (kind, agg) {
            (Count, Sum | Last) => ColumnData::I64(vals.iter().map(|x| x.round() as i64).collect()),
            _ => ColumnData::F64(vals),
        };
        t.push(*name, data);
    }
    t
}

/// One row of the factory event log.
#[derive(Clone, Debug)]
pub struct Event {
    pub step: u32,
    pub factory: u32,
    pub kind: &'static str,
    /// Participants, attendees or arrests.
    pub count: u32,
    /// Votes for the opposition's resolution at a meeting, or strikers' shops.
    pub detail: u32,
    pub outcome: &'static str,
}
