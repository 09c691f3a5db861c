use crate::cli::RunArgs;
use crate::commands::{existing, out_error, print_table, set_scale, thread_pool, warn};
use crate::error::CliError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use perelom_models::Simulation;
use perelom_output::{Existing, Format, ResultDir, RunManifest};
use perelom_scenario::{Scenario, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn run(args: RunArgs) -> Result<ExitCode, CliError> {
    // A run continued from a state starts from the state's own scenario; --set branches it.
    let checkpoint = match &args.from_state {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))?;
            Some(perelom_models::checkpoint::read(&path.display().to_string(), &bytes).map_err(CliError::Message)?)
        }
        None => None,
    };
    let mut scenario = match &checkpoint {
        Some(cp) => {
            let mut s = cp.scenario.clone();
            for a in &args.scenario.sets {
                s.set(a)?;
            }
            s
        }
        None => perelom_experiments::source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?,
    };
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
    crate::commands::check_memory(&scenario, 1)?;
    let from_step = checkpoint.as_ref().map_or(0, |cp| cp.header.step);
    let saves = save_points(&args.save_state_at, &scenario, from_step)?;
    // A branch is checked against the state before any output is claimed.
    let resumed = match &checkpoint {
        Some(cp) => Some(cp.resume(&scenario).map_err(|e| CliError::Message(format!("--from-state: {e}")))?),
        None => None,
    };
    // Warnings once the run is known to go ahead, not before an error.
    let warnings = warn(&scenario);
    // A default name is never taken from another run, even one started at the same
    // second: it gets -2, -3, ... when the results are committed.
    let (out, mode) = match &args.out {
        Some(p) => (p.clone(), existing(args.force)),
        None => (default_out(&scenario), Existing::NextFreeName),
    };
    // The state a run continues from is never inside the directory it replaces.
    if let (Some(state), Some(o)) = (&args.from_state, &args.out) {
        if let (Ok(st), Ok(od)) = (state.canonicalize(), o.canonicalize()) {
            if st.starts_with(&od) {
                return Err(CliError::Message(format!(
                    "--out {} holds the state this run continues from ({})\n  help: choose another --out",
                    o.display(),
                    state.display()
                )));
            }
        }
    }
    // Prepare the output directory before running, so a long run is never wasted on a
    // directory that cannot be written.
    let dir = ResultDir::create(&out, "run", mode).map_err(out_error)?;
    let pool = thread_pool(args.threads.threads)?;
    let threads = pool.current_num_threads();

    let started = chrono::Utc::now();
    let clock = Instant::now();
    let mut saved: Vec<String> = Vec::new();
    let sim = pool.install(|| -> Result<Box<dyn Simulation>, CliError> {
        let mut sim = match resumed {
            Some(sim) => sim,
            None => perelom_models::build(&scenario)?,
        };
        let steps = sim.clock().steps;
        let bar = ProgressBar::with_draw_target(Some(u64::from(steps)), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} steps, eta {eta}").map_err(|e| e.to_string())?,
        );
        let mut shown = args.quiet;
        loop {
            let k = sim.steps_done();
            if let Some((_, label)) = saves.iter().find(|(at, _)| *at == k) {
                let bytes = perelom_models::checkpoint::save(sim.as_ref(), &scenario).map_err(CliError::Message)?;
                let file = format!("state-{label}.{}", perelom_models::checkpoint::EXTENSION);
                dir.write_file(&file, |w| w.write_all(&bytes))?;
                saved.push(file);
            }
            if k >= steps {
                break;
            }
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
    let mut m = manifest(&scenario, threads, started, wall, format, warnings).to_json();
    if !saved.is_empty() {
        m["states_saved"] = serde_json::json!(saved);
    }
    if let (Some(cp), Some(path)) = (&checkpoint, &args.from_state) {
        // Where the run branched, and what the branch changed from the state's scenario.
        let changed: Vec<serde_json::Value> = scenario
            .params
            .iter()
            .filter(|p| cp.scenario.get(p.spec.key).map(|q| &q.value) != Some(&p.value))
            .map(|p| {
                serde_json::json!({
                    "key": p.spec.key,
                    "value": p.value.to_string(),
                    "before": cp.scenario.get(p.spec.key).map(|q| q.value.to_string()),
                    "set_in": p.origin.describe(&scenario.file),
                })
            })
            .collect();
        m["branched_from"] = serde_json::json!({
            "state": path.display().to_string(),
            "step": cp.header.step,
            "date": cp.header.date,
            "scenario_digest": cp.header.scenario_digest,
            "changes_at_branch": changed,
        });
    }
    perelom_output::write_manifest(&dir, &m)?;
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

/// The steps at whose start `--save-state-at` saves the state, with the label of each
/// file (the date, or the step for models without dates), checked before the run.
fn save_points(whens: &[String], s: &Scenario, from_step: u32) -> Result<Vec<(u32, String)>, CliError> {
    let clock = perelom_models::model_of(s)?.clock(s);
    let mut out: Vec<(u32, String)> = Vec::new();
    for w in whens {
        let (step, label) = if let Ok(d) = chrono::NaiveDate::parse_from_str(w, "%Y-%m-%d") {
            let first = clock.date(0);
            let last = clock.date(clock.steps);
            // The day after the last step is the end of the run: a state saved there
            // holds the whole run.
            let at_end = (clock.date(clock.steps) == Some(d)).then_some(clock.steps);
            match clock.step_of(d).or(at_end) {
                Some(k) if clock.date(k) != Some(d) => {
                    return Err(CliError::Message(format!(
                        "--save-state-at {w}: not the first day of a step (the run's steps begin on {})\n  help: {}",
                        perelom_models::registry::week_start_names(&clock),
                        perelom_models::registry::step_starts_around(&clock, k)
                    )));
                }
                Some(k) => (k, w.clone()),
                None => {
                    let range = match (first, last) {
                        (Some(a), Some(b)) => format!("from {a} to {b}"),
                        _ => "a step number: this model has no dates".to_string(),
                    };
                    return Err(CliError::Message(format!("--save-state-at {w}: outside the run\n  help: give a date {range}")));
                }
            }
        } else if let Ok(k) = w.parse::<u32>() {
            if k > clock.steps {
                return Err(CliError::Message(format!(
                    "--save-state-at {w}: the run has {} steps\n  help: give a step from 0 to {}",
                    clock.steps, clock.steps
                )));
            }
            (k, clock.date(k).map_or(format!("step-{k}"), |x| x.to_string()))
        } else {
            return Err(CliError::Message(format!("--save-state-at {w}: not a date (YYYY-MM-DD) or a step number")));
        };
        if step < from_step {
            return Err(CliError::Message(format!(
                "--save-state-at {w}: the run continues from step {from_step}, after that date\n  help: save states after the state's own date"
            )));
        }
        if !out.iter().any(|(k, _)| *k == step) {
            out.push((step, label));
        }
    }
    Ok(out)
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
    let tables = perelom_experiments::run::tables(sim);
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
