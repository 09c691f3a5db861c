//! Finding a scenario: a built-in name or a file path, then `key=value` overrides.

use crate::Error;
use perelom_models::registry::DEFAULT_SCENARIO;
use perelom_scenario::Scenario;
use std::path::Path;

/// Loads `arg` (a built-in scenario name or a TOML file; the default scenario when
/// `None`) and applies the `key=value` overrides in order, recorded as set by `--set`.
///
/// Errors: no such file or built-in scenario (with the built-in names), an unreadable
/// file, a scenario error (with its position), an override that fails its checks.
pub fn load(arg: Option<&str>, sets: &[String]) -> Result<Scenario, Error> {
    load_by(arg, sets, "--set")
}

/// [`load`] with the overrides recorded as set by `by` (e.g. a design file's `set`).
///
/// Errors: as [`load`].
pub fn load_by(arg: Option<&str>, sets: &[String], by: &str) -> Result<Scenario, Error> {
    let name = arg.unwrap_or(DEFAULT_SCENARIO);
    let mut scenario = if let Some(b) = perelom_models::builtin(name) {
        perelom_models::load_scenario_text(b.name, b.text)?
    } else {
        let path = Path::new(name);
        if !path.exists() {
            let builtins: Vec<&str> = perelom_models::builtin_scenarios().iter().map(|b| b.name).collect();
            return Err(Error::Message(format!(
                "no scenario file {name}, and no built-in scenario of that name\n  help: built-in scenarios: {} (see `perelom scenarios`)",
                builtins.join(", ")
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read scenario file {name}: {e}"))?;
        perelom_models::load_scenario_text(name, &text)?
    };
    for s in sets {
        scenario.set_by(s, by)?;
    }
    Ok(scenario)
}
