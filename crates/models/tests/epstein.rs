//! Epstein (2002) Model I through the public API: scenario text, `build`, `Simulation`.

use perelom_engine::Table;
use perelom_models::epstein::{round_half_even, ArrestRatio, CitizenState, Epstein};
use perelom_models::{build, load_scenario_text, Simulation};
use perelom_scenario::{Origin, Scenario};

const FILE: &str = "scenarios/epstein-2002.toml";
const TEXT: &str = include_str!("../../../scenarios/epstein-2002.toml");

fn scenario(sets: &[&str]) -> Scenario {
    let mut s = load_scenario_text(FILE, TEXT).unwrap_or_else(|e| panic!("{e}"));
    for a in sets {
        s.set(a).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    s
}

fn run(sets: &[&str]) -> (Table, Vec<(String, Table)>) {
    let mut sim = build(&scenario(sets)).unwrap_or_else(|e| panic!("{e}"));
    sim.run_to_end();
    (sim.metrics(), sim.tables())
}

fn series(t: &Table, name: &str) -> Vec<f64> {
    t.numbers(name).unwrap_or_else(|| panic!("no column {name}"))
}

const MODES: [&str; 2] = ["activation.kind=random-sequential", "activation.kind=synchronous-parallel"];

#[test]
fn full_legitimacy_means_nobody_is_ever_active() {
    for mode in MODES {
        let (t, _) = run(&[mode, "run.steps=80", "legitimacy.initial=1.0"]);
        assert_eq!(t.rows(), 80);
        assert!(series(&t, "active").iter().all(|&a| a == 0.0), "{mode}");
        assert!(series(&t, "jailed").iter().all(|&a| a == 0.0), "{mode}");
    }
}

#[test]
fn without_cops_or_legitimacy_most_citizens_are_active() {
    for mode in MODES {
        let sim =
            Epstein::new(&scenario(&[mode, "run.steps=10", "cops.density=0", "legitimacy.initial=0"])).unwrap_or_else(|e| panic!("{e}"));
        let citizens = sim.citizen_count() as f64;
        let mut sim: Box<dyn Simulation> = Box::new(sim);
        sim.run_to_end();
        let active = series(&sim.metrics(), "active");
        // With no cops P = 0, so every citizen with hardship above T = 0.1 rebels.
        for (s, &a) in active.iter().enumerate().skip(2) {
            assert!(a > 0.5 * citizens, "{mode}: step {s}: {a} of {citizens} active");
        }
    }
}

#[test]
fn states_add_up_to_the_citizens_at_every_step() {
    let variants: [&[&str]; 4] = [
        &["run.steps=150"],
        &[
            "run.steps=150",
            "legitimacy.schedule=jump",
            "legitimacy.initial=0.9",
            "legitimacy.final=0.5",
            "legitimacy.at_step=40",
            "jail.max_term=30",
        ],
        &[
            "run.steps=150",
            "cops.schedule=jump",
            "cops.final_density=0.01",
            "cops.at_step=60",
            "legitimacy.initial=0.7",
            "grid.torus=false",
        ],
        &["run.steps=60", "grid.neighbourhood=euclidean", "grid.width=13", "grid.height=9", "citizens.vision=9", "legitimacy.initial=0.6"],
    ];
    for mode in MODES {
        for v in variants {
            let mut sets = v.to_vec();
            sets.push(mode);
            let sim = Epstein::new(&scenario(&sets)).unwrap_or_else(|e| panic!("{e}"));
            let citizens = sim.citizen_count() as f64;
            let mut sim: Box<dyn Simulation> = Box::new(sim);
            sim.run_to_end();
            let t = sim.metrics();
            let (q, a, j) = (series(&t, "quiet"), series(&t, "active"), series(&t, "jailed"));
            for s in 0..t.rows() {
                assert_eq!(q[s] + a[s] + j[s], citizens, "{sets:?} step {s}");
            }
        }
    }
}

#[test]
fn cop_jump_changes_cop_numbers_at_its_step() {
    let (t, _) = run(&["run.steps=30", "cops.schedule=jump", "cops.final_density=0.02", "cops.at_step=10"]);
    let cops = series(&t, "cops");
    assert!(cops[..10].iter().all(|&c| c == cops[0]) && cops[0] > 64.0, "{cops:?}");
    let scaled = (cops[0] * 0.02 / 0.074).round(); // the cops placed, scaled by 0.02 / 0.074
    assert!(cops[10..].iter().all(|&c| c == scaled), "{cops:?}");
}

/// A schedule whose final value is left unset changes nothing: "the same as the initial
/// value" means the same cops and the same legitimacy, whatever the initial value is.
#[test]
fn schedules_without_a_final_value_change_nothing() {
    for schedule in ["jump", "linear"] {
        let cops = format!("cops.schedule={schedule}");
        let (t, _) = run(&["run.steps=150", "cops.at_step=50", "cops.over_steps=20", &cops]);
        let c = series(&t, "cops");
        assert!(c.iter().all(|&x| x == c[0]), "{schedule}: cops changed without a final density: {c:?}");
        let legit = format!("legitimacy.schedule={schedule}");
        let (t, _) = run(&["run.steps=150", "legitimacy.initial=0.9", "legitimacy.at_step=50", &legit]);
        assert!(series(&t, "legitimacy").iter().all(|&l| l == 0.9), "{schedule}: legitimacy changed without a final value");
    }
    let (t, _) = run(&["run.steps=150", "cops.density=0.05", "cops.schedule=jump", "cops.at_step=50"]);
    let c = series(&t, "cops");
    assert!(c.iter().all(|&x| x == c[0]), "{c:?}");
}

/// Epstein 2002's cop reductions: a linear schedule removes cops step by step, from the
/// cops placed at the start to the final density's share of them.
#[test]
fn a_linear_cop_schedule_reduces_cops_gradually() {
    let (t, _) = run(&["run.steps=120", "cops.schedule=linear", "cops.final_density=0.037", "cops.at_step=20", "cops.over_steps=50"]);
    let c = series(&t, "cops");
    let c0 = c[0];
    assert!(c[..20].iter().all(|&x| x == c0), "{c:?}");
    for s in 20..70 {
        let want = (c0 + (c0 * 0.5 - c0) * ((s - 19) as f64 / 50.0)).round();
        assert_eq!(c[s], want, "step {s}: {c:?}");
    }
    assert!(c[69..].iter().all(|&x| x == (c0 * 0.5).round()), "{c:?}");
    assert!(c.windows(2).all(|w| w[1] <= w[0]), "cops never come back: {c:?}");
    assert!(c.windows(2).filter(|w| w[1] < w[0]).count() > 20, "the reduction is gradual, not one jump: {c:?}");
}

#[test]
fn jailed_citizens_neither_act_nor_move() {
    for mode in MODES {
        let mut sim = Epstein::new(&scenario(&[mode, "run.steps=120", "legitimacy.initial=0.6", "jail.max_term=40"]))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut checked = 0;
        for _ in 0..120 {
            let before: Vec<_> = sim.citizens().collect();
            sim.step();
            for (b, now) in before.iter().zip(sim.citizens()) {
                if b.state == CitizenState::Jailed && b.jail_term > 0 {
                    checked += 1;
                    assert_eq!(now.cell, b.cell, "{mode}: a jailed citizen moved");
                    assert_eq!(now.state, CitizenState::Jailed, "{mode}: a jailed citizen acted");
                    assert_eq!(now.jail_term, b.jail_term - 1, "{mode}: the term did not count down by one");
                }
            }
            // No two agents ever share a cell.
            let mut cells: Vec<u32> = sim.citizens().map(|c| c.cell).chain(sim.cop_cells().iter().copied()).collect();
            let n = cells.len();
            cells.sort_unstable();
            cells.dedup();
            assert_eq!(cells.len(), n, "{mode}: two agents on one cell");
        }
        assert!(checked > 1000, "{mode}: only {checked} jailed citizen-steps to check");
    }
}

#[test]
fn jail_terms_stay_within_zero_to_max_term() {
    for mode in MODES {
        let mut sim = Epstein::new(&scenario(&[mode, "run.steps=200", "legitimacy.initial=0.5", "jail.max_term=4"]))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut seen = [false; 5];
        for _ in 0..200 {
            sim.step();
            for c in sim.citizens().filter(|c| c.state == CitizenState::Jailed) {
                assert!(c.jail_term <= 4, "{mode}: term {}", c.jail_term);
                seen[c.jail_term as usize] = true;
            }
        }
        assert_eq!(seen, [true; 5], "{mode}: terms 0..=4 should all occur");
    }
}

/// Epstein 2002 (figures 9 and 10): a large legitimacy drop in small increments causes
/// no great outburst; a drop in one jump does.
#[test]
fn an_abrupt_legitimacy_drop_causes_a_larger_outburst_than_a_gradual_one() {
    let peak_after_change = |seed: u64, schedule: &str| -> f64 {
        let seed = format!("run.seed={seed}");
        let schedule = format!("legitimacy.schedule={schedule}");
        let sets = [
            seed.as_str(),
            schedule.as_str(),
            "run.steps=200",
            "legitimacy.initial=0.9",
            "legitimacy.final=0.5",
            "legitimacy.at_step=30",
            "legitimacy.over_steps=150",
        ];
        let (t, _) = run(&sets);
        series(&t, "active")[30..].iter().copied().fold(0.0, f64::max)
    };
    let seeds = 1..=5u64;
    let abrupt: Vec<f64> = seeds.clone().map(|s| peak_after_change(s, "jump")).collect();
    let gradual: Vec<f64> = seeds.map(|s| peak_after_change(s, "linear")).collect();
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    let wins = abrupt.iter().zip(&gradual).filter(|(a, g)| a > g).count();
    assert!(mean(&abrupt) > 2.0 * mean(&gradual), "abrupt {abrupt:?}, gradual {gradual:?}");
    assert!(wins >= 4, "abrupt {abrupt:?}, gradual {gradual:?}");
}

#[test]
fn results_do_not_depend_on_thread_count_or_run() {
    // 100 x 100 holds about 7,700 agents: two chunks of parallel decisions.
    for mode in MODES {
        let once = || {
            let mut sim = Epstein::new(&scenario(&[
                mode,
                "run.steps=25",
                "grid.width=100",
                "grid.height=100",
                "legitimacy.initial=0.65",
                "jail.max_term=15",
            ]))
            .unwrap_or_else(|e| panic!("{e}"));
            sim.run_to_end();
            let cells: Vec<(u32, u32)> = sim.citizens().map(|c| (c.cell, c.jail_term)).collect();
            (sim.metrics(), cells, sim.cop_cells().to_vec())
        };
        let in_pool = |n: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap_or_else(|e| panic!("{e}"));
            pool.install(once)
        };
        let one = in_pool(1);
        assert!(series(&one.0, "active").iter().any(|&a| a > 0.0), "{mode}: nothing happens, the test would be weak");
        assert_eq!(one, in_pool(2), "{mode}: 1 vs 2 threads");
        assert_eq!(one, in_pool(4), "{mode}: 1 vs 4 threads");
        assert_eq!(one, in_pool(4), "{mode}: second run");
        let legit = series(&one.0, "legitimacy");
        assert!(legit.iter().all(|&l| l.to_bits() == 0.65f64.to_bits()));
    }
}

#[test]
fn seeds_change_the_run() {
    let (a, _) = run(&["run.steps=50", "run.seed=1", "legitimacy.initial=0.7"]);
    let (b, _) = run(&["run.steps=50", "run.seed=2", "legitimacy.initial=0.7"]);
    assert_ne!(a, b);
}

#[test]
fn round_ratio_is_half_to_even() {
    assert_eq!(round_half_even(0.5), 0.0);
    assert_eq!(round_half_even(1.5), 2.0);
    assert_eq!(round_half_even(2.5), 2.0);
    assert_eq!(round_half_even(3.5), 4.0);
    // C/A with A counting the citizen itself.
    assert_eq!(ArrestRatio::Round.apply(1, 2), 0.0);
    assert_eq!(ArrestRatio::Round.apply(3, 2), 2.0);
    assert_eq!(ArrestRatio::Round.apply(5, 2), 2.0);
    assert_eq!(ArrestRatio::Round.apply(7, 2), 4.0);
    assert_eq!(ArrestRatio::Round.apply(2, 3), 1.0);
    assert_eq!(ArrestRatio::Floor.apply(2, 3), 0.0);
    assert_eq!(ArrestRatio::Literal.apply(3, 2), 1.5);
}

#[test]
fn scenario_file_sets_every_parameter_with_its_evidence() {
    let s = scenario(&[]);
    let lines: Vec<&str> = TEXT.lines().collect();
    assert_eq!(s.meta.model, "epstein");
    assert_eq!(s.meta.name, "Epstein 2002, Model I");
    assert!(!s.meta.description.is_empty());
    assert_eq!(s.params.len(), perelom_models::epstein::schema().len());
    for p in &s.params {
        if p.spec.follows.is_some() {
            // "Unchanged" defaults are left out, so that they stay unchanged.
            assert!(p.is_following(), "`{}` is set in {FILE}, so it no longer follows {:?}", p.spec.key, p.spec.follows);
            assert_eq!(p.cite, p.spec.cite);
            continue;
        }
        let Origin::File { line, .. } = p.origin else {
            panic!("`{}` is not set in {FILE}", p.spec.key);
        };
        let text = lines[line - 1];
        assert!(text.contains("source = \"") || text.contains("assumed = \""), "`{}` has no source or assumed: {text}", p.spec.key);
        assert_eq!(p.value, p.spec.default, "`{}`: the file and the schema default disagree", p.spec.key);
        assert_eq!(p.cite, p.spec.cite, "`{}`: the file and the schema cite it differently", p.spec.key);
        assert!(!p.cite.text().trim().is_empty());
    }
}

#[test]
fn impossible_combinations_are_rejected_with_help() {
    let err = |sets: &[&str]| match Epstein::new(&scenario(sets)) {
        Ok(_) => panic!("{sets:?} was accepted"),
        Err(e) => e,
    };
    let e = err(&["citizens.density=0.8", "cops.density=0.3"]);
    assert!(e.message.contains("exceeds 1") && e.help.is_some(), "{e}");
    let e = err(&["cops.schedule=jump", "cops.final_density=0.5"]);
    assert!(e.message.contains("cops.final_density") && e.help.is_some(), "{e}");
    let e = err(&["legitimacy.schedule=linear", "legitimacy.at_step=5000"]);
    assert!(e.message.contains("legitimacy.at_step") && e.help.is_some(), "{e}");
    let e = err(&["cops.schedule=jump", "run.steps=50", "cops.at_step=50"]);
    assert!(e.message.contains("cops.at_step") && e.help.is_some(), "{e}");
    // Out-of-range single values are caught when set.
    assert!(scenario(&[]).set("grid.neighbourhood=hexagonal").is_err());
    assert!(scenario(&[]).set("arrest.ratio=ceil").is_err());
    assert!(scenario(&[]).set("grid.width=0").is_err());
    // Edge cases that must work: an empty grid of agents, a single cell, full density.
    for sets in [
        &["citizens.density=0", "cops.density=0", "run.steps=3"][..],
        &["grid.width=1", "grid.height=1", "run.steps=3"],
        &["citizens.density=0.9", "cops.density=0.1", "run.steps=3"],
    ] {
        let mut sim = build(&scenario(sets)).unwrap_or_else(|e| panic!("{sets:?}: {e}"));
        sim.run_to_end();
        assert_eq!(sim.metrics().rows(), 3);
        assert!(!sim.summary().is_empty());
    }
}

#[test]
fn outbursts_table_matches_the_active_series() {
    let (t, tables) = run(&["run.steps=300", "legitimacy.initial=0.7", "jail.max_term=30", "outburst.threshold=20"]);
    let active = series(&t, "active");
    let (name, o) = &tables[0];
    assert_eq!(name, "outbursts");
    assert!(o.rows() > 0, "expected outbursts, active = {active:?}");
    let (start, end, peak) = (series(o, "start"), series(o, "end"), series(o, "peak"));
    let above = active.iter().filter(|&&a| a > 20.0).count();
    let covered: f64 = start.iter().zip(&end).map(|(s, e)| e - s + 1.0).sum();
    assert_eq!(covered as usize, above);
    for i in 0..o.rows() {
        let span = &active[start[i] as usize..=end[i] as usize];
        assert!(span.iter().all(|&a| a > 20.0));
        assert_eq!(span.iter().copied().fold(0.0, f64::max), peak[i]);
    }
}

#[test]
fn summary_reports_the_run() {
    let mut sim = build(&scenario(&["run.steps=100", "legitimacy.initial=0.7"])).unwrap_or_else(|e| panic!("{e}"));
    sim.run_to_end();
    let summary = sim.summary();
    for label in ["mean active", "peak active", "jailed at end", "outbursts", "mean waiting time", "mean outburst size"] {
        assert!(summary.iter().any(|(l, _)| l.starts_with(label)), "no `{label}` in {summary:?}");
    }
}
