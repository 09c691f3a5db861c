//! `perelom sweep`: loads a design file, prints its warnings, and runs it with a
//! progress bar through the experiments library (`perelom_experiments::sweep`).

use crate::cli::SweepArgs;
use crate::commands::{count, warn};
use crate::error::CliError;
use perelom_experiments::sweep::{load_design, run_sweep as run_design, Design, Progress, Shard, SweepOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: SweepArgs) -> Result<ExitCode, CliError> {
    if let Some(dir) = &args.join {
        let dataset = perelom_experiments::sweep::join_sweep(dir)?;
        outln!("joined: {}", dataset.display());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = args.design.as_deref() else {
        return Err(CliError::Message("give a design file, or --join DIR".into()));
    };
    #[cfg(feature = "mpi")]
    if crate::commands::ranks::ranks().is_some() {
        // Every rank loads the design (each checks it; only rank 0 prints warnings).
        let d = if crate::commands::is_worker() { load_design(path)? } else { load(path)? };
        crate::commands::ranks::sweep(&d, &options(&args)?, args.quiet)?;
        return Ok(ExitCode::SUCCESS);
    }
    let d = load(path)?;
    if args.sbatch {
        return sbatch(&args, path, d);
    }
    // Every point's runs must fit, one per thread, before any is made.
    if let Some((largest, bytes)) = perelom_experiments::sweep::largest_point(&d)? {
        let runs = d.points.len() * d.replicates as usize;
        let what = if d.points.len() > 1 { ", at the design's largest point" } else { "" };
        perelom_experiments::memory::check_bytes(
            &d.file,
            &largest,
            bytes,
            crate::commands::concurrent_runs(args.threads.threads, runs),
            what,
            "fewer --threads",
        )
        .map_err(CliError::Message)?;
    }
    run_sweep(&args, d).map(|_| ExitCode::SUCCESS)
}

/// Prints a Slurm job-array script for the sweep: each array task runs a shard of the
/// batches (the shard comes from the task's environment), the last joins the dataset.
/// The array size, time and memory come from a pilot run of the design's first point.
fn sbatch(args: &SweepArgs, path: &Path, d: Design) -> Result<ExitCode, CliError> {
    let out = args.output.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "sweep".into()))
    });
    // The tasks may start in another directory than this one: absolute paths.
    let here = std::env::current_dir().map_err(|e| CliError::Message(format!("cannot read the current directory: {e}")))?;
    let out = here.join(out);
    let design_file = path.canonicalize().map_err(|e| CliError::Message(format!("{}: {e}", path.display())))?;
    // The tasks will share --out: refuse now what they would refuse later.
    perelom_experiments::sweep::check_shared(&d, &out)?;
    let runs = d.points.len() * d.replicates as usize;
    let batches = runs.div_ceil(perelom_experiments::sweep::BATCH_RUNS);
    eprintln!("pilot: one run of the design's first point, to size the job ...");
    let (seconds, peak_mb) = perelom_experiments::sweep::pilot(&d)?;
    // Tasks of about an hour, at most one batch apart, at most 1000 of them.
    let cpus = 4u32;
    let per_task_target = 3600.0;
    let total = seconds * runs as f64 / f64::from(cpus);
    let tasks = ((total / per_task_target).ceil() as usize).clamp(1, batches.min(1000));
    let batches_per_task = batches.div_ceil(tasks);
    let task_seconds = (batches_per_task * perelom_experiments::sweep::BATCH_RUNS) as f64 * seconds / f64::from(cpus);
    // Twice the estimate and ten minutes to spare; memory: the pilot's peak per thread, doubled.
    let limit = (2.0 * task_seconds + 600.0).ceil() as u64;
    let mem_mb = ((peak_mb * f64::from(cpus) * 2.0).ceil() as u64).max(1024);
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "perelom".into());
    let name: String = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "sweep".into());
    outln!("#!/bin/bash");
    let plural = |n: usize, one: &str, many: &str| count(n as u64, one, many);
    outln!(
        "# Perelom sweep {} as a Slurm job array: {} in {} of up to {} runs,",
        design_file.display(),
        plural(runs, "run", "runs"),
        plural(batches, "batch", "batches"),
        perelom_experiments::sweep::BATCH_RUNS
    );
    outln!("# {} of about {} each.", plural(tasks, "array task", "array tasks"), plural(batches_per_task, "batch", "batches"));
    outln!("# Pilot: {seconds:.2} s and {peak_mb:.0} MB per run on this machine (one thread); the limits below are");
    outln!("# twice the estimate: adjust them to your cluster's nodes.");
    outln!("# Submit with: sbatch THIS_FILE   (resubmitting completes an interrupted sweep: finished runs are kept)");
    outln!("# Each task reads its shard from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT; the last task");
    outln!("# to finish joins {}/sweep.parquet (or run: perelom sweep --join {}).", out.display(), out.display());
    outln!("#SBATCH --job-name=perelom-{name}");
    outln!("#SBATCH --array=0-{}", tasks - 1);
    outln!("#SBATCH --cpus-per-task={cpus}");
    outln!("#SBATCH --mem={mem_mb}M");
    outln!("#SBATCH --time={:02}:{:02}:{:02}", limit / 3600, limit % 3600 / 60, limit % 60);
    outln!("#SBATCH --output=perelom-{name}-%A_%a.log");
    outln!("set -euo pipefail");
    outln!(
        "srun {} sweep {} --out {} --threads \"$SLURM_CPUS_PER_TASK\" --quiet",
        shell_quote(&exe),
        shell_quote(&design_file.display().to_string()),
        shell_quote(&out.display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}

/// A word for a POSIX shell: as it is when it holds only safe characters, else in single
/// quotes.
fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
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
    fn warning(&self, text: &str) {
        self.bar.suspend(|| eprintln!("warning: {text}"));
    }

    fn planned(&self, points: usize, replicates: u32, runs: usize, to_do: usize) {
        if !self.quiet {
            outln!(
                "{}: {} x {} = {}; {} to do",
                self.design,
                count(points as u64, "point", "points"),
                count(replicates, "replicate", "replicates"),
                count(runs as u64, "run", "runs"),
                to_do
            );
        }
        self.bar.set_length(to_do as u64);
    }

    fn run_done(&self) {
        self.bar.inc(1);
    }

    fn finished(&self, done: usize, seconds: f64, dataset: &Path) {
        self.bar.finish_and_clear();
        if !self.quiet {
            if dataset.exists() {
                outln!("{} in {seconds:.1} s; dataset: {}", count(done as u64, "run", "runs"), dataset.display());
            } else {
                let dir = dataset.parent().map_or_else(|| ".".to_string(), |d| d.display().to_string());
                outln!(
                    "{} in {seconds:.1} s; other shards still have runs to do: the last one joins the dataset (or: perelom sweep --join {dir})",
                    count(done as u64, "run", "runs")
                );
            }
        }
    }
}

/// The sweep's options from the command line, with the shard of a Slurm array task.
fn options(args: &SweepArgs) -> Result<SweepOptions, CliError> {
    let slurm = Shard::from_slurm(&|k| std::env::var(k).ok()).map_err(CliError::Message)?;
    Ok(SweepOptions {
        out: args.output.out.clone(),
        resume: args.output.resume,
        force: args.output.force,
        threads: args.threads.threads,
        shard: args.shard.or(slurm),
    })
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
    let design = args.design.as_ref().map_or_else(|| d.file.clone(), |p| p.display().to_string());
    let progress = Bar { bar, quiet: args.quiet, design };
    let opts = options(args)?;
    let r = run_design(d, &opts, &progress);
    progress.bar.finish_and_clear();
    Ok(r?)
}
