//! Commands across MPI ranks (cargo feature `mpi`): `mpirun -np N perelom sweep ...`,
//! `... validate ...` and `... calibrate ...`.
//!
//! Rank 0 coordinates a **dynamic work queue**: each worker rank asks for the next unit
//! of work (a batch of a sweep, a seed of an ensemble) when it has finished the last, so
//! runs of different cost balance themselves. Rank 0 hands out work only; with `N` ranks,
//! `N - 1` compute. Every result is put back in its place by its index (a sweep's batch
//! files, an ensemble's seed order), so the output is byte-identical to the same command
//! in one process, for any number of ranks.
//!
//! A sweep's workers write their batches into the shared output directory themselves; a
//! rank killed mid-way loses only its unfinished runs, and rerunning the command (with
//! `--resume`) completes the dataset. An ensemble's workers send each seed's result to
//! rank 0, which prints and writes as `validate` does in one process.

use crate::error::CliError;
use mpi::point_to_point::{Destination, Source};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::Root;
use std::cell::RefCell;

thread_local! {
    static WORLD: RefCell<Option<SimpleCommunicator>> = const { RefCell::new(None) };
}

/// Tag of a worker's request for work.
const ASK: i32 = 1;
/// Tag of the coordinator's answer: a unit of work, or [`STOP`].
const WORK: i32 = 2;
/// No more work.
const STOP: i64 = -1;

/// Starts MPI when the process runs under `mpirun` with more than one rank; returns the
/// guard that ends MPI when dropped (at the end of `main`).
pub fn init() -> Option<mpi::environment::Universe> {
    let universe = mpi::initialize()?;
    let world = universe.world();
    if world.size() > 1 {
        WORLD.with(|w| *w.borrow_mut() = Some(world));
    }
    Some(universe)
}

/// This process's rank and the number of ranks, when there are several.
pub fn ranks() -> Option<(i32, i32)> {
    WORLD.with(|w| w.borrow().as_ref().map(|c| (c.rank(), c.size())))
}

fn with_world<T>(f: impl FnOnce(&SimpleCommunicator) -> T) -> T {
    WORLD.with(|w| f(w.borrow().as_ref().expect("MPI world (checked by ranks())")))
}

/// Rank 0 tells every rank whether it may go on (1) or must stop (0).
fn agree(ok: bool) -> bool {
    with_world(|w| {
        let mut flag: i32 = i32::from(ok);
        w.process_at_rank(0).broadcast_into(&mut flag);
        flag == 1
    })
}

/// Rank 0: hands out `units` (in order) to whoever asks, then a stop to every worker.
/// Calls `got(source, bytes)` for every result a worker sends (if results are sent).
fn coordinate(units: &[i64], mut got: impl FnMut(i32, Vec<u8>)) -> Vec<i32> {
    with_world(|w| {
        let workers = w.size() - 1;
        let mut next = 0;
        let mut stopped = 0;
        let mut failed = Vec::new();
        while stopped < workers {
            let (msg, status) = w.any_process().receive_vec_with_tag::<u8>(ASK);
            let source = status.source_rank();
            // An ask carries the result of the last unit, if any; a lone 0xFF byte says
            // the worker failed and stops.
            if msg == [0xFF] {
                failed.push(source);
                stopped += 1;
                continue;
            }
            if !msg.is_empty() {
                got(source, msg);
            }
            let unit = if next < units.len() {
                next += 1;
                units[next - 1]
            } else {
                stopped += 1;
                STOP
            };
            w.process_at_rank(source).send_with_tag(&unit, WORK);
        }
        failed
    })
}

/// A worker rank: asks for units until told to stop, doing each with `work`, whose bytes
/// (possibly empty) go back with the next ask. An error is reported to rank 0 and ends
/// this worker.
fn work(mut work: impl FnMut(i64) -> Result<Vec<u8>, CliError>) -> Result<(), CliError> {
    with_world(|w| {
        let root = w.process_at_rank(0);
        let mut result: Vec<u8> = Vec::new();
        loop {
            root.send_with_tag(&result[..], ASK);
            let (unit, _) = root.receive_with_tag::<i64>(WORK);
            if unit == STOP {
                return Ok(());
            }
            match work(unit) {
                Ok(bytes) => result = bytes,
                Err(e) => {
                    root.send_with_tag(&[0xFFu8][..], ASK);
                    return Err(e);
                }
            }
        }
    })
}

/// `perelom sweep` across ranks: rank 0 prepares the sweep directory, the workers run
/// its pending batches from a dynamic queue, rank 0 joins the dataset.
pub fn sweep(
    design: &perelom_experiments::sweep::Design,
    opts: &perelom_experiments::sweep::SweepOptions,
    quiet: bool,
) -> Result<(), CliError> {
    use perelom_experiments::sweep::{join_sweep, prepare_sweep, run_batches, sweep_out, Prepared, Silent};
    let (rank, size) = ranks().expect("called under MPI");
    if opts.shard.is_some() {
        return Err(CliError::Message("--shard and MPI ranks do not mix: run shards as separate jobs, or one job on ranks".into()));
    }
    if rank == 0 {
        let prepared = prepare_sweep(design, opts);
        if !agree(prepared.is_ok()) {
            return prepared.map(|_| ()).map_err(CliError::from);
        }
        let p = prepared?;
        let units: Vec<i64> = p.pending_batches().into_iter().map(|b| b as i64).collect();
        if !quiet {
            outln!(
                "{}: {} in {}, {} to do, on {}",
                design.file,
                crate::commands::count(p.runs() as u64, "run", "runs"),
                crate::commands::count(p.batches() as u64, "batch", "batches"),
                units.len(),
                crate::commands::count((size - 1) as u64, "worker rank", "worker ranks")
            );
        }
        let started = std::time::Instant::now();
        let failed = coordinate(&units, |_, _| {});
        if !failed.is_empty() || !p.complete() {
            return Err(CliError::Message(format!(
                "rank(s) {failed:?} failed; the finished runs are kept in {}\n  help: rerun the same command with --resume to complete the sweep",
                p.out.display()
            )));
        }
        let dataset = join_sweep(&p.out)?;
        if !quiet {
            outln!("{} batches in {:.1} s; dataset: {}", units.len(), started.elapsed().as_secs_f64(), dataset.display());
        }
        Ok(())
    } else {
        if !agree(false) {
            // Rank 0 could not prepare the sweep and says why.
            return Err(CliError::Quiet);
        }
        let p = Prepared::open(design, &sweep_out(design, opts));
        work(|b| {
            run_batches(design, &p, &[b as usize], opts.threads, &Silent)?;
            Ok(Vec::new())
        })
    }
}

/// `perelom validate` (and any seed ensemble) across ranks: the workers run seeds from a
/// dynamic queue and send each result back encoded by `encode`; rank 0 decodes them into
/// seed order. Returns the results on rank 0 and `None` on the workers.
pub fn ensemble<T>(
    seeds: &[u64],
    run: impl Fn(usize) -> Result<T, CliError>,
    encode: impl Fn(&T) -> Vec<u8>,
    decode: impl Fn(&[u8]) -> Result<T, CliError>,
    on_result: impl Fn(),
) -> Result<Option<Vec<T>>, CliError> {
    let (rank, _) = ranks().expect("called under MPI");
    if rank == 0 {
        agree(true);
        let units: Vec<i64> = (0..seeds.len() as i64).collect();
        let mut slots: Vec<Option<T>> = (0..seeds.len()).map(|_| None).collect();
        let mut bad: Option<CliError> = None;
        let failed = coordinate(&units, |_, bytes| {
            // The index of the run, then its result.
            let (head, body) = bytes.split_at(8.min(bytes.len()));
            let i = u64::from_le_bytes(head.try_into().unwrap_or([0xFF; 8])) as usize;
            match decode(body) {
                Ok(t) if i < slots.len() => {
                    slots[i] = Some(t);
                    on_result();
                }
                Ok(_) => bad = Some(CliError::Message(format!("a worker sent a result for run {i}, which does not exist"))),
                Err(e) => bad = Some(e),
            }
        });
        if let Some(e) = bad {
            return Err(e);
        }
        if !failed.is_empty() {
            return Err(CliError::Message(format!("rank(s) {failed:?} failed: see their messages above")));
        }
        let all: Option<Vec<T>> = slots.into_iter().collect();
        all.map(Some).ok_or_else(|| CliError::Message("some runs of the ensemble were never done".into()))
    } else {
        if !agree(false) {
            return Err(CliError::Quiet);
        }
        work(|i| {
            let t = run(i as usize)?;
            let mut bytes = (i as u64).to_le_bytes().to_vec();
            bytes.extend(encode(&t));
            Ok(bytes)
        })?;
        Ok(None)
    }
}

/// Tag of a simulation job sent to a worker (empty: the service ends).
const JOB: i32 = 4;
/// Tag of a job's summaries sent back.
const SUMMARIES: i32 = 5;

fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes.chunks_exact(8).map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))).collect()
}

fn bytes_of(head: &[u64], values: &[f64]) -> Vec<u8> {
    let mut out: Vec<u8> = head.iter().flat_map(|x| x.to_le_bytes()).collect();
    out.extend(values.iter().flat_map(|x| x.to_bits().to_le_bytes()));
    out
}

/// Rank 0's simulations of a calibration spread over the worker ranks: each batch of an
/// ABC generation is handed out job by job to whichever worker is free, and the summaries
/// come back bit for bit into their places. Call on the main thread (MPI's), between
/// the workers' [`serve`] and [`stop_service`].
pub struct Spread;

impl perelom_analysis::abc::Evaluate for Spread {
    fn evaluate(&self, jobs: &[(Vec<f64>, u64)]) -> Vec<Vec<f64>> {
        with_world(|w| {
            let mut out: Vec<Vec<f64>> = vec![Vec::new(); jobs.len()];
            let send = |k: usize, to: i32| {
                let (theta, seed) = &jobs[k];
                w.process_at_rank(to).send_with_tag(&bytes_of(&[k as u64, *seed], theta)[..], JOB);
            };
            let mut next = 0;
            let mut busy = 0;
            for worker in 1..w.size() {
                if next < jobs.len() {
                    send(next, worker);
                    next += 1;
                    busy += 1;
                }
            }
            while busy > 0 {
                let (msg, status) = w.any_process().receive_vec_with_tag::<u8>(SUMMARIES);
                busy -= 1;
                let values = f64s(&msg);
                if let Some((&k, summaries)) = values.split_first() {
                    let k = k.to_bits() as usize;
                    if k < out.len() {
                        out[k] = summaries.to_vec();
                    }
                }
                if next < jobs.len() {
                    send(next, status.source_rank());
                    next += 1;
                    busy += 1;
                }
            }
            out
        })
    }
}

/// A worker rank of a calibration: runs the jobs rank 0 sends until it ends the service.
pub fn serve(simulate: &dyn Fn(&[f64], u64) -> Vec<f64>) {
    with_world(|w| {
        let root = w.process_at_rank(0);
        loop {
            let (msg, _) = root.receive_vec_with_tag::<u8>(JOB);
            if msg.len() < 16 {
                return;
            }
            let k = u64::from_le_bytes(msg[..8].try_into().unwrap_or([0; 8]));
            let seed = u64::from_le_bytes(msg[8..16].try_into().unwrap_or([0; 8]));
            let theta = f64s(&msg[16..]);
            let summaries = simulate(&theta, seed);
            let mut reply = k.to_le_bytes().to_vec();
            reply.extend(summaries.iter().flat_map(|x| x.to_bits().to_le_bytes()));
            root.send_with_tag(&reply[..], SUMMARIES);
        }
    })
}

/// Rank 0: ends every worker's [`serve`].
pub fn stop_service() {
    with_world(|w| {
        for worker in 1..w.size() {
            w.process_at_rank(worker).send_with_tag(&[0u8; 0][..], JOB);
        }
    })
}
