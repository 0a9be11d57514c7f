//! `higress-claw completions SHELL`: the shell completion script, from the clap tree.

use serde::Serialize;

use crate::cli::Cli;
use crate::printer::Printer;

#[derive(Serialize)]
struct CompletionsReport {
    shell: String,
    script: String,
}

pub fn run(shell: clap_complete::Shell, printer: Printer) -> anyhow::Result<()> {
    // Rendered into memory first: clap_complete panics when it cannot write, and a
    // closed pipe (`| head`) is not a failure of ours.
    let mut script = Vec::new();
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "higress-claw", &mut script);
    let script = String::from_utf8(script)?;
    printer.json(&CompletionsReport {
        shell: shell.to_string(),
        script: script.clone(),
    });
    printer.data(script.trim_end());
    Ok(())
}
