//! Epstein outputs pinned to stored digests.
//!
//! Each case runs the model through the public API and hashes, with FNV-1a over exact
//! bits, its metrics table, its outbursts table and its final state (every citizen's
//! cell, state and jail term, every cop's cell). The digests below were computed from
//! the implementation of 2026-11 (commit f8075c1, before the padded board moved into
//! `perelom_engine::space::board`) and have held since: any change to Epstein's
//! results, however small, fails this test.
//!
//! A change that is *meant* to change results (a rule fixed, a draw added) must update
//! them deliberately: run
//!
//! ```sh
//! PERELOM_BLESS=1 cargo test --release -p perelom-models --test epstein_pinned -- --nocapture
//! ```
//!
//! replace each case's digest in [`CASES`] by the printed one, and say in the commit why
//! results changed.
//! A refactor must never need to.
//!
//! Updated once: "schedules" after the cop schedule began to scale the cops actually
//! placed by final/initial density (issue 9, item 18: a jump whose final density equals
//! the initial one must change nothing), a deliberate change of results.

use perelom_engine::{ColumnData, Table};
use perelom_models::epstein::{CitizenState, Epstein};
use perelom_models::{load_scenario_text, Simulation};

const TEXT: &str = include_str!("../../../scenarios/epstein-2002.toml");

/// (name, `--set` assignments, digest).
const CASES: &[(&str, &[&str], u64)] = &[
    ("mesa-s1", &["run.seed=1", "run.steps=200"], 0x8256_7c44_ebb9_9841),
    ("mesa-s2", &["run.seed=2", "run.steps=200"], 0xfea8_ad06_b76d_4f87),
    ("mesa-s3", &["run.seed=3", "run.steps=200"], 0x2263_6389_a549_d855),
    ("netlogo", &["run.seed=1", "run.steps=200", "grid.neighbourhood=euclidean", "arrest.ratio=floor"], 0x1df8_ecce_f211_ef18),
    (
        "moore-3-5",
        &["run.seed=2", "run.steps=200", "grid.neighbourhood=moore", "citizens.vision=3", "cops.vision=5"],
        0x7561_ac55_da26_ab9e,
    ),
    ("bounded", &["run.seed=1", "run.steps=200", "grid.torus=false"], 0x7ff9_e6af_4af8_d45e),
    ("sync", &["run.seed=1", "run.steps=200", "activation.kind=synchronous-parallel"], 0x78f5_9bbd_77a5_07b2),
    (
        "sync-netlogo-bounded",
        &["run.seed=3", "run.steps=150", "activation.kind=synchronous-parallel", "grid.neighbourhood=euclidean", "grid.torus=false"],
        0x7f7f_aee5_8d79_30bb,
    ),
    ("tiny-torus", &["run.seed=1", "run.steps=200", "grid.width=17", "grid.height=9"], 0xab20_3df5_187c_7481),
    (
        "tiny-torus-sync",
        &["run.seed=2", "run.steps=200", "grid.width=17", "grid.height=9", "activation.kind=synchronous-parallel"],
        0x0ada_70a2_9a2d_ae02,
    ),
    (
        "radius-20",
        &[
            "run.seed=5",
            "run.steps=40",
            "grid.width=50",
            "grid.height=45",
            "grid.neighbourhood=moore",
            "citizens.vision=20",
            "cops.vision=20",
        ],
        0x522f_8bc8_8cd2_c4ff,
    ),
    (
        "schedules",
        &[
            "run.seed=6",
            "run.steps=200",
            "cops.schedule=jump",
            "cops.final_density=0.02",
            "cops.at_step=80",
            "legitimacy.schedule=linear",
            "legitimacy.final=0.5",
            "legitimacy.at_step=20",
            "legitimacy.over_steps=100",
        ],
        0x0a2f_5bb2_8100_9374,
    ),
    (
        "still-literal",
        &["run.seed=8", "run.steps=200", "citizens.movement=false", "cops.movement=false", "arrest.ratio=literal"],
        0xf2c8_b446_ce2f_17e8,
    ),
];

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }
    fn table(&mut self, t: &Table) {
        self.u64(t.rows() as u64);
        for c in &t.columns {
            self.bytes(c.name.as_bytes());
            match &c.data {
                ColumnData::I64(v) => v.iter().for_each(|&x| self.u64(x as u64)),
                ColumnData::F64(v) => v.iter().for_each(|&x| self.u64(x.to_bits())),
                ColumnData::Str(v) => v.iter().for_each(|x| self.bytes(x.as_bytes())),
                ColumnData::Date(v) => v.iter().for_each(|x| self.bytes(x.to_string().as_bytes())),
            }
        }
    }
}

fn digest(sets: &[&str]) -> u64 {
    let mut s = load_scenario_text("epstein-2002.toml", TEXT).unwrap_or_else(|e| panic!("{e}"));
    for a in sets {
        s.set(a).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    let mut sim = Epstein::new(&s).unwrap_or_else(|e| panic!("{e}"));
    while sim.steps_done() < sim.clock().steps {
        sim.step();
    }
    let mut h = Fnv::new();
    h.table(&sim.metrics());
    for (name, t) in sim.tables() {
        h.bytes(name.as_bytes());
        h.table(&t);
    }
    for c in sim.citizens() {
        let state = match c.state {
            CitizenState::Quiet => 0,
            CitizenState::Active => 1,
            CitizenState::Jailed => 2,
        };
        h.u64(u64::from(c.cell) << 32 | u64::from(c.jail_term) << 2 | state);
    }
    for &c in sim.cop_cells() {
        h.u64(u64::from(c));
    }
    h.0
}

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap_or_else(|e| panic!("{e}")).install(f)
}

#[test]
fn epstein_outputs_match_their_pinned_digests() {
    let bless = std::env::var_os("PERELOM_BLESS").is_some();
    let mut failures = Vec::new();
    for &(name, sets, want) in CASES {
        let got = in_pool(1, || digest(sets));
        if sets.iter().any(|s| s.contains("synchronous")) {
            // The parallel activation gives the same results on any number of threads.
            assert_eq!(in_pool(3, || digest(sets)), got, "{name}: 3 threads differ from 1");
        }
        if bless {
            println!("{name}: 0x{:04x}_{:04x}_{:04x}_{:04x}", got >> 48, (got >> 32) & 0xffff, (got >> 16) & 0xffff, got & 0xffff);
        } else if got != want {
            failures.push(format!("{name}: got {got:#018x}, pinned {want:#018x}"));
        }
    }
    assert!(failures.is_empty(), "Epstein results changed:\n  {}\n(see this file's documentation)", failures.join("\n  "));
}
