//! The binary: parse the command line, run the command, exit with its code.

use std::process::ExitCode;

use clap::Parser;
use higress_claw::cli::Cli;
use higress_claw::commands;
use higress_claw::printer::{Printer, Verbosity};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2 (and,
            // asked for JSON, as a JSON error document on stdout too).
            let _ = err.print();
            if !err.use_stderr() {
                return ExitCode::SUCCESS;
            }
            let json = std::env::args_os().any(|a| a == "--json");
            let message = err.render().to_string();
            let message = message
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            Printer::new(json, Verbosity::Quiet).json_error(&anyhow::anyhow!("{message}"), None, 2);
            return ExitCode::from(2);
        }
    };
    commands::run(cli)
}
