//! `perelom ablate`: the baseline ensemble with each mechanism group switched off in turn.

use crate::cli::AblateArgs;
use crate::commands::validate::ensemble_targets;
use crate::commands::{existing, out_error, thread_pool};
use crate::error::CliError;
use crate::scenario_source;
use perelom_engine::stats::mean;
use perelom_engine::{ColumnData, Table};
use perelom_models::ussr::targets::targets;
use perelom_output::{write_csv, ResultDir};
use perelom_scenario::{Kind, Value};
use std::process::ExitCode;

pub fn ablate(args: AblateArgs) -> Result<ExitCode, CliError> {
    let scenario = scenario_source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    if scenario.meta.model != perelom_models::ussr::MODEL {
        return Err(CliError::Message(format!(
            "scenario {} uses model \"{}\", which has no historical targets to ablate against\n  help: e.g. `perelom ablate ussr-1928-1929`",
            scenario.file, scenario.meta.model
        )));
    }
    // The switches: every boolean parameter of the group `mechanism`, on in this scenario.
    let switches: Vec<(String, &'static str)> = scenario
        .params
        .iter()
        .filter(|p| p.spec.group() == "mechanism" && p.spec.kind == Kind::Bool && p.value == Value::Bool(true))
        .map(|p| (p.spec.key.to_string(), p.spec.doc))
        .collect();
    // Robustness instead of ablation: each --vary key at (1 ± by) × its value, checked
    // before any run.
    let mut varied: Vec<(String, String)> = Vec::new();
    for key in &args.vary {
        let Some(p) = scenario.get(key) else {
            return Err(CliError::Message(format!("--vary: `{key}` is not a parameter of model \"{}\"", scenario.meta.model)));
        };
        let Value::Float(x) = p.value else {
            return Err(CliError::Message(format!("--vary: `{key}` is {}, not a number with a decimal point", p.value)));
        };
        for f in [1.0 - args.by, 1.0 + args.by] {
            let mut s = scenario.clone();
            let assignment = format!("{key}={:?}", x * f);
            s.set(&assignment)
                .map_err(|e| CliError::Message(format!("--vary {key}: {:+.0} % is outside its range: {e}", (f - 1.0) * 100.0)))?;
            varied.push((format!("{key} {:+.0}%", (f - 1.0) * 100.0), assignment));
        }
    }
    if switches.is_empty() && varied.is_empty() {
        return Err(CliError::Message(format!("scenario {} has no mechanism switched on to ablate", scenario.file)));
    }
    let dir = match &args.out {
        Some(p) => Some(ResultDir::create(p, "ablation", existing(args.force)).map_err(out_error)?),
        None => None,
    };
    let pool = thread_pool(args.threads)?;
    let base_seed = scenario.int("run.seed") as u64;
    let seeds: Vec<u64> = (0..u64::from(args.runs)).map(|i| base_seed.saturating_add(i)).collect();
    let full = scenario.int("population.full_scale") as f64;
    let defs = targets();
    let mut variants: Vec<(String, Vec<Vec<f64>>)> = Vec::new();
    let started = std::time::Instant::now();
    let run = |s: &perelom_scenario::Scenario| -> Result<Vec<Vec<f64>>, CliError> {
        Ok(ensemble_targets(s, &seeds, &pool, full, None, &|_, _| Ok(()))?
            .into_iter()
            .map(|(t, _)| t.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            .collect())
    };
    variants.push(("baseline".to_string(), run(&scenario)?));
    let plan: Vec<(String, String)> = if varied.is_empty() {
        switches.iter().map(|(key, _)| (format!("without {}", key.trim_start_matches("mechanism.")), format!("{key}=false"))).collect()
    } else {
        varied.clone()
    };
    for (name, assignment) in &plan {
        let mut s = scenario.clone();
        s.set(assignment)?;
        variants.push((name.clone(), run(&s)?));
        eprintln!("  {name} done ({:.0} s)", started.elapsed().as_secs_f64());
    }
    // Per variant and target: ensemble mean (over runs where it is measurable) and the
    // share of single runs that hit.
    let summary = |runs: &[Vec<f64>], i: usize| -> (f64, f64) {
        let xs: Vec<f64> = runs.iter().map(|r| r[i]).filter(|x| !x.is_nan()).collect();
        let m = if xs.is_empty() { f64::NAN } else { mean(&xs) };
        (m, runs.iter().filter(|r| defs[i].hit(r[i])).count() as f64 / runs.len().max(1) as f64)
    };
    outln!(
        "{}: {}, {} runs per variant (seeds {}..), {:.0} s\n",
        scenario.meta.name,
        if varied.is_empty() { "ablation" } else { "one-at-a-time robustness" },
        seeds.len(),
        seeds[0],
        started.elapsed().as_secs_f64()
    );
    outln!("Each cell: ensemble mean, then the share of single runs hitting the target; * marks a hit rate that moved by 30 points or more from the baseline.\n");
    // Each column as wide as its variant's name (never cut: "KEY -20%" and "KEY +20%"
    // must stay apart), and at least as wide as its cells.
    let widths: Vec<usize> = variants.iter().map(|(name, _)| name.chars().count().max(22)).collect();
    let mut header = format!("{:<5}", "id");
    for ((name, _), w) in variants.iter().zip(&widths) {
        header.push_str(&format!(" | {name:>w$}"));
    }
    outln!("{header}");
    let mut table = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, t) in defs.iter().enumerate() {
        let (_, base_rate) = summary(&variants[0].1, i);
        let mut line = format!("{:<5}", t.id);
        for ((name, runs), w) in variants.iter().zip(&widths) {
            let (m, rate) = summary(runs, i);
            let moved = (rate - base_rate).abs() >= 0.3;
            let cell = format!("{:>12.3} {:>7.0}%{}", m, 100.0 * rate, if moved { "*" } else { " " });
            line.push_str(&format!(" | {cell:>w$}"));
            table.0.push(name.clone());
            table.1.push(t.id.to_string());
            table.2.push(m);
            table.3.push(rate);
            table.4.push(if moved { "moved" } else { "" }.to_string());
        }
        outln!("{line}");
    }
    if varied.is_empty() {
        outln!("\nSwitches:");
        for (key, doc) in &switches {
            outln!("  {key}: {doc}");
        }
    }
    if let Some(dir) = dir {
        let mut t = Table::new();
        t.push("variant", ColumnData::Str(table.0));
        t.push("target", ColumnData::Str(table.1));
        t.push("mean", ColumnData::F64(table.2));
        t.push("single_run_hit_rate", ColumnData::F64(table.3));
        t.push("moved", ColumnData::Str(table.4));
        dir.write_file("ablation.csv", |w| write_csv(&t, w))?;
        let p = dir.commit()?;
        outln!("written: {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
