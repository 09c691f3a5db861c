//! The 1928-1929 model's rules, checked through the public API.
//!
//! Parameters are being calibrated, so these tests check mechanisms (what a rule does,
//! and when), never calibrated magnitudes: wherever a test depends on a parameter's
//! size it sets that parameter itself.

use perelom_engine::{ColumnData, Table};
use perelom_models::ussr::{Class, Opp, Person, Status, Ussr};
use perelom_models::{build, builtin, load_scenario_text, Simulation};
use perelom_scenario::{Origin, Scenario};
use std::collections::{BTreeMap, HashSet};

const BASELINE: &str = "ussr-1928-1929";

/// The baseline at a small scale and a fixed seed, then `sets` applied in order.
fn scenario(sets: &[&str]) -> Scenario {
    let b = builtin(BASELINE).expect("built-in baseline");
    let mut s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"));
    for a in ["population.scale=0.005", "run.seed=3"].iter().chain(sets) {
        s.set(a).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    s
}

fn model(sets: &[&str]) -> Ussr {
    Ussr::new(&scenario(sets)).unwrap_or_else(|e| panic!("{e}"))
}

/// A whole run's weekly metrics.
fn run(sets: &[&str]) -> Table {
    let mut m = model(sets);
    m.run_to_end();
    m.metrics()
}

fn series(t: &Table, name: &str) -> Vec<f64> {
    t.numbers(name).unwrap_or_else(|| panic!("no metric {name}"))
}

/// The week (0-based step) of a date in the baseline calendar (weeks from Monday
/// 1928-01-02).
fn week_of(date: &str) -> usize {
    let start = chrono::NaiveDate::from_ymd_opt(1928, 1, 2).unwrap();
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    ((d - start).num_days() / 7) as usize
}

/// One cell of a table, compared exactly: numbers by their bits, text and dates by value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cell {
    Int(i64),
    Bits(u64),
    Text(String),
    Date(chrono::NaiveDate),
}

/// Row `r` of a table, every cell exactly, so that equality is bit-identity.
fn row_bits(t: &Table, r: usize) -> Vec<Cell> {
    t.columns
        .iter()
        .map(|c| match &c.data {
            ColumnData::I64(v) => Cell::Int(v[r]),
            ColumnData::F64(v) => Cell::Bits(v[r].to_bits()),
            ColumnData::Str(v) => Cell::Text(v[r].clone()),
            ColumnData::Date(v) => Cell::Date(v[r]),
        })
        .collect()
}

/// Whether two tables are bit-identical (same columns, names, types and values).
fn identical(a: &Table, b: &Table) -> bool {
    a.columns.len() == b.columns.len()
        && a.rows() == b.rows()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| {
            x.name == y.name
                && match (&x.data, &y.data) {
                    (ColumnData::F64(u), ColumnData::F64(v)) => u.iter().map(|z| z.to_bits()).eq(v.iter().map(|z| z.to_bits())),
                    (u, v) => u == v,
                }
        })
}

/// The first week in which any metric differs between two runs of the same length.
fn first_difference(a: &Table, b: &Table) -> Option<usize> {
    assert_eq!(a.rows(), b.rows());
    (0..a.rows()).find(|&r| row_bits(a, r) != row_bits(b, r))
}

#[test]
fn first_difference_compares_text_and_dates_by_value() {
    let table = |word: &str, day: u32| {
        let mut t = Table::new();
        t.push("step", ColumnData::I64(vec![0, 1]));
        t.push(
            "date",
            ColumnData::Date(vec![
                chrono::NaiveDate::from_ymd_opt(1928, 1, 2).unwrap(),
                chrono::NaiveDate::from_ymd_opt(1928, 1, day).unwrap(),
            ]),
        );
        t.push("event", ColumnData::Str(vec!["strike".into(), word.into()]));
        t
    };
    let a = table("arrest", 9);
    assert_eq!(first_difference(&a, &table("arrest", 9)), None);
    // Same length, other text: a length comparison would call these equal.
    assert_eq!(first_difference(&a, &table("sacked", 9)), Some(1));
    // Another date of the same length in text.
    assert_eq!(first_difference(&a, &table("arrest", 8)), Some(1));
}

fn status_counts(people: &[Person]) -> [usize; 6] {
    let mut c = [0; 6];
    for q in people {
        c[q.status as usize] += 1;
    }
    c
}

fn employed(s: Status) -> bool {
    matches!(s, Status::Working | Status::Sick | Status::Striking)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

// 1 -------------------------------------------------------------------------------------

#[test]
fn without_an_opposition_nothing_is_adopted_recruited_or_leafleted() {
    let mut m = model(&["opposition.expelled=0"]);
    assert_eq!(m.initial_members(), 0);
    assert!(m.people().iter().all(|q| q.opp == Opp::None));
    m.run_to_end();
    let t = m.metrics();
    assert_eq!(t.rows(), 104);
    for k in ["opposition_resolutions", "new_members", "leaflets", "members_bl", "members_decists", "sympathizers"] {
        assert!(series(&t, k).iter().all(|&x| x == 0.0), "{k} is not all zero");
    }
    // Meetings were held all the same: the rule, not the calendar, keeps the count at 0.
    assert!(series(&t, "meetings_held").iter().sum::<f64>() > 0.0);
    assert!(m.people().iter().all(|q| q.opp != Opp::Member));
}

// 2 -------------------------------------------------------------------------------------

#[test]
fn without_ogpu_capacity_nobody_is_arrested() {
    let mut m = model(&["ogpu.capacity=0", "ogpu.capacity_after=0"]);
    let exiled_at_start: HashSet<usize> =
        m.people().iter().enumerate().filter(|(_, q)| q.status == Status::Exiled).map(|(i, _)| i).collect();
    assert!(!exiled_at_start.is_empty(), "the baseline starts with leaders in exile");
    m.run_to_end();
    let t = m.metrics();
    assert!(series(&t, "arrests").iter().all(|&a| a == 0.0));
    assert!(series(&t, "arrested").iter().all(|&a| a == 0.0));
    let exiles = series(&t, "exiles");
    assert_eq!(exiles[0], exiled_at_start.len() as f64);
    assert!(exiles.iter().all(|&e| e == exiles[0]), "exiles changed: {exiles:?}");
    for (i, q) in m.people().iter().enumerate() {
        assert_ne!(q.status, Status::Arrested, "person {i}");
        if q.status == Status::Exiled {
            assert!(exiled_at_start.contains(&i), "person {i} exiled without arrest");
        }
    }
}

// 3 -------------------------------------------------------------------------------------

#[test]
fn arrested_exiled_or_sacked_people_are_never_rehired_f39() {
    // A repressive setting so that all three fates occur in a short test: heavy
    // policing, short prison terms, and strikes that are always put down.
    let mut m = model(&[
        "population.scale=0.01",
        "ogpu.capacity=200",
        "ogpu.capacity_after=2000",
        "ogpu.prison_weeks=2",
        "strikes.concession=0",
        "strikes.leaders=10",
        "protest.strike=0.1",
        "protest.shop_stop=0.2",
    ]);
    let mut gone: Vec<Option<Status>> = vec![None; m.people().len()];
    let mut seen = [0usize; 6];
    for week in 0..104 {
        for (i, q) in m.people().iter().enumerate() {
            if let Some(was) = gone[i] {
                assert!(!employed(q.status), "week {week}: person {i} was {was:?} and is {:?} again", q.status);
            } else if matches!(q.status, Status::Arrested | Status::Exiled | Status::Blacklisted) {
                gone[i] = Some(q.status);
                seen[q.status as usize] += 1;
            }
        }
        m.step();
    }
    assert!(seen[Status::Arrested as usize] > 0, "nobody was arrested: {seen:?}");
    assert!(seen[Status::Exiled as usize] > 0, "nobody was exiled: {seen:?}");
    assert!(seen[Status::Blacklisted as usize] > 0, "nobody was blacklisted: {seen:?}");
}

// 4 -------------------------------------------------------------------------------------

#[test]
fn real_wage_is_monotone_in_tariff_band() {
    let s = scenario(&[]);
    let coef = s.floats("tariff.coefficients");
    assert_eq!(coef.len(), 17);
    assert!(coef.windows(2).all(|w| w[0] < w[1]), "coefficients not increasing: {coef:?}");

    let mut m = Ussr::new(&s).unwrap_or_else(|e| panic!("{e}"));
    let mut compared = 0usize;
    for week in 0..104 {
        m.step();
        // (factory, band) -> (min, max) real wage of those working this week.
        let mut by: BTreeMap<(u32, u8), (f32, f32)> = BTreeMap::new();
        for q in m.people().iter().filter(|q| q.status == Status::Working) {
            let e = by.entry((q.factory, q.band)).or_insert((f32::MAX, f32::MIN));
            e.0 = e.0.min(q.real_wage);
            e.1 = e.1.max(q.real_wage);
        }
        let cells: Vec<_> = by.into_iter().collect();
        for pair in cells.windows(2) {
            let (((fa, ba), (_, max_a)), ((fb, bb), (min_b, _))) = (pair[0], pair[1]);
            if fa == fb {
                assert!(max_a < min_b, "week {week}, factory {fa}: band {ba} earns up to {max_a}, band {bb} from {min_b}");
                compared += 1;
            }
        }
    }
    assert!(compared > 1000, "too few comparisons: {compared}");
}

// 5 -------------------------------------------------------------------------------------

#[test]
fn ogpu_escalation_takes_effect_in_its_week() {
    let with = |date: &str, before: &str| -> Table {
        let escalation = format!("ogpu.escalation={date}");
        let capacity = format!("ogpu.capacity={before}");
        run(&["population.scale=0.01", &escalation, &capacity, "ogpu.capacity_after=450", "ogpu.informer_growth=2.5"])
    };
    let e = week_of("1928-09-24");
    let on = with("1928-09-24", "30");
    let off = with("1999-12-31", "30");
    assert_eq!(first_difference(&on, &off), Some(e));
    let (a_on, a_off) = (series(&on, "arrests"), series(&off, "arrests"));
    assert_eq!(a_on[..e], a_off[..e]);
    let after = |v: &[f64]| v[e..].iter().sum::<f64>();
    assert!(after(&a_on) > after(&a_off), "{} vs {}", after(&a_on), after(&a_off));

    // With no capacity before the escalation, arrests begin exactly in its week.
    let a = series(&with("1928-09-24", "0"), "arrests");
    assert!(a[..e].iter().all(|&x| x == 0.0));
    assert!(a[e..].iter().sum::<f64>() > 0.0);
}

#[test]
fn rent_rise_takes_effect_in_its_week() {
    let rent = ["rent.rise_date=1928-10-01", "rent.rise_low=0.04", "rent.rise_high=0.005"];
    let on = run(&rent);
    let off = run(&["rent.rise_date=1928-10-01", "rent.rise_low=0", "rent.rise_high=0"]);
    let r = week_of("1928-10-01");
    assert_eq!(first_difference(&on, &off), Some(r));
    let (w_on, w_off) = (series(&on, "real_wage_index"), series(&off, "real_wage_index"));
    assert!(w_on[r] < w_off[r], "{} vs {}", w_on[r], w_off[r]);
    assert!(mean(&w_on[r..]) < mean(&w_off[r..]));
}

#[test]
fn continuous_norm_revision_takes_effect_in_its_week() {
    let common = ["norms.weekly_revision=0.5", "norms.annual_revision=0.0192", "legitimacy.revision_shock=0.03", "wages.keep_pace=false"];
    let with = |extra: &'static str| -> Table {
        let mut v = common.to_vec();
        v.push(extra);
        if extra.starts_with("norms.continuous_from") {
            v.push("norms.continuous=true");
        }
        run(&v)
    };
    let on = with("norms.continuous_from=1928-06-04");
    let off = with("norms.continuous=false");
    let c = week_of("1928-06-04");
    assert_eq!(first_difference(&on, &off), Some(c));
    let (l_on, l_off) = (series(&on, "legitimacy"), series(&off, "legitimacy"));
    assert!(l_on[c] < l_off[c], "{} vs {}", l_on[c], l_off[c]);
}

#[test]
fn privilege_news_takes_effect_in_its_week() {
    let on = run(&["legitimacy.privilege_date=1928-10-15", "legitimacy.privilege_shock=0.05"]);
    let off = run(&["legitimacy.privilege_date=1999-12-31", "legitimacy.privilege_shock=0.05"]);
    let p = week_of("1928-10-15");
    assert_eq!(first_difference(&on, &off), Some(p));
    let (l_on, l_off) = (series(&on, "legitimacy"), series(&off, "legitimacy"));
    assert_eq!(l_on[..p], l_off[..p]);
    assert!(l_on[p] < l_off[p], "{} vs {}", l_on[p], l_off[p]);
    assert!(mean(&l_on[p..]) < mean(&l_off[p..]));
}

#[test]

fn mid_week_dates_take_effect_in_the_week_containing_them() {
    // Each pair: an event dated on a Wednesday, and the same event switched off.
    let cases: [(&[&str], &[&str], &str); 3] = [
        (
            &["ogpu.escalation=1928-09-26", "ogpu.capacity=30", "ogpu.capacity_after=450"],
            &["ogpu.escalation=1999-12-31", "ogpu.capacity=30", "ogpu.capacity_after=450"],
            "1928-09-26",
        ),
        (
            &["legitimacy.privilege_date=1928-10-17", "legitimacy.privilege_shock=0.05"],
            &["legitimacy.privilege_date=1999-12-31", "legitimacy.privilege_shock=0.05"],
            "1928-10-17",
        ),
        (
            &["rent.rise_date=1928-10-03", "rent.rise_low=0.04", "rent.rise_high=0.005"],
            &["rent.rise_date=1928-10-03", "rent.rise_low=0", "rent.rise_high=0"],
            "1928-10-03",
        ),
    ];
    for (on, off, date) in cases {
        let mut on = on.to_vec();
        on.push("population.scale=0.01");
        let mut off = off.to_vec();
        off.push("population.scale=0.01");
        assert_eq!(first_difference(&run(&on), &run(&off)), Some(week_of(date)), "event dated {date} ({on:?})");
    }
}

// 6 -------------------------------------------------------------------------------------

#[test]
fn population_is_conserved_every_week() {
    let mut m = model(&[]);
    let n = m.people().len();
    let names = ["working", "sick", "striking", "arrested", "exiles", "blacklisted"];
    for week in 0..104 {
        m.step();
        let counts = status_counts(m.people());
        assert_eq!(counts.iter().sum::<usize>(), n);
        let t = m.metrics();
        let at = |k: &str| series(&t, k)[week];
        assert_eq!(at("population"), n as f64, "week {week}");
        assert_eq!(names.iter().map(|k| at(k)).sum::<f64>(), n as f64, "week {week}");
        // Each status metric is the count of people in that status.
        for (k, name) in names.iter().enumerate() {
            assert_eq!(at(name), counts[k] as f64, "week {week}: {name}");
        }
    }
    assert_eq!(m.people().len(), n);
}

// 7 -------------------------------------------------------------------------------------

#[test]
fn no_norm_revision_policy_lowers_grievance() {
    let x4 = ["norms.continuous=false", "tariff.downgrade_share=0", "wages.keep_pace=true"];
    let (mut base, mut policy) = (0.0, 0.0);
    for seed in 1..=4 {
        let s = format!("run.seed={seed}");
        base += mean(&series(&run(&[&s]), "grievance")) / 4.0;
        let mut sets = vec![s.as_str()];
        sets.extend(x4);
        policy += mean(&series(&run(&sets), "grievance")) / 4.0;
    }
    assert!(policy < base, "policy {policy} vs baseline {base}");
}

// 8 -------------------------------------------------------------------------------------

#[test]
fn runs_are_deterministic_across_thread_counts() {
    let go = |threads: usize, seed: &str| -> Table {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut sim = build(&scenario(&["run.steps=52", seed])).unwrap_or_else(|e| panic!("{e}"));
            sim.run_to_end();
            sim.metrics()
        })
    };
    let reference = go(1, "run.seed=3");
    assert_eq!(reference.rows(), 52);
    for threads in [1, 2, 4] {
        assert!(identical(&reference, &go(threads, "run.seed=3")), "{threads} threads");
    }
    assert!(!identical(&reference, &go(2, "run.seed=4")), "seeds 3 and 4 gave the same run");
}

// 9 -------------------------------------------------------------------------------------

#[test]
fn baseline_scenario_sets_and_annotates_every_parameter() {
    let b = builtin(BASELINE).unwrap();
    let s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"));
    let schema = perelom_models::schema_for(&s.meta.model).expect("schema");
    assert_eq!(s.params.len(), schema.len());
    let missing: Vec<&str> = s.params.iter().filter(|p| !matches!(p.origin, Origin::File { .. })).map(|p| p.spec.key).collect();
    assert!(missing.is_empty(), "not set in {}: {missing:?}", b.name);
}

// 10 ------------------------------------------------------------------------------------

#[test]
fn initial_opposition_class_composition_follows_f33() {
    let m = model(&["population.scale=0.2"]);
    let members: Vec<&Person> = m.people().iter().filter(|q| q.opp == Opp::Member).collect();
    assert_eq!(members.len(), m.initial_members());
    assert!(members.len() > 300, "{} members", members.len());
    assert!(members.iter().all(|q| q.old_cadre));
    let blue = members.iter().filter(|q| q.class == Class::Blue).count();
    let share = blue as f64 / members.len() as f64;
    assert!((share - 0.469).abs() <= 0.06, "blue-collar share {share}");
}

// 11 ------------------------------------------------------------------------------------

#[test]
fn monthly_table_and_survey_cover_every_month() {
    let mut m = model(&[]);
    m.run_to_end();
    let tables = m.tables();
    let (_, monthly) = tables.iter().find(|(n, _)| n == "monthly").expect("monthly table");
    assert_eq!(monthly.rows(), 24);
    let weeks = monthly.numbers("weeks").expect("weeks column");
    assert_eq!(weeks.iter().sum::<f64>(), 104.0);
    let docs = m.documents();
    let (_, survey) = docs.iter().find(|(n, _)| n == "survey.md").expect("survey.md");
    let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    for year in [1928, 1929] {
        for month in months {
            let heading = format!("## {month} {year}\n");
            assert!(survey.contains(&heading), "survey lacks {heading:?}");
        }
    }
}

// Beyond the list: the weekly shocks of events -------------------------------------------

#[test]

fn an_arrest_frightens_its_factory_the_next_week() {
    let mut m = model(&["population.scale=0.01", "ogpu.capacity=200", "ogpu.capacity_after=2000", "fear.arrest_seen=0.25"]);
    let mut checked = 0;
    for _ in 0..60 {
        let before: Vec<Status> = m.people().iter().map(|q| q.status).collect();
        m.step();
        let hit: HashSet<u32> = m
            .people()
            .iter()
            .zip(&before)
            .filter(|(q, &b)| q.status == Status::Arrested && b != Status::Arrested)
            .map(|(q, _)| q.factory)
            .collect();
        if hit.is_empty() {
            continue;
        }
        m.step();
        for f in hit {
            let afraid = m.people().iter().filter(|q| q.factory == f && employed(q.status)).all(|q| q.fear > 0.0);
            assert!(afraid, "factory {f}: workers unafraid the week after an arrest");
            checked += 1;
        }
    }
    assert!(checked > 0, "no arrests to check");
}
