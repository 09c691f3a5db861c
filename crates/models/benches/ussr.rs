//! The 1928-1929 model's hot phases, so that a regression shows: building the
//! population, a whole week, the weekly pass over people (ODD 7.3-7.10, per shop in
//! parallel), the shops' strike and slow-down cascades (7.5) and the OGPU (7.12).
//!
//! `cargo bench -p perelom-models --bench ussr`; throughput is people per second
//! (cascades: shops per second). Each measured phase starts from a copy of a model
//! stepped to week 45 (autumn 1928: strikes, slow-downs, meetings and arrests all live,
//! the repression escalated), or to the phase before it within that week; the copies are
//! made outside the timing. The OGPU is timed in week 43 at scale 0.1, the busiest
//! week of its arrests and provocateurs. The phases are the model's own (`Ussr::open_week`,
//! `pass_week`, `factories_and_strikes`, `ogpu`, `close_week`: what `step` runs), so the
//! benchmark times exactly the code of a run.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use perelom_models::ussr::{Person, Status, Ussr};
use perelom_models::{builtin, load_scenario_text, Simulation};
use std::hint::black_box;

fn scenario(scale: f64) -> perelom_scenario::Scenario {
    let b = builtin("ussr-1928-1929").expect("the baseline is built in");
    let mut s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"));
    s.set(&format!("population.scale={scale:?}")).unwrap_or_else(|e| panic!("{e}"));
    s
}

/// A cascade's candidate: (threshold, index in the shop, strike-ready, slow-ready).
type Candidate = (f32, u32, bool, bool);

const WEEK: u32 = 45;
const OGPU_WEEK: u32 = 43;

fn model_at_week(s: &perelom_scenario::Scenario) -> Ussr {
    let mut m = Ussr::new(s).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..WEEK {
        m.step();
    }
    m
}

fn phases(c: &mut Criterion) {
    for scale in [0.02, 0.1] {
        let s = scenario(scale);
        let m = model_at_week(&s);
        let people = m.people().len() as u64;
        let mut g = c.benchmark_group(format!("ussr scale {scale}"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(people));
        g.bench_function("initialize", |b| b.iter(|| black_box(Ussr::new(&s).unwrap_or_else(|e| panic!("{e}")))));
        g.bench_function("one week (week 45)", |b| {
            b.iter_batched(
                || m.clone(),
                |mut m| {
                    m.step();
                    m
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("weekly pass (week 45)", |b| {
            b.iter_batched(
                || {
                    let mut m = m.clone();
                    let w = m.open_week();
                    (m, w)
                },
                |(mut m, w)| {
                    let w = m.pass_week(w);
                    (m, w)
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
    // The OGPU in its busiest week of the baseline at scale 0.1 (seed 1): week 43
    // (1928-10-29), 40 arrests and a city group exposed by a provocateur, whose
    // members the OGPU then searches for.
    let s = scenario(0.1);
    let mut m = Ussr::new(&s).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..OGPU_WEEK {
        m.step();
    }
    let mut g = c.benchmark_group("ussr OGPU");
    g.sample_size(10);
    g.throughput(Throughput::Elements(m.people().len() as u64));
    g.bench_function("scale 0.1, week 43", |b| {
        b.iter_batched(
            || {
                let mut m = m.clone();
                let w = m.open_week();
                let w = m.pass_week(w);
                let w = m.factories_and_strikes(w);
                (m, w)
            },
            |(mut m, w)| {
                let w = m.ogpu(w);
                (m, w)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// Shops of the model at week 45 with their strike and slow-down candidates drawn as
/// the pass draws them in a week of unrest: everyone at work is a candidate with their
/// own threshold, a third of them ready to strike, two thirds ready to slow down, so
/// that most shops go all the way through both cascades.
fn cascades(c: &mut Criterion) {
    let s = scenario(0.02);
    let m = model_at_week(&s);
    let p = m.params().clone();
    let mut shops: Vec<(Vec<Person>, Vec<Candidate>)> = Vec::new();
    let people = m.people();
    let mut start = 0;
    while start < people.len() && shops.len() < 500 {
        let shop = people[start].shop;
        let end = start + people[start..].iter().take_while(|q| q.shop == shop).count();
        let workers: Vec<Person> = people[start..end].to_vec();
        let candidates = workers
            .iter()
            .enumerate()
            .filter(|(_, q)| q.status == Status::Working)
            .map(|(k, q)| (q.threshold, k as u32, k % 3 == 0, k % 3 != 2))
            .collect();
        shops.push((workers, candidates));
        start = end;
    }
    let mut g = c.benchmark_group("ussr cascade");
    g.sample_size(20);
    g.throughput(Throughput::Elements(shops.len() as u64));
    g.bench_function(format!("{} shops", shops.len()), |b| {
        b.iter_batched(
            || shops.clone(),
            |mut shops| {
                let mut joined = 0;
                for (workers, candidates) in &mut shops {
                    let (strikers, slow) = Ussr::cascade(&p, workers, candidates);
                    joined += strikers + slow;
                }
                black_box(joined)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, phases, cascades);
criterion_main!(benches);
