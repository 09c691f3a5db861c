//! Checkpoints: a run saved at the start of a step and continued gives exactly the
//! uninterrupted run; a branch changes the future only; damaged, foreign or
//! incompatible states are refused with a message.

use perelom_engine::Table;
use perelom_models::checkpoint::{read, save};
use perelom_models::{build, builtin, load_scenario_text, Simulation};
use perelom_scenario::Scenario;

fn scenario(name: &str, sets: &[&str]) -> Scenario {
    let b = builtin(name).unwrap();
    let mut s = load_scenario_text(b.name, b.text).unwrap();
    for a in sets {
        s.set(a).unwrap();
    }
    s
}

/// Every table and document of a finished run, as CSV text.
fn outputs(sim: &dyn Simulation) -> Vec<(String, String)> {
    let mut tables = vec![("metrics".to_string(), sim.metrics())];
    tables.extend(sim.tables());
    let mut out: Vec<(String, String)> = tables.iter().map(|(n, t)| (n.clone(), csv(t))).collect();
    out.extend(sim.documents());
    out
}

fn csv(t: &Table) -> String {
    (0..t.rows()).map(|r| t.columns.iter().map(|c| c.data.cell(r)).collect::<Vec<_>>().join(",")).collect::<Vec<_>>().join("\n")
}

fn run_to(s: &Scenario, steps: u32) -> Box<dyn Simulation> {
    let mut sim = build(s).unwrap();
    for _ in 0..steps {
        sim.step();
    }
    sim
}

#[test]
fn a_continued_run_is_the_uninterrupted_run_for_several_dates_and_seeds() {
    for (name, sets, at) in [
        ("ussr-1928-1929", vec!["population.scale=0.003", "run.seed=3"], vec![0u32, 1, 38, 60, 103]),
        ("ussr-1928-1929", vec!["population.scale=0.002", "run.seed=11"], vec![20, 90]),
        ("epstein-punctuated", vec!["run.steps=120", "run.seed=5"], vec![0, 50, 119]),
    ] {
        let s = scenario(name, &sets);
        let mut whole = build(&s).unwrap();
        whole.run_to_end();
        let want = outputs(whole.as_ref());
        for k in at {
            let bytes = save(run_to(&s, k).as_ref(), &s).unwrap();
            let cp = read("state", &bytes).unwrap();
            assert_eq!(cp.header.step, k);
            let mut cont = cp.resume(&cp.scenario).unwrap();
            assert_eq!(cont.steps_done(), k);
            cont.run_to_end();
            assert_eq!(outputs(cont.as_ref()), want, "{name} {sets:?} continued from step {k}");
        }
    }
}

#[test]
fn a_branch_shares_the_past_and_changes_the_future() {
    let s = scenario("ussr-1928-1929", &["population.scale=0.003"]);
    let at = 38; // 24 September 1928
    let bytes = save(run_to(&s, at).as_ref(), &s).unwrap();
    let cp = read("state", &bytes).unwrap();
    assert_eq!(cp.header.date.as_deref(), Some("1928-09-24"));
    let mut branch = cp.scenario.clone();
    branch.set("ogpu.escalation=off").unwrap();
    let mut b = cp.resume(&branch).unwrap();
    b.run_to_end();
    let mut base = build(&s).unwrap();
    base.run_to_end();
    let (mb, mx) = (b.metrics(), base.metrics());
    let arrests = |t: &Table| t.numbers("arrests").unwrap();
    assert_eq!(arrests(&mb)[..at as usize], arrests(&mx)[..at as usize], "the same past");
    assert!(
        arrests(&mb)[at as usize..].iter().sum::<f64>() < arrests(&mx)[at as usize..].iter().sum::<f64>(),
        "no escalation, fewer arrests"
    );
}

#[test]
fn bad_states_are_refused_with_a_message() {
    let s = scenario("ussr-1928-1929", &["population.scale=0.002", "run.steps=10"]);
    let good = save(run_to(&s, 5).as_ref(), &s).unwrap();
    let msg = |b: &[u8]| read("f.perelom-state", b).err().unwrap_or_else(|| panic!("accepted"));
    assert!(msg(b"hello world, not a state at all").contains("not a Perelom state file"));
    assert!(msg(&good[..good.len() / 2]).contains("truncated or damaged"));
    assert!(msg(&good[..20]).contains("not a Perelom state file") || msg(&good[..20]).contains("truncated"));
    let mut tampered = good.clone();
    let n = tampered.len();
    tampered[n - 7] ^= 0x40;
    assert!(msg(&tampered).contains("checksum"));
    let mut other_format = good.clone();
    other_format[16] = 9;
    assert!(msg(&other_format).contains("format 9"));
    // The header's date and step are covered by the file's checksum: a damaged date is
    // refused, not read as another branch point.
    let saved = read("f", &good).unwrap().header.date.unwrap();
    assert_eq!(saved, "1928-02-06");
    let date = good.windows(10).position(|w| w == saved.as_bytes()).expect("the header holds the date");
    let mut redated = good.clone();
    redated[date + 9] = b'1';
    assert!(msg(&redated).contains("checksum"), "{}", msg(&redated));
    // Every prefix and every single flipped byte: refused with a message, never a panic.
    for cut in (0..good.len()).step_by(97) {
        assert!(read("f", &good[..cut]).is_err());
    }
    for i in (0..good.len()).step_by(89).chain([16, 20, 28, 29, good.len() - 1]) {
        let mut b = good.clone();
        b[i] = b[i].wrapping_add(1);
        assert!(read("f", &b).is_err(), "a state with byte {i} changed was accepted");
    }
    // A branch may not change what the state fixed, nor the model.
    let cp = read("f", &good).unwrap();
    let mut bigger = cp.scenario.clone();
    bigger.set("population.scale=0.004").unwrap();
    assert!(cp.resume(&bigger).err().unwrap().contains("population.scale"));
    let epstein = scenario("epstein-2002", &[]);
    assert!(cp.resume(&epstein).err().unwrap().contains("model"));
}

#[test]
fn branch_dates_are_checked_with_the_scenario() {
    let text = |at: &str| format!("[scenario]\nmodel = \"ussr-1928\"\nbranch_at = {at}\n");
    let check = |at: &str| perelom_models::check(&load_scenario_text("x.toml", &text(at)).unwrap());
    assert!(check("1928-09-24").is_ok());
    assert!(check("1928-01-02").is_ok(), "a branch at the start is a run from the start");
    let e = check("1928-09-26").unwrap_err();
    assert_eq!(e.position, Some((3, 13)));
    assert!(e.to_string().contains("not the first day of a step"), "{e}");
    assert!(e.to_string().contains("1928-09-24 and 1928-10-01"), "{e}");
    let e = check("1931-01-05").unwrap_err();
    assert!(e.to_string().contains("outside the run") && e.to_string().contains("1928-01-02 to 1929-12-23"), "{e}");
}

#[test]
fn a_branch_cannot_undo_or_move_an_event_its_past_already_holds() {
    use perelom_models::checkpoint::check_branch;
    let base = scenario("ussr-1928-1929", &[]);
    let at = |d: &str| Some(d.parse::<chrono::NaiveDate>().unwrap());
    let with = |sets: &[&str]| {
        let mut s = base.clone();
        for a in sets {
            s.set(a).unwrap();
        }
        s
    };
    // The escalation of 24 September 1928 is in the past of a branch on 8 October: it cannot
    // be switched off or moved there.
    for change in ["ogpu.escalation=off", "ogpu.escalation=1929-01-07", "ogpu.escalation=1928-10-15"] {
        let e = check_branch(&base, at("1928-10-08"), &with(&[change])).unwrap_err();
        assert!(e.contains("`ogpu.escalation` = 1928-09-24 lies before the branch") && e.contains("already holds it"), "{change}: {e}");
    }
    // At the escalation's own week, or before it, the branch may change it (X2's case).
    assert!(check_branch(&base, at("1928-09-24"), &with(&["ogpu.escalation=1929-09-23"])).is_ok());
    assert!(check_branch(&base, at("1928-09-17"), &with(&["ogpu.escalation=off"])).is_ok());
    // A date still in the future may move within the future, not into the past.
    assert!(check_branch(&base, at("1928-10-08"), &with(&["campaign2.start=1928-12-03"])).is_ok());
    assert!(check_branch(&base, at("1928-10-08"), &with(&["campaign2.start=1928-10-01"])).unwrap_err().contains("lies before the branch"));
}
