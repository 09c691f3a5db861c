//! The Perelom simulation engine.
//!
//! General machinery shared by every model: a [`clock`] that maps integer steps to
//! calendar dates, deterministic random [`rng`] streams keyed by purpose, activation
//! [`schedule`]s (random sequential and synchronous-parallel), [`space`]s (grids and
//! social networks) and a [`record`]er that collects per-step metrics into columns.
//!
//! Architecture invariant: this crate knows nothing of any model's domain (no workers,
//! cops or factories) and performs no I/O.

#![warn(missing_docs)]

pub mod clock;
pub mod record;
pub mod rng;
pub mod schedule;
pub mod space;
pub mod stats;

pub use clock::{Clock, StepUnit};
pub use record::{Column, ColumnData, ColumnDoc, MetricKind, MetricSpec, Quantity, Recorder, Table};
pub use rng::{FastRng, SimRng, Streams};

/// Runs `f(seed)` for each seed in parallel and returns the results in seed order.
/// Each run draws only from its own seed's streams, so the results do not depend on
/// the thread count.
pub fn ensemble<R, F>(seeds: &[u64], f: F) -> Vec<R>
where
    R: Send,
    F: Fn(u64) -> R + Sync,
{
    use rayon::prelude::*;
    seeds.par_iter().map(|&s| f(s)).collect()
}
