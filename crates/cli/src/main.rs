//! `perelom`: run, validate and inspect Perelom simulations.
//!
//! This crate is the only one that knows about files, terminals and processes; it
//! wires the scenario parser, the models and the output writers together.

/// `println!` that treats a closed standard output (`perelom ... | head`) as the end of
/// the conversation, not as a failure.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// `print!` with the same treatment of a closed standard output.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

mod cli;
mod commands;
mod error;
mod posterior;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    // Under `mpirun` (feature `mpi`), MPI lives as long as `main`.
    #[cfg(feature = "mpi")]
    let _universe = commands::ranks::init();
    #[cfg(not(feature = "mpi"))]
    if let Some(size) = launched_by_mpi(&|k| std::env::var(k).ok()) {
        eprintln!(
            "error: this perelom was built without MPI, but mpirun started {size} copies of it: each would do the whole job and they would collide in the same output\n  help: build with `cargo build --release -p perelom --features mpi` (docs/CLUSTER.md), or run one process without mpirun"
        );
        return ExitCode::from(2);
    }
    match commands::dispatch(args) {
        Ok(code) => code,
        Err(error::CliError::Quiet) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The number of processes an MPI launcher started, when it started more than one
/// (Open MPI's, MPICH's and PMIx's environment variables).
#[cfg_attr(feature = "mpi", allow(dead_code))]
fn launched_by_mpi(env: &dyn Fn(&str) -> Option<String>) -> Option<u32> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"]
        .iter()
        .find_map(|k| env(k).and_then(|v| v.trim().parse::<u32>().ok()))
        .filter(|&n| n > 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn mpi_launchers_are_recognised() {
        let env =
            |vars: &'static [(&'static str, &'static str)]| move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        assert_eq!(super::launched_by_mpi(&env(&[])), None);
        assert_eq!(super::launched_by_mpi(&env(&[("OMPI_COMM_WORLD_SIZE", "3")])), Some(3));
        assert_eq!(super::launched_by_mpi(&env(&[("PMI_SIZE", "1")])), None, "one process is an ordinary run");
    }
}
