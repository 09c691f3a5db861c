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
    ("strikes_started", Count, Sum, "strikes begun (a factory or a shop of it stops work; F13)"),
    ("strike_participants", Count, Sum, "workers who joined strikes begun this week"),
    ("strikes_coordinated", Count, Sum, "strikes begun in the same week as another in the same region and sector (F14)"),
    ("factories_on_strike", Count, Mean, "factories on strike"),
    ("italianki", Count, Sum, "shops slowed down (italianka; F12)"),
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
    ("members_peasant", Count, Last, "active members of peasant origin (F33)"),
    ("members_old_cadre", Count, Last, "active members from before 1928 (F32)"),
    ("members_new_recruit", Count, Last, "active members recruited since January 1928 (F32)"),
    ("sympathizers", Count, Last, "sympathizers (F20)"),
    ("new_members", Count, Sum, "sympathizers who joined"),
    ("leaflets", Count, Sum, "leaflets read"),
    ("arrests", Count, Sum, "arrests by the OGPU (F38)"),
    ("arrests_obstructed", Count, Sum, "arrests prevented by workers (F38)"),
    ("release_demands", Count, Sum, "arrests after which workers demanded a release (F38)"),
    ("centre_bl", Real, Last, "strength of the Bolshevik-Leninist centre, 1 = intact (F03)"),
    ("centre_decists", Real, Last, "strength of the Decist centre, 1 = intact (F03)"),
    ("exiles", Count, Last, "people in exile"),
    ("capitulations", Count, Sum, "old cadres who capitulated (F04)"),
    ("cooptations", Count, Sum, "workers enrolled in the party (F29)"),
    ("blacklisted", Count, Last, "people sacked or released and never re-hired (F39)"),
    ("working", Count, Last, "people at work"),
    ("sick", Count, Last, "people off sick (F10)"),
    ("striking", Count, Last, "people on strike"),
    ("arrested", Count, Last, "people under arrest"),
    ("population", Count, Last, "everyone modelled (constant)"),
    ("real_wage_index", Real, Mean, "mean real wage of the employed over their end-1927 level (F08)"),
    ("productivity_index", Real, Mean, "output per worker against 1927 (F10)"),
    ("fatigue", Real, Mean, "mean fatigue of the employed (F07, F10)"),
    ("grievance", Real, Mean, "mean grievance"),
    ("legitimacy", Real, Mean, "mean perceived legitimacy"),
    ("efficacy", Real, Mean, "mean belief that action can succeed (F24)"),
    ("mood_loyal", Real, Mean, "share loyal to the party line (F22)"),
    ("mood_left", Real, Mean, "share with left moods (F22)"),
    ("mood_right", Real, Mean, "share with right moods (F22)"),
    ("mood_indifferent", Real, Mean, "share indifferent (F22)"),
    ("exile_radicalism", Real, Mean, "mean radicalism of exiled members (F35)"),
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
