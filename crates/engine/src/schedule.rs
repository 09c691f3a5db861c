//! Activation schedules.
//!
//! * Random sequential: agents act one after another in a fresh random order each
//!   step, each seeing the effects of those before it (Epstein 2002, Mesa, NetLogo).
//! * Synchronous parallel: every agent decides from the same read-only snapshot, in
//!   parallel; the decisions are then applied one by one in agent order. The result
//!   does not depend on the thread count because each chunk of [`CHUNK`] agents draws
//!   from its own stream and decisions are collected in order.

use crate::rng::{purpose_hash, SimRng, Streams, CHUNK};
use rand::seq::SliceRandom;
use rayon::prelude::*;

/// How agents are activated within a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// One agent after another, in a fresh random order each step.
    RandomSequential,
    /// All agents decide from the same snapshot; decisions are applied in agent order.
    SynchronousParallel,
}

/// Fills `order` with `0..n` shuffled by `rng`, reusing its allocation.
pub fn random_order(n: usize, rng: &mut SimRng, order: &mut Vec<u32>) {
    order.clear();
    order.extend(0..n as u32);
    order.shuffle(rng);
}

/// Decides for agents `0..n` in parallel from a read-only view. `decide(agent, rng)`
/// must only read shared state. Returns the decisions in agent order.
///
/// ```
/// use perelom_engine::{schedule::decide_parallel, Streams};
/// use rand::Rng;
/// let s = Streams::new(1);
/// let a = decide_parallel(10_000, &s, "coin", 0, |_, r| r.random::<bool>());
/// let b = decide_parallel(10_000, &s, "coin", 0, |_, r| r.random::<bool>());
/// assert_eq!(a, b);
/// ```
pub fn decide_parallel<D, F>(n: usize, streams: &Streams, purpose: &str, step: u64, decide: F) -> Vec<D>
where
    D: Send,
    F: Fn(usize, &mut SimRng) -> D + Sync,
{
    let p = purpose_hash(purpose);
    let chunks = n.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut rng = streams.stream_hashed(p, step, c as u64);
            let lo = c * CHUNK;
            let hi = (lo + CHUNK).min(n);
            (lo..hi).map(|i| decide(i, &mut rng)).collect::<Vec<_>>()
        })
        .collect()
}

/// Runs `f(chunk_index, first_agent, chunk, rng)` over fixed-size chunks of `data` in
/// parallel, each chunk with its own stream, and returns the per-chunk results in
/// chunk order (so that reductions over them are deterministic).
pub fn par_chunks_with_rng<T, R, F>(data: &mut [T], streams: &Streams, purpose: &str, step: u64, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(usize, usize, &mut [T], &mut SimRng) -> R + Sync,
{
    let p = purpose_hash(purpose);
    data.par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut rng = streams.stream_hashed(p, step, c as u64);
            f(c, c * CHUNK, chunk, &mut rng)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
    }

    #[test]
    fn parallel_decisions_do_not_depend_on_thread_count() {
        let s = Streams::new(5);
        let run = || decide_parallel(50_000, &s, "x", 3, |i, r| (i as u64) ^ r.random::<u64>());
        let one = in_pool(1, run);
        let two = in_pool(2, run);
        let four = in_pool(4, run);
        assert_eq!(one, two);
        assert_eq!(one, four);
        assert_eq!(one.len(), 50_000);
    }

    #[test]
    fn chunk_results_are_in_chunk_order() {
        let s = Streams::new(5);
        let run = || {
            let mut v = vec![0.0f64; 20_000];
            let sums = par_chunks_with_rng(&mut v, &s, "y", 0, |_, first, chunk, r| {
                for (k, x) in chunk.iter_mut().enumerate() {
                    *x = (first + k) as f64 + r.random::<f64>();
                }
                chunk.iter().sum::<f64>()
            });
            (v, sums.iter().sum::<f64>())
        };
        let (a, sa) = in_pool(1, run);
        let (b, sb) = in_pool(3, run);
        assert_eq!(a, b);
        assert_eq!(sa.to_bits(), sb.to_bits());
    }

    #[test]
    fn random_order_is_a_permutation() {
        let mut r = Streams::new(1).stream("o", 0, 0);
        let mut o = Vec::new();
        random_order(1000, &mut r, &mut o);
        let mut s = o.clone();
        s.sort();
        assert_eq!(s, (0..1000).collect::<Vec<u32>>());
        assert_ne!(o, s);
    }
}
