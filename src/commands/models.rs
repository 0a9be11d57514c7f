//! `higress-claw models [resolve MODEL | set MODEL … | unset MODEL]`: what the gateway
//! serves, which provider serves a model, and the user's own model facts.

use crate::cli::{ModelsArgs, ModelsCommand, ModelsSetArgs};
use crate::gateway::models::{self, FactsChange, ModelFacts, UserModels};
use crate::gateway::routing::{self, Resolution};
use crate::printer::Printer;
use crate::target::Target;
use crate::views::ResolutionView;
use crate::views::models::{FactsReport, ModelFactsView, ModelsReport, describe};

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
    let routing = ws.folder.auto_routing()?;
    let report = ModelsReport::new(ws.describe(), &providers, routing.as_ref(), &file, &user);
    printer.json(&report);
    printer.data(report.text());
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
