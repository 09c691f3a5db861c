//! Global sensitivity indices from model outputs on a design.
//!
//! | function | method |
//! | --- | --- |
//! | [`morris_indices`] | elementary effects μ, σ of Morris, *Technometrics* 33, 1991, and μ* of Campolongo, Cariboni & Saltelli, *Environ. Model. Softw.* 22, 2007 |
//! | [`sobol_indices`] | first-order indices by the estimator of Saltelli et al., *Comput. Phys. Commun.* 181, 2010 (their Table 2, (b)); total-effect indices by Jansen's estimator (Jansen, *Comput. Phys. Commun.* 117, 1999; Table 2, (f) in Saltelli 2010); percentile-bootstrap confidence intervals (Efron & Tibshirani 1993) |
//!
//! The outputs are one number per design row, in the design's row order: run the model
//! at every row of [`MorrisDesign::design`] or [`SaltelliDesign::design`] and pass the
//! results here. For several output metrics, call once per metric.
//!
//! ```
//! use perelom_analysis::design::{saltelli, Factor};
//! use perelom_analysis::sensitivity::sobol_indices;
//! let f = vec![Factor::new("a", 0.0, 1.0)?, Factor::new("b", 0.0, 1.0)?];
//! let d = saltelli(&f, 1024)?;
//! let y: Vec<f64> = d.design.points.iter().map(|p| 4.0 * p[0] + p[1]).collect();
//! let s = sobol_indices(&d, &y)?;
//! assert!((s[0].first - 16.0 / 17.0).abs() < 0.02 && (s[1].total - 1.0 / 17.0).abs() < 0.02);
//! # Ok::<(), String>(())
//! ```

use perelom_engine::stats;
use perelom_engine::Streams;
use rand::Rng;
use rayon::prelude::*;

use crate::design::{Block, MorrisDesign, SaltelliDesign};

/// Morris screening measures of one factor, from its `r` elementary effects
/// EE = (y(x ± Δ e_i) − y(x)) / (±Δ), with Δ in unit coordinates (so effects are per
/// full range of the factor).
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisIndex {
    /// Factor name.
    pub name: String,
    /// Mean elementary effect μ (signed; effects of opposite sign can cancel).
    pub mu: f64,
    /// Mean absolute elementary effect μ* (Campolongo 2007): overall importance.
    pub mu_star: f64,
    /// Standard deviation σ of the elementary effects (n − 1 denominator; 0 for one
    /// trajectory): non-linearity and interactions.
    pub sigma: f64,
}

/// Sobol' sensitivity indices of one factor with bootstrap confidence intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndex {
    /// Factor name.
    pub name: String,
    /// First-order index S_i: share of output variance due to the factor alone.
    pub first: f64,
    /// Total-effect index S_Ti: share due to the factor including all its interactions.
    pub total: f64,
    /// Percentile-bootstrap interval of `first` (NaN bounds when no resamples).
    pub first_ci: (f64, f64),
    /// Percentile-bootstrap interval of `total` (NaN bounds when no resamples).
    pub total_ci: (f64, f64),
}

/// Settings of [`sobol_indices_with`].
#[derive(Clone, Debug, PartialEq)]
pub struct SobolOptions {
    /// Bootstrap resamples of the N base rows (0 skips the intervals).
    pub resamples: usize,
    /// Coverage of the intervals, in (0, 1).
    pub level: f64,
    /// Seed of the bootstrap streams; resample b draws from stream ("sobol.bootstrap", b, 0).
    pub seed: u64,
}

impl Default for SobolOptions {
    /// 1000 resamples, 95 % intervals, seed 0.
    fn default() -> Self {
        SobolOptions { resamples: 1000, level: 0.95, seed: 0 }
    }
}

fn check_outputs(rows: usize, outputs: &[f64]) -> Result<(), String> {
    if outputs.len() != rows {
        return Err(format!("expected one output per design row ({rows}), got {}", outputs.len()));
    }
    if let Some((i, y)) = outputs.iter().enumerate().find(|(_, y)| !y.is_finite()) {
        return Err(format!("output of design row {i} is not a finite number ({y})"));
    }
    Ok(())
}

/// Morris screening measures μ, μ* and σ for each factor (Morris 1991; μ* from
/// Campolongo et al. 2007). `outputs[row]` is the model output at `design.design.points[row]`.
///
/// ```
/// use perelom_analysis::design::{morris, Factor};
/// use perelom_analysis::sensitivity::morris_indices;
/// use perelom_engine::Streams;
/// let f = vec![Factor::new("a", 0.0, 1.0)?, Factor::new("b", 0.0, 1.0)?];
/// let d = morris(&f, 20, 4, &mut Streams::new(1).stream("morris", 0, 0))?;
/// let y: Vec<f64> = d.design.points.iter().map(|p| 3.0 * p[0] - p[1]).collect();
/// let m = morris_indices(&d, &y)?;
/// assert!((m[0].mu - 3.0).abs() < 1e-9 && (m[1].mu_star - 1.0).abs() < 1e-9 && m[0].sigma < 1e-9);
/// # Ok::<(), String>(())
/// ```
pub fn morris_indices(design: &MorrisDesign, outputs: &[f64]) -> Result<Vec<MorrisIndex>, String> {
    check_outputs(design.design.len(), outputs)?;
    let k = design.k();
    if design.unit.len() != design.design.len() || design.design.len() != design.r() * (k + 1) {
        return Err("the Morris design is inconsistent: its rows do not form r trajectories of k + 1 points".to_string());
    }
    let mut effects: Vec<Vec<f64>> = vec![Vec::with_capacity(design.r()); k];
    for (t, order) in design.order.iter().enumerate() {
        let rows = design.trajectory(t);
        for (s, &i) in order.iter().enumerate() {
            let (a, b) = (rows.start + s, rows.start + s + 1);
            let du = design.unit[b][i] - design.unit[a][i];
            if du == 0.0 || i >= k {
                return Err(format!("the Morris design is inconsistent: step {s} of trajectory {t} does not move factor {i}"));
            }
            effects[i].push((outputs[b] - outputs[a]) / du);
        }
    }
    Ok(design
        .design
        .names
        .iter()
        .zip(&effects)
        .map(|(name, ee)| MorrisIndex {
            name: name.clone(),
            mu: stats::mean(ee),
            mu_star: ee.iter().map(|e| e.abs()).sum::<f64>() / ee.len() as f64,
            sigma: stats::std_dev(ee),
        })
        .collect())
}

/// Sobol' first-order and total-effect indices with 95 % bootstrap intervals from 1000
/// resamples; see [`sobol_indices_with`].
pub fn sobol_indices(design: &SaltelliDesign, outputs: &[f64]) -> Result<Vec<SobolIndex>, String> {
    sobol_indices_with(design, outputs, &SobolOptions::default())
}

/// Estimates over a subset of base rows `js` (all rows when `None`): returns
/// (first-order, total) per factor, NaN when the output variance is zero.
fn estimate(y: &[f64], n: usize, k: usize, js: Option<&[usize]>) -> (Vec<f64>, Vec<f64>) {
    let m = js.map_or(n, <[usize]>::len);
    let idx = |q: usize| js.map_or(q, |s| s[q]);
    let (ya, yb) = (&y[..n], &y[n..2 * n]);
    // Variance of all A and B outputs together (population form, as in Saltelli 2010).
    let mean = (0..m).map(|q| ya[idx(q)] + yb[idx(q)]).sum::<f64>() / (2 * m) as f64;
    let var = (0..m).map(|q| (ya[idx(q)] - mean).powi(2) + (yb[idx(q)] - mean).powi(2)).sum::<f64>() / (2 * m) as f64;
    let mut first = Vec::with_capacity(k);
    let mut total = Vec::with_capacity(k);
    for i in 0..k {
        let yab = &y[(i + 2) * n..(i + 3) * n];
        let (mut s1, mut st) = (0.0, 0.0);
        for q in 0..m {
            let j = idx(q);
            s1 += yb[j] * (yab[j] - ya[j]);
            st += (ya[j] - yab[j]).powi(2);
        }
        if var > 0.0 {
            first.push(s1 / m as f64 / var);
            total.push(st / (2 * m) as f64 / var);
        } else {
            first.push(f64::NAN);
            total.push(f64::NAN);
        }
    }
    (first, total)
}

/// Sobol' indices from outputs on a [`crate::design::saltelli`] design. With f(·) the
/// outputs on the A, B and AB_i blocks and V the variance of the A and B outputs:
///
/// - first order (Saltelli 2010): S_i = (1/N) Σ_j f(B)_j (f(AB_i)_j − f(A)_j) / V;
/// - total effect (Jansen 1999): S_Ti = (1/2N) Σ_j (f(A)_j − f(AB_i)_j)² / V.
///
/// Intervals: the N base rows (with their A, B and AB_i outputs together) are resampled
/// with replacement and the indices recomputed; the interval is the central `level`
/// share of the resampled values. Resamples run in parallel, each on its own named
/// stream, so results do not depend on the thread count. Fails if the outputs do not
/// match the design, are not finite, or have zero variance.
pub fn sobol_indices_with(design: &SaltelliDesign, outputs: &[f64], options: &SobolOptions) -> Result<Vec<SobolIndex>, String> {
    check_outputs(design.design.len(), outputs)?;
    let (n, k) = (design.n, design.k());
    if n < 2 || design.design.len() != n * (k + 2) || design.rows(Block::AB(k.saturating_sub(1))).end != design.design.len() {
        return Err("the Saltelli design is inconsistent: its rows do not form N (k + 2) rows".to_string());
    }
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(format!("the confidence level must be between 0 and 1, got {}", options.level));
    }
    let (first, total) = estimate(outputs, n, k, None);
    if first.iter().any(|v| v.is_nan()) {
        return Err("the outputs have zero variance over the A and B samples, so Sobol' indices are undefined".to_string());
    }
    let streams = Streams::new(options.seed);
    let boot: Vec<(Vec<f64>, Vec<f64>)> = (0..options.resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = streams.stream("sobol.bootstrap", b as u64, 0);
            let js: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            estimate(outputs, n, k, Some(&js))
        })
        .collect();
    let ci = |values: Vec<f64>| {
        if values.is_empty() {
            (f64::NAN, f64::NAN)
        } else {
            stats::interval(&values, options.level)
        }
    };
    Ok((0..k)
        .map(|i| SobolIndex {
            name: design.design.names[i].clone(),
            first: first[i],
            total: total[i],
            first_ci: ci(boot.iter().map(|(f, _)| f[i]).collect()),
            total_ci: ci(boot.iter().map(|(_, t)| t[i]).collect()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{saltelli, Factor};

    #[test]
    fn bad_outputs_are_errors() {
        let f = vec![Factor::new("a", 0.0, 1.0).unwrap()];
        let d = saltelli(&f, 8).unwrap();
        let e = sobol_indices(&d, &[1.0; 5]).unwrap_err();
        assert!(e.contains("24") && e.contains('5'), "{e}");
        let mut y = vec![1.0; 24];
        assert!(sobol_indices(&d, &y).unwrap_err().contains("zero variance"));
        y[3] = f64::NAN;
        assert!(sobol_indices(&d, &y).unwrap_err().contains("row 3"));
        let y: Vec<f64> = d.design.points.iter().map(|p| p[0]).collect();
        let opts = SobolOptions { level: 1.5, ..SobolOptions::default() };
        assert!(sobol_indices_with(&d, &y, &opts).is_err());
        let opts = SobolOptions { resamples: 0, ..SobolOptions::default() };
        let s = sobol_indices_with(&d, &y, &opts).unwrap();
        assert!(s[0].first_ci.0.is_nan() && s[0].total.is_finite());
    }
}
