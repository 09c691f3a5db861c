//! A calibration's posterior (`posterior.csv`, written by `perelom calibrate`) as a source
//! of parameter draws, for every front end: a validation over it is the posterior
//! predictive (each run a weighted draw of the calibrated parameters, with its own seed),
//! a comparison over it gives an experiment's effects over draws × seeds.
//!
//! ```no_run
//! use perelom_experiments::posterior::Posterior;
//! let base = perelom_experiments::source::load(Some("ussr-1928-1929"), &[]).unwrap();
//! let p = Posterior::read("calibration/ussr-1928-1929/posterior.csv".as_ref(), &base).unwrap();
//! let mut s = base.clone();
//! p.apply(&mut s, p.draw(1, 0)).unwrap(); // run 0 of an ensemble seeded 1
//! ```

use perelom_engine::Streams;
use perelom_scenario::{Scenario, ScenarioError, Value};
use rand::Rng;
use std::fmt;
use std::path::Path;

/// Why a posterior file cannot be used. Prints as a message with the file (and line, when
/// there is one) first.
#[derive(Debug)]
pub enum PosteriorError {
    /// The file cannot be read, is not CSV, or is not a posterior (no `weight` column, a
    /// parameter the model does not have, a value that is not a finite number, a negative
    /// weight, no positive weight).
    File {
        /// The file as named.
        file: String,
        /// The 1-based line of the problem, when it has one (1: the header).
        line: Option<u64>,
        /// The whole message, file and line included.
        text: String,
    },
    /// A particle's value that the scenario refuses (out of the parameter's range): the
    /// scenario's own error, set at `FILE:LINE`.
    Value {
        /// The file as named.
        file: String,
        /// The particle's 1-based line.
        line: u64,
        /// The scenario's check of the value (boxed: the other variant is small).
        error: Box<ScenarioError>,
    },
}

impl PosteriorError {
    fn at(file: &str, line: Option<u64>, text: String) -> Self {
        PosteriorError::File { file: file.to_string(), line, text }
    }

    /// The posterior file as it was named.
    pub fn file(&self) -> &str {
        match self {
            PosteriorError::File { file, .. } | PosteriorError::Value { file, .. } => file,
        }
    }

    /// The 1-based line of the problem, if it has one.
    pub fn line(&self) -> Option<u64> {
        match self {
            PosteriorError::File { line, .. } => *line,
            PosteriorError::Value { line, .. } => Some(*line),
        }
    }
}

impl fmt::Display for PosteriorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PosteriorError::File { text, .. } => write!(f, "{text}"),
            PosteriorError::Value { error, .. } => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for PosteriorError {}

impl From<PosteriorError> for crate::Error {
    fn from(e: PosteriorError) -> Self {
        match e {
            PosteriorError::File { text, .. } => crate::Error::Message(text),
            PosteriorError::Value { error, .. } => crate::Error::Scenario(*error),
        }
    }
}

/// The line a CSV error points at, if it says.
fn csv_line(e: &csv::Error) -> Option<u64> {
    e.position().map(|p| p.line())
}

/// Weighted particles over named parameters.
#[derive(Clone, Debug)]
pub struct Posterior {
    /// The calibrated parameters' keys, in the file's column order.
    pub keys: Vec<String>,
    particles: Vec<Vec<f64>>,
    weights: Vec<f64>,
    /// The file as named, for messages.
    pub source: String,
}

impl Posterior {
    /// Reads `posterior.csv`: one column per parameter, then `weight` and `distance`.
    /// Every parameter must exist in `scenario`; weights must be finite, ≥ 0, not all 0;
    /// every particle must be a valid set of values for `scenario`.
    ///
    /// Errors: [`PosteriorError`] with the file and, where there is one, the line.
    pub fn read(path: &Path, scenario: &Scenario) -> Result<Self, PosteriorError> {
        let shown = path.display().to_string();
        let mut r = csv::Reader::from_path(path)
            .map_err(|e| PosteriorError::at(&shown, None, format!("cannot read the posterior {shown}: {e}")))?;
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| PosteriorError::at(&shown, csv_line(&e).or(Some(1)), format!("{shown}: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let Some(w) = headers.iter().position(|h| h == "weight") else {
            return Err(PosteriorError::at(
                &shown,
                Some(1),
                format!("{shown} has no `weight` column\n  help: give the posterior.csv written by `perelom calibrate --out DIR`"),
            ));
        };
        let keys: Vec<String> = headers[..w].to_vec();
        if keys.is_empty() {
            return Err(PosteriorError::at(&shown, Some(1), format!("{shown}: no parameter columns before `weight`")));
        }
        // After `weight` only `distance` (calibrate's) may follow: a parameter column there
        // would be silently left out of the draws.
        if let Some(extra) = headers[w + 1..].iter().find(|h| h.as_str() != "distance") {
            return Err(PosteriorError::at(
                &shown,
                Some(1),
                format!(
                    "{shown}: column `{extra}` after `weight`: parameter columns come before `weight`, and only `distance` may follow it\n  help: give the posterior.csv written by `perelom calibrate --out DIR`"
                ),
            ));
        }
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].contains(k) {
                return Err(PosteriorError::at(&shown, Some(1), format!("{shown}: column `{k}` appears twice")));
            }
            if scenario.get(k).is_none() {
                return Err(PosteriorError::at(
                    &shown,
                    Some(1),
                    format!("{shown}: `{k}` is not a parameter of model \"{}\"", scenario.meta.model),
                ));
            }
        }
        let (mut particles, mut weights) = (Vec::new(), Vec::new());
        for (line, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| PosteriorError::at(&shown, csv_line(&e), format!("{shown}: {e}")))?;
            let at = line as u64 + 2;
            let num = |i: usize| -> Result<f64, PosteriorError> {
                rec.get(i)
                    .and_then(|x| x.trim().parse::<f64>().ok())
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| PosteriorError::at(&shown, Some(at), format!("{shown}:{at}: column {} is not a finite number", i + 1)))
            };
            particles.push((0..w).map(num).collect::<Result<Vec<_>, _>>()?);
            let weight = num(w)?;
            if weight < 0.0 {
                return Err(PosteriorError::at(&shown, Some(at), format!("{shown}:{at}: negative weight")));
            }
            weights.push(weight);
        }
        // Every particle must be a valid set of values for the scenario, checked now rather
        // than when a run happens to draw it.
        for (row, particle) in particles.iter().enumerate() {
            let line = row as u64 + 2;
            let mut s = scenario.clone();
            for (k, v) in keys.iter().zip(particle) {
                s.set_value(k, Value::Float(*v), &format!("{shown}:{line}")).map_err(|error| PosteriorError::Value {
                    file: shown.clone(),
                    line,
                    error: Box::new(error),
                })?;
            }
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(PosteriorError::at(&shown, None, format!("{shown}: no particle with a positive weight")));
        }
        Ok(Posterior { keys, particles, weights, source: shown })
    }

    /// The number of particles.
    pub fn len(&self) -> usize {
        self.particles.len()
    }

    /// Whether the posterior has no particle (never, once read).
    pub fn is_empty(&self) -> bool {
        self.particles.is_empty()
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
    ///
    /// Errors: a value the scenario refuses (not possible for a particle [`Posterior::read`]
    /// checked against a scenario of the same model).
    pub fn apply(&self, s: &mut Scenario, draw: &[f64]) -> Result<(), ScenarioError> {
        for (k, v) in self.keys.iter().zip(draw) {
            if s.get(k).is_some_and(|p| p.value != p.spec.default) {
                continue;
            }
            s.set_value(k, Value::Float(*v), "posterior draw")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Scenario {
        crate::source::load(Some("ussr-1928-1929"), &[]).unwrap()
    }

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("posterior.csv");
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn a_posterior_reads_and_draws_by_weight() {
        let (_d, p) = write("bl.legality,weight,distance\n0.3,0,1\n0.6,1,0.5\n");
        let post = Posterior::read(&p, &base()).unwrap();
        assert_eq!(post.keys, ["bl.legality"]);
        assert_eq!(post.len(), 2);
        for i in 0..20 {
            assert_eq!(post.draw(1, i), [0.6], "a particle of weight 0 is never drawn");
        }
        let mut s = base();
        post.apply(&mut s, post.draw(1, 0)).unwrap();
        assert_eq!(s.float("bl.legality"), 0.6);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let missing = Posterior::read(Path::new("/nonexistent/posterior.csv"), &base()).unwrap_err();
        assert!(missing.to_string().starts_with("cannot read the posterior /nonexistent/posterior.csv"), "{missing}");
        assert_eq!(missing.line(), None);

        for bad in ["bl.legality,weight,distance,no.such.key\n0.3,1,1,2\n", "weight,bl.legality,distance\n1,0.3,1\n"] {
            let (_d, p) = write(bad);
            let e = Posterior::read(&p, &base()).unwrap_err().to_string();
            assert!(e.contains("after `weight`") || e.contains("no parameter columns before"), "{bad}: {e}");
        }
        let (_d, p) = write("bl.legality,bl.legality,weight,distance\n0.3,0.3,1,1\n");
        assert!(Posterior::read(&p, &base()).unwrap_err().to_string().contains("appears twice"));
        let (_d, p) = write("no.such.key,weight,distance\n0.3,1,1\n");
        let e = Posterior::read(&p, &base()).unwrap_err();
        assert_eq!(e.line(), Some(1));
        assert!(e.to_string().contains("`no.such.key` is not a parameter"), "{e}");

        let (_d, p) = write("bl.legality,weight,distance\n0.3,1,1\nx,1,1\n");
        let e = Posterior::read(&p, &base()).unwrap_err();
        assert_eq!(e.line(), Some(3));
        assert!(e.to_string().ends_with(":3: column 1 is not a finite number"), "{e}");

        let (_d, p) = write("bl.legality,weight,distance\n0.3,1,1\n0.4,1\n0.5,1,1,1\n");
        let e = Posterior::read(&p, &base()).unwrap_err();
        assert_eq!(e.line(), Some(3), "{e}");

        let (_d, p) = write("bl.legality,weight,distance\n7.5,1,1\n");
        let e = Posterior::read(&p, &base()).unwrap_err();
        assert!(matches!(e, PosteriorError::Value { line: 2, .. }), "{e}");
        assert!(e.to_string().contains(":2"), "{e}");

        let (_d, p) = write("bl.legality,weight,distance\n0.3,0,1\n");
        assert!(Posterior::read(&p, &base()).unwrap_err().to_string().contains("no particle with a positive weight"));
    }
}
