//! What every model promises the commands, whatever its rules: dated events can be
//! switched off, and outcomes and targets named for a date read that date's step or are
//! not measurable — never another step in its place.

use chrono::NaiveDate;
use perelom_engine::{Clock, ColumnData, StepUnit, Table};
use perelom_models::ussr::{outcomes::outcomes, targets};
use perelom_models::{build, builtin_scenarios, check, load_scenario_text, warnings};
use perelom_scenario::{Scenario, Value};

fn builtin_scenario(name: &str) -> Scenario {
    let b = builtin_scenarios().iter().find(|b| b.name == name).expect("a built-in scenario");
    load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"))
}

/// A quick version of a built-in scenario: few people and weeks for the dated model;
/// Epstein's scenarios keep their own length (their schedules are timed in steps).
fn small(mut s: Scenario) -> Scenario {
    if s.get("population.scale").is_some() {
        s.set("population.scale=0.002").unwrap();
        s.set("run.steps=5").unwrap();
    }
    s
}

#[test]
fn every_dated_event_can_be_switched_off_and_the_model_still_runs() {
    for b in builtin_scenarios() {
        let base = small(builtin_scenario(b.name));
        let events: Vec<&str> = base.params.iter().filter(|p| p.spec.event.is_some()).map(|p| p.spec.key).collect();
        let mut all = base.clone();
        for key in &events {
            let mut one = base.clone();
            one.set(&format!("{key}=off")).unwrap_or_else(|e| panic!("{key}: {e}"));
            all.set(&format!("{key}=off")).unwrap();
            check(&one).unwrap_or_else(|e| panic!("{key}=off: {e}"));
            build(&one).unwrap_or_else(|e| panic!("{key}=off: {e}")).run_to_end();
        }
        build(&all).unwrap_or_else(|e| panic!("{}: every event off: {e}", b.name)).run_to_end();
        // Parameters that are not dated events cannot be switched off.
        for p in base.params.iter().filter(|p| p.spec.event.is_none()) {
            assert!(base.clone().set(&format!("{}=off", p.spec.key)).is_err(), "{}", p.spec.key);
        }
    }
}

#[test]
fn a_new_party_that_is_never_called_is_off_in_the_baseline() {
    let s = builtin_scenario("ussr-1928-1929");
    assert_eq!(s.get("bl.new_party_from").unwrap().value, Value::Off);
    assert!(warnings(&s).is_empty(), "{:?}", warnings(&s));
}

#[test]
fn a_typo_in_an_event_date_is_warned_about() {
    let mut s = builtin_scenario("ussr-1928-1929");
    s.set("ogpu.escalation=1992-09-24").unwrap();
    let w = warnings(&s);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].to_string().contains("`ogpu.escalation` = 1992-09-24 is after the run ends (1929-12-29)"), "{}", w[0]);
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A table of `weeks` rows whose every metric equals the week's number.
fn ramp(weeks: usize) -> Table {
    let mut t = Table::new();
    let x: Vec<f64> = (0..weeks).map(|w| w as f64).collect();
    for k in ["members_bl", "mood_loyal", "exiles", "real_wage_index", "population"] {
        t.push(k, ColumnData::F64(x.clone()));
    }
    t.push("members_decists", ColumnData::F64(vec![0.0; weeks]));
    t
}

fn outcome(t: &Table, clock: &Clock, name: &str) -> f64 {
    // Scale 1: counts are read as they are (full-scale equivalents divide by the scale).
    let name = format!("{name} (full-scale equivalent)");
    let name = if name.contains("share") { name.trim_end_matches(" (full-scale equivalent)").to_string() } else { name };
    outcomes(t, clock, 1.0).into_iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no outcome {name}")).1
}

#[test]
fn dated_outcomes_read_their_week_or_are_not_measurable() {
    let start = d(1928, 1, 2);
    let long = Clock::dated(start, StepUnit::Week, 150);
    let t = ramp(150);
    // Week 65 begins 1929-04-01; week 103 is the last week of 1929, whatever follows it.
    assert_eq!(outcome(&t, &long, "opposition members, April 1929"), 65.0);
    assert_eq!(outcome(&t, &long, "opposition members, end 1929"), 103.0);
    assert_eq!(outcome(&t, &long, "exiles, end 1929"), 103.0);
    let short = Clock::dated(start, StepUnit::Week, 30);
    let t = ramp(30);
    for name in ["opposition members, April 1929", "opposition members, end 1929", "loyal share, April 1929", "exiles, end 1929"] {
        assert!(outcome(&t, &short, name).is_nan(), "{name} is not measurable in 30 weeks");
    }
    assert_eq!(outcome(&t, &short, "peak opposition membership"), 29.0);
}

#[test]
fn targets_read_their_dates_or_are_not_measurable() {
    let start = d(1928, 1, 2);
    let ids: Vec<&str> = targets::targets().iter().map(|t| t.id).collect();
    let at = |v: &[Option<f64>], id: &str| v[ids.iter().position(|i| *i == id).unwrap()];
    let long = Clock::dated(start, StepUnit::Week, 150);
    let m = targets::measure(&ramp(150), &long, 1.0);
    assert!(m.iter().all(Option::is_some), "{m:?}");
    assert_eq!(at(&m, "T8"), Some(65.0), "the loyal share of April 1929, not of the last week");
    assert_eq!(at(&m, "T3"), Some(1.0), "membership at the end of 1929 over its peak in 1928-1929");
    let short = Clock::dated(start, StepUnit::Week, 30);
    let m = targets::measure(&ramp(30), &short, 1.0);
    assert!(m.iter().all(Option::is_none), "a run of 30 weeks reaches none of the targets' dates: {m:?}");
    assert_eq!(targets::measurable(&short), vec![false; ids.len()]);
    // 70 weeks reach April 1929 (T7, T8, T13b, T15), the first quarter of 1929 (T10) and
    // both campaigns (T4, T4b, T6), nothing later; T13 needs the peak of all 1928-1929.
    let mid = Clock::dated(start, StepUnit::Week, 70);
    let reach: Vec<&str> = ids.iter().zip(targets::measurable(&mid)).filter(|(_, ok)| *ok).map(|(i, _)| *i).collect();
    assert_eq!(reach, ["T4", "T4b", "T6", "T7", "T8", "T10", "T13b", "T15", "T15b"]);
    let m = targets::measure(&ramp(70), &mid, 1.0);
    assert_eq!(m.iter().map(Option::is_some).collect::<Vec<_>>(), targets::measurable(&mid));
    // A run that starts after 1928 began cannot measure the two-year targets.
    let late = Clock::dated(d(1928, 6, 4), StepUnit::Week, 104);
    assert!(!targets::measurable(&late)[0], "T1 needs all of 1928-1929");
}

#[test]
fn a_real_short_run_measures_what_its_clock_says() {
    let mut s = builtin_scenario("ussr-1928-1929");
    s.set("population.scale=0.002").unwrap();
    s.set("run.steps=70").unwrap();
    let clock = targets::clock(&s);
    let mut sim = build(&s).unwrap();
    sim.run_to_end();
    assert_eq!(sim.clock(), &clock);
    let full = s.int("population.full_scale") as f64;
    let m = targets::measure(&sim.metrics(), sim.clock(), full);
    assert_eq!(m.iter().map(Option::is_some).collect::<Vec<_>>(), targets::measurable(&clock));
}

#[test]
fn with_seed_sets_the_seed_and_refuses_one_beyond_its_range() {
    for b in perelom_models::builtin_scenarios() {
        let s = perelom_models::load_scenario_text(b.name, b.text).unwrap();
        let seeded = s.clone().with_seed(42, "--seed").unwrap();
        assert_eq!(seeded.int("run.seed"), 42, "{}", b.name);
        assert_eq!(seeded.get("run.seed").unwrap().origin, perelom_scenario::Origin::by("--seed"));
        assert!(s.with_seed(u64::MAX, "--seed").is_err(), "{}", b.name);
    }
}

/// The descriptor's data dictionary is the metrics table a run records: the same columns
/// in the same order (after `step` and `date`), with the same kind, unit and meaning; and
/// every charted column is in it. Front ends label charts from it before any run.
#[test]
fn the_descriptors_metrics_are_the_recorded_columns_and_cover_the_charts() {
    for info in perelom_models::models() {
        let b = builtin_scenarios().iter().find(|b| load_scenario_text(b.name, b.text).is_ok_and(|s| s.meta.model == info.name));
        let s = small(builtin_scenario(b.expect("a built-in scenario of every model").name));
        let mut sim = build(&s).unwrap_or_else(|e| panic!("{e}"));
        sim.step();
        let table = sim.metrics();
        let recorded: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).filter(|n| *n != "step" && *n != "date").collect();
        let specs = (info.metrics)();
        let declared: Vec<&str> = specs.iter().map(|m| m.name).collect();
        assert_eq!(recorded, declared, "{}", info.name);
        for m in &specs {
            assert_eq!(table.doc(m.name), Some(&m.column_doc()), "{}: {}", info.name, m.name);
            assert!(!m.doc.is_empty() && !m.unit.is_empty(), "{}: {}", info.name, m.name);
        }
        for g in info.charts {
            for c in g.columns {
                assert!(info.metric(c).is_some(), "{}: chart `{}` draws `{c}`, which is not in the dictionary", info.name, g.title);
            }
        }
    }
}

/// A model's map splits metrics by place: summed over its places, each layer is its
/// metric column, week by week; every place of the tables has an outline.
#[test]
fn a_map_splits_its_metrics_by_place() {
    let mut maps = 0;
    for info in perelom_models::models() {
        let Some(map) = &info.map else { continue };
        maps += 1;
        let b = builtin_scenarios().iter().find(|b| load_scenario_text(b.name, b.text).is_ok_and(|s| s.meta.model == info.name));
        let mut s = builtin_scenario(b.expect("a built-in scenario of every model").name);
        if let Some(k) = info.scale_key {
            s.set(&format!("{k}=0.005")).unwrap();
        }
        s.set("run.steps=60").unwrap();
        let mut sim = build(&s).unwrap_or_else(|e| panic!("{e}"));
        sim.run_to_end();
        let counts = (map.count)(sim.as_ref());
        assert_eq!(counts.len(), map.layers.len(), "{}", info.name);
        let metrics = sim.metrics();
        let mut seen = 0u64;
        for (layer, per_area) in map.layers.iter().zip(&counts) {
            assert_eq!(per_area.len(), map.areas.len());
            let want = metrics.numbers(layer.metric).unwrap_or_else(|| panic!("{}: no metric {}", info.name, layer.metric));
            for (step, w) in want.iter().enumerate() {
                let got: u32 = per_area.iter().map(|a| a[step]).sum();
                assert_eq!(f64::from(got), *w, "{}: {} at step {step}", info.name, layer.key);
                seen += u64::from(got);
            }
        }
        assert!(seen > 0, "{}: the map counts nothing in 60 steps", info.name);
        for a in map.areas {
            assert!(a.path.starts_with('M') && a.path.ends_with('Z'), "{}", a.name);
            assert!(a.label.0 > 0.0 && a.label.0 < map.size.0 as f32 && a.label.1 > 0.0 && a.label.1 < map.size.1 as f32, "{}", a.name);
        }
    }
    assert!(maps > 0, "some model has a map");
}
