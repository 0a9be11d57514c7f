//! `higress-claw route …`: auto-routing rules in the model-router plugin, hot-reloaded.

use super::{lock_wait, usage};
use crate::cli::{RouteAddArgs, RouteCommand, RouteEnableArgs, RouteRemoveArgs};
use crate::gateway::go_regex;
use crate::gateway::resources::AutoRouting;
use crate::gateway::settings::DeploymentSettings;
use crate::gateway::{AUTO_MODEL, ConfiguredProvider};
use crate::gateway::{routing, rules};
use crate::printer::Printer;
use crate::target::Target;
use crate::views::route::{RoutesReport, TestReport};
use crate::views::warn_unserved;
use crate::workspace::Workspace;

pub async fn run(command: RouteCommand, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let providers = ws.folder.providers()?;
    match command {
        RouteCommand::List => {
            let routing = ws.folder.auto_routing()?;
            print_routes(&printer, &ws, routing.as_ref(), &providers, None, None);
            Ok(())
        }
        RouteCommand::Test(args) => test(&args.message, &ws, &providers, printer),
        RouteCommand::Add(args) => add(args, &ws, &providers, &printer).await,
        RouteCommand::Remove(args) => remove(args, &ws, &providers, &printer).await,
        RouteCommand::Enable(args) => enable(args, &ws, &providers, &printer).await,
        RouteCommand::Disable => disable(&ws, &providers, &printer).await,
    }
}

async fn add(
    args: RouteAddArgs,
    ws: &Workspace,
    providers: &[ConfiguredProvider],
    printer: &Printer,
) -> anyhow::Result<()> {
    let model = rules::target_model(&args.model)?;
    let pattern = match (&args.trigger, &args.pattern) {
        (Some(trigger), _) => routing::trigger_pattern(trigger).map_err(usage)?,
        (None, Some(pattern)) => pattern.clone(),
        (None, None) => unreachable!("clap requires --trigger or --pattern"),
    };
    let rule = go_regex::compile(&pattern).map_err(|e| usage(format!("--pattern: {e}")))?;
    warn_if_unserved(printer, &model, providers);
    edit(ws, printer, providers, |routing, _| {
        let id = rules::add(routing, &pattern, rule.states, &model)?;
        if !routing.enable {
            let how = match &routing.default_model {
                Some(kept) => format!("`higress-claw route enable` (default model {kept})"),
                None => "`higress-claw route enable --default-model MODEL`".to_string(),
            };
            printer.warn(format!(
                "auto-routing is off, so this rule waits; turn it on with {how}, then use the model \"{AUTO_MODEL}\""
            ));
        }
        Ok(("added", format!("Added rule {id}: {pattern} → {model}")))
    })
    .await
}

async fn remove(
    args: RouteRemoveArgs,
    ws: &Workspace,
    providers: &[ConfiguredProvider],
    printer: &Printer,
) -> anyhow::Result<()> {
    edit(ws, printer, providers, |routing, _| {
        let rule = rules::remove(routing, args.rule_id)?;
        let message = format!(
            "Removed rule {}: {} → {} (later rules moved up by one)",
            args.rule_id, rule.pattern, rule.model
        );
        Ok(("removed", message))
    })
    .await
}

async fn enable(
    args: RouteEnableArgs,
    ws: &Workspace,
    providers: &[ConfiguredProvider],
    printer: &Printer,
) -> anyhow::Result<()> {
    if let Some(model) = &args.default_model {
        rules::target_model(model)?;
    }
    edit(ws, printer, providers, |routing, settings| {
        let model = rules::enable(routing, settings, args.default_model.as_deref())?;
        warn_if_unserved(printer, &model, providers);
        let message = format!(
            "Auto-routing is on: use the model \"{AUTO_MODEL}\"; unmatched messages go to {model}"
        );
        Ok(("enabled", message))
    })
    .await
}

async fn disable(
    ws: &Workspace,
    providers: &[ConfiguredProvider],
    printer: &Printer,
) -> anyhow::Result<()> {
    edit(ws, printer, providers, |routing, settings| {
        rules::disable(routing, settings);
        let message = format!(
            "Auto-routing is off; {} rules and the default model are kept for `higress-claw route enable`",
            routing.rules.len()
        );
        Ok(("disabled", message))
    })
    .await
}

fn warn_if_unserved(printer: &Printer, model: &str, providers: &[ConfiguredProvider]) {
    if routing::resolve(model, providers).provider.is_none() {
        warn_unserved(printer, model);
    }
}

/// One locked edit of the router (and of default.cfg's auto-routing lines).
async fn edit(
    ws: &Workspace,
    printer: &Printer,
    providers: &[ConfiguredProvider],
    // Returns the action for `--json` and the line to print once the change is on disk.
    change: impl FnOnce(
        &mut AutoRouting,
        Option<&mut DeploymentSettings>,
    ) -> anyhow::Result<(&'static str, String)>,
) -> anyhow::Result<()> {
    let folder = &ws.folder;
    let mut tx = folder.begin(lock_wait(printer))?;
    let mut settings = folder.settings()?;
    let router = tx.router()?;
    let routing = router
        .spec
        .default_config
        .auto_routing
        .get_or_insert_with(AutoRouting::default);
    let (action, message) = change(routing, settings.as_mut())?;
    let routing = routing.clone();
    if let Some(settings) = &settings {
        tx.put_settings(settings)?;
    }
    let changed = tx.commit()?;
    ws.publish(&changed).await?;
    let action = if changed.is_empty() {
        printer.status("Nothing changed; the folder already said this");
        "unchanged"
    } else {
        printer.success(format!("{message}; {}", ws.takes_effect()));
        action
    };
    print_routes(
        printer,
        ws,
        Some(&routing),
        providers,
        Some(action),
        Some(changed),
    );
    Ok(())
}

fn print_routes(
    printer: &Printer,
    ws: &Workspace,
    routing: Option<&AutoRouting>,
    providers: &[ConfiguredProvider],
    action: Option<&'static str>,
    changed_files: Option<Vec<String>>,
) {
    let report = RoutesReport::new(ws.describe(), routing, providers, action, changed_files);
    printer.json(&report);
    // A change already said what it did on stderr.
    if action.is_none() {
        printer.data(report.text());
    }
}

fn test(
    message: &str,
    ws: &Workspace,
    providers: &[ConfiguredProvider],
    printer: Printer,
) -> anyhow::Result<()> {
    let routing = ws.folder.auto_routing()?;
    let explanation = routing::explain(message, routing.as_ref(), providers);
    let report = TestReport::new(message, &explanation);
    printer.json(&report);
    printer.data(report.text());
    Ok(())
}
