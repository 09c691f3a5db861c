//! `perelom run --save-state-at` and `--from-state` through the real binary: a continued
//! run is the uninterrupted run byte for byte; a branch records where it branched;
//! damaged or incompatible states are refused.

use assert_cmd::cargo::CommandCargoExt;
use std::fs;
use std::path::Path;
use std::process::Command;

fn perelom(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("perelom").unwrap().current_dir(dir).args(args).output().unwrap()
}

fn ok(dir: &Path, args: &[&str]) {
    let o = perelom(dir, args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn refused(dir: &Path, args: &[&str], want: &str) {
    let o = perelom(dir, args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(want), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn continuing_from_saved_states_reproduces_the_run_and_branches_record_their_origin() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ok(
        d,
        &[
            "run",
            "--scale",
            "0.003",
            "--seed",
            "4",
            "--save-state-at",
            "1928-09-24",
            "--save-state-at",
            "1929-06-03",
            "--out",
            "whole",
            "-q",
        ],
    );
    for state in ["state-1928-09-24", "state-1929-06-03"] {
        let out = format!("from-{state}");
        ok(d, &["run", "--from-state", &format!("whole/{state}.perelom-state"), "--out", &out, "-q"]);
        for f in ["metrics.csv", "events.csv", "monthly.csv", "survey.md", "dictionary.csv", "scenario.toml"] {
            assert_eq!(fs::read(d.join("whole").join(f)).unwrap(), fs::read(d.join(&out).join(f)).unwrap(), "{state}: {f}");
        }
    }
    // Epstein's model saves states by step.
    ok(d, &["run", "epstein-punctuated", "--steps", "80", "--save-state-at", "30", "--out", "ep", "-q"]);
    ok(d, &["run", "--from-state", "ep/state-step-30.perelom-state", "--out", "ep2", "-q"]);
    assert_eq!(fs::read(d.join("ep/metrics.csv")).unwrap(), fs::read(d.join("ep2/metrics.csv")).unwrap());
    // A branch: the past is shared, and the manifest says where the run branched.
    ok(d, &["run", "--from-state", "whole/state-1928-09-24.perelom-state", "--set", "ogpu.escalation=off", "--out", "branch", "-q"]);
    let m: serde_json::Value = serde_json::from_str(&fs::read_to_string(d.join("branch/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["branched_from"]["date"], "1928-09-24");
    assert_eq!(m["branched_from"]["changes_at_branch"][0]["key"], "ogpu.escalation");
    let rows =
        |dir: &str| fs::read_to_string(d.join(dir).join("metrics.csv")).unwrap().lines().take(39).map(String::from).collect::<Vec<_>>();
    assert_eq!(rows("whole"), rows("branch"), "the weeks before the branch are the same");
    assert_ne!(fs::read(d.join("whole/metrics.csv")).unwrap(), fs::read(d.join("branch/metrics.csv")).unwrap());
}

#[test]
fn bad_states_and_save_points_are_refused_before_any_run() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ok(d, &["run", "--scale", "0.002", "--steps", "12", "--save-state-at", "1928-02-06", "--out", "r", "-q"]);
    let state = d.join("r/state-1928-02-06.perelom-state");
    let bytes = fs::read(&state).unwrap();
    fs::write(d.join("cut.perelom-state"), &bytes[..bytes.len() / 3]).unwrap();
    refused(d, &["run", "--from-state", "cut.perelom-state", "--out", "x"], "truncated or damaged");
    let mut flipped = bytes.clone();
    let n = flipped.len();
    flipped[n - 3] ^= 1;
    fs::write(d.join("flip.perelom-state"), &flipped).unwrap();
    refused(d, &["run", "--from-state", "flip.perelom-state", "--out", "x"], "checksum");
    refused(d, &["run", "--from-state", "r/metrics.csv", "--out", "x"], "not a Perelom state file");
    refused(d, &["run", "--from-state", "missing.perelom-state", "--out", "x"], "cannot read");
    refused(
        d,
        &["run", "--from-state", "r/state-1928-02-06.perelom-state", "--set", "population.scale=0.01", "--out", "x"],
        "cannot change at a branch",
    );
    // Parameters read only when the population is built, and dates moved into the past
    // the state holds, cannot change at a branch.
    refused(
        d,
        &["run", "--from-state", "r/state-1928-02-06.perelom-state", "--set", "tariff.downgrade_share=0", "--out", "x"],
        "cannot change at a branch",
    );
    refused(
        d,
        &["run", "--from-state", "r/state-1928-02-06.perelom-state", "--set", "ogpu.escalation=1928-01-16", "--out", "x"],
        "before the branch",
    );
    // A run never replaces the directory holding the state it continues from.
    refused(d, &["run", "--from-state", "r/state-1928-02-06.perelom-state", "--out", "r", "--force"], "holds the state");
    assert!(state.exists());
    refused(d, &["run", "--save-state-at", "1935-01-01", "--out", "x"], "outside the run");
    refused(d, &["run", "--save-state-at", "soon", "--out", "x"], "not a date");
    // A date inside a week is not moved silently to its Monday: the nearest Mondays are named.
    refused(d, &["run", "--save-state-at", "1928-09-26", "--out", "x"], "the nearest first days of a step are 1928-09-24 and 1928-10-01");
    // The day after the last week is the end of the run; a state there holds all of it.
    ok(d, &["run", "--scale", "0.002", "--steps", "3", "--save-state-at", "1928-01-23", "--out", "end", "-q"]);
    assert!(d.join("end/state-1928-01-23.perelom-state").exists());
    refused(d, &["run", "ussr-1928-1929", "--from-state", "r/state-1928-02-06.perelom-state"], "cannot be used with");
    assert!(!d.join("x").exists(), "nothing claimed by a refused run");
}

#[test]
fn compare_branches_experiments_from_the_shared_history() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let x1 = root.join("experiments/x1-opposition-leads-strikes.toml");
    let x1_text = fs::read_to_string(&x1).unwrap();
    assert!(x1_text.contains("branch_at = 1928-10-01"));
    // X1 changes nothing before its branch date, so branching from the baseline's own run
    // must give exactly what running X1 from the start gives.
    fs::write(d.join("x1-whole.toml"), x1_text.replace("branch_at = 1928-10-01", "")).unwrap();
    let common = ["--runs", "3", "--scale", "0.003"];
    let mut a = vec!["compare", "ussr-1928-1929", x1.to_str().unwrap(), "--out", "branched"];
    a.extend(common);
    ok(d, &a);
    let mut b = vec!["compare", "ussr-1928-1929", "x1-whole.toml", "--out", "whole"];
    b.extend(common);
    ok(d, &b);
    assert_eq!(fs::read(d.join("branched/compare.csv")).unwrap(), fs::read(d.join("whole/compare.csv")).unwrap());
    let j: serde_json::Value = serde_json::from_str(&fs::read_to_string(d.join("branched/compare.json")).unwrap()).unwrap();
    assert!(j["branch_at"].as_object().unwrap().values().any(|v| v == "1928-10-01"), "{j}");
    // A branch date outside the run is refused before any run.
    fs::write(d.join("late.toml"), x1_text.replace("branch_at = 1928-10-01", "branch_at = 1931-01-01")).unwrap();
    refused(d, &["compare", "ussr-1928-1929", "late.toml", "--runs", "2", "--scale", "0.002"], "outside the run");
    fs::write(d.join("bad.toml"), x1_text.replace("branch_at = 1928-10-01", "branch_at = \"autumn\"")).unwrap();
    refused(d, &["compare", "ussr-1928-1929", "bad.toml", "--runs", "2"], "branch_at must be a date");
}
