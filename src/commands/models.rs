//! `higress-claw models [resolve MODEL | set MODEL … | unset MODEL]`: what the gateway
//! serves, which provider serves a model, and the user's own model facts.

use crate::cli::{ModelsArgs, ModelsCommand, ModelsSetArgs};
use crate::gateway::models::{self, FactsChange, ModelFacts, UserModels};
use crate::gateway::routing::{self, Resolution};
use crate::printer::Printer;
use crate::target::Target;
use crate::views::models::{
    FactsReport, ModelFactsView, ModelsReport, ProviderModels, UserModelView, describe,
};
use crate::views::{AutoRoutingReport, ProviderReport, ResolutionView};

pub async fn run(args: ModelsArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    match args.command {
        Some(ModelsCommand::Set(args)) => set(args, &printer),
        Some(ModelsCommand::Unset { model }) => unset(&model, &printer),
        Some(ModelsCommand::Resolve { model }) => resolve(&model, target, printer).await,
        None => list(target, printer).await,
    }
}

async fn resolve(model: &str, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let providers = ws.folder.providers()?;
    let resolution: Resolution = routing::resolve(model.trim(), &providers);
    printer.json(&ResolutionView::from(&resolution));
    match &resolution.provider {
        Some(id) => {
            let mut text = format!(
                "{} → {id} ({})",
                resolution.model,
                resolution.name.as_deref().unwrap_or(id)
            );
            if !resolution.also.is_empty() {
                text.push_str(&format!("; also matched by {}", resolution.also.join(", ")));
            }
            printer.data(text);
            Ok(())
        }
        None => anyhow::bail!(
            "no configured provider serves {:?}; add one whose models match (`higress-claw config add --provider P --key K --models PATTERN`)",
            resolution.model
        ),
    }
}

async fn list(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let providers = ws.folder.providers()?;
    let file = models::models_file();
    let user = UserModels::load(&file)?;
    let report = ModelsReport {
        data_dir: ws.describe(),
        providers: providers
            .iter()
            .map(|p| ProviderModels {
                provider: ProviderReport::from_configured(p),
                models: crate::gateway::serving::provider_models(p, &providers, &user)
                    .iter()
                    .map(ModelFactsView::from)
                    .collect(),
            })
            .collect(),
        auto_routing: AutoRoutingReport::from(ws.folder.auto_routing()?.as_ref()),
        models_file: file.display().to_string(),
        user_models: user
            .entries()
            .map(|(id, facts)| UserModelView {
                id: id.to_string(),
                facts: facts.clone(),
            })
            .collect(),
    };
    printer.json(&report);
    let mut text = String::new();
    for p in &report.providers {
        text.push_str(&p.provider.line());
        text.push('\n');
        if !p.models.is_empty() {
            let ids: Vec<&str> = p.models.iter().map(|m| m.model.id.as_str()).collect();
            text.push_str(&format!("    e.g. {}\n", ids.join(", ")));
        }
    }
    if text.is_empty() {
        text.push_str("No provider is configured.");
    }
    printer.data(text.trim_end());
    Ok(())
}

fn facts_report(
    model: &str,
    change: FactsChange,
    action: &'static str,
) -> anyhow::Result<FactsReport> {
    let file = models::models_file();
    let user = UserModels::load(&file)?;
    let effective = if model == models::AUTO_REF {
        models::auto_model(&[], &user)
    } else {
        user.correct(models::client_model(model))
    };
    Ok(FactsReport {
        model: model.to_string(),
        action,
        facts: change.after,
        previous: change.before,
        effective: ModelFactsView::from(&effective),
        file: file.display().to_string(),
    })
}

fn set(args: ModelsSetArgs, printer: &Printer) -> anyhow::Result<()> {
    let update = ModelFacts {
        name: args.name,
        context_window: args.context_window,
        max_tokens: args.max_tokens,
        reasoning: args.reasoning,
        input: args.input.map(|kinds| kinds.0),
        ..ModelFacts::default()
    };
    let change = UserModels::set(
        &models::models_file(),
        &args.model,
        &update,
        super::lock_wait(printer),
    )?;
    let action = match (&change.before, change.changed()) {
        (_, false) => "unchanged",
        (None, true) => "added",
        (Some(_), true) => "updated",
    };
    let report = facts_report(&args.model, change, action)?;
    printer.json(&report);
    printer.data(describe(&report.effective));
    if action != "unchanged" {
        printer.success(format!(
            "Saved in {}; `higress-claw openclaw setup` tells OpenClaw",
            report.file
        ));
    }
    Ok(())
}

fn unset(model: &str, printer: &Printer) -> anyhow::Result<()> {
    let change = UserModels::unset(&models::models_file(), model, super::lock_wait(printer))?;
    let action = if change.changed() {
        "removed"
    } else {
        "absent"
    };
    let report = facts_report(model, change, action)?;
    printer.json(&report);
    printer.data(describe(&report.effective));
    if action == "absent" {
        printer.status(format!(
            "{} had no facts of yours in {}",
            model, report.file
        ));
    }
    Ok(())
}
