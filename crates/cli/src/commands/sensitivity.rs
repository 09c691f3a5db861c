//! `perelom sensitivity`: Morris screening or Sobol' indices of chosen outputs, from a
//! sweep with a `morris` or `saltelli` design.

use crate::cli::{SensitivityArgs, SweepArgs};
use crate::commands::sweep::{load, run_sweep};
use crate::error::CliError;
use perelom_engine::{ColumnData, Table};
use perelom_experiments::sweep::{model_metrics, point_values, Structure, STATS};
use perelom_output::{read_parquet, write_atomic, write_csv};
use std::process::ExitCode;

/// A scalar output: a metric reduced over the weeks of a run.
struct Output {
    metric: String,
    stat: String,
}

fn parse_output(s: &str) -> Result<Output, CliError> {
    let (metric, stat) = s.split_once(':').unwrap_or((s, "sum"));
    if !STATS.contains(&stat) {
        return Err(CliError::Message(format!(
            "--output {s}: unknown statistic `{stat}`\n  help: METRIC:sum, METRIC:mean, METRIC:final or METRIC:max"
        )));
    }
    Ok(Output { metric: metric.to_string(), stat: stat.to_string() })
}

pub fn run(args: SensitivityArgs) -> Result<ExitCode, CliError> {
    // Everything is checked before the sweep runs: the outputs, the design's kind, and
    // that the sweep keeps every metric asked for.
    let outputs: Vec<Output> = args.outputs.iter().map(|s| parse_output(s)).collect::<Result<_, _>>()?;
    let design = load(&args.design)?;
    if matches!(design.structure, Structure::Plain) {
        return Err(CliError::Message(format!(
            "{}: sensitivity needs design = \"morris\" or \"saltelli\" in [sweep], not \"{}\"\n  help: morris screens many parameters in few runs; saltelli (points a power of two) gives Sobol' indices",
            args.design.display(),
            design.kind
        )));
    }
    let metrics = model_metrics(&design.base)?;
    for o in &outputs {
        if !metrics.contains(&o.metric) {
            return Err(CliError::Message(format!(
                "--output {}:{}: unknown metric `{}`\n  help: metrics of this model: {}",
                o.metric,
                o.stat,
                o.metric,
                metrics.join(", ")
            )));
        }
        if let Some(kept) = design.metrics.as_ref().filter(|kept| !kept.contains(&o.metric)) {
            return Err(CliError::Message(format!(
                "--output {}:{}: the sweep keeps only the metrics {}\n  help: add \"{}\" to metrics in [sweep] of {}",
                o.metric,
                o.stat,
                kept.join(", "),
                o.metric,
                args.design.display()
            )));
        }
    }
    let sweep_args = SweepArgs {
        design: Some(args.design.clone()),
        shard: None,
        join: None,
        sbatch: false,
        output: args.output.clone(),
        threads: args.threads,
        quiet: args.quiet,
    };
    let (design, out) = run_sweep(&sweep_args, design)?;
    let t = read_parquet(&out.join("sweep.parquet")).map_err(|e| format!("cannot read the sweep's dataset: {e}"))?;
    let run = t.numbers("run").unwrap_or_default();
    let n_points = design.points.len();
    let mut rows: Vec<(String, String, f64, f64, f64, f64)> = Vec::new(); // output, factor, a, b, c, d
    for o in &outputs {
        let Some(v) = t.numbers(&o.metric) else {
            return Err(CliError::Message(format!("--output {}: the sweep kept no metric `{}`", o.metric, o.metric)));
        };
        // Reduce each run over its weeks, then average the replicates of each point.
        let y = point_values(&run, &v, &o.stat, n_points, design.replicates);
        let name = format!("{}:{}", o.metric, o.stat);
        match &design.structure {
            Structure::Saltelli(d) => {
                for ix in perelom_analysis::sobol_indices(d, &y).map_err(|e| format!("{name}: {e}"))? {
                    rows.push((name.clone(), ix.name, ix.first, ix.total, ix.first_ci.0, ix.first_ci.1));
                }
            }
            Structure::Morris(d) => {
                for ix in perelom_analysis::morris_indices(d, &y).map_err(|e| format!("{name}: {e}"))? {
                    rows.push((name.clone(), ix.name, ix.mu, ix.mu_star, ix.sigma, f64::NAN));
                }
            }
            Structure::Plain => {}
        }
    }
    let saltelli = matches!(design.structure, Structure::Saltelli(_));
    let heads = if saltelli { ["first-order S1", "total ST", "S1 95 % low", "S1 95 % high"] } else { ["mu", "mu*", "sigma", ""] };
    outln!("\n{:<28} {:<30} {:>14} {:>14} {:>14}", "output", "parameter", heads[0], heads[1], heads[2]);
    for r in &rows {
        outln!("{:<28} {:<30} {:>14.4} {:>14.4} {:>14.4}", r.0, r.1, r.2, r.3, r.4);
    }
    let mut table = Table::new();
    table.push("output", ColumnData::Str(rows.iter().map(|r| r.0.clone()).collect()));
    table.push("parameter", ColumnData::Str(rows.iter().map(|r| r.1.clone()).collect()));
    let cols: &[&str] = if saltelli { &["first_order", "total", "first_order_lo", "first_order_hi"] } else { &["mu", "mu_star", "sigma"] };
    let values: [Vec<f64>; 4] = [
        rows.iter().map(|r| r.2).collect(),
        rows.iter().map(|r| r.3).collect(),
        rows.iter().map(|r| r.4).collect(),
        rows.iter().map(|r| r.5).collect(),
    ];
    for (name, vals) in cols.iter().zip(values) {
        table.push(*name, ColumnData::F64(vals));
    }
    let path = out.join("sensitivity.csv");
    write_atomic(&path, |w| write_csv(&table, w)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    outln!("written: {}", path.display());
    Ok(ExitCode::SUCCESS)
}
