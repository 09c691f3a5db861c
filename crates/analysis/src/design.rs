//! Experimental designs over named, bounded parameters.
//!
//! | function | method |
//! | --- | --- |
//! | [`full_factorial`] | every combination of listed levels (classical full factorial) |
//! | [`latin_hypercube`] | Latin hypercube sampling: McKay, Beckman & Conover, *Technometrics* 21, 1979 |
//! | [`sobol_points`] | Sobol' low-discrepancy points (Sobol' 1967; Joe & Kuo 2008 direction numbers), see [`crate::qmc`] |
//! | [`saltelli`] | the A, B and AB_i matrices for Sobol' indices: Saltelli et al., "Variance based sensitivity analysis of model output", *Comput. Phys. Commun.* 181, 2010 (with Jansen 1999's total-effect estimator in [`crate::sensitivity`]) |
//! | [`morris`] | one-at-a-time trajectories on a p-level grid: Morris, "Factorial sampling plans for preliminary computational experiments", *Technometrics* 33, 1991 |
//! | [`morris_campolongo`] | Morris trajectories chosen for spread: Campolongo, Cariboni & Saltelli, *Environ. Model. Softw.* 22, 2007 (greedy selection as in Ruano et al. 2012) |
//!
//! Every design maps points of the unit cube to the factors' bounds with
//! [`Factor::at`]: continuous factors linearly, integer factors by equal-width cells so
//! that a uniform point gives every integer the same chance.
//!
//! ```
//! use perelom_analysis::design::{latin_hypercube, Factor};
//! use perelom_engine::Streams;
//! let factors = vec![Factor::new("alpha", 0.0, 1.0)?, Factor::integer("agents", 10.0, 20.0)?];
//! let mut rng = Streams::new(1).stream("lhs", 0, 0);
//! let d = latin_hypercube(&factors, 8, &mut rng)?;
//! assert_eq!(d.points.len(), 8);
//! assert!(d.points.iter().all(|p| p[1].fract() == 0.0 && (10.0..=20.0).contains(&p[1])));
//! # Ok::<(), String>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use rand::seq::SliceRandom;
use rand::Rng;
use rayon::prelude::*;

use crate::qmc::{SobolSequence, MAX_DIMS};

/// Largest number of points (rows) any design may have. Guards against a typo turning
/// into an allocation of many gigabytes.
pub const MAX_POINTS: usize = 10_000_000;

/// A parameter varied by a design: a name and closed bounds `[lo, hi]`. An integer
/// factor takes only whole values between its (whole) bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    /// Parameter name, unique within a design.
    pub name: String,
    /// Lower bound (inclusive).
    pub lo: f64,
    /// Upper bound (inclusive).
    pub hi: f64,
    /// Whether the factor takes only whole values.
    pub integer: bool,
}

impl Factor {
    /// A continuous factor on `[lo, hi]`.
    ///
    /// ```
    /// use perelom_analysis::design::Factor;
    /// assert!(Factor::new("rate", 0.1, 0.3).is_ok());
    /// assert!(Factor::new("rate", 0.3, 0.1).is_err());
    /// ```
    pub fn new(name: impl Into<String>, lo: f64, hi: f64) -> Result<Factor, String> {
        let f = Factor { name: name.into(), lo, hi, integer: false };
        f.validate()?;
        Ok(f)
    }

    /// An integer factor on the whole numbers of `[lo, hi]`; both bounds must be whole.
    pub fn integer(name: impl Into<String>, lo: f64, hi: f64) -> Result<Factor, String> {
        let f = Factor { name: name.into(), lo, hi, integer: true };
        f.validate()?;
        Ok(f)
    }

    /// Checks the name is not blank, the bounds are finite and ordered, and an integer
    /// factor's bounds are whole numbers.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("a factor needs a non-empty name".to_string());
        }
        if !self.lo.is_finite() || !self.hi.is_finite() {
            return Err(format!("factor '{}': bounds must be finite numbers, got [{}, {}]", self.name, self.lo, self.hi));
        }
        if self.lo > self.hi {
            return Err(format!("factor '{}': lower bound {} is above upper bound {}", self.name, self.lo, self.hi));
        }
        if self.integer && (self.lo.fract() != 0.0 || self.hi.fract() != 0.0) {
            return Err(format!("factor '{}': integer bounds must be whole numbers, got [{}, {}]", self.name, self.lo, self.hi));
        }
        Ok(())
    }

    /// Maps `u` in `[0, 1]` (clamped) to the factor's range: `lo + u (hi − lo)` for a
    /// continuous factor; for an integer factor `lo + ⌊u (hi − lo + 1)⌋`, capped at `hi`,
    /// so that each whole value gets an equal share of the unit interval.
    ///
    /// ```
    /// use perelom_analysis::design::Factor;
    /// let f = Factor::integer("n", 1.0, 4.0).unwrap();
    /// assert_eq!([0.0, 0.26, 0.5, 0.99, 1.0].map(|u| f.at(u)), [1.0, 2.0, 3.0, 4.0, 4.0]);
    /// ```
    pub fn at(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
        if self.integer {
            (self.lo + (u * (self.hi - self.lo + 1.0)).floor()).min(self.hi)
        } else {
            (self.lo + u * (self.hi - self.lo)).clamp(self.lo, self.hi)
        }
    }

    /// Whether `x` is a value the factor can take.
    pub fn contains(&self, x: f64) -> bool {
        x >= self.lo && x <= self.hi && (!self.integer || x.fract() == 0.0)
    }

    /// `count` evenly spaced levels from `lo` to `hi` inclusive (the midpoint when
    /// `count` is 1). Integer factors round to whole values and drop repeats.
    ///
    /// ```
    /// use perelom_analysis::design::Factor;
    /// let l = Factor::new("x", 0.0, 1.0).unwrap().levels(3).unwrap();
    /// assert_eq!(l.values, vec![0.0, 0.5, 1.0]);
    /// ```
    pub fn levels(&self, count: usize) -> Result<Levels, String> {
        self.validate()?;
        if count == 0 {
            return Err(format!("factor '{}': the number of levels must be at least 1", self.name));
        }
        let mut values: Vec<f64> = if count == 1 {
            vec![0.5 * (self.lo + self.hi)]
        } else {
            (0..count).map(|i| (self.lo + (self.hi - self.lo) * i as f64 / (count - 1) as f64).min(self.hi)).collect()
        };
        if self.integer {
            values.iter_mut().for_each(|v| *v = v.round().clamp(self.lo, self.hi));
            values.dedup();
        }
        Ok(Levels { name: self.name.clone(), values })
    }
}

/// A list-valued factor: a name and the values it takes in a full factorial grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Levels {
    /// Parameter name, unique within a design.
    pub name: String,
    /// The values, in the order they are enumerated.
    pub values: Vec<f64>,
}

impl Levels {
    /// A list-valued factor; the list must be non-empty and every value finite.
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Result<Levels, String> {
        let l = Levels { name: name.into(), values };
        l.validate()?;
        Ok(l)
    }

    /// Checks the name is not blank and the values are a non-empty list of finite numbers.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("a factor needs a non-empty name".to_string());
        }
        if self.values.is_empty() {
            return Err(format!("factor '{}': the list of values is empty", self.name));
        }
        if let Some(v) = self.values.iter().find(|v| !v.is_finite()) {
            return Err(format!("factor '{}': values must be finite numbers, got {v}", self.name));
        }
        Ok(())
    }
}

/// A design: one row per point, one column per factor, in the factors' order.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Factor names, one per column.
    pub names: Vec<String>,
    /// The points; each has one value per factor.
    pub points: Vec<Vec<f64>>,
}

impl Design {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the design has no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The values of column `j` (factor `j`), or `None` if there is no such column.
    pub fn column(&self, j: usize) -> Option<Vec<f64>> {
        (j < self.names.len()).then(|| self.points.iter().map(|p| p[j]).collect())
    }
}

/// Checks a list of factors: non-empty, each valid, names unique.
pub fn validate_factors(factors: &[Factor]) -> Result<(), String> {
    if factors.is_empty() {
        return Err("the design needs at least one factor".to_string());
    }
    factors.iter().try_for_each(Factor::validate)?;
    unique_names(factors.iter().map(|f| f.name.as_str()))
}

fn unique_names<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(format!("factor '{n}' is listed twice"));
        }
    }
    Ok(())
}

fn check_size(what: &str, rows: Option<usize>) -> Result<usize, String> {
    match rows {
        Some(r) if r <= MAX_POINTS => Ok(r),
        Some(r) => Err(format!("the {what} would have {r} points, more than the limit of {MAX_POINTS}")),
        None => Err(format!("the {what} would have more points than the limit of {MAX_POINTS}")),
    }
}

fn names(factors: &[Factor]) -> Vec<String> {
    factors.iter().map(|f| f.name.clone()).collect()
}

fn scale(factors: &[Factor], unit: &[f64]) -> Vec<f64> {
    factors.iter().zip(unit).map(|(f, &u)| f.at(u)).collect()
}

/// Full factorial grid: every combination of the factors' values, the last factor
/// varying fastest (the order of nested loops).
///
/// ```
/// use perelom_analysis::design::{full_factorial, Levels};
/// let d = full_factorial(&[Levels::new("a", vec![1.0, 2.0])?, Levels::new("b", vec![0.0, 5.0, 9.0])?])?;
/// assert_eq!(d.len(), 6);
/// assert_eq!(d.points[1], vec![1.0, 5.0]);
/// # Ok::<(), String>(())
/// ```
pub fn full_factorial(levels: &[Levels]) -> Result<Design, String> {
    if levels.is_empty() {
        return Err("the grid needs at least one factor".to_string());
    }
    levels.iter().try_for_each(Levels::validate)?;
    unique_names(levels.iter().map(|l| l.name.as_str()))?;
    let total = check_size("grid", levels.iter().try_fold(1usize, |acc, l| acc.checked_mul(l.values.len())))?;
    let mut points = Vec::with_capacity(total);
    let mut idx = vec![0usize; levels.len()];
    for _ in 0..total {
        points.push(idx.iter().zip(levels).map(|(&i, l)| l.values[i]).collect());
        for j in (0..levels.len()).rev() {
            idx[j] += 1;
            if idx[j] < levels[j].values.len() {
                break;
            }
            idx[j] = 0;
        }
    }
    Ok(Design { names: levels.iter().map(|l| l.name.clone()).collect(), points })
}

/// Latin hypercube sample of `n` points (McKay, Beckman & Conover 1979): each factor's
/// unit range is cut into `n` equal strata, each stratum holds exactly one point (at a
/// uniform position inside it), and the strata of different factors are paired by
/// independent random permutations.
pub fn latin_hypercube<R: Rng + ?Sized>(factors: &[Factor], n: usize, rng: &mut R) -> Result<Design, String> {
    validate_factors(factors)?;
    if n == 0 {
        return Err("a Latin hypercube needs at least one point".to_string());
    }
    check_size("Latin hypercube", Some(n))?;
    let mut points = vec![Vec::with_capacity(factors.len()); n];
    let mut perm: Vec<usize> = (0..n).collect();
    for f in factors {
        perm.shuffle(rng);
        for (p, &stratum) in points.iter_mut().zip(&perm) {
            let u = (stratum as f64 + rng.random::<f64>()) / n as f64;
            p.push(f.at(u));
        }
    }
    Ok(Design { names: names(factors), points })
}

/// `n` Sobol' points (see [`crate::qmc`]) starting at index `skip`, scaled to the
/// factors' bounds. Take `n` a power of two (and `skip` 0 or a multiple of `n`) to keep
/// the balance properties of the sequence. At most [`MAX_DIMS`] factors.
///
/// ```
/// use perelom_analysis::design::{sobol_points, Factor};
/// let d = sobol_points(&[Factor::new("x", 0.0, 10.0)?], 4, 0)?;
/// assert_eq!(d.column(0).unwrap(), vec![0.0, 5.0, 7.5, 2.5]);
/// # Ok::<(), String>(())
/// ```
pub fn sobol_points(factors: &[Factor], n: usize, skip: usize) -> Result<Design, String> {
    validate_factors(factors)?;
    if factors.len() > MAX_DIMS {
        return Err(format!("Sobol' points are available for at most {MAX_DIMS} factors, got {}", factors.len()));
    }
    check_size("Sobol' design", Some(n))?;
    let seq = SobolSequence::new(factors.len())?;
    let points = seq.points(n, skip)?.iter().map(|u| scale(factors, u)).collect();
    Ok(Design { names: names(factors), points })
}

/// Which matrix of a Saltelli design a row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Block {
    /// The base sample A.
    A,
    /// The independent sample B.
    B,
    /// A with column `i` (zero-based factor index) taken from B.
    AB(usize),
}

impl fmt::Display for Block {
    /// `A`, `B`, or `AB<i>` with the zero-based factor index (`AB0`, `AB1`, …).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Block::A => write!(f, "A"),
            Block::B => write!(f, "B"),
            Block::AB(i) => write!(f, "AB{i}"),
        }
    }
}

/// The design of a Sobol'-index experiment (Saltelli et al. 2010): `N` base points in
/// A, `N` in B, and for each of the `k` factors the matrix AB_i (A with column i from
/// B), stacked as `[A; B; AB_0; …; AB_{k−1}]`: `N (k + 2)` rows in all.
#[derive(Clone, Debug, PartialEq)]
pub struct SaltelliDesign {
    /// All rows, block after block.
    pub design: Design,
    /// The base sample size `N` (rows per block).
    pub n: usize,
}

impl SaltelliDesign {
    /// Number of factors `k`.
    pub fn k(&self) -> usize {
        self.design.names.len()
    }

    /// The block of row `row` and the row's index `j` within it (0 ≤ j < N), or `None`
    /// past the last row. Rows with the same `j` share their base point.
    pub fn block(&self, row: usize) -> Option<(Block, usize)> {
        if self.n == 0 || row >= self.design.len() {
            return None;
        }
        let (b, j) = (row / self.n, row % self.n);
        Some((
            match b {
                0 => Block::A,
                1 => Block::B,
                i => Block::AB(i - 2),
            },
            j,
        ))
    }

    /// The rows of a block (empty for `AB(i)` with `i ≥ k`).
    pub fn rows(&self, block: Block) -> Range<usize> {
        let start = match block {
            Block::A => 0,
            Block::B => 1,
            Block::AB(i) if i < self.k() => i + 2,
            Block::AB(_) => return 0..0,
        } * self.n;
        start..start + self.n
    }
}

/// The Saltelli (2010) design with base sample size `n` (≥ 2; a power of two is best):
/// A and B are the first and last `k` coordinates of the first `n` points of a
/// `2k`-dimensional Sobol' sequence, so at most [`MAX_DIMS`]` / 2` factors.
///
/// ```
/// use perelom_analysis::design::{saltelli, Block, Factor};
/// let f = vec![Factor::new("a", 0.0, 1.0)?, Factor::new("b", 0.0, 1.0)?];
/// let s = saltelli(&f, 8)?;
/// assert_eq!(s.design.len(), 8 * 4);
/// assert_eq!(s.block(17), Some((Block::AB(0), 1)));
/// let (a, b, ab0) = (&s.design.points[1], &s.design.points[9], &s.design.points[17]);
/// assert_eq!(ab0, &vec![b[0], a[1]]);
/// # Ok::<(), String>(())
/// ```
pub fn saltelli(factors: &[Factor], n: usize) -> Result<SaltelliDesign, String> {
    validate_factors(factors)?;
    let k = factors.len();
    if 2 * k > MAX_DIMS {
        return Err(format!("a Saltelli design is available for at most {} factors, got {k}", MAX_DIMS / 2));
    }
    if n < 2 {
        return Err(format!("a Saltelli design needs a base sample of at least 2 points, got {n}"));
    }
    check_size("Saltelli design", n.checked_mul(k + 2))?;
    let seq = SobolSequence::new(2 * k)?;
    let unit = seq.points(n, 0)?;
    let a: Vec<Vec<f64>> = unit.iter().map(|u| scale(factors, &u[..k])).collect();
    let b: Vec<Vec<f64>> = unit.iter().map(|u| scale(factors, &u[k..])).collect();
    let mut points = Vec::with_capacity(n * (k + 2));
    points.extend(a.iter().cloned());
    points.extend(b.iter().cloned());
    for i in 0..k {
        points.extend(a.iter().zip(&b).map(|(ra, rb)| {
            let mut r = ra.clone();
            r[i] = rb[i];
            r
        }));
    }
    Ok(SaltelliDesign { design: Design { names: names(factors), points }, n })
}

/// The design of a Morris elementary-effects experiment: `r` trajectories of `k + 1`
/// points each, stacked; within a trajectory consecutive points differ in exactly one
/// factor, by ±Δ in unit coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisDesign {
    /// All points, trajectory after trajectory, scaled to the factors' bounds.
    pub design: Design,
    /// The same points in unit coordinates, on the grid `{0, 1/(p−1), …, 1}`.
    pub unit: Vec<Vec<f64>>,
    /// For each trajectory, the factor moved at each of its `k` steps.
    pub order: Vec<Vec<usize>>,
    /// Number of grid levels `p`.
    pub levels: usize,
    /// The step Δ = p / (2 (p − 1)) in unit coordinates.
    pub delta: f64,
}

impl MorrisDesign {
    /// Number of trajectories `r`.
    pub fn r(&self) -> usize {
        self.order.len()
    }

    /// Number of factors `k`.
    pub fn k(&self) -> usize {
        self.design.names.len()
    }

    /// The rows of trajectory `t`.
    pub fn trajectory(&self, t: usize) -> Range<usize> {
        let len = self.k() + 1;
        t * len..(t + 1) * len
    }
}

/// One trajectory on the level-index grid: k + 1 points of level indices, and the order
/// in which factors move.
type Trajectory = (Vec<Vec<usize>>, Vec<usize>);

fn morris_checks(factors: &[Factor], r: usize, levels: usize) -> Result<(), String> {
    validate_factors(factors)?;
    if r == 0 {
        return Err("a Morris design needs at least one trajectory".to_string());
    }
    if levels < 2 || levels % 2 != 0 {
        return Err(format!("a Morris design needs an even number of levels p ≥ 2 (so that Δ = p/(2(p−1)) is on the grid), got {levels}"));
    }
    check_size("Morris design", r.checked_mul(factors.len() + 1)).map(|_| ())
}

/// Morris (1991) trajectory: a random base point whose coordinates stay on the grid
/// after a step of Δ = p/2 grid cells, random directions, and a random factor order.
fn trajectory<R: Rng + ?Sized>(k: usize, levels: usize, rng: &mut R) -> Trajectory {
    let jump = levels / 2;
    let mut x: Vec<usize> = Vec::with_capacity(k);
    let mut up: Vec<bool> = Vec::with_capacity(k);
    for _ in 0..k {
        let base = rng.random_range(0..levels - jump);
        let u = rng.random::<bool>();
        x.push(if u { base } else { base + jump });
        up.push(u);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.shuffle(rng);
    let mut pts = Vec::with_capacity(k + 1);
    pts.push(x.clone());
    for &i in &order {
        x[i] = if up[i] { x[i] + jump } else { x[i] - jump };
        pts.push(x.clone());
    }
    (pts, order)
}

fn build_morris(factors: &[Factor], levels: usize, trajectories: Vec<Trajectory>) -> MorrisDesign {
    let step = 1.0 / (levels - 1) as f64;
    let mut unit = Vec::new();
    let mut order = Vec::new();
    for (pts, ord) in trajectories {
        unit.extend(pts.into_iter().map(|p| p.into_iter().map(|g| g as f64 * step).collect::<Vec<f64>>()));
        order.push(ord);
    }
    let points = unit.iter().map(|u| scale(factors, u)).collect();
    MorrisDesign {
        design: Design { names: names(factors), points },
        unit,
        order,
        levels,
        delta: levels as f64 / (2.0 * (levels - 1) as f64),
    }
}

/// Morris (1991) design: `r` random trajectories on a `levels`-level grid (`levels`
/// even, e.g. 4), each of `k + 1` points moving one factor at a time by
/// Δ = p / (2 (p − 1)).
///
/// ```
/// use perelom_analysis::design::{morris, Factor};
/// use perelom_engine::Streams;
/// let f = vec![Factor::new("a", 0.0, 1.0)?, Factor::new("b", -1.0, 1.0)?];
/// let m = morris(&f, 10, 4, &mut Streams::new(3).stream("morris", 0, 0))?;
/// assert_eq!(m.design.len(), 10 * 3);
/// assert_eq!(m.delta, 4.0 / 6.0);
/// # Ok::<(), String>(())
/// ```
pub fn morris<R: Rng + ?Sized>(factors: &[Factor], r: usize, levels: usize, rng: &mut R) -> Result<MorrisDesign, String> {
    morris_checks(factors, r, levels)?;
    let trajectories = (0..r).map(|_| trajectory(factors.len(), levels, rng)).collect();
    Ok(build_morris(factors, levels, trajectories))
}

/// Campolongo, Cariboni & Saltelli (2007) design: draws `candidates` Morris trajectories
/// and keeps the `r` that are most spread out, by the criterion of the paper (the sum of
/// squared trajectory distances, a trajectory distance being the sum of the Euclidean
/// distances between all pairs of their points). The best set is found greedily, as in
/// Ruano, Ribes, Sin, Sorribas & Alves (2012): start from the farthest pair, then add the
/// candidate that raises the criterion most. Costs O(candidates² (k + 1)² k); a few
/// hundred candidates are typical, at most 1000. The kept trajectories stay in the order
/// drawn.
pub fn morris_campolongo<R: Rng + ?Sized>(
    factors: &[Factor],
    r: usize,
    levels: usize,
    candidates: usize,
    rng: &mut R,
) -> Result<MorrisDesign, String> {
    morris_checks(factors, r, levels)?;
    if candidates < r {
        return Err(format!("need at least as many candidate trajectories as trajectories to keep ({r}), got {candidates}"));
    }
    if candidates > 1000 {
        return Err(format!("at most 1000 candidate trajectories are supported, got {candidates}"));
    }
    let k = factors.len();
    let pool: Vec<Trajectory> = (0..candidates).map(|_| trajectory(k, levels, rng)).collect();
    if r == candidates {
        return Ok(build_morris(factors, levels, pool));
    }
    let dist = |a: &Trajectory, b: &Trajectory| -> f64 {
        let mut s = 0.0;
        for p in &a.0 {
            for q in &b.0 {
                let d2: f64 = p.iter().zip(q).map(|(&x, &y)| (x as f64 - y as f64).powi(2)).sum();
                s += d2.sqrt();
            }
        }
        s
    };
    let d: Vec<Vec<f64>> = (0..candidates).into_par_iter().map(|i| pool.iter().map(|t| dist(&pool[i], t)).collect()).collect();
    let mut chosen = vec![false; candidates];
    // Farthest pair (lowest indices on ties).
    let (mut bi, mut bj, mut best) = (0, 1, f64::NEG_INFINITY);
    for (i, row) in d.iter().enumerate() {
        for (j, &v) in row.iter().enumerate().skip(i + 1) {
            if v > best {
                (bi, bj, best) = (i, j, v);
            }
        }
    }
    chosen[bi] = true;
    chosen[bj] = true;
    let mut score: Vec<f64> = (0..candidates).map(|c| d[c][bi].powi(2) + d[c][bj].powi(2)).collect();
    for _ in 2..r {
        let mut pick = None;
        for c in (0..candidates).filter(|&c| !chosen[c]) {
            if pick.is_none_or(|p: usize| score[c] > score[p]) {
                pick = Some(c);
            }
        }
        let Some(p) = pick else { break };
        chosen[p] = true;
        for (c, s) in score.iter_mut().enumerate() {
            *s += d[c][p].powi(2);
        }
    }
    let kept = pool.into_iter().zip(chosen).filter_map(|(t, c)| c.then_some(t)).collect();
    Ok(build_morris(factors, levels, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use perelom_engine::Streams;

    #[test]
    fn factor_validation_messages_name_the_factor() {
        let e = Factor::new("speed", f64::NAN, 1.0).unwrap_err();
        assert!(e.contains("speed") && e.contains("finite"), "{e}");
        let e = Factor::integer("n", 0.5, 3.0).unwrap_err();
        assert!(e.contains("whole"), "{e}");
        assert!(Factor::new(" ", 0.0, 1.0).is_err());
        assert!(Factor::new("x", 1.0, 1.0).is_ok());
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let f = vec![Factor::new("x", 0.0, 1.0).unwrap(), Factor::new("x", 0.0, 2.0).unwrap()];
        let e = latin_hypercube(&f, 4, &mut Streams::new(0).stream("t", 0, 0)).unwrap_err();
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn integer_levels_are_whole_and_distinct() {
        let l = Factor::integer("n", 0.0, 3.0).unwrap().levels(10).unwrap();
        assert_eq!(l.values, vec![0.0, 1.0, 2.0, 3.0]);
        assert!(Factor::new("x", 0.0, 1.0).unwrap().levels(0).is_err());
        assert_eq!(Factor::new("x", 0.0, 1.0).unwrap().levels(1).unwrap().values, vec![0.5]);
    }

    #[test]
    fn size_limits_are_errors_not_aborts() {
        let big = |name: &str| Levels::new(name, vec![0.0; 100_000]).unwrap();
        let e = full_factorial(&[big("a"), big("b"), big("c")]).unwrap_err();
        assert!(e.contains("limit"), "{e}");
        let f = vec![Factor::new("x", 0.0, 1.0).unwrap()];
        assert!(saltelli(&f, usize::MAX / 2).is_err());
        assert!(morris(&f, 3, 5, &mut Streams::new(0).stream("t", 0, 0)).unwrap_err().contains("even"));
    }

    #[test]
    fn campolongo_keeps_r_trajectories_more_spread_than_random() {
        let f: Vec<Factor> = (0..4).map(|i| Factor::new(format!("x{i}"), 0.0, 1.0).unwrap()).collect();
        let m = morris_campolongo(&f, 6, 4, 60, &mut Streams::new(5).stream("campolongo", 0, 0)).unwrap();
        // The same stream draws the same 60 candidates.
        let pool = morris(&f, 60, 4, &mut Streams::new(5).stream("campolongo", 0, 0)).unwrap();
        assert_eq!(m.r(), 6);
        assert_eq!(m.design.len(), 6 * 5);
        let traj = |d: &MorrisDesign, t: usize| d.unit[d.trajectory(t)].to_vec();
        let cand: Vec<Vec<Vec<f64>>> = (0..60).map(|t| traj(&pool, t)).collect();
        let kept: Vec<Vec<Vec<f64>>> = (0..6).map(|t| traj(&m, t)).collect();
        assert!(kept.iter().all(|t| cand.contains(t)));
        let dist = |a: &[Vec<f64>], b: &[Vec<f64>]| -> f64 {
            a.iter().flat_map(|p| b.iter().map(move |q| p.iter().zip(q).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt())).sum()
        };
        let spread = |set: &[Vec<Vec<f64>>]| -> f64 {
            let mut s = 0.0;
            for i in 0..set.len() {
                for j in i + 1..set.len() {
                    s += dist(&set[i], &set[j]).powi(2);
                }
            }
            s
        };
        for start in [0, 6, 12, 30] {
            assert!(spread(&kept) > spread(&cand[start..start + 6]), "start {start}");
        }
    }
}
