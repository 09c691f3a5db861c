//! `perelom report` for each kind of result directory.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn perelom(dir: &Path, args: &[&str]) {
    let o = Command::cargo_bin("perelom").unwrap().current_dir(dir).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn page(dir: &Path) -> String {
    fs::read_to_string(dir.join("report/index.html")).unwrap()
}

fn svgs(dir: &Path) -> usize {
    fs::read_dir(dir.join("report")).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "svg")).count()
}

#[test]
fn run_report_has_charts_survey_and_sources_and_needs_no_network() {
    let t = tempfile::tempdir().unwrap();
    perelom(t.path(), &["run", "--scale", "0.003", "--out", "r", "--quiet"]);
    perelom(t.path(), &["report", "r"]);
    let html = page(&t.path().join("r"));
    for want in ["Time series", "Political survey", "January 1928", "Parameters and their sources", "ogpu.escalation", "<svg"] {
        assert!(html.contains(want), "missing {want}");
    }
    // Nothing to fetch: no external scripts, styles, images or fonts (the SVG namespace
    // URI is an identifier, not a request).
    for fetch in ["src=\"http", "href=\"http", "<link", "<script", "url(http"] {
        assert!(!html.contains(fetch), "the page must not fetch anything: found {fetch}");
    }
    // One chart per chart group of the model's descriptor (all its metrics are present).
    let b = perelom_models::builtin(perelom_models::registry::DEFAULT_SCENARIO).unwrap();
    let groups = perelom_models::model_of(&perelom_models::load_scenario_text(b.name, b.text).unwrap()).unwrap().charts.len();
    assert_eq!(svgs(&t.path().join("r")), groups);
    // A report is not overwritten silently.
    let again = Command::cargo_bin("perelom").unwrap().current_dir(t.path()).args(["report", "r"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn validation_report_has_the_targets_table_and_bands() {
    let t = tempfile::tempdir().unwrap();
    perelom(t.path(), &["validate", "--runs", "3", "--scale", "0.003", "--out", "v"]);
    perelom(t.path(), &["report", "v"]);
    let html = page(&t.path().join("v"));
    assert!(html.contains("T10") && html.contains("90 % interval") && html.contains("Ensemble time series"));
    assert!(svgs(&t.path().join("v")) >= 5);
}

#[test]
fn comparison_report_has_each_experiment() {
    let t = tempfile::tempdir().unwrap();
    fs::write(
        t.path().join("x.toml"),
        "[scenario]\nmodel = \"ussr-1928\"\nname = \"X test\"\n[population]\nscale = 0.003\n[ogpu]\nescalation = 1929-09-24\n",
    )
    .unwrap();
    fs::write(t.path().join("b.toml"), "[scenario]\nmodel = \"ussr-1928\"\nname = \"base\"\n[population]\nscale = 0.003\n").unwrap();
    perelom(t.path(), &["compare", "b.toml", "x.toml", "--runs", "3", "--out", "c"]);
    perelom(t.path(), &["report", "c"]);
    let html = page(&t.path().join("c"));
    assert!(html.contains("X test") && html.contains("Cohen"));
    assert_eq!(svgs(&t.path().join("c")), 1);
}

#[test]
fn sweep_report_draws_each_metric() {
    let t = tempfile::tempdir().unwrap();
    fs::write(
        t.path().join("d.toml"),
        "[sweep]\nbase = \"epstein-2002\"\nreplicates = 2\nset = [\"run.steps=20\"]\nmetrics = [\"active\", \"jailed\"]\n[parameters]\n\"legitimacy.initial\" = { values = [0.5, 0.8] }\n",
    )
    .unwrap();
    perelom(t.path(), &["sweep", "d.toml", "--out", "s", "--quiet"]);
    perelom(t.path(), &["report", "s"]);
    assert!(page(&t.path().join("s")).contains("legitimacy.initial=0.5"));
    assert_eq!(svgs(&t.path().join("s")), 2);
}

#[test]
fn a_directory_without_results_is_a_clear_error() {
    let t = tempfile::tempdir().unwrap();
    let o = Command::cargo_bin("perelom").unwrap().current_dir(t.path()).args(["report", "."]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no Perelom results"));
}

#[test]
fn survey_prints_the_runs_survey_in_words() {
    let t = tempfile::tempdir().unwrap();
    perelom(t.path(), &["run", "--scale", "0.003", "--out", "r", "--quiet"]);
    let o = Command::cargo_bin("perelom").unwrap().current_dir(t.path()).args(["survey", "r"]).output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("## December 1929") && text.contains("**The opposition.**"));
    let bad = Command::cargo_bin("perelom").unwrap().current_dir(t.path()).args(["survey", "nowhere"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
