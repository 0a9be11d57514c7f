//! `higress-claw init`: write the data folder, touch no container.

use super::{asked_ports, flags, lock_wait, usage};
use crate::cli::InitArgs;
use crate::gateway::DataFolder;
use crate::gateway::plan::{self, Plan};
use crate::printer::Printer;
use crate::target::Target;
use crate::views::{AutoRoutingReport, ProviderReport, WriteReport, warn_unserved};

pub fn run(mut args: InitArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let dir = target.new_folder();
    let folder = DataFolder::new(&dir);
    if flags::wants_wizard(&args.configure) && (args.force || !folder.is_configured()) {
        flags::apply_wizard(&mut args.configure, &mut args.ports, &printer)?;
    }
    let plan = flags::plan(&args.configure)?;
    if plan.providers.is_empty() {
        return Err(usage(
            "no provider given; pass at least one key, e.g.\n  higress-claw init --non-interactive --zhipuai-key KEY\n(see `higress-claw init --help` for every provider; on a terminal, init without flags asks)",
        ));
    }
    if folder.is_configured() && !args.force {
        return Err(usage(format!(
            "{} is already configured; change it with `higress-claw config add --provider P --key K`, or rewrite it with `higress-claw init --force …`",
            dir.display()
        )));
    }
    let deployment =
        plan::deployment_for_init(asked_ports(&args.ports), &plan, folder.settings()?.as_ref())?;
    if let Some(model) = &plan.auto_routing
        && !served(&plan, model)
    {
        warn_unserved(&printer, model);
    }
    let changed = plan::write(&folder, &plan, &deployment, args.force, lock_wait(&printer))?;
    let notes: Vec<String> = plan.notes.iter().map(flags::note_text).collect();
    for note in &notes {
        printer.status(note);
    }
    let report = WriteReport {
        data_dir: dir.display().to_string(),
        providers: plan
            .providers
            .iter()
            .map(ProviderReport::from_config)
            .collect(),
        auto_routing: AutoRoutingReport::from(folder.auto_routing()?.as_ref()),
        changed_files: changed,
        notes,
    };
    printer.success(format!(
        "Wrote the gateway configuration to {}",
        dir.display()
    ));
    printer.json(&report);
    let mut text = String::from("Providers:\n");
    for p in &report.providers {
        text.push_str(&format!("  {}\n", p.line()));
        for line in p.details() {
            text.push_str(&format!("      {line}\n"));
        }
    }
    text.push_str(&format!(
        "Start the gateway with: higress-claw start{}",
        target.flags()
    ));
    printer.summary(text);
    Ok(())
}

/// Whether one of the plan's providers serves `model`.
pub fn served(plan: &Plan, model: &str) -> bool {
    plan.providers
        .iter()
        .any(|p| p.header_match().matches(model))
}
