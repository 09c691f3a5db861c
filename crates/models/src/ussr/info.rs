//! The 1928-1929 model's descriptor: what the front ends know of it.

use crate::descriptor::{Area, AreaMap, ChartGroup, Document, EventLog, MapLayer, ModelInfo, Targets, Validation};
use crate::Simulation;
use perelom_engine::ColumnData;
use perelom_scenario::{Scenario, ScenarioError};

fn build(s: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
    Ok(Box::new(super::Ussr::new(s)?))
}

fn check(s: &Scenario) -> Result<(), ScenarioError> {
    super::params::Params::from_scenario(s).map(|_| ())
}

/// People modelled: the full-scale workforce times the scale.
fn population(s: &Scenario) -> f64 {
    s.int("population.full_scale") as f64 * s.float("population.scale")
}

/// The descriptor of the 1928-1929 model.
pub static INFO: ModelInfo = ModelInfo {
    name: super::MODEL,
    title: "Soviet industry 1928-1929: workers, factories, the Left Opposition and the OGPU",
    example: "ussr-1928-1929",
    schema: super::schema,
    build,
    check,
    calendar: Some(super::targets::clock),
    population,
    // 318 MiB for 3 million people at full scale (about 111 bytes each), with a margin.
    bytes_per_agent: 120.0,
    scale_key: Some("population.scale"),
    metrics: super::metrics::recorder_spec,
    charts: CHARTS,
    documents: &[Document { file: "survey.md", title: "Political survey", media_type: "text/markdown; charset=utf-8" }],
    event_log: Some(EventLog {
        table: "events",
        title: "Factory events",
        kind: "event",
        people: "count",
        shown: &["date", "factory", "region", "sector", "event", "count", "detail", "outcome"],
    }),
    map: Some(AreaMap {
        title: "the regions (a schematic map, not to scale)",
        size: (100, 64),
        areas: AREAS,
        layers: &[
            MapLayer { key: "strikes", label: "strikes begun", metric: "strikes_started" },
            MapLayer { key: "italianki", label: "shops in a slow-down (shop-weeks)", metric: "italianki" },
            MapLayer { key: "arrests", label: "arrests by the OGPU", metric: "arrests" },
        ],
        count: area_counts,
    }),
    validation: Validation::Targets(Targets {
        list: super::targets::targets,
        measurable: super::targets::measurable,
        measure: super::targets::measure_run,
        coverage: "the targets read 1928-1929: run from run.start = 1928-01-02 for run.steps = 104 weeks",
        // The priors of the shipped calibration (calibration/ussr-1928-1929/calibration.json).
        calibrated: &[
            ("protest.strike", 0.7, 1.0),
            ("protest.grievance_weight", 0.1, 0.4),
            ("disputes.revision_salience", 0.35, 0.65),
            ("ogpu.detection", 0.025, 0.06),
            ("ogpu.provocateur", 0.005, 0.04),
            ("recruit.join", 0.05, 0.12),
            ("strikes.organize", 0.0, 0.6),
        ],
    }),
    restore: Some(|saved, s, bytes| Ok(Box::new(super::checkpoint::restore(saved, s, bytes)?))),
    branch_check: Some(super::checkpoint::check_branch),
};

/// Chart groups: metrics of one unit and a comparable size drawn together.
const CHARTS: &[ChartGroup] = &[
    ChartGroup { title: "Strikes started per week", columns: &["strikes_started", "strikes_coordinated"] },
    ChartGroup { title: "Slow-downs (italianki) started per week", columns: &["italianki"] },
    ChartGroup { title: "Workers in slow-downs and in passive protest", columns: &["italianka_workers", "passive_protest"] },
    ChartGroup { title: "Campaign meetings per week", columns: &["meetings_held", "meetings_failed", "opposition_resolutions"] },
    ChartGroup { title: "Opposition members by organization", columns: &["members_bl", "members_decists", "sympathizers"] },
    ChartGroup { title: "Opposition members by class", columns: &["members_blue", "members_white", "members_peasant"] },
    ChartGroup { title: "Old cadres and new recruits", columns: &["members_old_cadre", "members_new_recruit"] },
    ChartGroup { title: "Arrests per week", columns: &["arrests", "arrests_strikers", "arrests_members"] },
    ChartGroup { title: "People in exile and blacklisted", columns: &["exiles", "blacklisted"] },
    ChartGroup { title: "Real wage and productivity (1927 = 1)", columns: &["real_wage_index", "productivity_index"] },
    ChartGroup { title: "Moods (shares of workers)", columns: &["mood_loyal", "mood_left", "mood_right", "mood_indifferent"] },
];

/// The regions of [`super::state::REGIONS`], schematically: Leningrad in the north-west,
/// Ivanovo north-east of Moscow, the Urals in the east, Ukraine in the south-west, and the
/// other regions together in a box of their own.
const AREAS: &[Area] = &[
    Area { name: "Moscow", title: "Moscow", path: "M33 23 L47 21 L50 30 L46 38 L35 38 L30 30 Z", label: (40.0, 31.0) },
    Area { name: "Leningrad", title: "Leningrad", path: "M21 4 L40 2 L45 11 L39 19 L26 19 L19 11 Z", label: (32.0, 11.5) },
    Area { name: "Ivanovo", title: "Ivanovo", path: "M49 13 L62 12 L66 22 L59 29 L51 27 Z", label: (57.5, 21.0) },
    Area { name: "Urals", title: "Urals", path: "M74 5 L88 3 L95 21 L93 43 L81 47 L72 28 Z", label: (83.5, 25.0) },
    Area { name: "Ukraine", title: "Ukraine", path: "M9 40 L29 38 L44 42 L47 51 L37 60 L17 61 L7 51 Z", label: (27.0, 50.5) },
    Area { name: "other", title: "other regions", path: "M60 51 L97 51 L97 62 L60 62 Z", label: (78.5, 57.5) },
];

/// Strikes begun, shops in a slow-down and arrests by region and week, from the factory
/// event log: `[layer][region][step]` (see the map's layers).
fn area_counts(sim: &dyn Simulation) -> Vec<Vec<Vec<u32>>> {
    let steps = sim.steps_done() as usize;
    let mut out = vec![vec![vec![0u32; steps]; AREAS.len()]; 3];
    let Some((_, t)) = sim.tables().into_iter().find(|(n, _)| n == "events") else { return out };
    let (
        Some(ColumnData::I64(step)),
        Some(ColumnData::Str(region)),
        Some(ColumnData::Str(kind)),
        Some(ColumnData::Str(outcome)),
        Some(ColumnData::I64(detail)),
    ) = (t.column("step"), t.column("region"), t.column("event"), t.column("outcome"), t.column("detail"))
    else {
        return out;
    };
    for i in 0..t.rows() {
        let counted = match (kind[i].as_str(), outcome[i].as_str()) {
            // A strike counts where it begins (a resumed stoppage is the same strike).
            ("strike", o) if o.starts_with("started") => Some((0, 1)),
            // A factory's slow-down counts its shops.
            ("italianka", _) => Some((1, u32::try_from(detail[i]).unwrap_or(0))),
            // An obstructed arrest is no arrest.
            ("arrest", "strike leader arrested" | "member arrested") => Some((2, 1)),
            _ => None,
        };
        let area = AREAS.iter().position(|a| a.name == region[i]);
        let s = usize::try_from(step[i]).ok().filter(|&s| s < steps);
        if let (Some((layer, n)), Some(a), Some(s)) = (counted, area, s) {
            out[layer][a][s] += n;
        }
    }
    out
}
