//! `perelom sweep` through the real binary: outputs, bad designs, and resuming after
//! `kill -9`.

use assert_cmd::cargo::CommandCargoExt;
use predicates::prelude::*;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const DESIGN: &str = r#"
[sweep]
base = "ussr-1928-1929"
replicates = 3
seed = 5
set = ["population.scale=0.004"]
metrics = ["strikes_started", "arrests", "members_bl"]

[parameters]
"ogpu.capacity_after" = { values = [100.0, 900.0] }
"bl.legality" = { min = 0.2, max = 0.8, steps = 3 }
"#;

fn perelom(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("perelom").unwrap();
    c.current_dir(dir);
    c
}

fn runs_done(out: &Path) -> usize {
    run_files(out).len()
}

/// The per-run files written into place (not the hidden temporary files of a write
/// under way), with what identifies each write: its inode and modification time.
fn run_files(out: &Path) -> std::collections::BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    fs::read_dir(out.join("runs"))
        .map(|d| {
            d.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| {
                    let m = e.metadata().unwrap();
                    (e.file_name().to_string_lossy().into_owned(), (m.ino(), m.modified().unwrap()))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_sweep_writes_a_tidy_dataset_and_a_catalogue() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("d.toml"), DESIGN).unwrap();
    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "s", "--quiet"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cat = fs::read_to_string(t.path().join("s/catalogue.csv")).unwrap();
    assert_eq!(cat.lines().count(), 1 + 6 * 3, "6 points x 3 replicates");
    assert!(cat.starts_with("run,point,replicate,seed,bl.legality,ogpu.capacity_after,file"));
    let data = fs::read(t.path().join("s/sweep.parquet")).unwrap();
    assert_eq!(&data[..4], b"PAR1");
    let state: serde_json::Value = serde_json::from_str(&fs::read_to_string(t.path().join("s/sweep.json")).unwrap()).unwrap();
    assert_eq!(state["complete"], true);
    // An existing sweep is not overwritten silently.
    let again = perelom(t.path()).args(["sweep", "d.toml", "--out", "s"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
}

/// Test hook of `perelom sweep`: after this many runs are written, the sweep stops
/// making progress, so the kill below is certain to interrupt an unfinished sweep.
const PAUSE_AFTER: &str = "PERELOM_TEST_SWEEP_PAUSE_AFTER";

#[test]
fn resume_after_kill_gives_the_same_dataset() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("d.toml"), DESIGN).unwrap();
    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "whole", "--quiet", "--threads", "1"]).output().unwrap();
    assert!(o.status.success());

    let mut child =
        perelom(t.path()).args(["sweep", "d.toml", "--out", "cut", "--quiet", "--threads", "1"]).env(PAUSE_AFTER, "2").spawn().unwrap();
    let cut = t.path().join("cut");
    let start = Instant::now();
    while runs_done(&cut) < 2 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix: no chance to clean up
    child.wait().unwrap();
    let before = run_files(&cut);
    let done_before = before.len();
    // The kill interrupted the sweep: some runs done, not all, no final dataset, and the
    // state says so (the catalogue, which depends on the design alone, is written first).
    assert!((2..18).contains(&done_before), "{done_before} of 18 runs done when killed");
    assert!(!cut.join("sweep.parquet").exists(), "no final dataset from an interrupted sweep");
    let state: serde_json::Value = serde_json::from_str(&fs::read_to_string(cut.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(state["complete"], false);

    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "cut", "--resume"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains(&format!("{} to do", 18 - done_before)), "{said}");
    // The runs done before the kill were kept, not run and written again: the resumed
    // process ran only the others, and then packed all 18 into their batch file.
    assert!(said.contains(&format!("{} runs in", 18 - done_before)), "{said}");
    assert!(before.keys().all(|name| name.starts_with("run-")), "{before:?}");
    let after = run_files(&cut);
    assert_eq!(after.keys().collect::<Vec<_>>(), ["batch-000000.parquet"]);
    // The resumed sweep's dataset and catalogue are those of the uninterrupted one.
    for file in ["sweep.parquet", "catalogue.csv"] {
        assert_eq!(fs::read(t.path().join("whole").join(file)).unwrap(), fs::read(cut.join(file)).unwrap(), "{file}");
    }
    let state: serde_json::Value = serde_json::from_str(&fs::read_to_string(cut.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(state["complete"], true);
}

#[test]
fn resume_refuses_a_changed_design() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("d.toml"), DESIGN).unwrap();
    assert!(perelom(t.path()).args(["sweep", "d.toml", "--out", "s", "--quiet"]).status().unwrap().success());
    fs::write(t.path().join("d.toml"), DESIGN.replace("replicates = 3", "replicates = 2")).unwrap();
    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "s", "--resume"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("changed"));
}

#[test]
fn bad_designs_are_rejected_with_a_position_or_the_valid_range() {
    let t = tempfile::tempdir().unwrap();
    let cases = [
        (DESIGN.replace("replicates = 3", "replicats = 3"), "unknown field"),
        (DESIGN.replace("\"bl.legality\"", "\"bl.legalty\""), "bl.legality"),
        (DESIGN.replace("values = [100.0, 900.0]", "values = [100.0, -5.0]"), "out of range"),
        (DESIGN.replace("\"arrests\"", "\"arests\""), "unknown metric"),
        (DESIGN.replace("min = 0.2, max = 0.8, steps = 3", "steps = 3"), "needs either values"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let f = format!("d{i}.toml");
        fs::write(t.path().join(&f), text).unwrap();
        perelom(t.path()).args(["sweep", &f, "--out", &format!("o{i}")]).assert_code_and_stderr(want);
        assert!(!t.path().join(format!("o{i}/sweep.parquet")).exists());
    }
}

trait AssertExt {
    fn assert_code_and_stderr(&mut self, want: &str);
}

impl AssertExt for Command {
    fn assert_code_and_stderr(&mut self, want: &str) {
        let o = self.output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(predicate::str::contains(want).eval(&err), "wanted {want:?} in {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn sampled_designs_and_sensitivity_indices() {
    let t = tempfile::tempdir().unwrap();
    let design = |kind: &str, points: u32| {
        format!(
            "[sweep]\nbase = \"epstein-2002\"\ndesign = \"{kind}\"\npoints = {points}\nset = [\"run.steps=15\"]\nmetrics = [\"active\", \"jailed\"]\n[parameters]\n\"legitimacy.initial\" = {{ min = 0.2, max = 0.9 }}\n\"citizens.threshold\" = {{ min = 0.0, max = 0.3 }}\n"
        )
    };
    for (kind, points, runs) in [("latin-hypercube", 5, 5), ("sobol", 4, 4), ("saltelli", 4, 16), ("morris", 3, 9)] {
        let f = format!("{kind}.toml");
        fs::write(t.path().join(&f), design(kind, points)).unwrap();
        let o = perelom(t.path()).args(["sweep", &f, "--out", kind, "--quiet"]).output().unwrap();
        assert!(o.status.success(), "{kind}: {}", String::from_utf8_lossy(&o.stderr));
        let cat = fs::read_to_string(t.path().join(kind).join("catalogue.csv")).unwrap();
        assert_eq!(cat.lines().count(), 1 + runs, "{kind}");
        for line in cat.lines().skip(1) {
            let legit: f64 = line.split(',').nth(5).unwrap().parse().unwrap();
            assert!((0.2..=0.9).contains(&legit), "{kind}: {line}");
        }
    }
    let o = perelom(t.path())
        .args(["sensitivity", "morris.toml", "--out", "morris", "--resume", "--output", "active:mean", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = fs::read_to_string(t.path().join("morris/sensitivity.csv")).unwrap();
    assert!(csv.starts_with("output,parameter,mu,mu_star,sigma"));
    // Lower legitimacy means more grievance: legitimacy's elementary effects on mean
    // activity are never positive.
    let row = csv.lines().find(|l| l.contains("legitimacy.initial")).unwrap();
    let mu: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
    assert!(mu <= 0.0, "{row}");
    let bad = perelom(t.path())
        .args(["sensitivity", "latin-hypercube.toml", "--out", "latin-hypercube", "--resume", "--output", "active:sum"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("morris"));
}

#[test]
fn calibrate_writes_a_posterior_and_an_annotated_scenario() {
    let t = tempfile::tempdir().unwrap();
    let o = perelom(t.path())
        .args(["calibrate", "--scale", "0.003", "--budget", "12", "--particles", "4", "--param", "protest.strike=0.3:0.5", "--out", "cal"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let post = fs::read_to_string(t.path().join("cal/posterior.csv")).unwrap();
    assert!(post.starts_with("protest.strike,weight,distance"));
    for line in post.lines().skip(1) {
        let v: f64 = line.split(',').next().unwrap().parse().unwrap();
        assert!((0.3..=0.5).contains(&v), "sample outside the prior: {line}");
    }
    let toml = fs::read_to_string(t.path().join("cal/calibrated.toml")).unwrap();
    assert!(toml.contains("perelom calibrate") && toml.contains("[protest]"));
    // The calibrated scenario is a valid scenario file.
    let o = perelom(t.path())
        .args(["run", "cal/calibrated.toml", "--steps", "3", "--scale", "0.003", "--out", "r", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bad = perelom(t.path()).args(["calibrate", "--param", "protest.strike=0.6:0.5", "--out", "x"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("LOW < HIGH"));
}
