//! `higress-claw self update`: update the running binary, or say which command does.
//!
//! Only a binary the installer put in place can replace itself: the installer leaves a
//! receipt (`~/.config/higress-claw/higress-claw-receipt.json`, on Windows under
//! `%LOCALAPPDATA%`) naming its folder and release source, and axoupdater, cargo-dist's
//! updater, runs the newer release's installer into that same folder. A binary that
//! npm or cargo installed belongs to that package manager: updating it behind its back
//! would leave npm's or cargo's records wrong, so the command prints the one that
//! updates it and exits 1 (nothing was updated).

use anyhow::{Context, anyhow};
use axoupdater::{AxoUpdater, AxoupdateError, UpdateRequest};
use serde::Serialize;

use crate::cli::{SelfCommand, SelfUpdateArgs};
use crate::install_method::{InstallMethod, cargo_home, classify_path};
use crate::printer::Printer;

/// The app name the installer writes its receipt and reads its variables under
/// (`HIGRESS_CLAW_INSTALL_DIR`, `HIGRESS_CLAW_INSTALLER_GITHUB_BASE_URL`).
const APP: &str = "higress-claw";

#[derive(Serialize)]
struct SelfUpdateReport {
    /// installer | npm | cargo | unknown
    method: &'static str,
    /// updated | up-to-date | not-updated
    action: &'static str,
    /// The running binary.
    path: String,
    current_version: String,
    new_version: Option<String>,
    /// What updates this install, when `self update` cannot.
    command: Option<String>,
}

pub async fn run(command: SelfCommand, printer: Printer) -> anyhow::Result<()> {
    match command {
        SelfCommand::Update(args) => update(args, printer).await,
    }
}

async fn update(args: SelfUpdateArgs, printer: Printer) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("cannot tell where this binary is")?;
    let current = env!("CARGO_PKG_VERSION").to_string();
    let mut report = SelfUpdateReport {
        method: "unknown",
        action: "not-updated",
        path: exe.display().to_string(),
        current_version: current.clone(),
        new_version: None,
        command: None,
    };

    let mut updater = AxoUpdater::new_for(APP);
    let loaded = updater.load_receipt().map(|_| ());
    let receipt = match loaded {
        Ok(()) => Some(
            updater
                .check_receipt_is_for_this_executable()
                .unwrap_or(false),
        ),
        Err(AxoupdateError::NoReceipt { .. }) => None,
        Err(err) => {
            printer.warn(format!("the installer's receipt is unreadable: {err}"));
            None
        }
    };
    if receipt != Some(true) {
        return Err(not_installed_by_the_installer(
            &exe, receipt, report, &printer,
        ));
    }

    report.method = InstallMethod::Installer.name();
    if let Some(version) = &args.version {
        let version = version.trim_start_matches('v').to_string();
        updater.configure_version_specifier(UpdateRequest::SpecificVersion(version));
    }
    // Stdout is the JSON document's or the summary's: the installer's chatter goes to
    // stderr with -v, else it is kept and shown only if it fails.
    updater.disable_installer_stdout();
    if printer.json_mode() {
        updater.disable_installer_stderr();
    } else {
        updater.enable_installer_stderr();
    }
    let spinner = printer.spinner("looking for a newer release");
    let result = updater.run().await;
    spinner.finish_and_clear();
    match result {
        Ok(Some(done)) => {
            report.action = "updated";
            report.new_version = Some(done.new_version.to_string());
            printer.json(&report);
            printer.success(format!(
                "updated higress-claw {current} → {} in {}",
                done.new_version, done.install_prefix
            ));
            Ok(())
        }
        Ok(None) => {
            report.action = "up-to-date";
            report.new_version = Some(current.clone());
            printer.json(&report);
            printer.success(format!("higress-claw {current} is the latest release"));
            Ok(())
        }
        Err(err) => {
            printer.json(&report);
            Err(describe(err))
        }
    }
}

/// What to run instead when this binary is not the one the installer's receipt names
/// (`receipt`: whether there is a receipt and it is for this binary).
fn not_installed_by_the_installer(
    exe: &std::path::Path,
    receipt: Option<bool>,
    mut report: SelfUpdateReport,
    printer: &Printer,
) -> anyhow::Error {
    let method = classify_path(exe, &cargo_home());
    report.method = method.name();
    report.command = method.update_command();
    printer.json(&report);
    let command = report.command.unwrap_or_default();
    let how = match method {
        InstallMethod::Npm { .. } => "this higress-claw was installed by npm".to_string(),
        InstallMethod::Cargo => "this higress-claw was installed by cargo".to_string(),
        _ if receipt == Some(false) => format!(
            "this higress-claw ({}) is not the one the installer put in place",
            exe.display()
        ),
        _ => format!(
            "this higress-claw ({}) was not put in place by the installer (no install receipt)",
            exe.display()
        ),
    };
    let verb = match method {
        InstallMethod::Unknown => "install the latest release with",
        _ => "update it with",
    };
    anyhow!("{how}; {verb}: {command}")
}

/// The updater's error, with what the installer printed when it was the one that failed.
fn describe(err: AxoupdateError) -> anyhow::Error {
    if let AxoupdateError::InstallFailed {
        status,
        stdout,
        stderr,
    } = &err
    {
        let output = [stdout, stderr]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let code = status.map_or_else(|| "a signal".to_string(), |c| c.to_string());
        return anyhow!(
            "the installer of the new release failed (exit {code}); the current binary is kept\n{output}"
        );
    }
    anyhow::Error::new(err).context(
        "self update failed; the current binary is kept (a mirror: set HIGRESS_CLAW_INSTALLER_GITHUB_BASE_URL)",
    )
}
