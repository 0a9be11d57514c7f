//! The one way output leaves the process.
//!
//! Stdout carries data: the human summary of a command, or with `--json` exactly one JSON
//! document. Stderr carries status, progress and errors. Progress bars and spinners only
//! appear when stderr is a terminal and `-q` is off; colours only on a terminal and never
//! with `NO_COLOR`. A closed stdout (`higress-claw status | head -1`) is not an error.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::env_vars;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    json: bool,
    verbosity: Verbosity,
    color: bool,
}

impl Printer {
    pub fn new(json: bool, verbosity: Verbosity) -> Self {
        let color = std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty())
            && std::io::stderr().is_terminal();
        Self {
            json,
            verbosity,
            color,
        }
    }

    pub fn json_mode(&self) -> bool {
        self.json
    }

    /// A status line on stderr (hidden by `-q`).
    pub fn status(&self, message: impl AsRef<str>) {
        if self.verbosity != Verbosity::Quiet {
            self.stderr_line(message.as_ref());
        }
    }

    /// Detail only shown with `-v`.
    pub fn verbose(&self, message: impl AsRef<str>) {
        if self.verbosity == Verbosity::Verbose {
            self.stderr_line(&self.paint("2", message.as_ref()));
        }
    }

    pub fn warn(&self, message: impl AsRef<str>) {
        let label = self.paint("33;1", "warning");
        self.stderr_line(&format!("{label}: {}", message.as_ref()));
    }

    pub fn success(&self, message: impl AsRef<str>) {
        if self.verbosity != Verbosity::Quiet {
            let mark = self.paint("32;1", "✓");
            self.stderr_line(&format!("{mark} {}", message.as_ref()));
        }
    }

    /// Renders an error and its causes, each on its own line, then the hint if any.
    pub fn error(&self, error: &anyhow::Error, hint: Option<&str>) {
        let label = self.paint("31;1", "error");
        let mut text = format!("{label}: {error}");
        for cause in error.chain().skip(1) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
        if let Some(hint) = hint {
            text.push_str(&format!("\n  {}: {hint}", self.paint("36;1", "hint")));
        }
        self.stderr_line(&text);
    }

    /// Human text on stdout; suppressed in `--json` mode, where only the document prints.
    pub fn data(&self, text: impl AsRef<str>) {
        if !self.json {
            write_stdout(text.as_ref());
        }
    }

    /// A human summary of what a command did (start's endpoints, init's providers): data
    /// for a person, so `-q` hides it; `--json` has the report instead.
    pub fn summary(&self, text: impl AsRef<str>) {
        if self.verbosity != Verbosity::Quiet {
            self.data(text);
        }
    }

    /// A piece of a text stream on stdout (`logs`), flushed at once; false when the
    /// reader went away and the stream should stop.
    pub fn stream(&self, chunk: &str) -> bool {
        let mut out = std::io::stdout().lock();
        out.write_all(chunk.as_bytes())
            .and_then(|()| out.flush())
            .is_ok()
    }

    /// The one JSON document of a `--json` run. No-op otherwise.
    pub fn json<T: Serialize>(&self, value: &T) {
        if self.json {
            let text = serde_json::to_string_pretty(value).expect("JSON output types serialize");
            JSON_WRITTEN.store(true, Ordering::Relaxed);
            write_stdout(&text);
        }
    }

    /// With `--json`, a failure is a document too (`{"error": {…}}`), so that a caller
    /// parsing stdout gets one document whatever happened; unless the command already
    /// wrote its report (upgrade's `rolled-back`). The human error still goes to stderr.
    pub fn json_error(&self, error: &anyhow::Error, hint: Option<&str>, exit_code: u8) {
        if self.json && !JSON_WRITTEN.load(Ordering::Relaxed) {
            let causes: Vec<String> = error.chain().skip(1).map(|c| c.to_string()).collect();
            self.json(&ErrorReport {
                error: ErrorDetail {
                    message: error.to_string(),
                    causes,
                    hint: hint.map(str::to_string),
                    exit_code,
                },
            });
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn stderr_line(&self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    fn progress_visible(&self) -> bool {
        self.verbosity != Verbosity::Quiet && std::io::stderr().is_terminal()
    }

    /// A spinner on a terminal; elsewhere the message prints once as a status line, so a
    /// log of a scripted run still says what was waited for.
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        let message = message.into();
        if !self.progress_visible() {
            self.status(format!("{message}…"));
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("static template"),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// A byte progress bar (image pulls); hidden when not on a terminal.
    pub fn bytes_bar(&self, message: impl Into<String>) -> ProgressBar {
        let message = message.into();
        if !self.progress_visible() {
            self.status(format!("{message}…"));
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes}")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar.set_message(message);
        bar
    }
}

/// Whether this process already wrote its JSON document.
static JSON_WRITTEN: AtomicBool = AtomicBool::new(false);

#[derive(Serialize)]
struct ErrorReport {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    message: String,
    causes: Vec<String>,
    /// What to do about it, when known.
    hint: Option<String>,
    /// 1 failure, 2 usage error.
    exit_code: u8,
}

fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    // A reader that went away (`| head`) is not our failure: stop writing quietly.
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}
