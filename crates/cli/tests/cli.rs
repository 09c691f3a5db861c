//! End-to-end tests of the `perelom` binary: each test runs the real executable in a
//! fresh temporary directory and checks what a user sees — exit codes, messages on
//! stderr, and the files a run leaves behind.
//!
//! The tests learn the model's parameters from the resolved `scenario.toml` of a run
//! (and from `perelom sources`), so they keep working as the model's schema
//! grows.

use assert_cmd::assert::Assert;
use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Short runs keep the suite fast.
const STEPS: &str = "20";

/// The scenario the tests run (named, so they do not depend on which one is the default).
const EPSTEIN: &str = "epstein-2002";

/// The exit code of every user error.
const USER_ERROR: i32 = 2;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `perelom ARGS` run with `dir` as the current directory. Whatever the outcome, the
/// program must not panic.
fn perelom(dir: &Path, args: &[&str]) -> Assert {
    Command::cargo_bin("perelom")
        .expect("the perelom binary is built for integration tests")
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .args(args)
        .assert()
        .stdout(predicate::str::contains("panicked").not())
        .stderr(predicate::str::contains("panicked").not())
}

/// `perelom ARGS` must fail as a user error: exit code 2, nothing on stdout, and stderr
/// starting with `error: `.
fn fails(dir: &Path, args: &[&str]) -> Assert {
    perelom(dir, args).failure().code(USER_ERROR).stdout("").stderr(predicate::str::starts_with("error: "))
}

fn stdout_of(a: &Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr_of(a: &Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn tmp() -> TempDir {
    tempfile::tempdir().expect("create a temporary directory")
}

/// Runs epstein-2002 for [`STEPS`] steps into `dir/out` and returns that path.
fn run_epstein(dir: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["run", EPSTEIN, "--steps", STEPS, "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    perelom(dir, &args).success();
    dir.join(out)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn read_bytes(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Entries of `dir` a result directory should never leave behind: the hidden partial
/// directory and the moved-aside old results.
fn leftovers(dir: &Path) -> Vec<String> {
    entries(dir).into_iter().filter(|n| n.starts_with('.') || n.contains("partial") || n.contains("replaced")).collect()
}

/// Every file of a result directory except the manifest (which records times and the
/// thread count), as name → bytes.
fn result_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    entries(dir).into_iter().filter(|n| n != "manifest.json").map(|n| (n.clone(), read_bytes(&dir.join(&n)))).collect()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&dir.join("manifest.json"))).expect("manifest.json is JSON")
}

/// A resolved scenario file, as `perelom run` writes it: the model's name and every
/// parameter as (dotted key, value as written).
struct Resolved {
    model: String,
    params: Vec<(String, String)>,
}

impl Resolved {
    fn parse(text: &str) -> Resolved {
        let mut model = None;
        let mut group = String::new();
        let mut params = Vec::new();
        for line in text.lines().map(str::trim) {
            if let Some(g) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                group = g.to_string();
            } else if let Some((name, rest)) = line.split_once(" = ") {
                if group == "scenario" {
                    if name == "model" {
                        model = Some(rest.trim_matches('"').to_string());
                    }
                } else if let Some(v) = rest.strip_prefix("{ value = ") {
                    let end =
                        [", source = ", ", mechanism = ", ", assumed = ", " }"].iter().filter_map(|m| v.find(m)).min().unwrap_or(v.len());
                    params.push((format!("{group}.{name}"), v[..end].to_string()));
                }
            } else if let Some((name, rest)) = line.strip_prefix("# ").and_then(|l| l.split_once(": unless set here, the same as ")) {
                // A default that follows another parameter: written as a comment.
                let v = rest.split_once("(now ").map_or("", |(_, v)| v.trim_end_matches(')'));
                params.push((format!("{group}.{name}"), v.to_string()));
            }
        }
        Resolved { model: model.expect("the resolved scenario names its model"), params }
    }

    /// The resolved epstein-2002 scenario, from a short run into `dir/resolved`.
    fn epstein_in(dir: &Path) -> Resolved {
        let out = run_epstein(dir, "resolved", &[]);
        Resolved::parse(&read(&out.join("scenario.toml")))
    }

    /// A model parameter (not one of `[run]`) whose value is an integer, and so whose
    /// kind is one.
    fn int_param(&self) -> (&str, &str) {
        self.params
            .iter()
            .find(|(k, v)| v.parse::<i64>().is_ok() && !k.starts_with("run."))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .expect("epstein-2002 has an integer parameter")
    }

    /// Parameters whose value is a number with a decimal point between 0 and 1.
    fn unit_float_params(&self) -> Vec<&str> {
        self.params
            .iter()
            .filter(|(_, v)| v.contains('.') && v.parse::<f64>().is_ok_and(|x| (0.0..=1.0).contains(&x)))
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

/// A small scenario file for `model` setting `key = value` (TOML written as given).
fn scenario_with(model: &str, key: &str, value: &str) -> String {
    let (group, name) = key.split_once('.').expect("keys are dotted");
    format!("[scenario]\nmodel = \"{model}\"\nname = \"test\"\n\n[{group}]\n{name} = {value}\n")
}

/// `word` with its last two letters swapped: a typo `did you mean` should catch.
fn typo(word: &str) -> String {
    let mut c: Vec<char> = word.chars().collect();
    let n = c.len();
    assert!(n >= 3, "{word} is too short to misspell");
    if c[n - 1] == c[n - 2] {
        c[n - 1] = 'x';
    } else {
        c.swap(n - 1, n - 2);
    }
    c.into_iter().collect()
}

/// Parameter keys listed by `perelom sources --markdown`.
fn source_keys(dir: &Path) -> Vec<String> {
    let a = perelom(dir, &["sources", EPSTEIN, "--markdown"]).success();
    stdout_of(&a).lines().filter_map(|l| l.strip_prefix("| `").and_then(|l| l.split_once('`')).map(|(k, _)| k.to_string())).collect()
}

// ---------------------------------------------------------------------------------------
// A successful run
// ---------------------------------------------------------------------------------------

#[test]
fn run_prints_a_summary_and_writes_metrics_manifest_and_scenario() {
    let t = tmp();
    let a = perelom(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--seed", "7", "--out", "X"]).success();
    let out = stdout_of(&a);
    assert!(out.contains("seed 7"), "summary names the seed:\n{out}");
    assert!(out.contains(&format!("{STEPS} steps")), "summary names the steps:\n{out}");
    assert!(out.contains("results: X"), "summary names the result directory:\n{out}");
    assert!(out.lines().count() >= 3, "summary has figures:\n{out}");

    let x = t.path().join("X");
    for f in ["metrics.csv", "manifest.json", "scenario.toml"] {
        assert!(x.join(f).is_file(), "{f} written; have {:?}", entries(&x));
    }

    let metrics = read(&x.join("metrics.csv"));
    let mut lines = metrics.lines();
    let header: Vec<&str> = lines.next().expect("metrics.csv has a header").split(',').collect();
    assert_eq!(header.first(), Some(&"step"), "{header:?}");
    for col in ["quiet", "active", "jailed"] {
        assert!(header.contains(&col), "metrics.csv has column {col}: {header:?}");
    }
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 20, "one row per step");
    for r in &rows {
        assert_eq!(r.split(',').count(), header.len(), "row {r:?} has a cell per column");
    }
    let steps: Vec<i64> = rows.iter().map(|r| r.split(',').next().and_then(|c| c.parse().ok()).expect("step is an integer")).collect();
    assert!(steps.windows(2).all(|w| w[1] == w[0] + 1), "steps count up one by one: {steps:?}");

    let m = manifest(&x);
    assert_eq!(m["seed"], 7, "{m:#}");
    assert_eq!(m["steps"], 20, "{m:#}");
    assert_eq!(m["perelom_version"], env!("CARGO_PKG_VERSION"), "{m:#}");
    assert!(m["threads"].as_u64().is_some_and(|n| n >= 1), "{m:#}");
    assert!(m["wall_seconds"].as_f64().is_some_and(|s| s >= 0.0), "{m:#}");
    assert_eq!(m["format"], "csv", "{m:#}");
    assert_eq!(m["scenario"]["name"].as_str().map(str::is_empty), Some(false), "{m:#}");
    let params = m["parameters"].as_array().expect("manifest lists parameters");
    let in_manifest: Vec<&str> = params.iter().filter_map(|p| p["key"].as_str()).collect();
    let keys = source_keys(t.path());
    assert!(!keys.is_empty());
    assert_eq!(in_manifest, keys, "manifest lists every parameter, in schema order");
    for p in params {
        assert!(p["value"].is_string(), "{p}");
        let kind = p["citation"].as_str().unwrap_or_default();
        match kind {
            "source" => assert!(p["source"].is_string(), "{p}"),
            "mechanism" => assert!(p["mechanism"].is_string() && p["assumed"].is_string(), "{p}"),
            "assumed" => assert!(p["assumed"].is_string(), "{p}"),
            "uncited" => assert!(p["changed"] == true && p["set_in"] != "default", "only a changed value is uncited: {p}"),
            _ => panic!("each parameter says its citation: {p}"),
        }
        assert!(p["set_in"].is_string() && p["changed"].is_boolean(), "{p}");
    }
    let seed = params.iter().find(|p| p["key"] == "run.seed").expect("run.seed in the manifest");
    assert_eq!(seed["value"], "7");
    assert_eq!(seed["set_in"], "--seed", "the --seed override is recorded");
    assert_eq!(seed["citation"], "uncited", "a new seed does not inherit the baseline's reason");
    let changes: Vec<&str> =
        m["changes"].as_array().expect("manifest lists the changes").iter().filter_map(|c| c["key"].as_str()).collect();
    assert_eq!(changes, ["run.seed", "run.steps"], "--seed and --steps are the only changes");

    let resolved = Resolved::parse(&read(&x.join("scenario.toml")));
    let resolved_keys: Vec<&str> = resolved.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(resolved_keys, keys, "scenario.toml lists every parameter");

    assert_eq!(leftovers(t.path()), Vec::<String>::new(), "no partial directory beside X");
    assert_eq!(entries(t.path()), vec!["X".to_string()], "nothing but X written");
}

#[test]
fn quiet_run_prints_nothing() {
    let t = tmp();
    perelom(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--out", "X", "--quiet"]).success().stdout("").stderr("");
    assert!(t.path().join("X/metrics.csv").is_file());
}

#[test]
fn a_built_in_scenario_runs_from_its_name_or_its_text() {
    let t = tmp();
    let a = run_epstein(t.path(), "A", &["--seed", "5"]);
    // The resolved file of a built-in scenario, run as a file, gives the same results.
    perelom(t.path(), &["run", "A/scenario.toml", "--steps", STEPS, "--out", "B", "--quiet"]).success();
    let b = t.path().join("B");
    assert!(read_bytes(&a.join("metrics.csv")) == read_bytes(&b.join("metrics.csv")));
    assert_eq!(manifest(&a)["scenario"]["file"], EPSTEIN);
    assert_eq!(manifest(&b)["scenario"]["file"], "A/scenario.toml");
}

#[test]
fn without_out_results_go_to_new_directories_under_results() {
    let t = tmp();
    for _ in 0..2 {
        perelom(t.path(), &["run", EPSTEIN, "--steps", "2", "--quiet"]).success();
    }
    let runs = entries(&t.path().join("results"));
    assert_eq!(runs.len(), 2, "two runs, two directories (never overwritten): {runs:?}");
    for r in &runs {
        assert!(r.starts_with("epstein-2002-"), "{r}");
        assert!(t.path().join("results").join(r).join("metrics.csv").is_file());
    }
}

#[test]
fn resolved_scenario_runs_again_to_identical_metrics() {
    let t = tmp();
    let x = run_epstein(t.path(), "X", &["--seed", "11"]);
    // No --seed here: the resolved file carries it.
    perelom(t.path(), &["run", "X/scenario.toml", "--steps", STEPS, "--out", "Y", "--quiet"]).success();
    let y = t.path().join("Y");
    assert_eq!(read_bytes(&x.join("metrics.csv")), read_bytes(&y.join("metrics.csv")), "metrics.csv identical");
    assert_eq!(result_files(&x), result_files(&y), "every result file identical");
    assert_eq!(manifest(&y)["seed"], 11);
}

#[test]
fn results_are_bit_identical_for_any_thread_count() {
    let t = tmp();
    // Random sequential activation (the default) and the parallel decision step, where
    // the work is split among the threads.
    for (name, extra) in [("seq", None), ("par", Some("activation.kind=synchronous-parallel"))] {
        let with = |threads: &str| {
            let mut args = vec!["--threads", threads, "--seed", "3"];
            if let Some(set) = extra {
                args.extend(["--set", set]);
            }
            run_epstein(t.path(), &format!("{name}{threads}"), &args)
        };
        let one = with("1");
        let reference = result_files(&one);
        assert!(reference.contains_key("metrics.csv"));
        assert_eq!(manifest(&one)["threads"], 1);
        for n in ["2", "4"] {
            let d = with(n);
            assert_eq!(manifest(&d)["threads"].to_string(), n);
            assert!(reference == result_files(&d), "{name}: results with --threads {n} differ from --threads 1");
        }
    }
}

#[test]
fn same_seed_gives_same_results_and_another_seed_other_results() {
    let t = tmp();
    let a = run_epstein(t.path(), "a", &["--seed", "42"]);
    let b = run_epstein(t.path(), "b", &["--seed", "42"]);
    let c = run_epstein(t.path(), "c", &["--seed", "43"]);
    let metrics = |d: &Path| read_bytes(&d.join("metrics.csv"));
    assert!(metrics(&a) == metrics(&b), "two runs with seed 42 differ");
    assert!(result_files(&a) == result_files(&b), "two runs with seed 42 differ");
    assert!(metrics(&a) != metrics(&c), "seeds 42 and 43 give the same metrics");
}

#[test]
fn parquet_format_writes_parquet_files() {
    let t = tmp();
    let x = run_epstein(t.path(), "X", &["--format", "parquet"]);
    let bytes = read_bytes(&x.join("metrics.parquet"));
    assert!(bytes.len() > 8);
    assert_eq!(&bytes[..4], b"PAR1", "Parquet magic at the start");
    assert_eq!(&bytes[bytes.len() - 4..], b"PAR1", "Parquet magic at the end");
    assert!(!x.join("metrics.csv").exists(), "no CSV when Parquet is asked for");
    assert_eq!(manifest(&x)["format"], "parquet");
    assert!(x.join("scenario.toml").is_file());
}

#[test]
fn set_overrides_are_applied_and_recorded() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    let (key, value) = base.int_param();
    let value: i64 = value.parse().unwrap();
    let other = if value > 1 { value - 1 } else { value + 1 }.to_string();
    let x = run_epstein(t.path(), "X", &["--set", &format!("{key}={other}")]);
    let m = manifest(&x);
    let p = m["parameters"].as_array().unwrap().iter().find(|p| p["key"] == key).cloned().expect("the key is in the manifest");
    assert_eq!(p["value"], other.as_str());
    assert_eq!(p["set_in"], "--set");
}

// ---------------------------------------------------------------------------------------
// Bad scenario files
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_key_in_a_file_gives_its_position_and_the_closest_key() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    let (key, value) = base.int_param();
    let (group, name) = key.split_once('.').unwrap();
    let wrong = format!("{group}.{}", typo(name));
    fs::write(t.path().join("bad.toml"), scenario_with(&base.model, &wrong, value)).unwrap();
    let a = fails(t.path(), &["run", "bad.toml", "--steps", STEPS, "--out", "X"]);
    let err = stderr_of(&a);
    assert!(err.contains("bad.toml:6:1:"), "file:line:col of the key:\n{err}");
    assert!(err.contains(&format!("unknown parameter `{wrong}`")), "{err}");
    assert!(err.contains(&format!("did you mean `{key}`?")), "{err}");
    assert!(err.contains("  help: "), "{err}");
    assert!(!t.path().join("X").exists(), "nothing written for a bad scenario");
    assert_eq!(leftovers(t.path()), Vec::<String>::new());
}

#[test]
fn unknown_key_in_the_scenario_section_suggests_the_right_one() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    fs::write(t.path().join("bad.toml"), format!("[scenario]\nmodle = \"{}\"\n", base.model)).unwrap();
    fails(t.path(), &["run", "bad.toml"])
        .stderr(predicate::str::contains("bad.toml:2:1:").and(predicate::str::contains("did you mean `model`?")));
}

#[test]
fn text_for_an_integer_is_a_type_error() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    let (key, _) = base.int_param();
    fs::write(t.path().join("bad.toml"), scenario_with(&base.model, key, "\"twenty\"")).unwrap();
    let a = fails(t.path(), &["run", "bad.toml", "--steps", STEPS, "--out", "X"]);
    let err = stderr_of(&a);
    let name = key.split_once('.').unwrap().1;
    let col = name.len() + 4;
    assert!(err.contains(&format!("bad.toml:6:{col}:")), "file:line:col of the value:\n{err}");
    assert!(err.contains("expected an integer, found text"), "{err}");
    assert!(err.contains("valid: an integer from"), "help gives the valid range:\n{err}");
    assert!(!t.path().join("X").exists());
}

#[test]
fn out_of_range_value_gives_the_valid_range() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    let candidates = base.unit_float_params();
    assert!(!candidates.is_empty(), "epstein-2002 has a parameter between 0 and 1");
    let mut helps = Vec::new();
    for key in candidates {
        fs::write(t.path().join("bad.toml"), scenario_with(&base.model, key, "1.5")).unwrap();
        let out = format!("X-{key}");
        let a = perelom(t.path(), &["run", "bad.toml", "--steps", "2", "--out", &out]);
        if a.get_output().status.success() {
            continue; // a parameter that may exceed 1
        }
        let a = a.code(USER_ERROR);
        let err = stderr_of(&a);
        assert!(err.contains("bad.toml:6:"), "{err}");
        assert!(err.contains(&format!("invalid value for `{key}`: 1.5 is out of range")), "{err}");
        assert!(err.contains("  help: valid: a number from"), "{err}");
        helps.push(err);
    }
    assert!(helps.iter().any(|e| e.contains("from 0 to 1")), "some probability or share says `from 0 to 1`: {helps:#?}");
}

#[test]
fn malformed_toml_gives_its_position() {
    let t = tmp();
    fs::write(t.path().join("bad.toml"), "[scenario]\nmodel = \"x\"\n\n[run\nsteps = 3\n").unwrap();
    fails(t.path(), &["run", "bad.toml"]).stderr(predicate::str::is_match(r"^error: bad\.toml:4:\d+: invalid TOML").unwrap());
    fs::write(t.path().join("bad2.toml"), "[scenario]\nmodel = \"x\"\nname = \n").unwrap();
    fails(t.path(), &["run", "bad2.toml"]).stderr(predicate::str::is_match(r"^error: bad2\.toml:3:\d+: invalid TOML").unwrap());
}

#[test]
fn missing_scenario_section_says_how_to_start() {
    let t = tmp();
    fs::write(t.path().join("bad.toml"), "[run]\nsteps = 3\n").unwrap();
    fails(t.path(), &["run", "bad.toml"])
        .stderr(predicate::str::contains("bad.toml:1:1: missing [scenario] section").and(predicate::str::contains("help:")));
}

#[test]
fn unknown_model_is_named_with_the_known_ones() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    fs::write(t.path().join("bad.toml"), "[scenario]\nmodel = \"no-such-model\"\n").unwrap();
    let a = fails(t.path(), &["run", "bad.toml"]);
    let err = stderr_of(&a);
    assert!(err.contains("bad.toml:2:9: unknown model \"no-such-model\""), "{err}");
    let known = err.split("known models: ").nth(1).unwrap_or_default();
    assert!(known.split(", ").any(|m| m.trim() == base.model), "help lists the known models, {} among them: {err}", base.model);

    let wrong = typo(&base.model);
    fs::write(t.path().join("typo.toml"), format!("[scenario]\nmodel = \"{wrong}\"\n")).unwrap();
    fails(t.path(), &["run", "typo.toml"]).stderr(predicate::str::contains(format!("did you mean \"{}\"?", base.model)));
}

#[test]
fn missing_file_lists_the_built_in_scenarios() {
    let t = tmp();
    let a = fails(t.path(), &["run", "no-such-file.toml"]);
    let err = stderr_of(&a);
    assert!(err.contains("no-such-file.toml"), "{err}");
    assert!(err.contains("help: built-in scenarios: "), "{err}");
    assert!(err.contains("epstein-2002"), "{err}");
    fails(t.path(), &["sources", "no-such-file.toml"]).stderr(predicate::str::contains("epstein-2002"));
}

#[test]
fn a_directory_is_not_a_scenario_file() {
    let t = tmp();
    fs::create_dir(t.path().join("dir.toml")).unwrap();
    fails(t.path(), &["run", "dir.toml", "--out", "X"]).stderr(predicate::str::contains("dir.toml"));
    assert!(!t.path().join("X").exists());
}

#[test]
fn non_utf8_scenario_file_is_an_error() {
    let t = tmp();
    fs::write(t.path().join("bin.toml"), b"[scenario]\nmodel = \"\xff\xfe\"\n").unwrap();
    fails(t.path(), &["run", "bin.toml"]).stderr(predicate::str::contains("bin.toml"));
}

// ---------------------------------------------------------------------------------------
// Bad command lines
// ---------------------------------------------------------------------------------------

#[test]
fn set_with_an_unknown_key_suggests_the_closest() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    let (key, value) = base.int_param();
    let wrong = typo(key);
    let a = fails(t.path(), &["run", EPSTEIN, "--set", &format!("{wrong}={value}"), "--out", "X"]);
    let err = stderr_of(&a);
    assert!(err.contains(&format!("--set: unknown parameter `{wrong}`")), "{err}");
    assert!(err.contains(&format!("did you mean `{key}`?")), "{err}");
    assert!(!t.path().join("X").exists());
}

#[test]
fn set_with_a_bad_value_gives_the_valid_values() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    let (key, _) = base.int_param();
    let a = fails(t.path(), &["run", EPSTEIN, "--set", &format!("{key}=lots"), "--out", "X"]);
    let err = stderr_of(&a);
    assert!(err.contains(&format!("--set: invalid value for `{key}`")), "{err}");
    assert!(err.contains("an integer"), "{err}");
    assert!(err.contains("help: valid: an integer from"), "{err}");

    let key = base.unit_float_params().into_iter().next().expect("a parameter between 0 and 1");
    fails(t.path(), &["run", EPSTEIN, "--set", &format!("{key}=-7.5"), "--out", "X"])
        .stderr(predicate::str::contains("out of range").and(predicate::str::contains("valid: a number from")));
    assert!(!t.path().join("X").exists());
}

#[test]
fn set_without_equals_shows_the_form() {
    let t = tmp();
    fails(t.path(), &["run", EPSTEIN, "--set", "legitimacy", "--out", "X"]).stderr(
        predicate::str::contains("`legitimacy` is not of the form key=value").and(predicate::str::contains("help: for example: --set")),
    );
    fails(t.path(), &["sources", EPSTEIN, "--set", "nothing"]).stderr(predicate::str::contains("key=value"));
}

#[test]
fn threads_zero_is_rejected() {
    let t = tmp();
    fails(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--threads", "0", "--out", "X"]).stderr(predicate::str::contains("--threads"));
    assert!(!t.path().join("X").exists());
}

#[test]
fn zero_steps_is_rejected_with_the_valid_range() {
    let t = tmp();
    fails(t.path(), &["run", EPSTEIN, "--steps", "0", "--out", "X"])
        .stderr(predicate::str::contains("run.steps").and(predicate::str::contains("from 1 to")));
    assert!(!t.path().join("X").exists());
}

#[test]
fn a_seed_beyond_the_valid_range_is_an_error_not_a_panic() {
    let t = tmp();
    let beyond = (u64::MAX).to_string();
    let a = perelom(t.path(), &["run", EPSTEIN, "--steps", "2", "--seed", &beyond, "--out", "X", "--quiet"]);
    if a.get_output().status.success() {
        assert_eq!(manifest(&t.path().join("X"))["seed"].to_string(), beyond);
    } else {
        a.code(USER_ERROR).stderr(predicate::str::contains("--seed").and(predicate::str::contains("too large")));
    }
}

#[test]
fn template_prints_a_scenario_that_runs_like_the_built_in_one() {
    let t = tmp();
    let a = perelom(t.path(), &["template", EPSTEIN]).success();
    fs::write(t.path().join("mine.toml"), stdout_of(&a)).unwrap();
    let builtin = run_epstein(t.path(), "A", &["--seed", "9"]);
    perelom(t.path(), &["run", "mine.toml", "--steps", STEPS, "--seed", "9", "--out", "B", "--quiet"]).success();
    assert!(read_bytes(&builtin.join("metrics.csv")) == read_bytes(&t.path().join("B/metrics.csv")));
}

#[test]
fn unknown_format_and_option_are_usage_errors() {
    let t = tmp();
    fails(t.path(), &["run", "--format", "xlsx"]).stderr(predicate::str::contains("csv").and(predicate::str::contains("parquet")));
    fails(t.path(), &["run", "--no-such-option"]);
    fails(t.path(), &["frobnicate"]);
}

// ---------------------------------------------------------------------------------------
// Output directories
// ---------------------------------------------------------------------------------------

#[test]
fn existing_out_is_refused_and_left_untouched() {
    let t = tmp();
    let x = t.path().join("X");
    fs::create_dir(&x).unwrap();
    fs::write(x.join("keep.txt"), "precious").unwrap();
    let a = fails(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--out", "X"]);
    let err = stderr_of(&a);
    assert!(err.contains("X already exists"), "{err}");
    assert!(err.contains("--force"), "help says how to replace it:\n{err}");
    assert_eq!(entries(&x), vec!["keep.txt".to_string()], "contents untouched");
    assert_eq!(read(&x.join("keep.txt")), "precious");
    assert_eq!(leftovers(t.path()), Vec::<String>::new());
}

#[test]
fn force_replaces_an_earlier_run_but_nothing_a_user_wrote() {
    let t = tmp();
    let x = run_epstein(t.path(), "X", &["--seed", "1"]);
    perelom(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--out", "X", "--force", "--quiet", "--seed", "2"]).success();
    assert_eq!(manifest(&x)["seed"], 2, "the earlier run is replaced");
    assert_eq!(leftovers(t.path()), Vec::<String>::new(), "the old directory is not left aside");

    let y = t.path().join("Y");
    fs::create_dir(&y).unwrap();
    fs::write(y.join("keep.txt"), "old").unwrap();
    let a = fails(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--out", "Y", "--force"]);
    assert!(stderr_of(&a).contains("not a Perelom result"), "{}", stderr_of(&a));
    assert_eq!(entries(&y), vec!["keep.txt".to_string()], "a directory Perelom did not write is never replaced");
    assert_eq!(leftovers(t.path()), Vec::<String>::new());
}

#[test]
fn force_keeps_the_old_results_when_the_run_fails() {
    let t = tmp();
    let x = t.path().join("X");
    fs::create_dir(&x).unwrap();
    fs::write(x.join("keep.txt"), "old").unwrap();
    fails(t.path(), &["run", EPSTEIN, "--set", "no.such=1", "--out", "X", "--force"]);
    assert_eq!(read(&x.join("keep.txt")), "old");
    assert_eq!(leftovers(t.path()), Vec::<String>::new());
}

#[test]
fn force_over_a_regular_file_leaves_nothing_behind() {
    let t = tmp();
    fs::write(t.path().join("X"), "not a directory").unwrap();
    let a = perelom(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--out", "X", "--force", "--quiet"]);
    if a.get_output().status.success() {
        assert!(t.path().join("X/metrics.csv").is_file());
    } else {
        a.code(USER_ERROR).stderr(predicate::str::starts_with("error: "));
    }
    assert_eq!(leftovers(t.path()), Vec::<String>::new(), "no hidden partial or moved-aside file left");
}

#[test]
fn a_scenario_the_model_rejects_leaves_no_directory() {
    let t = tmp();
    // Each density is valid alone; together they do not fit on the grid, which only the
    // model can tell, after the output directory has been claimed.
    let sets = ["--set", "citizens.density=0.9", "--set", "cops.density=0.5"];
    let mut args = vec!["run", EPSTEIN, "--steps", STEPS, "--out", "X"];
    args.extend(sets);
    let a = fails(t.path(), &args);
    assert!(stderr_of(&a).contains("cops.density"), "{}", stderr_of(&a));
    assert_eq!(entries(t.path()), Vec::<String>::new(), "no X and no partial directory");

    let x = t.path().join("X");
    fs::create_dir(&x).unwrap();
    fs::write(x.join("keep.txt"), "old").unwrap();
    args.push("--force");
    fails(t.path(), &args);
    assert_eq!(entries(&x), vec!["keep.txt".to_string()], "old results kept");
    assert_eq!(leftovers(t.path()), Vec::<String>::new());
}

#[test]
fn out_below_a_regular_file_is_an_error_not_a_panic() {
    let t = tmp();
    fs::write(t.path().join("file"), "x").unwrap();
    let a = fails(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--out", "file/X"]);
    assert!(stderr_of(&a).contains("file"), "{}", stderr_of(&a));
    fails(t.path(), &["run", EPSTEIN, "--steps", STEPS, "--out", "file/sub/X"]);
    assert_eq!(read(&t.path().join("file")), "x");
    assert_eq!(entries(t.path()), vec!["file".to_string()]);
}

#[test]
fn out_in_new_nested_directories_is_created() {
    let t = tmp();
    let x = run_epstein(t.path(), "a/b/X", &[]);
    assert!(x.join("metrics.csv").is_file());
    assert_eq!(leftovers(&t.path().join("a/b")), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Other subcommands and help
// ---------------------------------------------------------------------------------------

/// The built-in scenario `perelom scenarios` marks as the default.
fn default_scenario(dir: &Path) -> String {
    let a = perelom(dir, &["scenarios"]).success();
    let out = stdout_of(&a);
    let marked: Vec<&str> = out.lines().filter(|l| l.ends_with(" (default)")).collect();
    assert_eq!(marked.len(), 1, "exactly one scenario is the default:\n{out}");
    marked[0].split_whitespace().next().expect("a name").to_string()
}

#[test]
fn scenarios_lists_epstein_2002_and_one_default() {
    let t = tmp();
    let a = perelom(t.path(), &["scenarios"]).success().stderr("");
    let out = stdout_of(&a);
    assert!(out.lines().any(|l| l.starts_with("epstein-2002 ")), "{out}");
    assert!(out.contains("Epstein"), "each scenario is described:\n{out}");
    let default = default_scenario(t.path());
    // Without a scenario, `sources` (like `run`) uses the default.
    let a = perelom(t.path(), &["sources"]).success();
    let header = stdout_of(&a).lines().next().unwrap_or_default().to_string();
    assert!(header.contains(&format!("({default})")), "sources without a scenario describes {default}: {header}");
}

#[test]
fn sources_prints_every_parameter_with_its_source_or_assumption() {
    let t = tmp();
    let a = perelom(t.path(), &["sources", EPSTEIN]).success();
    let out = stdout_of(&a);
    assert!(out.contains("epstein-2002"), "{out}");
    assert!(out.contains("source"), "{out}");
    assert!(out.contains("assumed"), "{out}");
    let keys = source_keys(t.path());
    for k in &keys {
        assert!(out.contains(k.as_str()), "plain listing has {k}:\n{out}");
    }

    let a = perelom(t.path(), &["sources", EPSTEIN, "--assumed-only"]).success();
    let assumed = stdout_of(&a);
    let rows: Vec<&str> = assumed.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!rows.is_empty(), "some parameter is assumed:\n{assumed}");
    assert!(rows.iter().all(|r| r.contains(" assumed ")), "--assumed-only lists only assumed ones:\n{assumed}");

    let a = perelom(t.path(), &["sources", EPSTEIN, "--markdown"]).success();
    let md = stdout_of(&a);
    assert!(md.starts_with("| parameter | value | evidence | source or reason |"), "{md}");
}

#[test]
fn sources_of_a_file_shows_set_overrides() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    let (key, _) = base.int_param();
    let a = perelom(t.path(), &["sources", "resolved/scenario.toml", "--markdown", "--set", &format!("{key}=3")]).success();
    let row = stdout_of(&a).lines().find(|l| l.starts_with(&format!("| `{key}` |"))).map(str::to_string).expect("row of the key");
    assert!(row.contains("| 3 |"), "{row}");
}

#[test]
fn help_describes_the_commands_and_options() {
    let t = tmp();
    perelom(t.path(), &["--help"])
        .success()
        .stdout(predicate::str::contains("run").and(predicate::str::contains("scenarios")).and(predicate::str::contains("sources")));
    let a = perelom(t.path(), &["run", "--help"]).success();
    let run = stdout_of(&a);
    for opt in ["--set", "--seed", "--steps", "--out", "--force", "--threads", "--format", "--quiet", "[SCENARIO]"] {
        assert!(run.contains(opt), "run --help mentions {opt}:\n{run}");
    }
    let a = perelom(t.path(), &["sources", "--help"]).success();
    let src = stdout_of(&a);
    for opt in ["--markdown", "--assumed-only", "--set"] {
        assert!(src.contains(opt), "sources --help mentions {opt}:\n{src}");
    }
    perelom(t.path(), &["--version"]).success().stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
    perelom(t.path(), &["help", "run"]).success();
}

#[test]
fn no_subcommand_prints_usage_and_fails() {
    let t = tmp();
    perelom(t.path(), &[]).failure().code(USER_ERROR).stderr(predicate::str::contains("Usage"));
}

// ---------------------------------------------------------------------------------------
// Round trips of unusual text
// ---------------------------------------------------------------------------------------

#[test]
fn resolved_scenario_with_unusual_text_runs_again() {
    let t = tmp();
    let base = Resolved::epstein_in(t.path());
    // A TOML escape for a control character, a tab, quotes, a backslash and non-ASCII.
    let text = format!(
        "[scenario]\nmodel = \"{}\"\nname = \"odd\"\ndescription = \"bell\\u0007 tab\\t \\\"quoted\\\" back\\\\slash перелом\"\n",
        base.model
    );
    fs::write(t.path().join("odd.toml"), text).unwrap();
    perelom(t.path(), &["run", "odd.toml", "--steps", "2", "--out", "X", "--quiet"]).success();
    let x = t.path().join("X");
    perelom(t.path(), &["run", "X/scenario.toml", "--steps", "2", "--out", "Y", "--quiet"]).success();
    assert_eq!(read(&x.join("scenario.toml")), read(&t.path().join("Y/scenario.toml")));
    assert_eq!(manifest(&x)["scenario"]["description"], "bell\u{7} tab\t \"quoted\" back\\slash перелом");
}

// ---------------------------------------------------------------------------------------
// Pipes
// ---------------------------------------------------------------------------------------

/// A pipe whose reading end is already closed, as stdout for a child: what a program
/// writes to after `| head -1` has exited.
fn broken_pipe() -> std::process::Stdio {
    use std::process::{Command, Stdio};
    // A process that exits without reading takes the reading end with it.
    let mut reader = Command::new(env!("CARGO_BIN_EXE_perelom"))
        .arg("--version")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start perelom --version");
    let writing_end = reader.stdin.take().expect("a pipe to its stdin");
    reader.wait().expect("wait for perelom --version");
    Stdio::from(writing_end)
}

/// `perelom sources | head -0`: a reader that goes away must not make the program panic.
#[test]
fn closed_stdout_is_not_a_panic() {
    let t = tmp();
    let mut panics = Vec::new();
    for args in [&["sources", EPSTEIN][..], &["scenarios"][..], &["--help"][..], &["run", EPSTEIN, "--steps", "2", "--out", "X"][..]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_perelom"))
            .current_dir(t.path())
            .args(args)
            .stdout(broken_pipe())
            .output()
            .expect("run perelom");
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("panicked") || out.status.code() == Some(101) {
            let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
            panics.push(format!("perelom {}: {first}", args.join(" ")));
        }
    }
    assert!(panics.is_empty(), "with a closed stdout:\n{}", panics.join("\n"));
}
