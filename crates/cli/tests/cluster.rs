//! Sweeps beyond one process: shards (Slurm job arrays, simulated with the environment
//! variables a real array task gets), joining, killed tasks, batch files, and the job
//! script `--sbatch` prints.

use assert_cmd::cargo::CommandCargoExt;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// 5 x 4 points x 6 replicates = 120 runs = 4 batches of 32 (the last of 24).
const DESIGN: &str = r#"
[sweep]
base = "epstein-2002"
replicates = 6
seed = 3
set = ["run.steps=6", "grid.width=10", "grid.height=10"]

[parameters]
"legitimacy.initial" = { min = 0.5, max = 0.9, steps = 5 }
"jail.max_term" = { values = [2, 5, 10, 30] }
"#;

fn perelom(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("perelom").unwrap();
    c.current_dir(dir).env_remove("SLURM_ARRAY_TASK_ID").env_remove("SLURM_ARRAY_TASK_COUNT").env_remove("SLURM_ARRAY_TASK_MIN");
    c.env_remove("SLURM_ARRAY_TASK_MAX").env_remove("SLURM_ARRAY_TASK_STEP");
    c
}

fn ok(c: &mut Command) -> String {
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn one_process(t: &Path) -> Vec<u8> {
    ok(perelom(t).args(["sweep", "d.toml", "--out", "whole", "--quiet"]));
    fs::read(t.join("whole/sweep.parquet")).unwrap()
}

#[test]
fn array_tasks_share_the_directory_and_join_the_same_dataset() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("d.toml"), DESIGN).unwrap();
    let whole = one_process(t.path());
    // Few files: one per batch of 32 runs, not one per run.
    assert_eq!(
        files(&t.path().join("whole/runs")),
        ["batch-000000.parquet", "batch-000001.parquet", "batch-000002.parquet", "batch-000003.parquet"]
    );
    // Three array tasks numbered from 1, as `--array=1-3` numbers them.
    for id in ["2", "3"] {
        let mut c = perelom(t.path());
        c.args(["sweep", "d.toml", "--out", "arr", "--quiet"])
            .env("SLURM_ARRAY_TASK_ID", id)
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_ARRAY_TASK_MIN", "1");
        ok(&mut c);
    }
    // Two of three tasks: no dataset yet, and joining says what is missing.
    assert!(!t.path().join("arr/sweep.parquet").exists());
    let o = perelom(t.path()).args(["sweep", "--join", "arr"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("runs are not done yet"), "{}", String::from_utf8_lossy(&o.stderr));
    // The last task joins.
    let mut c = perelom(t.path());
    c.args(["sweep", "d.toml", "--out", "arr", "--quiet"])
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .env("SLURM_ARRAY_TASK_MIN", "1");
    ok(&mut c);
    assert_eq!(fs::read(t.path().join("arr/sweep.parquet")).unwrap(), whole);
    // An explicit join of a finished sweep gives the same bytes again.
    ok(perelom(t.path()).args(["sweep", "--join", "arr"]));
    assert_eq!(fs::read(t.path().join("arr/sweep.parquet")).unwrap(), whole);
    // A batch file copied over another is found, not joined as duplicates; the dataset stays.
    fs::copy(t.path().join("arr/runs/batch-000000.parquet"), t.path().join("arr/runs/batch-000001.parquet")).unwrap();
    let o = perelom(t.path()).args(["sweep", "--join", "arr"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("batch-000001.parquet should hold runs 32 to 63") && said.contains("holds runs [0, 1, 2"), "{said}");
    assert_eq!(fs::read(t.path().join("arr/sweep.parquet")).unwrap(), whole);
    // A truncated batch file: the same help; moved away, --resume redoes its runs.
    let batch = t.path().join("arr/runs/batch-000001.parquet");
    let bytes = fs::read(t.path().join("arr/runs/batch-000000.parquet")).unwrap();
    fs::write(&batch, &bytes[..bytes.len() / 2]).unwrap();
    let o = perelom(t.path()).args(["sweep", "--join", "arr"]).output().unwrap();
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("it is damaged") && said.contains("--resume"), "{said}");
    // --resume sets it aside (never deletes it), says so and redoes its runs.
    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "arr", "--resume", "--quiet"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("set aside as"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fs::read(t.path().join("arr/runs/batch-000001.parquet.damaged")).unwrap(), bytes[..bytes.len() / 2]);
    assert_eq!(fs::read(t.path().join("arr/sweep.parquet")).unwrap(), whole);
}

#[test]
fn shards_run_concurrently_and_a_killed_one_is_completed_by_rerunning_it() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("d.toml"), DESIGN).unwrap();
    let whole = one_process(t.path());
    // Shard 0 of 2 is killed mid-way (the test hook stops it after 5 runs); shard 1 runs
    // meanwhile and finishes.
    let mut cut = perelom(t.path())
        .args(["sweep", "d.toml", "--out", "sh", "--quiet", "--threads", "1", "--shard", "0/2"])
        .env("PERELOM_TEST_SWEEP_PAUSE_AFTER", "5")
        .spawn()
        .unwrap();
    ok(perelom(t.path()).args(["sweep", "d.toml", "--out", "sh", "--quiet", "--shard", "1/2"]));
    let start = Instant::now();
    let run_files = || {
        fs::read_dir(t.path().join("sh/runs"))
            .map_or(0, |d| d.flatten().filter(|e| e.file_name().to_string_lossy().starts_with("run-")).count())
    };
    while run_files() < 5 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    cut.kill().unwrap();
    cut.wait().unwrap();
    assert!(run_files() >= 5, "the killed shard had finished runs");
    assert!(!t.path().join("sh/sweep.parquet").exists(), "no dataset while a shard is unfinished");
    // Rerunning the killed shard keeps its finished runs and completes the dataset.
    let said = ok(perelom(t.path()).args(["sweep", "d.toml", "--out", "sh", "--shard", "0/2"]));
    assert!(!said.contains("; 64 to do"), "the finished runs were kept: {said}");
    assert_eq!(fs::read(t.path().join("sh/sweep.parquet")).unwrap(), whole);
    assert!(files(&t.path().join("sh/runs")).iter().all(|f| f.starts_with("batch-")), "{:?}", files(&t.path().join("sh/runs")));
}

#[test]
fn bad_shards_and_foreign_directories_are_refused() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("d.toml"), DESIGN).unwrap();
    for bad in ["3/3", "1", "a/b", "0/0"] {
        let o = perelom(t.path()).args(["sweep", "d.toml", "--shard", bad]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("I/N"), "{bad}");
    }
    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "x"]).env("SLURM_ARRAY_TASK_ID", "1").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SLURM_ARRAY_TASK_COUNT"));
    // A directory of the user's is never written into.
    fs::create_dir(t.path().join("mine")).unwrap();
    fs::write(t.path().join("mine/notes.txt"), "mine").unwrap();
    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "mine", "--shard", "0/2"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(files(&t.path().join("mine")), ["notes.txt"]);
    let o = perelom(t.path()).args(["sweep", "--join", "mine"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a sweep directory"));
}

#[test]
fn sbatch_prints_a_job_array_script_sized_by_a_pilot_run() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("d.toml"), DESIGN).unwrap();
    let script = ok(perelom(t.path()).args(["sweep", "d.toml", "--out", "res", "--sbatch"]));
    assert!(script.starts_with("#!/bin/bash\n"), "{script}");
    // Absolute paths: a task may start elsewhere than where the script was made.
    let root = t.path().canonicalize().unwrap();
    let call = format!("sweep {}/d.toml --out {}/res", root.display(), root.display());
    for want in [
        "#SBATCH --array=0-0",
        "#SBATCH --time=",
        "#SBATCH --mem=",
        "#SBATCH --cpus-per-task=",
        "# 1 array task of about 4 batches each.",
        &call,
    ] {
        assert!(script.contains(want), "missing {want}: {script}");
    }
    assert!(!t.path().join("res").exists(), "--sbatch runs nothing");
    // An --out the tasks would refuse is refused before the script is printed.
    fs::create_dir(t.path().join("mine")).unwrap();
    fs::write(t.path().join("mine/notes.txt"), "mine").unwrap();
    let o = perelom(t.path()).args(["sweep", "d.toml", "--out", "mine", "--sbatch"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a sweep"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
}
