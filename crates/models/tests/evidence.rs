//! The evidence behind every citation is in the repository: every fact id that a
//! parameter, a scenario, an experiment, a target or the documentation names is in
//! Perelom's evidence table, and docs/EVIDENCE.md is generated from that table.

use perelom_models::facts;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn unknown_ids(text: &str) -> Vec<String> {
    facts::resolve(text).1
}

/// Files of `dir` (relative to the repository) with extension `ext`.
fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn every_fact_id_cited_by_a_parameter_is_in_the_evidence_table() {
    let mut cited = 0;
    for model in perelom_models::model_names() {
        for p in perelom_models::schema_for(model).expect("schema") {
            for text in [p.cite.text(), p.doc.to_string()] {
                assert!(unknown_ids(&text).is_empty(), "{model}: `{}` cites unknown facts {:?}: {text}", p.key, unknown_ids(&text));
                cited += facts::cited_ids(&text).len();
            }
        }
    }
    assert!(cited > 100, "the schemas cite facts ({cited} citations)");
}

#[test]
fn every_fact_id_in_scenarios_experiments_and_docs_is_in_the_evidence_table() {
    let mut checked = Vec::new();
    for (dir, ext) in [("scenarios", "toml"), ("experiments", "toml"), ("sweeps", "toml"), ("docs", "md")] {
        for f in files(dir, ext) {
            let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let bad = unknown_ids(&text);
            assert!(bad.is_empty(), "{} cites facts that are not in the table: {bad:?}", f.display());
            checked.push(f);
        }
    }
    for b in perelom_models::builtin_scenarios() {
        let s = perelom_models::load_scenario_text(b.name, b.text).expect("built-in scenario parses");
        for p in &s.params {
            assert!(unknown_ids(&p.cite.text()).is_empty(), "{}: `{}`", b.name, p.spec.key);
        }
    }
    for t in perelom_models::ussr::targets::targets() {
        assert!(unknown_ids(t.facts).is_empty() && unknown_ids(&t.text).is_empty(), "target {}", t.id);
        assert!(!facts::cited_ids(t.facts).is_empty(), "target {} names its facts", t.id);
    }
    for m in perelom_models::ussr::metrics::METRICS {
        assert!(unknown_ids(m.5).is_empty(), "metric {}", m.0);
    }
    assert!(checked.len() >= 5, "{checked:?}");
}

#[test]
fn docs_evidence_md_is_generated_from_the_table() {
    let path = repo().join("docs/EVIDENCE.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == facts::markdown(),
        "docs/EVIDENCE.md is not the table's current text: run `perelom facts --markdown > docs/EVIDENCE.md`"
    );
}
