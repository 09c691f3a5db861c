//! One module per subcommand.

mod ablate;
mod calibrate;
mod compare;
mod facts;
mod metrics;
#[cfg(feature = "mpi")]
pub(crate) mod ranks;
mod report;
mod run;
mod scenarios;
mod sensitivity;
mod serve;
mod sources;
mod sweep;
mod validate;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use perelom_output::{Existing, OutputError};
use perelom_scenario::{Kind, Scenario};
use std::process::ExitCode;

/// Most runs of one scenario `validate` and `compare` make (`--runs`): every run's
/// weekly table is kept until the end.
pub(crate) const MAX_RUNS: u32 = 10_000;

pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scenarios => scenarios::list(),
        Command::Sources(args) => sources::print(args),
        Command::Facts(args) => facts::print(args),
        Command::Metrics(args) => metrics::print(args),
        Command::Validate(args) => validate::validate(args),
        Command::Ablate(args) => ablate::ablate(args),
        Command::Compare(args) => compare::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Survey(args) => {
            // The run's Markdown document, as its model's descriptor names it.
            let manifest = perelom_output::read_json(&args.dir.join("manifest.json")).unwrap_or_default();
            let model = manifest["scenario"]["model"].as_str().and_then(perelom_models::model);
            let with: Vec<&str> = perelom_models::models().iter().filter(|m| !m.documents.is_empty()).map(|m| m.example).collect();
            let file = model.and_then(|m| m.documents.iter().find(|d| d.file.ends_with(".md"))).map(|d| d.file);
            let Some(file) = file else {
                return Err(CliError::Message(format!(
                    "{} holds no run whose model writes a survey\n  help: give a directory written by `perelom run` of a scenario such as {}",
                    args.dir.display(),
                    with.join(", ")
                )));
            };
            let path = args.dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CliError::Message(format!(
                    "cannot read {}: {e}\n  help: give a directory written by `perelom run` of a scenario such as {}",
                    path.display(),
                    with.join(", ")
                ))
            })?;
            out!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibrate(args) => calibrate::run(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Report(args) => {
            let p = report::build(&args.dir, args.force)?;
            outln!("report: {}", p.join("index.html").display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve::run(args),
        Command::Template(args) => {
            let s = perelom_experiments::source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
            out!("{}", s.to_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
/// Whether this process is an MPI worker rank (not rank 0): it computes and prints
/// nothing of its own (feature `mpi`; always false without it).
pub(crate) fn is_worker() -> bool {
    #[cfg(feature = "mpi")]
    return ranks::ranks().is_some_and(|(rank, _)| rank != 0);
    #[cfg(not(feature = "mpi"))]
    false
}

/// Builds the rayon pool for `--threads` (all cores by default).
pub(crate) fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool, CliError> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(usize::from(n));
    }
    b.build().map_err(|e| CliError::Message(format!("cannot start worker threads: {e}")))
}

/// Sets the population scale (`--scale`) through the model's scale parameter; a model
/// without one refuses it.
pub(crate) fn set_scale(s: &mut Scenario, scale: f64) -> Result<(), CliError> {
    let Some(key) = perelom_models::model_of(s)?.scale_key else { return Err(no_scale(s)) };
    s.set_value(key, perelom_scenario::Value::Float(scale), "--scale")?;
    Ok(())
}

/// The historical targets of the scenario's model, or an error saying that `verb`
/// (validate, calibrate against, ablate against) needs them, with scenarios that have them.
pub(crate) fn targets_of(s: &Scenario, verb: &str) -> Result<&'static perelom_models::Targets, CliError> {
    perelom_models::model_of(s)?.targets().ok_or_else(|| {
        let with: Vec<&str> = perelom_models::models().iter().filter(|m| m.targets().is_some()).map(|m| m.example).collect();
        CliError::Message(format!(
            "scenario {} uses model \"{}\", which has no historical targets to {verb}\n  help: use a scenario of a model with targets, such as {}",
            s.file,
            s.meta.model,
            with.join(", ")
        ))
    })
}

/// `--scale` given for a model without a population to scale.
pub(crate) fn no_scale(s: &Scenario) -> CliError {
    let with: Vec<&str> = perelom_models::models().iter().filter(|m| m.scale_key.is_some()).map(|m| m.example).collect();
    CliError::Message(format!(
        "--scale: model \"{}\" has no population to scale\n  help: --scale applies to scenarios such as {}",
        s.meta.model,
        with.join(", ")
    ))
}

/// Prints label/value rows as an aligned two-column table.
pub(crate) fn print_table(rows: &[(String, String)]) {
    let w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in rows {
        outln!("  {k:<w$}  {v}");
    }
}

/// Prints a scenario's warnings (dated events outside its run, ...) on standard error and
/// returns them as text, to be recorded with the results. A few are printed one a line
/// with their positions; many (a run cut short misses most of the model's calendar) as
/// one line.
pub(crate) fn warn(s: &Scenario) -> Vec<String> {
    let all = perelom_models::warnings(s);
    // Warnings about something else than a dated event are printed one by one, each with
    // its help; dated events outside the run may be many and are grouped below.
    let (warnings, others): (Vec<_>, Vec<_>) = all.iter().cloned().partition(|w| s.get(&w.key).is_some_and(|p| p.spec.event.is_some()));
    for w in &others {
        eprintln!("warning: {w}");
    }
    if warnings.len() <= 3 {
        for w in &warnings {
            eprintln!("warning: {}", perelom_scenario::ScenarioWarning { help: None, ..w.clone() });
        }
    } else {
        let window = perelom_models::run_window(s);
        let listed = |after: bool| -> Vec<String> {
            s.params
                .iter()
                .filter(|p| warnings.iter().any(|w| w.key == p.spec.key))
                .filter(|p| match (&p.value, window) {
                    (perelom_scenario::Value::Date(d), Some((_, last))) => (*d > last) == after,
                    _ => false,
                })
                .map(|p| format!("{} = {}", p.spec.key, p.value))
                .collect()
        };
        let (after, before) = (listed(true), listed(false));
        let events = |n: usize| if n == 1 { "1 dated event".to_string() } else { format!("{n} dated events") };
        let (first, last) = window.map_or_else(|| ("?".to_string(), "?".to_string()), |(a, b)| (a.to_string(), b.to_string()));
        if !after.is_empty() {
            eprintln!(
                "warning: {} of {} lie{} after the run ends ({last}) and will not happen in it: {}",
                events(after.len()),
                s.file,
                if after.len() == 1 { "s" } else { "" },
                after.join(", ")
            );
        }
        if !before.is_empty() {
            eprintln!(
                "warning: {} of {} lie{} before the run starts ({first}) and have already happened when it begins: {}",
                events(before.len()),
                s.file,
                if before.len() == 1 { "s" } else { "" },
                before.join(", ")
            );
        }
    }
    if let Some(help) = warnings.last().and_then(|w| w.help.as_ref()) {
        eprintln!("  help: {help}");
    }
    all.iter().map(|w| w.to_string()).collect()
}

/// The seeds of an ensemble of `n` runs of `s`: run.seed, run.seed + 1, ..., checked
/// against the valid range of run.seed before any run starts. `flag` names the option
/// that sets `n`.
pub(crate) fn ensemble_seeds(s: &Scenario, n: u32, flag: &str) -> Result<Vec<u64>, CliError> {
    let first = s.int("run.seed");
    let max = match s.get("run.seed").map(|p| &p.spec.kind) {
        Some(Kind::Int { max, .. }) => *max,
        _ => i64::MAX,
    };
    let last = first.checked_add(i64::from(n) - 1).filter(|&l| l <= max);
    let Some(last) = last else {
        return Err(CliError::Message(format!(
            "{flag} {n}: the runs' seeds, run.seed = {first} to run.seed + {}, go beyond the largest seed, {max}\n  help: lower run.seed to at most {}, or make fewer {flag}",
            n - 1,
            max - (i64::from(n) - 1)
        )));
    };
    Ok((first..=last).map(|x| x as u64).collect())
}

/// How an output option treats an existing directory: replaced with `--force` (only a
/// Perelom result of the same kind), refused otherwise.
pub(crate) fn existing(force: bool) -> Existing {
    if force {
        Existing::Replace
    } else {
        Existing::Refuse
    }
}

/// An output error with a hint that names only the calling command's options:
/// `exists` when the directory exists, `not_ours` when it may not be replaced.
pub(crate) fn output_error(e: OutputError, exists: &str, not_ours: &str) -> CliError {
    match e {
        OutputError::Exists(_) => CliError::Message(format!("{e}\n  help: {exists}")),
        OutputError::NotReplaceable { .. } => CliError::Message(format!("{e}\n  help: {not_ours}")),
        other => CliError::Output(other),
    }
}

/// [`output_error`] for commands with `--out` and `--force`.
pub(crate) fn out_error(e: OutputError) -> CliError {
    output_error(
        e,
        "choose another --out, or pass --force to replace it (Perelom replaces only results it wrote)",
        "choose another --out; Perelom never deletes what it did not write",
    )
}

/// `n` and the noun, singular or plural: "1 run", "3 runs".
pub(crate) fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Refuses, before any work, `concurrent` runs of `s` at once that would need more memory
/// than the machine has available (`perelom_experiments::memory`).
pub(crate) fn check_memory(s: &Scenario, concurrent: usize) -> Result<(), CliError> {
    perelom_experiments::memory::check(s, concurrent, "fewer --threads").map_err(CliError::Message)
}

/// How many runs of an ensemble of `runs` go at once with `--threads` (one per thread).
pub(crate) fn concurrent_runs(threads: Option<u16>, runs: usize) -> usize {
    perelom_experiments::memory::concurrent_runs(threads.map(usize::from), runs)
}
