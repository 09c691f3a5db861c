//! Will the machine hold it? Runs, ensembles and sweeps are checked, before any work,
//! against the memory the machine has available, from each model's measured bytes per
//! agent ([`perelom_models::ModelInfo::bytes_per_agent`]). The command line and the Python
//! package refuse with the same message.

use perelom_scenario::Scenario;

/// The memory the machine has available now, in bytes (Linux's `MemAvailable`); `None`
/// where it cannot be read (then nothing is checked).
pub fn available_bytes() -> Option<f64> {
    std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            .map(|kb| kb * 1024.0)
    })
}

/// How many runs of an ensemble of `runs` go at once with `threads` threads (one run per
/// thread; `None`: every core).
pub fn concurrent_runs(threads: Option<usize>, runs: usize) -> usize {
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    threads.min(runs).max(1)
}

/// Refuses `concurrent` runs at once of `one` bytes each (a run, or a baseline's run kept
/// beside an experiment's), the largest of which is `s`'s, when they would need more than
/// the machine has available. `label` names the input in the message (a file, a design),
/// `what` says whose run it is (", at the design's largest point"); `help` says what to
/// change (the front end's own words: `--threads` or `threads=`).
///
/// Errors: the message, with a help line.
pub fn check_bytes(label: &str, s: &Scenario, one: f64, concurrent: usize, what: &str, help: &str) -> Result<(), String> {
    let Some(available) = available_bytes() else { return Ok(()) };
    let need = one * concurrent.max(1) as f64;
    if need <= available {
        return Ok(());
    }
    let gb = |b: f64| b / 1e9;
    let info = perelom_models::model_of(s).map_err(|e| e.to_string())?;
    let at_once = if concurrent > 1 { format!(" ({concurrent} runs at once, one per thread)") } else { String::new() };
    let smaller = if info.scale_key.is_some() { "a smaller scale" } else { "a smaller grid" };
    Err(format!(
        "{label}: this would need about {:.1} GB of memory{at_once} ({} agents or grid cells at about {:.0} bytes each{what}), but the machine has {:.1} GB available\n  help: use {smaller}, or {help}",
        gb(need),
        thousands((info.population)(s)),
        info.bytes_per_agent,
        gb(available),
    ))
}

/// [`check_bytes`] for `concurrent` runs of scenario `s`.
pub fn check(s: &Scenario, concurrent: usize, help: &str) -> Result<(), String> {
    match perelom_models::registry::memory_estimate(s) {
        Some(one) => check_bytes(&s.file, s, one, concurrent, "", help),
        None => Ok(()),
    }
}

/// [`check_bytes`] for an ensemble comparing `base` with `experiments` on common seeds: every
/// scenario must fit, and a branched seed holds the baseline's run and one experiment's.
pub fn check_comparison(base: &Scenario, experiments: &[Scenario], concurrent: usize, help: &str) -> Result<(), String> {
    let estimate = |s: &Scenario| perelom_models::registry::memory_estimate(s).unwrap_or(0.0);
    let (largest, bytes) = experiments.iter().map(|e| (e, estimate(e))).fold((base, estimate(base)), |a, b| if b.1 > a.1 { b } else { a });
    let branched = experiments.iter().any(|e| e.meta.branch_at.is_some());
    let one = if branched { estimate(base) + experiments.iter().map(estimate).fold(0.0, f64::max) } else { bytes };
    let what = if branched { ", with the baseline's run kept beside each experiment's" } else { "" };
    check_bytes(&largest.file, largest, one, concurrent, what, help)
}

/// A whole number with thousands separated by commas: 3,000,000.
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        assert_eq!(super::thousands(3_000_000.0), "3,000,000");
        assert_eq!(super::thousands(999.0), "999");
        assert_eq!(super::thousands(1000.0), "1,000");
    }
}
