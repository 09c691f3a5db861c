//! Finding a scenario: a built-in name or a file path, then `--set` overrides.

use crate::error::CliError;
use perelom_models::registry::DEFAULT_SCENARIO;
use perelom_scenario::Scenario;
use std::path::Path;

/// Loads `arg` (a built-in scenario name or a TOML file; the default scenario when
/// `None`) and applies the `--set key=value` overrides in order.
pub fn load(arg: Option<&str>, sets: &[String]) -> Result<Scenario, CliError> {
    load_with(arg, sets, "--set")
}

/// [`load`] with overrides that come from `origin` (a design file's `set` list, ...),
/// which errors name.
pub fn load_with(arg: Option<&str>, sets: &[String], origin: &str) -> Result<Scenario, CliError> {
    let name = arg.unwrap_or(DEFAULT_SCENARIO);
    let mut scenario = if let Some(b) = perelom_models::builtin(name) {
        perelom_models::load_scenario_text(b.name, b.text)?
    } else {
        let path = Path::new(name);
        if !path.exists() {
            let builtins: Vec<&str> = perelom_models::builtin_scenarios().iter().map(|b| b.name).collect();
            return Err(CliError::Message(format!(
                "no scenario file {name}, and no built-in scenario of that name\n  help: built-in scenarios: {} (see `perelom scenarios`)",
                builtins.join(", ")
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read scenario file {name}: {e}"))?;
        perelom_models::load_scenario_text(name, &text)?
    };
    for s in sets {
        scenario.set_from(origin, s)?;
    }
    Ok(scenario)
}
