//! Epstein's model's descriptor: what the front ends know of it.

use super::{CitizenState, Epstein};
use crate::descriptor::{ChartGroup, GridSnapshot, ModelInfo, Regime, RegimeStat, Validation};
use crate::Simulation;
use perelom_scenario::{Scenario, ScenarioError};

fn build(s: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
    Ok(Box::new(Epstein::new(s)?))
}

/// Grid cells modelled (`grid.width × grid.height`).
fn population(s: &Scenario) -> f64 {
    s.int("grid.width") as f64 * s.int("grid.height") as f64
}

/// The descriptor of Epstein's civil-violence model.
pub static INFO: ModelInfo = ModelInfo {
    name: super::MODEL,
    title: "Epstein (2002) civil violence, Model I",
    example: "epstein-2002",
    schema: super::params::schema,
    build,
    check: super::check,
    calendar: None,
    population,
    // 58 MB for a 2000 x 1000 grid (about 26 bytes a cell), with a margin.
    bytes_per_agent: 32.0,
    scale_key: None,
    metrics: || super::METRICS.to_vec(),
    charts: &[ChartGroup { title: "Citizens: quiet, active, jailed", columns: &["quiet", "active", "jailed"] }],
    documents: &[],
    event_log: None,
    map: None,
    validation: Validation::Regime(Regime {
        event: "outburst",
        describe: |s| format!("an outburst (> {} active)", s.int("outburst.threshold")),
        stats: &[
            RegimeStat { name: "outbursts", label: "outbursts per run" },
            RegimeStat { name: "peak_active", label: "peak active per run" },
            RegimeStat { name: "mean_active", label: "mean active per run" },
            RegimeStat { name: "outburst_steps", label: "steps with an outburst per run" },
            RegimeStat { name: "first_outburst_step", label: "first outburst step (runs with one)" },
        ],
        measure: outburst_stats,
        definition: |s| vec![("outburst_threshold", s.int("outburst.threshold") as f64)],
    }),
    restore: Some(|saved, s, bytes| Ok(Box::new(super::checkpoint::restore(saved, s, bytes)?))),
    branch_check: Some(super::checkpoint::check_branch),
};

/// Per run: outbursts, largest number of active citizens, mean active, steps above the
/// threshold, first step above it (NaN if none).
fn outburst_stats(sim: &dyn Simulation, s: &Scenario) -> Vec<f64> {
    let threshold = s.int("outburst.threshold") as f64;
    let active = sim.metrics().numbers("active").unwrap_or_default();
    let above = active.iter().filter(|&&a| a > threshold).count() as f64;
    let n = sim.tables().into_iter().find(|(n, _)| n == "outbursts").map_or(0, |(_, t)| t.rows()) as f64;
    let peak = active.iter().copied().fold(0.0, f64::max);
    let mean = if active.is_empty() { f64::NAN } else { active.iter().sum::<f64>() / active.len() as f64 };
    let first = active.iter().position(|&a| a > threshold).map_or(f64::NAN, |s| s as f64);
    vec![n, peak, mean, above, first]
}

/// The grid's codes: empty, quiet, active, jailed, cop.
const LEGEND: &[(u8, &str, [u8; 3])] = &[
    (b'.', "empty", [255, 255, 255]),
    (b'q', "quiet citizen", [170, 190, 205]),
    (b'a', "active citizen", [210, 30, 30]),
    (b'j', "jailed citizen", [40, 40, 40]),
    (b'c', "cop", [30, 90, 220]),
];

/// The grid as one code a cell (see [`LEGEND`]).
pub(crate) fn snapshot(e: &Epstein) -> GridSnapshot {
    let g = e.grid();
    let mut cells = vec![b'.'; g.cells()];
    for c in e.citizens() {
        if let Some(x) = cells.get_mut(c.cell as usize) {
            *x = match c.state {
                CitizenState::Quiet => b'q',
                CitizenState::Active => b'a',
                CitizenState::Jailed => b'j',
            };
        }
    }
    for &c in e.cop_cells() {
        if let Some(x) = cells.get_mut(c as usize) {
            *x = b'c';
        }
    }
    GridSnapshot { width: g.width, height: g.height, cells, legend: LEGEND }
}
