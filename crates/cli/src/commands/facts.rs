//! `perelom facts [ID]`: Perelom's evidence table, or one fact with what cites it.

use crate::cli::FactsArgs;
use crate::error::CliError;
use perelom_models::facts::{self, Fact};
use std::process::ExitCode;

pub fn print(args: FactsArgs) -> Result<ExitCode, CliError> {
    if args.markdown {
        out!("{}", facts::markdown());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(id) = args.id else {
        let st = facts::study();
        outln!(
            "Perelom's evidence table: {} facts, each a paraphrase of {} with the study's footnotes (fn).",
            facts::facts().len(),
            st.full
        );
        outln!("Where the table and the study differ, the study wins. `perelom facts F09` shows one fact and what cites it.\n");
        for f in facts::facts() {
            print_fact(f);
        }
        return Ok(ExitCode::SUCCESS);
    };
    let Some(f) = facts::fact(&id) else {
        let help = match facts::suggest(&id) {
            Some(s) => format!("did you mean {s}? The facts are F01 to F40 (`perelom facts` lists them)"),
            None => "the facts are F01 to F40 (`perelom facts` lists them)".to_string(),
        };
        return Err(CliError::Message(format!("unknown fact `{}`\n  help: {help}", id.chars().take(40).collect::<String>())));
    };
    print_fact(f);
    let mut cited = Vec::new();
    for b in perelom_models::builtin_scenarios() {
        let Ok(s) = perelom_models::load_scenario_text(b.name, b.text) else { continue };
        for p in &s.params {
            if facts::of_cite(&p.cite).iter().any(|x| x.id == f.id) {
                cited.push(format!("{} ({}): {}: {}", p.spec.key, b.name, p.cite.kind(), p.cite.text()));
            }
        }
    }
    for m in perelom_models::models() {
        for t in m.targets().map(|t| (t.list)()).unwrap_or_default() {
            if facts::cited_ids(t.facts).contains(&f.id) {
                cited.push(format!("target {}: {} ({})", t.id, t.text, t.facts));
            }
        }
    }
    if cited.is_empty() {
        outln!("No parameter or target of the built-in scenarios cites {}.", f.id);
    } else {
        outln!("Cited by:");
        for c in cited {
            outln!("  {c}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_fact(f: &Fact) {
    outln!("{} (Gusev 2008, fn {})", f.id, f.footnotes_text());
    for line in wrap(&f.text, 88) {
        outln!("    {line}");
    }
    outln!();
}

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}
