//! Trust in every result (issue 9), through the real binary: outcomes read at their own
//! dates, dated events outside the run, `--force` that never deletes what a user owns,
//! default names under concurrency, leftovers of killed runs, size limits, checks before
//! work, derived seeds, recorded sweep values, and messages that name the right thing.
//!
//! The inputs under `CASE_*` are the cases of `shared/cases/` that broke Perelom.

use assert_cmd::Command;
use std::fs;
use std::path::Path;
use std::process::{Command as Process, Output};
use std::time::{Duration, Instant};

/// shared/cases/compare-validate-dates-outside-run.toml
const CASE_30_WEEKS: &str = r#"[scenario]
model = "ussr-1928"
name = "C20 same baseline, but the run stops after 30 weeks (1928-07-23)"

[run]
steps = { value = 30, assumed = "test: a horizon that ends before April 1929" }
"#;

/// shared/cases/design-unquoted-dotted-parameter-key.toml
const CASE_DOTTED_KEY: &str = r#"[sweep]
base = "epstein-2002"
replicates = 1
set = ["run.steps=5"]

[parameters]
legitimacy.initial = { values = [0.5, 0.9] }
"#;

/// shared/cases/scenario-bom-error-column-off-by-one.toml
const CASE_BOM: &str = "\u{FEFF}bogus = 1\n[scenario]\nmodel = \"epstein\"\n";

/// shared/cases/sweep-integer-param-grid-levels-recorded-unrounded.toml
const CASE_INT_GRID: &str = r#"# C12: an integer parameter on a min/max/steps grid whose levels are not whole numbers
[sweep]
base = "epstein-2002"
replicates = 1
seed = 1
design = "grid"
set = ["run.steps=5", "grid.height=10"]

[parameters]
"grid.width" = { min = 10, max = 20, steps = 4 }
"#;

/// shared/cases/sweep-seed-plus-replicate-overflows.toml
const CASE_SEED_OVERFLOW: &str = r#"# C11b: first replicate seed at the largest allowed seed, two replicates
[sweep]
base = "epstein-2002"
replicates = 2
seed = 9223372036854775807
set = ["run.steps=5", "grid.width=10", "grid.height=10"]

[parameters]
"legitimacy.initial" = { values = [0.5] }
"#;

/// A small, fast sweep of the Epstein model.
const SMALL_SWEEP: &str = r#"[sweep]
base = "epstein-2002"
replicates = 1
set = ["run.steps=3", "grid.width=10", "grid.height=10"]

[parameters]
"legitimacy.initial" = { values = [0.5, 0.9] }
"#;

/// A small Morris design of the Epstein model.
const SMALL_MORRIS: &str = r#"[sweep]
base = "epstein-2002"
design = "morris"
points = 2
set = ["run.steps=3", "grid.width=10", "grid.height=10"]
metrics = ["active"]

[parameters]
"legitimacy.initial" = { min = 0.2, max = 0.9 }
"citizens.threshold" = { min = 0.0, max = 0.3 }
"#;

/// The 1928-1929 model small enough for tests.
const SCALE: &str = "0.002";

fn bin() -> Command {
    Command::cargo_bin("perelom").expect("the perelom binary is built for integration tests")
}

fn perelom(dir: &Path, args: &[&str]) -> Output {
    let o = bin().current_dir(dir).args(args).output().expect("run perelom");
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!out.contains("panicked") && !err.contains("panicked"), "perelom {args:?} panicked:\n{err}");
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `perelom ARGS` succeeds; returns its standard output.
fn ok(dir: &Path, args: &[&str]) -> Output {
    let o = perelom(dir, args);
    assert!(o.status.success(), "perelom {args:?} failed:\n{}", stderr(&o));
    o
}

/// `perelom ARGS` fails as a user error (exit code 2, `error: ...`) whose message
/// contains every one of `wanted`; returns the message.
fn refused(dir: &Path, args: &[&str], wanted: &[&str]) -> String {
    let o = perelom(dir, args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "perelom {args:?} should be refused:\n{err}");
    assert!(err.contains("error: "), "{err}");
    for w in wanted {
        assert!(err.contains(w), "perelom {args:?}: wanted {w:?} in:\n{err}");
    }
    err
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("write {name}: {e}"));
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).map_or_else(|_| Vec::new(), |d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect());
    v.sort();
    v
}

/// A process id that is certainly not running: a child that has exited and been reaped.
fn dead_pid() -> u32 {
    let mut c = Process::new("true").spawn().expect("run true");
    let pid = c.id();
    c.wait().expect("wait for true");
    pid
}

// ---------------------------------------------------------------------------------------
// 4. Outcomes and targets read at their own dates
// ---------------------------------------------------------------------------------------

#[test]
fn validate_calls_targets_the_run_does_not_reach_not_measurable_never_hit() {
    let t = tempfile::tempdir().unwrap();
    // 70 weeks reach April 1929, the first quarter of 1929 and both campaigns, nothing
    // later (T13 needs the peak of all 1928-1929).
    write(t.path(), "c70.toml", &CASE_30_WEEKS.replace("value = 30", "value = 70"));
    let o = ok(t.path(), &["validate", "c70.toml", "--runs", "2", "--scale", SCALE, "--out", "v"]);
    let out = stdout(&o);
    let line =
        |id: &str| out.lines().find(|l| l.starts_with(&format!("{id:<4} "))).unwrap_or_else(|| panic!("no {id} in\n{out}")).to_string();
    // The result column: id, mean and interval come first.
    let result = |id: &str| line(id).chars().skip(39).take(14).collect::<String>().trim().to_string();
    for id in ["T1", "T2", "T3", "T5", "T9", "T11", "T12", "T13", "T14"] {
        assert_eq!(result(id), "not measurable", "{}", line(id));
    }
    for id in ["T4", "T4b", "T6", "T7", "T8", "T10", "T13b", "T15", "T15b"] {
        assert!(["hit", "MISSED"].contains(&result(id).as_str()), "{}", line(id));
    }
    assert!(out.contains("9 not measurable in a run from 1928-01-02 to 1929-05-05"), "{out}");
    assert!(stderr(&o).contains("does not cover the dates of T1, T2, T3, T5, T9, T11, T12, T13, T14"), "{}", stderr(&o));
    let j = json(&t.path().join("v/targets.json"));
    let t9 = j["targets"].as_array().unwrap().iter().find(|x| x["id"] == "T9").unwrap().clone();
    assert_eq!((t9["measurable"].clone(), t9["hit"].clone(), t9["result"].clone()), (false.into(), false.into(), "not measurable".into()));
    assert!(read(&t.path().join("v/targets.csv")).contains(",not measurable,0\n"), "the result, then the single-run hit rate");
    // --strict does not pass a validation whose targets could not be measured.
    let o = perelom(t.path(), &["validate", "c70.toml", "--runs", "1", "--scale", SCALE, "--strict"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn validate_refuses_a_run_that_reaches_no_target() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "c30.toml", CASE_30_WEEKS);
    refused(
        t.path(),
        &["validate", "c30.toml", "--runs", "2", "--out", "v"],
        &["does not reach the dates of any target", "run.steps = 104"],
    );
    assert!(!t.path().join("v").exists(), "refused before any work");
    refused(t.path(), &["calibrate", "c30.toml", "--budget", "4", "--particles", "2", "--out", "c"], &["does not cover the dates of T1"]);
    assert!(!t.path().join("c").exists());
}

#[test]
fn compare_refuses_runs_of_different_horizons() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "c30.toml", CASE_30_WEEKS);
    let err = refused(
        t.path(),
        &["compare", "ussr-1928-1929", "c30.toml", "--runs", "2"],
        &["another horizon", "run.steps = 30", "run.steps = 104"],
    );
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn compare_shows_outcomes_dated_after_the_runs_as_not_measurable() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "c30.toml", &format!("{CASE_30_WEEKS}\n[population]\nscale = {SCALE}\n"));
    let o = ok(t.path(), &["compare", "c30.toml", "c30.toml", "--runs", "2", "--out", "c"]);
    let out = stdout(&o);
    for outcome in ["opposition members, April 1929", "opposition members, end 1929", "real wage index, end 1929"] {
        let line = out.lines().find(|l| l.starts_with(outcome)).unwrap_or_else(|| panic!("{outcome} missing:\n{out}"));
        assert!(line.contains("not measurable"), "{line}");
    }
    let csv = read(&t.path().join("c/compare.csv"));
    let row = csv.lines().find(|l| l.contains(",\"opposition members, April 1929 (full-scale equivalent)\",")).expect("the row is kept");
    assert!(row.contains("NaN"), "{row}");
    assert!(!row.contains(",0,") && !row.contains(",0.0,"), "no value read from another week: {row}");
    ok(t.path(), &["report", "c"]);
    let html = read(&t.path().join("c/report/index.html"));
    assert!(
        html.contains("<td>opposition members, April 1929 (full-scale equivalent)</td><td>not measurable</td>"),
        "the report says so too"
    );
}

// ---------------------------------------------------------------------------------------
// 5. Dated events: "off", and dates outside the run
// ---------------------------------------------------------------------------------------

#[test]
fn a_dated_event_can_be_switched_off_in_a_file_and_with_set() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "x2.toml",
        &format!("[scenario]\nmodel = \"ussr-1928\"\nname = \"no escalation\"\n[population]\nscale = {SCALE}\n[ogpu]\nescalation = {{ value = \"off\", assumed = \"X: never\" }}\n"),
    );
    let o = ok(t.path(), &["run", "x2.toml", "--out", "a", "--quiet"]);
    assert_eq!(stderr(&o), "", "switching an event off is not warned about");
    assert!(read(&t.path().join("a/scenario.toml")).contains("escalation = { value = \"off\", assumed = \"X: never\" }"));
    let m = json(&t.path().join("a/manifest.json"));
    let p = m["parameters"].as_array().unwrap().iter().find(|p| p["key"] == "ogpu.escalation").unwrap().clone();
    assert_eq!(p["value"], "off");
    // The resolved scenario runs again as it is.
    ok(t.path(), &["run", "a/scenario.toml", "--out", "b", "--quiet"]);
    ok(t.path(), &["run", "--scale", SCALE, "--set", "ogpu.escalation=off", "--out", "c", "--quiet"]);
    refused(t.path(), &["run", "--set", "run.start=off", "--out", "d"], &["`run.start` cannot be switched off"]);
    let err = refused(t.path(), &["run", "--set", "ogpu.escalation=never", "--out", "d"], &["ogpu.escalation"]);
    assert!(err.contains("or \"off\""), "the valid values name off: {err}");
}

#[test]
fn a_dated_event_outside_the_run_is_warned_about_and_recorded() {
    let t = tempfile::tempdir().unwrap();
    let o = ok(t.path(), &["run", "--scale", SCALE, "--out", "base", "--quiet"]);
    assert_eq!(stderr(&o), "", "the baseline's events fall inside its run or are off");
    // A run cut short: one line for all the events it does not reach.
    let o = ok(t.path(), &["run", "--scale", SCALE, "--steps", "10", "--out", "short", "--quiet"]);
    let err = stderr(&o);
    assert_eq!(err.lines().filter(|l| l.starts_with("warning: ")).count(), 1, "{err}");
    assert!(
        err.contains("8 dated events of ussr-1928-1929 lie after the run ends (1928-03-11)")
            && err.contains("ogpu.escalation = 1928-09-24"),
        "{err}"
    );
    assert_eq!(json(&t.path().join("short/manifest.json"))["warnings"].as_array().map(Vec::len), Some(8), "each recorded");
    // A typo: 1992 for 1929.
    write(
        t.path(),
        "typo.toml",
        &format!("[scenario]\nmodel = \"ussr-1928\"\nname = \"typo\"\n[population]\nscale = {SCALE}\n[ogpu]\nescalation = 1992-09-24\n"),
    );
    let o = ok(t.path(), &["run", "typo.toml", "--out", "r", "--quiet"]);
    let err = stderr(&o);
    assert!(
        err.contains(
            "warning: typo.toml:7:14: `ogpu.escalation` = 1992-09-24 is after the run ends (1929-12-29): it will not happen in this run"
        ),
        "{err}"
    );
    assert!(err.contains("\"off\""), "{err}");
    let w = json(&t.path().join("r/manifest.json"))["warnings"].clone();
    assert_eq!(w.as_array().map(Vec::len), Some(1), "{w}");
    assert!(w[0].as_str().unwrap().contains("ogpu.escalation"));
    // Before the start, with --set.
    let o = ok(t.path(), &["run", "--scale", SCALE, "--set", "ogpu.escalation=1927-09-24", "--out", "s", "--quiet"]);
    assert!(stderr(&o).contains("warning: --set: `ogpu.escalation` = 1927-09-24 is before the run starts (1928-01-02)"), "{}", stderr(&o));
    // The validation records the warning too.
    ok(t.path(), &["validate", "typo.toml", "--runs", "1", "--out", "v"]);
    assert!(json(&t.path().join("v/targets.json"))["warnings"][0].as_str().unwrap().contains("1992-09-24"));
}

// ---------------------------------------------------------------------------------------
// 6. --force never deletes what a user owns
// ---------------------------------------------------------------------------------------

/// A user's folder: a thesis.
fn thesis(dir: &Path, name: &str) -> std::path::PathBuf {
    let d = dir.join(name);
    fs::create_dir_all(d.join("chapters")).unwrap();
    fs::write(d.join("thesis.tex"), "years of work").unwrap();
    fs::write(d.join("chapters/one.tex"), "chapter one").unwrap();
    d
}

fn thesis_intact(d: &Path) {
    assert_eq!(read(&d.join("thesis.tex")), "years of work");
    assert_eq!(read(&d.join("chapters/one.tex")), "chapter one");
    assert_eq!(names(d), ["chapters", "thesis.tex"]);
}

#[test]
fn force_never_replaces_a_directory_perelom_did_not_write_in_any_command() {
    let t = tempfile::tempdir().unwrap();
    let d = thesis(t.path(), "thesis");
    write(t.path(), "s.toml", SMALL_SWEEP);
    write(t.path(), "m.toml", SMALL_MORRIS);
    let commands: Vec<Vec<&str>> = vec![
        vec!["run", "epstein-2002", "--steps", "2", "--out", "thesis", "--force"],
        vec!["validate", "--runs", "1", "--scale", SCALE, "--out", "thesis", "--force"],
        vec!["compare", "epstein-2002", "epstein-2002", "--runs", "2", "--out", "thesis", "--force"],
        vec!["calibrate", "--budget", "2", "--particles", "2", "--scale", SCALE, "--out", "thesis", "--force"],
        vec!["sweep", "s.toml", "--out", "thesis", "--force"],
        vec!["sensitivity", "m.toml", "--output", "active:mean", "--out", "thesis", "--force"],
    ];
    for args in &commands {
        let err = refused(t.path(), args, &["refusing to replace thesis", "not a Perelom result"]);
        assert!(!err.contains("--force to replace"), "{args:?}: the help must not suggest --force again:\n{err}");
        thesis_intact(&d);
    }
    // A report goes to DIR/report: a user's folder of that name is not replaced either.
    ok(t.path(), &["run", "epstein-2002", "--steps", "2", "--out", "r", "--quiet"]);
    let mine = thesis(&t.path().join("r"), "report");
    refused(t.path(), &["report", "r", "--force"], &["refusing to replace r/report", "not a Perelom result"]);
    thesis_intact(&mine);
    assert!(names(t.path()).iter().all(|n| !n.starts_with('.')), "nothing left beside: {:?}", names(t.path()));
}

#[test]
fn force_replaces_only_a_result_of_the_same_kind_holding_nothing_else() {
    let t = tempfile::tempdir().unwrap();
    ok(t.path(), &["run", "epstein-2002", "--steps", "2", "--out", "r", "--quiet"]);
    // Another kind of result.
    refused(
        t.path(),
        &["validate", "--runs", "1", "--scale", SCALE, "--out", "r", "--force"],
        &["holds a Perelom run result, not a validation result"],
    );
    refused(t.path(), &["sweep", "s.toml", "--out", "r", "--force"], &[]);
    // The same kind, with a user's file added.
    fs::write(t.path().join("r/notes.txt"), "my notes").unwrap();
    refused(t.path(), &["run", "epstein-2002", "--steps", "2", "--out", "r", "--force"], &["files Perelom did not write: notes.txt"]);
    assert_eq!(read(&t.path().join("r/notes.txt")), "my notes");
    fs::remove_file(t.path().join("r/notes.txt")).unwrap();
    // The same kind, with its report: replaced.
    ok(t.path(), &["report", "r"]);
    ok(t.path(), &["run", "epstein-2002", "--steps", "3", "--out", "r", "--force", "--quiet"]);
    assert_eq!(json(&t.path().join("r/manifest.json"))["steps"], 3);
    // A sweep started over with --force, and a user's file in a sweep stops it.
    write(t.path(), "s.toml", SMALL_SWEEP);
    ok(t.path(), &["sweep", "s.toml", "--out", "sw", "--quiet"]);
    ok(t.path(), &["sweep", "s.toml", "--out", "sw", "--force", "--quiet"]);
    fs::write(t.path().join("sw/runs/mine.csv"), "x").unwrap();
    refused(t.path(), &["sweep", "s.toml", "--out", "sw", "--force"], &["runs/mine.csv"]);
    assert!(t.path().join("sw/runs/mine.csv").exists());
}

// ---------------------------------------------------------------------------------------
// 7. Default names under concurrency
// ---------------------------------------------------------------------------------------

#[test]
fn concurrent_runs_with_default_names_all_succeed_in_their_own_directories() {
    let t = tempfile::tempdir().unwrap();
    let exe = assert_cmd::cargo::cargo_bin("perelom");
    // Spawned one after another without waiting: all six run at once.
    let children: Vec<_> = (0..6)
        .map(|_| {
            Process::new(&exe)
                .current_dir(t.path())
                .args(["run", "epstein-2002", "--steps", "2", "--quiet"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start perelom")
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().expect("wait for perelom");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let dirs = names(&t.path().join("results"));
    assert_eq!(dirs.len(), 6, "{dirs:?}");
    for d in &dirs {
        assert!(d.starts_with("epstein-2002-"), "{d}");
        assert!(t.path().join("results").join(d).join("metrics.csv").is_file(), "{d}");
    }
}

// ---------------------------------------------------------------------------------------
// 8. Leftovers of killed runs
// ---------------------------------------------------------------------------------------

#[test]
fn a_killed_runs_hidden_directory_is_removed_by_the_next_run_and_nothing_else() {
    let t = tempfile::tempdir().unwrap();
    let results = t.path().join("results");
    fs::create_dir(&results).unwrap();
    // A run killed mid-way leaves .long.partial-PID.
    let exe = assert_cmd::cargo::cargo_bin("perelom");
    let mut long = Process::new(&exe)
        .current_dir(t.path())
        .args(["run", "epstein-2002", "--steps", "1000000", "--out", "results/long", "--quiet"])
        .spawn()
        .unwrap();
    let partial = results.join(format!(".long.partial-{}", long.id()));
    let start = Instant::now();
    while !partial.join(".perelom-result").exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    long.kill().unwrap();
    long.wait().unwrap();
    assert!(partial.is_dir(), "the killed run left its partial directory");
    // A live process's partial directory, and things that only look alike.
    let mut sleeper = Process::new("sleep").arg("60").spawn().unwrap();
    let live = results.join(format!(".other.partial-{}", sleeper.id()));
    fs::create_dir(&live).unwrap();
    let dead = dead_pid();
    let user_file = results.join(format!(".notes.partial-{dead}"));
    fs::write(&user_file, "a file, not a result directory").unwrap();
    let user_dir = results.join(".thesis");
    fs::create_dir(&user_dir).unwrap();
    let odd = results.join(format!(".x.partial-{dead}-backup"));
    fs::create_dir(&odd).unwrap();
    // A directory named like a leftover but without Perelom's marker is not Perelom's.
    let unmarked = results.join(format!(".mine.partial-{dead}"));
    fs::create_dir(&unmarked).unwrap();

    ok(t.path(), &["run", "epstein-2002", "--steps", "2", "--out", "results/next", "--quiet"]);
    assert!(!partial.exists(), "the dead run's leftover is removed");
    assert!(live.is_dir(), "a running process's directory is kept");
    assert!(user_file.is_file() && user_dir.is_dir() && odd.is_dir(), "nothing not matching .NAME.partial-PID is touched");
    assert!(unmarked.is_dir(), "nothing without Perelom's marker is touched");
    assert!(results.join("next/metrics.csv").is_file());
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
}

// ---------------------------------------------------------------------------------------
// 9. Sizes are range-checked before anything is allocated
// ---------------------------------------------------------------------------------------

#[test]
fn sizes_are_range_checked_with_the_valid_range_before_any_work() {
    let t = tempfile::tempdir().unwrap();
    let quick = |args: &[&str], wanted: &[&str]| {
        let start = Instant::now();
        let err = refused(t.path(), args, wanted);
        assert!(!err.contains("memory allocation"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(20), "{args:?} took {:?}", start.elapsed());
    };
    quick(&["validate", "--runs", "100000000"], &["--runs", "1..=10000"]);
    quick(&["validate", "--runs", "0"], &["--runs", "1..=10000"]);
    quick(&["compare", "epstein-2002", "epstein-2002", "--runs", "100000000"], &["--runs", "2..=10000"]);
    quick(&["calibrate", "--budget", "10000000000", "--out", "c"], &["--budget", "1..=1000000"]);
    quick(&["calibrate", "--particles", "0", "--out", "c"], &["--particles", "1..=100000"]);
    quick(&["calibrate", "--budget", "5", "--particles", "10", "--out", "c"], &["--particles 10 with --budget 5"]);
    quick(&["calibrate", "--param", "protest.strike=0.3:0.5", "--param", "protest.strike=0.3:0.4", "--out", "c"], &["given twice"]);
    quick(&["run", "epstein-2002", "--threads", "100000"], &["--threads"]);
    quick(&["run", "epstein-2002", "--steps", "4000000000"], &["--steps"]);
    let design = |extra_sweep: &str, params: &str| format!("[sweep]\nbase = \"epstein-2002\"\n{extra_sweep}\n[parameters]\n{params}\n");
    let cases = [
        (design("replicates = 100000000", "\"legitimacy.initial\" = { values = [0.5] }"), "replicates = 100000000 is out of range"),
        (design("design = \"latin-hypercube\"\npoints = 4000000000", "\"legitimacy.initial\" = { min = 0.1, max = 0.9 }"), "points = 4000000000 is out of range"),
        (design("", "\"legitimacy.initial\" = { min = 0.1, max = 0.9, steps = 100000000 }"), "steps = 100000000"),
        (
            design("", "\"legitimacy.initial\" = { min = 0.1, max = 0.9, steps = 1000 }\n\"citizens.threshold\" = { min = 0.0, max = 0.3, steps = 1000 }\n\"arrest.k\" = { min = 1.0, max = 3.0, steps = 1000 }"),
            "asks for 1000000000 runs",
        ),
        (design("replicates = 1000", "\"legitimacy.initial\" = { min = 0.1, max = 0.9, steps = 10000 }"), "asks for 10000000 runs"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let f = format!("big{i}.toml");
        write(t.path(), &f, text);
        quick(&["sweep", &f, "--out", &format!("o{i}")], &[want, "help:"]);
        assert!(!t.path().join(format!("o{i}")).exists());
    }
    let many: Vec<String> = (0..10_001).map(|i| format!("{}", 0.1 + f64::from(i % 8) / 10.0)).collect();
    write(t.path(), "long.toml", &design("", &format!("\"legitimacy.initial\" = {{ values = [{}] }}", many.join(", "))));
    quick(&["sweep", "long.toml", "--out", "long"], &["lists 10001 values", "from 1 to 10000"]);
}

// ---------------------------------------------------------------------------------------
// 10. Everything is checked before work starts
// ---------------------------------------------------------------------------------------

#[test]
fn sensitivity_checks_its_outputs_and_design_before_running_the_sweep() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "m.toml", SMALL_MORRIS);
    write(t.path(), "lhs.toml", &SMALL_MORRIS.replace("morris", "latin-hypercube"));
    refused(t.path(), &["sensitivity", "m.toml", "--output", "actve:mean", "--out", "a"], &["unknown metric `actve`", "active"]);
    refused(
        t.path(),
        &["sensitivity", "m.toml", "--output", "jailed:mean", "--out", "b"],
        &["keeps only the metrics active", "add \"jailed\" to metrics"],
    );
    refused(
        t.path(),
        &["sensitivity", "lhs.toml", "--output", "active:mean", "--out", "c"],
        &["needs design = \"morris\" or \"saltelli\""],
    );
    refused(t.path(), &["sensitivity", "m.toml", "--output", "active:median", "--out", "d"], &["unknown statistic `median`"]);
    for d in ["a", "b", "c", "d"] {
        assert!(!t.path().join(d).exists(), "{d}: nothing ran");
    }
    // A point that the model rejects (cross-parameter checks) stops the sweep before run 0.
    write(
        t.path(),
        "bad.toml",
        "[sweep]\nbase = \"epstein-2002\"\nset = [\"run.steps=3\"]\n[parameters]\n\"citizens.density\" = { values = [0.5, 0.95] }\n",
    );
    refused(
        t.path(),
        &["sweep", "bad.toml", "--out", "e"],
        &["design point 1 (citizens.density=0.95) is not a valid scenario", "exceeds 1"],
    );
    assert!(!t.path().join("e").exists());
}

// ---------------------------------------------------------------------------------------
// 11. Derived seeds
// ---------------------------------------------------------------------------------------

#[test]
fn derived_seeds_beyond_the_valid_range_are_refused_naming_the_real_culprit() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "seeds.toml", CASE_SEED_OVERFLOW);
    let err = refused(
        t.path(),
        &["sweep", "seeds.toml", "--out", "s"],
        &["seeds.toml:5:1", "seed = 9223372036854775807 with replicates = 2", "at most 9223372036854775806"],
    );
    assert!(!err.contains("--set"), "no --set was given: {err}");
    assert!(!t.path().join("s").exists(), "no half-done folder");
    let max = i64::MAX.to_string();
    let set = format!("run.seed={max}");
    let err = refused(t.path(), &["validate", "--set", &set, "--runs", "2"], &["--runs 2", "beyond the largest seed"]);
    assert!(!err.contains("--set: invalid"), "{err}");
    write(t.path(), "b.toml", &format!("[scenario]\nmodel = \"epstein\"\n[run]\nseed = {max}\nsteps = 2\n"));
    refused(t.path(), &["compare", "b.toml", "b.toml", "--runs", "3"], &["--runs 3", "beyond the largest seed", "lower run.seed"]);
    // The largest seed itself is fine for one run.
    ok(t.path(), &["run", "epstein-2002", "--steps", "2", "--seed", &max, "--out", "r", "--quiet"]);
}

// ---------------------------------------------------------------------------------------
// 12. Sweeps record the values they ran
// ---------------------------------------------------------------------------------------

#[test]
fn sweeps_record_exactly_the_values_they_ran() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "int.toml", CASE_INT_GRID);
    refused(
        t.path(),
        &["sweep", "int.toml", "--out", "i"],
        &["10, 13.333, 16.667, 20", "not whole numbers", "`grid.width` is an integer", "steps = 2, 3, 6, 11"],
    );
    write(t.path(), "int2.toml", &CASE_INT_GRID.replace("min = 10, max = 20, steps = 4", "values = [10, 12.5]"));
    refused(t.path(), &["sweep", "int2.toml", "--out", "i2"], &["12.5 is not a whole number"]);
    // Whole levels run and are recorded as they are.
    write(t.path(), "int3.toml", &CASE_INT_GRID.replace("steps = 4", "steps = 3"));
    ok(t.path(), &["sweep", "int3.toml", "--out", "i3", "--quiet"]);
    let cat = read(&t.path().join("i3/catalogue.csv"));
    let widths: Vec<&str> = cat.lines().skip(1).map(|l| l.split(',').nth(4).unwrap()).collect();
    assert_eq!(widths, ["10", "15", "20"], "{cat}");
    // Levels computed from the bounds, free of floating-point residue: 0.9, not 0.8999999999999999.
    write(
        t.path(),
        "g.toml",
        "[sweep]\nbase = \"epstein-2002\"\nset = [\"run.steps=2\", \"grid.width=10\", \"grid.height=10\"]\n[parameters]\n\"legitimacy.initial\" = { min = 0.2, max = 0.9, steps = 3 }\n\"citizens.threshold\" = { min = 0.1, max = 0.7, steps = 7 }\n",
    );
    ok(t.path(), &["sweep", "g.toml", "--out", "g", "--quiet"]);
    let cat = read(&t.path().join("g/catalogue.csv"));
    let column = |i: usize| {
        let mut v: Vec<String> = cat.lines().skip(1).map(|l| l.split(',').nth(i).unwrap().to_string()).collect();
        v.dedup();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(column(4), ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"], "{cat}");
    assert_eq!(column(5), ["0.2", "0.55", "0.9"], "{cat}");
    // A sampled design on an integer parameter runs and records whole numbers.
    write(
        t.path(),
        "lhs.toml",
        "[sweep]\nbase = \"epstein-2002\"\ndesign = \"latin-hypercube\"\npoints = 5\nset = [\"run.steps=2\", \"grid.height=10\"]\n[parameters]\n\"grid.width\" = { min = 10, max = 20 }\n",
    );
    ok(t.path(), &["sweep", "lhs.toml", "--out", "l", "--quiet"]);
    let cat = read(&t.path().join("l/catalogue.csv"));
    for line in cat.lines().skip(1) {
        let w = line.split(',').nth(4).unwrap();
        let x: f64 = w.parse().unwrap();
        assert!(x.fract() == 0.0 && (10.0..=20.0).contains(&x) && !w.contains('.'), "{line}");
    }
}

// ---------------------------------------------------------------------------------------
// 13. Messages that name the right thing, at the right place
// ---------------------------------------------------------------------------------------

#[test]
fn an_unquoted_dotted_key_in_a_design_is_said_to_need_quotes() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "d.toml", CASE_DOTTED_KEY);
    let err = refused(
        t.path(),
        &["sweep", "d.toml", "--out", "o"],
        &["d.toml:7:1", "legitimacy.initial must be quoted", "write \"legitimacy.initial\" = { values = [0.5, 0.9] }"],
    );
    assert!(!err.contains("unknown field"), "{err}");
}

#[test]
fn positions_are_characters_from_the_first_character_in_every_file() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "bom.toml", CASE_BOM);
    refused(t.path(), &["run", "bom.toml"], &["bom.toml:1:1: unknown parameter `bogus`"]);
    // An experiment file is read by the same parser.
    refused(t.path(), &["compare", "epstein-2002", "bom.toml"], &["bom.toml:1:1: unknown parameter `bogus`"]);
    // Design files: a byte-order mark, and a multi-byte character before the error.
    write(
        t.path(),
        "d1.toml",
        "\u{FEFF}replicats = 1\n[sweep]\nbase = \"epstein-2002\"\n[parameters]\n\"legitimacy.initial\" = { values = [0.5] }\n",
    );
    refused(t.path(), &["sweep", "d1.toml", "--out", "o"], &["d1.toml:1:1:"]);
    write(
        t.path(),
        "d2.toml",
        "[sweep]\nbase = \"epstein-2002\"\nset = [\"é\", 5]\n[parameters]\n\"legitimacy.initial\" = { values = [0.5] }\n",
    );
    refused(t.path(), &["sweep", "d2.toml", "--out", "o"], &["d2.toml:3:13:"]);
    write(
        t.path(),
        "d3.toml",
        "\u{FEFF}[sweep]\nbase = \"epstein-2002\"\nreplicates = 0\n[parameters]\n\"legitimacy.initial\" = { values = [0.5] }\n",
    );
    refused(t.path(), &["sweep", "d3.toml", "--out", "o"], &["d3.toml:3:1: replicates = 0 is out of range", "from 1 to 10000"]);
    // A sweep's state file, edited by hand: the column counts characters (x is the 16th
    // character, the 17th byte).
    write(t.path(), "s.toml", SMALL_SWEEP);
    ok(t.path(), &["sweep", "s.toml", "--out", "sw", "--quiet"]);
    fs::write(t.path().join("sw/sweep.json"), "{\"design\": \"é\" x}").unwrap();
    refused(t.path(), &["sweep", "s.toml", "--out", "sw", "--resume"], &["sweep.json:1:16: expected"]);
}

#[test]
fn every_suggestion_names_an_option_the_command_has() {
    let t = tempfile::tempdir().unwrap();
    ok(t.path(), &["run", "epstein-2002", "--steps", "2", "--out", "r", "--quiet"]);
    ok(t.path(), &["report", "r"]);
    let err = refused(t.path(), &["report", "r"], &["r/report already exists", "--force"]);
    assert!(!err.contains("--out"), "report has no --out: {err}");
    // The option given is named, not --set.
    let err = refused(t.path(), &["run", "epstein-2002", "--steps", "0"], &["--steps: invalid value for `run.steps`"]);
    assert!(!err.contains("--set"), "{err}");
    refused(t.path(), &["run", "--scale", "5"], &["--scale: invalid value for `population.scale`"]);
    refused(t.path(), &["validate", "--scale", "5"], &["--scale: invalid value for `population.scale`"]);
    // A design's `set` list is named as such.
    write(t.path(), "set.toml", &SMALL_SWEEP.replace("\"run.steps=3\"", "\"run.stepz=3\""));
    let err =
        refused(t.path(), &["sweep", "set.toml", "--out", "o"], &["set.toml [sweep] set: unknown parameter `run.stepz`", "run.steps"]);
    assert!(!err.contains("--set"), "{err}");
    // A sensitivity analysis over an existing sweep names its own options.
    write(t.path(), "m.toml", SMALL_MORRIS);
    ok(t.path(), &["sweep", "m.toml", "--out", "m", "--quiet"]);
    let err =
        refused(t.path(), &["sensitivity", "m.toml", "--output", "active:mean", "--out", "m"], &["already exists", "--resume", "--force"]);
    let help = Command::cargo_bin("perelom").unwrap().args(["sensitivity", "--help"]).output().unwrap();
    for flag in ["--resume", "--force", "--out"] {
        if err.contains(flag) {
            assert!(stdout(&help).contains(flag), "sensitivity has no {flag}, but the message names it:\n{err}");
        }
    }
    ok(t.path(), &["sensitivity", "m.toml", "--output", "active:mean", "--out", "m", "--resume", "--quiet"]);
}

#[test]
fn ensembles_the_machine_cannot_hold_are_refused_before_any_run() {
    let d = tempfile::tempdir().unwrap();
    // 64 Epstein runs of 10,000 x 10,000 cells at once need hundreds of GB: refused at
    // once, with the estimate and a way out, and no output folder is made.
    let said = refused(
        d.path(),
        &[
            "validate",
            "epstein-2002",
            "--set",
            "grid.width=10000",
            "--set",
            "grid.height=10000",
            "--runs",
            "64",
            "--threads",
            "64",
            "--out",
            "v",
        ],
        &["GB of memory", "64 runs at once", "100,000,000 agents or grid cells", "fewer --threads"],
    );
    assert!(!said.contains("panicked"));
    assert!(!d.path().join("v").exists());
    // compare checks every scenario, not only the baseline: here the experiment is the big one.
    write(d.path(), "big.toml", "[scenario]\nmodel = \"epstein\"\n[grid]\nwidth = 10000\nheight = 10000\n");
    refused(
        d.path(),
        &["compare", "epstein-2002", "big.toml", "--runs", "64", "--threads", "64", "-q"],
        &["big.toml: this would need", "GB of memory"],
    );
    // A sweep checks its largest point before any run, and makes no folder.
    write(
        d.path(),
        "bigs.toml",
        "[sweep]\nbase = \"epstein-2002\"\nreplicates = 64\nset = [\"run.steps=2\"]\n[parameters]\n\"grid.width\" = { values = [10, 10000] }\n\"grid.height\" = { values = [10000] }\n",
    );
    refused(
        d.path(),
        &["sweep", "bigs.toml", "--out", "bs", "--threads", "64"],
        &["bigs.toml: this would need", "at the design's largest point"],
    );
    assert!(!d.path().join("bs").exists());
}
