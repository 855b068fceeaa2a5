//! The `multivector` binary: parses arguments, runs one subcommand, maps errors to exit codes
//! (2: bad input, with the located message and a hint; 1: internal failure).

mod args;
mod commands;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => exit::report(&e),
    }
}
