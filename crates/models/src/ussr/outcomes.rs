//! The headline outcomes of a run, for comparing a counterfactual with the baseline.
//!
//! Counts are full-scale equivalents (divided by the population scale), so outcomes of
//! runs at different scales can be read side by side. An outcome dated after the end of
//! the run is `NaN` (not measurable), never the last week's value.

use chrono::NaiveDate;
use perelom_engine::{Clock, Table};

/// Name and value of each headline outcome of one run.
pub fn outcomes(weekly: &Table, clock: &Clock, scale: f64) -> Vec<(String, f64)> {
    let n = weekly.rows();
    let v = |k: &str| {
        let mut x = weekly.numbers(k).unwrap_or_default();
        x.resize(n, f64::NAN);
        x
    };
    let fse = |x: f64| x / scale;
    let sum = |k: &str| v(k).iter().sum::<f64>();
    let at = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).and_then(|date| clock.step_of(date)).map(|s| s as usize).filter(|&s| s < n);
    // The last week of 1929, if the run reaches it.
    let end29 = at(1929, 12, 29);
    let members: Vec<f64> = v("members_bl").iter().zip(v("members_decists")).map(|(a, b)| a + b).collect();
    let apr29 = at(1929, 4, 1);
    let pick = |x: &[f64], s: Option<usize>| s.and_then(|s| x.get(s).copied()).unwrap_or(f64::NAN);
    let mean = |k: &str| {
        let x = v(k);
        x.iter().sum::<f64>() / x.len().max(1) as f64
    };
    vec![
        ("strikes (full-scale equivalent)".into(), fse(sum("strikes_started"))),
        ("strikes led by the opposition (full-scale equivalent)".into(), fse(sum("strikes_organized"))),
        ("strike participants (full-scale equivalent)".into(), fse(sum("strike_participants"))),
        ("coordinated strikes (full-scale equivalent)".into(), fse(sum("strikes_coordinated"))),
        ("italianki, shop-weeks (full-scale equivalent)".into(), fse(sum("italianki"))),
        ("opposition resolutions adopted (full-scale equivalent)".into(), fse(sum("opposition_resolutions"))),
        ("peak opposition membership (full-scale equivalent)".into(), fse(members.iter().copied().fold(0.0, f64::max))),
        ("opposition members, April 1929 (full-scale equivalent)".into(), fse(pick(&members, apr29))),
        ("opposition members, end 1929 (full-scale equivalent)".into(), fse(pick(&members, end29))),
        ("new members recruited (full-scale equivalent)".into(), fse(sum("new_members"))),
        ("arrests (full-scale equivalent)".into(), fse(sum("arrests"))),
        ("arrests of strike leaders (full-scale equivalent)".into(), fse(sum("arrests_strikers"))),
        ("exiles, end 1929 (full-scale equivalent)".into(), fse(pick(&v("exiles"), end29))),
        ("real wage index, end 1929".into(), pick(&v("real_wage_index"), end29)),
        ("mean grievance".into(), mean("grievance")),
        ("loyal share, April 1929".into(), pick(&v("mood_loyal"), apr29)),
        ("left share, April 1929".into(), pick(&v("mood_left"), apr29)),
        ("radical worker exiles, end 1929".into(), pick(&v("exile_workers_radical"), end29)),
    ]
}
