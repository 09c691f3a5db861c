//! The parser must answer every input with a scenario or an error, never a panic; and
//! valid values of every kind are read back as written.
//!
//! The toy schema has one parameter of every [`Kind`] (integer, number, boolean, choice,
//! date, list of numbers, text), so that every conversion and check of the parser and
//! of `--set` is reached by the generated inputs.

use chrono::NaiveDate;
use perelom_scenario::{parse, Cite, DatedEvent, Kind, ParamSpec, Scenario, ScenarioError, Value};
use proptest::prelude::*;

const WORDS: &[&str] = &["red", "green", "blue-grey"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {y}-{m}-{d}"))
}

fn schema() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("a.n", Kind::Int { min: 0, max: 10 }, Value::Int(1), "n", Cite::assumed("t")),
        ParamSpec::new("a.x", Kind::Float { min: 0.0, max: 1.0 }, Value::Float(0.5), "x", Cite::assumed("t")),
        ParamSpec::new("b.on", Kind::Bool, Value::Bool(true), "on", Cite::assumed("t")),
        ParamSpec::new("b.list", Kind::Floats { min: 0.0, max: 1.0, len: (0, 4) }, Value::Floats(vec![]), "l", Cite::assumed("t")),
        ParamSpec::new("c.word", Kind::Choice(WORDS), Value::Text("red".into()), "w", Cite::assumed("t")),
        ParamSpec::new("c.note", Kind::Text, Value::Text(String::new()), "t", Cite::assumed("t")),
        ParamSpec::new(
            "d.when",
            Kind::Date { min: date(1900, 1, 1), max: date(2000, 12, 31) },
            Value::Date(date(1928, 9, 24)),
            "d",
            Cite::assumed("t"),
        ),
        ParamSpec::new("d.event", Kind::Date { min: date(1900, 1, 1), max: date(2000, 1, 1) }, Value::Off, "e", Cite::assumed("t"))
            .event(DatedEvent::Occurs),
    ]
}

fn parse_toy(text: &str) -> Result<Scenario, ScenarioError> {
    parse("f.toml", text, &|m| (m == "toy").then(schema), &["toy"])
}

/// Right-hand sides of every kind, valid and not: TOML dates, date-times, times and
/// dates in quotes, out-of-range and impossible dates; choice words, near misses and
/// other types; text with escapes, unicode, literal and multi-line strings; numbers,
/// lists, tables.
fn rhs() -> impl Strategy<Value = String> {
    prop_oneof![
        // Dates.
        "(1[89]|20)[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "19[0-9]{2}-0[1-9]-[012][1-8]",
        "\"19[0-9]{2}-0[1-9]-[012][1-8]\"",
        "19[0-9]{2}-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9](Z|[+-]0[0-9]:00|\\.[0-9]{1,3})?",
        "[0-2][0-9]:[0-5][0-9]:[0-5][0-9]",
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}",
        // Choices.
        "\"(red|green|blue-grey|Red|gren|blue|)\"",
        "(red|green|blue-grey)",
        // Text.
        "\"([^\"\\\\\\n]|\\\\[nt\"\\\\]|\\\\u00[0-9a-f]{2}|\\\\x|\\\\){0,12}\"",
        "'[^'\\n]{0,12}'",
        "\"\"\"[^\"]{0,12}\"\"\"",
        "'''[^']{0,12}'''",
        "\"\\PC{0,8}\"",
        // Other types.
        "[-+]?[0-9]{0,3}(\\.[0-9]{0,3})?(e[-+]?[0-9]{1,3})?",
        "(true|false|inf|nan|-inf)",
        "\\[([-0-9.]{0,4}|\"[a-z]{0,3}\"|19[0-9]{2}-01-01)(, ?([-0-9.]{0,4}|\"[a-z]{0,3}\"))*\\]",
        "\\{ ?\\}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "(a\\.n|a\\.x|b\\.on|b\\.list|c\\.word|c\\.note|d\\.when)",
        "(n|x|on|list|word|note|when)",
        "[a-z.]{1,6}",
        "(c\\.wrd|d\\.whn|c\\.notes)",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_toy(&text);
    }

    #[test]
    fn toml_like_text_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("[scenario]".to_string()),
                Just("model = \"toy\"".to_string()),
                "\\[[a-d]\\]",
                "[a-z.]{1,6} = [-0-9.e+a-z\"\\[\\],{} =]{0,20}",
                "[a-z]{1,4}\\.[a-z]{1,4} = \\{ value = [-0-9.]{1,6}, (source|assumed|zz) = \"[a-z]{0,4}\" \\}",
                (key(), rhs()).prop_map(|(k, v)| format!("{k} = {v}")),
                (key(), rhs(), "(source|assumed|note|zz)").prop_map(|(k, v, c)| format!("{k} = {{ value = {v}, {c} = \"x\" }}")),
            ],
            0..12,
        ),
        sets in proptest::collection::vec(
            prop_oneof![
                "[a-z.]{1,6}=[-0-9.a-z\"\\[\\]]{0,8}",
                (key(), rhs()).prop_map(|(k, v)| format!("{k}={v}")),
                (key(), "[^=]{0,10}").prop_map(|(k, v)| format!("{k}={v}")),
            ],
            0..4,
        ),
    ) {
        let text = lines.join("\n");
        if let Ok(mut s) = parse_toy(&text) {
            for a in &sets {
                let _ = s.set(a);
            }
        }
    }

    /// Valid values of every kind, written in the file, are read back as written; the
    /// resolved scenario's TOML parses to the same scenario; and `--set` of the same
    /// values (as the TOML the file used) agrees.
    #[test]
    fn valid_values_of_every_kind_round_trip(
        n in 0i64..=10,
        x in 0.0f64..=1.0,
        on in any::<bool>(),
        list in proptest::collection::vec(0.0f64..=1.0, 0..=4),
        word in proptest::sample::select(WORDS),
        note in "\\PC{0,30}",
        (y, m, d) in (1900i32..=2000, 1u32..=12, 1u32..=28),
        cited in any::<bool>(),
    ) {
        let when = date(y, m, d);
        let values = [
            ("a", "n", Value::Int(n)),
            ("a", "x", Value::Float(x)),
            ("b", "on", Value::Bool(on)),
            ("b", "list", Value::Floats(list.clone())),
            ("c", "word", Value::Text(word.to_string())),
            ("c", "note", Value::Text(note.clone())),
            ("d", "when", Value::Date(when)),
        ];
        let mut text = String::from("[scenario]\nmodel = \"toy\"\n");
        let mut section = "";
        for (g, k, v) in &values {
            if *g != section {
                text.push_str(&format!("[{g}]\n"));
                section = g;
            }
            if cited {
                text.push_str(&format!("{k} = {{ value = {}, source = \"s\" }}\n", v.to_toml()));
            } else {
                text.push_str(&format!("{k} = {}\n", v.to_toml()));
            }
        }
        let s = match parse_toy(&text) {
            Ok(s) => s,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        prop_assert_eq!(s.int("a.n"), n);
        prop_assert_eq!(s.float("a.x").to_bits(), x.to_bits());
        prop_assert_eq!(s.bool("b.on"), on);
        prop_assert_eq!(s.floats("b.list"), &list[..]);
        prop_assert_eq!(s.text("c.word"), word);
        prop_assert_eq!(s.text("c.note"), note.as_str());
        prop_assert_eq!(s.date("d.when"), when);
        let again = parse_toy(&s.to_toml()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The same values and citations (positions differ: it is another text).
        let resolved = |s: &Scenario| s.params.iter().map(|p| (p.value.clone(), p.cite.clone())).collect::<Vec<_>>();
        prop_assert_eq!(resolved(&again), resolved(&s));
        // `--set` with the same literals, onto the defaults.
        let mut t = parse_toy("[scenario]\nmodel = \"toy\"\n").map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (g, k, v) in &values {
            t.set(&format!("{g}.{k}={}", v.to_toml())).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        for (p, q) in t.params.iter().zip(&s.params) {
            prop_assert_eq!(&p.value, &q.value);
        }
    }

    /// Values of the wrong kind or out of range are errors naming the key, in the file
    /// and with `--set`.
    #[test]
    fn invalid_values_of_every_kind_are_errors(
        which in 0usize..7,
        junk in prop_oneof![
            Just("11".to_string()),
            Just("-1".to_string()),
            Just("1.5".to_string()),
            Just("\"purple\"".to_string()),
            Just("1899-12-31".to_string()),
            Just("2001-01-01".to_string()),
            Just("[2.0]".to_string()),
            Just("[0.1, 0.2, 0.3, 0.4, 0.5]".to_string()),
            Just("{}".to_string()),
        ],
    ) {
        let (g, k) = [("a", "n"), ("a", "x"), ("b", "on"), ("b", "list"), ("c", "word"), ("c", "note"), ("d", "when")][which];
        // The only junk that is valid somewhere: a string is valid text, numbers in
        // range are valid for the integer or the number.
        let valid = match (k, junk.as_str()) {
            ("note", j) => j.starts_with('"'),
            _ => false,
        };
        let text = format!("[scenario]\nmodel = \"toy\"\n[{g}]\n{k} = {junk}\n");
        let file = parse_toy(&text);
        let mut s = parse_toy("[scenario]\nmodel = \"toy\"\n").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let set = s.set(&format!("{g}.{k}={junk}"));
        if valid {
            prop_assert!(file.is_ok() && set.is_ok());
        } else {
            let e = file.err().ok_or_else(|| TestCaseError::fail(format!("accepted: {text}")))?;
            prop_assert!(e.to_string().contains(k), "{}", e);
            // `--set` reads a bare word as text: only a choice or text may accept it.
            prop_assert!(set.is_err() || k == "note", "{g}.{k}={junk} accepted");
        }
    }
}
