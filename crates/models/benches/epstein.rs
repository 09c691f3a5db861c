//! Epstein (2002) Model I: steps per second on Mesa's 40 x 40 grid and on a
//! 1000 x 1000 grid (about 770,000 agents), in both activation modes.
//!
//! `cargo bench -p perelom-models --bench epstein`; the throughput figures are steps
//! per second ("elem/s").

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use perelom_models::epstein::Epstein;
use perelom_models::{load_scenario_text, Simulation};
use std::hint::black_box;

const TEXT: &str = include_str!("../../../scenarios/epstein-2002.toml");

fn model(sets: &[&str]) -> Epstein {
    let mut s = match load_scenario_text("epstein-2002.toml", TEXT) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    for a in sets {
        if let Err(e) = s.set(a) {
            panic!("{a}: {e}");
        }
    }
    match Epstein::new(&s) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

fn run(mut sim: Epstein, steps: u32) -> Epstein {
    for _ in 0..steps {
        sim.step();
    }
    black_box(sim)
}

const MODES: [(&str, &str); 2] =
    [("sequential", "activation.kind=random-sequential"), ("parallel", "activation.kind=synchronous-parallel")];

fn small(c: &mut Criterion) {
    let mut g = c.benchmark_group("epstein_40x40_100_steps");
    g.throughput(Throughput::Elements(100));
    for (name, mode) in MODES {
        let base = model(&[mode]);
        g.bench_function(name, |b| b.iter_batched(|| base.clone(), |sim| run(sim, 100), BatchSize::SmallInput));
    }
    g.finish();
}

fn large(c: &mut Criterion) {
    const STEPS: u32 = 3;
    let mut g = c.benchmark_group("epstein_1000x1000_3_steps");
    g.sample_size(10);
    g.throughput(Throughput::Elements(u64::from(STEPS)));
    for (name, mode) in MODES {
        // Start from a state past the first steps, where all citizens are still quiet.
        let base = run(model(&[mode, "grid.width=1000", "grid.height=1000"]), 5);
        g.bench_function(name, |b| b.iter_batched(|| base.clone(), |sim| run(sim, STEPS), BatchSize::LargeInput));
    }
    g.finish();
}

criterion_group!(benches, small, large);
criterion_main!(benches);
