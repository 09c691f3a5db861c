//! A calibration's posterior (`posterior.csv` written by `perelom calibrate`) as a source of
//! parameter draws: `validate --posterior` gives the posterior predictive (each run a
//! weighted draw of the calibrated parameters and its own seed), `compare --posterior`
//! gives experiments' effects over posterior draws × seeds.

use crate::error::CliError;
use perelom_engine::Streams;
use perelom_scenario::{Scenario, Value};
use rand::Rng;
use std::path::Path;

/// Weighted particles over named parameters.
pub struct Posterior {
    pub keys: Vec<String>,
    particles: Vec<Vec<f64>>,
    weights: Vec<f64>,
    pub source: String,
}

impl Posterior {
    /// Reads `posterior.csv`: one column per parameter, then `weight` and `distance`.
    /// Every parameter must exist in `scenario`; weights must be finite, ≥ 0, not all 0.
    pub fn read(path: &Path, scenario: &Scenario) -> Result<Self, CliError> {
        let shown = path.display().to_string();
        let mut r = csv::Reader::from_path(path).map_err(|e| CliError::Message(format!("cannot read the posterior {shown}: {e}")))?;
        let headers: Vec<String> =
            r.headers().map_err(|e| CliError::Message(format!("{shown}: {e}")))?.iter().map(str::to_string).collect();
        let Some(w) = headers.iter().position(|h| h == "weight") else {
            return Err(CliError::Message(format!(
                "{shown} has no `weight` column\n  help: give the posterior.csv written by `perelom calibrate --out DIR`"
            )));
        };
        let keys: Vec<String> = headers[..w].to_vec();
        if keys.is_empty() {
            return Err(CliError::Message(format!("{shown}: no parameter columns before `weight`")));
        }
        for k in &keys {
            if scenario.get(k).is_none() {
                return Err(CliError::Message(format!("{shown}: `{k}` is not a parameter of model \"{}\"", scenario.meta.model)));
            }
        }
        let (mut particles, mut weights) = (Vec::new(), Vec::new());
        for (line, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| CliError::Message(format!("{shown}: {e}")))?;
            let num = |i: usize| -> Result<f64, CliError> {
                rec.get(i)
                    .and_then(|x| x.trim().parse::<f64>().ok())
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| CliError::Message(format!("{shown}:{}: column {} is not a finite number", line + 2, i + 1)))
            };
            particles.push((0..w).map(num).collect::<Result<Vec<_>, _>>()?);
            let weight = num(w)?;
            if weight < 0.0 {
                return Err(CliError::Message(format!("{shown}:{}: negative weight", line + 2)));
            }
            weights.push(weight);
        }
        // Every particle must be a valid set of values for the scenario, checked now rather
        // than when a run happens to draw it.
        for (row, particle) in particles.iter().enumerate() {
            let mut s = scenario.clone();
            for (k, v) in keys.iter().zip(particle) {
                s.set_value(k, Value::Float(*v), &format!("{shown}:{}", row + 2))?;
            }
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(CliError::Message(format!("{shown}: no particle with a positive weight")));
        }
        Ok(Posterior { keys, particles, weights, source: shown })
    }

    /// The particle for run `index` of an ensemble seeded `seed`: a weighted draw from its
    /// own named stream, so the same run gets the same draw on any number of threads.
    pub fn draw(&self, seed: u64, index: u64) -> &[f64] {
        let mut rng = Streams::new(seed).stream("posterior.draw", index, 0);
        let total: f64 = self.weights.iter().sum();
        let mut u = rng.random::<f64>() * total;
        for (p, w) in self.particles.iter().zip(&self.weights) {
            if u < *w {
                return p;
            }
            u -= w;
        }
        self.particles.last().map_or(&[], |p| p.as_slice())
    }

    /// Sets a drawn particle on a scenario, leaving alone any parameter whose value the
    /// scenario changes from the model's baseline (an experiment's own change wins over the
    /// baseline's calibration).
    pub fn apply(&self, s: &mut Scenario, draw: &[f64]) -> Result<(), CliError> {
        for (k, v) in self.keys.iter().zip(draw) {
            if s.get(k).is_some_and(|p| p.value != p.spec.default) {
                continue;
            }
            s.set_value(k, Value::Float(*v), "posterior draw")?;
        }
        Ok(())
    }
}
