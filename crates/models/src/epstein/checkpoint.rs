//! Epstein's model's state after a step, for checkpoints and branches: the grid's cells,
//! the citizens (hardship, risk aversion, cell, jail term), the cops' cells, the metrics
//! and outbursts so far. The parameters, the rules and the random streams (named by seed,
//! purpose and step) are rebuilt from the scenario the run continues with.

use super::outbursts::{Outburst, Outbursts};
use super::vision::{ACTIVE, COP, EMPTY, JAILED, QUIET};
use super::world::{Citizen, World};
use super::{Epstein, METRICS};
use perelom_engine::space::Board;
use perelom_engine::Recorder;
use perelom_scenario::Scenario;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct State {
    cells: Vec<u8>,
    citizens: Vec<Citizen>,
    cops: Vec<u32>,
    cops_placed: usize,
    steps_done: u32,
    recorded_steps: Vec<i64>,
    recorded_values: Vec<Vec<f64>>,
    outbursts: Vec<Outburst>,
    outburst_now: Option<Outburst>,
}

/// Parameters a branch may not change: they shaped the grid the state holds.
pub const FIXED_AT_BRANCH: &[&str] = &["grid.", "citizens.vision", "cops.vision"];

/// The state of `e` as bytes (postcard).
pub fn save(e: &Epstein) -> Result<Vec<u8>, String> {
    let (recorded_steps, _, recorded_values) = e.recorder.recorded();
    let (outbursts, outburst_now) = e.outbursts.parts();
    let state = State {
        cells: e.world.kinds.to_vec(),
        citizens: e.world.citizens.clone(),
        cops: e.world.cops.clone(),
        cops_placed: e.cops_placed,
        steps_done: e.steps_done,
        recorded_steps,
        recorded_values,
        outbursts,
        outburst_now,
    };
    postcard::to_stdvec(&state).map_err(|err| format!("cannot encode the model's state: {err}"))
}

/// Whether a run saved with `saved` may continue with `s`: not if `s` changes the grid
/// ([`FIXED_AT_BRANCH`]).
pub fn check_branch(saved: &Scenario, s: &Scenario) -> Result<(), String> {
    for p in &s.params {
        let key = p.spec.key;
        if FIXED_AT_BRANCH.iter().any(|f| key.starts_with(f)) && saved.get(key).map(|q| &q.value) != Some(&p.value) {
            return Err(format!("`{key}` cannot change at a branch: it shaped the grid the state holds"));
        }
    }
    Ok(())
}

/// The model as it was when `bytes` was saved (with `saved`), continuing with `s`.
///
/// Errors: bytes that are not a state of this model (cells, agents and grid that do not
/// fit together), or a branch that changes the grid ([`FIXED_AT_BRANCH`]).
pub fn restore(saved: &Scenario, s: &Scenario, bytes: &[u8]) -> Result<Epstein, String> {
    check_branch(saved, s)?;
    let st: State = postcard::from_bytes(bytes).map_err(|err| format!("the model's state cannot be read: {err}"))?;
    let mut e = Epstein::new(s).map_err(|err| err.to_string())?;
    let grid = e.world.kinds.grid().clone();
    let bad = |why: &str| Err(format!("the model's state does not fit its grid: {why}"));
    if st.cells.len() != grid.cells() || st.cells.iter().any(|&c| ![EMPTY, QUIET, ACTIVE, JAILED, COP].contains(&c)) {
        return bad("cells");
    }
    let on = |cell: u32, kinds: &[u8]| (cell as usize) < st.cells.len() && kinds.contains(&st.cells[cell as usize]);
    if !st.citizens.iter().all(|c| on(c.cell, &[QUIET, ACTIVE, JAILED])) || !st.cops.iter().all(|&c| on(c, &[COP])) {
        return bad("agents");
    }
    if st.steps_done > e.clock.steps || st.recorded_steps.len() != st.steps_done as usize {
        return bad("steps");
    }
    let pad = e.params.citizen_vision.max(e.params.cop_vision);
    let occupant = vec![super::world::NONE; grid.cells()];
    e.world = World { kinds: Board::new(&grid, pad, st.cells), occupant, citizens: st.citizens, cops: st.cops };
    e.world.renumber();
    e.recorder = Recorder::with_recorded(METRICS, st.recorded_steps, &[], st.recorded_values)?;
    e.outbursts = Outbursts::from_parts(e.params.outburst_threshold, st.outbursts, st.outburst_now);
    e.steps_done = st.steps_done;
    e.cops_placed = st.cops_placed;
    Ok(e)
}
