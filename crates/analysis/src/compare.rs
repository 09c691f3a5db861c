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
    /// Cohen's d: `diff` over the pooled standard deviation of the two ensembles (when
    /// both have none: 0 if nothing differs, NaN if they differ by a constant).
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
    // Without spread the standardized effect is 0 when nothing differs, undefined (NaN)
    // when the samples differ by a constant.
    let cohens_d = if pooled > 0.0 {
        d / pooled
    } else if d == 0.0 {
        0.0
    } else {
        f64::NAN
    };
    let p_up = base.iter().zip(exp).filter(|(b, x)| x > b).count() as f64 / n as f64;
    Ok(Paired { base_mean: mean(base), exp_mean: mean(exp), diff: d, lo, hi, cohens_d, p_up })
}

/// One outcome of one experiment compared with the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeComparison {
    /// The experiment's name.
    pub experiment: String,
    /// The outcome's name.
    pub outcome: String,
    /// The comparison, or `None` when the outcome is not measurable (a NaN in any run:
    /// an outcome named for a date the runs do not reach, never read from another week).
    pub paired: Option<Paired>,
}

/// An ensemble's outcomes: their names and, per run, one value per name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcomes {
    /// Outcome names, in the order of each run's values.
    pub names: Vec<String>,
    /// One row per run (run i on the i-th common seed).
    pub runs: Vec<Vec<f64>>,
}

/// Compares each experiment's outcomes with the baseline's, outcome by outcome, run i
/// of every ensemble paired with run i of the baseline (same seed, same posterior draw).
/// The bootstrap draws from `rng` in the order of the experiments and, within one, of
/// its outcomes (not measurable ones draw nothing), so the intervals are reproducible.
///
/// Errors: an experiment with another number of runs than the baseline.
pub fn compare_ensembles(
    base: &Outcomes,
    experiments: &[(String, Outcomes)],
    rng: &mut impl Rng,
) -> Result<Vec<OutcomeComparison>, String> {
    let mut rows = Vec::new();
    for (name, ens) in experiments {
        for (k, outcome) in ens.names.iter().enumerate() {
            let b: Vec<f64> = base.runs.iter().map(|r| r[k]).collect();
            let x: Vec<f64> = ens.runs.iter().map(|r| r[k]).collect();
            let paired = if b.iter().chain(&x).any(|v| v.is_nan()) { None } else { Some(paired(&b, &x, rng)?) };
            rows.push(OutcomeComparison { experiment: name.clone(), outcome: outcome.clone(), paired });
        }
    }
    Ok(rows)
}

/// The table `perelom compare` writes as `compare.csv`: experiment, outcome,
/// baseline_mean, experiment_mean, difference, p05, p95 (the 90 % bootstrap interval of
/// the difference), cohens_d and p_up; NaN in the numbers of an outcome that is not
/// measurable.
pub fn comparison_table(rows: &[OutcomeComparison]) -> perelom_engine::Table {
    use perelom_engine::{ColumnData, Table};
    let col = |f: &dyn Fn(&Paired) -> f64| ColumnData::F64(rows.iter().map(|r| r.paired.as_ref().map_or(f64::NAN, f)).collect());
    let mut t = Table::new();
    t.push("experiment", ColumnData::Str(rows.iter().map(|r| r.experiment.clone()).collect()));
    t.push("outcome", ColumnData::Str(rows.iter().map(|r| r.outcome.clone()).collect()));
    t.push("baseline_mean", col(&|p| p.base_mean));
    t.push("experiment_mean", col(&|p| p.exp_mean));
    t.push("difference", col(&|p| p.diff));
    t.push("p05", col(&|p| p.lo));
    t.push("p95", col(&|p| p.hi));
    t.push("cohens_d", col(&|p| p.cohens_d));
    t.push("p_up", col(&|p| p.p_up));
    t
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
    fn cohens_d_without_spread_is_zero_for_no_difference_and_undefined_otherwise() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let zeros = [0.0; 5];
        assert_eq!(paired(&zeros, &zeros, &mut rng).unwrap().cohens_d, 0.0);
        assert!(paired(&zeros, &[1.0; 5], &mut rng).unwrap().cohens_d.is_nan());
    }

    #[test]
    fn no_difference_is_not_clear_and_has_no_effect() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let p = paired(&[3.0; 5], &[3.0; 5], &mut rng).unwrap();
        assert!(!p.clear() && p.cohens_d == 0.0 && p.p_up == 0.0);
        assert!(paired(&[1.0], &[], &mut rng).is_err());
    }
}
