//! The parser must answer every input with a scenario or an error, never a panic; and
//! valid values of every kind are read back as written.
//!
//! The toy schema has one parameter of every [`Kind`] (integer, number, boolean, choice,
//! date, list of numbers, text), a dated event that may be `"off"` and an integer over
//! the whole `i64` range, so that every conversion and check of the parser and of `--set`
//! is reached by the generated inputs: valid values of every kind with every kind of
//! citation round-trip through the file, `to_toml` and `--set`, and valid files mutated
//! at random never make the parser panic.

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
        ParamSpec::new("a.big", Kind::Int { min: i64::MIN, max: i64::MAX }, Value::Int(0), "big", Cite::assumed("t")),
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
        "(a\\.n|a\\.big|a\\.x|b\\.on|b\\.list|c\\.word|c\\.note|d\\.when|d\\.event)",
        "(n|big|x|on|list|word|note|when|event)",
        "[a-z.]{1,6}",
        "(c\\.wrd|d\\.whn|c\\.notes)",
    ]
}

/// A citation as a scenario file may write it, or none (a bare value).
fn cite() -> impl Strategy<Value = Option<Cite>> {
    let words = "[A-Za-z]\\PC{0,12}";
    prop_oneof![
        Just(None),
        words.prop_map(|s| Some(Cite::Source(s))),
        words.prop_map(|s| Some(Cite::Assumed(s))),
        (words, words).prop_map(|(m, a)| Some(Cite::Mechanism { mechanism: m, assumed: a })),
    ]
}

/// What a resolved scenario says about its parameters: key, value and citation.
fn resolved(s: &Scenario) -> Vec<(&'static str, Value, Cite)> {
    s.params.iter().map(|p| (p.spec.key, p.value.clone(), p.cite.clone())).collect()
}

/// One random change to a text, at positions taken modulo its length in characters.
#[derive(Clone, Debug)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Replace { at: usize, with: char },
    DoubleLine { line: usize },
    SwapLines { a: usize, b: usize },
    Cut { at: usize },
}

impl Edit {
    fn apply(&self, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len().max(1);
        let mut lines: Vec<&str> = text.split('\n').collect();
        let l = lines.len();
        match self {
            Edit::Delete { at, len } => {
                let a = at % n;
                chars[..a.min(chars.len())].iter().chain(chars.iter().skip(a + len)).collect()
            }
            Edit::Insert { at, text } => {
                let a = (at % n).min(chars.len());
                chars[..a].iter().copied().chain(text.chars()).chain(chars[a..].iter().copied()).collect()
            }
            Edit::Replace { at, with } => chars.iter().enumerate().map(|(i, c)| if i == at % n { *with } else { *c }).collect(),
            Edit::DoubleLine { line } => {
                let k = line % l;
                lines.insert(k, lines[k]);
                lines.join("\n")
            }
            Edit::SwapLines { a, b } => {
                lines.swap(a % l, b % l);
                lines.join("\n")
            }
            Edit::Cut { at } => chars.iter().take(at % n).collect(),
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    // Characters that matter to TOML and to the parser's conversions.
    let piece = "[\"'=\\[\\]{},.#\\\\\n :T+-eZ0-9a-z]{1,6}|\"off\"|1928-09-24|\\PC{1,3}";
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), piece).prop_map(|(at, text)| Edit::Insert { at, text }),
        (any::<usize>(), prop_oneof![Just('"'), Just('='), Just('['), Just('{'), Just('-'), Just('\n'), any::<char>()])
            .prop_map(|(at, with)| Edit::Replace { at, with }),
        any::<usize>().prop_map(|line| Edit::DoubleLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines { a, b }),
        any::<usize>().prop_map(|at| Edit::Cut { at }),
    ]
}

#[test]
fn the_defaults_written_out_read_back_the_same() {
    // `perelom template` writes a model's defaults with `to_toml`: read back, they are
    // the same values and citations, the dated event still "off".
    let s = parse_toy("[scenario]\nmodel = \"toy\"\n").unwrap_or_else(|e| panic!("{e}"));
    let text = s.to_toml();
    let again = parse_toy(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(resolved(&again), resolved(&s));
    assert_eq!(again.get("d.event").map(|p| &p.value), Some(&Value::Off));
    assert!(again.changes().is_empty(), "{text}");
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

    /// Valid values of every kind, written in the file with any kind of citation (or
    /// none), are read back as written with their citations; the resolved scenario's
    /// TOML parses to the same scenario; and `--set` of the same values, as TOML and as
    /// bare words where a bare word is allowed, agrees.
    #[test]
    fn valid_values_of_every_kind_round_trip(
        n in 0i64..=10,
        big in any::<i64>(),
        x in prop_oneof![0.0f64..=1.0, Just(0.0), Just(-0.0), Just(1.0), Just(f64::MIN_POSITIVE), Just(5e-324), Just(0.1 + 0.2)],
        on in any::<bool>(),
        list in proptest::collection::vec(prop_oneof![0.0f64..=1.0, Just(1.0), Just(5e-324)], 0..=4),
        word in proptest::sample::select(WORDS),
        note in "\\PC{0,30}",
        (y, m, d) in (1900i32..=2000, 1u32..=12, 1u32..=28),
        event in proptest::option::of((1900i32..=1999, 1u32..=12, 1u32..=28)),
        quoted_dates in any::<bool>(),
        cites in proptest::collection::vec(cite(), 9),
    ) {
        let when = date(y, m, d);
        let event = event.map_or(Value::Off, |(y, m, d)| Value::Date(date(y, m, d)));
        let values = [
            ("a", "n", Value::Int(n)),
            ("a", "big", Value::Int(big)),
            ("a", "x", Value::Float(x)),
            ("b", "on", Value::Bool(on)),
            ("b", "list", Value::Floats(list.clone())),
            ("c", "word", Value::Text(word.to_string())),
            ("c", "note", Value::Text(note.clone())),
            ("d", "when", Value::Date(when)),
            ("d", "event", event.clone()),
        ];
        let literal = |v: &Value| match v {
            // A date may be written as a TOML date or as text.
            Value::Date(d) if quoted_dates => format!("\"{d}\""),
            v => v.to_toml(),
        };
        let mut text = String::from("[scenario]\nmodel = \"toy\"\n");
        let mut section = "";
        for ((g, k, v), cite) in values.iter().zip(&cites) {
            if *g != section {
                text.push_str(&format!("[{g}]\n"));
                section = g;
            }
            match cite {
                Some(c) => text.push_str(&format!("{k} = {{ value = {}, {} }}\n", literal(v), c.to_toml_keys())),
                None => text.push_str(&format!("{k} = {}\n", literal(v))),
            }
        }
        let s = match parse_toy(&text) {
            Ok(s) => s,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        prop_assert_eq!(s.int("a.n"), n);
        prop_assert_eq!(s.int("a.big"), big);
        prop_assert_eq!(s.float("a.x").to_bits(), x.to_bits());
        prop_assert_eq!(s.bool("b.on"), on);
        prop_assert_eq!(s.floats("b.list").iter().map(|x| x.to_bits()).collect::<Vec<_>>(), list.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        prop_assert_eq!(s.text("c.word"), word);
        prop_assert_eq!(s.text("c.note"), note.as_str());
        prop_assert_eq!(s.date("d.when"), when);
        prop_assert_eq!(&s.get("d.event").map(|p| p.value.clone()), &Some(event.clone()));
        // Each value carries the citation written with it; a bare value keeps the
        // schema's only if it is the default, and is uncited otherwise.
        for (((g, k, v), cite), p) in values.iter().zip(&cites).zip(&s.params) {
            prop_assert_eq!(p.spec.key, format!("{g}.{k}"));
            let want = match cite {
                Some(c) => c.clone(),
                None if *v == p.spec.default => p.spec.cite.clone(),
                None => Cite::Uncited,
            };
            prop_assert_eq!(&p.cite, &want, "{}", p.spec.key);
        }
        let again = parse_toy(&s.to_toml()).map_err(|e| TestCaseError::fail(format!("{e}\n{}", s.to_toml())))?;
        // The same values and citations (positions differ: it is another text).
        prop_assert_eq!(resolved(&again), resolved(&s));
        // `--set` with the same literals, onto the defaults.
        let mut t = parse_toy("[scenario]\nmodel = \"toy\"\n").map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (g, k, v) in &values {
            t.set(&format!("{g}.{k}={}", literal(v))).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        for (p, q) in t.params.iter().zip(&s.params) {
            prop_assert_eq!(&p.value, &q.value);
        }
        // Bare words on the command line: a choice, a date, "off".
        let mut b = parse_toy("[scenario]\nmodel = \"toy\"\n").map_err(|e| TestCaseError::fail(e.to_string()))?;
        b.set(&format!("c.word={word}")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        b.set(&format!("d.event={event}")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(b.text("c.word"), word);
        prop_assert_eq!(&b.get("d.event").map(|p| p.value.clone()), &Some(event));
    }

    /// Valid files mutated at random (text deleted, inserted or replaced, lines doubled,
    /// swapped or cut) never make the parser panic; whatever it accepts has every value
    /// valid for its parameter and round-trips through `to_toml`.
    #[test]
    fn mutated_valid_files_never_panic(
        n in 0i64..=10,
        x in 0.0f64..=1.0,
        note in "\\PC{0,12}",
        cites in proptest::collection::vec(cite(), 9),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let values = [
            ("a", "n", Value::Int(n)),
            ("a", "big", Value::Int(n - 5)),
            ("a", "x", Value::Float(x)),
            ("b", "on", Value::Bool(n % 2 == 0)),
            ("b", "list", Value::Floats(vec![x; (n % 5) as usize])),
            ("c", "word", Value::Text(WORDS[(n % 3) as usize].to_string())),
            ("c", "note", Value::Text(note)),
            ("d", "when", Value::Date(date(1928, 9, 24))),
            ("d", "event", if n % 2 == 0 { Value::Off } else { Value::Date(date(1929, 1, 1)) }),
        ];
        let mut text = String::from("[scenario]\nmodel = \"toy\"\n");
        let mut section = "";
        for ((g, k, v), cite) in values.iter().zip(&cites) {
            if *g != section {
                text.push_str(&format!("[{g}]\n"));
                section = g;
            }
            match cite {
                Some(c) => text.push_str(&format!("{k} = {{ value = {}, {} }}\n", v.to_toml(), c.to_toml_keys())),
                None => text.push_str(&format!("{k} = {}\n", v.to_toml())),
            }
        }
        prop_assert!(parse_toy(&text).is_ok(), "the unmutated file is valid:\n{}", text);
        let mutated = edits.iter().fold(text, |t, e| e.apply(&t));
        if let Ok(s) = parse_toy(&mutated) {
            for p in &s.params {
                prop_assert!(p.spec.check(&p.value).is_ok(), "{} = {:?} accepted from\n{}", p.spec.key, p.value, mutated);
            }
            let again = parse_toy(&s.to_toml()).map_err(|e| TestCaseError::fail(format!("{e}\n{}", s.to_toml())))?;
            prop_assert_eq!(resolved(&again), resolved(&s));
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
