//! `higress-claw openclaw install|setup`.

use serde_json::Value;

use super::usage;
use crate::cli::{OpenClawCommand, OpenClawSetupArgs};
use crate::gateway::models::{self, UserModels};
use crate::gateway::serving;
use crate::openclaw::{self, Backup, Host, InstallMethod, Installed, SetupInput, SetupPlan};
use crate::printer::Printer;
use crate::secret::Secret;
use crate::target::Target;
use crate::views::openclaw::{ChangeView, InstallReport, RemovedView, SetupReport, installed_line};
use crate::workspace::Workspace;

const INSTALL_OPENCLAW: &str = "install OpenClaw (Node 24 or newer: `npm install -g openclaw`)";

pub async fn run(
    command: OpenClawCommand,
    target: &Target,
    printer: Printer,
) -> anyhow::Result<()> {
    match command {
        OpenClawCommand::Install => install(printer),
        OpenClawCommand::Setup(args) => setup(args, target, printer).await,
    }
}

fn install(printer: Printer) -> anyhow::Result<()> {
    let host = Host::find();
    // A stable place OpenClaw can record as the plugin's source, next to our other
    // state and never inside a data folder.
    let source = crate::env_vars::state_dir().join("openclaw-plugin");
    let backup = Backup::new();
    let spinner = printer.spinner("Installing the Higress plugin into OpenClaw");
    let result = openclaw::install(host.as_ref(), &source, &backup);
    spinner.finish_and_clear();
    let installed: Installed = result?;
    printer.json(&InstallReport::new(&installed, host.as_ref()));
    for removed in &installed.removed {
        printer.status(format!(
            "Replaced {} at {} (kept in {})",
            removed.what,
            removed.path.display(),
            removed.backup.display()
        ));
    }
    printer.success(installed_line(&installed));
    if installed.method == InstallMethod::Copy {
        printer.warn(format!(
            "{INSTALL_OPENCLAW}, then run `higress-claw openclaw install` again so OpenClaw records and enables the plugin"
        ));
    }
    printer.data("Next: higress-claw openclaw setup");
    Ok(())
}

/// The gateway key as given: refused when it has a control character, with a message
/// that never shows it (clap would echo a value its parser rejected).
fn gateway_key(key: Option<Secret>) -> anyhow::Result<Option<Secret>> {
    let Some(key) = key.filter(|k| !k.expose().is_empty()) else {
        return Ok(None);
    };
    if let Err(why) = crate::values::no_control(key.expose()) {
        return Err(usage(format!(
            "the value of --api-key (or {}) {why}",
            crate::env_vars::GATEWAY_KEY
        )));
    }
    Ok(Some(key))
}

async fn setup(args: OpenClawSetupArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let given = gateway_key(args.api_key)?;
    let ws = super::workspace(target, &printer).await?;
    let user = UserModels::load(&models::models_file())?;
    let (served, routing) = serving::for_clients(&ws.folder, &ws.describe(), &user)?;
    let api_key = match given {
        Some(key) => Some(key),
        None => client_key(args.client_key.as_deref(), &ws)?,
    };
    let gateway_url = match &args.base_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => format!("{}/v1", target.gateway_url(&ws.folder).await?),
    };
    let host = Host::find();
    let config = openclaw::read_config();
    let plan = openclaw::plan_setup(&SetupInput {
        config: &config,
        gateway_url,
        explicit_url: args.base_url.is_some(),
        api_key: api_key.as_ref(),
        models: &served,
        auto_routing: routing.is_some(),
        routing_default: routing.and_then(|r| r.default_model),
        model_policy: host.as_ref().is_none_or(Host::has_model_policy),
    });
    let mut report = SetupReport::planned(&plan, &served, host.as_ref());
    let pretty = serde_json::to_string_pretty(&report.patch)?;
    if args.dry_run {
        printer.json(&report);
        printer.data(&pretty);
        printer.status(format!(
            "Would also run: openclaw models set {}",
            plan.default_model
        ));
        print_migrated(&printer, &report);
        return Ok(());
    }
    let Some(host) = host else {
        report.result = "printed";
        printer.json(&report);
        printer.data(&pretty);
        anyhow::bail!(
            "openclaw is not on PATH: {INSTALL_OPENCLAW}, then run `higress-claw openclaw setup`; the patch above is what it applies (`openclaw config patch --stdin`, then `openclaw models set {}`){}",
            plan.default_model,
            if api_key.is_some() {
                ", with the real key where apiKey is masked"
            } else {
                ""
            }
        );
    };
    apply(&host, &plan, &config, &mut report, &printer)?;
    printer.json(&report);
    print_migrated(&printer, &report);
    printer.success(format!(
        "OpenClaw now uses the gateway at {}: {} models, default {}. A running OpenClaw picks this up without a restart.",
        plan.base_url,
        served.len(),
        plan.default_model
    ));
    Ok(())
}

/// Takes the upstream placeholder credential out, then writes the plan.
fn apply(
    host: &Host,
    plan: &SetupPlan,
    config: &openclaw::ConfigFile,
    report: &mut SetupReport,
    printer: &Printer,
) -> anyhow::Result<()> {
    let backup = Backup::new();
    let cleaned = openclaw::remove_placeholder_credentials(&openclaw::state_dir(), &backup)?;
    for done in &cleaned {
        match done {
            openclaw::CredentialCleanup::Moved(removed) => {
                report.removed.push(RemovedView::from(removed))
            }
            openclaw::CredentialCleanup::Edited { path } => {
                report.migrated.push(ChangeView {
                    path: format!("{}: profiles.higress:local", path.display()),
                    before: Some(Value::String("higress-local".into())),
                    after: None,
                    why: "the upstream login's placeholder credential".into(),
                });
                if host.has_sqlite_credentials() {
                    report.notes.push(format!(
                        "{} holds other credentials that {} keeps in its own store: `openclaw doctor --fix` imports them",
                        path.display(),
                        host.describe()
                    ));
                }
            }
        }
    }
    let spinner = printer.spinner("Configuring OpenClaw");
    let result = openclaw::apply_setup(host, plan, config);
    spinner.finish_and_clear();
    let applied = result?;
    report.result = "applied";
    report.warnings = applied.warnings;
    Ok(())
}

fn print_migrated(printer: &Printer, report: &SetupReport) {
    if let Some(text) = report.carried_over() {
        printer.status(text);
    }
    for note in &report.notes {
        printer.warn(note);
    }
    for warning in &report.warnings {
        printer.warn(format!("openclaw config validate: {warning}"));
    }
}

/// The key OpenClaw sends when none is given: the client key named by `--client-key`,
/// or the gateway's first one; none when the gateway has no client keys.
fn client_key(name: Option<&str>, ws: &Workspace) -> anyhow::Result<Option<Secret>> {
    Ok(ws.folder.client_key_for(name)?.and_then(|k| k.key))
}
