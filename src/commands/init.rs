//! `higress-claw init`: write the data folder, touch no container.

use super::configure::{self, WriteReport};
use super::report::{AutoRoutingReport, ProviderReport};
use super::{absolute, default_data_dir, open_folder, usage};
use crate::cli::{GlobalArgs, InitArgs};
use crate::gateway::settings::DeploymentSettings;
use crate::printer::Printer;

pub fn run(mut args: InitArgs, global: &GlobalArgs, printer: Printer) -> anyhow::Result<()> {
    let dir = absolute(global.data_dir.as_deref().unwrap_or(&default_data_dir()));
    let folder = open_folder(&dir);
    if configure::wants_wizard(&args.configure) && (args.force || !folder.is_configured()) {
        configure::apply_wizard(&mut args.configure, &mut args.ports, &printer)?;
    }
    let plan = configure::plan(&args.configure)?;
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
    let saved = folder.settings()?;
    let deployment = DeploymentSettings {
        ports: configure::ports(&args.ports, saved.as_ref())?,
        plugin_registry: plan.region.registry.to_string(),
        image_repo: saved.as_ref().and_then(|s| s.image_repo.clone()),
        image_tag: saved.as_ref().and_then(|s| s.image_tag.clone()),
        auto_routing: plan.auto_routing.is_some(),
        auto_routing_default_model: plan.auto_routing.clone(),
        bind: saved.as_ref().and_then(|s| s.bind),
    };
    if let Some(model) = &plan.auto_routing {
        configure::warn_unserved(&printer, model, &plan.providers);
    }
    let changed = configure::write_folder(&folder, &plan, &deployment, args.force, &printer)?;
    for note in &plan.notes {
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
        notes: plan.notes.clone(),
    };
    printer.success(format!(
        "Wrote the gateway configuration to {}",
        dir.display()
    ));
    printer.json(&report);
    let mut text = String::from("Providers:\n");
    for p in &report.providers {
        text.push_str(&format!("  {}\n", p.line()));
    }
    text.push_str("Start the gateway with: higress-claw start");
    if global.data_dir.is_some() {
        text.push_str(&format!(" --data-dir {}", dir.display()));
    }
    printer.data(text);
    Ok(())
}
