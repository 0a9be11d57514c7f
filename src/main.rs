//! The binary: parse the command line, run the command, exit with its code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use higress_claw::cli::Cli;
use higress_claw::commands;
use higress_claw::printer::{Printer, Verbosity};
use higress_claw::secret::mask;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    commands::run(cli)
}

/// Help and version go to stdout with 0; usage errors to stderr with 2 (and, asked for
/// JSON, as a JSON error document on stdout too).
fn usage_error(err: clap::Error) -> ExitCode {
    if !err.use_stderr() {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let text = without_stray_arguments(&err, err.render().to_string());
    let _ = writeln!(std::io::stderr(), "{}", text.trim_end());
    let json = std::env::args_os().any(|a| a == "--json");
    let message = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    Printer::new(json, Verbosity::Quiet).json_error(&anyhow::anyhow!("{message}"), None, 2);
    ExitCode::from(2)
}

/// An argument clap did not expect is often a key pasted without its flag
/// (`config add --provider deepseek sk-…`): it is shown masked, never whole.
fn without_stray_arguments(err: &clap::Error, mut text: String) -> String {
    let stray = matches!(
        err.kind(),
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand | ErrorKind::TooManyValues
    );
    if !stray {
        return text;
    }
    for kind in [ContextKind::InvalidArg, ContextKind::InvalidValue] {
        if let Some(ContextValue::String(arg)) = err.get(kind)
            && !arg.starts_with('-')
            && !arg.is_empty()
        {
            text = text.replace(arg.as_str(), &mask(arg));
        }
    }
    text
}
