//! One module per subcommand.

mod calibrate;
mod compare;
mod run;
mod scenarios;
mod sensitivity;
mod serve;
mod sources;
mod sweep;
mod validate;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use std::process::ExitCode;

pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scenarios => scenarios::list(),
        Command::Sources(args) => sources::print(args),
        Command::Validate(args) => validate::validate(args),
        Command::Compare(args) => compare::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Survey(args) => {
            let path = args.dir.join("survey.md");
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CliError::Message(format!(
                    "cannot read {}: {e}\n  help: give a directory written by `perelom run` of the 1928-1929 model (it writes survey.md with every run)",
                    path.display()
                ))
            })?;
            out!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibrate(args) => calibrate::run(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Report(args) => {
            let p = crate::report::build(&args.dir, args.force)?;
            outln!("report: {}", p.join("index.html").display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve::run(args),
        Command::Template(args) => {
            let s = crate::scenario_source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
            out!("{}", s.to_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Builds the rayon pool for `--threads` (all cores by default).
pub(crate) fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool, CliError> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(usize::from(n));
    }
    b.build().map_err(|e| CliError::Message(format!("cannot start worker threads: {e}")))
}

/// Prints label/value rows as an aligned two-column table.
pub(crate) fn print_table(rows: &[(String, String)]) {
    let w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in rows {
        outln!("  {k:<w$}  {v}");
    }
}
