//! Epstein (2002) civil violence, Model I, written on krABMaga (the `krabmaga` crate),
//! headless, as a speed reference for Perelom's `epstein` model (issue 5).
//!
//! The semantics follow Perelom's default, which is Mesa 3.3.1's
//! (`crates/models/src/epstein/mod.rs` in the Perelom workspace):
//!
//! * torus `W × H`; each cell holds a citizen with probability 0.7, else a cop with
//!   probability 0.074, else nothing; one agent per cell;
//! * vision 7, von Neumann (`|dx| + |dy| ≤ 7`, centre excluded), for citizens and cops;
//! * a citizen draws hardship `H` and risk aversion `R` from U(0, 1); with `C` cops and
//!   `A = 1 +` active citizens in vision, `P = 1 − exp(−k · round_half_even(C/A))`,
//!   `k = 2.3`; it is active iff `H(1 − L) − R·P > 0.1`, `L = 0.8`;
//! * a cop arrests one active citizen in vision at random, for a term uniform in
//!   `0..=1000`; the arrestee stays on its cell, jailed, and a cop does not step onto it;
//! * a jailed citizen with a term left serves one step of it at its own turn and does
//!   nothing else; with a term of 0 it is released at its next turn (decides and moves);
//! * every free agent then moves to a cell drawn uniformly from the empty cells in its
//!   vision (decide first, then move);
//! * random-sequential activation: all agents, in a new random order each step, each
//!   seeing what those before it did.
//!
//! # How it uses krABMaga
//!
//! * Agents are `Box<dyn Agent>` (`Citizen`, `Cop`) in krABMaga's `Schedule` (a
//!   priority queue), scheduled with `schedule_repeating`; the run is the headless
//!   loop of krABMaga's `simulate!` (`state.init`, then `schedule.step(state)` per step)
//!   without the macro's terminal output.
//! * Random order: krABMaga runs the agents of one time in the order of their
//!   `ordering` priority. `State::before_step` gives the agents a fresh random
//!   permutation of orderings every step (through `schedule.events.iter_mut()`), so
//!   the schedule itself pops them in a new uniformly random order.
//! * Space: a krABMaga field, double-buffered as all of them are. `--field dense`
//!   (default) is a `DenseNumberGrid2D<Cell>` (one `Option<Cell>` per cell, no
//!   allocation per look-up); `--field sparse` a `SparseGrid2D<Cell>` (hash map of
//!   bags, the object grid of krABMaga's agent examples). Random-sequential activation
//!   needs each agent to see the moves made before it in the same step, so agents read
//!   a cell "live", krABMaga style: the write buffer (`*_unbuffered`) if the cell was
//!   written this step, else the read buffer (the state at the start of the step).
//!   Every agent writes its cell every step (as krABMaga asks: a double-buffered field
//!   must be written even when unchanged), and a vacated cell is written as an
//!   explicit `EMPTY` cell, so at the end of the step the write buffer holds the whole
//!   grid and `lazy_update` (in `State::update`) makes it the next read buffer.
//! * A cop cannot reach the arrestee's agent (it lives in the schedule), so, as in
//!   krABMaga's wolf-sheep model, the arrest is written to the state (the jailed cell
//!   on the grid, the term in `World::arrests`) and the citizen takes it up at its
//!   next turn.
//! * Random numbers: one PCG64 stream seeded from `--seed` (krABMaga re-exports
//!   `rand` and `rand_pcg`). Runs agree with Perelom's in distribution, not draw for
//!   draw.

use std::any::Any;
use std::cell::Cell as Counter;
use std::time::Instant;

use krabmaga::engine::agent::Agent;
use krabmaga::engine::fields::dense_number_grid_2d::DenseNumberGrid2D;
use krabmaga::engine::fields::field::Field;
use krabmaga::engine::fields::sparse_object_grid_2d::SparseGrid2D;
use krabmaga::engine::location::Int2D;
use krabmaga::engine::schedule::Schedule;
use krabmaga::engine::state::State;
use krabmaga::rand::seq::SliceRandom;
use krabmaga::rand::{Rng, SeedableRng};
use krabmaga::rand_pcg::Pcg64;

const CITIZEN_DENSITY: f64 = 0.7;
const COP_DENSITY: f64 = 0.074;
const VISION: i32 = 7;
const LEGITIMACY: f64 = 0.8;
const MAX_JAIL_TERM: u32 = 1000;
const THRESHOLD: f64 = 0.1;
const K: f64 = 2.3;

/// No pending arrest in [`World::arrests`].
const NO_ARREST: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Empty,
    Quiet,
    Active,
    Jailed,
    Cop,
}

/// What is on a cell: the grid's value type. `id` is the citizen's or cop's own id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Cell {
    kind: Kind,
    id: u32,
}

/// A cell vacated during the current step (distinct from "not written this step").
const EMPTY: Cell = Cell { kind: Kind::Empty, id: u32::MAX };

/// The double-buffered krABMaga field, read "live" (see the module docs).
trait Space: Send + 'static {
    fn new(width: i32, height: i32) -> Self;
    /// The cell as the agents before this one in the step left it.
    fn live(&self, loc: &Int2D) -> Cell;
    /// Writes the cell for the rest of this step and for the next one.
    fn put(&self, cell: Cell, loc: &Int2D);
    /// End of step: the write buffer becomes the read buffer.
    fn swap(&mut self);
    /// Active and jailed citizens in the read buffer.
    fn census(&self) -> (u64, u64);
}

impl Space for DenseNumberGrid2D<Cell> {
    fn new(width: i32, height: i32) -> Self {
        DenseNumberGrid2D::new(width, height)
    }

    #[inline]
    fn live(&self, loc: &Int2D) -> Cell {
        match self.get_value_unbuffered(loc) {
            Some(c) => c,
            None => self.get_value(loc).unwrap_or(EMPTY),
        }
    }

    #[inline]
    fn put(&self, cell: Cell, loc: &Int2D) {
        self.set_value_location(cell, loc);
    }

    fn swap(&mut self) {
        self.lazy_update();
    }

    fn census(&self) -> (u64, u64) {
        let (active, jailed) = (Counter::new(0u64), Counter::new(0u64));
        self.iter_values(|_, c| match c.kind {
            Kind::Active => active.set(active.get() + 1),
            Kind::Jailed => jailed.set(jailed.get() + 1),
            _ => {}
        });
        (active.get(), jailed.get())
    }
}

impl Space for SparseGrid2D<Cell> {
    fn new(width: i32, height: i32) -> Self {
        SparseGrid2D::new(width, height)
    }

    #[inline]
    fn live(&self, loc: &Int2D) -> Cell {
        match self.get_objects_unbuffered(loc) {
            Some(bag) => bag.last().copied().unwrap_or(EMPTY),
            None => self.get_objects(loc).and_then(|bag| bag.last().copied()).unwrap_or(EMPTY),
        }
    }

    #[inline]
    fn put(&self, cell: Cell, loc: &Int2D) {
        // One agent per cell: drop what this step already wrote there.
        if let Some(bag) = self.get_objects_unbuffered(loc) {
            for old in bag {
                self.remove_object_location(old, loc);
            }
        }
        self.set_object_location(cell, loc);
    }

    fn swap(&mut self) {
        self.lazy_update();
    }

    fn census(&self) -> (u64, u64) {
        let (active, jailed) = (Counter::new(0u64), Counter::new(0u64));
        self.iter_objects(|_, c| match c.kind {
            Kind::Active => active.set(active.get() + 1),
            Kind::Jailed => jailed.set(jailed.get() + 1),
            _ => {}
        });
        (active.get(), jailed.get())
    }
}

/// Python's `round`: to the nearest integer, halves to even.
fn round_half_even(x: f64) -> f64 {
    x.round_ties_even()
}

/// The simulation state (krABMaga's `State`).
struct World<S: Space> {
    width: i32,
    height: i32,
    seed: u64,
    grid: S,
    rng: Pcg64,
    /// Von Neumann offsets of radius [`VISION`], centre excluded.
    offsets: Vec<(i32, i32)>,
    /// Pending jail term per citizen id, or [`NO_ARREST`].
    arrests: Vec<u32>,
    citizens: u32,
    cops: u32,
    /// Scratch: empty cells and active citizens seen by the agent acting now.
    empties: Vec<Int2D>,
    actives: Vec<Int2D>,
    /// Scratch: a permutation of the schedule's orderings.
    order: Vec<i32>,
    /// Active and jailed citizens at the end of each step.
    active_series: Vec<u64>,
    jailed_series: Vec<u64>,
}

/// What an agent counted in its vision.
struct Seen {
    cops: u32,
    active: u32,
}

impl<S: Space> World<S> {
    fn new(width: i32, height: i32, seed: u64) -> Self {
        assert!(width > 2 * VISION && height > 2 * VISION, "the grid must be wider and taller than 2 × vision");
        // krABMaga's dense grids store cell (x, y) at x·height + y: scan y fastest.
        let offsets = (-VISION..=VISION)
            .flat_map(|dx| (-VISION..=VISION).map(move |dy| (dx, dy)))
            .filter(|&(dx, dy)| dx.abs() + dy.abs() <= VISION && (dx, dy) != (0, 0))
            .collect();
        World {
            width,
            height,
            seed,
            grid: S::new(width, height),
            rng: Pcg64::seed_from_u64(seed),
            offsets,
            arrests: Vec::new(),
            citizens: 0,
            cops: 0,
            empties: Vec::new(),
            actives: Vec::new(),
            order: Vec::new(),
            active_series: Vec::new(),
            jailed_series: Vec::new(),
        }
    }

    /// Scans the vision around `loc` (live): counts cops and actives, and lists the
    /// empty cells and the cells of active citizens in `empties` / `actives`.
    fn look(&mut self, loc: Int2D) -> Seen {
        let (w, h) = (self.width, self.height);
        self.empties.clear();
        self.actives.clear();
        let mut cops = 0;
        for &(dx, dy) in &self.offsets {
            let mut x = loc.x + dx;
            let mut y = loc.y + dy;
            if x < 0 {
                x += w;
            } else if x >= w {
                x -= w;
            }
            if y < 0 {
                y += h;
            } else if y >= h {
                y -= h;
            }
            let at = Int2D { x, y };
            match self.grid.live(&at).kind {
                Kind::Empty => self.empties.push(at),
                Kind::Active => self.actives.push(at),
                Kind::Cop => cops += 1,
                Kind::Quiet | Kind::Jailed => {}
            }
        }
        Seen { cops, active: self.actives.len() as u32 }
    }

    /// Rule M: writes `me` on a random empty cell of the last `look`, if any, and
    /// vacates `from`; else writes `me` where it is. Returns the agent's cell.
    fn move_or_stay(&mut self, me: Cell, from: Int2D) -> Int2D {
        if self.empties.is_empty() {
            self.grid.put(me, &from);
            return from;
        }
        let to = self.empties[self.rng.random_range(0..self.empties.len())];
        self.grid.put(EMPTY, &from);
        self.grid.put(me, &to);
        to
    }
}

#[derive(Clone)]
struct Citizen {
    id: u32,
    loc: Int2D,
    hardship: f64,
    risk_aversion: f64,
    jailed: bool,
    term: u32,
}

#[derive(Clone)]
struct Cop {
    id: u32,
    loc: Int2D,
}

fn world<S: Space>(state: &mut dyn State) -> &mut World<S> {
    state.as_any_mut().downcast_mut::<World<S>>().expect("the state is a World")
}

/// A `Box<dyn Agent>` must be `Sync`; the type parameter only selects the field.
struct Tag<S>(std::marker::PhantomData<fn() -> S>);

impl<S> Clone for Tag<S> {
    fn clone(&self) -> Self {
        Tag(std::marker::PhantomData)
    }
}

struct CitizenAgent<S: Space>(Citizen, Tag<S>);
struct CopAgent<S: Space>(Cop, Tag<S>);

// By hand: `derive(Clone)` would ask `S: Clone` of the field type.
impl<S: Space> Clone for CitizenAgent<S> {
    fn clone(&self) -> Self {
        CitizenAgent(self.0.clone(), self.1.clone())
    }
}

impl<S: Space> Clone for CopAgent<S> {
    fn clone(&self) -> Self {
        CopAgent(self.0.clone(), self.1.clone())
    }
}

impl<S: Space> Agent for CitizenAgent<S> {
    fn step(&mut self, state: &mut dyn State) {
        let w = world::<S>(state);
        let me = &mut self.0;
        let pending = std::mem::replace(&mut w.arrests[me.id as usize], NO_ARREST);
        if pending != NO_ARREST {
            me.jailed = true;
            me.term = pending;
        }
        if me.jailed && me.term > 0 {
            // Serve one step; stay on the cell (written again: double buffering).
            me.term -= 1;
            w.grid.put(Cell { kind: Kind::Jailed, id: me.id }, &me.loc);
            return;
        }
        me.jailed = false;
        let seen = w.look(me.loc);
        let ratio = round_half_even(f64::from(seen.cops) / f64::from(seen.active + 1));
        let p = 1.0 - (-K * ratio).exp();
        let active = me.hardship * (1.0 - LEGITIMACY) - me.risk_aversion * p > THRESHOLD;
        let cell = Cell { kind: if active { Kind::Active } else { Kind::Quiet }, id: me.id };
        me.loc = w.move_or_stay(cell, me.loc);
    }
}

impl<S: Space> Agent for CopAgent<S> {
    fn step(&mut self, state: &mut dyn State) {
        let w = world::<S>(state);
        let me = &mut self.0;
        w.look(me.loc);
        if !w.actives.is_empty() {
            let at = w.actives[w.rng.random_range(0..w.actives.len())];
            let arrestee = w.grid.live(&at);
            let term = w.rng.random_range(0..=MAX_JAIL_TERM);
            w.arrests[arrestee.id as usize] = term;
            w.grid.put(Cell { kind: Kind::Jailed, id: arrestee.id }, &at);
        }
        me.loc = w.move_or_stay(Cell { kind: Kind::Cop, id: me.id }, me.loc);
    }
}

impl<S: Space> State for World<S> {
    /// Mesa's placement: cell by cell, a citizen w.p. 0.7, else a cop w.p. 0.074.
    fn init(&mut self, schedule: &mut Schedule) {
        let mut citizens = Vec::new();
        let mut cops = Vec::new();
        for y in 0..self.height {
            for x in 0..self.width {
                let loc = Int2D { x, y };
                let u: f64 = self.rng.random();
                if u < CITIZEN_DENSITY {
                    let id = citizens.len() as u32;
                    let hardship = self.rng.random();
                    let risk_aversion = self.rng.random();
                    citizens.push(Citizen { id, loc, hardship, risk_aversion, jailed: false, term: 0 });
                    self.grid.put(Cell { kind: Kind::Quiet, id }, &loc);
                } else if u < CITIZEN_DENSITY + COP_DENSITY {
                    let id = cops.len() as u32;
                    cops.push(Cop { id, loc });
                    self.grid.put(Cell { kind: Kind::Cop, id }, &loc);
                }
            }
        }
        self.citizens = citizens.len() as u32;
        self.cops = cops.len() as u32;
        self.arrests = vec![NO_ARREST; citizens.len()];
        for c in citizens {
            schedule.schedule_repeating(Box::new(CitizenAgent::<S>(c, Tag(std::marker::PhantomData))), 0.0, 0);
        }
        for c in cops {
            schedule.schedule_repeating(Box::new(CopAgent::<S>(c, Tag(std::marker::PhantomData))), 0.0, 0);
        }
        // The placement is in the write buffer; the schedule's first step calls
        // `update(0)`, which swaps it into the read buffer before any agent acts.
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_state_mut(&mut self) -> &mut dyn State {
        self
    }

    fn as_state(&self) -> &dyn State {
        self
    }

    fn reset(&mut self) {
        *self = World::new(self.width, self.height, self.seed);
    }

    /// Called by the schedule before step 0 and after every step.
    fn update(&mut self, step: u64) {
        self.grid.swap();
        if step > 0 {
            let (active, jailed) = self.grid.census();
            self.active_series.push(active);
            self.jailed_series.push(jailed);
        }
    }

    /// Random-sequential activation: a fresh random order of the agents every step.
    fn before_step(&mut self, schedule: &mut Schedule) {
        let n = schedule.events.len();
        self.order.clear();
        self.order.extend(0..n as i32);
        self.order.shuffle(&mut self.rng);
        for ((_, priority), &ordering) in schedule.events.iter_mut().zip(&self.order) {
            priority.ordering = ordering;
        }
    }
}

struct Args {
    width: i32,
    height: i32,
    steps: u64,
    seed: u64,
    field: String,
    /// Print active and jailed citizens per step to stderr (CSV).
    series: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args { width: 40, height: 40, steps: 1000, seed: 0, field: "dense".into(), series: false };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--width" => a.width = value()?.parse().map_err(|e| format!("--width: {e}"))?,
            "--height" => a.height = value()?.parse().map_err(|e| format!("--height: {e}"))?,
            "--steps" => a.steps = value()?.parse().map_err(|e| format!("--steps: {e}"))?,
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--field" => a.field = value()?,
            "--series" => a.series = true,
            "-h" | "--help" => {
                println!("usage: epstein-krabmaga [--width N] [--height N] [--steps S] [--seed X] [--field dense|sparse] [--series]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if a.field != "dense" && a.field != "sparse" {
        return Err(format!("--field must be dense or sparse, not {:?}", a.field));
    }
    Ok(a)
}

fn run<S: Space>(a: &Args) -> String {
    let clock = Instant::now();
    let mut world = World::<S>::new(a.width, a.height, a.seed);
    // The headless loop of krABMaga's `simulate!` (one repetition).
    let mut schedule = Schedule::new();
    let state = world.as_state_mut();
    state.init(&mut schedule);
    let init_seconds = clock.elapsed().as_secs_f64();
    for _ in 0..a.steps {
        schedule.step(state);
    }
    let seconds = clock.elapsed().as_secs_f64();
    let agents = u64::from(world.citizens + world.cops);
    let mean_active = if world.active_series.is_empty() {
        f64::NAN
    } else {
        world.active_series.iter().sum::<u64>() as f64 / world.active_series.len() as f64
    };
    let jailed_end = world.jailed_series.last().copied().unwrap_or(0);
    if a.series {
        eprintln!("step,active,jailed");
        for (s, (act, jail)) in world.active_series.iter().zip(&world.jailed_series).enumerate() {
            eprintln!("{s},{act},{jail}");
        }
    }
    format!(
        concat!(
            "{{\"framework\":\"krabmaga\",\"krabmaga\":\"0.6.2\",\"field\":\"{}\",\"width\":{},\"height\":{},\"seed\":{},",
            "\"citizens\":{},\"cops\":{},\"agents\":{},\"steps\":{},\"seconds\":{:.6},\"init_seconds\":{:.6},",
            "\"agent_steps_per_sec\":{:.1},\"mean_active\":{:.3},\"jailed_end\":{}}}"
        ),
        a.field,
        a.width,
        a.height,
        a.seed,
        world.citizens,
        world.cops,
        agents,
        schedule.step,
        seconds,
        init_seconds,
        (agents * schedule.step) as f64 / seconds,
        mean_active,
        jailed_end
    )
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let line = match a.field.as_str() {
        "sparse" => run::<SparseGrid2D<Cell>>(&a),
        _ => run::<DenseNumberGrid2D<Cell>>(&a),
    };
    println!("{line}");
}
