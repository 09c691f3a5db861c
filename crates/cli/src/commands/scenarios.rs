use crate::error::CliError;
use perelom_models::registry::DEFAULT_SCENARIO;
use std::process::ExitCode;

pub fn list() -> Result<ExitCode, CliError> {
    let w = perelom_models::builtin_scenarios().iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in perelom_models::builtin_scenarios() {
        let mark = if b.name == DEFAULT_SCENARIO { " (default)" } else { "" };
        outln!("{:<w$}  {}{mark}", b.name, b.description);
    }
    Ok(ExitCode::SUCCESS)
}
