//! Paired comparison of two ensembles run on common seeds: the mean paired difference
//! with a percentile-bootstrap interval, Cohen's d and the share of pairs that go up.
//!
//! Sources: Efron & Tibshirani (1993) for the percentile bootstrap; Cohen (1988) for d
//! with the pooled standard deviation of two groups of equal size.

use perelom_engine::stats::{interval, mean, std_dev};
use rand::Rng;

/// Bootstrap resamples of the paired differences.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// One outcome compared between a baseline and an experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// Mean of the baseline's runs.
    pub base_mean: f64,
    /// Mean of the experiment's runs.
    pub exp_mean: f64,
    /// Mean paired difference, experiment − baseline (the outcome's unit).
    pub diff: f64,
    /// Lower end of the 90 % percentile-bootstrap interval of `diff`
    /// ([`BOOTSTRAP_RESAMPLES`] resamples).
    pub lo: f64,
    /// Upper end of that interval.
    pub hi: f64,
    /// Cohen's d: `diff` over the pooled standard deviation of the two ensembles (NaN
    /// when both have none).
    pub cohens_d: f64,
    /// Share of pairs (same seed) in which the experiment's value is higher (0-1).
    pub p_up: f64,
}

impl Paired {
    /// Whether the 90 % interval excludes zero.
    pub fn clear(&self) -> bool {
        self.lo > 0.0 || self.hi < 0.0
    }
}

/// Compares `exp` with `base`, pair by pair (`base[i]` and `exp[i]` ran on the same
/// seed). The bootstrap draws from `rng`, so the interval is reproducible from its
/// stream. Errors when the two differ in length or are empty.
pub fn paired(base: &[f64], exp: &[f64], rng: &mut impl Rng) -> Result<Paired, String> {
    if base.len() != exp.len() || base.is_empty() {
        return Err(format!("paired comparison needs two equal, non-empty samples, got {} and {} runs", base.len(), exp.len()));
    }
    let diffs: Vec<f64> = base.iter().zip(exp).map(|(b, e)| e - b).collect();
    let d = mean(&diffs);
    let n = diffs.len();
    let boots: Vec<f64> = (0..BOOTSTRAP_RESAMPLES).map(|_| (0..n).map(|_| diffs[rng.random_range(0..n)]).sum::<f64>() / n as f64).collect();
    let (lo, hi) = interval(&boots, 0.9);
    let pooled = ((std_dev(base).powi(2) + std_dev(exp).powi(2)) / 2.0).sqrt();
    let cohens_d = if pooled > 0.0 { d / pooled } else { f64::NAN };
    let p_up = base.iter().zip(exp).filter(|(b, x)| x > b).count() as f64 / n as f64;
    Ok(Paired { base_mean: mean(base), exp_mean: mean(exp), diff: d, lo, hi, cohens_d, p_up })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_constant_shift_has_a_point_interval_and_all_pairs_up() {
        let base = [1.0, 2.0, 4.0, 8.0];
        let exp: Vec<f64> = base.iter().map(|b| b + 0.5).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let p = paired(&base, &exp, &mut rng).unwrap();
        assert_eq!((p.diff, p.lo, p.hi, p.p_up), (0.5, 0.5, 0.5, 1.0));
        assert!(p.clear());
        // d = 0.5 over the common standard deviation of the two samples.
        assert!((p.cohens_d - 0.5 / std_dev(&base)).abs() < 1e-12);
    }

    #[test]
    fn no_difference_is_not_clear_and_no_spread_gives_nan_d() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let p = paired(&[3.0; 5], &[3.0; 5], &mut rng).unwrap();
        assert!(!p.clear() && p.cohens_d.is_nan() && p.p_up == 0.0);
        assert!(paired(&[1.0], &[], &mut rng).is_err());
    }
}
