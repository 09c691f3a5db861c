//! Inputs for the unit tests of the rules (test builds only): the baseline's parameters,
//! a neutral person and factory to be edited field by field, a random stream, and a
//! small model whose state a test may set by hand before calling one phase of a week.

use super::params::Params;
use super::state::{Behaviour, Class, Factory, Mood, Occasion, Opp, Person, Status, StrikeEpisode};
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
    Person {
        factory: 0,
        shop: 0,
        base_hardship: 0.0,
        risk_aversion: 0.0,
        legitimacy: 0.5,
        fear: 0.0,
        efficacy: 0.5,
        fatigue: 0.0,
        lean: 0.5,
        threshold: 0.0,
        wage_ref: 1.0,
        real_wage: 1.0,
        hardship: 0.0,
        grievance: 0.0,
        radicalism: 0.0,
        band: 5,
        class: Class::Blue,
        young: false,
        peasant_origin: false,
        party: false,
        status: Status::Working,
        behaviour: Behaviour::Comply,
        opp: Opp::None,
        org: 0,
        old_cadre: false,
        mood: Mood::Indifferent,
        leafleted: false,
        strike_ready: false,
        weeks_left: 0,
    }
}

/// A factory of 100 workers in one shop, with no occasion, strike, shock or cell.
pub fn factory() -> Factory {
    Factory {
        region: 0,
        sector: 0,
        first_person: 0,
        size: 100,
        first_shop: 0,
        shops: 1,
        norm: 1.0,
        pay: 1.0,
        seven_hour: false,
        seven_hour_week: u32::MAX,
        occasion: Occasion::None,
        occasion_shop: None,
        strike: StrikeEpisode::default(),
        last_strike_end: None,
        meeting_week: [u32::MAX; 2],
        legitimacy_shock: 0.0,
        efficacy_shock: 0.0,
        fear_shock: 0.0,
        repression_seen: 0.0,
        repression_perceived: 0.0,
        militancy: 1.0,
        dispute_memory: 0.0,
        partner_news: 0.0,
        active_share: 0.0,
        members: [0; 2],
        sympathizers: 0,
        lead: 0.0,
    }
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
