//! `perelom sweep`: parameter sweeps that use every core and survive interruption.
//!
//! Each run of the design writes its own Parquet file under `OUT/runs/`, atomically, so
//! after any interruption (even `kill -9`) the finished runs are exactly the files
//! present. `--resume` checks that the design is unchanged and runs only the missing
//! ones; the final `sweep.parquet` is then identical to an uninterrupted sweep's.

use crate::cli::SweepArgs;
use crate::commands::thread_pool;
use crate::error::CliError;
use crate::scenario_source;
use perelom_engine::{ColumnData, Table};
use perelom_output::{concat_parquet, write_atomic, write_csv, write_parquet};
use perelom_scenario::{Kind, Scenario};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The design file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DesignFile {
    sweep: SweepSection,
    parameters: BTreeMap<String, Factor>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepSection {
    /// Base scenario: a built-in name or a file (relative to the design file).
    base: String,
    #[serde(default = "one")]
    replicates: u32,
    /// Seed of the first replicate; replicate r uses seed + r at every point (common
    /// random numbers across points).
    #[serde(default = "one_u64")]
    seed: u64,
    /// grid, latin-hypercube, sobol, saltelli or morris.
    #[serde(default = "grid")]
    design: String,
    /// Points for sampled designs (N for saltelli, trajectories for morris).
    #[serde(default)]
    points: Option<u32>,
    /// Weekly metrics to keep (default: all).
    #[serde(default)]
    metrics: Option<Vec<String>>,
    /// Overrides of the base scenario, as with `--set`.
    #[serde(default)]
    set: Vec<String>,
}

fn one() -> u32 {
    1
}
fn one_u64() -> u64 {
    1
}
fn grid() -> String {
    "grid".into()
}

/// A varied parameter: a list of values, or bounds (with a number of grid steps).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Factor {
    #[serde(default)]
    values: Option<Vec<f64>>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    steps: Option<u32>,
}

/// A resolved design: parameter names and one row of values per point.
pub(crate) struct Design {
    pub names: Vec<String>,
    pub integer: Vec<bool>,
    pub points: Vec<Vec<f64>>,
    pub replicates: u32,
    pub seed: u64,
    pub metrics: Option<Vec<String>>,
    pub base: Scenario,
    /// Identity of the design and base scenario, to refuse resuming a changed sweep.
    pub fingerprint: String,
    pub kind: String,
    /// The structure sensitivity analysis needs (Saltelli blocks, Morris trajectories).
    pub structure: Structure,
}

/// How a sampled design's points are organized.
pub(crate) enum Structure {
    Plain,
    Saltelli(perelom_analysis::SaltelliDesign),
    Morris(perelom_analysis::MorrisDesign),
}

fn design_error(file: &str, e: toml::de::Error, text: &str) -> CliError {
    let pos = e.span().map(|s| {
        let before = &text[..s.start.min(text.len())];
        (before.matches('\n').count() + 1, before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1)
    });
    match pos {
        Some((l, c)) => CliError::Message(format!("{file}:{l}:{c}: {}", e.message().trim())),
        None => CliError::Message(format!("{file}: {}", e.message().trim())),
    }
}

/// Reads and checks a design file against its base scenario's schema.
pub(crate) fn load_design(path: &Path) -> Result<Design, CliError> {
    let file = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read design file {file}: {e}"))?;
    let d: DesignFile = toml::from_str(&text).map_err(|e| design_error(&file, e, &text))?;
    let base_path = path.parent().unwrap_or(Path::new(".")).join(&d.sweep.base);
    let base_arg = if perelom_models::builtin(&d.sweep.base).is_some() || !base_path.exists() {
        d.sweep.base.clone()
    } else {
        base_path.display().to_string()
    };
    let base = scenario_source::load_by(Some(&base_arg), &d.sweep.set, &format!("{file} [sweep] set"))?;
    if d.parameters.is_empty() {
        return Err(CliError::Message(format!("{file}: [parameters] is empty\n  help: name at least one parameter to vary, e.g. \"bl.legality\" = {{ min = 0.1, max = 0.9, steps = 5 }}")));
    }
    let mut names = Vec::new();
    let mut integer = Vec::new();
    let mut levels: Vec<Vec<f64>> = Vec::new();
    let mut bounds: Vec<(f64, f64)> = Vec::new();
    for (key, f) in &d.parameters {
        let Some(p) = base.get(key) else {
            let mut probe = base.clone();
            let e = probe.set(&format!("{key}=0")).err().map(|e| e.help.unwrap_or_default()).unwrap_or_default();
            return Err(CliError::Message(format!("{file}: unknown parameter `{key}` in [parameters]\n  help: {e}")));
        };
        let (lo_ok, hi_ok, is_int) = match p.spec.kind {
            Kind::Float { min, max } => (min, max, false),
            Kind::Int { min, max } => (min as f64, max as f64, true),
            _ => {
                return Err(CliError::Message(format!(
                    "{file}: `{key}` is {}, which a sweep cannot vary\n  help: sweeps vary numbers; give other kinds fixed values with set = [\"{key}=...\"]",
                    p.spec.kind.type_name()
                )))
            }
        };
        let check = |v: f64| {
            if v < lo_ok || v > hi_ok || !v.is_finite() {
                Err(CliError::Message(format!("{file}: value {v} for `{key}` is out of range\n  help: valid: {}", p.spec.kind.describe())))
            } else {
                Ok(v)
            }
        };
        let (vals, bound) = match (f.values.as_ref(), f.min, f.max) {
            (Some(v), None, None) if !v.is_empty() => {
                let v: Vec<f64> = v.iter().map(|&x| check(x)).collect::<Result<_, _>>()?;
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (v, (lo, hi))
            }
            (None, Some(lo), Some(hi)) if lo <= hi => {
                let (lo, hi) = (check(lo)?, check(hi)?);
                let steps = f.steps.unwrap_or(2).max(1);
                let v = if steps == 1 { vec![lo] } else { (0..steps).map(|i| lo + (hi - lo) * f64::from(i) / f64::from(steps - 1)).collect() };
                (v, (lo, hi))
            }
            _ => {
                return Err(CliError::Message(format!(
                    "{file}: `{key}` needs either values = [...] or min and max (min <= max)\n  help: \"{key}\" = {{ values = [0.2, 0.5] }} or {{ min = 0.2, max = 0.8, steps = 4 }}"
                )))
            }
        };
        names.push(key.clone());
        integer.push(is_int);
        levels.push(vals);
        bounds.push(bound);
    }
    let kind = d.sweep.design.clone();
    let (points, structure) = match kind.as_str() {
        "grid" => (cartesian(&levels), Structure::Plain),
        other => sampled_points(other, &names, &integer, &bounds, d.sweep.points, d.sweep.seed)
            .map_err(|e| CliError::Message(format!("{file}: {e}")))?,
    };
    if d.sweep.replicates == 0 {
        return Err(CliError::Message(format!("{file}: replicates must be at least 1")));
    }
    let fingerprint = format!("{:016x}", perelom_engine::rng::purpose_hash(&format!("{text}\n{}", base.to_toml())));
    Ok(Design {
        names,
        integer,
        points,
        replicates: d.sweep.replicates,
        seed: d.sweep.seed,
        metrics: d.sweep.metrics,
        base,
        fingerprint,
        kind,
        structure,
    })
}

fn cartesian(levels: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new()];
    for l in levels {
        out = out.into_iter().flat_map(|p| l.iter().map(move |&v| [p.clone(), vec![v]].concat())).collect();
    }
    out
}

/// Points of a sampled design within the factors' bounds (perelom-analysis): Latin
/// hypercube (McKay et al. 1979), Sobol' points, Saltelli's A/B/AB_i matrices (2010) or
/// Morris trajectories (1991, four levels).
fn sampled_points(
    kind: &str,
    names: &[String],
    integer: &[bool],
    bounds: &[(f64, f64)],
    n: Option<u32>,
    seed: u64,
) -> Result<(Vec<Vec<f64>>, Structure), String> {
    use perelom_analysis::design::{latin_hypercube, morris, saltelli, sobol_points};
    use perelom_analysis::Factor;
    let n = n.ok_or_else(|| {
        format!("design \"{kind}\" needs `points` in [sweep] (the number of points, N for saltelli, trajectories for morris)")
    })? as usize;
    let factors: Vec<Factor> = names
        .iter()
        .zip(integer)
        .zip(bounds)
        .map(|((name, &int), &(lo, hi))| if int { Factor::integer(name.as_str(), lo, hi) } else { Factor::new(name.as_str(), lo, hi) })
        .collect::<Result<_, _>>()?;
    let mut rng = perelom_engine::Streams::new(seed).stream("sweep.design", 0, 0);
    Ok(match kind {
        "latin-hypercube" => (latin_hypercube(&factors, n, &mut rng)?.points, Structure::Plain),
        "sobol" => (sobol_points(&factors, n, 0)?.points, Structure::Plain),
        "saltelli" => {
            let d = saltelli(&factors, n)?;
            (d.design.points.clone(), Structure::Saltelli(d))
        }
        "morris" => {
            let d = morris(&factors, n, 4, &mut rng)?;
            (d.design.points.clone(), Structure::Morris(d))
        }
        other => return Err(format!("unknown design \"{other}\"; valid: grid, latin-hypercube, sobol, saltelli, morris")),
    })
}

/// One run of the sweep.
struct RunSpec {
    id: usize,
    point: usize,
    replicate: u32,
    seed: u64,
}

fn run_file(out: &Path, id: usize) -> PathBuf {
    out.join("runs").join(format!("run-{id:06}.parquet"))
}

fn value_text(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:?}")
    }
}

/// The scenario of one run: the base with the point's values and the run's seed.
fn scenario_of(d: &Design, r: &RunSpec) -> Result<Scenario, CliError> {
    let mut s = d.base.clone();
    for (k, (name, &int)) in d.names.iter().zip(&d.integer).enumerate() {
        s.set_by(&format!("{name}={}", value_text(d.points[r.point][k], int)), &format!("sweep design point {}", r.point))?;
    }
    s.set_by(&format!("run.seed={}", r.seed), "sweep replicate seed")?;
    Ok(s)
}

/// Runs the simulation and returns its tidy rows.
fn simulate(d: &Design, r: &RunSpec) -> Result<Table, CliError> {
    let s = scenario_of(d, r)?;
    let mut sim = perelom_models::build(&s)?;
    sim.run_to_end();
    let m = sim.metrics();
    let n = m.rows();
    let mut t = Table::new();
    t.push("run", ColumnData::I64(vec![r.id as i64; n]));
    t.push("point", ColumnData::I64(vec![r.point as i64; n]));
    t.push("replicate", ColumnData::I64(vec![i64::from(r.replicate); n]));
    t.push("seed", ColumnData::I64(vec![r.seed as i64; n]));
    for (k, name) in d.names.iter().enumerate() {
        t.push(name.clone(), ColumnData::F64(vec![d.points[r.point][k]; n]));
    }
    for c in &m.columns {
        let keep = matches!(c.name.as_str(), "step" | "date") || d.metrics.as_ref().is_none_or(|m| m.iter().any(|x| x == &c.name));
        if keep {
            t.push(c.name.clone(), c.data.clone());
        }
    }
    Ok(t)
}

pub fn run(args: SweepArgs) -> Result<ExitCode, CliError> {
    run_sweep(&args).map(|_| ExitCode::SUCCESS)
}

/// Runs (or resumes) a sweep and returns its design and output directory.
pub(crate) fn run_sweep(args: &SweepArgs) -> Result<(Design, PathBuf), CliError> {
    let d = load_design(&args.design)?;
    if let Some(m) = &d.metrics {
        let probe = perelom_models::build(&d.base)?.metrics();
        if let Some(bad) = m.iter().find(|x| probe.column(x).is_none()) {
            let names: Vec<&str> = probe.columns.iter().map(|c| c.name.as_str()).filter(|n| *n != "step" && *n != "date").collect();
            return Err(CliError::Message(format!(
                "{}: unknown metric `{bad}`\n  help: metrics of this model: {}",
                args.design.display(),
                names.join(", ")
            )));
        }
    }
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(args.design.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "sweep".into()))
    });
    let state = out.join("sweep.json");
    if out.exists() {
        if args.force && !args.resume {
            fs::remove_dir_all(&out).map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
        } else if !args.resume {
            return Err(CliError::Message(format!(
                "output directory {} already exists\n  help: pass --resume to continue that sweep, --force to start it over, or choose another --out",
                out.display()
            )));
        } else {
            let text =
                fs::read_to_string(&state).map_err(|e| format!("{} is not a sweep directory ({}: {e})", out.display(), state.display()))?;
            let j: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", state.display()))?;
            if j["fingerprint"].as_str() != Some(&d.fingerprint) {
                return Err(CliError::Message(format!(
                    "the design or its base scenario changed since the sweep in {} began\n  help: resume with the same design, or start over with --force",
                    out.display()
                )));
            }
        }
    }
    fs::create_dir_all(out.join("runs")).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    // Files a killed sweep was still writing: never renamed into place, so not results.
    if let Ok(entries) = fs::read_dir(out.join("runs")) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with('.') {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    let io = |e: std::io::Error| CliError::Message(format!("cannot write in {}: {e}", out.display()));
    let runs: Vec<RunSpec> = (0..d.points.len())
        .flat_map(|p| (0..d.replicates).map(move |r| (p, r)))
        .enumerate()
        .map(|(id, (point, replicate))| RunSpec { id, point, replicate, seed: d.seed + u64::from(replicate) })
        .collect();
    let write_state = |complete: bool| {
        write_atomic(&state, |w| {
            let j = serde_json::json!({
                "fingerprint": d.fingerprint, "design": args.design.display().to_string(), "kind": d.kind,
                "parameters": d.names, "points": d.points.len(), "replicates": d.replicates, "runs": runs.len(),
                "complete": complete, "perelom_version": env!("CARGO_PKG_VERSION"),
                "base_changes": crate::provenance::changes_json(&d.base),
                "varied": d.names.iter().map(|k| serde_json::json!({
                    "key": k, "citation": "uncited", "set_in": "sweep design point (see catalogue.csv)",
                })).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut *w, &j)?;
            w.write_all(b"\n")
        })
    };
    write_state(false).map_err(io)?;
    let pending: Vec<&RunSpec> = runs.iter().filter(|r| !run_file(&out, r.id).exists()).collect();
    if !args.quiet {
        outln!(
            "{}: {} points x {} replicates = {} runs; {} to do",
            args.design.display(),
            d.points.len(),
            d.replicates,
            runs.len(),
            pending.len()
        );
    }
    let pool = thread_pool(args.threads)?;
    let bar = indicatif::ProgressBar::new(pending.len() as u64);
    if args.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    let started = std::time::Instant::now();
    let results: Vec<Result<(), CliError>> = pool.install(|| {
        use rayon::prelude::*;
        pending
            .par_iter()
            .map(|r| {
                let t = simulate(&d, r)?;
                write_atomic(&run_file(&out, r.id), |w| write_parquet(&t, w)).map_err(io)?;
                bar.inc(1);
                Ok(())
            })
            .collect()
    });
    bar.finish_and_clear();
    results.into_iter().collect::<Result<Vec<()>, CliError>>()?;

    let files: Vec<PathBuf> = runs.iter().map(|r| run_file(&out, r.id)).collect();
    write_atomic(&out.join("sweep.parquet"), |w| concat_parquet(&files, w)).map_err(io)?;
    let mut cat = Table::new();
    cat.push("run", ColumnData::I64(runs.iter().map(|r| r.id as i64).collect()));
    cat.push("point", ColumnData::I64(runs.iter().map(|r| r.point as i64).collect()));
    cat.push("replicate", ColumnData::I64(runs.iter().map(|r| i64::from(r.replicate)).collect()));
    cat.push("seed", ColumnData::I64(runs.iter().map(|r| r.seed as i64).collect()));
    for (k, name) in d.names.iter().enumerate() {
        cat.push(name.clone(), ColumnData::F64(runs.iter().map(|r| d.points[r.point][k]).collect()));
    }
    cat.push("file", ColumnData::Str(runs.iter().map(|r| format!("runs/run-{:06}.parquet", r.id)).collect()));
    write_atomic(&out.join("catalogue.csv"), |w| write_csv(&cat, w)).map_err(io)?;
    write_state(true).map_err(io)?;
    if !args.quiet {
        outln!("{} runs in {:.1} s; dataset: {}", pending.len(), started.elapsed().as_secs_f64(), out.join("sweep.parquet").display());
    }
    Ok((d, out))
}
