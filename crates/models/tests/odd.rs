//! The model description `docs/ODD.md` must account for every fact of the evidence
//! table that the model is meant to implement (kinds M, P, E, I in
//! `shared/brief/FACTS.md`), and must keep the seven ODD elements as its sections.

use std::collections::BTreeSet;
use std::path::Path;

const ODD: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ODD.md"));

/// Fact ids whose "becomes" column in FACTS.md names a mechanism (M), parameter (P),
/// scheduled event (E) or initial condition (I). F18 counts (its "optional P"); F01
/// (model scope), F26 and F31 (context), F40 (the experiments) and the pure targets
/// F11, F13, F32, F37 do not.
const IMPLEMENTED: &[&str] = &[
    "F02", "F03", "F04", "F05", "F06", "F07", "F08", "F09", "F10", "F12", "F14", "F15", "F16", "F17", "F18", "F19", "F20", "F21", "F22",
    "F23", "F24", "F25", "F27", "F28", "F29", "F30", "F33", "F34", "F35", "F36", "F38", "F39",
];

/// The seven elements of the ODD protocol, as top-level headings.
const ODD_SECTIONS: [&str; 7] = [
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
];

/// Whether `word` occurs in `text` with no letter, digit or underscore on either side.
fn has_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// The text of the top-level (`## `) section whose heading contains `name`, up to the
/// next top-level heading.
fn section<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let mut start = None;
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let is_top = line.starts_with("## ");
        if let Some(s) = start {
            if is_top {
                return Some(&doc[s..offset]);
            }
        } else if is_top && line.contains(name) {
            start = Some(offset);
        }
        offset += line.len();
    }
    start.map(|s| &doc[s..])
}

/// Ids of FACTS.md rows whose "becomes" column marks an M, P, E or I: a one-letter
/// token among M, P, E, I (as in "M:", "P/M", "I: ... E: ...", "optional P").
fn implemented_in_facts(facts: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in facts.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[0].starts_with('F') || !cells[0][1..].chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let becomes = cells[cells.len() - 1];
        let marked = becomes.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| matches!(t, "M" | "P" | "E" | "I"));
        if marked {
            out.insert(cells[0].to_string());
        }
    }
    out
}

#[test]
fn odd_has_the_seven_elements() {
    for name in ODD_SECTIONS {
        let found = ODD.lines().any(|l| l.starts_with("## ") && l.contains(name));
        assert!(found, "docs/ODD.md lacks the top-level section \"{name}\"");
    }
    assert!(section(ODD, "Fact coverage").is_some(), "docs/ODD.md lacks the section \"Fact coverage\"");
    assert!(section(ODD, "Targets").is_some(), "docs/ODD.md lacks the section \"Targets\"");
}

#[test]
fn every_implemented_fact_is_covered() {
    let coverage = section(ODD, "Fact coverage").expect("docs/ODD.md has a \"Fact coverage\" section");
    let missing: Vec<&str> = IMPLEMENTED.iter().copied().filter(|id| !has_word(coverage, id)).collect();
    assert!(missing.is_empty(), "facts absent from the Fact coverage section of docs/ODD.md: {missing:?}");
    // Every fact, context and targets included, has its row.
    let rows: Vec<String> = (1..=40).map(|i| format!("F{i:02}")).filter(|id| !coverage.contains(&format!("| {id} |"))).collect();
    assert!(rows.is_empty(), "facts without a row in the Fact coverage table: {rows:?}");
}

#[test]
fn embedded_list_matches_facts_md() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/brief/FACTS.md");
    let Ok(facts) = std::fs::read_to_string(&path) else {
        eprintln!("{} not found: skipping the comparison with the evidence table", path.display());
        return;
    };
    let parsed = implemented_in_facts(&facts);
    assert!(!parsed.is_empty(), "no fact rows parsed from {}", path.display());
    let embedded: BTreeSet<String> = IMPLEMENTED.iter().map(|s| s.to_string()).collect();
    let extra: Vec<&String> = embedded.difference(&parsed).collect();
    let lacking: Vec<&String> = parsed.difference(&embedded).collect();
    assert!(extra.is_empty() && lacking.is_empty(), "IMPLEMENTED differs from FACTS.md: not there {extra:?}, missing here {lacking:?}");
}

#[test]
fn whole_word_matching() {
    assert!(has_word("see F05, F06", "F05"));
    assert!(has_word("| F05 |", "F05"));
    assert!(!has_word("F050", "F05"));
    assert!(!has_word("XF05", "F05"));
    let t = "| F18 | P | x | context (state budget; optional P) |\n| F11 | T | y | T: discipline |\n| F02 | M | z | M: two organizations |";
    let got: Vec<String> = implemented_in_facts(t).into_iter().collect();
    assert_eq!(got, ["F02", "F18"]);
}
