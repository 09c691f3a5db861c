//! Epstein (2002), "Modeling civil violence: An agent-based computational approach",
//! PNAS 99 (suppl. 3): 7243–7250, Model I: generalized rebellion against a central
//! authority, with citizens and cops on a grid.
//!
//! # Rules
//!
//! * **Citizens** draw hardship `H ~ U(0,1)` and risk aversion `R ~ U(0,1)` once.
//!   Grievance is `G = H·(1 − L)` with legitimacy `L` (which a scenario may change
//!   during the run). A citizen counts the cops `C` and the active citizens in its
//!   vision; `A` is one more than the actives, since it counts itself (Epstein, Mesa).
//!   Its estimated arrest probability is `P = 1 − exp(−k·ratio(C/A))`, where
//!   `ratio` is the literal quotient, NetLogo's `floor` or Mesa's `round` (half to
//!   even, like Python's): see [`ArrestRatio`]. Net risk is `N = R·P`; the citizen is
//!   active iff `G − N > T`, quiet otherwise (rule A).
//! * **Cops** pick one active citizen in their vision at random and arrest it (rule C).
//!   The arrestee is jailed for a term drawn uniformly from `0..=jail.max_term`
//!   (inclusive, like Python's `randint`).
//! * **Movement** (rule M): if enabled, an agent moves to a cell drawn uniformly from
//!   the empty cells in its vision, if there is one. A cell holds at most one agent.
//!   (The draw is made by rejection sampling when empty cells are common, by index
//!   otherwise: the same uniform distribution either way, as Mesa's
//!   `random.choice(empty_neighbors)`. Cops draw their arrestee the same way.)
//!
//! # One agent's turn (as Mesa 3.3.1's `agents.py`)
//!
//! * A jailed citizen with a term left serves one step of it (the term decreases by
//!   one) and does nothing else: it neither decides nor moves, and stays on its cell,
//!   which counts as occupied. A jailed citizen whose term is 0 is released at its next
//!   turn: it decides (quiet or active) and moves like any free citizen. So a term of
//!   `J` keeps the citizen out of `J` of its own turns. Jailed citizens never count as
//!   active, for cops or citizens.
//! * A free citizen looks around, decides, then moves (decide first, then move).
//! * A cop looks around, arrests, then moves. It does **not** step onto the arrestee's
//!   cell: the arrestee stays there, jailed, and a cell holds one agent.
//!
//! # Activation
//!
//! * `random-sequential` (default; Epstein, Mesa's `shuffle_do`, NetLogo's `ask`): all
//!   agents, citizens and cops together, act one by one in a fresh random order each
//!   step, each seeing what those before it did. The order comes from the stream
//!   `("epstein.order", step)`, all draws of the agents from `("epstein.act", step)`.
//! * `synchronous-parallel`: every agent decides from the state at the start of the
//!   step, in parallel (streams `("epstein.decide", step, chunk)` per chunk of agents,
//!   so results do not depend on the thread count). The decisions are then applied in
//!   agent-id order (citizens first, in their initial cell order, then cops): jailed
//!   citizens serve a step; free citizens take their new state; each cop arrests the
//!   citizen it chose (it was active in the snapshot), unless an earlier cop already
//!   did: first come, first served, with no second choice, and an arrest overrides the
//!   arrestee's own decision; finally agents move in id order to the cell they chose,
//!   if it is still empty and they are not jailed.
//!
//! # Changes during a run
//!
//! Legitimacy during step `s` follows [`Legitimacy`]. Cop numbers follow
//! [`CopSchedule`]: a jump at the start of step `cops.at_step`, or a linear change from
//! it over `cops.over_steps` steps. At each change random cops are removed, or new ones
//! put on random empty cells (stream `("epstein.cops", step)`), until there are
//! `round(C0 · d / cops.density)`: the `C0` cops placed at the start scaled by the new
//! density `d` (`round(d × cells)` if `cops.density` is 0; fewer if the grid is full).
//! A final value left unset (`cops.final_density`, `legitimacy.final`) is the initial
//! one, so a schedule without it changes nothing.
//!
//! # Compared with Mesa 3.3.1 and NetLogo's Rebellion
//!
//! | | Perelom (default) | Mesa 3.3.1 | NetLogo Rebellion |
//! |---|---|---|---|
//! | vision | von Neumann radius `v`, centre excluded, cells deduplicated on tiny tori | same | Euclidean disc (`in-radius`), own patch included |
//! | `ratio(C/A)` | `round` half-even (choice) | `round` | `floor` |
//! | jail term | `0..=J_max` | `randint(0, J_max)` | `random J_max` = `0..J_max−1` |
//! | jailed agents | stay on their cell, occupy it | same | stay, but their cell counts as free |
//! | arresting cop | stays, then moves (rule M) | same | moves onto the arrestee's cell |
//! | turn order | decide, then move | same | move, then decide |
//! | term countdown | at the citizen's own turn | same | at the end of the step, for all |
//! | cop movement | `cops.movement` | the one `movement` flag | always |
//! | placement | per cell: citizen w.p. `d_c`, else cop w.p. `d_p` | same | fixed numbers |
//!
//! Random numbers differ from Mesa's (ChaCha8 streams, not Python's Mersenne Twister),
//! so runs agree with Mesa in distribution, not draw for draw.
//!
//! # Outputs
//!
//! Per step (row `s` is the state at the end of step `s`, from 0; Mesa's data
//! collector also keeps a row for the initial state, when all citizens are quiet):
//! `quiet`, `active`, `jailed` (these three add up to the citizens at every step),
//! `cops` and `legitimacy` (the value in force during the step). Table `outbursts`:
//! one row per run of steps with more than `outburst.threshold` actives (see
//! [`Outburst`]).

pub mod info;
mod outbursts;
mod params;
mod rules;
mod vision;
mod world;

pub use outbursts::Outburst;
pub use params::{schema, Params};
pub use rules::{arrest_probability, round_half_even, ArrestRatio, CopSchedule, Legitimacy};

use crate::Simulation;
use outbursts::Outbursts;
use perelom_engine::schedule::{random_order, Activation};
use perelom_engine::space::{Grid, Vicinity};
use perelom_engine::{Clock, MetricSpec, Quantity, Recorder, Streams, Table};
use perelom_scenario::{Scenario, ScenarioError};
use rules::ArrestModel;
use vision::{ACTIVE, JAILED};
use world::{Rules, World};

/// The weekly metrics: the model's data dictionary (see `perelom metrics epstein`).
pub const METRICS: &[MetricSpec] = &[
    MetricSpec::count("quiet", Quantity::Stock, "citizens", "citizens free and not active at the end of the step"),
    MetricSpec::count("active", Quantity::Stock, "citizens", "citizens openly rebelling (active) at the end of the step"),
    MetricSpec::count(
        "jailed",
        Quantity::Stock,
        "citizens",
        "citizens in jail at the end of the step (quiet + active + jailed = all citizens)",
    ),
    MetricSpec::count("cops", Quantity::Stock, "cops", "cops on the grid during the step (changed only by cops.schedule)"),
    MetricSpec::real("legitimacy", Quantity::Parameter, "0-1", "regime legitimacy L in force during the step (legitimacy.schedule)"),
];

/// The model's name in scenario files: `[scenario] model = "epstein"`.
pub const MODEL: &str = "epstein";

/// A citizen's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CitizenState {
    /// On the grid, not rebelling.
    Quiet,
    /// On the grid, openly rebelling.
    Active,
    /// In jail: keeps its cell, neither acts nor moves until its term ends.
    Jailed,
}

/// A read-only view of one citizen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CitizenView {
    /// Cell index `y · width + x`.
    pub cell: u32,
    /// Quiet, active or jailed.
    pub state: CitizenState,
    /// Steps of jail left (meaningful when jailed; 0 means released at its next turn).
    pub jail_term: u32,
    /// Perceived hardship H, drawn from U(0, 1) at the start.
    pub hardship: f64,
    /// Risk aversion R, drawn from U(0, 1) at the start.
    pub risk_aversion: f64,
}

/// A run of Epstein's Model I.
#[derive(Clone, Debug)]
pub struct Epstein {
    params: Params,
    clock: Clock,
    streams: Streams,
    world: World,
    rules: Rules,
    recorder: Recorder,
    outbursts: Outbursts,
    steps_done: u32,
    /// Reused each step for the random order.
    order: Vec<u32>,
    /// Cops placed at the start, which the cop schedule scales.
    cops_placed: usize,
}

/// The checks [`Epstein::new`] makes of a scenario, without building the world.
pub(crate) fn check(s: &Scenario) -> Result<(), ScenarioError> {
    Params::from_scenario(s).map(|_| ())
}

impl Epstein {
    /// Builds the run a scenario describes: places the agents (stream
    /// `("epstein.place", 0)`) and checks the parameters against each other.
    pub fn new(scenario: &Scenario) -> Result<Self, ScenarioError> {
        let params = Params::from_scenario(scenario)?;
        let grid = Grid::new(params.width, params.height, params.torus);
        let streams = Streams::new(params.seed);
        // The padded board's frame is as wide as the farther-seeing kind of agent sees.
        let pad = params.citizen_vision.max(params.cop_vision);
        let world = World::populate(&grid, params.citizen_density, params.cop_density, pad, &mut streams.stream("epstein.place", 0, 0));
        let citizen_vision = Vicinity::new(&grid, params.neighbourhood, params.citizen_vision, pad);
        let cop_vision = Vicinity::new(&grid, params.neighbourhood, params.cop_vision, pad);
        let arrest = ArrestModel::new(params.k, params.ratio, citizen_vision.cells() as u32);
        let rules = Rules {
            citizen_vision,
            cop_vision,
            arrest,
            threshold: params.threshold,
            max_term: params.max_term,
            citizens_move: params.citizens_move,
            cops_move: params.cops_move,
        };
        let recorder = Recorder::new(METRICS);
        Ok(Epstein {
            clock: Clock::abstract_steps(params.steps),
            outbursts: Outbursts::new(params.outburst_threshold),
            order: Vec::with_capacity(world.agents()),
            cops_placed: world.cops.len(),
            params,
            streams,
            world,
            rules,
            recorder,
            steps_done: 0,
        })
    }

    /// The run's resolved parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The run's grid (its width, height and wrapping).
    pub fn grid(&self) -> &Grid {
        self.world.kinds.grid()
    }

    /// Number of citizens (constant over a run).
    pub fn citizen_count(&self) -> usize {
        self.world.citizens.len()
    }

    /// The cells of the cops.
    pub fn cop_cells(&self) -> &[u32] {
        &self.world.cops
    }

    /// The citizens, in id order.
    pub fn citizens(&self) -> impl ExactSizeIterator<Item = CitizenView> + '_ {
        self.world.citizens.iter().map(|c| CitizenView {
            cell: c.cell,
            state: match self.world.kinds[c.cell as usize] {
                ACTIVE => CitizenState::Active,
                JAILED => CitizenState::Jailed,
                _ => CitizenState::Quiet,
            },
            jail_term: c.term,
            hardship: c.hardship,
            risk_aversion: c.risk,
        })
    }

    /// The outbursts so far.
    pub fn outbursts(&self) -> Vec<Outburst> {
        self.outbursts.all()
    }
}

impl Simulation for Epstein {
    fn clock(&self) -> &Clock {
        &self.clock
    }

    fn steps_done(&self) -> u32 {
        self.steps_done
    }

    fn step(&mut self) {
        let step = self.steps_done;
        let legitimacy = self.params.legitimacy.at(step);
        if let Some(density) = self.params.cops.change_at(step) {
            let target = CopSchedule::cops_for(density, self.params.cop_density, self.cops_placed, self.world.kinds.grid().cells());
            if target != self.world.cops.len() {
                self.world.set_cop_count(target, &mut self.streams.stream("epstein.cops", u64::from(step), 0));
            }
        }
        match self.params.activation {
            Activation::RandomSequential => {
                random_order(self.world.agents(), &mut self.streams.stream("epstein.order", u64::from(step), 0), &mut self.order);
                let mut rng = self.streams.stream("epstein.act", u64::from(step), 0);
                self.world.step_sequential(&self.rules, legitimacy, &self.order, &mut rng);
            }
            Activation::SynchronousParallel => self.world.step_parallel(&self.rules, legitimacy, &self.streams, step),
        }
        let (quiet, active, jailed) = self.world.census();
        let row = [quiet as f64, active as f64, jailed as f64, self.world.cops.len() as f64, legitimacy];
        self.recorder.record(&self.clock, step, &row);
        self.outbursts.observe(step, u32::try_from(active).unwrap_or(u32::MAX));
        self.steps_done += 1;
    }

    fn metrics(&self) -> Table {
        self.recorder.to_table()
    }

    fn tables(&self) -> Vec<(String, Table)> {
        vec![("outbursts".to_string(), self.outbursts.table())]
    }

    fn grid(&self) -> Option<crate::GridSnapshot> {
        Some(info::snapshot(self))
    }

    fn summary(&self) -> Vec<(String, String)> {
        let active = self.recorder.series("active").unwrap_or(&[]);
        let jailed = self.recorder.last("jailed").unwrap_or(0.0);
        let mean = |xs: &[f64]| {
            if xs.is_empty() {
                f64::NAN
            } else {
                xs.iter().sum::<f64>() / xs.len() as f64
            }
        };
        let fmt = |x: f64| {
            if x.is_nan() {
                "n/a".to_string()
            } else {
                format!("{x:.1}")
            }
        };
        let (peak_step, peak) = active.iter().enumerate().fold((0, 0.0), |best, (s, &a)| if a > best.1 { (s, a) } else { best });
        let all = self.outbursts.all();
        let waits: Vec<f64> = self.outbursts.waits().into_iter().map(f64::from).collect();
        let sizes: Vec<f64> = all.iter().map(|o| f64::from(o.peak)).collect();
        vec![
            ("citizens".into(), self.world.citizens.len().to_string()),
            ("cops at end".into(), self.world.cops.len().to_string()),
            ("mean active".into(), fmt(mean(active))),
            ("peak active".into(), if active.is_empty() { "n/a".into() } else { format!("{peak} (step {peak_step})") }),
            ("jailed at end".into(), format!("{jailed}")),
            (format!("outbursts (> {} active)", self.params.outburst_threshold), all.len().to_string()),
            ("mean waiting time between outbursts (steps)".into(), fmt(mean(&waits))),
            ("mean outburst size (peak active)".into(), fmt(mean(&sizes))),
        ]
    }
}
