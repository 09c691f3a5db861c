//! `perelom ablate`: the baseline ensemble with each mechanism group switched off in turn.

use crate::cli::AblateArgs;
use crate::commands::validate::ensemble_targets;
use crate::commands::{ensemble_seeds, existing, out_error, set_scale, targets_of, thread_pool};
use crate::error::CliError;
use perelom_engine::stats::mean;
use perelom_engine::{ColumnData, Table};
use perelom_output::{write_csv, ResultDir};
use perelom_scenario::{Kind, Value};
use std::process::ExitCode;

pub fn ablate(args: AblateArgs) -> Result<ExitCode, CliError> {
    let mut scenario = perelom_experiments::source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    let targets = targets_of(&scenario, "ablate against")?;
    if let Some(scale) = args.scale.scale {
        set_scale(&mut scenario, scale)?;
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
    let mut varied: Vec<(String, String, f64)> = Vec::new();
    for key in &args.vary {
        let Some(p) = scenario.get(key) else {
            return Err(CliError::Message(format!("--vary: `{key}` is not a parameter of model \"{}\"", scenario.meta.model)));
        };
        let Value::Float(x) = p.value else {
            return Err(CliError::Message(format!("--vary: `{key}` is {}, not a number with a decimal point", p.value)));
        };
        for f in [1.0 - args.by, 1.0 + args.by] {
            let mut s = scenario.clone();
            s.set_value(key, Value::Float(x * f), "--vary")
                .map_err(|e| CliError::Message(format!("--vary {key}: {:+.0} % is outside its range: {e}", (f - 1.0) * 100.0)))?;
            varied.push((format!("{key} {:+.0}%", (f - 1.0) * 100.0), key.clone(), x * f));
        }
    }
    if switches.is_empty() && varied.is_empty() {
        return Err(CliError::Message(format!("scenario {} has no mechanism switched on to ablate", scenario.file)));
    }
    let dir = match &args.out {
        Some(p) => Some(ResultDir::create(p, "ablation", existing(args.force)).map_err(out_error)?),
        None => None,
    };
    let pool = thread_pool(args.threads.threads)?;
    let seeds = ensemble_seeds(&scenario, args.runs, "--runs")?;
    let defs = (targets.list)();
    let mut variants: Vec<(String, Vec<Vec<f64>>)> = Vec::new();
    let started = std::time::Instant::now();
    let run = |s: &perelom_scenario::Scenario| -> Result<Vec<Vec<f64>>, CliError> {
        Ok(ensemble_targets(s, targets, &seeds, &pool, None, &|_, _| Ok(()))?
            .into_iter()
            .map(|(t, _)| t.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            .collect())
    };
    variants.push(("baseline".to_string(), run(&scenario)?));
    let plan: Vec<(String, String, Value, &str)> = if varied.is_empty() {
        switches
            .iter()
            .map(|(key, _)| (format!("without {}", key.trim_start_matches("mechanism.")), key.clone(), Value::Bool(false), "ablation"))
            .collect()
    } else {
        varied.iter().map(|(name, key, x)| (name.clone(), key.clone(), Value::Float(*x), "--vary")).collect()
    };
    for (name, key, value, by) in &plan {
        let mut s = scenario.clone();
        s.set_value(key, value.clone(), by)?;
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
