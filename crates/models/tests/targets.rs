//! The targets T1–T15 read on hand-made weekly tables whose answers are worked out by
//! hand from the definitions in `ussr/targets.rs`: each reading equals its hand value,
//! a table inside a target's range hits it and one outside misses it, a run that does
//! not cover a target's dates cannot measure it, and a missing metric reads as NaN.
//!
//! The calendar of the tables is the baseline's: weekly steps from Monday 2 January 1928.
//! The weeks the definitions read (a week is the step holding the date):
//!
//! | date | week | | date | week |
//! |---|---|---|---|---|
//! | 1928-07-01 (campaign split) | 25 | | 1929-04-01 | 65 |
//! | 1929-01-01 (year split) | 52 | | 1929-10-01 | 91 |
//! | 1929-03-01 (end of the campaigns' span) | 60 | | 1930-01-01 | 104 (after the run) |
//!
//! and the quarters (by each week's Thursday) are weeks 0–12, 13–25, ..., 91–103.

use chrono::NaiveDate;
use perelom_engine::{Clock, ColumnData, StepUnit, Table};
use perelom_models::ussr::targets::{clock, measurable, measure, targets, Target};
use perelom_models::{builtin, load_scenario_text};
use std::ops::Range;

const WEEKS: usize = 104;
/// The workforce at scale 1 (the denominator of T1 and T4's full-scale equivalents).
const FULL: f64 = 3_000_000.0;
/// The modelled workforce of the tables: scale 1/30.
const POPULATION: f64 = 100_000.0;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn weekly(steps: u32) -> Clock {
    Clock::dated(d(1928, 1, 2), StepUnit::Week, steps)
}

/// A column of `default` with `value` over each of the ranges given.
fn column(n: usize, default: f64, set: &[(Range<usize>, f64)]) -> Vec<f64> {
    let mut v = vec![default; n];
    for (r, x) in set {
        for y in &mut v[r.clone()] {
            *y = *x;
        }
    }
    v
}

fn at(w: usize, x: f64) -> (Range<usize>, f64) {
    (w..w + 1, x)
}

/// A table of 104 weeks on which every target hits, with these hand values:
///
/// - strikes: one in every even week before week 100 = 50 (26 in 1928, 24 in 1929; 7 in
///   each of the quarters 0, 2, 4, 6, 6 in quarters 1, 3, 5 and 4 in quarter 7);
///   T1 = 50 / (1,569 × 100,000 / 3,000,000) = 50 / 52.3; T11 = 24/50; T12 = 7/50.
/// - members (BL + Decists): 100 a week, 200 in week 40 (the peak), 80 in week 65, 20 in
///   weeks 91–97 and 10 in weeks 98–103; T3 = 10/200; T13 = 80/200.
/// - blue-collar members: 19 a week in weeks 91–97, 5 in weeks 98–103, none before;
///   T2 pooled = (7 × 19 + 6 × 5) / (7 × 20 + 6 × 10) = 163/200 (the mean of the weekly
///   shares would be 0.742, a miss).
/// - week 65: 60 recruits and 20 old cadres; T7 = 60/80; T13b = 60/100 (first week).
/// - meetings: held 100 in weeks 5, 10, 50, 55 and 70, failed 20, 20, 40, 40, 0; won in
///   weeks 5, 10 (first campaign), 50 (second) and 70 (after the span); attendance
///   0.6, 0.4, 0.3, 0.2, 0.9 there and 0.95 in weeks without a meeting.
///   T4 = min(2, 1) / (1/30) = 30; T4b = 3 / (400 − 120) = 3/280; T6 = 0.25 / 0.5.
/// - real wage: 1.0 in week 0, 1.2 in week 1, 0.9 after, 0.8 in week 103; T5 = 0.8.
/// - loyal share 0.5, in week 65 0.1; T8 = T15 = 0.1. Loyal shares of party and
///   non-party people 0.1 and 0.5, in week 65 0.6 and 0.2; T15b = 3.
/// - radical worker exiles: 0 in 1928, 0.4 in weeks 52–77, 0.8 in weeks 78–103; T9 = 0.6.
/// - factories reporting indiscipline: 0.1, in weeks 52–58 0.8, in weeks 59–64 0.3;
///   T10 = (7 × 0.8 + 6 × 0.3) / 13 = 7.4/13.
/// - workers in a slow-down: 1,000, in week 30 20,000; T14 = 20,000 / 100,000.
fn hits() -> Table {
    let n = WEEKS;
    let mut t = Table::new();
    let mut push = |name: &str, v: Vec<f64>| {
        t.push(name, ColumnData::F64(v));
    };
    push("population", vec![POPULATION; n]);
    push("strikes_started", (0..n).map(|w| if w % 2 == 0 && w < 100 { 1.0 } else { 0.0 }).collect());
    push("members_bl", column(n, 80.0, &[at(40, 150.0), at(65, 60.0), (91..98, 15.0), (98..104, 5.0)]));
    push("members_decists", column(n, 20.0, &[at(40, 50.0), at(65, 20.0), (91..98, 5.0), (98..104, 5.0)]));
    push("members_blue", column(n, 0.0, &[(91..98, 19.0), (98..104, 5.0)]));
    push("members_new_recruit", column(n, 0.0, &[at(65, 60.0)]));
    push("members_old_cadre", column(n, 100.0, &[at(40, 200.0), at(65, 20.0), (91..98, 20.0), (98..104, 10.0)]));
    push("opposition_resolutions", column(n, 0.0, &[at(5, 1.0), at(10, 1.0), at(50, 1.0), at(70, 1.0)]));
    push("meetings_held", column(n, 0.0, &[at(5, 100.0), at(10, 100.0), at(50, 100.0), at(55, 100.0), at(70, 100.0)]));
    push("meetings_failed", column(n, 0.0, &[at(5, 20.0), at(10, 20.0), at(50, 40.0), at(55, 40.0)]));
    push("meeting_attendance", column(n, 0.95, &[at(5, 0.6), at(10, 0.4), at(50, 0.3), at(55, 0.2), at(70, 0.9)]));
    push("real_wage_index", column(n, 0.9, &[at(0, 1.0), at(1, 1.2), at(103, 0.8)]));
    push("mood_loyal", column(n, 0.5, &[at(65, 0.1)]));
    push("loyal_party", column(n, 0.1, &[at(65, 0.6)]));
    push("loyal_nonparty", column(n, 0.5, &[at(65, 0.2)]));
    push("exile_workers_radical", column(n, 0.0, &[(52..78, 0.4), (78..104, 0.8)]));
    push("factories_discipline", column(n, 0.1, &[(52..59, 0.8), (59..65, 0.3)]));
    push("italianka_workers", column(n, 1_000.0, &[at(30, 20_000.0)]));
    t
}

/// The hand values of [`hits`], in the order of [`targets`].
fn hit_values() -> Vec<(&'static str, f64)> {
    vec![
        ("T1", 50.0 / 52.3),
        ("T2", 163.0 / 200.0),
        ("T3", 10.0 / 200.0),
        ("T4", 30.0),
        ("T4b", 3.0 / 280.0),
        ("T5", 0.8),
        ("T6", 0.5),
        ("T7", 0.75),
        ("T8", 0.1),
        ("T9", 0.6),
        ("T10", 7.4 / 13.0),
        ("T11", 0.48),
        ("T12", 0.14),
        ("T13", 0.4),
        ("T13b", 0.6),
        ("T14", 0.2),
        ("T15", 0.1),
        ("T15b", 3.0),
    ]
}

/// `t` with column `name` replaced.
fn with(mut t: Table, name: &str, v: Vec<f64>) -> Table {
    let c = t.columns.iter_mut().find(|c| c.name == name).unwrap_or_else(|| panic!("no column {name}"));
    c.data = ColumnData::F64(v);
    t
}

/// `t` with column `name` changed where `set` says.
fn edit(t: Table, name: &str, set: &[(Range<usize>, f64)]) -> Table {
    let mut v = t.numbers(name).unwrap_or_else(|| panic!("no column {name}"));
    for (r, x) in set {
        for y in &mut v[r.clone()] {
            *y = *x;
        }
    }
    with(t, name, v)
}

/// The first `weeks` rows of [`hits`]: a run that stopped after them.
fn first_weeks(weeks: usize) -> Table {
    let mut t = hits();
    for c in &mut t.columns {
        if let ColumnData::F64(v) = &mut c.data {
            v.truncate(weeks);
        }
    }
    t
}

fn without(mut t: Table, name: &str) -> Table {
    t.columns.retain(|c| c.name != name);
    t
}

fn target(id: &str) -> Target {
    targets().into_iter().find(|t| t.id == id).unwrap_or_else(|| panic!("no target {id}"))
}

fn index(id: &str) -> usize {
    targets().iter().position(|t| t.id == id).unwrap_or_else(|| panic!("no target {id}"))
}

/// The reading of target `id` on a table of the baseline calendar.
fn reading(t: &Table, id: &str) -> Option<f64> {
    measure(t, &weekly(t.rows() as u32), FULL)[index(id)]
}

fn close(x: f64, want: f64) -> bool {
    (x - want).abs() <= 1e-12 * want.abs().max(1.0)
}

/// Asserts the reading of `id` equals `want` and whether it hits.
fn check(t: &Table, id: &str, want: f64, hit: bool) {
    let x = reading(t, id).unwrap_or_else(|| panic!("{id} not measurable"));
    assert!(close(x, want), "{id} reads {x}, by hand {want}");
    assert_eq!(target(id).hits(Some(x)), hit, "{id} = {x}: hit should be {hit} (range {}..={})", target(id).lo, target(id).hi);
}

#[test]
fn the_hand_values_are_in_the_order_of_the_targets() {
    let ids: Vec<&str> = targets().iter().map(|t| t.id).collect();
    let hand: Vec<&str> = hit_values().iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, hand);
}

#[test]
fn every_target_reads_its_hand_value_and_hits_on_a_table_inside_every_range() {
    let t = hits();
    let m = measure(&t, &weekly(104), FULL);
    assert_eq!(m.len(), targets().len());
    for ((target, (id, want)), x) in targets().iter().zip(hit_values()).zip(&m) {
        assert_eq!(target.id, id);
        let x = x.unwrap_or_else(|| panic!("{id} is not measurable on 104 weeks"));
        assert!(close(x, want), "{id} reads {x}, by hand {want}");
        assert!(target.hits(Some(x)), "{id} = {x} misses {}..={}", target.lo, target.hi);
    }
}

#[test]
fn t1_t11_t12_strikes_count_share_by_year_and_by_quarter() {
    // Twice the strikes: T1 doubles and misses, the shares stay.
    let twice = with(hits(), "strikes_started", (0..WEEKS).map(|w| if w % 2 == 0 && w < 100 { 2.0 } else { 0.0 }).collect());
    check(&twice, "T1", 100.0 / 52.3, false);
    check(&twice, "T11", 0.48, true);
    check(&twice, "T12", 0.14, true);
    // Three strikes a week in the third quarter of 1928 only (weeks 39-51): 39 strikes.
    let bunched = with(hits(), "strikes_started", column(WEEKS, 0.0, &[(39..52, 3.0)]));
    check(&bunched, "T1", 39.0 / 52.3, false);
    check(&bunched, "T11", 0.0, false);
    check(&bunched, "T12", 1.0, false);
    // At the boundaries: 30 strikes in weeks 0-29 and 10 in weeks 52-61 make 1929's share
    // exactly 0.25 (a hit) and the largest quarter 13/40 (weeks 0-12, 13-25).
    let edge = with(hits(), "strikes_started", column(WEEKS, 0.0, &[(0..30, 1.0), (52..62, 1.0)]));
    check(&edge, "T11", 0.25, true);
    check(&edge, "T12", 13.0 / 40.0, true);
    // 7 + 7 + 6 strikes in three quarters: the largest is exactly 0.35 of them, a hit.
    let edge = with(hits(), "strikes_started", column(WEEKS, 0.0, &[(0..7, 1.0), (13..20, 1.0), (52..58, 1.0)]));
    check(&edge, "T12", 0.35, true);
    check(&edge, "T11", 6.0 / 20.0, true);
    // One more in the largest quarter: 8/21, a miss.
    let over = edit(edge, "strikes_started", &[at(7, 1.0)]);
    check(&over, "T12", 8.0 / 21.0, false);
}

#[test]
fn t1_t4_t14_use_the_first_weeks_workforce() {
    // The modelled workforce is the population of the first week: later weeks' figures
    // (here half of it) change neither the full-scale equivalents nor T14's share.
    let t = edit(hits(), "population", &[(1..WEEKS, POPULATION / 2.0)]);
    check(&t, "T1", 50.0 / 52.3, true);
    check(&t, "T4", 30.0, true);
    check(&t, "T14", 0.2, true);
    // Twice the workforce in the first week: T1 and T4 halve, T14 halves.
    let t = edit(hits(), "population", &[at(0, 2.0 * POPULATION)]);
    check(&t, "T1", 25.0 / 52.3, false);
    check(&t, "T4", 15.0, true);
    check(&t, "T14", 0.1, true);
}

#[test]
fn t2_pools_the_last_quarter_of_1929() {
    // Fewer blue-collar members: (7 × 10 + 6 × 2) / 200, a miss.
    let t = edit(hits(), "members_blue", &[(91..98, 10.0), (98..104, 2.0)]);
    check(&t, "T2", 82.0 / 200.0, false);
    // Blue-collar members before October 1929 are not read.
    let t = edit(hits(), "members_blue", &[(0..91, 1_000.0)]);
    check(&t, "T2", 163.0 / 200.0, true);
}

#[test]
fn t3_and_t13_read_the_end_and_april_against_the_peak() {
    // 20 members at the end of 1929: exactly 0.1 of the peak, still a hit.
    let t = edit(edit(hits(), "members_bl", &[(98..104, 15.0)]), "members_decists", &[(98..104, 5.0)]);
    check(&t, "T3", 0.1, true);
    // 25: a miss.
    let t = edit(edit(hits(), "members_bl", &[(98..104, 20.0)]), "members_decists", &[(98..104, 5.0)]);
    check(&t, "T3", 0.125, false);
    // A new peak of 400 in week 100: the end reads 10/400 and April 80/400 (a miss).
    let t = edit(hits(), "members_bl", &[at(100, 395.0)]);
    check(&t, "T3", 10.0 / 400.0, true);
    check(&t, "T13", 0.2, false);
    // 40 members in April 1929: T13 = 0.2, a miss.
    let t = edit(edit(hits(), "members_bl", &[at(65, 20.0)]), "members_decists", &[at(65, 20.0)]);
    check(&t, "T13", 0.2, false);
}

#[test]
fn t4_counts_wins_in_the_weaker_campaign_and_t4b_over_quorate_meetings() {
    // No win in the second campaign: T4 is 0 and misses; T4b = 2/280 still hits.
    let t = edit(hits(), "opposition_resolutions", &[at(50, 0.0)]);
    check(&t, "T4", 0.0, false);
    check(&t, "T4b", 2.0 / 280.0, true);
    // Three more wins in the second campaign: the first (2) is the weaker.
    let t = edit(hits(), "opposition_resolutions", &[at(55, 3.0)]);
    check(&t, "T4", 60.0, true);
    check(&t, "T4b", 6.0 / 280.0, true);
    // Most meetings fail: 400 − 360 = 40 quorate, 3/40 won, a miss.
    let t = edit(hits(), "meetings_failed", &[at(5, 90.0), at(10, 90.0), at(50, 90.0), at(55, 90.0)]);
    check(&t, "T4b", 3.0 / 40.0, false);
    check(&t, "T4", 30.0, true);
    // Meetings and wins after February 1929 are not read.
    let t = edit(edit(hits(), "opposition_resolutions", &[at(80, 50.0)]), "meetings_held", &[at(80, 60.0)]);
    check(&t, "T4", 30.0, true);
    check(&t, "T4b", 3.0 / 280.0, true);
}

#[test]
fn the_campaigns_split_at_the_first_week_of_july_1928() {
    // A week belongs to the half-year of its Thursday: week 26 (2-8 July) is the first of
    // the second campaign's span; week 25 (25 June-1 July, Thursday 28 June) is June's.
    // A win in week 26 belongs to the second campaign (2 and 2 wins, T4 = 2 x 30), a win
    // in week 25 to the first (3 and 1, T4 = 30).
    let t = edit(edit(hits(), "opposition_resolutions", &[at(26, 1.0)]), "meetings_held", &[at(26, 100.0)]);
    check(&t, "T4", 60.0, true);
    check(&t, "T4b", 4.0 / 380.0, true);
    let t = edit(edit(hits(), "opposition_resolutions", &[at(25, 1.0)]), "meetings_held", &[at(25, 100.0)]);
    check(&t, "T4", 30.0, true);
    // Attendance 0.8 at a meeting in week 26 joins the second campaign's mean:
    // (0.3 + 0.2 + 0.8) / 3 over 0.5.
    let t = edit(edit(hits(), "meeting_attendance", &[at(26, 0.8)]), "meetings_held", &[at(26, 100.0)]);
    check(&t, "T6", 1.3 / 3.0 / 0.5, true);
    // In week 25 it joins the first: 0.25 over (0.6 + 0.4 + 0.8) / 3.
    let t = edit(edit(hits(), "meeting_attendance", &[at(25, 0.8)]), "meetings_held", &[at(25, 100.0)]);
    check(&t, "T6", 0.25 / 0.6, true);
}

#[test]
fn the_second_campaign_ends_with_the_week_of_28_february_1929() {
    // Week 60 (25 February-3 March 1929) holds the campaign's last day, 28 February, its
    // Thursday: a win there counts (T4 = 2 x 30); week 61 is March's and does not.
    let t = edit(edit(hits(), "opposition_resolutions", &[at(60, 1.0)]), "meetings_held", &[at(60, 100.0)]);
    check(&t, "T4", 60.0, true);
    check(&t, "T4b", 4.0 / 380.0, true);
    let t = edit(edit(hits(), "opposition_resolutions", &[at(61, 1.0)]), "meetings_held", &[at(61, 100.0)]);
    check(&t, "T4", 30.0, true);
    check(&t, "T4b", 3.0 / 280.0, true);
    // A run that starts a week before 1928 does not count that week in the first campaign.
    let early = Clock::dated(d(1927, 12, 26), StepUnit::Week, 105);
    let mut t = hits();
    for c in t.columns.iter_mut() {
        if let ColumnData::F64(v) = &mut c.data {
            v.insert(0, if c.name == "opposition_resolutions" { 5.0 } else { v[0] });
        }
    }
    let m = measure(&t, &early, FULL);
    assert!(close(m[index("T4")].unwrap(), 30.0), "the 1927 week's wins are not 1928's: {:?}", m[index("T4")]);
}

#[test]
fn the_week_of_31_december_1928_belongs_to_1929() {
    // Week 52 begins on Monday 31 December 1928; its Thursday is 3 January 1929, so it
    // is in 1929's first quarter (T12) and in 1929 (T11). Strikes: 6 in weeks 0-5
    // (quarter 0), 6 in weeks 46-51 (quarter 3), 1 in week 52.
    let t = with(hits(), "strikes_started", column(WEEKS, 0.0, &[(0..6, 1.0), (46..52, 1.0), at(52, 1.0)]));
    check(&t, "T12", 6.0 / 13.0, false);
    check(&t, "T11", 1.0 / 13.0, false);
    check(&t, "T1", 13.0 / 52.3, false);
}

#[test]
fn t5_wants_a_real_wage_below_its_first_week() {
    check(&edit(hits(), "real_wage_index", &[at(103, 1.0)]), "T5", 1.0, false);
    check(&edit(hits(), "real_wage_index", &[at(103, 1.1)]), "T5", 1.1, false);
    check(&edit(hits(), "real_wage_index", &[at(0, 1.6)]), "T5", 0.5, true);
}

#[test]
fn t6_compares_attendance_in_weeks_with_meetings() {
    // The same mean attendance in both campaigns: 0.5 / 0.5, a miss.
    let t = edit(hits(), "meeting_attendance", &[at(50, 0.6), at(55, 0.4)]);
    check(&t, "T6", 1.0, false);
    // Attendance in weeks without a meeting is not read.
    let t = edit(hits(), "meeting_attendance", &[(11..25, 0.0), (26..50, 1.0)]);
    check(&t, "T6", 0.5, true);
}

#[test]
fn t7_t8_t13b_t15_t15b_read_the_week_of_1_april_1929() {
    // Recruits 20, old cadres 60: T7 = 0.25 misses; T13b = 20/100 exactly 0.2, a hit.
    let t = edit(edit(hits(), "members_new_recruit", &[at(65, 20.0)]), "members_old_cadre", &[at(65, 60.0)]);
    check(&t, "T7", 0.25, false);
    check(&t, "T13b", 0.2, true);
    // Other weeks are not read.
    let t = edit(hits(), "members_new_recruit", &[at(64, 1_000.0), at(66, 1_000.0)]);
    check(&t, "T7", 0.75, true);
    // Loyal 0.3: T8 misses, T15 hits; loyal 0.01: T8 hits, T15 misses.
    let t = edit(hits(), "mood_loyal", &[at(65, 0.3)]);
    check(&t, "T8", 0.3, false);
    check(&t, "T15", 0.3, true);
    let t = edit(hits(), "mood_loyal", &[at(65, 0.01)]);
    check(&t, "T8", 0.01, true);
    check(&t, "T15", 0.01, false);
    // Party members loyal 1.5 times as often: a miss.
    check(&edit(hits(), "loyal_party", &[at(65, 0.3)]), "T15b", 1.5, false);
    // No loyal non-party person: the ratio is undefined (NaN), never a hit.
    let x = reading(&edit(hits(), "loyal_nonparty", &[at(65, 0.0)]), "T15b").expect("measurable");
    assert!(x.is_nan() && !target("T15b").hits(Some(x)), "{x}");
}

#[test]
fn t9_and_t10_are_means_over_their_spans() {
    // Exactly half the worker exiles radical: "above 0.5" misses.
    check(&edit(hits(), "exile_workers_radical", &[(52..104, 0.5)]), "T9", 0.5, false);
    // 1928 is not read.
    check(&edit(hits(), "exile_workers_radical", &[(0..52, 1.0)]), "T9", 0.6, true);
    // Half the factories in January-March 1929: a miss.
    check(&edit(hits(), "factories_discipline", &[(52..65, 0.5)]), "T10", 0.5, false);
    // Weeks outside January-March 1929 are not read.
    check(&edit(hits(), "factories_discipline", &[(0..52, 1.0), (65..104, 1.0)]), "T10", 7.4 / 13.0, true);
}

#[test]
fn t14_is_the_largest_weekly_slow_down_share() {
    check(&edit(hits(), "italianka_workers", &[at(30, 40_000.0)]), "T14", 0.4, false);
    check(&edit(hits(), "italianka_workers", &[at(103, 30_000.0)]), "T14", 0.3, true);
}

#[test]
fn a_run_short_of_a_targets_dates_does_not_measure_it() {
    // 104 weeks end in the week of 23 December 1929, within a week of the end of 1929;
    // 103 weeks end in the week of 16 December and do not cover 1929.
    let ids: Vec<&str> = targets().iter().map(|t| t.id).collect();
    let m = measure(&first_weeks(103), &weekly(103), FULL);
    let measured: Vec<&str> = ids.iter().zip(&m).filter(|(_, x)| x.is_some()).map(|(id, _)| *id).collect();
    assert_eq!(measured, ["T4", "T4b", "T6", "T7", "T8", "T10", "T13b", "T15", "T15b"]);
    assert_eq!(m.iter().map(Option::is_some).collect::<Vec<_>>(), measurable(&weekly(103)));
    // What is measured reads the same weeks as in the whole run.
    for id in measured {
        let want = hit_values().into_iter().find(|(i, _)| *i == id).unwrap().1;
        assert!(close(m[index(id)].unwrap(), want), "{id}");
    }
    assert!(measurable(&weekly(104)).iter().all(|&ok| ok));
    // A run that begins a week late misses January 1928.
    let late = Clock::dated(d(1928, 1, 9), StepUnit::Week, 104);
    let m = measure(&hits(), &late, FULL);
    for id in ["T1", "T3", "T4", "T4b", "T5", "T11", "T12", "T13", "T14"] {
        assert_eq!(m[index(id)], None, "{id} needs the first week of 1928");
    }
    // 63 weeks end before the week of 25 March 1929: T10 (January-March 1929) is not
    // measurable; 65 weeks cover it and read its 13 weeks.
    assert_eq!(measure(&first_weeks(63), &weekly(63), FULL)[index("T10")], None);
    // 64 weeks lack only the week of 25 March: still not measurable (not 12 weeks read as 13).
    assert_eq!(measure(&first_weeks(64), &weekly(64), FULL)[index("T10")], None);
    // T4, T4b and T6 need the week of 25 February 1929 (week 60), the second campaign's last.
    for id in ["T4", "T4b", "T6"] {
        assert_eq!(measure(&first_weeks(60), &weekly(60), FULL)[index(id)], None, "{id}");
        assert!(measure(&first_weeks(61), &weekly(61), FULL)[index(id)].is_some(), "{id}");
    }
    check(&first_weeks(65), "T10", 7.4 / 13.0, true);
    // A table shorter than its clock (a run not finished) measures only what its rows
    // cover: the same as a run of that length, never NaN for the weeks it lacks.
    assert_eq!(measure(&first_weeks(63), &weekly(104), FULL), measure(&first_weeks(63), &weekly(63), FULL));
    // Not measurable is never a hit.
    assert!(!targets().iter().any(|t| t.hits(None)));
}

#[test]
fn the_scenarios_clock_is_the_runs_calendar() {
    let b = builtin("ussr-1928-1929").expect("baseline");
    let mut s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(clock(&s), weekly(104));
    s.set("run.steps=70").unwrap();
    s.set("run.start=1928-01-09").unwrap();
    assert_eq!(clock(&s), Clock::dated(d(1928, 1, 9), StepUnit::Week, 70));
}

/// Every target, with the metrics it reads.
const READS: [(&str, &[&str]); 18] = [
    ("T1", &["strikes_started", "population"]),
    ("T2", &["members_blue", "members_bl", "members_decists"]),
    ("T3", &["members_bl", "members_decists"]),
    ("T4", &["opposition_resolutions", "population"]),
    ("T4b", &["opposition_resolutions", "meetings_held", "meetings_failed"]),
    ("T5", &["real_wage_index"]),
    ("T6", &["meeting_attendance", "meetings_held"]),
    ("T7", &["members_new_recruit", "members_old_cadre"]),
    ("T8", &["mood_loyal"]),
    ("T9", &["exile_workers_radical"]),
    ("T10", &["factories_discipline"]),
    ("T11", &["strikes_started"]),
    ("T12", &["strikes_started"]),
    ("T13", &["members_bl", "members_decists"]),
    ("T13b", &["members_new_recruit", "members_bl", "members_decists"]),
    ("T14", &["italianka_workers", "population"]),
    ("T15", &["mood_loyal"]),
    ("T15b", &["loyal_party", "loyal_nonparty"]),
];

#[test]
fn a_missing_metric_reads_as_nan_for_the_targets_that_read_it_and_nothing_else() {
    let names: Vec<String> = hits().columns.iter().map(|c| c.name.clone()).collect();
    for name in names.iter().map(String::as_str) {
        let m = measure(&without(hits(), name), &weekly(104), FULL);
        for ((id, reads), (_, want)) in READS.iter().zip(hit_values()) {
            let x = m[index(id)].unwrap_or_else(|| panic!("{id} is measurable whatever the table holds"));
            if reads.contains(&name) {
                assert!(x.is_nan(), "{id} without {name} reads {x}, not NaN");
                assert!(!target(id).hits(Some(x)));
            } else {
                assert!(close(x, want), "{id} without {name} reads {x}, not {want}");
            }
        }
    }
}

#[test]
fn t14_without_its_metrics_is_nan() {
    for name in ["italianka_workers", "population"] {
        let x = reading(&without(hits(), name), "T14").expect("measurable");
        assert!(x.is_nan(), "T14 without {name} reads {x}");
    }
}

#[test]
fn tables_without_columns_or_rows_measure_nothing_and_never_panic() {
    let clock = weekly(104);
    for t in [Table::new(), {
        let mut t = Table::new();
        t.push("strikes_started", ColumnData::F64(vec![1.0; 50]));
        t
    }] {
        let m = measure(&t, &clock, FULL);
        assert_eq!(m.len(), targets().len());
        // Fewer rows than any target's weeks: nothing is measurable, nothing is hit.
        for (target, x) in targets().iter().zip(m) {
            assert_eq!(x, None, "{} from a table of {} rows", target.id, t.rows());
            assert!(!target.hits(x));
        }
    }
    // All 104 rows but no column a target reads: every target reads NaN (undefined).
    let mut t = Table::new();
    t.push("something_else", ColumnData::F64(vec![1.0; 104]));
    for (target, x) in targets().iter().zip(measure(&t, &clock, FULL)) {
        let x = x.expect("the rows cover every target");
        assert!(x.is_nan(), "{} reads {x} without its columns", target.id);
        assert!(!target.hits(Some(x)));
    }
}

/// Each target names the columns it reads (`Target::metrics`, by which the explorer puts it
/// beside their charts): on the table where every target hits, removing a column it names
/// leaves it undefined or changed, and removing any other column leaves it as it was.
#[test]
fn every_target_names_exactly_the_columns_it_reads() {
    let full = hits();
    let names: Vec<String> = full.columns.iter().map(|c| c.name.clone()).collect();
    let clock = weekly(WEEKS as u32);
    let before = measure(&full, &clock, FULL);
    for (i, t) in targets().iter().enumerate() {
        for m in t.metrics {
            assert!(names.iter().any(|n| n == m), "{} names `{m}`, which the metrics do not have", t.id);
        }
        for name in &names {
            let after = measure(&without(full.clone(), name), &clock, FULL)[i];
            let same = match (before[i], after) {
                (Some(a), Some(b)) => a.to_bits() == b.to_bits(),
                (a, b) => a.is_none() && b.is_none(),
            };
            if t.metrics.contains(&name.as_str()) {
                assert!(!same, "{} names `{name}` but reads the same without it", t.id);
            } else {
                assert!(same, "{} reads `{name}` ({:?} without it, {:?} with) but does not name it", t.id, after, before[i]);
            }
        }
    }
}
