//! Sweeps of points given directly (as from SALib): checked like design files, run
//! resumably, and identical to the same sweep run again.

use perelom_experiments::sweep::{run_sweep, Design, Silent, SweepOptions};

fn base() -> perelom_scenario::Scenario {
    let b = perelom_models::builtin("epstein-2002").unwrap();
    let mut s = perelom_models::load_scenario_text(b.name, b.text).unwrap();
    s.set("run.steps=5").unwrap();
    s.set("grid.width=12").unwrap();
    s.set("grid.height=12").unwrap();
    s
}

#[test]
fn points_run_as_a_sweep_and_rerun_identically() {
    let t = tempfile::tempdir().unwrap();
    let points = vec![vec![0.5, 10.0], vec![0.9, 3.4]];
    let names = vec!["legitimacy.initial".to_string(), "jail.max_term".to_string()];
    let d = Design::from_points(base(), names.clone(), points.clone(), 2, 7, None, "points").unwrap();
    // The integer parameter runs with whole numbers.
    assert_eq!(d.points[1][1], 3.0);
    let out = t.path().join("a");
    let opts = SweepOptions { out: Some(out.clone()), threads: Some(2), ..Default::default() };
    let (_, dir) = run_sweep(d, &opts, &Silent).unwrap();
    let data = perelom_output::read_parquet(&dir.join("sweep.parquet")).unwrap();
    assert_eq!(data.rows(), 2 * 2 * 5);
    let again = Design::from_points(base(), names, points, 2, 7, None, "points").unwrap();
    let opts2 = SweepOptions { out: Some(t.path().join("b")), threads: Some(1), ..Default::default() };
    let (_, dir2) = run_sweep(again, &opts2, &Silent).unwrap();
    assert_eq!(std::fs::read(dir.join("sweep.parquet")).unwrap(), std::fs::read(dir2.join("sweep.parquet")).unwrap());
}

#[test]
fn bad_points_are_refused_before_any_run() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let e = Design::from_points(base(), names(&["legitimacy.intial"]), vec![vec![0.5]], 1, 1, None, "points").unwrap_err();
    assert!(e.to_string().contains("unknown parameter `legitimacy.intial`") && e.to_string().contains("legitimacy.initial"), "{e}");
    let e = Design::from_points(base(), names(&["legitimacy.initial"]), vec![vec![1.5]], 1, 1, None, "points").unwrap_err();
    assert!(e.to_string().contains("point 0"), "{e}");
    let e = Design::from_points(base(), names(&["legitimacy.initial"]), vec![vec![0.5, 0.1]], 1, 1, None, "points").unwrap_err();
    assert!(e.to_string().contains("2 values for 1 parameters"), "{e}");
    let e = Design::from_points(base(), names(&["grid.torus"]), vec![vec![1.0]], 1, 1, None, "points").unwrap_err();
    assert!(e.to_string().contains("not a number"), "{e}");
}
