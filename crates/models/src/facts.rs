//! Perelom's evidence table: the facts F01–F40 that citations name.
//!
//! The table is `crates/models/data/facts.toml`, embedded in the binary: for each fact
//! its id, Perelom's own paraphrase of Gusev 2008 and the study's footnote numbers.
//! `perelom facts` prints it, `docs/EVIDENCE.md` is generated from it ([`markdown`]),
//! and every fact id cited by a parameter or scenario must be in it (a test checks).

use serde::Deserialize;
use std::sync::OnceLock;

/// One fact of the evidence table.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// `F01` to `F40`.
    pub id: String,
    /// The study's footnote numbers; empty when the fact is the study's own text.
    pub footnotes: Vec<u32>,
    /// Perelom's paraphrase.
    pub text: String,
}

impl Fact {
    /// The footnotes as people write them: `4`, `5, 6`, `20–22`, or `–` for none.
    pub fn footnotes_text(&self) -> String {
        if self.footnotes.is_empty() {
            return "–".to_string();
        }
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        let f = &self.footnotes;
        while i < f.len() {
            let mut j = i;
            while j + 1 < f.len() && f[j + 1] == f[j] + 1 {
                j += 1;
            }
            parts.push(if j >= i + 2 {
                format!("{}–{}", f[i], f[j])
            } else {
                f[i..=j].iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            });
            i = j + 1;
        }
        parts.join(", ")
    }
}

/// The study the facts paraphrase.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// How citations name it: `Gusev 2008`.
    pub short: String,
    /// The full reference.
    pub full: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    source: Study,
    fact: Vec<Fact>,
}

const TABLE: &str = include_str!("../data/facts.toml");

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    // The table is part of the build, not user input; a test parses it.
    T.get_or_init(|| toml::from_str(TABLE).unwrap_or_else(|e| panic!("crates/models/data/facts.toml: {e}")))
}

/// Every fact, in id order.
pub fn facts() -> &'static [Fact] {
    &table().fact
}

/// The study the facts paraphrase.
pub fn study() -> &'static Study {
    &table().source
}

/// The fact with id `id` (`F09`; `f9` and `F9` are read as `F09`).
pub fn fact(id: &str) -> Option<&'static Fact> {
    let id = normalize(id)?;
    facts().iter().find(|f| f.id == id)
}

fn normalize(id: &str) -> Option<String> {
    let digits = id.trim().strip_prefix(['F', 'f'])?;
    let n: u32 = digits.parse().ok()?;
    Some(format!("F{n:02}"))
}

/// The closest fact id to a wrong one, for "did you mean".
pub fn suggest(id: &str) -> Option<&'static str> {
    let up = id.trim().to_uppercase();
    facts().iter().map(|f| (strsim_distance(&up, &f.id), f.id.as_str())).filter(|(d, _)| *d <= 1).min_by_key(|(d, _)| *d).map(|(_, id)| id)
}

fn strsim_distance(a: &str, b: &str) -> usize {
    // Levenshtein distance; ids are short.
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The fact ids a text names, in order of first mention: `F` followed by two digits,
/// standing alone (`F08, F17`, `F03-F38`, `(F33)`), not inside a longer word or number.
pub fn cited_ids(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    for i in 0..b.len() {
        let starts = b[i] == b'F' && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        let two = b.get(i + 1).is_some_and(u8::is_ascii_digit) && b.get(i + 2).is_some_and(u8::is_ascii_digit);
        let ends = !b.get(i + 3).is_some_and(|c| c.is_ascii_alphanumeric());
        if starts && two && ends {
            let id = text[i..i + 3].to_string();
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// The cited facts of a text, with the ids that are not in the table.
pub fn resolve(text: &str) -> (Vec<&'static Fact>, Vec<String>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for id in cited_ids(text) {
        match fact(&id) {
            Some(f) => known.push(f),
            None => unknown.push(id),
        }
    }
    (known, unknown)
}

/// The facts a citation names in its evidence (source or mechanism) text.
pub fn of_cite(cite: &perelom_scenario::Cite) -> Vec<&'static Fact> {
    resolve(cite.evidence_text()).0
}

/// `docs/EVIDENCE.md`: the table as Markdown.
pub fn markdown() -> String {
    let s = study();
    let mut out = String::new();
    out.push_str("# Evidence: the facts F01–F40\n\n");
    out.push_str("<!-- Generated by `perelom facts --markdown` from crates/models/data/facts.toml; edit that file, not this one. -->\n\n");
    out.push_str(&format!(
        "Every citation of a fact id (`F09`) in Perelom's parameters, scenarios and documents refers to this table. \
         Each fact is Perelom's own paraphrase of {}, with the study's footnote numbers (fn; – for the study's own text). \
         Where this table and the study differ, the study wins.\n\n",
        s.full
    ));
    out.push_str("`perelom facts` prints the table, `perelom facts F09` one fact with the parameters that cite it.\n\n");
    out.push_str("| id | fact | fn |\n|---|---|---|\n");
    for f in facts() {
        out.push_str(&format!("| {} | {} | {} |\n", f.id, f.text.replace('|', "\\|"), f.footnotes_text()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_forty_facts_in_order_each_with_text() {
        let f = facts();
        assert_eq!(f.len(), 40);
        for (i, x) in f.iter().enumerate() {
            assert_eq!(x.id, format!("F{:02}", i + 1));
            assert!(x.text.len() > 40, "{}", x.id);
            assert!(x.footnotes.windows(2).all(|w| w[0] < w[1]) && x.footnotes.iter().all(|&n| (1..=55).contains(&n)), "{}", x.id);
        }
        assert_eq!(study().short, "Gusev 2008");
    }

    #[test]
    fn ids_are_found_in_citations() {
        assert_eq!(cited_ids("F08, F17: prices"), ["F08", "F17"]);
        assert_eq!(cited_ids("dated events F03-F38 (F33)"), ["F03", "F38", "F33"]);
        assert!(cited_ids("F123, XF12, F1, FF12x, F12a").is_empty());
        assert_eq!(cited_ids("F09F10"), Vec::<String>::new());
        assert_eq!(fact("f9").map(|f| f.id.as_str()), Some("F09"));
        assert!(fact("F41").is_none() && fact("x").is_none() && fact("F").is_none());
        assert_eq!(suggest("F4O"), Some("F40"));
        assert_eq!(suggest("G12"), Some("F12"));
    }

    #[test]
    fn footnotes_read_as_people_write_them() {
        let f = |n: &[u32]| Fact { id: "F00".into(), footnotes: n.to_vec(), text: String::new() }.footnotes_text();
        assert_eq!(f(&[]), "–");
        assert_eq!(f(&[4]), "4");
        assert_eq!(f(&[5, 6]), "5, 6");
        assert_eq!(f(&[20, 21, 22]), "20–22");
        assert_eq!(f(&[17, 18, 19, 30]), "17–19, 30");
    }
}
