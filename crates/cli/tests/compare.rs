//! `perelom compare` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;

fn perelom(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("perelom").unwrap();
    c.current_dir(dir);
    c
}

#[test]
fn compare_reports_differences_with_intervals_and_writes_tables() {
    let t = tempfile::tempdir().unwrap();
    let exp = t.path().join("low.toml");
    fs::write(&exp, "[scenario]\nmodel = \"epstein\"\nname = \"low legitimacy\"\n\n[run]\nsteps = 30\n\n[legitimacy]\ninitial = 0.3\n")
        .unwrap();
    let base = t.path().join("base.toml");
    fs::write(&base, "[scenario]\nmodel = \"epstein\"\nname = \"base\"\n\n[run]\nsteps = 30\n").unwrap();
    perelom(t.path())
        .args(["compare", "base.toml", "low.toml", "--runs", "4", "--out", "cmp"])
        .assert()
        .success()
        .stdout(predicate::str::contains("90 % interval").and(predicate::str::contains("active (mean)")));
    let csv = fs::read_to_string(t.path().join("cmp/compare.csv")).unwrap();
    assert!(csv.starts_with("experiment,outcome,baseline_mean,experiment_mean,difference,p05,p95,cohens_d"));
    // Lower legitimacy means more active citizens: the difference must be positive.
    let row = csv.lines().find(|l| l.contains(",active (mean),")).unwrap();
    let diff: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
    assert!(diff > 0.0, "{row}");
}

#[test]
fn compare_refuses_scenarios_of_different_models() {
    let t = tempfile::tempdir().unwrap();
    perelom(t.path())
        .args(["compare", "epstein-2002", "ussr-1928-1929", "--runs", "2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("same model"));
}

#[test]
fn shipped_experiments_parse_and_name_their_question() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments");
    let mut n = 0;
    for e in fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let text = fs::read_to_string(&p).unwrap();
            let s = perelom_models::load_scenario_text(&p.display().to_string(), &text).unwrap();
            assert!(s.meta.description.starts_with("Question:"), "{}", p.display());
            perelom_models::build(&s).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 5, "X1-X5");
}
