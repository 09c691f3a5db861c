use crate::cli::RunArgs;
use crate::commands::{existing, out_error, print_table, thread_pool, warn};
use crate::error::CliError;
use crate::scenario_source;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use perelom_models::Simulation;
use perelom_output::{write_csv, write_parquet, Existing, Format, ResultDir};
use perelom_scenario::Scenario;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn run(args: RunArgs) -> Result<ExitCode, CliError> {
    let mut scenario = scenario_source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    if let Some(seed) = args.seed {
        scenario.set_from("--seed", &format!("run.seed={seed}"))?;
    }
    if let Some(steps) = args.steps {
        scenario.set_from("--steps", &format!("run.steps={steps}"))?;
    }
    if let Some(scale) = args.scale {
        if scenario.get("population.scale").is_none() {
            return Err(CliError::Message(format!(
                "--scale: model \"{}\" has no population to scale\n  help: --scale applies to the 1928-1929 model (ussr-1928-1929)",
                scenario.meta.model
            )));
        }
        scenario.set_from("--scale", &format!("population.scale={scale:?}"))?;
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
    let pool = thread_pool(args.threads)?;
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
    dir.write_file("manifest.json", |w| {
        let mut m = manifest(&scenario, threads, started, wall, format);
        m["warnings"] = serde_json::json!(warnings);
        serde_json::to_writer_pretty(&mut *w, &m)?;
        w.write_all(b"\n")
    })?;
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
    for (name, table) in &tables {
        let file = format!("{name}.{}", format.extension());
        match format {
            Format::Csv => dir.write_file(&file, |w| write_csv(table, w))?,
            Format::Parquet => dir.write_file(&file, |w| write_parquet(table, w))?,
        }
    }
    for (name, text) in sim.documents() {
        dir.write_file(&name, |w| w.write_all(text.as_bytes()))?;
    }
    // What every column of every table means, unit and kind (also in Parquet metadata).
    let named: Vec<(&str, &perelom_engine::Table)> = tables.iter().map(|(n, t)| (n.as_str(), t)).collect();
    dir.write_file("dictionary.csv", |w| write_csv(&perelom_output::dictionary(&named), w))?;
    dir.write_file("scenario.toml", |w| w.write_all(scenario.to_toml().as_bytes()))?;
    Ok(())
}

/// The run manifest: everything needed to reproduce the run and to judge its numbers.
pub(crate) fn manifest(
    s: &Scenario,
    threads: usize,
    started: chrono::DateTime<chrono::Utc>,
    wall: Duration,
    format: Format,
) -> serde_json::Value {
    let params: Vec<serde_json::Value> = s.params.iter().map(|p| crate::provenance::param_json(s, p)).collect();
    serde_json::json!({
        "perelom_version": env!("CARGO_PKG_VERSION"),
        "git_commit": option_env!("PERELOM_GIT_COMMIT").filter(|c| !c.is_empty()),
        "scenario": { "file": s.file, "model": s.meta.model, "name": s.meta.name, "description": s.meta.description },
        "seed": s.int("run.seed"),
        "steps": s.int("run.steps"),
        "started_at": started.to_rfc3339(),
        "wall_seconds": wall.as_secs_f64(),
        "threads": threads,
        "format": format.extension(),
        "parameters": params,
        "changes": crate::provenance::changes_json(s),
    })
}
