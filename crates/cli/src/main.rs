//! `perelom`: run, validate and inspect Perelom simulations.
//!
//! This crate is the only one that knows about files, terminals and processes; it
//! wires the scenario parser, the models and the output writers together.

mod cli;
mod commands;
mod error;
mod scenario_source;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match commands::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
