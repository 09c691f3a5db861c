//! The historical targets T1–T10 of `shared/brief/MODEL.md`, measured on a run.
//!
//! Each target is a statistic computed from one run's weekly metrics and a criterion
//! applied to the ensemble mean of that statistic. Where the study gives words, the
//! numeric reading below is the brief's and is itself an assumption (see docs/ODD.md).

use chrono::NaiveDate;
use perelom_engine::{Clock, StepUnit, Table};
use perelom_scenario::Scenario;

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

/// The calendar of a scenario's run (weekly steps from `run.start`), known before the
/// model is built, so that commands can tell which targets a run can measure before
/// they run it. It is the clock the model's runs have.
pub fn clock(s: &Scenario) -> Clock {
    let steps = u32::try_from(s.int("run.steps")).unwrap_or(0);
    Clock::dated(s.date("run.start"), StepUnit::Week, steps)
}

/// The weeks the targets read, each `None` when the run does not reach it.
struct Weeks {
    /// The first week of 1928 (the week of 2 January 1928).
    start_1928: Option<usize>,
    /// The week of 1 July 1928, which separates the 1927-28 and 1928-29 campaigns.
    mid_1928: Option<usize>,
    jan_1929: Option<usize>,
    /// The last week of the first quarter of 1929 (the week of 31 March).
    end_mar_1929: Option<usize>,
    apr_1929: Option<usize>,
    oct_1929: Option<usize>,
    /// The last week of 1929 (the week of 29 December: the last whole week of 1929 in the
    /// weekly calendar from 2 January 1928).
    end_1929: Option<usize>,
}

impl Weeks {
    fn of(clock: &Clock, rows: usize) -> Weeks {
        let week = |y: i32, m: u32, d: u32| {
            NaiveDate::from_ymd_opt(y, m, d).and_then(|date| clock.step_of(date)).map(|s| s as usize).filter(|&s| s < rows)
        };
        Weeks {
            start_1928: week(1928, 1, 2),
            mid_1928: week(1928, 7, 1),
            jan_1929: week(1929, 1, 1),
            end_mar_1929: week(1929, 3, 31),
            apr_1929: week(1929, 4, 1),
            oct_1929: week(1929, 10, 1),
            end_1929: week(1929, 12, 29),
        }
    }
}

/// Which targets (in the order of [`targets`]) a run on `clock` can measure: a target is
/// measurable only when the run covers every date it reads.
pub fn measurable(clock: &Clock) -> Vec<bool> {
    readings(&Table::new(), clock.steps as usize, clock, 1.0).iter().map(Option::is_some).collect()
}

/// The statistics of one run, in the order of [`targets`].
///
/// The contract (kept by any rewrite of the model): a target reads the weeks of its dates
/// only, never another week in their place. `None` means *not measurable*: the run does
/// not cover the target's dates (it starts later or ends earlier), and the target is
/// neither hit nor missed. `Some(NaN)` means the run covers the dates but the statistic is
/// undefined in it (for instance a share of members when there are none).
pub fn measure(weekly: &Table, clock: &Clock, full_scale: f64) -> Vec<Option<f64>> {
    readings(weekly, weekly.rows(), clock, full_scale)
}

/// [`measure`] over the first `n` weeks (metrics missing from `weekly` read as NaN).
fn readings(weekly: &Table, n: usize, clock: &Clock, full_scale: f64) -> Vec<Option<f64>> {
    let w = Weeks::of(clock, n);
    let v = |k: &str| {
        let mut x = weekly.numbers(k).unwrap_or_default();
        x.resize(n, f64::NAN);
        x
    };
    let sum = |x: &[f64]| x.iter().sum::<f64>();
    let members: Vec<f64> = v("members_bl").iter().zip(v("members_decists")).map(|(a, b)| a + b).collect();
    let population = v("population").first().copied().unwrap_or(0.0);
    let scale = population / full_scale;
    // The two years 1928-1929, and the two campaigns' halves of them.
    let two_years = || Some(w.start_1928?..w.end_1929? + 1);
    let halves = || Some((w.start_1928?..w.mid_1928?, w.mid_1928?..w.end_1929? + 1));
    let held = v("meetings_held");

    // T1: strikes over the two years, per scaled target.
    let t1 = two_years().map(|r| if scale > 0.0 { sum(&v("strikes_started")[r]) / (1569.0 * scale) } else { f64::NAN });

    // T2: blue-collar share of active members over the last quarter of 1929 (pooled).
    let t2 = (|| {
        let q4 = w.oct_1929?..w.end_1929? + 1;
        let (blue, all) = (sum(&v("members_blue")[q4.clone()]), sum(&members[q4]));
        Some(if all > 0.0 { blue / all } else { f64::NAN })
    })();

    // T3: membership at the end of 1929 over its peak.
    let t3 = two_years().map(|r| {
        let peak = members[r.clone()].iter().copied().fold(0.0, f64::max);
        if peak > 0.0 {
            members[r.end - 1] / peak
        } else {
            f64::NAN
        }
    });

    // T4: opposition wins in the weaker campaign (1927-28 before July 1928, 1928-29
    // after), and the won share of meetings.
    let won = v("opposition_resolutions");
    let t4 = halves().map(|(first, second)| {
        let (w1, w2) = (sum(&won[first.clone()]), sum(&won[second.clone()]));
        // Meetings that failed for lack of attendance adopted nothing: they do not count.
        let all = first.start..second.end;
        let h = sum(&held[all.clone()]) - sum(&v("meetings_failed")[all]);
        (w1.min(w2), if h > 0.0 { (w1 + w2) / h } else { f64::NAN })
    });

    // T5: real wage at the end of 1929 over January 1928.
    let wage = v("real_wage_index");
    let t5 = two_years().map(|r| if wage[r.start] > 0.0 { wage[r.end - 1] / wage[r.start] } else { f64::NAN });

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
    let t6 = halves().map(|(first, second)| mean_att(second) / mean_att(first));

    // T7: share of new recruits among active members in April 1929 (above one half
    // means they outnumber the old cadres).
    let t7 = w.apr_1929.map(|a| {
        let (newr, old) = (v("members_new_recruit")[a], v("members_old_cadre")[a]);
        if newr + old > 0.0 {
            newr / (newr + old)
        } else {
            f64::NAN
        }
    });

    // T8: loyal share in April 1929.
    let t8 = w.apr_1929.map(|a| v("mood_loyal")[a]);

    // T9: share of worker exiles favouring the radical strategy, mean over 1929.
    let mean_over = |k: &str, r: std::ops::Range<usize>| sum(&v(k)[r.clone()]) / r.len().max(1) as f64;
    let t9 = (|| Some(mean_over("exile_workers_radical", w.jan_1929?..w.end_1929? + 1)))();

    // T10: share of factories reporting absences or slow-downs, January-March 1929.
    let t10 = (|| Some(mean_over("factories_discipline", w.jan_1929?..w.end_mar_1929? + 1)))();

    vec![t1, t2, t3, t4.map(|t| t.0), t4.map(|t| t.1), t5, t6, t7, t8, t9, t10]
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
