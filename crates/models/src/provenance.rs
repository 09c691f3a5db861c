//! Where every value comes from, in words and in JSON: citations with the text of the
//! facts they name, and the differences from the baseline — for `perelom sources`, the
//! run manifest, the HTML report, the web explorer and the Python package alike.

use crate::facts;
use perelom_scenario::{Cite, Param, Scenario};
use serde_json::{json, Value};

/// `source: F38: 24 Sep 1928`, `mechanism: F05; value assumed: share assumed`,
/// `assumed: ...`, `uncited`.
pub fn cite_line(c: &Cite) -> String {
    match c {
        Cite::Uncited => "uncited (no source given)".to_string(),
        c => format!("{}: {}", c.kind(), c.text()),
    }
}

/// `F38 (fn 53, 54): In autumn 1928 ...` for each fact a citation names.
pub fn fact_lines(c: &Cite) -> Vec<String> {
    facts::of_cite(c).into_iter().map(|f| format!("{} (fn {}): {}", f.id, f.footnotes_text(), f.text)).collect()
}

/// The JSON of a citation: its kind, its texts by annotation key, and the facts it names.
pub fn cite_json(c: &Cite) -> Value {
    let mut o = json!({ "citation": c.kind() });
    match c {
        Cite::Source(t) => o["source"] = json!(t),
        Cite::Assumed(t) => o["assumed"] = json!(t),
        Cite::Mechanism { mechanism, assumed } => {
            o["mechanism"] = json!(mechanism);
            o["assumed"] = json!(assumed);
        }
        Cite::Uncited => {}
    }
    let f: Vec<Value> = facts::of_cite(c).into_iter().map(|f| json!({ "id": f.id, "footnotes": f.footnotes, "text": f.text })).collect();
    if !f.is_empty() {
        o["facts"] = json!(f);
    }
    o
}

/// One parameter for the manifest: key, value, citation, where it was set, and whether
/// (and from what) it differs from the baseline.
pub fn param_json(s: &Scenario, p: &Param) -> Value {
    let mut o = json!({ "key": p.spec.key, "value": p.value.to_string() });
    merge(&mut o, cite_json(&p.cite));
    o["set_in"] = json!(p.origin.describe(&s.file));
    let changed = s.is_changed(p);
    o["changed"] = json!(changed);
    if changed {
        let mut b = json!({ "value": p.spec.baseline_text() });
        merge(&mut b, cite_json(&p.spec.cite));
        o["baseline"] = b;
    }
    o
}

/// Every difference from the baseline, for the manifest: key, value, citation, where it
/// was set, and the baseline's value and citation.
pub fn changes_json(s: &Scenario) -> Value {
    json!(s
        .changes()
        .into_iter()
        .map(|p| json!({
            "key": p.spec.key,
            "value": p.value.to_string(),
            "citation": cite_line(&p.cite),
            "set_in": p.origin.describe(&s.file),
            "baseline": p.spec.baseline_text(),
            "baseline_citation": cite_line(&p.spec.cite),
        }))
        .collect::<Vec<_>>())
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

/// Counts of the citation kinds: source, mechanism, assumed, uncited.
pub fn counts(s: &Scenario) -> [usize; 4] {
    let mut n = [0; 4];
    for p in &s.params {
        n[match p.cite {
            Cite::Source(_) => 0,
            Cite::Mechanism { .. } => 1,
            Cite::Assumed(_) => 2,
            Cite::Uncited => 3,
        }] += 1;
    }
    n
}

/// `140 parameters: 40 with the value from the evidence, 47 with the mechanism from the
/// evidence and the value assumed, 53 assumed, 0 uncited`.
pub fn counts_line(s: &Scenario) -> String {
    let [src, mech, ass, unc] = counts(s);
    format!(
        "{} parameters: {src} with the value from the evidence (source), {mech} with the mechanism from the evidence and the value assumed (mechanism), {ass} assumed, {unc} uncited",
        s.params.len()
    )
}
