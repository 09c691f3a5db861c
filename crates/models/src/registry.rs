//! Which models and scenarios ship with Perelom.

use crate::{ModelInfo, Simulation};
use chrono::NaiveDate;
use perelom_scenario::{ParamSpec, Scenario, ScenarioError, ScenarioWarning};

/// A scenario embedded in the binary.
#[derive(Clone, Copy, Debug)]
pub struct BuiltIn {
    /// Name used on the command line: `perelom run epstein-2002`.
    pub name: &'static str,
    /// One line for `perelom scenarios`.
    pub description: &'static str,
    /// The scenario file's text.
    pub text: &'static str,
}

const BUILTINS: &[BuiltIn] = &[
    BuiltIn {
        name: "ussr-1928-1929",
        description: "Soviet industry 1928-1929: workers, factories, the Left Opposition and the OGPU (historical baseline)",
        text: include_str!("../../../scenarios/ussr-1928-1929.toml"),
    },
    BuiltIn {
        name: "epstein-2002",
        description: "Epstein (2002) civil violence, Model I, as Mesa 3.3.1's example: legitimacy 0.8, nearly always quiet",
        text: include_str!("../../../scenarios/epstein-2002.toml"),
    },
    BuiltIn {
        name: "epstein-punctuated",
        description: "Epstein (2002) Model I, punctuated equilibrium: recurring outbursts (legitimacy 0.82, jail up to 30, cops 0.04)",
        text: include_str!("../../../scenarios/epstein-punctuated.toml"),
    },
    BuiltIn {
        name: "epstein-legitimacy-gradual",
        description: "Epstein (2002) Model I, legitimacy 0.9 -> 0.5 in small steps (compare epstein-legitimacy-sudden)",
        text: include_str!("../../../scenarios/epstein-legitimacy-gradual.toml"),
    },
    BuiltIn {
        name: "epstein-legitimacy-sudden",
        description: "Epstein (2002) Model I, legitimacy 0.9 -> 0.6 in one jump (compare epstein-legitimacy-gradual)",
        text: include_str!("../../../scenarios/epstein-legitimacy-sudden.toml"),
    },
    BuiltIn {
        name: "epstein-cop-reduction",
        description: "Epstein (2002) Model I, cops reduced gradually from 0.074 to 0.02 (cops.schedule = \"linear\")",
        text: include_str!("../../../scenarios/epstein-cop-reduction.toml"),
    },
];

/// The counterfactual experiments shipped in `experiments/`, embedded: each a change to a
/// built-in scenario (`baseline`) with the question it asks, for front ends that offer them
/// (the explorer's comparisons). `perelom compare` reads the same files from disk.
const EXPERIMENTS: &[(&str, BuiltIn)] = &[
    (
        "ussr-1928-1929",
        BuiltIn {
            name: "x1-opposition-leads-strikes",
            description: "X1: the opposition leads the strikes from autumn 1928",
            text: include_str!("../../../experiments/x1-opposition-leads-strikes.toml"),
        },
    ),
    (
        "ussr-1928-1929",
        BuiltIn {
            name: "x2-escalation-a-year-later",
            description: "X2: escalation a year later",
            text: include_str!("../../../experiments/x2-escalation-a-year-later.toml"),
        },
    ),
    (
        "ussr-1928-1929",
        BuiltIn {
            name: "x3-programme-of-action",
            description: "X3: a concrete programme of action",
            text: include_str!("../../../experiments/x3-programme-of-action.toml"),
        },
    ),
    (
        "ussr-1928-1929",
        BuiltIn {
            name: "x4-no-tightening",
            description: "X4: no tightening of labour policy",
            text: include_str!("../../../experiments/x4-no-tightening.toml"),
        },
    ),
    (
        "ussr-1928-1929",
        BuiltIn {
            name: "x5-strategy-and-time",
            description: "X5: lead the strikes, and a year more before the escalation",
            text: include_str!("../../../experiments/x5-strategy-and-time.toml"),
        },
    ),
];

/// The built-in experiments that change the built-in scenario `baseline`.
pub fn builtin_experiments(baseline: &str) -> Vec<&'static BuiltIn> {
    EXPERIMENTS.iter().filter(|(b, _)| *b == baseline).map(|(_, e)| e).collect()
}

/// The built-in experiment called `name`, with the name of the scenario it changes.
pub fn builtin_experiment(name: &str) -> Option<(&'static str, &'static BuiltIn)> {
    EXPERIMENTS.iter().find(|(_, e)| e.name == name).map(|(b, e)| (*b, e))
}

/// The scenario `perelom run` uses without an argument.
pub const DEFAULT_SCENARIO: &str = "ussr-1928-1929";

/// Every scenario embedded in the binary, the default first.
pub fn builtin_scenarios() -> &'static [BuiltIn] {
    BUILTINS
}

/// The built-in scenario called `name`; `None` if there is none.
pub fn builtin(name: &str) -> Option<&'static BuiltIn> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The built-in models' descriptors. Adding a model means adding it here.
const MODELS: &[&ModelInfo] = &[&crate::ussr::info::INFO, &crate::epstein::info::INFO];

/// Every built-in model's descriptor.
pub fn models() -> &'static [&'static ModelInfo] {
    MODELS
}

/// The descriptor of the model scenario files call `name`.
pub fn model(name: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().copied().find(|m| m.name == name)
}

/// Names of the models scenario files can name in `[scenario] model = ...`.
pub fn model_names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.name).collect()
}

/// The parameter schema of the model called `model`; `None` for an unknown model.
pub fn schema_for(model: &str) -> Option<Vec<ParamSpec>> {
    self::model(model).map(|m| (m.schema)())
}

/// Parses scenario text against the built-in models' schemas.
pub fn load_scenario_text(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    perelom_scenario::parse(file, text, &schema_for, &model_names())
}

/// The descriptor of the model a scenario names, or an error naming the known models.
pub fn model_of(scenario: &Scenario) -> Result<&'static ModelInfo, ScenarioError> {
    model(&scenario.meta.model).ok_or_else(|| {
        ScenarioError::new(&scenario.file, None, format!("unknown model \"{}\"", scenario.meta.model))
            .with_help(format!("known models: {}", model_names().join(", ")))
    })
}

/// Builds the model a scenario names. Checks that involve several parameters at once
/// are made here and reported like any other scenario error.
pub fn build(scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
    (model_of(scenario)?.build)(scenario)
}

/// Checks a scenario as [`build`] does (the checks that involve several parameters at
/// once), without building the model: nothing is allocated for its population. Commands
/// check every scenario of an ensemble or a sweep this way before the first run starts.
pub fn check(scenario: &Scenario) -> Result<(), ScenarioError> {
    let info = model_of(scenario)?;
    (info.check)(scenario)?;
    if let Some(d) = scenario.meta.branch_at {
        let clock = info.clock(scenario);
        let error = |m: String| ScenarioError::new(&scenario.file, scenario.meta.branch_at_position, m).with_key("scenario.branch_at");
        match clock.step_of(d) {
            None => {
                let e = error(format!("scenario.branch_at = {d} lies outside the run"));
                // The last week's first day is the last a branch can start on.
                return Err(match (clock.start(), clock.date(clock.steps.saturating_sub(1))) {
                    (Some(a), Some(b)) => e
                        .with_valid(format!("the first day of a step from {a} to {b}"))
                        .with_help(format!("give the first day of a step from {a} to {b}")),
                    _ => e.with_help("this model's steps have no dates: leave branch_at out"),
                });
            }
            Some(k) if clock.date(k) != Some(d) => {
                return Err(error(format!(
                    "scenario.branch_at = {d} is not the first day of a step: the run's steps begin on {}",
                    week_start_names(&clock)
                ))
                .with_help(step_starts_around(&clock, k)));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The weekday the steps of a weekly clock begin on ("Mondays"), or "every day".
pub fn week_start_names(clock: &perelom_engine::Clock) -> String {
    use chrono::Datelike;
    match (clock.start(), clock.unit()) {
        (Some(d), Some(perelom_engine::StepUnit::Week)) => {
            let day = match d.weekday() {
                chrono::Weekday::Mon => "Mondays",
                chrono::Weekday::Tue => "Tuesdays",
                chrono::Weekday::Wed => "Wednesdays",
                chrono::Weekday::Thu => "Thursdays",
                chrono::Weekday::Fri => "Fridays",
                chrono::Weekday::Sat => "Saturdays",
                chrono::Weekday::Sun => "Sundays",
            };
            day.to_string()
        }
        _ => "every day".to_string(),
    }
}

/// A help text naming the first days of step `k` and of the step after it, for a date
/// that falls inside step `k`.
pub fn step_starts_around(clock: &perelom_engine::Clock, k: u32) -> String {
    match (clock.date(k), clock.date(k + 1).filter(|_| k + 1 < clock.steps)) {
        (Some(a), Some(b)) => format!("the nearest first days of a step are {a} and {b}"),
        (Some(a), None) => format!("the nearest first day of a step is {a}"),
        _ => String::new(),
    }
}

/// About how many bytes one run of the scenario holds at its peak: its agents at the
/// model's measured [`ModelInfo::bytes_per_agent`], and 16 MiB for the program.
pub fn memory_estimate(scenario: &Scenario) -> Option<f64> {
    let info = model_of(scenario).ok()?;
    Some((info.population)(scenario) * info.bytes_per_agent + 16.0 * 1024.0 * 1024.0)
}

/// The first and last days of a scenario's run, for models whose steps are dated (`None`
/// for models of bare steps). Known without building the model.
pub fn run_window(scenario: &Scenario) -> Option<(NaiveDate, NaiveDate)> {
    let clock = (model(&scenario.meta.model)?.calendar?)(scenario);
    Some((clock.start()?, clock.last_day()?))
}

/// What is allowed in a scenario but probably not meant: dated events (parameters the
/// schema declares with [`ParamSpec::event`]) whose date lies outside the run.
pub fn warnings(scenario: &Scenario) -> Vec<ScenarioWarning> {
    let mut out = match run_window(scenario) {
        Some((first, last)) => scenario.events_outside(first, last),
        None => Vec::new(),
    };
    out.extend(unknown_facts(scenario));
    out
}

/// Citations that name a fact id (`F` and two digits) missing from the evidence table: a
/// value cited as evidence must point at evidence a user can read (`perelom facts`).
fn unknown_facts(scenario: &Scenario) -> Vec<ScenarioWarning> {
    let mut out = Vec::new();
    for p in &scenario.params {
        let text = p.cite.text();
        let b = text.as_bytes();
        let mut missing: Vec<String> = Vec::new();
        for i in 0..b.len().saturating_sub(2) {
            let starts = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            let ends = i + 3 >= b.len() || !b[i + 3].is_ascii_alphanumeric();
            if starts && ends && b[i] == b'F' && b[i + 1].is_ascii_digit() && b[i + 2].is_ascii_digit() {
                let id = &text[i..i + 3];
                if crate::facts::fact(id).is_none() && !missing.iter().any(|m| m == id) {
                    missing.push(id.to_string());
                }
            }
        }
        if missing.is_empty() {
            continue;
        }
        let (file, position) = match &p.origin {
            perelom_scenario::Origin::File { line, column } => (scenario.file.clone(), Some((*line, *column))),
            other => (other.describe(&scenario.file), None),
        };
        out.push(ScenarioWarning {
            key: p.spec.key.to_string(),
            file,
            position,
            message: format!("`{}` cites {}, which the evidence table does not have", p.spec.key, missing.join(", ")),
            help: Some(
                "the facts are F01-F40 (perelom facts); cite one of them, another reference, or say why the value is assumed".into(),
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_parses_and_builds() {
        for b in builtin_scenarios() {
            let s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            check(&s).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            let sim = build(&s).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert!(warnings(&s).is_empty(), "{}: {:?}", b.name, warnings(&s));
            if let Some((first, last)) = run_window(&s) {
                assert_eq!((Some(first), Some(last)), (sim.clock().start(), sim.clock().last_day()), "{}", b.name);
            }
        }
        assert!(builtin(DEFAULT_SCENARIO).is_some());
    }

    /// Every embedded experiment parses, changes its baseline's model, and is the file in
    /// `experiments/` (so `perelom compare` and the explorer run the same experiment).
    #[test]
    fn every_builtin_experiment_parses_against_its_baseline() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().filter_map(|e| e.file_name().to_str().map(str::to_string)).filter(|n| n.ends_with(".toml")).collect())
            .unwrap_or_default();
        on_disk.sort();
        let mut embedded: Vec<String> = EXPERIMENTS.iter().map(|(_, e)| format!("{}.toml", e.name)).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
        for (baseline, e) in EXPERIMENTS {
            let base = builtin(baseline).map(|b| load_scenario_text(b.name, b.text)).unwrap_or_else(|| panic!("{baseline}"));
            let x = load_scenario_text(e.name, e.text).unwrap_or_else(|err| panic!("{}: {err}", e.name));
            assert_eq!(Some(x.meta.model.as_str()), base.as_ref().ok().map(|b| b.meta.model.as_str()), "{}", e.name);
            assert_eq!(x.meta.name, e.description, "{}", e.name);
            assert!(!x.changes().is_empty(), "{} changes nothing", e.name);
            check(&x).unwrap_or_else(|err| panic!("{}: {err}", e.name));
            assert_eq!(builtin_experiment(e.name).map(|(b, _)| b), Some(*baseline));
            assert!(builtin_experiments(baseline).iter().any(|x| x.name == e.name));
        }
    }
}

#[cfg(test)]
mod baseline_tests {
    use super::*;

    /// The schema's defaults are the baseline's values, so a scenario file that omits a
    /// key gets the historical baseline, and a calibration edits both at once.
    #[test]
    fn ussr_schema_defaults_equal_the_baseline_file() {
        let b = builtin("ussr-1928-1929").expect("baseline is built in");
        let s = load_scenario_text(b.name, b.text).expect("baseline parses");
        for p in &s.params {
            assert_eq!(p.value, p.spec.default, "{} differs between the file and the schema", p.spec.key);
            assert_eq!(p.cite, p.spec.cite, "{} is cited differently in the file and the schema", p.spec.key);
        }
    }
}
