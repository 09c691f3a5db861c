//! The historical targets T1–T10 of `shared/brief/MODEL.md`, measured on a run.
//!
//! Each target is a statistic computed from one run's weekly metrics and a criterion
//! applied to the ensemble mean of that statistic. Where the study gives words, the
//! numeric reading below is the brief's and is itself an assumption (see docs/ODD.md).

use chrono::NaiveDate;
use perelom_engine::{Clock, Table};

/// A target's definition.
#[derive(Clone, Debug)]
pub struct Target {
    pub id: &'static str,
    pub text: String,
    pub facts: &'static str,
    /// Valid range of the ensemble mean.
    pub lo: f64,
    pub hi: f64,
}

/// The statistics of one run, in the order of [`targets`].
pub fn measure(weekly: &Table, clock: &Clock, full_scale: f64) -> Vec<f64> {
    let v = |k: &str| weekly.numbers(k).unwrap_or_default();
    let n = weekly.rows();
    let step_at = |y: i32, m: u32, d: u32| -> usize {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| clock.step_of(date))
            .map_or(n.saturating_sub(1), |s| s as usize)
            .min(n.saturating_sub(1))
    };
    let members: Vec<f64> = v("members_bl").iter().zip(v("members_decists")).map(|(a, b)| a + b).collect();
    let population = v("population").first().copied().unwrap_or(0.0);
    let scale = population / full_scale;

    // T1: strikes over the two years, per scaled target.
    let strikes: f64 = v("strikes_started").iter().sum();
    let t1 = if scale > 0.0 { strikes / (1569.0 * scale) } else { f64::NAN };

    // T2: blue-collar share of active members over the last quarter of 1929 (pooled).
    let q4 = step_at(1929, 10, 1)..n;
    let blue: f64 = v("members_blue")[q4.clone()].iter().sum();
    let all: f64 = members[q4].iter().sum();
    let t2 = if all > 0.0 { blue / all } else { f64::NAN };

    // T3: membership at the end over its peak.
    let peak = members.iter().copied().fold(0.0, f64::max);
    let t3 = if peak > 0.0 { members.last().copied().unwrap_or(0.0) / peak } else { f64::NAN };

    // T4: opposition wins in the weaker campaign, and the won share of meetings.
    let won = v("opposition_resolutions");
    let held = v("meetings_held");
    let split = step_at(1928, 7, 1);
    let w1: f64 = won[..split].iter().sum();
    let w2: f64 = won[split..].iter().sum();
    // Meetings that failed for lack of attendance adopted nothing: they do not count.
    let h: f64 = held.iter().sum::<f64>() - v("meetings_failed").iter().sum::<f64>();
    let t4a = w1.min(w2);
    let t4b = if h > 0.0 { (w1 + w2) / h } else { f64::NAN };

    // T5: real wage at the end over January 1928.
    let wage = v("real_wage_index");
    let t5 = match (wage.first(), wage.last()) {
        (Some(a), Some(b)) if *a > 0.0 => b / a,
        _ => f64::NAN,
    };

    // T6: attendance in the 1928-29 campaign over that of 1927-28 (weeks with meetings).
    let att = v("meeting_attendance");
    let mean_att = |r: std::ops::Range<usize>| {
        let xs: Vec<f64> = r.filter(|&s| held[s] > 0.0).map(|s| att[s]).collect();
        if xs.is_empty() {
            f64::NAN
        } else {
            xs.iter().sum::<f64>() / xs.len() as f64
        }
    };
    let t6 = mean_att(split..n) / mean_att(0..split);

    // T7: share of new recruits among active members in April 1929 (above one half
    // means they outnumber the old cadres).
    let apr = step_at(1929, 4, 1);
    let (newr, old) = (v("members_new_recruit")[apr], v("members_old_cadre")[apr]);
    let t7 = if newr + old > 0.0 { newr / (newr + old) } else { f64::NAN };

    // T8: loyal share in April 1929.
    let t8 = v("mood_loyal")[apr];

    // T9: share of worker exiles favouring the radical strategy, mean over 1929.
    let y29 = step_at(1929, 1, 1)..n;
    let ex = v("exile_workers_radical");
    let t9 = ex[y29.clone()].iter().sum::<f64>() / y29.len().max(1) as f64;

    // T10: share of factories reporting absences or slow-downs, January-March 1929.
    let q1 = step_at(1929, 1, 1)..step_at(1929, 4, 1);
    let disc = v("factories_discipline");
    let t10 = disc[q1.clone()].iter().sum::<f64>() / q1.len().max(1) as f64;

    vec![t1, t2, t3, t4a, t4b, t5, t6, t7, t8, t9, t10]
}

/// The targets, in the order of [`measure`].
pub fn targets() -> Vec<Target> {
    let t = |id, text: &str, facts, lo, hi| Target { id, text: text.to_string(), facts, lo, hi };
    vec![
        t("T1", "strikes 1928-29 over 1,569 x (modelled workforce / 3 million); hit within 0.75-1.25", "F13", 0.75, 1.25),
        t("T2", "blue-collar share of active members, Oct-Dec 1929 (at least 0.8)", "F33", 0.8, 1.0),
        t("T3", "active membership at the end of 1929 over its peak (at most 0.1)", "F38", 0.0, 0.1),
        t("T4", "opposition wins in the weaker of the two campaigns (at least 1)", "F21", 1.0, f64::INFINITY),
        t("T4b", "share of quorate campaign meetings won by the opposition (at most 0.05)", "F21", 0.0, 0.05),
        t("T5", "real wage at the end of 1929 over January 1928 (below 1)", "F08, F10, F17", 0.0, 0.9999),
        t("T6", "meeting attendance 1928-29 over 1927-28 (below 1)", "F24", 0.0, 0.9999),
        t("T7", "share of new recruits among active members, April 1929 (above 0.5)", "F32", 0.5001, 1.0),
        t("T8", "share loyal to the party line, April 1929 (at most 0.2)", "F22", 0.0, 0.2),
        t("T9", "share of worker exiles favouring the radical strategy, 1929 (above 0.5)", "F35-F37", 0.5001, 1.0),
        t("T10", "share of factories reporting absences or slow-downs, Jan-Mar 1929 (above 0.5)", "F11, F12", 0.5001, 1.0),
    ]
}
