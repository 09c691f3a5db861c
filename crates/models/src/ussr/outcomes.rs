//! The headline outcomes of a run, for comparing a counterfactual with the baseline.

use chrono::NaiveDate;
use perelom_engine::{Clock, Table};

/// Name and value of each headline outcome of one run.
pub fn outcomes(weekly: &Table, clock: &Clock) -> Vec<(String, f64)> {
    let v = |k: &str| weekly.numbers(k).unwrap_or_default();
    let sum = |k: &str| v(k).iter().sum::<f64>();
    let last = |k: &str| v(k).last().copied().unwrap_or(f64::NAN);
    let n = weekly.rows();
    let at = |y, m, d| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| clock.step_of(date))
            .map_or(n.saturating_sub(1), |s| s as usize)
            .min(n.saturating_sub(1))
    };
    let members: Vec<f64> = v("members_bl").iter().zip(v("members_decists")).map(|(a, b)| a + b).collect();
    let apr29 = at(1929, 4, 1);
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
        ("opposition members, April 1929".into(), members.get(apr29).copied().unwrap_or(f64::NAN)),
        ("opposition members, end 1929".into(), members.last().copied().unwrap_or(f64::NAN)),
        ("new members recruited".into(), sum("new_members")),
        ("arrests".into(), sum("arrests")),
        ("exiles, end 1929".into(), last("exiles")),
        ("blacklisted, end 1929".into(), last("blacklisted")),
        ("real wage index, end 1929".into(), last("real_wage_index")),
        ("mean grievance".into(), mean("grievance")),
        ("loyal share, April 1929".into(), v("mood_loyal").get(apr29).copied().unwrap_or(f64::NAN)),
        ("left share, April 1929".into(), v("mood_left").get(apr29).copied().unwrap_or(f64::NAN)),
        ("radical worker exiles, end 1929".into(), last("exile_workers_radical")),
    ]
}
