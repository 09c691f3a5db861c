//! `perelom metrics [MODEL]`: the data dictionary of a model's outputs.

use crate::cli::MetricsArgs;
use crate::error::CliError;
use perelom_engine::{Quantity, Table};
use perelom_scenario::Scenario;
use std::process::ExitCode;

pub fn print(args: MetricsArgs) -> Result<ExitCode, CliError> {
    let models: Vec<&str> = perelom_models::model_names().to_vec();
    let chosen: Vec<(String, Scenario)> = match args.model.as_deref() {
        None => models.iter().filter_map(|m| baseline_of(m)).collect(),
        Some(name) => {
            let by_model = baseline_of(name);
            let by_builtin = perelom_models::builtin(name).and_then(|b| perelom_models::load_scenario_text(b.name, b.text).ok());
            match (by_model, by_builtin) {
                (Some(x), _) => vec![x],
                (None, Some(s)) => vec![(s.meta.model.clone(), s)],
                (None, None) => {
                    return Err(CliError::Message(format!(
                        "unknown model `{}`\n  help: models: {} (or a built-in scenario name, see `perelom scenarios`)",
                        name.chars().take(60).collect::<String>(),
                        models.join(", ")
                    )))
                }
            }
        }
    };
    let mut out_tables: Vec<(String, String, Table)> = Vec::new();
    for (model, mut s) in chosen {
        // One short step of a tiny population gives every table its columns.
        if s.get("population.scale").is_some() {
            s.set_by("population.scale=0.0001", "perelom metrics")?;
        }
        if s.get("grid.width").is_some() {
            s.set_by("grid.width=10", "perelom metrics")?;
            s.set_by("grid.height=10", "perelom metrics")?;
        }
        s.set_by("run.steps=1", "perelom metrics")?;
        let mut sim = perelom_models::build(&s)?;
        sim.step();
        out_tables.push((model.clone(), "metrics".to_string(), sim.metrics()));
        for (name, t) in sim.tables() {
            out_tables.push((model.clone(), name, t));
        }
    }
    if args.csv {
        let named: Vec<(String, &Table)> = out_tables.iter().map(|(m, n, t)| (format!("{m}/{n}"), t)).collect();
        let refs: Vec<(&str, &Table)> = named.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let mut buf = Vec::new();
        perelom_output::write_csv(&perelom_output::dictionary(&refs), &mut buf).map_err(|e| CliError::Message(e.to_string()))?;
        out!("{}", String::from_utf8_lossy(&buf));
        return Ok(ExitCode::SUCCESS);
    }
    let mut model = String::new();
    for (m, name, t) in &out_tables {
        if *m != model {
            outln!("# Model {m}\n");
            model = m.clone();
        }
        outln!("## {name}.csv (or {name}.parquet)\n");
        let nw = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let uw = t.columns.iter().filter_map(|c| c.doc.as_ref()).map(|d| d.unit.chars().count()).max().unwrap_or(0);
        for c in &t.columns {
            match &c.doc {
                Some(d) => outln!("  {:<nw$}  {:<10}  {:<uw$}  {}", c.name, d.kind.word(), d.unit, d.doc),
                None => outln!("  {:<nw$}  (not described)", c.name),
            }
        }
        outln!();
    }
    outln!("Kinds:");
    for q in Quantity::ALL {
        outln!("  {:<10}  {}", q.word(), q.meaning());
    }
    outln!(
        "\nEvery run writes this dictionary as dictionary.csv, and Parquet tables carry it as field metadata (description, unit, kind)."
    );
    Ok(ExitCode::SUCCESS)
}

/// The first built-in scenario of `model`.
fn baseline_of(model: &str) -> Option<(String, Scenario)> {
    perelom_models::builtin_scenarios()
        .iter()
        .filter_map(|b| perelom_models::load_scenario_text(b.name, b.text).ok())
        .find(|s| s.meta.model == model)
        .map(|s| (model.to_string(), s))
}
