//! The parser must answer every input with a scenario or an error, never a panic.

use perelom_scenario::{parse, Cite, DatedEvent, Kind, ParamSpec, Value};
use proptest::prelude::*;

fn schema() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("a.n", Kind::Int { min: 0, max: 10 }, Value::Int(1), "n", Cite::assumed("t")),
        ParamSpec::new("a.x", Kind::Float { min: 0.0, max: 1.0 }, Value::Float(0.5), "x", Cite::assumed("t")),
        ParamSpec::new("b.on", Kind::Bool, Value::Bool(true), "on", Cite::assumed("t")),
        ParamSpec::new("b.list", Kind::Floats { min: 0.0, max: 1.0, len: (0, 4) }, Value::Floats(vec![]), "l", Cite::assumed("t")),
        ParamSpec::new("b.when", Kind::Date { min: date(1900, 1, 1), max: date(2000, 1, 1) }, Value::Off, "w", Cite::assumed("t"))
            .event(DatedEvent::Occurs),
        ParamSpec::new(
            "b.start",
            Kind::Date { min: date(1900, 1, 1), max: date(2000, 1, 1) },
            Value::Date(date(1928, 1, 2)),
            "s",
            Cite::assumed("t"),
        ),
    ]
}

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a calendar date")
}

fn run(text: &str) {
    let _ = parse("f.toml", text, &|m| (m == "toy").then(schema), &["toy"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        run(&text);
    }

    #[test]
    fn toml_like_text_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("[scenario]".to_string()),
                Just("model = \"toy\"".to_string()),
                Just("[a]".to_string()),
                Just("[b]".to_string()),
                "[a-z.]{1,6} = [-0-9.e+a-z\"\\[\\],{} =]{0,20}",
                "(when|start) = (\"off\"|\"of\"|1928-0[1-9]-[0-3][0-9]|\"1928-13-01\")",
                "[a-z]{1,4}\\.[a-z]{1,4} = \\{ value = [-0-9.]{1,6}, (source|assumed|zz) = \"[a-z]{0,4}\" \\}",
            ],
            0..12,
        ),
        sets in proptest::collection::vec(prop_oneof!["[a-z.]{1,6}=[-0-9.a-z\"\\[\\]]{0,8}", "b\\.(when|start)=(off|\"off\"|1929-02-3[0-9])"], 0..4),
    ) {
        let text = lines.join("\n");
        if let Ok(mut s) = parse("f.toml", &text, &|m| (m == "toy").then(schema), &["toy"]) {
            for a in &sets {
                let _ = s.set(a);
            }
            let _ = s.event_date("b.when");
            let _ = s.events_outside(date(1928, 1, 2), date(1929, 12, 29));
            let _ = s.to_toml();
        }
    }
}
