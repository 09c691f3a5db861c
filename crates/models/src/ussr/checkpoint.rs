//! The model's state at the end of a week, for checkpoints (`perelom run --save-state-at`)
//! and branches (`--from-state`): everything that changes while the model runs. What
//! follows from the scenario — the typed parameters, the calendar of dated events, the
//! clock and the random streams (named by seed, purpose and step, so they hold no state
//! between steps) — is rebuilt from the scenario the run continues with.
//!
//! Drawn once at initialization and kept in the state: the factories, their partner
//! network and meeting weeks, the people and their traits. A branch that changes a
//! parameter read only at initialization (sizes, initial distributions) therefore does
//! not change them; [`restore`] refuses a branch that changes the population's size.

use super::metrics::recorder_spec;
use super::opposition::Underground;
use super::shop::ShopMemory;
use super::state::{Factory, Person};
use super::tally::Tally;
use super::{metrics, Calendar, Event, Params, Ussr, Week};
use perelom_engine::space::Network;
use perelom_engine::{Clock, Recorder, StepUnit, Streams};
use perelom_scenario::Scenario;
use serde::{Deserialize, Serialize};

/// The state, as written.
#[derive(Serialize, Deserialize)]
struct State {
    people: Vec<Person>,
    shop_start: Vec<u32>,
    factories: Vec<Factory>,
    partner_offsets: Vec<u32>,
    partner_targets: Vec<u32>,
    memory: Vec<ShopMemory>,
    week: Week,
    underground: Underground,
    steps_done: u32,
    recorded_steps: Vec<i64>,
    recorded_days: Vec<i32>,
    recorded_values: Vec<Vec<f64>>,
    /// Events: step, factory, kind, count, detail, outcome.
    events: Vec<(u32, u32, String, u32, u32, String)>,
    last: Tally,
    last_discipline: f64,
    initial_members: usize,
}

/// The state of `m` as bytes (postcard).
pub fn save(m: &Ussr) -> Result<Vec<u8>, String> {
    let (partner_offsets, partner_targets) = m.partners.parts();
    let (recorded_steps, recorded_days, recorded_values) = m.recorder.recorded();
    let state = State {
        people: m.people.clone(),
        shop_start: m.shop_start.clone(),
        factories: m.factories.clone(),
        partner_offsets: partner_offsets.to_vec(),
        partner_targets: partner_targets.to_vec(),
        memory: m.memory.clone(),
        week: m.week.clone(),
        underground: m.underground.clone(),
        steps_done: m.steps_done,
        recorded_steps,
        recorded_days,
        recorded_values,
        events: m.events.iter().map(|e| (e.step, e.factory, e.kind.to_string(), e.count, e.detail, e.outcome.to_string())).collect(),
        last: m.last.clone(),
        last_discipline: m.last_discipline,
        initial_members: m.initial_members,
    };
    postcard::to_stdvec(&state).map_err(|e| format!("cannot encode the model's state: {e}"))
}

/// Parameters a branch may not change: they shaped the state itself (the population
/// drawn at initialization, the calendar's origin).
/// Besides the population and the start, every parameter read only when the population
/// is built (`init.rs`): a branch cannot change what was drawn before it.
pub const FIXED_AT_BRANCH: &[&str] = &[
    "population.",
    "run.start",
    "factories.",
    "tariff.downgrade_share",
    "protest.threshold_mean",
    "protest.threshold_spread",
    "protest.young_risk",
    "disputes.militancy_spread",
    "management.seven_hour_share",
];

/// Whether a run saved with scenario `saved` may continue with `s`: not if `s` changes a
/// parameter the state fixed ([`FIXED_AT_BRANCH`]).
pub fn check_branch(saved: &Scenario, s: &Scenario) -> Result<(), String> {
    for p in &s.params {
        let key = p.spec.key;
        if FIXED_AT_BRANCH.iter().any(|f| key.starts_with(f)) && saved.get(key).map(|q| &q.value) != Some(&p.value) {
            return Err(format!(
                "`{key}` cannot change at a branch (the state was saved with {}, the branch sets {}): it shaped the population or the calendar the state holds (run from the start to change it)",
                saved.get(key).map_or("nothing".to_string(), |q| q.value.to_string()),
                p.value
            ));
        }
    }
    Ok(())
}

/// The model as it was when `bytes` was saved (with scenario `saved`), continuing with
/// scenario `s` (the saved one, or a branch of it).
///
/// Errors: bytes that are not a state of this model, or a branch that changes a
/// parameter the state fixed ([`FIXED_AT_BRANCH`]).
pub fn restore(saved: &Scenario, s: &Scenario, bytes: &[u8]) -> Result<Ussr, String> {
    check_branch(saved, s)?;
    let st: State = postcard::from_bytes(bytes).map_err(|e| format!("the model's state cannot be read: {e}"))?;
    let p = Params::from_scenario(s).map_err(|e| e.to_string())?;
    let clock = Clock::dated(p.dates.start, StepUnit::Week, p.steps);
    let cal = Calendar::new(&p.dates, &clock);
    if st.steps_done > p.steps {
        return Err(format!("the state is at week {} but the scenario's run has only {} weeks", st.steps_done, p.steps));
    }
    let partners = Network::from_parts(st.partner_offsets, st.partner_targets)?;
    let recorder = Recorder::with_recorded(&recorder_spec(), st.recorded_steps, &st.recorded_days, st.recorded_values)?;
    let events = st
        .events
        .into_iter()
        .map(|(step, factory, kind, count, detail, outcome)| {
            Ok(Event { step, factory, kind: metrics::intern(&kind)?, count, detail, outcome: metrics::intern(&outcome)? })
        })
        .collect::<Result<Vec<_>, String>>()?;
    // Derived from the people, as every weekly pass rebuilds it.
    let members: Vec<u32> = (0..st.people.len() as u32).filter(|&i| st.people[i as usize].opp == super::Opp::Member).collect();
    Ok(Ussr {
        streams: Streams::new(p.seed),
        members,
        // Scratch space the next pass overwrites.
        shop_buf: Vec::new(),
        p,
        cal,
        clock,
        people: st.people,
        shop_start: st.shop_start,
        factories: st.factories,
        partners,
        memory: st.memory,
        week: st.week,
        underground: st.underground,
        steps_done: st.steps_done,
        recorder,
        events,
        last: st.last,
        last_discipline: st.last_discipline,
        initial_members: st.initial_members,
    })
}
