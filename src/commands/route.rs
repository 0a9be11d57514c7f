//! `higress-claw route …`: auto-routing rules in the model-router plugin, hot-reloaded.

use serde::Serialize;

use super::views::{ResolutionView, warn_unserved};
use super::{lock_wait, usage};
use crate::cli::{RouteAddArgs, RouteCommand, RouteEnableArgs, RouteRemoveArgs};
use crate::gateway::go_regex;
use crate::gateway::resources::{AutoRouting, RoutingRule};
use crate::gateway::routing::{self, Reason};
use crate::gateway::settings::DeploymentSettings;
use crate::gateway::{AUTO_MODEL, ConfiguredProvider};
use crate::printer::Printer;
use crate::target::Target;
use crate::workspace::Workspace;

#[derive(Serialize)]
struct RuleView {
    id: usize,
    pattern: String,
    model: String,
    /// The provider that serves the rule's model, or null when none does.
    provider: Option<String>,
}

#[derive(Serialize)]
struct RoutesReport {
    data_dir: String,
    enabled: bool,
    default_model: Option<String>,
    rules: Vec<RuleView>,
    /// Set by commands that change something: `added`, `removed`, `enabled`, `disabled`,
    /// `unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_files: Option<Vec<String>>,
}

#[derive(Serialize)]
struct TestReport<'a> {
    message: &'a str,
    /// The model the router picks, or null when the request is not rewritten.
    model: Option<String>,
    rule_id: Option<usize>,
    pattern: Option<String>,
    /// `rule`, `default`, `disabled` or `no-default`.
    reason: &'static str,
    provider: Option<ResolutionView>,
}

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
    check_model(&args.model)?;
    let pattern = match (&args.trigger, &args.pattern) {
        (Some(trigger), _) => routing::trigger_pattern(trigger).map_err(usage)?,
        (None, Some(pattern)) => pattern.clone(),
        (None, None) => unreachable!("clap requires --trigger or --pattern"),
    };
    let rule = go_regex::compile(&pattern).map_err(|e| usage(format!("--pattern: {e}")))?;
    warn_if_unserved(printer, &args.model, providers);
    let model = args.model.trim().to_string();
    edit(ws, printer, providers, |routing, _| {
        // Read under the lock: the rules other processes added count too.
        let total = rule.states
            + routing
                .rules
                .iter()
                .filter_map(|r| go_regex::states_of(&r.pattern))
                .sum::<usize>();
        if total > go_regex::TOTAL_STATES {
            return Err(usage(format!(
                "with this rule the {} rules would compile to {total} states; all rules together may have at most {} (the gateway runs them on every request): remove some (`higress-claw route list`, `route remove`) or simplify the pattern",
                routing.rules.len() + 1,
                go_regex::TOTAL_STATES
            )));
        }
        routing.rules.push(RoutingRule {
            pattern: pattern.clone(),
            model: model.clone(),
            other: Default::default(),
        });
        if !routing.enable {
            let how = match &routing.default_model {
                Some(kept) => format!("`higress-claw route enable` (default model {kept})"),
                None => "`higress-claw route enable --default-model MODEL`".to_string(),
            };
            printer.warn(format!(
                "auto-routing is off, so this rule waits; turn it on with {how}, then use the model \"{AUTO_MODEL}\""
            ));
        }
        let message = format!(
            "Added rule {}: {pattern} → {model}",
            routing.rules.len() - 1
        );
        Ok(("added", message))
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
        let count = routing.rules.len();
        if args.rule_id >= count {
            return Err(usage(match count {
                0 => format!("there is no rule {}: no rules are configured", args.rule_id),
                n => format!(
                    "there is no rule {}; the ids are 0 to {} (see `higress-claw route list`)",
                    args.rule_id,
                    n - 1
                ),
            }));
        }
        let rule = routing.rules.remove(args.rule_id);
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
        check_model(model)?;
    }
    edit(ws, printer, providers, |routing, settings| {
        // Without --default-model, the one `route disable` kept (in the router, or in
        // default.cfg for a folder that never had auto-routing on).
        let model = args
            .default_model
            .as_deref()
            .map(str::trim)
            .map(String::from)
            .or_else(|| routing.default_model.clone())
            .or_else(|| {
                settings
                    .as_ref()
                    .and_then(|s| s.auto_routing_default_model.clone())
            })
            .ok_or_else(|| {
                usage("there is no default model to keep; name one: higress-claw route enable --default-model MODEL")
            })?;
        warn_if_unserved(printer, &model, providers);
        routing.enable = true;
        routing.default_model = Some(model.clone());
        if let Some(settings) = settings {
            settings.auto_routing = true;
            settings.auto_routing_default_model = Some(model.clone());
        }
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
        routing.enable = false;
        if let Some(settings) = settings {
            settings.auto_routing = false;
        }
        let message = format!(
            "Auto-routing is off; {} rules and the default model are kept for `higress-claw route enable`",
            routing.rules.len()
        );
        Ok(("disabled", message))
    })
    .await
}

fn check_model(model: &str) -> anyhow::Result<()> {
    let model = model.trim();
    if model.is_empty() {
        return Err(usage("the model is empty; name a model such as glm-5"));
    }
    if model == AUTO_MODEL {
        return Err(usage(format!(
            "{AUTO_MODEL} cannot route to itself; name a concrete model"
        )));
    }
    Ok(())
}

fn warn_if_unserved(printer: &Printer, model: &str, providers: &[ConfiguredProvider]) {
    if routing::resolve(model.trim(), providers).provider.is_none() {
        warn_unserved(printer, model.trim());
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
    let rules: Vec<RuleView> = routing
        .map(|r| r.rules.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(id, rule)| RuleView {
            id,
            pattern: rule.pattern.clone(),
            model: rule.model.clone(),
            provider: routing::resolve(&rule.model, providers).provider,
        })
        .collect();
    let report = RoutesReport {
        data_dir: ws.describe(),
        enabled: routing.is_some_and(|r| r.enable),
        default_model: routing.and_then(|r| r.default_model.clone()),
        rules,
        action,
        changed_files,
    };
    printer.json(&report);
    if action.is_some() {
        return; // a change already said what it did on stderr
    }
    let mut text = if report.enabled {
        format!(
            "Auto-routing: on (model \"{AUTO_MODEL}\"), default model {}\n",
            report
                .default_model
                .as_deref()
                .unwrap_or("(none: unmatched requests are not rewritten)")
        )
    } else {
        "Auto-routing: off (turn it on with `higress-claw route enable --default-model MODEL`)\n"
            .to_string()
    };
    if report.rules.is_empty() {
        text.push_str(
            "No rules. Add one: higress-claw route add --model MODEL --trigger \"quick|fast\"",
        );
    } else {
        text.push_str(&format!(
            "{:<4} {:<40} {:<24} {}\n",
            "ID", "PATTERN", "MODEL", "PROVIDER"
        ));
        for r in &report.rules {
            text.push_str(&format!(
                "{:<4} {:<40} {:<24} {}\n",
                r.id,
                r.pattern,
                r.model,
                r.provider.as_deref().unwrap_or("(none serves it)")
            ));
        }
    }
    printer.data(text.trim_end());
}

fn test(
    message: &str,
    ws: &Workspace,
    providers: &[ConfiguredProvider],
    printer: Printer,
) -> anyhow::Result<()> {
    let routing = ws.folder.auto_routing()?;
    let explanation = routing::explain(message, routing.as_ref(), providers);
    let text = match (explanation.reason, &explanation.model) {
        (Reason::Disabled, _) => format!(
            "Auto-routing is off: a request for \"{AUTO_MODEL}\" is not rewritten and no provider serves it. Turn it on with `higress-claw route enable --default-model MODEL`."
        ),
        (Reason::NoDefault, _) | (_, None) => {
            "No rule matches and there is no default model: the request is not rewritten."
                .to_string()
        }
        (reason, Some(model)) => {
            let why = match (explanation.rule_id, &explanation.pattern) {
                (Some(id), Some(pattern)) if reason == Reason::Rule => {
                    format!("rule {id} ({pattern}) matches")
                }
                _ => "no rule matches, so the default model applies".to_string(),
            };
            let served = match explanation
                .provider
                .as_ref()
                .and_then(|p| p.provider.as_ref().map(|id| (id, p)))
            {
                Some((id, p)) => {
                    let mut line = format!("served by {id} ({})", p.name.as_deref().unwrap_or(id));
                    if !p.also.is_empty() {
                        line.push_str(&format!("; also matched by {}", p.also.join(", ")));
                    }
                    line
                }
                None => "but no configured provider serves it: the request would fail".to_string(),
            };
            format!("→ {model}: {why}; {served}")
        }
    };
    printer.json(&TestReport {
        message,
        model: explanation.model.clone(),
        rule_id: explanation.rule_id,
        pattern: explanation.pattern.clone(),
        reason: explanation.reason.as_str(),
        provider: explanation.provider.as_ref().map(ResolutionView::from),
    });
    printer.data(text);
    Ok(())
}
