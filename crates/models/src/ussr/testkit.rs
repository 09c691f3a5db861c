//! Inputs for the unit tests of the rules (test builds only): the baseline's parameters,
//! a neutral person and factory to be edited field by field, a random stream, and a
//! small model whose state a test may set by hand before calling one phase of a week.

use super::params::Params;
use super::state::{Factory, Mood, Person};
use super::Ussr;
use crate::registry::{builtin, load_scenario_text};
use perelom_engine::rng::purpose_hash;
use perelom_engine::{FastRng, Streams};
use perelom_scenario::Scenario;

/// The baseline scenario with `sets` applied.
pub fn scenario(sets: &[&str]) -> Scenario {
    let b = builtin("ussr-1928-1929").expect("the baseline is built in");
    let mut s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"));
    for a in sets {
        s.set(a).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    s
}

/// The baseline's typed parameters.
pub fn params() -> Params {
    Params::from_scenario(&scenario(&[])).unwrap_or_else(|e| panic!("{e}"))
}

/// A stream for a test.
pub fn rng(k: u64) -> FastRng {
    Streams::new(17).fast(purpose_hash("ussr.test"), k, 0)
}

/// A working, complying, non-party blue-collar worker with no views: every field a test
/// does not set is neutral.
pub fn person() -> Person {
    Person { legitimacy: 0.5, efficacy: 0.5, lean: 0.5, wage_ref: 1.0, real_wage: 1.0, band: 5, mood: Mood::Indifferent, ..Person::blank() }
}

/// A factory of 100 workers in one shop, with no occasion, strike, shock or cell.
pub fn factory() -> Factory {
    Factory::new(0, 0, 0, 100, 0, 1)
}

/// A small model of the baseline (scale 0.002) with `sets` applied, at the end of 1927.
pub fn model(sets: &[&str]) -> Ussr {
    let mut all = vec!["population.scale=0.002", "run.seed=11"];
    all.extend_from_slice(sets);
    Ussr::new(&scenario(&all)).unwrap_or_else(|e| panic!("{e}"))
}

/// Indices of the people of factory `f`.
pub fn workforce(m: &Ussr, f: usize) -> std::ops::Range<usize> {
    let x = &m.factories[f];
    x.first_person as usize..(x.first_person + x.size) as usize
}
