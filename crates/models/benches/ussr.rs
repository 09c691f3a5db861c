//! The 1928-1929 model's hot paths: building the population, and one weekly step (the
//! parallel per-shop pass, the factory phase and the OGPU), per person.
//!
//! `cargo bench -p perelom-models --bench ussr`; throughput is people per second.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use perelom_models::ussr::Ussr;
use perelom_models::{builtin, load_scenario_text, Simulation};
use std::hint::black_box;

fn scenario(scale: f64) -> perelom_scenario::Scenario {
    let b = builtin("ussr-1928-1929").expect("the baseline is built in");
    let mut s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"));
    s.set(&format!("population.scale={scale:?}")).unwrap_or_else(|e| panic!("{e}"));
    s
}

fn bench(c: &mut Criterion) {
    for scale in [0.02, 0.1] {
        let s = scenario(scale);
        let people = Ussr::new(&s).map(|m| m.people().len()).unwrap_or_else(|e| panic!("{e}"));
        let mut g = c.benchmark_group(format!("ussr scale {scale}"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(people as u64));
        g.bench_function("initialize", |b| b.iter(|| black_box(Ussr::new(&s).unwrap_or_else(|e| panic!("{e}")))));
        // A week in the autumn of 1928, when strikes, meetings and arrests are all live.
        g.bench_function("one week (week 45)", |b| {
            b.iter_batched(
                || {
                    let mut m = Ussr::new(&s).unwrap_or_else(|e| panic!("{e}"));
                    for _ in 0..45 {
                        m.step();
                    }
                    m
                },
                |mut m| {
                    m.step();
                    m
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
