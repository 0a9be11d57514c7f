//! `higress-claw repair`: finish or remove what an interrupted edit left incomplete.

use serde::Serialize;

use super::lock_wait;
use crate::gateway::repair;
use crate::printer::Printer;
use crate::target::Target;

#[derive(Serialize)]
struct RepairReport {
    data_dir: String,
    /// Files an interrupted edit's journal still had to write.
    recovered: Vec<String>,
    finished: Vec<ProviderFix>,
    removed: Vec<ProviderFix>,
    /// What repair does not touch: fix these by hand or with `init --force`.
    damage: Vec<DamageView>,
    changed_files: Vec<String>,
}

#[derive(Serialize)]
struct ProviderFix {
    provider: String,
    /// Resources written (finished) or that were there (removed).
    resources: Vec<&'static str>,
}

#[derive(Serialize)]
struct DamageView {
    path: String,
    line: Option<usize>,
    problem: String,
}

pub async fn run(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let done = repair::repair(&ws.folder, lock_wait(&printer))?;
    ws.publish(&done.changed_files).await?;
    for (provider, added) in &done.finished {
        printer.success(format!(
            "Finished {provider}: wrote its {}",
            added.join(", ")
        ));
    }
    for (provider, had) in &done.removed {
        printer.success(format!(
            "Removed the incomplete {provider} (it had only its {}); add it again with `higress-claw config add --provider {provider}`",
            had.join(", ")
        ));
    }
    if !done.recovered.is_empty() {
        printer.success(format!(
            "Finished an interrupted edit: {}",
            done.recovered.join(", ")
        ));
    }
    let report = RepairReport {
        data_dir: ws.describe(),
        recovered: done.recovered,
        finished: fixes(done.finished),
        removed: fixes(done.removed),
        damage: done
            .damage
            .iter()
            .map(|d| DamageView {
                path: d.path.clone(),
                line: d.line,
                problem: d.problem.clone(),
            })
            .collect(),
        changed_files: done.changed_files,
    };
    printer.json(&report);
    if let Some(first) = report.damage.first() {
        anyhow::bail!(
            "{}{} {}; repair does not guess at a damaged file, so no provider was changed: restore it from a backup, or rewrite the folder with `higress-claw init --force`",
            first.path,
            first.line.map(|l| format!(":{l}")).unwrap_or_default(),
            first.problem
        );
    }
    if report.finished.is_empty() && report.removed.is_empty() && report.recovered.is_empty() {
        printer.success("Nothing to repair: every provider is complete");
    }
    Ok(())
}

fn fixes(items: Vec<(String, Vec<&'static str>)>) -> Vec<ProviderFix> {
    items
        .into_iter()
        .map(|(provider, resources)| ProviderFix {
            provider,
            resources,
        })
        .collect()
}
