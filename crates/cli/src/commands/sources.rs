use crate::cli::SourcesArgs;
use crate::error::CliError;
use perelom_models::facts;
use perelom_models::provenance::{cite_line, counts_line, fact_lines};
use perelom_scenario::Param;
use std::collections::BTreeSet;
use std::process::ExitCode;

/// Prints every parameter with its value and where the value comes from, the text of the
/// facts cited, and (with `--changed`) only the differences from the baseline.
pub fn print(args: SourcesArgs) -> Result<ExitCode, CliError> {
    let s = perelom_experiments::source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    let rows: Vec<&Param> =
        s.params.iter().filter(|p| !args.assumed_only || p.cite.is_assumed()).filter(|p| !args.changed || s.is_changed(p)).collect();
    if args.markdown {
        outln!("| parameter | value | evidence | source or reason | facts | set in | baseline |");
        outln!("|---|---|---|---|---|---|---|");
        for p in rows {
            let facts: Vec<String> =
                facts::of_cite(&p.cite).iter().map(|f| format!("{} (fn {}): {}", f.id, f.footnotes_text(), f.text)).collect();
            let baseline =
                if s.is_changed(p) { format!("{} ({})", p.spec.baseline_text(), cite_line(&p.spec.cite)) } else { "unchanged".into() };
            outln!(
                "| `{}` | {} | {} | {} | {} | {} | {} |",
                p.spec.key,
                md(&p.value.to_string()),
                p.cite.kind(),
                md(&p.cite.text()),
                md(&facts.join("<br>")),
                md(&p.origin.describe(&s.file)),
                md(&baseline)
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let changed = s.changes().len();
    outln!("{} ({}): {}; {changed} changed from the baseline\n", s.meta.name, s.file, counts_line(&s));
    if args.changed && rows.is_empty() {
        outln!("No value differs from the baseline of model \"{}\".", s.meta.model);
        return Ok(ExitCode::SUCCESS);
    }
    let kw = rows.iter().map(|p| p.spec.key.len()).max().unwrap_or(0);
    let vw = rows.iter().map(|p| short(&p.value.to_string()).chars().count()).max().unwrap_or(0).min(24);
    let mut shown: BTreeSet<String> = BTreeSet::new();
    for p in rows {
        let text = match &p.cite {
            perelom_scenario::Cite::Uncited => "no source given".to_string(),
            c => c.text(),
        };
        outln!("{:<kw$}  {:<vw$}  {:<9}  {text}", p.spec.key, short(&p.value.to_string()), p.cite.kind());
        let pad = " ".repeat(kw + 2);
        if s.is_changed(p) || args.changed {
            outln!("{pad}set in {}; baseline {} ({})", p.origin.describe(&s.file), p.spec.baseline_text(), cite_line(&p.spec.cite));
        }
        for (f, line) in facts::of_cite(&p.cite).into_iter().zip(fact_lines(&p.cite)) {
            if shown.insert(f.id.clone()) {
                outln!("{pad}{line}");
            } else {
                outln!("{pad}{} (fn {}): see above", f.id, f.footnotes_text());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
