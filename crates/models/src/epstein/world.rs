//! The state of the grid and its agents, and the two ways of advancing it one step.
//!
//! Layout: one byte per cell for what is on it (the engine's [`Board`], which every
//! agent scans), one `u32` per cell for who is on it, one compact record per citizen
//! and one cell index per cop. A citizen's state (quiet, active, jailed) is the byte of
//! its cell, so the two can never disagree. Agent ids: citizens `0..citizens`, then
//! cops.

use super::rules::ArrestModel;
use super::vision::{look, ACTIVE, COP, EMPTY, JAILED, QUIET};
use perelom_engine::schedule::decide_parallel;
use perelom_engine::space::{Board, Grid, Spot, Vicinity};
use perelom_engine::{SimRng, Streams};
use rand::Rng;

/// Agents whose data is read ahead in random-sequential activation.
const TOUCH_AHEAD: usize = 8;

/// Marks an empty cell in [`World::occupant`] and "none" in decisions.
pub(crate) const NONE: u32 = u32::MAX;

/// A citizen: fixed traits, where it is and, when jailed, the term left.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq)]
pub(crate) struct Citizen {
    pub hardship: f64,
    pub risk: f64,
    pub cell: u32,
    pub term: u32,
}

/// Everything a step needs besides the world: the rules in force.
#[derive(Clone, Debug)]
pub(crate) struct Rules {
    pub citizen_vision: Vicinity,
    pub cop_vision: Vicinity,
    pub arrest: ArrestModel,
    pub threshold: f64,
    pub max_term: u32,
    pub citizens_move: bool,
    pub cops_move: bool,
}

impl Rules {
    /// Rule A: active iff `G − R·P > T`, with `G = H·(1 − L)`.
    #[inline]
    fn goes_active(&self, c: &Citizen, legitimacy: f64, cops: u32, actives_seen: u32) -> bool {
        let grievance = c.hardship * (1.0 - legitimacy);
        let p = self.arrest.probability(cops, actives_seen + 1);
        grievance - c.risk * p > self.threshold
    }
}

/// What one agent decided from the snapshot, in synchronous-parallel activation.
#[derive(Clone, Copy, Debug)]
struct Decision {
    what: u8,
    /// Cell to move to, or [`NONE`].
    target: u32,
    /// Citizen to arrest (cops), or [`NONE`].
    arrest: u32,
    /// Jail term for the arrestee.
    term: u32,
}

const SERVE: u8 = 0; // a jailed citizen serves one step of its term
const STAY_QUIET: u8 = QUIET;
const GO_ACTIVE: u8 = ACTIVE;
const POLICE: u8 = COP;

#[derive(Clone, Debug)]
pub(crate) struct World {
    /// What is on each cell (and the grid's geometry).
    pub kinds: Board,
    /// Who is on each cell: an agent id or [`NONE`].
    pub occupant: Vec<u32>,
    pub citizens: Vec<Citizen>,
    /// The cell of each cop.
    pub cops: Vec<u32>,
}

impl World {
    /// Fills the grid cell by cell: a citizen with probability `citizen_density`, else a
    /// cop with probability `cop_density`, else nothing (Mesa's placement). Each
    /// citizen draws hardship, then risk aversion, from U(0, 1). `pad` is the largest
    /// vision radius: the frame of the padded [`Board`].
    pub fn populate(grid: &Grid, citizen_density: f64, cop_density: f64, pad: u32, rng: &mut SimRng) -> Self {
        let n = grid.cells();
        let mut kinds = vec![EMPTY; n];
        let mut citizens = Vec::with_capacity((n as f64 * citizen_density * 1.01) as usize + 16);
        let mut cops = Vec::with_capacity((n as f64 * cop_density * 1.05) as usize + 16);
        for (cell, kind) in kinds.iter_mut().enumerate() {
            let u: f64 = rng.random();
            if u < citizen_density {
                let hardship = rng.random();
                let risk = rng.random();
                citizens.push(Citizen { hardship, risk, cell: cell as u32, term: 0 });
                *kind = QUIET;
            } else if u < citizen_density + cop_density {
                cops.push(cell as u32);
                *kind = COP;
            }
        }
        let kinds = Board::new(grid, pad, kinds);
        let mut w = World { kinds, occupant: vec![NONE; n], citizens, cops };
        w.renumber();
        w
    }

    /// Rebuilds [`World::occupant`] from the agents' cells.
    pub(crate) fn renumber(&mut self) {
        self.occupant.fill(NONE);
        for (i, c) in self.citizens.iter().enumerate() {
            self.occupant[c.cell as usize] = i as u32;
        }
        let first = self.citizens.len();
        for (j, &cell) in self.cops.iter().enumerate() {
            self.occupant[cell as usize] = (first + j) as u32;
        }
    }

    pub fn agents(&self) -> usize {
        self.citizens.len() + self.cops.len()
    }

    /// Quiet, active and jailed citizens.
    pub fn census(&self) -> (usize, usize, usize) {
        let (mut q, mut a, mut j) = (0usize, 0usize, 0usize);
        for &k in self.kinds.iter() {
            q += usize::from(k == QUIET);
            a += usize::from(k == ACTIVE);
            j += usize::from(k == JAILED);
        }
        (q, a, j)
    }

    /// Moves agent `id`, standing on `from`, to the empty cell `to`.
    #[inline]
    fn relocate(&mut self, id: usize, from: Spot, to: Spot) {
        let (f, t) = (from.cell, to.cell);
        debug_assert_eq!(self.occupant[f] as usize, id);
        self.kinds.put(to, self.kinds[f]);
        self.kinds.put(from, EMPTY);
        self.move_id(id, f, t);
    }

    /// Moves agent `id` from cell `from` to cell `to` in the records of who is where.
    #[inline]
    fn move_id(&mut self, id: usize, from: usize, to: usize) {
        self.occupant[to] = id as u32;
        self.occupant[from] = NONE;
        if let Some(c) = self.citizens.get_mut(id) {
            c.cell = to as u32;
        } else if let Some(cell) = self.cops.get_mut(id - self.citizens.len()) {
            *cell = to as u32;
        }
    }

    /// Removes cops or adds them on empty cells, chosen at random, until there are
    /// `target` (or the grid is full).
    pub fn set_cop_count(&mut self, target: usize, rng: &mut SimRng) {
        let have = self.cops.len();
        if target < have {
            // Partial Fisher-Yates over cop indices: the first `have - target` leave.
            let mut idx: Vec<u32> = (0..have as u32).collect();
            let leave = have - target;
            for i in 0..leave {
                let j = rng.random_range(i..have);
                idx.swap(i, j);
            }
            let mut gone = vec![false; have];
            for &i in &idx[..leave] {
                gone[i as usize] = true;
                let cell = self.cops[i as usize] as usize;
                self.kinds.set(cell, EMPTY);
            }
            let mut k = 0;
            self.cops.retain(|_| {
                k += 1;
                !gone[k - 1]
            });
        } else if target > have {
            let mut empty: Vec<u32> = (0..self.kinds.len() as u32).filter(|&c| self.kinds[c as usize] == EMPTY).collect();
            let add = (target - have).min(empty.len());
            for i in 0..add {
                let j = rng.random_range(i..empty.len());
                empty.swap(i, j);
                self.kinds.set(empty[i] as usize, COP);
                self.cops.push(empty[i]);
            }
        }
        self.renumber();
    }

    /// Random-sequential activation: each agent in `order` acts on the world as the
    /// agents before it left it. All draws come from `rng`, in that order.
    pub fn step_sequential(&mut self, rules: &Rules, legitimacy: f64, order: &[u32], rng: &mut SimRng) {
        let first_cop = self.citizens.len();
        for (b, batch) in order.chunks(TOUCH_AHEAD).enumerate() {
            // Read where the next batch of agents stands before this batch acts: their
            // cache misses then overlap instead of coming one after another (a
            // prefetch in safe code; on large grids most of a step's time is such
            // misses). It changes nothing but timing.
            let next = order.get((b + 1) * TOUCH_AHEAD..).unwrap_or(&[]);
            for &a in next.iter().take(TOUCH_AHEAD) {
                let a = a as usize;
                let cell = match self.citizens.get(a) {
                    Some(c) => c.cell,
                    None => self.cops.get(a - first_cop).copied().unwrap_or(0),
                };
                std::hint::black_box(self.kinds.get(cell as usize));
            }
            for &a in batch {
                let a = a as usize;
                if a < first_cop {
                    self.citizen_acts(a, rules, legitimacy, rng);
                } else {
                    self.cop_acts(a - first_cop, rules, rng);
                }
            }
        }
    }

    /// A citizen's turn (Mesa's `Citizen.step`): serve one step of a jail term, or look
    /// around, decide, and move.
    #[inline]
    fn citizen_acts(&mut self, i: usize, rules: &Rules, legitimacy: f64, rng: &mut SimRng) {
        let me = self.citizens[i];
        let cell = me.cell as usize;
        if self.kinds[cell] == JAILED && me.term > 0 {
            self.citizens[i].term -= 1;
            return;
        }
        let at = self.kinds.spot(cell);
        let seen = look(&rules.citizen_vision, &self.kinds, at);
        let state = if rules.goes_active(&me, legitimacy, seen.cops, seen.active) { ACTIVE } else { QUIET };
        if self.kinds[cell] != state {
            self.kinds.put(at, state);
        }
        if rules.citizens_move {
            if let Some(to) = rules.citizen_vision.sample(&self.kinds, at, EMPTY, seen.empty, rng) {
                self.relocate(i, at, to);
            }
        }
    }

    /// A cop's turn (Mesa's `Cop.step`): arrest one active citizen in vision at random,
    /// then move.
    #[inline]
    fn cop_acts(&mut self, j: usize, rules: &Rules, rng: &mut SimRng) {
        let at = self.kinds.spot(self.cops[j] as usize);
        let seen = look(&rules.cop_vision, &self.kinds, at);
        if let Some(arrestee) = rules.cop_vision.sample(&self.kinds, at, ACTIVE, seen.active, rng) {
            let term = rng.random_range(0..=rules.max_term);
            self.jail(arrestee, term);
        }
        if rules.cops_move {
            if let Some(to) = rules.cop_vision.sample(&self.kinds, at, EMPTY, seen.empty, rng) {
                self.relocate(self.citizens.len() + j, at, to);
            }
        }
    }

    /// Jails the citizen on `at` for `term` steps; it stays on its cell.
    #[inline]
    fn jail(&mut self, at: Spot, term: u32) {
        let id = self.occupant[at.cell] as usize;
        if let Some(c) = self.citizens.get_mut(id) {
            c.term = term;
            self.kinds.put(at, JAILED);
        }
    }

    /// Synchronous-parallel activation: every agent decides from the same snapshot, in
    /// parallel; then, in agent-id order, jail terms are served, states set, arrests
    /// made (the first cop to claim a citizen gets it) and moves made (a move to a cell
    /// taken meanwhile fails).
    pub fn step_parallel(&mut self, rules: &Rules, legitimacy: f64, streams: &Streams, step: u32) {
        let first_cop = self.citizens.len();
        let decisions = {
            let w = &*self;
            decide_parallel(w.agents(), streams, "epstein.decide", u64::from(step), |a, rng| {
                if a < first_cop {
                    w.citizen_decides(a, rules, legitimacy, rng)
                } else {
                    w.cop_decides(a - first_cop, rules, rng)
                }
            })
        };
        let (citizen_d, cop_d) = decisions.split_at(first_cop);
        for (c, d) in self.citizens.iter_mut().zip(citizen_d) {
            match d.what {
                SERVE => c.term = c.term.saturating_sub(1),
                state if self.kinds[c.cell as usize] != state => self.kinds.set(c.cell as usize, state),
                _ => {}
            }
        }
        for d in cop_d {
            if let Some(c) = self.citizens.get_mut(d.arrest as usize) {
                let cell = c.cell as usize;
                if self.kinds[cell] != JAILED {
                    self.kinds.set(cell, JAILED);
                    c.term = d.term;
                }
            }
        }
        for (a, d) in decisions.iter().enumerate() {
            if d.target == NONE {
                continue;
            }
            let from = if a < first_cop { self.citizens[a].cell } else { self.cops[a - first_cop] } as usize;
            let to = d.target as usize;
            if self.kinds[from] != JAILED && self.kinds[to] == EMPTY {
                self.relocate(a, self.kinds.spot(from), self.kinds.spot(to));
            }
        }
    }

    fn citizen_decides(&self, i: usize, rules: &Rules, legitimacy: f64, rng: &mut SimRng) -> Decision {
        let me = &self.citizens[i];
        let cell = me.cell as usize;
        let mut d = Decision { what: SERVE, target: NONE, arrest: NONE, term: 0 };
        if self.kinds[cell] == JAILED && me.term > 0 {
            return d;
        }
        let at = self.kinds.spot(cell);
        let seen = look(&rules.citizen_vision, &self.kinds, at);
        d.what = if rules.goes_active(me, legitimacy, seen.cops, seen.active) { GO_ACTIVE } else { STAY_QUIET };
        if rules.citizens_move {
            d.target = rules.citizen_vision.sample(&self.kinds, at, EMPTY, seen.empty, rng).map_or(NONE, |s| s.cell as u32);
        }
        d
    }

    fn cop_decides(&self, j: usize, rules: &Rules, rng: &mut SimRng) -> Decision {
        let at = self.kinds.spot(self.cops[j] as usize);
        let mut d = Decision { what: POLICE, target: NONE, arrest: NONE, term: 0 };
        let seen = look(&rules.cop_vision, &self.kinds, at);
        if let Some(arrestee) = rules.cop_vision.sample(&self.kinds, at, ACTIVE, seen.active, rng) {
            d.arrest = self.occupant[arrestee.cell];
            d.term = rng.random_range(0..=rules.max_term);
        }
        if rules.cops_move {
            d.target = rules.cop_vision.sample(&self.kinds, at, EMPTY, seen.empty, rng).map_or(NONE, |s| s.cell as u32);
        }
        d
    }

    /// Checks the internal bookkeeping (tests only): every agent's cell says so, and
    /// every occupied cell names its agent.
    #[cfg(test)]
    pub fn consistent(&self) -> bool {
        let first = self.citizens.len();
        let citizens_ok = self.citizens.iter().enumerate().all(|(i, c)| {
            let k = self.kinds[c.cell as usize];
            self.occupant[c.cell as usize] == i as u32 && (k == QUIET || k == ACTIVE || k == JAILED)
        });
        let cops_ok = self
            .cops
            .iter()
            .enumerate()
            .all(|(j, &cell)| self.occupant[cell as usize] == (first + j) as u32 && self.kinds[cell as usize] == COP);
        let empty_ok = self.kinds.iter().zip(&self.occupant).all(|(&k, &o)| (k == EMPTY) == (o == NONE));
        citizens_ok && cops_ok && empty_ok
    }
}

#[cfg(test)]
mod tests {
    use super::super::rules::{ArrestModel, ArrestRatio};
    use super::*;
    use perelom_engine::schedule::random_order;
    use perelom_engine::space::Neighbourhood;

    fn rules(grid: &Grid) -> Rules {
        Rules {
            citizen_vision: Vicinity::new(grid, Neighbourhood::VonNeumann, 3, 3),
            cop_vision: Vicinity::new(grid, Neighbourhood::VonNeumann, 3, 3),
            arrest: ArrestModel::new(2.3, ArrestRatio::Round, 30),
            threshold: 0.1,
            max_term: 5,
            citizens_move: true,
            cops_move: true,
        }
    }

    #[test]
    fn jailed_citizens_neither_act_nor_move_and_bookkeeping_holds() {
        let grid = Grid::new(30, 30, true);
        let r = rules(&grid);
        let s = Streams::new(3);
        for parallel in [false, true] {
            let mut w = World::populate(&grid, 0.6, 0.05, 3, &mut s.stream("p", 0, 0));
            let mut order = Vec::new();
            let mut jailed_seen = 0;
            for step in 0..60u32 {
                let before: Vec<Citizen> = w.citizens.clone();
                let was_jailed: Vec<bool> = before.iter().map(|c| w.kinds[c.cell as usize] == JAILED).collect();
                if parallel {
                    w.step_parallel(&r, 0.0, &s, step);
                } else {
                    random_order(w.agents(), &mut s.stream("o", u64::from(step), 0), &mut order);
                    w.step_sequential(&r, 0.0, &order, &mut s.stream("a", u64::from(step), 0));
                }
                assert!(w.consistent());
                for (i, (b, now)) in before.iter().zip(&w.citizens).enumerate() {
                    assert!(now.term <= r.max_term);
                    if was_jailed[i] && b.term > 0 {
                        jailed_seen += 1;
                        assert_eq!(now.cell, b.cell, "a jailed citizen moved");
                        assert_eq!(w.kinds[now.cell as usize], JAILED, "a jailed citizen acted");
                        assert_eq!(now.term, b.term - 1);
                    }
                }
            }
            assert!(jailed_seen > 100, "too few jailed citizens to test: {jailed_seen}");
        }
    }

    #[test]
    fn cop_count_jumps_both_ways() {
        let grid = Grid::new(25, 25, false);
        let mut w = World::populate(&grid, 0.5, 0.1, 3, &mut Streams::new(1).stream("p", 0, 0));
        let mut rng = Streams::new(1).stream("c", 0, 0);
        w.set_cop_count(10, &mut rng);
        assert_eq!(w.cops.len(), 10);
        assert!(w.consistent());
        w.set_cop_count(200, &mut rng);
        assert_eq!(w.cops.len(), 200);
        assert!(w.consistent());
        w.set_cop_count(100_000, &mut rng);
        assert_eq!(w.agents(), 625);
        assert!(w.consistent());
    }
}
