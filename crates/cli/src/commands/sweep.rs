//! `perelom sweep`: loads a design file, prints its warnings, and runs it with a
//! progress bar through the experiments library (`perelom_experiments::sweep`).

use crate::cli::SweepArgs;
use crate::commands::warn;
use crate::error::CliError;
use perelom_experiments::sweep::{load_design, run_sweep as run_design, Design, Progress, SweepOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: SweepArgs) -> Result<ExitCode, CliError> {
    let d = load(&args.design)?;
    run_sweep(&args, d).map(|_| ExitCode::SUCCESS)
}

/// Loads a design file and prints its warnings (the base scenario's, then at most three
/// about its points; sweep.json records them all).
pub(crate) fn load(path: &Path) -> Result<Design, CliError> {
    let d = load_design(path)?;
    warn(&d.base);
    for w in d.point_warnings.iter().take(3) {
        eprintln!("warning: {}", w.lines().next().unwrap_or(w));
    }
    if d.point_warnings.len() > 3 {
        eprintln!(
            "warning: ... and {} more such warnings about the design's points (all recorded in sweep.json)",
            d.point_warnings.len() - 3
        );
    }
    Ok(d)
}

/// The command line's view of a sweep: a line when planned, a bar, a line when done.
struct Bar {
    bar: indicatif::ProgressBar,
    quiet: bool,
    design: String,
}

impl Progress for Bar {
    fn planned(&self, points: usize, replicates: u32, runs: usize, to_do: usize) {
        if !self.quiet {
            outln!("{}: {points} points x {replicates} replicates = {runs} runs; {to_do} to do", self.design);
        }
        self.bar.set_length(to_do as u64);
    }

    fn run_done(&self) {
        self.bar.inc(1);
    }

    fn finished(&self, done: usize, seconds: f64, dataset: &Path) {
        self.bar.finish_and_clear();
        if !self.quiet {
            outln!("{done} runs in {seconds:.1} s; dataset: {}", dataset.display());
        }
    }
}

/// Runs (or resumes) a sweep of a loaded design and returns it with its output directory.
pub(crate) fn run_sweep(args: &SweepArgs, d: Design) -> Result<(Design, PathBuf), CliError> {
    let bar = indicatif::ProgressBar::new(0);
    if args.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    let progress = Bar { bar, quiet: args.quiet, design: args.design.display().to_string() };
    let opts =
        SweepOptions { out: args.output.out.clone(), resume: args.output.resume, force: args.output.force, threads: args.threads.threads };
    let r = run_design(d, &opts, &progress);
    progress.bar.finish_and_clear();
    Ok(r?)
}
