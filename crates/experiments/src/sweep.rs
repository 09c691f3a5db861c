//! Parameter sweeps that use every core and survive interruption.
//!
//! A design ([`load_design`] from a design file, or [`Design::from_points`] from points a
//! sampler made) is checked whole before any run: every point's scenario passes the
//! model's checks. [`run_sweep`] then runs it: each run of the design writes its own
//! Parquet file under `OUT/runs/`, atomically, so after any interruption (even
//! `kill -9`) the finished runs are exactly the files present. Resuming checks that the
//! design is unchanged and runs only the missing ones; the final `sweep.parquet` is then
//! identical to an uninterrupted sweep's.
//!
//! Files of a sweep directory: `sweep.json` (the design's identity and state),
//! `runs/run-NNNNNN.parquet` (one per run), `sweep.parquet` (the tidy dataset: run, point,
//! replicate, seed, the varied parameters, step, date, the metrics) and `catalogue.csv`
//! (one row per run).

use crate::source;
use crate::Error;
use perelom_engine::{ColumnData, Table};
use perelom_output::{
    check_replaceable, concat_parquet_parts, pack_parquet, remove_stale, remove_stale_temp_files, write_atomic, write_csv, write_parquet,
    Marker, ParquetPart,
};
use perelom_scenario::{Kind, Scenario, Value};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Most replicates a design may ask for.
const MAX_REPLICATES: u32 = 10_000;
/// Most levels of one factor (`steps`, or the length of `values`).
const MAX_LEVELS: usize = 10_000;
/// Most points a sampled design may ask for (`points`).
const MAX_SAMPLED_POINTS: u32 = 1_000_000;
/// Most runs of one sweep (points x replicates), checked before any point is generated.
const MAX_SWEEP_RUNS: u64 = 1_000_000;

/// The files a sweep directory holds, for its marker: only these (and a nested report)
/// are ever deleted by `--force`.
const SWEEP_FILES: &[&str] = &[
    "sweep.json",
    "sweep.parquet",
    "catalogue.csv",
    "sensitivity.csv",
    "runs/run-*.parquet",
    "runs/batch-*.parquet",
    ".*.tmp-*",
    "runs/.*.tmp-*",
];

/// Runs per batch file: a run is first written as a file of its own (so that an
/// interruption loses only unfinished runs), and once every run of its batch is done the
/// batch is packed into one file, one row group per run, and the run files removed. A
/// sweep of a million runs leaves about 31,000 files on a cluster file system, not a
/// million.
pub const BATCH_RUNS: usize = 32;

/// Test hook: after this many runs are written, the sweep stops making progress (the
/// worker sleeps), so that a test can interrupt a sweep that is certain to be unfinished.
const PAUSE_AFTER_ENV: &str = "PERELOM_TEST_SWEEP_PAUSE_AFTER";

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

const FACTOR_FIELDS: &[&str] = &["values", "min", "max", "steps"];

/// A resolved design: parameter names and one row of values per point.
pub struct Design {
    /// The varied parameters' keys.
    pub names: Vec<String>,
    /// Whether each varied parameter is an integer.
    pub integer: Vec<bool>,
    /// The values each point runs with, exactly: integer parameters whole, grid levels
    /// free of floating-point residue. They are what the sweep records.
    pub points: Vec<Vec<f64>>,
    /// Runs per point; replicate r runs with seed `seed + r` at every point.
    pub replicates: u32,
    /// Seed of the first replicate.
    pub seed: u64,
    /// Metrics kept (all when `None`).
    pub metrics: Option<Vec<String>>,
    /// The base scenario every point changes.
    pub base: Scenario,
    /// Identity of the design and base scenario, to refuse resuming a changed sweep.
    pub fingerprint: String,
    /// grid, latin-hypercube, sobol, saltelli, morris, or points.
    pub kind: String,
    /// The structure sensitivity analysis needs (Saltelli blocks, Morris trajectories).
    pub structure: Structure,
    /// Warnings about the base scenario and the points' scenarios (recorded in
    /// sweep.json).
    pub warnings: Vec<String>,
    /// The warnings about the points' scenarios alone (the last ones of `warnings`).
    pub point_warnings: Vec<String>,
    /// The design file, as the user named it.
    pub file: String,
}

/// How a sampled design's points are organized.
pub enum Structure {
    /// Points without structure (grids, Latin hypercubes, Sobol' points, given points).
    Plain,
    /// Saltelli's A, B and AB_i blocks.
    Saltelli(perelom_analysis::SaltelliDesign),
    /// Morris trajectories.
    Morris(perelom_analysis::MorrisDesign),
}

/// `file:line:column` of byte offset `at` of the design text (characters counted from
/// the first character, a byte-order mark excluded), or `file` when unknown.
fn at(file: &str, text: &str, offset: Option<usize>) -> String {
    match offset {
        Some(o) => {
            let (l, c) = perelom_scenario::line_col(text, o);
            format!("{file}:{l}:{c}")
        }
        None => file.to_string(),
    }
}

fn design_error(file: &str, e: toml::de::Error, text: &str) -> Error {
    Error::Message(format!("{}: {}", at(file, text, e.span().map(|s| s.start)), e.message().trim()))
}

/// Where `[section] key` is written in the design text (byte offset of the key).
fn key_offset(text: &str, section: &str, key: &str) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?.into_inner();
    let (_, sec) = doc.iter().find(|(k, _)| k.get_ref() == section)?;
    let DeValue::Table(t) = sec.get_ref() else { return None };
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(k, _)| k.span().start)
}

/// A parameter key written with dots outside quotes (`bl.legality = {...}`) is, to TOML,
/// a table `bl` holding `legality`; serde would then blame the factor's fields. Says what
/// is wrong instead: the key must be quoted.
fn check_parameter_keys(file: &str, text: &str) -> Result<(), Error> {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else { return Ok(()) };
    let doc = doc.into_inner();
    let Some((_, params)) = doc.iter().find(|(k, _)| k.get_ref() == "parameters") else { return Ok(()) };
    let DeValue::Table(params) = params.get_ref() else { return Ok(()) };
    for (key, value) in params.iter() {
        let mut path = vec![key.get_ref().to_string()];
        let mut node = value;
        // Follow the dotted parts down to the factor's own table.
        while let DeValue::Table(t) = node.get_ref() {
            let is_factor = t.iter().any(|(k, _)| FACTOR_FIELDS.contains(&k.get_ref().as_ref()));
            match t.iter().next() {
                Some((k, v)) if !is_factor && t.len() == 1 && matches!(v.get_ref(), DeValue::Table(_)) => {
                    path.push(k.get_ref().to_string());
                    node = v;
                }
                _ => break,
            }
        }
        if path.len() > 1 {
            let dotted = path.join(".");
            let shown = match node.span() {
                s if s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end) => text[s].to_string(),
                _ => "{ values = [...] }".to_string(),
            };
            return Err(Error::Message(format!(
                "{}: the parameter key {dotted} must be quoted: unquoted, TOML reads its dots as nested tables\n  help: write \"{dotted}\" = {shown}",
                at(file, text, Some(key.span().start))
            )));
        }
    }
    Ok(())
}

/// Level `i` of `n` evenly spaced levels from `lo` to `hi`: computed from the bounds
/// (never by adding a step repeatedly), then [`snap`]ped, so `0.2..0.9` in 3 steps gives
/// exactly 0.2, 0.55 and 0.9.
fn grid_level(lo: f64, hi: f64, i: u32, n: u32) -> f64 {
    if n <= 1 || i == 0 {
        return lo;
    }
    if i == n - 1 {
        return hi;
    }
    snap(lo + (hi - lo) * f64::from(i) / f64::from(n - 1), lo.abs().max(hi.abs()))
}

/// The shortest decimal within four units in the last place (of `scale`) of `x`:
/// removes floating-point residue (0.7000000000000001 -> 0.7, 0.8999999999999999 ->
/// 0.9) and leaves every other value as it is.
fn snap(x: f64, scale: f64) -> f64 {
    let tol = scale.abs().max(x.abs()) * 4.0 * f64::EPSILON;
    if !x.is_finite() || x.abs() <= tol {
        return if x.is_finite() { 0.0 } else { x };
    }
    for digits in 0..17 {
        if let Ok(y) = format!("{x:.digits$e}").parse::<f64>() {
            if (y - x).abs() <= tol {
                return y;
            }
        }
    }
    x
}

/// Reads and checks a design file against its base scenario's schema: every size, every
/// value, every point's scenario and every run's seed, before anything runs.
/// Loads and checks a design file: its `[sweep]` section, its `[parameters]`, the base
/// scenario (relative to the design file) and every point's scenario.
///
/// Errors: a design that is not TOML or has unknown keys (with `file:line:column`), an
/// unknown parameter (with the nearest keys), values out of range, too many runs, a point
/// whose scenario fails the model's checks.
pub fn load_design(path: &Path) -> Result<Design, Error> {
    let file = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read design file {file}: {e}"))?;
    check_parameter_keys(&file, &text)?;
    let d: DesignFile = toml::from_str(&text).map_err(|e| design_error(&file, e, &text))?;
    let sweep_at = |key: &str| at(&file, &text, key_offset(&text, "sweep", key));
    let param_at = |key: &str| at(&file, &text, key_offset(&text, "parameters", key));
    let base_path = path.parent().unwrap_or(Path::new(".")).join(&d.sweep.base);
    let base_arg = if perelom_models::builtin(&d.sweep.base).is_some() || !base_path.exists() {
        d.sweep.base.clone()
    } else {
        base_path.display().to_string()
    };
    let base = source::load_by(Some(&base_arg), &d.sweep.set, &format!("{file} [sweep] set"))?;
    if d.parameters.is_empty() {
        return Err(Error::Message(format!("{file}: [parameters] is empty\n  help: name at least one parameter to vary, e.g. \"bl.legality\" = {{ min = 0.1, max = 0.9, steps = 5 }}")));
    }
    let kind = d.sweep.design.clone();
    const KINDS: &[&str] = &["grid", "latin-hypercube", "sobol", "saltelli", "morris"];
    if !KINDS.contains(&kind.as_str()) {
        return Err(Error::Message(format!("{}: unknown design \"{kind}\"\n  help: valid: {}", sweep_at("design"), KINDS.join(", "))));
    }
    let is_grid = kind == "grid";
    if !(1..=MAX_REPLICATES).contains(&d.sweep.replicates) {
        return Err(Error::Message(format!(
            "{}: replicates = {} is out of range\n  help: valid: an integer from 1 to {MAX_REPLICATES}",
            sweep_at("replicates"),
            d.sweep.replicates
        )));
    }
    // Every run's seed (seed + replicate) must be a valid run.seed.
    let max_seed = match base.get("run.seed").map(|p| &p.spec.kind) {
        Some(Kind::Int { max, .. }) => u64::try_from(*max).unwrap_or(0),
        _ => i64::MAX as u64,
    };
    let last_seed = d.sweep.seed.checked_add(u64::from(d.sweep.replicates) - 1).filter(|&s| s <= max_seed);
    if last_seed.is_none() {
        return Err(Error::Message(format!(
            "{}: seed = {} with replicates = {} gives run seeds {} to {} + {}, beyond the largest seed, {max_seed}\n  help: set seed to at most {}",
            sweep_at("seed"),
            d.sweep.seed,
            d.sweep.replicates,
            d.sweep.seed,
            d.sweep.seed,
            d.sweep.replicates - 1,
            max_seed - u64::from(d.sweep.replicates - 1)
        )));
    }
    match (is_grid, d.sweep.points) {
        (true, Some(_)) => {
            return Err(Error::Message(format!(
                "{}: `points` is for sampled designs; a grid has one point per combination of levels\n  help: remove `points`, or choose a sampled design (latin-hypercube, sobol, saltelli, morris)",
                sweep_at("points")
            )))
        }
        (false, None) => {
            return Err(Error::Message(format!(
                "{}: design \"{kind}\" needs `points` in [sweep] (the number of points, N for saltelli, trajectories for morris), from 1 to {MAX_SAMPLED_POINTS}",
                sweep_at("design")
            )))
        }
        (false, Some(n)) if !(1..=MAX_SAMPLED_POINTS).contains(&n) => {
            return Err(Error::Message(format!(
                "{}: points = {n} is out of range\n  help: valid: an integer from 1 to {MAX_SAMPLED_POINTS}",
                sweep_at("points")
            )))
        }
        _ => {}
    }
    let mut names = Vec::new();
    let mut integer = Vec::new();
    let mut levels: Vec<Vec<f64>> = Vec::new();
    let mut bounds: Vec<(f64, f64)> = Vec::new();
    for (key, f) in &d.parameters {
        let here = param_at(key);
        let Some(p) = base.get(key) else {
            let mut probe = base.clone();
            let e = probe.set(&format!("{key}=0")).err().map(|e| e.help.unwrap_or_default()).unwrap_or_default();
            return Err(Error::Message(format!("{here}: unknown parameter `{key}` in [parameters]\n  help: {e}")));
        };
        let (lo_ok, hi_ok, is_int) = match p.spec.kind {
            Kind::Float { min, max } => (min, max, false),
            Kind::Int { min, max } => (min as f64, max as f64, true),
            _ => {
                return Err(Error::Message(format!(
                    "{here}: `{key}` is {}, which a sweep cannot vary\n  help: sweeps vary numbers; give other kinds fixed values with set = [\"{key}=...\"]",
                    p.spec.kind.type_name()
                )))
            }
        };
        let whole_help = |what: String, help: &str| {
            Error::Message(format!("{here}: {what}, but `{key}` is an integer\n  help: {help}; valid: {}", p.spec.kind.describe()))
        };
        let check = |v: f64| {
            if v < lo_ok || v > hi_ok || !v.is_finite() {
                Err(Error::Message(format!("{here}: value {v} for `{key}` is out of range\n  help: valid: {}", p.spec.kind.describe())))
            } else if is_int && v.fract() != 0.0 {
                Err(whole_help(format!("{v} is not a whole number"), "give whole numbers"))
            } else {
                Ok(v)
            }
        };
        if f.steps.is_some() && !is_grid {
            return Err(Error::Message(format!(
                "{here}: `steps` is for grid designs; a {kind} design samples between min and max\n  help: remove `steps` from \"{key}\""
            )));
        }
        let (vals, bound) = match (f.values.as_ref(), f.min, f.max) {
            (Some(v), None, None) if !v.is_empty() => {
                if v.len() > MAX_LEVELS {
                    return Err(Error::Message(format!(
                        "{here}: `{key}` lists {} values\n  help: valid: from 1 to {MAX_LEVELS} values",
                        v.len()
                    )));
                }
                let v: Vec<f64> = v.iter().map(|&x| check(x)).collect::<Result<_, _>>()?;
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (v, (lo, hi))
            }
            (None, Some(lo), Some(hi)) if lo <= hi => {
                let (lo, hi) = (check(lo)?, check(hi)?);
                let steps = f.steps.unwrap_or(2);
                if !(1..=MAX_LEVELS as u32).contains(&steps) {
                    return Err(Error::Message(format!(
                        "{here}: steps = {steps} for `{key}` is out of range\n  help: valid: an integer from 1 to {MAX_LEVELS}"
                    )));
                }
                let v: Vec<f64> = if is_grid { (0..steps).map(|i| grid_level(lo, hi, i, steps)).collect() } else { vec![lo, hi] };
                if is_int && v.iter().any(|x| x.fract() != 0.0) {
                    let shown: Vec<String> = v.iter().take(6).map(|x| format!("{}", (x * 1000.0).round() / 1000.0)).collect();
                    let fits: Vec<String> = (2..=steps.max(12))
                        .filter(|s| ((hi - lo) as i64) % i64::from(s - 1) == 0)
                        .take(6)
                        .map(|s| s.to_string())
                        .collect();
                    return Err(whole_help(
                        format!(
                            "min = {lo}, max = {hi}, steps = {steps} gives levels {}{} that are not whole numbers",
                            shown.join(", "),
                            if v.len() > 6 { ", ..." } else { "" }
                        ),
                        &format!(
                            "choose steps so that (max - min) / (steps - 1) is whole{}, or list the levels: values = [...]",
                            if fits.is_empty() { String::new() } else { format!(" (here steps = {})", fits.join(", ")) }
                        ),
                    ));
                }
                (v, (lo, hi))
            }
            _ => {
                return Err(Error::Message(format!(
                    "{here}: `{key}` needs either values = [...] or min and max (min <= max)\n  help: \"{key}\" = {{ values = [0.2, 0.5] }} or {{ min = 0.2, max = 0.8, steps = 4 }}"
                )))
            }
        };
        names.push(key.clone());
        integer.push(is_int);
        levels.push(vals);
        bounds.push(bound);
    }
    // The number of runs, before any point is generated.
    let k = names.len() as u64;
    let n_points: Option<u64> = match kind.as_str() {
        "grid" => levels.iter().try_fold(1u64, |acc, l| acc.checked_mul(l.len() as u64)),
        "saltelli" => d.sweep.points.and_then(|n| u64::from(n).checked_mul(k + 2)),
        "morris" => d.sweep.points.and_then(|n| u64::from(n).checked_mul(k + 1)),
        _ => d.sweep.points.map(u64::from),
    };
    let total = n_points.and_then(|p| p.checked_mul(u64::from(d.sweep.replicates)));
    if total.is_none_or(|t| t > MAX_SWEEP_RUNS) {
        let said = total.map_or_else(|| "more than 2^64".to_string(), |t| t.to_string());
        return Err(Error::Message(format!(
            "{file}: the design asks for {said} runs (points x replicates)\n  help: a sweep makes at most {MAX_SWEEP_RUNS} runs: use fewer levels, points or replicates"
        )));
    }
    let (mut points, mut structure) = match kind.as_str() {
        "grid" => (cartesian(&levels), Structure::Plain),
        other => sampled_points(other, &names, &integer, &bounds, d.sweep.points, d.sweep.seed)
            .map_err(|e| Error::Message(format!("{file}: {e}")))?,
    };
    // Integer parameters run and are recorded as the whole numbers they are set to; the
    // levels of a Morris grid lose their floating-point residue like a grid's.
    for p in points.iter_mut() {
        for (j, x) in p.iter_mut().enumerate() {
            if integer[j] {
                *x = x.round();
            }
        }
    }
    if let Structure::Morris(m) = &mut structure {
        for p in m.design.points.iter_mut() {
            for (j, x) in p.iter_mut().enumerate() {
                *x = if integer[j] { x.round() } else { snap(*x, bounds[j].0.abs().max(bounds[j].1.abs())) };
            }
        }
        points = m.design.points.clone();
    }
    let fingerprint = format!("{:016x}", perelom_engine::rng::purpose_hash(&format!("{text}\n{}", base.to_toml())));
    let mut design = Design {
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
        warnings: Vec::new(),
        point_warnings: Vec::new(),
        file: file.clone(),
    };
    check_points(&mut design)?;
    Ok(design)
}

impl std::fmt::Debug for Design {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Design")
            .field("file", &self.file)
            .field("kind", &self.kind)
            .field("names", &self.names)
            .field("points", &self.points.len())
            .field("replicates", &self.replicates)
            .finish_non_exhaustive()
    }
}

impl Design {
    /// A design of points made elsewhere (SALib, any sampler): `names` are parameter
    /// keys of `base`, each row of `points` one value per name. Integer parameters take
    /// whole numbers. `label` names the design in messages and in `sweep.json`. Every
    /// point's scenario is checked as for a design file.
    ///
    /// Errors: no points or names, a row of another length, an unknown or non-numeric
    /// parameter, a value out of range (with the point), too many runs.
    pub fn from_points(
        base: Scenario,
        names: Vec<String>,
        points: Vec<Vec<f64>>,
        replicates: u32,
        seed: u64,
        metrics: Option<Vec<String>>,
        label: &str,
    ) -> Result<Design, Error> {
        if names.is_empty() || points.is_empty() {
            return Err(Error::Message(format!("{label}: a sweep needs at least one parameter and one point")));
        }
        if replicates == 0 || replicates > MAX_REPLICATES {
            return Err(Error::Message(format!("{label}: replicates must be from 1 to {MAX_REPLICATES}")));
        }
        if points.len() as u64 * u64::from(replicates) > MAX_SWEEP_RUNS {
            return Err(Error::Message(format!("{label}: a sweep makes at most {MAX_SWEEP_RUNS} runs (points x replicates)")));
        }
        let mut integer = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(Error::Message(format!("{label}: parameter `{n}` is given twice")));
            }
            let Some(p) = base.get(n) else {
                let mut probe = base.clone();
                let help = probe.set(&format!("{n}=0")).err().and_then(|e| e.help).unwrap_or_default();
                return Err(Error::Message(format!("{label}: unknown parameter `{n}`\n  help: {help}")));
            };
            integer.push(match p.spec.kind {
                Kind::Int { .. } => true,
                Kind::Float { .. } => false,
                _ => return Err(Error::Message(format!("{label}: `{n}` is {}, not a number to vary", p.spec.kind.type_name()))),
            });
        }
        let mut points = points;
        // Integer parameters run at whole values: a sampler's fractional values are rounded,
        // and the sweep says so (its `points` are the values that ran).
        let mut rounded: Vec<Vec<(f64, f64)>> = vec![Vec::new(); names.len()];
        for (p, row) in points.iter_mut().enumerate() {
            if row.len() != names.len() {
                return Err(Error::Message(format!("{label}: point {p} has {} values for {} parameters", row.len(), names.len())));
            }
            for (j, x) in row.iter_mut().enumerate() {
                if !x.is_finite() {
                    return Err(Error::Message(format!("{label}: point {p} gives `{}` the value {x}", names[j])));
                }
                if integer[j] && x.fract() != 0.0 {
                    rounded[j].push((*x, x.round()));
                    *x = x.round();
                }
            }
        }
        let rounding: Vec<String> = names
            .iter()
            .zip(&rounded)
            .filter(|(_, r)| !r.is_empty())
            .map(|(n, r)| {
                let shown: Vec<String> = r.iter().take(3).map(|(a, b)| format!("{a} -> {b}")).collect();
                format!(
                    "{label}: `{n}` is a whole number: {} of its values were rounded ({}{}); the sweep's points are the values that ran, analyse those",
                    r.len(),
                    shown.join(", "),
                    if r.len() > 3 { ", ..." } else { "" }
                )
            })
            .collect();
        let text: Vec<String> = points.iter().map(|r| r.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(",")).collect();
        let identity = format!("{label}\n{}\n{replicates} {seed} {metrics:?}\n{}\n{}", names.join(","), text.join(";"), base.to_toml());
        let fingerprint = format!("{:016x}", perelom_engine::rng::purpose_hash(&identity));
        let mut design = Design {
            names,
            integer,
            points,
            replicates,
            seed,
            metrics,
            base,
            fingerprint,
            kind: "points".to_string(),
            structure: Structure::Plain,
            warnings: Vec::new(),
            point_warnings: Vec::new(),
            file: label.to_string(),
        };
        check_points(&mut design)?;
        for (i, w) in rounding.into_iter().enumerate() {
            design.warnings.insert(i, w);
        }
        Ok(design)
    }
}

/// Checks every point's scenario with the model's checks and records the warnings.
fn check_points(design: &mut Design) -> Result<(), Error> {
    let file = design.file.clone();
    // Every point's scenario passes the model's checks before the first run starts.
    let mut warnings: Vec<String> = perelom_models::warnings(&design.base).iter().map(|w| w.to_string()).collect();
    let varies_run = design.names.iter().any(|n| n.starts_with("run."));
    let mut point_warnings = Vec::new();
    for p in 0..design.points.len() {
        let invalid = |e: &dyn std::fmt::Display| {
            Error::Message(format!("{file}: design point {p} ({}) is not a valid scenario:\n{e}", point_text(design, p)))
        };
        let s = scenario_of(design, p, design.seed).map_err(|e| invalid(&e))?;
        perelom_models::check(&s).map_err(|e| invalid(&e))?;
        if varies_run {
            // Points that change the run's calendar may move dated events out of it.
            let ws = perelom_models::warnings(&s);
            point_warnings.extend(ws.iter().map(|w| format!("design point {p} ({}): {w}", point_text(design, p))));
        }
    }
    warnings.extend(point_warnings.iter().cloned());
    design.warnings = warnings;
    design.point_warnings = point_warnings;
    Ok(())
}

/// A point's values as `key=value, ...`.
fn point_text(d: &Design, p: usize) -> String {
    d.names
        .iter()
        .zip(&d.integer)
        .enumerate()
        .map(|(k, (n, &int))| format!("{n}={}", value_text(d.points[p][k], int)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The metrics of the base scenario's model, learnt from a model built from it.
///
/// Errors: the scenario fails the model's checks.
pub fn model_metrics(base: &Scenario) -> Result<Vec<String>, Error> {
    let probe = perelom_models::build(base)?.metrics();
    Ok(probe.columns.iter().map(|c| c.name.clone()).filter(|n| n != "step" && n != "date").collect())
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
#[derive(Clone, Debug)]
struct RunSpec {
    id: usize,
    point: usize,
    replicate: u32,
    seed: u64,
}

fn run_file(out: &Path, id: usize) -> PathBuf {
    out.join("runs").join(format!("run-{id:06}.parquet"))
}

/// A value as `--set` reads it back exactly: a whole number for an integer parameter,
/// the shortest round-tripping decimal for a real one.
fn value_text(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:?}")
    }
}

/// The scenario of one run: the base with point `point`'s values and the run's seed.
/// Errors name the design file (the values and seeds come from it).
fn scenario_of(d: &Design, point: usize, seed: u64) -> Result<Scenario, Error> {
    let mut s = d.base.clone();
    for (k, (name, &int)) in d.names.iter().zip(&d.integer).enumerate() {
        let v = d.points[point][k];
        let value = if int { Value::Int(v.round() as i64) } else { Value::Float(v) };
        s.set_value(name, value, &format!("{} [parameters]", d.file))?;
    }
    Ok(s.with_seed(seed, &format!("{} [sweep] seed + replicate", d.file))?)
}

/// Runs the simulation and returns its tidy rows.
fn simulate(d: &Design, r: &RunSpec) -> Result<Table, Error> {
    let s = scenario_of(d, r.point, r.seed)?;
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

/// Where and how a sweep runs.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// Output directory (default: `results/DESIGN-STEM`).
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep in `out` (the same design), keeping its finished runs.
    pub resume: bool,
    /// Start the sweep in `out` over (only a sweep Perelom wrote).
    pub force: bool,
    /// Worker threads (all cores when `None`). The results are identical for any number.
    pub threads: Option<u16>,
    /// Run only this shard of the sweep's batches (a Slurm array task): batches `b` with
    /// `b % count == index`. Shards share the output directory; the dataset is joined
    /// when the last batch is done ([`join_sweep`] joins it explicitly).
    pub shard: Option<Shard>,
}

/// One of `count` shares of a sweep's batches (0-based `index`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0 to `count - 1`.
    pub index: u32,
    /// How many shards the sweep is split into.
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` (0-based `I` below `N`).
    ///
    /// Errors: another form, `N` = 0 or `I` ≥ `N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard I/N with 0 <= I < N (e.g. 0/4)");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm array task, from `SLURM_ARRAY_TASK_ID` and
    /// `SLURM_ARRAY_TASK_COUNT`, with `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_STEP`
    /// (arrays numbered from 1, or stepped as `--array=0-6:2`, work too: task ids
    /// min, min+step, ... are shards 0, 1, ...). `None` outside an array.
    ///
    /// Errors: the variables are set but do not make a shard, or the array's ids are not
    /// evenly spaced (`--array=1,3,7`: which shard a task is cannot be known from its own
    /// environment; the message says how to submit instead).
    pub fn from_slurm(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Shard>, String> {
        let Some(id) = env("SLURM_ARRAY_TASK_ID") else { return Ok(None) };
        let count = env("SLURM_ARRAY_TASK_COUNT").ok_or("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")?;
        let num = |k: &str, v: &str| v.trim().parse::<u32>().map_err(|_| format!("{k}={v} is not a whole number"));
        let opt = |k: &str| env(k).map(|v| num(k, &v)).transpose();
        let (id, count) = (num("SLURM_ARRAY_TASK_ID", &id)?, num("SLURM_ARRAY_TASK_COUNT", &count)?);
        let min = opt("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = opt("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let offset = id.checked_sub(min).ok_or_else(|| format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}"))?;
        let irregular = || {
            format!(
                "this Slurm array's task ids are not evenly spaced (task {id}, {count} tasks from {min}{}), so a task cannot tell which shard of the sweep is its own\n  help: submit the array as --array=0-{} (a % limit is fine), or give each task --shard I/{count}",
                opt("SLURM_ARRAY_TASK_MAX").ok().flatten().map_or(String::new(), |m| format!(" to {m}")),
                count.saturating_sub(1)
            )
        };
        if count == 0 {
            return Err("SLURM_ARRAY_TASK_COUNT=0: an array has at least one task".to_string());
        }
        let max = opt("SLURM_ARRAY_TASK_MAX")?;
        if let Some(max) = max {
            if max < min || (max - min) / step + 1 != count || (max - min) % step != 0 {
                return Err(irregular());
            }
        }
        // The array's ids are min, min + step, ..., min + (count - 1) × step.
        let last = u64::from(min) + u64::from(step) * u64::from(count - 1);
        if offset % step != 0 || u64::from(id) > last {
            let every = if step > 1 { format!(" every {step}") } else { String::new() };
            return Err(format!(
                "SLURM_ARRAY_TASK_ID={id} is not one of the array's task ids ({min} to {last}{every}, {count} tasks)\n  help: run the tasks of the array the script was made for, or give --shard I/{count}"
            ));
        }
        Shard::parse(&format!("{}/{count}", offset / step)).map(Some)
    }
}

/// What a front end shows of a running sweep (a progress bar, a notebook's tqdm).
pub trait Progress: Sync {
    /// The sweep is planned: `runs` in all, `to_do` of them not yet done.
    fn planned(&self, _points: usize, _replicates: u32, _runs: usize, _to_do: usize) {}
    /// One run is written.
    fn run_done(&self) {}
    /// Every run is done and the dataset joined.
    fn finished(&self, _done: usize, _seconds: f64, _dataset: &Path) {}
    /// Something the user should know that does not stop the sweep (a damaged batch file
    /// set aside to be redone).
    fn warning(&self, _text: &str) {}
    /// Whether the caller asked to stop (Ctrl-C in a notebook); checked before each run.
    /// Runs already written stay; the sweep can be resumed.
    fn cancelled(&self) -> bool {
        false
    }
}

/// A progress that shows nothing.
pub struct Silent;

impl Progress for Silent {}

/// Claims the output directory for one shard of many, which share it: a new directory, or
/// a sweep of the same design, or one another shard has just created (holding nothing
/// but Perelom's sweep files so far). Anything else is refused.
fn claim_shared(d: &Design, out: &Path) -> Result<(), Error> {
    fs::create_dir_all(out).map_err(|e| Error::Message(format!("cannot create {}: {e}", out.display())))?;
    check_shared(d, out)
}

/// Whether shards of design `d` may share the output directory `out` (see
/// [`claim_shared`]), without creating anything: a directory that does not exist yet
/// may be.
///
/// Errors: `out` holds a sweep of another design, or is not a sweep and not empty.
pub fn check_shared(d: &Design, out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Message(format!("{} exists and is not a directory\n  help: choose another --out", out.display())));
    }
    let state = out.join("sweep.json");
    if let Ok(text) = fs::read_to_string(&state) {
        let j = crate::parse_json(&state.display().to_string(), &text)?;
        if j["fingerprint"].as_str() != Some(&d.fingerprint) {
            return Err(Error::Message(format!(
                "{} holds a sweep of another design (or base scenario)\n  help: give every shard the same design and --out",
                out.display()
            )));
        }
        return Ok(());
    }
    let foreign: Vec<String> = fs::read_dir(out)
        .map_err(|e| Error::Message(format!("cannot read {}: {e}", out.display())))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != perelom_output::MARKER && n != "runs" && n != "catalogue.csv" && !n.starts_with('.'))
        .collect();
    if !foreign.is_empty() {
        return Err(Error::Message(format!(
            "{} exists and is not a sweep (it holds {})\n  help: choose another --out; Perelom never writes into what it did not make",
            out.display(),
            foreign.join(", ")
        )));
    }
    Ok(())
}

/// Claims the sweep's output directory: a new one atomically (`create_dir`), an existing
/// one only with `--resume` (the same design) or `--force` (a sweep Perelom wrote, which
/// is then started over).
fn claim_out(opts: &SweepOptions, d: &Design, out: &Path) -> Result<(), Error> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    remove_stale(&parent);
    let exists_help =
        "pass --resume to continue that sweep, --force to start it over (only a sweep Perelom wrote), or choose another --out";
    let not_ours = "choose another --out; Perelom never deletes what it did not write";
    if opts.shard.is_some() {
        return claim_shared(d, out);
    }
    match fs::create_dir(out) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::Message(format!("cannot create {}: {e}", out.display()))),
    }
    if opts.resume {
        let state = out.join("sweep.json");
        let text = fs::read_to_string(&state).map_err(|e| {
            format!(
                "{} is not a sweep directory ({}: {e})\n  help: choose another --out, or leave out --resume to start a new sweep",
                out.display(),
                state.display()
            )
        })?;
        let j = crate::parse_json(&state.display().to_string(), &text)?;
        if j["fingerprint"].as_str() != Some(&d.fingerprint) {
            return Err(Error::Message(format!(
                "the design or its base scenario changed since the sweep in {} began\n  help: resume with the same design, or start over with --force",
                out.display()
            )));
        }
        return Ok(());
    }
    if !opts.force {
        return Err(output_error(perelom_output::OutputError::Exists(out.to_path_buf()), exists_help, not_ours));
    }
    check_replaceable(out, "sweep").map_err(|e| output_error(e, exists_help, not_ours))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "sweep".into());
    let aside = parent.join(format!(".{name}.partial-{}.replaced", std::process::id()));
    fs::rename(out, &aside).map_err(|e| format!("cannot move {} aside: {e}", out.display()))?;
    fs::remove_dir_all(&aside).map_err(|e| format!("cannot remove the old sweep {}: {e}", aside.display()))?;
    fs::create_dir(out).map_err(|e| {
        output_error(
            perelom_output::OutputError::Io { path: out.to_path_buf(), action: "create directory", source: e },
            exists_help,
            not_ours,
        )
    })?;
    Ok(())
}

/// The sweep's output directory: `opts.out`, or `results/` and the design file's stem.
pub fn sweep_out(d: &Design, opts: &SweepOptions) -> PathBuf {
    opts.out.clone().unwrap_or_else(|| {
        PathBuf::from("results")
            .join(Path::new(&d.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "sweep".into()))
    })
}

/// Prepares a sweep: checks its metrics, claims its output directory (new, resumed,
/// replaced or shared by shards), and writes its state and catalogue.
///
/// Errors: an unknown metric, an output directory that exists (without `resume` or
/// `force`), a resumed directory of another design, a write that fails.
pub fn prepare_sweep(d: &Design, opts: &SweepOptions) -> Result<Prepared, Error> {
    if let Some(m) = &d.metrics {
        let names = model_metrics(&d.base)?;
        if let Some(bad) = m.iter().find(|x| !names.contains(x)) {
            return Err(Error::Message(format!("{}: unknown metric `{bad}`\n  help: metrics of this model: {}", d.file, names.join(", "))));
        }
    }
    let out = sweep_out(d, opts);
    let state = out.join("sweep.json");
    claim_out(opts, d, &out)?;
    let io = |e: std::io::Error| Error::Message(format!("cannot write in {}: {e}", out.display()));
    Marker::new("sweep", SWEEP_FILES.iter().map(|f| f.to_string()).collect()).write(&out).map_err(io)?;
    fs::create_dir_all(out.join("runs")).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    // Files a killed sweep was still writing: never renamed into place, so not results.
    // Shards share the directory, perhaps from other machines whose processes this one
    // cannot see: they leave the cleaning to the join.
    if opts.shard.is_none() {
        remove_stale_temp_files(&out);
        remove_stale_temp_files(&out.join("runs"));
    }
    let runs = plan_runs(d);
    let write_state = |complete: bool| {
        write_atomic(&state, |w| {
            let j = serde_json::json!({
                "fingerprint": d.fingerprint, "design": d.file, "kind": d.kind,
                "parameters": d.names, "points": d.points.len(), "replicates": d.replicates, "runs": runs.len(),
                "complete": complete, "perelom_version": env!("CARGO_PKG_VERSION"), "warnings": d.warnings,
                "base_changes": perelom_models::provenance::changes_json(&d.base),
                "varied": d.names.iter().map(|k| serde_json::json!({
                    "key": k, "citation": "uncited", "set_in": "sweep design point (see catalogue.csv)",
                })).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut *w, &j)?;
            w.write_all(b"\n")
        })
    };
    write_state(false).map_err(io)?;
    // The catalogue depends on the design alone: written before any run.
    write_atomic(&out.join("catalogue.csv"), |w| write_csv(&catalogue(d, &runs), w)).map_err(io)?;
    Ok(Prepared { out, runs })
}

/// A sweep whose output directory is claimed and whose state is written: what remains
/// is to run its batches ([`run_batches`], on any number of processes) and join them
/// ([`join_sweep`]).
#[derive(Debug)]
pub struct Prepared {
    /// The sweep's directory.
    pub out: PathBuf,
    runs: Vec<RunSpec>,
}

impl Prepared {
    /// The sweep of `d` in `out` as a worker process sees it, without claiming the
    /// directory (another process prepared it).
    pub fn open(d: &Design, out: &Path) -> Prepared {
        Prepared { out: out.to_path_buf(), runs: plan_runs(d) }
    }

    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Number of batch files (of up to [`BATCH_RUNS`] runs).
    pub fn batches(&self) -> usize {
        self.runs.len().div_ceil(BATCH_RUNS)
    }

    /// The batches with runs not yet done, in order.
    pub fn pending_batches(&self) -> Vec<usize> {
        (0..self.batches()).filter(|&b| batch_runs(b, self.runs.len()).any(|id| !run_done(&self.out, id))).collect()
    }

    /// Whether every run is done.
    pub fn complete(&self) -> bool {
        (0..self.runs.len()).all(|id| run_done(&self.out, id))
    }
}

/// The runs of a design in order: point by point, replicates within a point.
fn plan_runs(d: &Design) -> Vec<RunSpec> {
    (0..d.points.len())
        .flat_map(|p| (0..d.replicates).map(move |r| (p, r)))
        .enumerate()
        .map(|(id, (point, replicate))| RunSpec { id, point, replicate, seed: d.seed + u64::from(replicate) })
        .collect()
}

/// Runs the unfinished runs of `batches` of a prepared sweep on `threads` worker threads
/// (all cores when `None`) and packs each finished batch. Returns the number of runs made.
///
/// Errors: a run whose model fails, a write that fails, a cancellation.
pub fn run_batches(d: &Design, p: &Prepared, batches: &[usize], threads: Option<u16>, progress: &dyn Progress) -> Result<usize, Error> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(usize::from(n));
    }
    let pool = pool.build().map_err(|e| Error::Message(format!("cannot start worker threads: {e}")))?;
    pool.install(|| compute_batches(d, &p.out, &p.runs, batches, progress))
}

/// Runs (or resumes) a sweep of a loaded design on this process and returns it with its
/// output directory: [`prepare_sweep`], [`run_batches`] (this shard's, or all), then
/// [`join_sweep`] once every run is done.
///
/// Errors: those of the three steps.
pub fn run_sweep(d: Design, opts: &SweepOptions, progress: &dyn Progress) -> Result<(Design, PathBuf), Error> {
    let p = prepare_sweep(&d, opts)?;
    let mine: Vec<usize> = match opts.shard {
        Some(s) => (0..p.batches()).filter(|b| b % s.count as usize == s.index as usize).collect(),
        None => (0..p.batches()).collect(),
    };
    let started = std::time::Instant::now();
    let done = run_batches(&d, &p, &mine, opts.threads, progress)?;
    if opts.shard.is_some() && !p.complete() {
        // Other shards are still running: the last one joins.
        progress.finished(done, started.elapsed().as_secs_f64(), &p.out.join("sweep.parquet"));
        return Ok((d, p.out));
    }
    join_sweep(&p.out)?;
    progress.finished(done, started.elapsed().as_secs_f64(), &p.out.join("sweep.parquet"));
    Ok((d, p.out))
}

/// The catalogue: one row per run (run, point, replicate, seed, the varied parameters,
/// and the batch file and row group that hold its rows once packed).
fn catalogue(d: &Design, runs: &[RunSpec]) -> Table {
    let mut cat = Table::new();
    cat.push("run", ColumnData::I64(runs.iter().map(|r| r.id as i64).collect()));
    cat.push("point", ColumnData::I64(runs.iter().map(|r| r.point as i64).collect()));
    cat.push("replicate", ColumnData::I64(runs.iter().map(|r| i64::from(r.replicate)).collect()));
    cat.push("seed", ColumnData::I64(runs.iter().map(|r| r.seed as i64).collect()));
    for (k, name) in d.names.iter().enumerate() {
        cat.push(name.clone(), ColumnData::F64(runs.iter().map(|r| d.points[r.point][k]).collect()));
    }
    cat.push("file", ColumnData::Str(runs.iter().map(|r| format!("runs/batch-{:06}.parquet", r.id / BATCH_RUNS)).collect()));
    cat.push("row_group", ColumnData::I64(runs.iter().map(|r| (r.id % BATCH_RUNS) as i64).collect()));
    cat
}

fn batch_file(out: &Path, b: usize) -> PathBuf {
    out.join("runs").join(format!("batch-{b:06}.parquet"))
}

/// The runs of batch `b` of a sweep of `n` runs.
fn batch_runs(b: usize, n: usize) -> std::ops::Range<usize> {
    b * BATCH_RUNS..((b + 1) * BATCH_RUNS).min(n)
}

/// Whether run `id` is done: in its packed batch, or in a file of its own.
fn run_done(out: &Path, id: usize) -> bool {
    batch_file(out, id / BATCH_RUNS).exists() || run_file(out, id).exists()
}

/// Packs batch `b` if every run of it has its own file: the batch file is written
/// atomically, then the run files are removed. A batch already packed loses its leftover
/// run files (from a process killed between the two steps).
fn pack_batch(out: &Path, b: usize, n: usize) -> std::io::Result<()> {
    let files: Vec<PathBuf> = batch_runs(b, n).map(|id| run_file(out, id)).collect();
    if !batch_file(out, b).exists() {
        if !files.iter().all(|f| f.exists()) {
            return Ok(());
        }
        write_atomic(&batch_file(out, b), |w| pack_parquet(&files, w))?;
    }
    for f in files {
        match fs::remove_file(&f) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Runs the unfinished runs of `batches` on the current pool, each written to its own
/// file as soon as it is done, and packs every batch whose runs are all done. Returns the
/// number of runs made.
fn compute_batches(d: &Design, out: &Path, runs: &[RunSpec], batches: &[usize], progress: &dyn Progress) -> Result<usize, Error> {
    use rayon::prelude::*;
    let io = |e: std::io::Error| Error::Message(format!("cannot write in {}: {e}", out.display()));
    let n = runs.len();
    // A batch file that does not hold its own runs (damaged, or copied over) is set aside,
    // never deleted, and its runs are made again.
    for &b in batches {
        let file = batch_file(out, b);
        if !file.exists() {
            continue;
        }
        let want: Vec<Option<(i64, i64)>> = batch_runs(b, n).map(|id| Some((id as i64, id as i64))).collect();
        if perelom_output::row_group_ranges(&file, "run").ok().as_ref() != Some(&want) {
            let mut aside = file.with_extension("parquet.damaged");
            let mut k = 2;
            while aside.exists() {
                aside = file.with_extension(format!("parquet.damaged-{k}"));
                k += 1;
            }
            fs::rename(&file, &aside).map_err(io)?;
            progress.warning(&format!(
                "{} did not hold runs {} to {} (damaged or copied): set aside as {}; its runs are made again",
                file.display(),
                b * BATCH_RUNS,
                batch_runs(b, n).end - 1,
                aside.display()
            ));
        }
    }
    // Batches finished by an earlier process but not packed, or packed but not cleaned.
    for &b in batches {
        pack_batch(out, b, n).map_err(io)?;
    }
    let pending: Vec<&RunSpec> =
        batches.iter().flat_map(|&b| batch_runs(b, n)).map(|id| &runs[id]).filter(|r| !run_done(out, r.id)).collect();
    progress.planned(d.points.len(), d.replicates, n, pending.len());
    let pause_after: Option<usize> = std::env::var(PAUSE_AFTER_ENV).ok().and_then(|v| v.parse().ok());
    let written = std::sync::atomic::AtomicUsize::new(0);
    // One packer at a time: two threads finishing the last runs of a batch together must
    // not both pack it.
    let packing = std::sync::Mutex::new(());
    let results: Vec<Result<(), Error>> = pending
        .par_iter()
        .map(|r| {
            if progress.cancelled() {
                return Err(Error::Message(format!(
                    "the sweep was interrupted; the finished runs are kept in {}: resume it to complete the dataset",
                    out.display()
                )));
            }
            let t = simulate(d, r)?;
            write_atomic(&run_file(out, r.id), |w| write_parquet(&t, w)).map_err(io)?;
            progress.run_done();
            {
                let _one = packing.lock().unwrap_or_else(|e| e.into_inner());
                pack_batch(out, r.id / BATCH_RUNS, n).map_err(io)?;
            }
            let k = written.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if pause_after.is_some_and(|p| k >= p) {
                std::thread::sleep(std::time::Duration::from_secs(600));
            }
            Ok(())
        })
        .collect();
    results.into_iter().collect::<Result<Vec<()>, Error>>()?;
    Ok(pending.len())
}

/// Joins a sweep whose runs are all done into `sweep.parquet` (one row group per run, in
/// run order: the same bytes however the runs were spread over threads, processes,
/// shards or ranks) and marks it complete in `sweep.json`. Returns the dataset's path.
///
/// Errors: `out` is not a sweep directory, or runs are missing (with how many and the
/// first of them).
pub fn join_sweep(out: &Path) -> Result<PathBuf, Error> {
    let state = out.join("sweep.json");
    let text = fs::read_to_string(&state)
        .map_err(|e| Error::Message(format!("{} is not a sweep directory ({}: {e})", out.display(), state.display())))?;
    let mut j = crate::parse_json(&state.display().to_string(), &text)?;
    // Only a directory Perelom made for a sweep is written into.
    if perelom_output::Marker::read(out).is_none_or(|m| m.kind != "sweep") {
        return Err(Error::Message(format!(
            "{} is not a sweep directory Perelom made (no sweep marker)\n  help: join the directory a sweep wrote",
            out.display()
        )));
    }
    let n = j["runs"]
        .as_u64()
        .filter(|&n| n <= MAX_SWEEP_RUNS)
        .ok_or_else(|| Error::Message(format!("{}: no valid number of runs (at most {MAX_SWEEP_RUNS})", state.display())))?
        as usize;
    let io = |e: std::io::Error| Error::Message(format!("cannot write in {}: {e}", out.display()));
    for b in 0..n.div_ceil(BATCH_RUNS) {
        pack_batch(out, b, n).map_err(io)?;
    }
    let missing: Vec<usize> = (0..n).filter(|&id| !run_done(out, id)).collect();
    if let Some(first) = missing.first() {
        return Err(Error::Message(format!(
            "{}: {} of {n} runs are not done yet (the first is run {first})\n  help: run the sweep again (with --resume, or the same shards) to complete it, then join",
            out.display(),
            missing.len()
        )));
    }
    // Each batch file must hold its own runs, one per row group, in order: a file copied
    // over another (or damaged) would otherwise join duplicates or gaps silently.
    for b in 0..n.div_ceil(BATCH_RUNS) {
        let file = batch_file(out, b);
        let want: Vec<Option<(i64, i64)>> = batch_runs(b, n).map(|id| Some((id as i64, id as i64))).collect();
        let found = perelom_output::row_group_ranges(&file, "run").map_err(|e| {
            Error::Message(format!(
                "cannot read {}: {e}: it is damaged\n  help: run the sweep again with --resume: it sets the file aside (as .damaged) and redoes its runs",
                file.display()
            ))
        })?;
        if found != want {
            let held: Vec<String> =
                found.iter().map(|g| g.map_or("?".to_string(), |(a, z)| if a == z { a.to_string() } else { format!("{a}-{z}") })).collect();
            return Err(Error::Message(format!(
                "{} should hold runs {} to {}, one per row group, but holds runs [{}]: it was copied or damaged\n  help: run the sweep again with --resume: it sets the file aside (as .damaged) and redoes its runs",
                file.display(),
                b * BATCH_RUNS,
                batch_runs(b, n).end - 1,
                held.join(", ")
            )));
        }
    }
    // Every run is done, so no process still writes here: leftovers of killed ones go.
    remove_stale_temp_files(out);
    remove_stale_temp_files(&out.join("runs"));
    let parts: Vec<ParquetPart> =
        (0..n).map(|id| ParquetPart { path: batch_file(out, id / BATCH_RUNS), row_group: Some(id % BATCH_RUNS) }).collect();
    let dataset = out.join("sweep.parquet");
    write_atomic(&dataset, |w| concat_parquet_parts(&parts, w)).map_err(io)?;
    j["complete"] = serde_json::json!(true);
    write_atomic(&state, |w| {
        serde_json::to_writer_pretty(&mut *w, &j)?;
        w.write_all(b"\n")
    })
    .map_err(io)?;
    Ok(dataset)
}

/// The design's point whose run needs the most memory, and about how many bytes that run
/// holds ([`perelom_models::registry::memory_estimate`]); `None` for a model without an
/// estimate.
pub fn largest_point(d: &Design) -> Result<Option<(Scenario, f64)>, Error> {
    let mut best: Option<(Scenario, f64)> = None;
    for i in 0..d.points.len() {
        let s = scenario_of(d, i, d.seed)?;
        if let Some(bytes) = perelom_models::registry::memory_estimate(&s) {
            if best.as_ref().is_none_or(|(_, b)| bytes > *b) {
                best = Some((s, bytes));
            }
        }
    }
    Ok(best)
}

/// A pilot run of the design's first point and seed on one thread: its wall time in
/// seconds and the process's peak resident memory in MB (Linux; NaN elsewhere), to size
/// cluster jobs.
///
/// Errors: the point's scenario fails the model's checks.
pub fn pilot(d: &Design) -> Result<(f64, f64), Error> {
    let started = std::time::Instant::now();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().map_err(|e| Error::Message(e.to_string()))?;
    let spec = RunSpec { id: 0, point: 0, replicate: 0, seed: d.seed };
    pool.install(|| simulate(d, &spec))?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0);
    Ok((seconds, peak))
}

/// An output error with a hint: `exists` when the directory exists, `not_ours` when it
/// may not be replaced.
fn output_error(e: perelom_output::OutputError, exists: &str, not_ours: &str) -> Error {
    use perelom_output::OutputError;
    match e {
        OutputError::Exists(_) => Error::Message(format!("{e}\n  help: {exists}")),
        OutputError::NotReplaceable { .. } => Error::Message(format!("{e}\n  help: {not_ours}")),
        other => Error::Output(other),
    }
}

/// The statistics that reduce a metric over a run's steps to one number (`perelom
/// sensitivity --output METRIC:STAT`, `perelom.Sweep.outputs`).
pub const STATS: &[&str] = &["sum", "mean", "final", "max"];

/// `xs` (one run's values of a metric, step by step) reduced with `stat`, one of
/// [`STATS`] (any other word sums).
pub fn reduce(xs: &[f64], stat: &str) -> f64 {
    match stat {
        "mean" => xs.iter().sum::<f64>() / xs.len().max(1) as f64,
        "final" => xs.last().copied().unwrap_or(f64::NAN),
        "max" => xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        _ => xs.iter().sum(),
    }
}

/// One value per design point, in the design's order, for sensitivity analysis: each
/// run's values of a metric (`values`, the sweep data's column, with `run` its run
/// column) reduced with `stat` ([`reduce`]), then averaged over the point's replicates.
/// Runs are numbered point by point, `replicates` to a point.
pub fn point_values(run: &[f64], values: &[f64], stat: &str, points: usize, replicates: u32) -> Vec<f64> {
    let mut per_run: Vec<(usize, Vec<f64>)> = Vec::new();
    for (r, v) in run.iter().zip(values) {
        match per_run.last_mut() {
            Some((last, xs)) if *last == *r as usize => xs.push(*v),
            _ => per_run.push((*r as usize, vec![*v])),
        }
    }
    let mut sums = vec![0.0; points];
    let mut counts = vec![0.0; points];
    for (r, xs) in &per_run {
        let p = r / replicates.max(1) as usize;
        if p < points {
            sums[p] += reduce(xs, stat);
            counts[p] += 1.0;
        }
    }
    sums.iter().zip(&counts).map(|(s, n)| s / f64::max(*n, 1.0)).collect()
}

#[cfg(test)]
mod slurm_tests {
    use super::Shard;

    fn shard(vars: &[(&str, &str)]) -> Result<Option<Shard>, String> {
        Shard::from_slurm(&|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn array_tasks_map_to_shards() {
        assert_eq!(shard(&[]), Ok(None));
        let plain = |id: &str| {
            shard(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "3"),
            ])
        };
        assert_eq!(plain("2"), Ok(Some(Shard { index: 2, count: 4 })));
        // Numbered from 1.
        let from_one = shard(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
        ]);
        assert_eq!(from_one, Ok(Some(Shard { index: 3, count: 4 })));
        // --array=0-6:2 is tasks 0, 2, 4, 6: shards 0 to 3.
        let stepped = |id: &str| {
            shard(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "6"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
            ])
        };
        let all: Vec<u32> = ["0", "2", "4", "6"].iter().map(|i| stepped(i).unwrap().unwrap().index).collect();
        assert_eq!(all, [0, 1, 2, 3]);
        // Ids outside the array name the array, not a shard the user never wrote.
        for id in ["3", "5", "8"] {
            let e = stepped(id).unwrap_err();
            assert!(e.contains(&format!("SLURM_ARRAY_TASK_ID={id} is not one of the array's task ids (0 to 6 every 2, 4 tasks)")), "{e}");
        }
        assert!(shard(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "0")]).unwrap_err().contains("COUNT=0"));
    }

    #[test]
    fn uneven_arrays_are_refused_with_a_way_out() {
        // --array=1,3,7: three tasks between 1 and 7.
        let e = shard(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "7"),
        ])
        .unwrap_err();
        assert!(e.contains("not evenly spaced") && e.contains("--array=0-2") && e.contains("--shard I/3"), "{e}");
        let e = shard(&[("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "3")]).unwrap_err();
        assert!(e.contains("not a whole number"), "{e}");
    }
}
