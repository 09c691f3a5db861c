//! The headline outcomes of a run, for comparing a counterfactual with the baseline.

use chrono::NaiveDate;
use perelom_engine::{Clock, Table};

/// Name and value of each headline outcome of one run.
///
/// The contract (kept by any rewrite of the model): totals and means are over the whole
/// run (so runs are compared only with runs of the same horizon); an outcome named for a
/// date ("April 1929", "end 1929") reads the week of that date and is NaN, *not
/// measurable*, when the run does not reach it; it is never read from another week.
pub fn outcomes(weekly: &Table, clock: &Clock) -> Vec<(String, f64)> {
    let v = |k: &str| weekly.numbers(k).unwrap_or_default();
    let sum = |k: &str| v(k).iter().sum::<f64>();
    let n = weekly.rows();
    let week = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).and_then(|date| clock.step_of(date)).map(|s| s as usize).filter(|&s| s < n);
    let members: Vec<f64> = v("members_bl").iter().zip(v("members_decists")).map(|(a, b)| a + b).collect();
    let apr29 = week(1929, 4, 1);
    // The last whole week of 1929 in the weekly calendar from 2 January 1928.
    let end29 = week(1929, 12, 29);
    let at = |x: &[f64], w: Option<usize>| w.and_then(|i| x.get(i).copied()).unwrap_or(f64::NAN);
    let mean = |k: &str| {
        let x = v(k);
        x.iter().sum::<f64>() / x.len().max(1) as f64
    };
    vec![
        ("strikes".into(), sum("strikes_started")),
        ("strike participants".into(), sum("strike_participants")),
        ("coordinated strikes".into(), sum("strikes_coordinated")),
        ("italianki (shop-weeks)".into(), sum("italianki")),
        ("opposition resolutions adopted".into(), sum("opposition_resolutions")),
        ("meetings failed".into(), sum("meetings_failed")),
        ("peak opposition membership".into(), members.iter().copied().fold(0.0, f64::max)),
        ("opposition members, April 1929".into(), at(&members, apr29)),
        ("opposition members, end 1929".into(), at(&members, end29)),
        ("new members recruited".into(), sum("new_members")),
        ("arrests".into(), sum("arrests")),
        ("exiles, end 1929".into(), at(&v("exiles"), end29)),
        ("blacklisted, end 1929".into(), at(&v("blacklisted"), end29)),
        ("real wage index, end 1929".into(), at(&v("real_wage_index"), end29)),
        ("mean grievance".into(), mean("grievance")),
        ("loyal share, April 1929".into(), at(&v("mood_loyal"), apr29)),
        ("left share, April 1929".into(), at(&v("mood_left"), apr29)),
        ("radical worker exiles, end 1929".into(), at(&v("exile_workers_radical"), end29)),
    ]
}
