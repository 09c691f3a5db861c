use crate::cli::RunArgs;
use crate::commands::{existing, out_error, print_table, set_scale, thread_pool, warn};
use crate::error::CliError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use perelom_models::Simulation;
use perelom_output::{Existing, Format, ResultDir, RunManifest};
use perelom_scenario::{Scenario, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn run(args: RunArgs) -> Result<ExitCode, CliError> {
    let mut scenario = perelom_experiments::source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    if let Some(seed) = args.seed {
        scenario = scenario.with_seed(seed.unsigned_abs(), "--seed")?;
    }
    if let Some(steps) = args.steps {
        scenario.set_value("run.steps", Value::Int(i64::from(steps)), "--steps")?;
    }
    if let Some(scale) = args.scale.scale {
        set_scale(&mut scenario, scale)?;
    }
    perelom_models::check(&scenario)?;
    let warnings = warn(&scenario);
    // A default name is never taken from another run, even one started at the same
    // second: it gets -2, -3, ... when the results are committed.
    let (out, mode) = match &args.out {
        Some(p) => (p.clone(), existing(args.force)),
        None => (default_out(&scenario), Existing::NextFreeName),
    };
    // Prepare the output directory before running, so a long run is never wasted on a
    // directory that cannot be written.
    let dir = ResultDir::create(&out, "run", mode).map_err(out_error)?;
    let pool = thread_pool(args.threads.threads)?;
    let threads = pool.current_num_threads();

    let started = chrono::Utc::now();
    let clock = Instant::now();
    let sim = pool.install(|| -> Result<Box<dyn Simulation>, CliError> {
        let mut sim = perelom_models::build(&scenario)?;
        let steps = sim.clock().steps;
        let bar = ProgressBar::with_draw_target(Some(u64::from(steps)), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} steps, eta {eta}").map_err(|e| e.to_string())?,
        );
        let mut shown = args.quiet;
        while sim.steps_done() < steps {
            sim.step();
            bar.set_position(u64::from(sim.steps_done()));
            if !shown && clock.elapsed() > Duration::from_secs(1) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                shown = true;
            }
        }
        bar.finish_and_clear();
        Ok(sim)
    })?;
    let wall = clock.elapsed();

    let format: Format = args.format.into();
    write_results(&dir, sim.as_ref(), &scenario, format)?;
    manifest(&scenario, threads, started, wall, format, warnings).write(&dir)?;
    let path = dir.commit().map_err(out_error)?;

    if !args.quiet {
        outln!(
            "{} — seed {}, {} steps, {:.2} s on {threads} thread(s)",
            scenario.meta.name,
            scenario.int("run.seed"),
            sim.steps_done(),
            wall.as_secs_f64()
        );
        print_table(&sim.summary());
        outln!("results: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `results/NAME-YYYYMMDD-HHMMSS`; the result directory adds -2, -3, ... if the name is
/// taken when the run is committed ([`Existing::NextFreeName`]), so a default never
/// collides with, and so never overwrites, other results.
fn default_out(s: &Scenario) -> PathBuf {
    let stem = Path::new(&s.file).file_stem().map(|x| x.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
    PathBuf::from("results").join(format!("{stem}-{}", chrono::Local::now().format("%Y%m%d-%H%M%S")))
}

/// Writes every table and document of a finished run into `dir`.
pub(crate) fn write_results(dir: &ResultDir, sim: &dyn Simulation, scenario: &Scenario, format: Format) -> Result<(), CliError> {
    let mut tables = vec![("metrics".to_string(), sim.metrics())];
    tables.extend(sim.tables());
    perelom_output::write_run(dir, &tables, &sim.documents(), &scenario.to_toml(), format)?;
    Ok(())
}

/// The run manifest: everything needed to reproduce the run and to judge its numbers
/// (`perelom_experiments::run::manifest`, with the commit this binary was built from).
pub(crate) fn manifest(
    s: &Scenario,
    threads: usize,
    started: chrono::DateTime<chrono::Utc>,
    wall: Duration,
    format: Format,
    warnings: Vec<String>,
) -> RunManifest {
    perelom_experiments::run::manifest(s, threads, started, wall, format, warnings, option_env!("PERELOM_GIT_COMMIT"))
}
