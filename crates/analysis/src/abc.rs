//! Approximate Bayesian computation (ABC) over uniform priors.
//!
//! | function | method |
//! | --- | --- |
//! | [`rejection`] | rejection ABC: Pritchard, Seielstad, Perez-Lezaun & Feldman, *Mol. Biol. Evol.* 16, 1999; keeping the closest fraction as in Beaumont, Zhang & Balding, *Genetics* 162, 2002 |
//! | [`smc`] | ABC sequential Monte Carlo / population Monte Carlo: Toni, Welch, Strelkowa, Ipsen & Stumpf, *J. R. Soc. Interface* 6, 2009, with the Gaussian kernel of twice the weighted variance of Beaumont, Cornuet, Marin & Robert, *Biometrika* 96, 2009, and tolerances set adaptively to a quantile of the previous population's distances (Del Moral, Doucet & Jasra, *Stat. Comput.* 22, 2012) |
//!
//! The model is a function `simulate(θ, seed) -> summaries`: parameters in the order of
//! the prior's factors and a seed for all of its randomness, returning summary
//! statistics in the order of `observed`. The distance of a simulation is the
//! Euclidean distance of its summaries to the observed ones, each difference divided by
//! its `scale` (see [`distance`]); a simulation with a non-finite summary is at
//! infinite distance and never accepted.
//!
//! Simulations run in parallel with rayon. Every random number comes from a stream of
//! [`perelom_engine::Streams`] named by purpose, generation and proposal index (the
//! prior draw of proposal i: ("abc.prior", i, 0); its simulation seed: ("abc.simulate",
//! generation, i); an SMC proposal: ("abc.propose", generation, i)), and batches have
//! sizes that depend only on earlier results, so the result is identical for any
//! number of threads.
//!
//! ```
//! use perelom_analysis::abc::{rejection, Accept};
//! use perelom_analysis::design::Factor;
//! // A "model" whose summary is its parameter plus a little seed-dependent noise.
//! let sim = |theta: &[f64], seed: u64| vec![theta[0] + (seed % 100) as f64 * 1e-4];
//! let prior = [Factor::new("mu", 0.0, 10.0)?];
//! let post = rejection(&prior, sim, &[3.0], &[1.0], 2000, Accept::Count(50), 1)?;
//! assert!((post.mean()[0] - 3.0).abs() < 0.1);
//! # Ok::<(), String>(())
//! ```

use std::f64::consts::PI;

use perelom_engine::stats;
use perelom_engine::Streams;
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use crate::design::{validate_factors, Factor, MAX_POINTS};
use crate::normal::prob_between;

/// Which simulations [`rejection`] keeps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Accept {
    /// The given number of closest simulations (1 ≤ count ≤ n).
    Count(usize),
    /// The closest fraction of simulations, in (0, 1] (at least one is kept).
    Fraction(f64),
    /// Every simulation within this distance (≥ 0).
    Tolerance(f64),
}

/// Why an ABC run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Rejection ABC: all simulations done.
    Completed,
    /// SMC: the maximum number of generations was reached.
    Generations,
    /// SMC: the simulation budget ran out during a generation, which was discarded.
    Budget,
    /// SMC: the last generation's acceptance rate fell below the minimum.
    Acceptance,
    /// SMC: the next tolerance would not be smaller than the current one.
    Stalled,
}

/// A weighted sample from the ABC posterior.
#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    /// Parameter names, in the prior's order.
    pub names: Vec<String>,
    /// Accepted parameter vectors.
    pub samples: Vec<Vec<f64>>,
    /// Normalised importance weights, summing to 1 (equal for rejection ABC).
    pub weights: Vec<f64>,
    /// Distance of each accepted simulation.
    pub distances: Vec<f64>,
    /// The final tolerance: the largest accepted distance for [`rejection`] with
    /// [`Accept::Count`] or [`Accept::Fraction`], the threshold itself for
    /// [`Accept::Tolerance`] and for [`smc`]'s last generation.
    pub tolerance: f64,
    /// Tolerance of each generation (one entry for rejection ABC; for SMC the first is
    /// the largest distance of the prior population).
    pub tolerances: Vec<f64>,
    /// Simulations run in all, including any of an incomplete last SMC generation.
    pub simulations: usize,
    /// Why the run stopped.
    pub stop: StopReason,
}

impl Posterior {
    /// Number of accepted samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Weighted mean of each parameter.
    pub fn mean(&self) -> Vec<f64> {
        weighted_moments(&self.samples, &self.weights, self.names.len()).0
    }

    /// Weighted standard deviation of each parameter (√Σ w (θ − mean)², weights summing to 1).
    pub fn sd(&self) -> Vec<f64> {
        weighted_moments(&self.samples, &self.weights, self.names.len()).1.into_iter().map(f64::sqrt).collect()
    }

    /// Weighted quantile `q` in [0, 1] of parameter `param` (the smallest sample value
    /// whose cumulative weight reaches `q`); `None` for a bad index or empty posterior.
    pub fn quantile(&self, param: usize, q: f64) -> Option<f64> {
        if param >= self.names.len() || self.samples.is_empty() || q.is_nan() {
            return None;
        }
        let mut v: Vec<(f64, f64)> = self.samples.iter().zip(&self.weights).map(|(s, &w)| (s[param], w)).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let target = q.clamp(0.0, 1.0) * v.iter().map(|p| p.1).sum::<f64>();
        let mut cum = 0.0;
        for &(x, w) in &v {
            cum += w;
            if cum >= target {
                return Some(x);
            }
        }
        v.last().map(|p| p.0)
    }

    /// Effective sample size 1 / Σ w² of the normalised weights.
    pub fn ess(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }
}

/// Settings of [`smc`].
#[derive(Clone, Debug, PartialEq)]
pub struct SmcOptions {
    /// Particles per generation (≥ 2).
    pub particles: usize,
    /// Each generation's tolerance is this quantile of the previous population's
    /// distances, in (0, 1); 0.5 halves the accepted region's share each time.
    pub alpha: f64,
    /// Generations after the first (prior) population.
    pub max_generations: usize,
    /// Simulation budget (≥ `particles`). A generation that would exceed it is abandoned
    /// and the last complete one returned.
    pub max_simulations: usize,
    /// Stop after a generation whose acceptance rate (accepted / simulated) is below this.
    pub min_acceptance: f64,
}

impl Default for SmcOptions {
    /// 1000 particles, α = 0.5, 20 generations, 10⁶ simulations, 1 % minimum acceptance.
    fn default() -> Self {
        SmcOptions { particles: 1000, alpha: 0.5, max_generations: 20, max_simulations: 1_000_000, min_acceptance: 0.01 }
    }
}

/// Scaled Euclidean distance √Σ ((s_i − o_i) / scale_i)²; infinite when a summary is
/// not finite or the lengths differ.
///
/// ```
/// use perelom_analysis::abc::distance;
/// assert_eq!(distance(&[3.0, 1.0], &[0.0, 1.0], &[1.5, 1.0]), 2.0);
/// assert_eq!(distance(&[f64::NAN], &[0.0], &[1.0]), f64::INFINITY);
/// ```
pub fn distance(summaries: &[f64], observed: &[f64], scale: &[f64]) -> f64 {
    if summaries.len() != observed.len() || scale.len() != observed.len() || summaries.iter().any(|s| !s.is_finite()) {
        return f64::INFINITY;
    }
    let d2: f64 = summaries.iter().zip(observed).zip(scale).map(|((s, o), c)| ((s - o) / c).powi(2)).sum();
    if d2.is_finite() {
        d2.sqrt()
    } else {
        f64::INFINITY
    }
}

fn check_problem(prior: &[Factor], observed: &[f64], scale: &[f64]) -> Result<(), String> {
    validate_factors(prior).map_err(|e| format!("prior: {e}"))?;
    if observed.is_empty() {
        return Err("the observed data need at least one summary statistic".to_string());
    }
    if let Some((i, v)) = observed.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(format!("observed summary {i} is not a finite number ({v})"));
    }
    if scale.len() != observed.len() {
        return Err(format!("expected one scale per observed summary ({}), got {}", observed.len(), scale.len()));
    }
    if let Some((i, v)) = scale.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v > 0.0)) {
        return Err(format!("scale {i} must be a positive finite number, got {v}"));
    }
    Ok(())
}

fn prior_draw(prior: &[Factor], streams: &Streams, index: usize) -> Vec<f64> {
    let mut rng = streams.stream("abc.prior", index as u64, 0);
    prior.iter().map(|f| f.at(rng.random::<f64>())).collect()
}

/// The seed of simulation `index` of `generation`.
fn seed_of(streams: &Streams, generation: usize, index: usize) -> u64 {
    streams.stream("abc.simulate", generation as u64, index as u64).random()
}

/// The distance of simulation `index`'s summaries `s` from the observed data.
fn distance_of(s: &[f64], observed: &[f64], scale: &[f64], generation: usize, index: usize) -> Result<f64, String> {
    if s.len() != observed.len() {
        return Err(format!(
            "simulation {index} (generation {generation}) returned {} summary statistics; the observed data have {}",
            s.len(),
            observed.len()
        ));
    }
    Ok(distance(s, observed, scale))
}

/// Runs a batch of simulations, each a parameter vector and a seed, and returns their
/// summaries in the same order. [`smc`] and [`rejection`] use [`parallel`], which runs
/// them on the current rayon pool; a cluster front end can spread them over processes
/// ([`smc_batched`], [`rejection_batched`]): the results do not depend on where each ran.
pub trait Evaluate: Sync {
    /// Summaries of each `(theta, seed)`, in order.
    fn evaluate(&self, jobs: &[(Vec<f64>, u64)]) -> Vec<Vec<f64>>;
}

/// An [`Evaluate`] that runs `simulate(theta, seed)` in parallel on the rayon pool.
pub struct Parallel<F>(pub F);

impl<F: Fn(&[f64], u64) -> Vec<f64> + Sync> Evaluate for Parallel<F> {
    fn evaluate(&self, jobs: &[(Vec<f64>, u64)]) -> Vec<Vec<f64>> {
        jobs.par_iter().map(|(theta, seed)| (self.0)(theta, *seed)).collect()
    }
}

/// [`Parallel`] of a simulator.
pub fn parallel<F: Fn(&[f64], u64) -> Vec<f64> + Sync>(simulate: F) -> Parallel<F> {
    Parallel(simulate)
}

/// Rejection ABC: draws `n` parameter vectors from the uniform prior on the factors'
/// bounds (integer factors: uniform on their whole values), simulates each, and keeps
/// those closest to `observed` as `accept` says. Fails on bad arguments, on a
/// simulation returning the wrong number of summaries, or when nothing is accepted.
pub fn rejection<F>(
    prior: &[Factor],
    simulate: F,
    observed: &[f64],
    scale: &[f64],
    n: usize,
    accept: Accept,
    seed: u64,
) -> Result<Posterior, String>
where
    F: Fn(&[f64], u64) -> Vec<f64> + Sync,
{
    rejection_batched(prior, &parallel(simulate), observed, scale, n, accept, seed)
}

/// [`rejection`] with the simulations run by `evaluator` (all `n` in one batch).
pub fn rejection_batched(
    prior: &[Factor],
    evaluator: &dyn Evaluate,
    observed: &[f64],
    scale: &[f64],
    n: usize,
    accept: Accept,
    seed: u64,
) -> Result<Posterior, String> {
    check_problem(prior, observed, scale)?;
    if n == 0 || n > MAX_POINTS {
        return Err(format!("the number of simulations must be between 1 and {MAX_POINTS}, got {n}"));
    }
    // Ok(count) keeps the closest `count`; Err(eps) keeps everything within eps.
    let keep: Result<usize, f64> = match accept {
        Accept::Count(c) if c >= 1 && c <= n => Ok(c),
        Accept::Count(c) => return Err(format!("cannot keep {c} of {n} simulations")),
        Accept::Fraction(q) if q > 0.0 && q <= 1.0 => Ok(((q * n as f64).ceil() as usize).clamp(1, n)),
        Accept::Fraction(q) => return Err(format!("the accepted fraction must be in (0, 1], got {q}")),
        Accept::Tolerance(e) if e >= 0.0 => Err(e),
        Accept::Tolerance(e) => return Err(format!("the tolerance must be a non-negative number, got {e}")),
    };
    let streams = Streams::new(seed);
    let jobs: Vec<(Vec<f64>, u64)> = (0..n).into_par_iter().map(|i| (prior_draw(prior, &streams, i), seed_of(&streams, 0, i))).collect();
    let summaries = evaluator.evaluate(&jobs);
    let runs: Vec<Result<(Vec<f64>, f64), String>> = jobs
        .into_iter()
        .zip(summaries)
        .enumerate()
        .map(|(i, ((theta, _), s))| distance_of(&s, observed, scale, 0, i).map(|d| (theta, d)))
        .collect();
    let runs: Vec<(Vec<f64>, f64)> = runs.into_iter().collect::<Result<_, _>>()?;
    let mut order: Vec<usize> = (0..n).filter(|&i| runs[i].1.is_finite()).collect();
    order.sort_by(|&a, &b| runs[a].1.total_cmp(&runs[b].1).then(a.cmp(&b)));
    let (kept, tolerance) = match keep {
        Ok(c) => {
            order.truncate(c);
            let tol = order.last().map_or(f64::NAN, |&i| runs[i].1);
            (order, tol)
        }
        Err(e) => {
            order.retain(|&i| runs[i].1 <= e);
            (order, e)
        }
    };
    if kept.is_empty() {
        return Err(match accept {
            Accept::Tolerance(e) => format!("no simulation came within the tolerance {e}"),
            _ => "every simulation returned a non-finite summary statistic".to_string(),
        });
    }
    let m = kept.len();
    Ok(Posterior {
        names: prior.iter().map(|f| f.name.clone()).collect(),
        samples: kept.iter().map(|&i| runs[i].0.clone()).collect(),
        weights: vec![1.0 / m as f64; m],
        distances: kept.iter().map(|&i| runs[i].1).collect(),
        tolerance,
        tolerances: vec![tolerance],
        simulations: n,
        stop: StopReason::Completed,
    })
}

/// Weighted means and variances (weights summing to 1) per dimension.
fn weighted_moments(samples: &[Vec<f64>], weights: &[f64], dims: usize) -> (Vec<f64>, Vec<f64>) {
    let total: f64 = weights.iter().sum();
    let mean: Vec<f64> = (0..dims).map(|d| samples.iter().zip(weights).map(|(s, w)| w * s[d]).sum::<f64>() / total).collect();
    let var = (0..dims).map(|d| samples.iter().zip(weights).map(|(s, w)| w * (s[d] - mean[d]).powi(2)).sum::<f64>() / total).collect();
    (mean, var)
}

/// A complete SMC population.
struct Population {
    samples: Vec<Vec<f64>>,
    weights: Vec<f64>,
    distances: Vec<f64>,
}

/// The perturbation kernel built from a population: per parameter a Gaussian of
/// variance twice the weighted variance, truncated to the prior's bounds (rounded to
/// whole steps for integer factors).
struct Kernel<'a> {
    prior: &'a [Factor],
    parents: &'a Population,
    cumulative: Vec<f64>,
    sigma: Vec<f64>,
    /// ln of the truncation normaliser of each parent and parameter.
    log_norm: Vec<Vec<f64>>,
}

impl<'a> Kernel<'a> {
    fn new(prior: &'a [Factor], parents: &'a Population) -> Self {
        let (_, var) = weighted_moments(&parents.samples, &parents.weights, prior.len());
        let sigma: Vec<f64> = var.iter().map(|v| (2.0 * v).sqrt()).collect();
        let mut acc = 0.0;
        let cumulative = parents.weights.iter().map(|w| {
            acc += w;
            acc
        });
        let cumulative = cumulative.collect();
        let log_norm = parents
            .samples
            .iter()
            .map(|p| {
                prior
                    .iter()
                    .zip(&sigma)
                    .zip(p)
                    .map(|((f, &s), &x)| {
                        if s == 0.0 {
                            0.0
                        } else if f.integer {
                            prob_between((f.lo - x - 0.5) / s, (f.hi - x + 0.5) / s).ln()
                        } else {
                            prob_between((f.lo - x) / s, (f.hi - x) / s).ln()
                        }
                    })
                    .collect()
            })
            .collect();
        Kernel { prior, parents, cumulative, sigma, log_norm }
    }

    /// A proposal: a parent picked by weight, perturbed parameter by parameter.
    fn propose<R: Rng>(&self, rng: &mut R) -> Vec<f64> {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let u = rng.random::<f64>() * total;
        let j = self.cumulative.partition_point(|&c| c <= u).min(self.cumulative.len() - 1);
        let parent = &self.parents.samples[j];
        self.prior
            .iter()
            .zip(&self.sigma)
            .zip(parent)
            .map(|((f, &s), &x)| {
                if s == 0.0 {
                    return x;
                }
                for _ in 0..1000 {
                    let z: f64 = rng.sample(StandardNormal);
                    let y = if f.integer { x + (s * z).round() } else { x + s * z };
                    if y >= f.lo && y <= f.hi {
                        return y;
                    }
                }
                // Unreachable in practice: each try lands inside with probability ≥ 0.4.
                x
            })
            .collect()
    }

    /// ln Σ_j w_j K(θ | θ_j).
    fn log_mixture(&self, theta: &[f64]) -> f64 {
        let terms: Vec<f64> = self
            .parents
            .samples
            .iter()
            .zip(&self.parents.weights)
            .zip(&self.log_norm)
            .map(|((p, &w), ln_z)| {
                let mut lk = w.ln();
                for (d, ((f, &s), (&x, &xp))) in self.prior.iter().zip(&self.sigma).zip(theta.iter().zip(p)).enumerate() {
                    if s == 0.0 {
                        if x != xp {
                            return f64::NEG_INFINITY;
                        }
                        continue;
                    }
                    let m = x - xp;
                    lk += if f.integer {
                        prob_between((m - 0.5) / s, (m + 0.5) / s).ln()
                    } else {
                        -0.5 * (m / s).powi(2) - s.ln() - 0.5 * (2.0 * PI).ln()
                    } - ln_z[d];
                }
                lk
            })
            .collect();
        log_sum_exp(&terms)
    }
}

fn log_sum_exp(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + v.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// Outcome of one SMC generation.
enum Generation {
    Complete { samples: Vec<Vec<f64>>, distances: Vec<f64>, used: usize },
    OutOfBudget { used: usize },
}

#[allow(clippy::too_many_arguments)]
fn run_generation(
    prior: &[Factor],
    evaluator: &dyn Evaluate,
    observed: &[f64],
    scale: &[f64],
    streams: &Streams,
    generation: usize,
    eps: f64,
    kernel: Option<&Kernel<'_>>,
    particles: usize,
    budget: usize,
) -> Result<Generation, String> {
    let mut samples = Vec::with_capacity(particles);
    let mut distances = Vec::with_capacity(particles);
    let (mut used, mut hits) = (0usize, 0usize);
    while samples.len() < particles {
        let needed = particles - samples.len();
        // Batch sized from the acceptance rate so far: depends only on earlier results.
        let rate = if used == 0 { 1.0 } else { (hits as f64 / used as f64).max(1.0 / (used as f64 + 1.0)) };
        let batch = ((needed as f64 / rate).ceil() as usize).clamp(1, 8 * particles).min(budget - used);
        if batch == 0 {
            return Ok(Generation::OutOfBudget { used });
        }
        let start = used;
        let jobs: Vec<(Vec<f64>, u64)> = (start..start + batch)
            .into_par_iter()
            .map(|i| {
                let theta = match kernel {
                    None => prior_draw(prior, streams, i),
                    Some(k) => k.propose(&mut streams.stream("abc.propose", generation as u64, i as u64)),
                };
                (theta, seed_of(streams, generation, i))
            })
            .collect();
        let summaries = evaluator.evaluate(&jobs);
        let runs: Vec<Result<(Vec<f64>, f64), String>> = jobs
            .into_iter()
            .zip(summaries)
            .enumerate()
            .map(|(k, ((theta, _), s))| distance_of(&s, observed, scale, generation, start + k).map(|d| (theta, d)))
            .collect();
        used += batch;
        for run in runs {
            let (theta, d) = run?;
            if d.is_finite() && d <= eps {
                hits += 1;
                if samples.len() < particles {
                    samples.push(theta);
                    distances.push(d);
                }
            }
        }
    }
    Ok(Generation::Complete { samples, distances, used })
}

/// ABC-SMC (Toni et al. 2009; Beaumont et al. 2009). Generation 0 draws
/// `options.particles` accepted simulations from the uniform prior (any finite distance
/// is accepted). Each later generation t sets its tolerance ε_t to the `alpha` quantile
/// of the previous population's distances, then repeatedly picks a particle θ_j by
/// weight, perturbs it with a Gaussian kernel K of variance twice the population's
/// weighted variance (per parameter, truncated to the prior bounds; integer factors move
/// by rounded steps), simulates, and accepts when the distance is at most ε_t, until it
/// has `particles` particles. The importance weight of an accepted θ is
/// π(θ) / Σ_j w_j K(θ | θ_j), with π the (constant) prior density.
///
/// Stops after `max_generations` generations, when the next tolerance would not shrink,
/// after a generation whose acceptance rate is below `min_acceptance`, or when the
/// budget `max_simulations` would be exceeded (the incomplete generation is then
/// dropped). See [`Posterior::stop`]. Fails on bad arguments, on a simulation returning
/// the wrong number of summaries, or when the budget does not cover the prior generation.
///
/// ```
/// use perelom_analysis::abc::{smc, SmcOptions};
/// use perelom_analysis::design::Factor;
/// let sim = |theta: &[f64], seed: u64| vec![theta[0] + ((seed % 1000) as f64 / 1000.0 - 0.5) * 0.01];
/// let opts = SmcOptions { particles: 100, max_simulations: 3000, ..SmcOptions::default() };
/// let post = smc(&[Factor::new("mu", -5.0, 5.0)?], sim, &[1.0], &[1.0], &opts, 7)?;
/// assert!((post.mean()[0] - 1.0).abs() < 0.05 && post.simulations <= 3000);
/// # Ok::<(), String>(())
/// ```
pub fn smc<F>(prior: &[Factor], simulate: F, observed: &[f64], scale: &[f64], options: &SmcOptions, seed: u64) -> Result<Posterior, String>
where
    F: Fn(&[f64], u64) -> Vec<f64> + Sync,
{
    smc_batched(prior, &parallel(simulate), observed, scale, options, seed)
}

/// [`smc`] with each batch of simulations run by `evaluator`.
pub fn smc_batched(
    prior: &[Factor],
    evaluator: &dyn Evaluate,
    observed: &[f64],
    scale: &[f64],
    options: &SmcOptions,
    seed: u64,
) -> Result<Posterior, String> {
    check_problem(prior, observed, scale)?;
    let n = options.particles;
    if !(2..=MAX_POINTS).contains(&n) {
        return Err(format!("ABC-SMC needs between 2 and {MAX_POINTS} particles, got {n}"));
    }
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(format!("the tolerance quantile alpha must be in (0, 1), got {}", options.alpha));
    }
    if options.max_simulations < n {
        return Err(format!("the simulation budget ({}) is smaller than the number of particles ({n})", options.max_simulations));
    }
    if !(0.0..=1.0).contains(&options.min_acceptance) {
        return Err(format!("the minimum acceptance rate must be in [0, 1], got {}", options.min_acceptance));
    }
    let streams = Streams::new(seed);
    let mut simulations = 0usize;
    let first = run_generation(prior, evaluator, observed, scale, &streams, 0, f64::INFINITY, None, n, options.max_simulations)?;
    let mut pop = match first {
        Generation::Complete { samples, distances, used } => {
            simulations += used;
            Population { samples, weights: vec![1.0 / n as f64; n], distances }
        }
        Generation::OutOfBudget { .. } => {
            return Err(format!(
                "the simulation budget ({}) ran out before {n} prior simulations had finite distances",
                options.max_simulations
            ))
        }
    };
    let mut tolerances = vec![pop.distances.iter().copied().fold(0.0, f64::max)];
    let mut eps = f64::INFINITY;
    let mut stop = StopReason::Generations;
    for t in 1..=options.max_generations {
        let next = stats::quantile(&pop.distances, options.alpha);
        if next.is_nan() || next >= eps {
            stop = StopReason::Stalled;
            break;
        }
        let kernel = Kernel::new(prior, &pop);
        let budget = options.max_simulations - simulations;
        match run_generation(prior, evaluator, observed, scale, &streams, t, next, Some(&kernel), n, budget)? {
            Generation::OutOfBudget { used } => {
                simulations += used;
                stop = StopReason::Budget;
                break;
            }
            Generation::Complete { samples, distances, used } => {
                simulations += used;
                let log_mix: Vec<f64> = samples.par_iter().map(|s| kernel.log_mixture(s)).collect();
                // w ∝ 1 / Σ_j w_j K(θ | θ_j); shift by the smallest log mixture to avoid overflow.
                let min = log_mix.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
                let raw: Vec<f64> = log_mix.iter().map(|&l| if l.is_finite() { (min - l).exp() } else { 0.0 }).collect();
                let total: f64 = raw.iter().sum();
                if !(total > 0.0 && total.is_finite()) {
                    return Err(format!("ABC-SMC generation {t}: importance weights degenerated (no finite kernel density)"));
                }
                pop = Population { samples, weights: raw.iter().map(|w| w / total).collect(), distances };
                eps = next;
                tolerances.push(next);
                if (n as f64 / used as f64) < options.min_acceptance {
                    stop = StopReason::Acceptance;
                    break;
                }
            }
        }
    }
    Ok(Posterior {
        names: prior.iter().map(|f| f.name.clone()).collect(),
        samples: pop.samples,
        weights: pop.weights,
        distances: pop.distances,
        tolerance: tolerances[tolerances.len() - 1],
        tolerances,
        simulations,
        stop,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy(theta: &[f64], seed: u64) -> Vec<f64> {
        vec![theta[0] + (seed % 1000) as f64 * 1e-5, theta.get(1).copied().unwrap_or(0.0)]
    }

    #[test]
    fn argument_errors_are_clear() {
        let p = [Factor::new("a", 0.0, 1.0).unwrap()];
        let e = rejection(&p, toy, &[0.5, 0.0], &[1.0], 10, Accept::Count(1), 0).unwrap_err();
        assert!(e.contains("scale"), "{e}");
        let e = rejection(&p, toy, &[0.5, 0.0], &[1.0, -1.0], 10, Accept::Count(1), 0).unwrap_err();
        assert!(e.contains("positive"), "{e}");
        let e = rejection(&p, toy, &[0.5], &[1.0], 10, Accept::Count(1), 0).unwrap_err();
        assert!(e.contains("returned 2 summary statistics"), "{e}");
        assert!(rejection(&p, toy, &[0.5, 0.0], &[1.0, 1.0], 10, Accept::Count(11), 0).is_err());
        assert!(rejection(&p, toy, &[0.5, 0.0], &[1.0, 1.0], 10, Accept::Fraction(0.0), 0).is_err());
        let e = rejection(&p, toy, &[5.0, 0.0], &[1.0, 1.0], 10, Accept::Tolerance(0.1), 0).unwrap_err();
        assert!(e.contains("tolerance"), "{e}");
        let o = SmcOptions { particles: 10, max_simulations: 5, ..SmcOptions::default() };
        assert!(smc(&p, toy, &[0.5, 0.0], &[1.0, 1.0], &o, 0).unwrap_err().contains("budget"));
        let o = SmcOptions { particles: 10, alpha: 1.0, ..SmcOptions::default() };
        assert!(smc(&p, toy, &[0.5, 0.0], &[1.0, 1.0], &o, 0).unwrap_err().contains("alpha"));
    }

    #[test]
    fn non_finite_simulations_are_never_accepted() {
        let p = [Factor::new("a", 0.0, 1.0).unwrap()];
        let sim = |t: &[f64], _s: u64| if t[0] < 0.5 { vec![f64::NAN] } else { vec![t[0]] };
        let post = rejection(&p, sim, &[0.0], &[1.0], 400, Accept::Fraction(1.0), 3).unwrap();
        assert!(post.samples.iter().all(|s| s[0] >= 0.5) && post.distances.iter().all(|d| d.is_finite()));
        let opts = SmcOptions { particles: 50, max_simulations: 2000, ..SmcOptions::default() };
        let post = smc(&p, sim, &[0.6], &[1.0], &opts, 3).unwrap();
        assert!(post.samples.iter().all(|s| s[0] >= 0.5));
    }

    #[test]
    fn integer_and_fixed_factors_stay_on_their_support() {
        let p = [Factor::integer("k", 0.0, 20.0).unwrap(), Factor::new("fixed", 2.0, 2.0).unwrap()];
        let sim = |t: &[f64], s: u64| vec![t[0] + (s % 7) as f64 * 0.01, t[1]];
        let opts = SmcOptions { particles: 100, max_simulations: 5000, ..SmcOptions::default() };
        let post = smc(&p, sim, &[7.0, 2.0], &[1.0, 1.0], &opts, 11).unwrap();
        assert!(post.samples.iter().all(|s| s[0].fract() == 0.0 && (0.0..=20.0).contains(&s[0]) && s[1] == 2.0));
        assert!((post.mean()[0] - 7.0).abs() < 0.5, "{:?}", post.mean());
        assert!((post.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn weighted_quantiles_and_ess() {
        let post = Posterior {
            names: vec!["a".into()],
            samples: vec![vec![3.0], vec![1.0], vec![2.0]],
            weights: vec![0.5, 0.25, 0.25],
            distances: vec![0.0; 3],
            tolerance: 0.0,
            tolerances: vec![0.0],
            simulations: 3,
            stop: StopReason::Completed,
        };
        assert_eq!(post.quantile(0, 0.0), Some(1.0));
        assert_eq!(post.quantile(0, 0.5), Some(2.0));
        assert_eq!(post.quantile(0, 0.6), Some(3.0));
        assert_eq!(post.quantile(1, 0.5), None);
        assert!((post.ess() - 1.0 / 0.375).abs() < 1e-12);
        assert!((post.mean()[0] - 2.25).abs() < 1e-12);
    }
}
