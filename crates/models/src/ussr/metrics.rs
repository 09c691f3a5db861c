//! The weekly metrics, their monthly aggregation, and the factory event log.

use perelom_engine::record::{MetricKind, MetricSpec};
use perelom_engine::{Clock, ColumnData, ColumnDoc, Quantity, Table};

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
use Quantity::{Average, Flow, Index, Rate, Stock};

/// Every weekly metric: name, storage, monthly aggregation, kind of quantity, unit,
/// meaning (the data dictionary: `perelom metrics ussr-1928`, dictionary.csv).
pub const METRICS: &[(&str, MetricKind, Monthly, Quantity, &str, &str)] = &[
    (
        "strikes_started",
        Count,
        Sum,
        Flow,
        "strikes",
        "strikes begun: a factory or a shop of it stops work, outside the episode gap of its last strike (F13)",
    ),
    (
        "strikes_resumed",
        Count,
        Sum,
        Flow,
        "strikes",
        "stoppages within the episode gap of the factory's last strike: the same strike, not counted again",
    ),
    ("strike_participants", Count, Sum, Flow, "workers", "workers who stopped work in strikes begun or resumed this week"),
    ("strikes_coordinated", Count, Sum, Flow, "strikes", "strikes begun while a partner factory was on strike (F14)"),
    ("strikes_organized", Count, Sum, Flow, "strikes", "strikes begun under the lead of an opposition cell (F14, F27)"),
    ("strikes_revision", Count, Sum, Flow, "strikes", "strikes begun over a norm revision and rate cut (F06, F09)"),
    ("strikes_late_pay", Count, Sum, Flow, "strikes", "strikes begun over wages paid late (F12)"),
    ("strikes_supply", Count, Sum, Flow, "strikes", "strikes begun over a supply failure (F08)"),
    ("strikes_foreman", Count, Sum, Flow, "strikes", "strikes begun over a conflict with a foreman (F16)"),
    ("strikes_conceded", Count, Sum, Flow, "strikes", "strikes that ended in a concession"),
    ("strikes_repressed", Count, Sum, Flow, "strikes", "strikes that ended in repression (F38, F39)"),
    ("factories_on_strike", Count, Mean, Stock, "factories", "factories on strike"),
    ("italianki", Count, Sum, Flow, "shop-weeks", "shops in a slow-down this week (italianka; F12): shop-weeks, not distinct shops"),
    ("italianka_workers", Count, Mean, Stock, "workers", "workers in a slow-down"),
    ("passive_protest", Count, Mean, Stock, "workers", "workers in passive protest (F12)"),
    ("meetings_held", Count, Sum, Flow, "meetings", "campaign mass meetings held (F21)"),
    ("meetings_failed", Count, Sum, Flow, "meetings", "meetings that failed for lack of attendance (F24)"),
    ("meeting_attendance", Real, Mean, Rate, "share", "share of eligible workers attending this week's meetings"),
    ("opposition_resolutions", Count, Sum, Flow, "meetings", "meetings that adopted the opposition's resolution (F21)"),
    ("members_bl", Count, Last, Stock, "people", "active Bolshevik-Leninist members (F02)"),
    ("members_decists", Count, Last, Stock, "people", "active Decist members (F02)"),
    ("members_blue", Count, Last, Stock, "people", "active members who are blue-collar workers (F33)"),
    ("members_white", Count, Last, Stock, "people", "active members who are white-collar staff (F33)"),
    ("members_peasant", Count, Last, Stock, "people", "active members counted as peasants (F33)"),
    ("members_old_cadre", Count, Last, Stock, "people", "active members from before 1928 (F32)"),
    ("members_new_recruit", Count, Last, Stock, "people", "active members recruited since the start of the run (F32)"),
    ("sympathizers", Count, Last, Stock, "people", "sympathizers (F20)"),
    ("new_members", Count, Sum, Flow, "people", "sympathizers who joined"),
    ("leaflets", Count, Sum, Flow, "readings", "leaflets read"),
    ("arrests", Count, Sum, Flow, "people", "arrests by the OGPU (F38)"),
    ("arrests_strikers", Count, Sum, Flow, "people", "strike leaders arrested (F14, F38)"),
    ("arrests_members", Count, Sum, Flow, "people", "opposition members arrested (F38)"),
    ("arrests_obstructed", Count, Sum, Flow, "arrests", "arrests prevented by workers (F38)"),
    ("release_demands", Count, Sum, Flow, "arrests", "arrests after which workers demanded a release (F38)"),
    ("cells_exposed", Count, Sum, Flow, "cells", "cells exposed by provocateurs (F38)"),
    (
        "escalation",
        Real,
        Mean,
        Index,
        "0 (none) to 1 (full)",
        "strength of the repression escalation, 0 before it, 1 at full strength (F38)",
    ),
    ("centre_bl", Real, Last, Index, "strength (1 = intact)", "strength of the Bolshevik-Leninist centre, 1 = intact (F03)"),
    ("centre_decists", Real, Last, Index, "strength (1 = intact)", "strength of the Decist centre, 1 = intact (F03)"),
    ("exiles", Count, Last, Stock, "people", "people in the exile colonies: members and strike leaders (F35, F36)"),
    ("capitulations", Count, Sum, Flow, "people", "old cadres who capitulated (F04)"),
    ("cooptations", Count, Sum, Flow, "people", "workers enrolled in the party (F29)"),
    ("blacklisted", Count, Last, Stock, "people", "people sacked and never re-hired (F39)"),
    ("working", Count, Last, Stock, "people", "people at work"),
    ("sick", Count, Last, Stock, "people", "people off sick (F10)"),
    ("striking", Count, Last, Stock, "people", "people on strike"),
    ("arrested", Count, Last, Stock, "people", "people under arrest"),
    ("population", Count, Last, Stock, "people", "everyone modelled (constant)"),
    ("real_wage_index", Real, Mean, Index, "end 1927 = 1", "mean real wage of the employed over their end-1927 level (F08)"),
    ("productivity_index", Real, Mean, Index, "1927 = 1", "output per employed worker against 1927 (F10)"),
    ("fatigue", Real, Mean, Average, "fatigue (0 = rested)", "mean fatigue of the employed (F07, F10)"),
    ("grievance", Real, Mean, Average, "0-1 scale", "mean grievance"),
    ("legitimacy", Real, Mean, Average, "0-1 scale", "mean perceived legitimacy"),
    ("efficacy", Real, Mean, Average, "0-1 scale", "mean belief that action can succeed (F24)"),
    ("mood_loyal", Real, Mean, Rate, "share", "share loyal to the party line (F22)"),
    ("mood_left", Real, Mean, Rate, "share", "share with left moods (F22)"),
    ("mood_right", Real, Mean, Rate, "share", "share with right moods (F22)"),
    ("mood_indifferent", Real, Mean, Rate, "share", "share indifferent (F22)"),
    ("loyal_party", Real, Mean, Rate, "share", "share of party members loyal to the line (F29)"),
    ("loyal_nonparty", Real, Mean, Rate, "share", "share of non-party people loyal to the line (F29)"),
    ("exile_radicalism", Real, Mean, Average, "0-1 scale", "mean radicalism of the exiles (F35)"),
    ("exile_workers_radical", Real, Mean, Rate, "share", "share of worker exiles favouring the radical strategy (F37)"),
    ("factories_discipline", Real, Mean, Rate, "share of factories", "share of factories reporting absences or slow-downs (F11)"),
];

/// The weekly metrics of [`METRICS`] as the recorder's specs, in the same order.
pub fn recorder_spec() -> Vec<MetricSpec> {
    METRICS.iter().map(|m| MetricSpec { name: m.0, storage: m.1, kind: m.3, unit: m.4, doc: m.5 }).collect()
}

/// Position of the metric `name` in [`METRICS`] (and in a recorded row). Panics for
/// an unknown name (a programming error).
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
    t.push_doc(
        "month",
        ColumnData::Str(months.iter().map(|((y, m), _)| format!("{y}-{m:02}")).collect()),
        ColumnDoc::new(Quantity::Identifier, "month", "calendar month, YYYY-MM; a week belongs to the month of its Thursday"),
    );
    t.push_doc(
        "weeks",
        ColumnData::I64(months.iter().map(|(_, r)| r.len() as i64).collect()),
        ColumnDoc::new(Quantity::Duration, "weeks", "weekly steps in the month"),
    );
    for (name, kind, agg, quantity, unit, doc) in METRICS {
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
        let how = match agg {
            Sum => "summed over the month's weeks",
            Last => "in the month's last week",
            Mean => "mean of the month's weeks",
        };
        t.push_doc(*name, data, ColumnDoc::new(*quantity, unit, &format!("{doc}; {how}")));
    }
    t
}

/// The event log's types: event, outcomes, what `count` and `detail` hold.
pub const EVENT_TYPES: &[(&str, &str, &str, &str)] = &[
    (
        "strike",
        "started (the occasion: norm revision and rate cut, wages paid late, supply failure, conflict with a foreman; or solidarity or organized), resumed (same strike)",
        "workers who stopped work",
        "shops that stopped work",
    ),
    ("strike", "ended: concession, ended: repressed", "strike leaders sacked and blacklisted by management at the end (F39), usually 0", "0"),
    ("italianka", "slow-down", "workers slowing down (F12)", "shops slowed down"),
    (
        "meeting",
        "opposition resolution adopted, cell resolution adopted, no opposition resolution, failed (no quorum)",
        "workers attending",
        "votes for the opposition's resolution (0 where none was tabled)",
    ),
    (
        "arrest",
        "strike leader arrested, member arrested, obstructed by workers",
        "1 (the person the OGPU came for; F14, F38)",
        "1 if a strike leader, 0 if a member",
    ),
    ("sacking", "strike leader sacked and blacklisted", "1 (a leader the OGPU had no capacity for; F39)", "1"),
    ("release demand", "refused", "1 (the arrest whose release workers demanded; F38)", "0"),
    ("provocateur", "cell exposed, city group exposed", "opposition members in the factory's cell (F03, F38)", "0"),
];

/// `count` or `detail` explained per event type.
fn per_type(which: usize) -> String {
    EVENT_TYPES.iter().map(|t| format!("{} ({}): {}", t.0, t.1, if which == 0 { t.2 } else { t.3 })).collect::<Vec<_>>().join("; ")
}

/// Says what each column of the factory event log means.
pub fn describe_events(mut t: Table) -> Table {
    let d = ColumnDoc::new;
    t.describe("step", d(Quantity::Identifier, "step", "weekly step of the event"));
    t.describe("date", d(Quantity::Identifier, "date", "date on which the event's week begins"));
    t.describe("factory", d(Quantity::Identifier, "factory", "factory number, from 0"));
    t.describe("region", d(Quantity::Category, "region", "the factory's region"));
    t.describe("sector", d(Quantity::Category, "sector", "the factory's sector"));
    t.describe("event", d(Quantity::Category, "event type", "strike, italianka, meeting, arrest, release demand or provocateur"));
    t.describe("count", d(Quantity::Flow, "people", &format!("by event type: {}", per_type(0))));
    t.describe("detail", d(Quantity::Flow, "shops or votes", &format!("by event type: {}", per_type(1))));
    t.describe("outcome", d(Quantity::Category, "outcome", "how the event ended; the words of each event type are listed with `count`"));
    t
}

/// One row of the factory event log.
#[derive(Clone, Debug)]
pub struct Event {
    /// Weekly step of the event.
    pub step: u32,
    /// Factory number, from 0.
    pub factory: u32,
    /// Event type, as named in [`EVENT_TYPES`] (`strike`, `italianka`, `meeting`, ...).
    pub kind: &'static str,
    /// Participants, attendees or arrests.
    pub count: u32,
    /// Votes for the opposition's resolution at a meeting, or strikers' shops.
    pub detail: u32,
    /// How the event ended, in the words [`EVENT_TYPES`] lists for its type.
    pub outcome: &'static str,
}
