//! The 1928-1929 model's descriptor: what the front ends know of it.

use crate::descriptor::{ChartGroup, Document, ModelInfo, Targets, Validation};
use crate::Simulation;
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
    scale_key: Some("population.scale"),
    metrics: super::metrics::recorder_spec,
    charts: CHARTS,
    documents: &[Document { file: "survey.md", title: "Political survey", media_type: "text/markdown; charset=utf-8" }],
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
