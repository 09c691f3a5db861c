use crate::cli::SourcesArgs;
use crate::error::CliError;
use crate::scenario_source;
use perelom_scenario::Cite;
use std::process::ExitCode;

/// Prints every parameter with its value and where the value comes from.
pub fn print(args: SourcesArgs) -> Result<ExitCode, CliError> {
    let s = scenario_source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    let rows: Vec<_> = s.params.iter().filter(|p| !args.assumed_only || p.cite.is_assumed()).collect();
    let (n_src, n_ass) = s.params.iter().fold((0, 0), |(a, b), p| if p.cite.is_assumed() { (a, b + 1) } else { (a + 1, b) });
    if args.markdown {
        outln!("| parameter | value | evidence | source or reason |");
        outln!("|---|---|---|---|");
        for p in rows {
            let (kind, text) = split(&p.cite);
            outln!("| `{}` | {} | {kind} | {} |", p.spec.key, md(&p.value.to_string()), md(text));
        }
    } else {
        outln!("{} ({}): {} parameters, {n_src} sourced, {n_ass} assumed\n", s.meta.name, s.file, s.params.len());
        let kw = rows.iter().map(|p| p.spec.key.len()).max().unwrap_or(0);
        let vw = rows.iter().map(|p| short(&p.value.to_string()).chars().count()).max().unwrap_or(0).min(24);
        for p in rows {
            let (kind, text) = split(&p.cite);
            outln!("{:<kw$}  {:<vw$}  {kind:<7}  {text}", p.spec.key, short(&p.value.to_string()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn split(c: &Cite) -> (&'static str, &str) {
    match c {
        Cite::Source(t) => ("source", t),
        Cite::Assumed(t) => ("assumed", t),
    }
}

fn short(v: &str) -> String {
    if v.chars().count() > 24 {
        format!("{}…", v.chars().take(23).collect::<String>())
    } else {
        v.to_string()
    }
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
