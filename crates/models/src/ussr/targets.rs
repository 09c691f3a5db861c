//! The historical targets T1–T15 of the design brief, measured on one run.
//!
//! Each target is a statistic of one run's weekly metrics with a valid range. Every
//! statistic is a share, a ratio or a full-scale equivalent, so it means the same at any
//! population scale. Where the study gives words, the numeric reading is the brief's and
//! is itself an assumption (docs/VALIDATION.md). A statistic is `NaN` — not measurable —
//! when the run does not reach the dates it reads, or has nothing to measure (no strikes,
//! no members); `NaN` is never a hit.

use chrono::NaiveDate;
use perelom_engine::{Clock, StepUnit, Table};
use perelom_scenario::Scenario;

/// The calendar of a scenario's run (weekly steps from `run.start`), known before the
/// model is built, so that commands can tell which targets a run can measure before they
/// run it. It is the clock the model's runs have.
pub fn clock(s: &Scenario) -> Clock {
    let steps = u32::try_from(s.int("run.steps")).unwrap_or(0);
    Clock::dated(s.date("run.start"), StepUnit::Week, steps)
}

/// Which targets (in the order of [`targets`]) a run on `clock` can measure: a target is
/// measurable only when the run covers every date it reads.
pub fn measurable(clock: &Clock) -> Vec<bool> {
    let mut t = Table::new();
    let n = clock.steps as usize;
    // A table of ones: every statistic defined wherever its dates are covered.
    for name in [
        "population",
        "strikes_started",
        "members_bl",
        "members_decists",
        "members_blue",
        "opposition_resolutions",
        "meetings_held",
        "meetings_failed",
        "real_wage_index",
        "meeting_attendance",
        "members_new_recruit",
        "members_old_cadre",
        "mood_loyal",
        "exile_workers_radical",
        "factories_discipline",
        "italianka_workers",
        "loyal_party",
        "loyal_nonparty",
    ] {
        // Failed meetings 0, so quorate meetings exist; everything else 1.
        let x = if name == "meetings_failed" { 0.0 } else { 1.0 };
        t.push(name, perelom_engine::ColumnData::F64(vec![x; n]));
    }
    values(&t, clock, 1.0).iter().map(|x| !x.is_nan()).collect()
}

pub use crate::descriptor::Target;

/// The statistics of one run, in the order of [`targets`]. `full_scale` is the
/// workforce at scale 1.0 (the denominator of T1 and T4).
///
/// The contract: a target reads the weeks of its dates only, never another week in their
/// place. `None` means *not measurable*: the run does not cover the target's dates, and
/// the target is neither hit nor missed. `Some(NaN)` means the run covers the dates but the
/// statistic is undefined in it (for instance a share of members when there are none).
///
/// A table with fewer rows than the clock has steps (a run not yet finished) measures
/// what its rows cover: the rest is not measurable, as for a shorter run.
pub fn measure(weekly: &Table, clock: &Clock, full_scale: f64) -> Vec<Option<f64>> {
    let rows = u32::try_from(weekly.rows()).unwrap_or(u32::MAX);
    let covered = match (clock.start(), clock.unit()) {
        (Some(start), Some(unit)) if rows < clock.steps => Clock::dated(start, unit, rows),
        _ => clock.clone(),
    };
    values(weekly, clock, full_scale).into_iter().zip(measurable(&covered)).map(|(x, ok)| ok.then_some(x)).collect()
}

/// [`measure`] with the full-scale workforce read from the scenario the run had
/// (`population.full_scale`): the form the model's descriptor gives front ends.
pub fn measure_run(weekly: &Table, clock: &Clock, scenario: &Scenario) -> Vec<Option<f64>> {
    measure(weekly, clock, scenario.int("population.full_scale") as f64)
}

/// The statistics, NaN where not measurable or undefined.
fn values(weekly: &Table, clock: &Clock, full_scale: f64) -> Vec<f64> {
    let n = weekly.rows();
    // A metric missing from the table reads as NaN (undefined), never as a panic.
    let v = |k: &str| {
        let mut x = weekly.numbers(k).unwrap_or_default();
        x.resize(n, f64::NAN);
        x
    };
    // The step holding a date, if the run reaches it.
    let at = |y: i32, m: u32, d: u32| -> Option<usize> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|date| clock.step_of(date)).map(|s| s as usize).filter(|&s| s < n)
    };
    // The weeks of a span of days, from its first to its last day inclusive. A week
    // belongs to the span that holds its Thursday, as a week belongs to the month of its
    // Thursday (ISO 8601; the survey's months and T12's quarters count so too), so spans
    // that meet share no week and miss none. `None` unless the run holds every such week.
    let span = |from: (i32, u32, u32), to: (i32, u32, u32)| -> Option<std::ops::Range<usize>> {
        let (from, to) = (NaiveDate::from_ymd_opt(from.0, from.1, from.2)?, NaiveDate::from_ymd_opt(to.0, to.1, to.2)?);
        let thursday = clock.date(0)? + chrono::Duration::days(3);
        let days = clock.unit()?.days();
        let first = (from - thursday).num_days().div_euclid(days) + i64::from((from - thursday).num_days().rem_euclid(days) != 0);
        let last = (to - thursday).num_days().div_euclid(days);
        (first >= 0 && last >= first && last < n as i64).then(|| first as usize..last as usize + 1)
    };
    let nan = f64::NAN;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { nan };
    let members: Vec<f64> = v("members_bl").iter().zip(v("members_decists")).map(|(a, b)| a + b).collect();
    let population = v("population").first().copied().unwrap_or(0.0);
    let scale = population / full_scale;
    let whole = span((1928, 1, 1), (1929, 12, 31));
    let strikes = v("strikes_started");

    // T1: strikes over the two years, per 1,569 × modelled workforce / full scale.
    let total_strikes: f64 = whole.clone().map_or(nan, |r| strikes[r].iter().sum());
    let t1 = ratio(total_strikes, 1569.0 * scale);

    // T2: blue-collar share of active members, Oct-Dec 1929 (pooled over the weeks).
    let t2 = span((1929, 10, 1), (1929, 12, 31)).map_or(nan, |r| {
        let blue: f64 = v("members_blue")[r.clone()].iter().sum();
        ratio(blue, members[r].iter().sum())
    });

    // T3: active membership at the end of 1929 over its peak in 1928-1929.
    let peak = whole.clone().map_or(nan, |r| members[r].iter().copied().fold(0.0, f64::max));
    let t3 = whole.clone().map_or(nan, |r| ratio(members[r.end - 1], peak));

    // The two collective-agreement campaigns (F21): the first half of 1928 holds the
    // 1927-28 campaign, July 1928 to the end of February 1929 the 1928-29 one.
    let first_campaign = span((1928, 1, 1), (1928, 6, 30));
    let second_campaign = span((1928, 7, 1), (1929, 2, 28));

    // T4: full-scale-equivalent opposition wins in the weaker campaign; won share of
    // quorate meetings.
    let won = v("opposition_resolutions");
    let held = v("meetings_held");
    let failed = v("meetings_failed");
    let sum = |x: &[f64], r: &std::ops::Range<usize>| -> f64 { x[r.clone()].iter().sum() };
    let (t4a, t4b) = match (&first_campaign, &second_campaign) {
        (Some(c1), Some(c2)) => {
            let (w1, w2) = (sum(&won, c1), sum(&won, c2));
            let quorate = sum(&held, c1) + sum(&held, c2) - sum(&failed, c1) - sum(&failed, c2);
            (if scale > 0.0 { w1.min(w2) / scale } else { nan }, ratio(w1 + w2, quorate))
        }
        _ => (nan, nan),
    };

    // T5: real wage at the end of 1929 over January 1928.
    let wage = v("real_wage_index");
    let t5 = whole.clone().map_or(nan, |r| ratio(wage[r.end - 1], wage[r.start]));

    // T6: attendance in the 1928-29 campaign over that of 1927-28 (weeks with meetings).
    let att = v("meeting_attendance");
    let mean_att = |r: std::ops::Range<usize>| {
        let xs: Vec<f64> = r.filter(|&s| held[s] > 0.0).map(|s| att[s]).collect();
        if xs.is_empty() {
            nan
        } else {
            xs.iter().sum::<f64>() / xs.len() as f64
        }
    };
    let t6 = match (first_campaign, second_campaign) {
        (Some(c1), Some(c2)) => mean_att(c2) / mean_att(c1),
        _ => nan,
    };

    // T7: share of recruits since January 1928 among active members, April 1929.
    let apr = at(1929, 4, 1);
    let (newr, old) = apr.map_or((nan, nan), |a| (v("members_new_recruit")[a], v("members_old_cadre")[a]));
    let t7 = ratio(newr, newr + old);

    // T8: loyal share in April 1929 (at most 20 %), and T15's structure.
    let t8 = apr.map_or(nan, |a| v("mood_loyal")[a]);

    // T9: share of worker exiles favouring the radical strategy, mean over 1929.
    let t9 = span((1929, 1, 1), (1929, 12, 31)).map_or(nan, |r| {
        let ex = v("exile_workers_radical");
        ex[r.clone()].iter().sum::<f64>() / r.len().max(1) as f64
    });

    // T10: share of factories reporting absences or slow-downs, January-March 1929.
    let t10 = span((1929, 1, 1), (1929, 3, 31)).map_or(nan, |r| {
        let d = v("factories_discipline");
        d[r.clone()].iter().sum::<f64>() / r.len().max(1) as f64
    });

    // T11: the smaller year's share of the two-year strike total.
    let t11 = match (whole.clone(), span((1929, 1, 1), (1929, 12, 31))) {
        (Some(r), Some(y)) => {
            let a: f64 = strikes[r.start..y.start].iter().sum();
            let b: f64 = strikes[y].iter().sum();
            ratio(a.min(b), a + b)
        }
        _ => nan,
    };

    // T12: the largest calendar quarter's share of the two-year strike total.
    let t12 = whole.clone().map_or(nan, |r| {
        let mut quarters = [0.0f64; 8];
        for s in r {
            // A week belongs to the quarter of its Thursday (as to the month of it).
            if let Some(d) = clock.date(s as u32).map(|d| d + chrono::Duration::days(3)) {
                use chrono::Datelike;
                let q = ((d.year() - 1928) * 4 + (d.month0() / 3) as i32).clamp(0, 7) as usize;
                quarters[q] += strikes[s];
            }
        }
        ratio(quarters.iter().copied().fold(0.0, f64::max), quarters.iter().sum())
    });

    // T13: April 1929 membership over the peak; recruits active then over the membership
    // of the first week.
    let start_members = members.first().copied().unwrap_or(nan);
    let t13a = apr.map_or(nan, |a| ratio(members[a], peak));
    // (`peak` is NaN unless the run covers 1928-1929, so T13 needs the whole run too.)
    let t13b = ratio(newr, start_members);

    // T14: the largest weekly share of the workforce in a slow-down.
    let t14 = whole.map_or(nan, |r| {
        let w = v("italianka_workers");
        // A share that is NaN (a metric missing) makes the maximum NaN: never read as 0.
        r.map(|s| ratio(w[s], population)).fold(0.0, |m: f64, x| if m.is_nan() || x.is_nan() { nan } else { m.max(x) })
    });

    // T15: loyal share in April 1929 at least 2 %; party members loyal at least twice
    // as often as non-party workers.
    let t15b = apr.map_or(nan, |a| ratio(v("loyal_party")[a], v("loyal_nonparty")[a]));

    vec![t1, t2, t3, t4a, t4b, t5, t6, t7, t8, t9, t10, t11, t12, t13a, t13b, t14, t8, t15b]
}

/// The targets, in the order of [`measure`].
pub fn targets() -> Vec<Target> {
    let t = |id, text: &str, facts, lo, hi, metrics| Target { id, text: text.to_string(), facts, lo, hi, metrics };
    let inf = f64::INFINITY;
    // The columns each statistic of `values` reads (members = members_bl + members_decists;
    // `population` scales the full-scale equivalents).
    const MEMBERS: &[&str] = &["members_bl", "members_decists"];
    vec![
        t(
            "T1",
            "strikes 1928-29 over 1,569 x (modelled workforce / 3 million), within 0.75-1.25",
            "F13",
            0.75,
            1.25,
            &["strikes_started", "population"],
        ),
        t(
            "T2",
            "blue-collar share of active members, Oct-Dec 1929 (at least 0.8)",
            "F33",
            0.8,
            1.0,
            &["members_blue", "members_bl", "members_decists"],
        ),
        t("T3", "active membership at the end of 1929 over its peak (at most 0.1)", "F38", 0.0, 0.1, MEMBERS),
        t(
            "T4",
            "full-scale-equivalent opposition wins in the weaker of the two campaigns (at least 1)",
            "F21",
            1.0,
            inf,
            &["opposition_resolutions", "population"],
        ),
        t(
            "T4b",
            "share of quorate campaign meetings won by the opposition (at most 0.05)",
            "F21",
            0.0,
            0.05,
            &["opposition_resolutions", "meetings_held", "meetings_failed"],
        ),
        t("T5", "real wage at the end of 1929 over January 1928 (below 1)", "F08, F10, F17", 0.0, 0.9999, &["real_wage_index"]),
        t("T6", "meeting attendance 1928-29 over 1927-28 (below 1)", "F24", 0.0, 0.9999, &["meeting_attendance", "meetings_held"]),
        t(
            "T7",
            "share of recruits among active members, April 1929 (above 0.5)",
            "F32",
            0.5001,
            1.0,
            &["members_new_recruit", "members_old_cadre"],
        ),
        t("T8", "share loyal to the party line, April 1929 (at most 0.2)", "F22", 0.0, 0.2, &["mood_loyal"]),
        t(
            "T9",
            "share of worker exiles favouring the radical strategy, 1929 (above 0.5)",
            "F35-F37",
            0.5001,
            1.0,
            &["exile_workers_radical"],
        ),
        t(
            "T10",
            "share of factories reporting absences or slow-downs, Jan-Mar 1929 (above 0.5)",
            "F11, F12",
            0.5001,
            1.0,
            &["factories_discipline"],
        ),
        t("T11", "the smaller year's share of the 1928-29 strikes (at least 0.25)", "F12, F13, F28", 0.25, 0.5, &["strikes_started"]),
        t("T12", "the largest calendar quarter's share of the 1928-29 strikes (at most 0.35)", "F13", 0.0, 0.35, &["strikes_started"]),
        t("T13", "active membership in April 1929 over its peak (at least 0.3)", "F22, F38", 0.3, 1.0, MEMBERS),
        t(
            "T13b",
            "recruits active in April 1929 over the membership at the start (at least 0.2)",
            "F23, F32",
            0.2,
            inf,
            &["members_new_recruit", "members_bl", "members_decists"],
        ),
        t(
            "T14",
            "largest weekly share of the workforce in a slow-down (at most 1/3)",
            "F11, F12",
            0.0,
            1.0 / 3.0,
            &["italianka_workers", "population"],
        ),
        t("T15", "share loyal to the party line, April 1929 (at least 0.02)", "F22, F29", 0.02, 1.0, &["mood_loyal"]),
        t(
            "T15b",
            "party members' loyal share over non-party workers', April 1929 (at least 2)",
            "F29",
            2.0,
            inf,
            &["loyal_party", "loyal_nonparty"],
        ),
    ]
}
