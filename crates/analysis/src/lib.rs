//! # perelom-analysis
//!
//! Experimental designs, global sensitivity analysis and approximate Bayesian
//! computation for Perelom. The crate is pure computation: it performs no I/O and knows
//! nothing of any model. The command line builds on it for `perelom sweep`
//! ([`design`]), `perelom sensitivity` ([`design`] + [`sensitivity`]) and
//! `perelom calibrate` ([`abc`]) and `perelom compare` ([`compare`]).
//!
//! ## Modules
//!
//! | module | contents | published methods |
//! | --- | --- | --- |
//! | [`design`] | [`Factor`]s (bounded, possibly integer) and [`Levels`] (lists); full factorial grids, Latin hypercubes, Sobol' points, Saltelli and Morris designs | McKay et al. 1979; Sobol' 1967; Saltelli et al. 2010; Morris 1991; Campolongo et al. 2007 |
//! | [`sensitivity`] | Morris μ, μ*, σ; Sobol' first-order and total-effect indices with bootstrap intervals | Morris 1991; Campolongo et al. 2007; Saltelli et al. 2010; Jansen 1999 |
//! | [`abc`] | rejection ABC and ABC-SMC over uniform priors, in parallel and reproducible | Pritchard et al. 1999; Beaumont et al. 2002; Toni et al. 2009; Beaumont et al. 2009 |
//! | [`compare`] | paired comparison of two ensembles on common seeds: mean difference, percentile-bootstrap interval, Cohen's d, share of pairs up | Efron & Tibshirani 1993; Cohen 1988 |
//! | [`qmc`] | the Sobol' sequence itself (64 dimensions, Joe–Kuo 2008 direction numbers) | Sobol' 1967; Antonov & Saleev 1979; Joe & Kuo 2008 |
//!
//! ## Conventions
//!
//! - Designs are rows of parameter values ([`design::Design::points`]) in the order of
//!   the factors; model outputs are passed back as one number per row, in row order.
//! - Randomness comes from a caller's generator (designs) or from named
//!   [`perelom_engine::Streams`] (bootstrap, ABC), so every result is reproducible from
//!   a seed and independent of the number of threads.
//! - Bad arguments give `Err(String)` with a message meant for the user (which factor,
//!   which value, what was expected); nothing panics on user input.
//!
//! ## Sensitivity analysis in four lines
//!
//! ```
//! use perelom_analysis::{saltelli, sobol_indices, Factor};
//! let factors = vec![Factor::new("x1", -1.0, 1.0)?, Factor::new("x2", -1.0, 1.0)?];
//! let design = saltelli(&factors, 512)?; // 512 × (2 + 2) runs
//! let outputs: Vec<f64> = design.design.points.iter().map(|p| p[0] + 0.1 * p[1]).collect();
//! let indices = sobol_indices(&design, &outputs)?;
//! assert!(indices[0].first > 0.95 && indices[1].total < 0.05);
//! # Ok::<(), String>(())
//! ```
//!
//! ## Calibration
//!
//! ```
//! use perelom_analysis::{smc, Factor, SmcOptions};
//! // Summary statistic: the parameter itself, blurred by seed-dependent noise.
//! let simulate = |theta: &[f64], seed: u64| vec![theta[0] + (seed % 100) as f64 / 1000.0];
//! let options = SmcOptions { particles: 200, max_simulations: 5_000, ..SmcOptions::default() };
//! let posterior = smc(&[Factor::new("rate", 0.0, 1.0)?], simulate, &[0.3], &[0.1], &options, 42)?;
//! assert!((posterior.mean()[0] - 0.25).abs() < 0.05);
//! # Ok::<(), String>(())
//! ```

#![warn(missing_docs)]

pub mod abc;
pub mod compare;
pub mod design;
mod normal;
pub mod qmc;
pub mod sensitivity;

pub use abc::{rejection, smc, Accept, Posterior, SmcOptions, StopReason};
pub use compare::{compare_ensembles, comparison_table, paired, OutcomeComparison, Outcomes, Paired};
pub use design::{
    full_factorial, latin_hypercube, morris, morris_campolongo, saltelli, sobol_points, Block, Design, Factor, Levels, MorrisDesign,
    SaltelliDesign,
};
pub use sensitivity::{morris_indices, sobol_indices, sobol_indices_with, MorrisIndex, SobolIndex, SobolOptions};
