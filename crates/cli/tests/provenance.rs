//! Issue 9, "Trust in every result", through the real binary: where every value comes
//! from (and that a new value never inherits an old citation), the evidence behind the
//! citations, the data dictionary, and Epstein's regimes and schedules.

use assert_cmd::assert::Assert;
use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

fn perelom(dir: &Path, args: &[&str]) -> Assert {
    Command::cargo_bin("perelom")
        .expect("the perelom binary is built for integration tests")
        .current_dir(dir)
        .args(args)
        .assert()
        .stdout(predicate::str::contains("panicked").not())
        .stderr(predicate::str::contains("panicked").not())
}

fn stdout_of(a: &Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// A short, small run of the 1928-1929 baseline with extra arguments.
fn ussr_run(dir: &Path, out: &str, extra: &[&str]) {
    let mut args = vec!["run", "ussr-1928-1929", "--steps", "3", "--scale", "0.002", "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    perelom(dir, &args).success();
}

/// The manifest entry of `key`.
fn param<'a>(m: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    m["parameters"].as_array().and_then(|ps| ps.iter().find(|p| p["key"] == key)).unwrap_or_else(|| panic!("{key} in the manifest"))
}

// --- 1. provenance ------------------------------------------------------------------------

/// `--set ogpu.escalation=1929-09-24` once wrote the baseline's "F38: 24 Sep 1928" beside
/// the new date. A new value is uncited and marked as set by --set, everywhere.
#[test]
fn a_value_set_on_the_command_line_is_uncited_in_the_saved_scenario_the_manifest_and_sources() {
    let t = tmp();
    ussr_run(t.path(), "X", &["--set", "ogpu.escalation=1929-09-24"]);
    let saved = read(&t.path().join("X/scenario.toml"));
    assert!(saved.contains("\nescalation = { value = 1929-09-24 }\n"), "no citation for the new date:\n{saved}");
    assert!(
        saved.contains("# changed from the baseline's 1928-09-24 (source: F38: 24 Sep 1928)\nescalation = "),
        "the change is noted with the baseline's value and citation"
    );
    assert!(!saved.contains("value = 1929-09-24, source"), "the old citation must not follow the new value");

    let m = json(&t.path().join("X/manifest.json"));
    let p = param(&m, "ogpu.escalation");
    assert_eq!(
        (&p["value"], &p["citation"], &p["set_in"], &p["changed"]),
        (&"1929-09-24".into(), &"uncited".into(), &"--set".into(), &true.into())
    );
    assert!(p["source"].is_null(), "{p}");
    assert_eq!(p["baseline"]["value"], "1928-09-24");
    assert_eq!(p["baseline"]["source"], "F38: 24 Sep 1928");
    let changed: Vec<&str> = m["changes"].as_array().expect("changes").iter().filter_map(|c| c["key"].as_str()).collect();
    assert_eq!(changed, ["run.steps", "population.scale", "ogpu.escalation"]);

    // `perelom sources` of the same scenario, and of the saved file, say the same.
    for args in [&["sources", "--set", "ogpu.escalation=1929-09-24"][..], &["sources", "X/scenario.toml"][..]] {
        let out = stdout_of(&perelom(t.path(), args).success());
        let row = out.lines().find(|l| l.starts_with("ogpu.escalation ")).expect("row of ogpu.escalation");
        assert!(row.contains("1929-09-24") && row.contains("uncited") && !row.contains("F38"), "{row}");
    }
    let out = stdout_of(&perelom(t.path(), &["sources", "X/scenario.toml", "--changed"]).success());
    assert!(out.contains("3 changed from the baseline"), "{out}");
    let keys: Vec<&str> =
        out.lines().filter(|l| !l.starts_with(' ') && l.contains("  ")).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(keys, ["run.steps", "population.scale", "ogpu.escalation"], "{out}");
    assert!(out.contains("baseline 1928-09-24 (source: F38: 24 Sep 1928)"), "{out}");
}

/// /work/shared/cases/side-scenario-value-keeps-default-citation.toml: values written in
/// a file without their own citation were shown with the baseline's ("k = 2.3").
#[test]
fn a_value_written_in_a_file_without_a_citation_is_uncited_and_marked_where_it_was_set() {
    let t = tmp();
    let case = "[scenario]\nmodel = \"epstein\"\nname = \"C07a integer written where a float is expected\"\n\n[run]\nsteps = 20\n\n[legitimacy]\ninitial = 1\n\n[arrest]\nk = 2\n";
    fs::write(t.path().join("side.toml"), case).unwrap();
    let out = stdout_of(&perelom(t.path(), &["sources", "side.toml", "--changed"]).success());
    for (key, value, at, baseline) in [
        ("run.steps", "20", "side.toml:6:9", "max_iters = 1000"),
        ("legitimacy.initial", "1", "side.toml:9:11", "legitimacy = 0.8"),
        ("arrest.k", "2", "side.toml:12:5", "k = 2.3"),
    ] {
        let i = out.lines().position(|l| l.starts_with(&format!("{key} "))).unwrap_or_else(|| panic!("{key} listed:\n{out}"));
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[i].contains(value) && lines[i].contains("uncited") && !lines[i].contains("Epstein"), "{}", lines[i]);
        assert!(lines[i + 1].contains(&format!("set in {at}")) && lines[i + 1].contains(baseline), "{}", lines[i + 1]);
    }
    perelom(t.path(), &["run", "side.toml", "--out", "R", "--quiet"]).success();
    let m = json(&t.path().join("R/manifest.json"));
    let k = param(&m, "arrest.k");
    assert_eq!((&k["citation"], &k["set_in"]), (&"uncited".into(), &"side.toml:12:5".into()));
    assert!(read(&t.path().join("R/scenario.toml")).contains("\nk = { value = 2.0 }\n"));

    // A value written with its own citation carries it; the baseline's value keeps the
    // baseline's citation.
    fs::write(
        t.path().join("cited.toml"),
        "[scenario]\nmodel = \"epstein\"\n[arrest]\nk = { value = 2, source = \"my notes, p. 3\" }\n[citizens]\nvision = 7\n",
    )
    .unwrap();
    let out = stdout_of(&perelom(t.path(), &["sources", "cited.toml"]).success());
    let row = |key: &str| out.lines().find(|l| l.starts_with(&format!("{key} "))).map(str::to_string).unwrap_or_default();
    assert!(row("arrest.k").contains("source") && row("arrest.k").contains("my notes, p. 3"), "{out}");
    assert!(row("citizens.vision").contains("citizen_vision = 7"), "{out}");
}

/// Experiment files in `compare`, a sweep's design points and `set`, and the calibration
/// all change values through the same mechanism, and say so.
#[test]
fn compare_and_sweep_record_each_change_with_its_citation() {
    let t = tmp();
    fs::write(
        t.path().join("exp.toml"),
        "[scenario]\nmodel = \"epstein\"\nname = \"lower legitimacy\"\n[cops]\nvision = { value = 5, assumed = \"short\" }\n[legitimacy]\ninitial = 0.7\n",
    )
    .unwrap();
    let out = stdout_of(&perelom(t.path(), &["compare", "epstein-2002", "exp.toml", "--runs", "2", "--out", "C"]).success());
    assert!(out.contains("legitimacy.initial = 0.7 (uncited (no source given); set at exp.toml:7:11); baseline 0.8"), "{out}");
    assert!(out.contains("cops.vision = 5 (assumed: short; set at exp.toml:5:20)"), "{out}");
    let c = json(&t.path().join("C/compare.json"));
    let ch = c["changes"]["lower legitimacy"].as_array().expect("changes of the experiment");
    assert_eq!(ch.len(), 2, "{c}");
    perelom(t.path(), &["report", "C"]).success();
    let html = read(&t.path().join("C/report/index.html"));
    assert!(html.contains("Changes from the baseline in lower legitimacy") && html.contains("exp.toml:7:11"), "report shows the changes");

    fs::write(
        t.path().join("design.toml"),
        "[sweep]\nbase = \"epstein-2002\"\nset = [\"run.steps=5\", \"grid.width=10\", \"grid.height=10\"]\n[parameters]\n\"legitimacy.initial\" = { values = [0.6, 0.7] }\n",
    )
    .unwrap();
    perelom(t.path(), &["sweep", "design.toml", "--out", "S", "--quiet"]).success();
    let s = json(&t.path().join("S/sweep.json"));
    let base: Vec<(&str, &str)> = s["base_changes"]
        .as_array()
        .expect("base changes")
        .iter()
        .map(|c| (c["key"].as_str().unwrap_or(""), c["set_in"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        base,
        [("run.steps", "design.toml [sweep] set"), ("grid.width", "design.toml [sweep] set"), ("grid.height", "design.toml [sweep] set")]
    );
    assert_eq!(s["varied"][0]["key"], "legitimacy.initial");
    assert_eq!(s["varied"][0]["citation"], "uncited");
}

/// The HTML report of a run shows the differences from the baseline and the fact texts.
#[test]
fn the_run_report_shows_the_changes_and_the_facts() {
    let t = tmp();
    ussr_run(t.path(), "X", &["--set", "ogpu.escalation=1929-09-24"]);
    perelom(t.path(), &["report", "X"]).success();
    let html = read(&t.path().join("X/report/index.html"));
    let changes = html.find("Changes from the baseline</h2>").expect("a changes section");
    let sources = html.find("Parameters and their sources</h2>").expect("a sources section");
    assert!(changes < sources, "the changes come first");
    assert!(html[changes..sources].contains("ogpu.escalation") && html[changes..sources].contains("uncited"));
    assert!(html.contains("F38 (fn 53, 54): In autumn 1928 the Politburo"), "fact text beside the id");
}

// --- 2. citation kinds ----------------------------------------------------------------------

/// No parameter marked as a source says that its value is assumed; the mechanism-only
/// ones are their own kind and belong to the guesswork calibration should estimate.
#[test]
fn sources_distinguish_evidence_from_a_sourced_mechanism_with_an_assumed_value() {
    let t = tmp();
    for scenario in ["ussr-1928-1929", "epstein-2002", "epstein-punctuated"] {
        let md = stdout_of(&perelom(t.path(), &["sources", scenario, "--markdown"]).success());
        for row in md.lines().skip(2) {
            let cells: Vec<&str> = row.split(" | ").collect();
            let (kind, text) = (cells[2], cells[3]);
            if kind == "source" {
                assert!(!text.to_lowercase().contains("assumed"), "{scenario}: a source that says its value is assumed: {row}");
            }
            assert!(["source", "mechanism", "assumed"].contains(&kind), "{row}");
        }
    }
    let all = stdout_of(&perelom(t.path(), &["sources"]).success());
    assert!(
        all.lines().next().is_some_and(|h| h.contains("with the mechanism from the evidence and the value assumed (mechanism)")),
        "{all}"
    );
    let row = all.lines().find(|l| l.starts_with("tariff.downgrade_share ")).expect("row");
    assert!(row.contains("mechanism") && row.contains("F05") && row.contains("share assumed"), "{row}");
    let assumed = stdout_of(&perelom(t.path(), &["sources", "--assumed-only"]).success());
    let kinds: Vec<&str> =
        assumed.lines().skip(2).filter(|l| !l.starts_with(' ') && !l.is_empty()).filter_map(|l| l.split_whitespace().nth(2)).collect();
    assert!(kinds.contains(&"mechanism") && kinds.contains(&"assumed"), "{kinds:?}");
    assert!(!kinds.contains(&"source"), "--assumed-only leaves out values from the evidence");
    assert!(!assumed.contains("\nogpu.escalation "), "a sourced date is evidence");
}

#[test]
fn a_mechanism_without_an_assumption_is_refused_with_its_position() {
    let t = tmp();
    fs::write(t.path().join("m.toml"), "[scenario]\nmodel = \"epstein\"\n[arrest]\nk = { value = 2, mechanism = \"Epstein 2002\" }\n")
        .unwrap();
    perelom(t.path(), &["run", "m.toml", "--out", "X"])
        .failure()
        .code(2)
        .stderr(predicate::str::contains("m.toml:4:18: `arrest.k` cites a mechanism but does not say why its value is assumed"));
    fs::write(
        t.path().join("m.toml"),
        "[scenario]\nmodel = \"epstein\"\n[arrest]\nk = { value = 2, mechanism = \"E\", assumed = \"x\" }\n",
    )
    .unwrap();
    let out = stdout_of(&perelom(t.path(), &["sources", "m.toml", "--changed"]).success());
    assert!(out.contains("arrest.k") && out.contains("mechanism") && out.contains("E; value assumed: x"), "{out}");
}

// --- 3. the evidence ------------------------------------------------------------------------

#[test]
fn facts_lists_the_evidence_and_shows_what_cites_each_fact() {
    let t = tmp();
    let all = stdout_of(&perelom(t.path(), &["facts"]).success());
    for i in 1..=40 {
        assert!(all.contains(&format!("\nF{i:02} (Gusev 2008, fn ")), "F{i:02} listed");
    }
    let one = stdout_of(&perelom(t.path(), &["facts", "f38"]).success());
    assert!(one.starts_with("F38 (Gusev 2008, fn 53, 54)"), "{one}");
    assert!(one.contains("ogpu.escalation (ussr-1928-1929): source: F38: 24 Sep 1928"), "{one}");
    assert!(one.contains("target T"), "targets that rest on F38: {one}");
    perelom(t.path(), &["facts", "F41"]).failure().code(2).stderr(
        predicate::str::contains("unknown fact `F41`")
            .and(predicate::str::contains("did you mean"))
            .and(predicate::str::contains("F01 to F40")),
    );
    let md = stdout_of(&perelom(t.path(), &["facts", "--markdown"]).success());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/EVIDENCE.md");
    assert_eq!(md, read(&repo), "docs/EVIDENCE.md is `perelom facts --markdown`");
    let src = stdout_of(&perelom(t.path(), &["sources"]).success());
    assert!(src.contains("F38 (fn 53, 54): In autumn 1928"), "sources shows each fact's text next to its id");
}

// --- 14. the data dictionary -------------------------------------------------------------------

#[test]
fn every_output_column_is_described_in_the_dictionary_and_the_parquet_metadata() {
    let t = tmp();
    ussr_run(t.path(), "U", &["--format", "parquet"]);
    perelom(t.path(), &["run", "epstein-2002", "--steps", "30", "--out", "E", "--quiet", "--format", "parquet"]).success();
    for (dir, tables) in [("U", &["metrics", "monthly", "events"][..]), ("E", &["metrics", "outbursts"][..])] {
        let dict = read(&t.path().join(dir).join("dictionary.csv"));
        let mut r = csv::Reader::from_reader(dict.as_bytes());
        let rows: Vec<Vec<String>> = r.records().map(|x| x.expect("row").iter().map(String::from).collect()).collect();
        for name in tables {
            let table = perelom_output::read_parquet(&t.path().join(dir).join(format!("{name}.parquet"))).expect("parquet");
            assert!(!table.columns.is_empty());
            for c in &table.columns {
                let d = c.doc.as_ref().unwrap_or_else(|| panic!("{dir}/{name}.{}: no description in the Parquet metadata", c.name));
                assert!(!d.doc.is_empty() && !d.unit.is_empty(), "{dir}/{name}.{}", c.name);
                let row =
                    rows.iter().find(|r| r[0] == *name && r[1] == c.name).unwrap_or_else(|| panic!("{name}.{} in dictionary.csv", c.name));
                assert_eq!((row[3].as_str(), row[4].as_str(), row[5].as_str()), (d.kind.word(), d.unit.as_str(), d.doc.as_str()));
            }
        }
    }
    let m = stdout_of(&perelom(t.path(), &["metrics", "ussr-1928"]).success());
    for want in
        ["strikes_started", "flow", "stock", "## events.csv", "meeting (", "workers attending", "votes for the opposition's resolution"]
    {
        assert!(m.contains(want), "perelom metrics shows {want}:\n{m}");
    }
    let m = stdout_of(&perelom(t.path(), &["metrics", "epstein"]).success());
    assert!(m.contains("## outbursts.csv") && m.contains("active"), "{m}");
    perelom(t.path(), &["metrics", "nope"]).failure().code(2).stderr(predicate::str::contains("ussr-1928, epstein"));
}

// --- 15. the ussr summary -------------------------------------------------------------------

#[test]
fn the_ussr_summary_counts_members_the_same_way_at_start_peak_and_end() {
    let t = tmp();
    let out = stdout_of(&perelom(t.path(), &["run", "--steps", "20", "--scale", "0.005", "--out", "X"]).success());
    let line = out.lines().find(|l| l.contains("active opposition members: first week, peak, end")).expect("members line");
    let figures = line.rsplit("  ").next().unwrap_or_default();
    let n: Vec<f64> = figures.split([',', ';']).take(3).map(|x| x.trim().parse().expect("a number")).collect();
    assert!(n[0] <= n[1] && n[2] <= n[1], "start and end are at most the peak: {line}");
    assert!(n[0] > 0.0, "{line}");
}

// --- 17-19. Epstein's regimes and schedules --------------------------------------------------

/// The share of runs with an outburst, as `perelom validate` measures it.
fn outburst_share(dir: &Path, scenario: &str, runs: &str, extra: &[&str]) -> f64 {
    let out = format!("V-{scenario}-{}", extra.len());
    let mut args = vec!["validate", scenario, "--runs", runs, "--out", &out];
    args.extend_from_slice(extra);
    perelom(dir, &args).success();
    json(&dir.join(&out).join("outbursts.json"))["share_with_outburst"].as_f64().expect("share")
}

#[test]
fn epsteins_regimes_are_built_in_and_behave_as_their_descriptions_say() {
    let t = tmp();
    let list = stdout_of(&perelom(t.path(), &["scenarios"]).success());
    for s in ["epstein-punctuated", "epstein-legitimacy-gradual", "epstein-legitimacy-sudden", "epstein-cop-reduction"] {
        assert!(list.contains(s), "{s} is built in:\n{list}");
    }
    // The defaults are nearly always quiet (1 of 200 in the description); the
    // punctuated regime nearly always has outbursts (199 of 200).
    assert!(outburst_share(t.path(), "epstein-2002", "12", &[]) <= 0.1);
    assert!(outburst_share(t.path(), "epstein-punctuated", "12", &[]) >= 0.9);
    // A smaller sudden drop brings more outbursts than a larger decline in small steps.
    let sudden = outburst_share(t.path(), "epstein-legitimacy-sudden", "24", &[]);
    let gradual = outburst_share(t.path(), "epstein-legitimacy-gradual", "24", &[]);
    assert!(sudden > gradual, "sudden {sudden}, gradual {gradual}");
    // Withdrawing cops brings outbursts that constant cops do not.
    assert!(outburst_share(t.path(), "epstein-cop-reduction", "8", &[]) >= 0.9);
    assert!(outburst_share(t.path(), "epstein-cop-reduction", "8", &["--set", "cops.schedule=constant"]) <= 0.25);
}

fn column(dir: &Path, name: &str) -> Vec<f64> {
    let text = read(&dir.join("metrics.csv"));
    let mut lines = text.lines();
    let i = lines.next().expect("header").split(',').position(|h| h == name).expect("column");
    lines.map(|l| l.split(',').nth(i).and_then(|x| x.parse().ok()).expect("number")).collect()
}

/// A default documented as "the same as the initial value" is the same: a schedule
/// without a final value changes nothing (cops once went from 101 to 118, legitimacy
/// from 0.9 to 0.8).
#[test]
fn schedules_without_a_final_value_leave_cops_and_legitimacy_unchanged() {
    let t = tmp();
    let base = ["run", "epstein-2002", "--steps", "150", "--quiet"];
    perelom(t.path(), &[&base[..], &["--out", "C", "--set", "cops.schedule=jump"]].concat()).success();
    let cops = column(&t.path().join("C"), "cops");
    assert!(cops.iter().all(|&c| c == cops[0]), "{cops:?}");
    perelom(t.path(), &[&base[..], &["--out", "L", "--set", "legitimacy.initial=0.9", "--set", "legitimacy.schedule=jump"]].concat())
        .success();
    assert!(column(&t.path().join("L"), "legitimacy").iter().all(|&l| l == 0.9));
    let src = stdout_of(&perelom(t.path(), &["sources", "epstein-2002", "--set", "cops.density=0.05"]).success());
    let row = src.lines().find(|l| l.starts_with("cops.final_density ")).expect("row");
    assert!(row.contains("0.05") && row.contains("unchanged"), "the final density follows the initial one: {row}");
}

/// Epstein's cop reductions: a gradual (linear) cop schedule, as for legitimacy.
#[test]
fn a_linear_cop_schedule_withdraws_cops_gradually() {
    let t = tmp();
    let sets = ["cops.schedule=linear", "cops.final_density=0.037", "cops.at_step=20", "cops.over_steps=50"];
    let mut args = vec!["run", "epstein-2002", "--steps", "100", "--out", "X", "--quiet"];
    for s in &sets {
        args.extend_from_slice(&["--set", s]);
    }
    perelom(t.path(), &args).success();
    let c = column(&t.path().join("X"), "cops");
    assert!(c[..20].iter().all(|&x| x == c[0]));
    assert_eq!(c[69], (c[0] / 2.0).round(), "half the cops by the end of the change");
    assert!(c[20..70].windows(2).all(|w| w[1] <= w[0]) && c[20..70].windows(2).filter(|w| w[1] < w[0]).count() >= 20, "{c:?}");
    perelom(t.path(), &["run", "epstein-2002", "--steps", "10", "--out", "Y", "--set", "cops.schedule=gradual"])
        .failure()
        .code(2)
        .stderr(predicate::str::contains("\"constant\", \"jump\", \"linear\""));
}

/// A citation that names a fact the evidence table does not have is warned about, with
/// its position, and recorded; the built-in scenarios cite only facts that exist.
#[test]
fn a_citation_of_a_fact_that_does_not_exist_is_warned_about() {
    let t = tmp();
    fs::write(
        t.path().join("f99.toml"),
        "[scenario]\nmodel = \"ussr-1928\"\nname = \"f99\"\n[ogpu]\ndetection = { value = 0.05, source = \"F99\" }\n",
    )
    .unwrap();
    let o = perelom(t.path(), &["run", "f99.toml", "--scale", "0.002", "--steps", "3", "--out", "X"]).success();
    let err = String::from_utf8_lossy(&o.get_output().stderr).to_string();
    assert!(err.contains("f99.toml:5:"), "{err}");
    assert!(err.contains("`ogpu.detection` cites F99, which the evidence table does not have"), "{err}");
    let o = perelom(t.path(), &["run", "--scale", "0.002", "--steps", "3", "--out", "Y"]).success();
    assert!(!String::from_utf8_lossy(&o.get_output().stderr).contains("evidence table does not have"));
}
