//! `higress-claw openclaw install|setup`.

use serde::Serialize;
use serde_json::Value;

use super::usage;
use crate::cli::{OpenClawCommand, OpenClawSetupArgs};
use crate::docker::{Engine, probe_host};
use crate::gateway::models::{self, UserModels};
use crate::openclaw::{
    self, Backup, Change, Host, InstallAction, InstallMethod, Installed, Removed, SetupInput,
    SetupPlan,
};
use crate::printer::Printer;
use crate::secret::Secret;
use crate::target::Target;
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

/// Something moved out of the way (`{what, path, backup}`).
#[derive(Serialize)]
struct RemovedView {
    what: String,
    path: String,
    backup: String,
}

impl From<&Removed> for RemovedView {
    fn from(r: &Removed) -> Self {
        Self {
            what: r.what.clone(),
            path: r.path.display().to_string(),
            backup: r.backup.display().to_string(),
        }
    }
}

#[derive(Serialize)]
struct InstallReport {
    /// `openclaw-cli`, `copy` or `npm`.
    method: &'static str,
    /// `installed`, `upgraded` or `unchanged`.
    action: &'static str,
    version: String,
    previous_version: Option<String>,
    path: String,
    /// The OpenClaw release found, e.g. `2026.9.6`.
    openclaw_version: Option<String>,
    /// Plugin copies moved to the backup (the upstream plugin, a duplicate).
    removed: Vec<RemovedView>,
}

impl InstallReport {
    fn new(i: &Installed, host: Option<&Host>) -> Self {
        Self {
            method: match i.method {
                InstallMethod::OpenClawCli => "openclaw-cli",
                InstallMethod::Copy => "copy",
                InstallMethod::Npm => "npm",
            },
            action: match i.action {
                InstallAction::Installed => "installed",
                InstallAction::Upgraded => "upgraded",
                InstallAction::Unchanged => "unchanged",
            },
            version: i.version.clone(),
            previous_version: i.previous_version.clone(),
            path: i.path.clone(),
            openclaw_version: host.and_then(|h| h.version).map(|v| v.to_string()),
            removed: i.removed.iter().map(RemovedView::from).collect(),
        }
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
    let how = match installed.method {
        InstallMethod::OpenClawCli => "through `openclaw plugins install`",
        InstallMethod::Copy => "by copying (openclaw is not on PATH)",
        InstallMethod::Npm => "from npm by OpenClaw",
    };
    match (installed.action, installed.method) {
        (_, InstallMethod::Npm) => printer.success(format!(
            "The Higress plugin {} is installed at {} {how}; `openclaw plugins update higress` upgrades it",
            installed.version, installed.path
        )),
        (InstallAction::Unchanged, _) => printer.success(format!(
            "The Higress plugin {} is already installed at {}",
            installed.version, installed.path
        )),
        (InstallAction::Upgraded, _) => printer.success(format!(
            "Upgraded the Higress plugin {} → {} at {} {how}",
            installed.previous_version.as_deref().unwrap_or("?"),
            installed.version,
            installed.path
        )),
        (InstallAction::Installed, _) => printer.success(format!(
            "Installed the Higress plugin {} at {} {how}",
            installed.version, installed.path
        )),
    }
    if installed.method == InstallMethod::Copy {
        printer.warn(format!(
            "{INSTALL_OPENCLAW}, then run `higress-claw openclaw install` again so OpenClaw records and enables the plugin"
        ));
    }
    printer.data("Next: higress-claw openclaw setup");
    Ok(())
}

/// One migrated setting (`{path, before, after, why}`; `null` is absent).
#[derive(Serialize)]
struct ChangeView {
    path: String,
    before: Option<Value>,
    after: Option<Value>,
    why: String,
}

impl From<&Change> for ChangeView {
    fn from(c: &Change) -> Self {
        Self {
            path: c.path.clone(),
            before: c.before.clone(),
            after: c.after.clone(),
            why: c.why.clone(),
        }
    }
}

impl ChangeView {
    fn line(&self) -> String {
        let show = |v: &Option<Value>| {
            v.as_ref()
                .map_or_else(|| "(removed)".to_string(), Value::to_string)
        };
        match &self.before {
            None => format!("  {}: {} ({})", self.path, show(&self.after), self.why),
            Some(_) => format!(
                "  {}: {} → {} ({})",
                self.path,
                show(&self.before),
                show(&self.after),
                self.why
            ),
        }
    }
}

#[derive(Serialize)]
struct SetupReport {
    base_url: String,
    default_model: String,
    models: Vec<String>,
    /// `applied`, `dry-run`, or `printed` (openclaw is not on PATH).
    result: &'static str,
    /// The merge patch (`null` removes), the gateway key masked.
    patch: Value,
    /// Paths whose value replaces what is there instead of merging.
    replace_paths: Vec<String>,
    /// What was already there and changed: the upstream plugin's settings carried over.
    migrated: Vec<ChangeView>,
    /// Files moved to the backup (the upstream placeholder credential).
    removed: Vec<RemovedView>,
    notes: Vec<String>,
    /// `openclaw config validate` warnings after the setup.
    warnings: Vec<String>,
    openclaw_version: Option<String>,
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

/// What the gateway serves, as OpenClaw should list it, and its auto-routing (when on).
fn served_models(
    ws: &Workspace,
) -> anyhow::Result<(
    Vec<models::ClientModel>,
    Option<crate::gateway::resources::AutoRouting>,
)> {
    let providers = ws.folder.providers()?;
    if providers.is_empty() {
        return Err(usage(format!(
            "{} has no provider, so OpenClaw would have no model; add one: higress-claw config add --provider P --key K",
            ws.describe()
        )));
    }
    let routing = ws.folder.auto_routing()?.filter(|r| r.enable);
    let auto_targets: Option<Vec<String>> = routing.as_ref().map(|r| {
        r.rules
            .iter()
            .map(|rule| rule.model.clone())
            .chain(r.default_model.clone())
            .collect()
    });
    let user = UserModels::load(&models::models_file())?;
    let served = crate::gateway::serving::served(&providers, auto_targets.as_deref(), &user);
    if served.is_empty() {
        return Err(usage(
            "no concrete model is known for the configured providers; give one a model list (`config add --provider P --models 'model-a,model-b'`), add one with `higress-claw models set MODEL`, or enable auto-routing",
        ));
    }
    Ok((served, routing))
}

fn report(plan: &SetupPlan, served: &[models::ClientModel], host: Option<&Host>) -> SetupReport {
    SetupReport {
        base_url: plan.base_url.clone(),
        default_model: plan.default_model.clone(),
        models: served.iter().map(|m| m.id.clone()).collect(),
        result: "dry-run",
        patch: openclaw::shown_patch(&plan.patch()),
        replace_paths: plan.replace_paths(),
        migrated: plan.changes.iter().map(ChangeView::from).collect(),
        removed: Vec::new(),
        notes: plan.notes.clone(),
        warnings: Vec::new(),
        openclaw_version: host.and_then(|h| h.version).map(|v| v.to_string()),
    }
}

async fn setup(args: OpenClawSetupArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let given = gateway_key(args.api_key)?;
    let ws = super::workspace(target, &printer).await?;
    let (served, routing) = served_models(&ws)?;
    let api_key = match given {
        Some(key) => Some(key),
        None => client_key(args.client_key.as_deref(), &ws)?,
    };
    let gateway_url = match &args.base_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => gateway_url(target, &ws).await?,
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
    let mut report = report(&plan, &served, host.as_ref());
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
    if !report.migrated.is_empty() || !report.removed.is_empty() {
        let mut text = String::from("Carried over from the earlier setup:");
        for change in &report.migrated {
            text.push('\n');
            text.push_str(&change.line());
        }
        for removed in &report.removed {
            text.push_str(&format!(
                "\n  {}: {} (kept in {})",
                removed.what, removed.path, removed.backup
            ));
        }
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
    match ws.folder.client_key_for(name) {
        Ok(key) => Ok(key.and_then(|k| k.key)),
        Err(crate::gateway::client_keys::KeyError::Folder(err)) => Err(err.into()),
        Err(err) => Err(err.into()),
    }
}

/// `http://127.0.0.1:<port>/v1` for the deployment: the running container's published
/// port, else the folder's default.cfg, else the default.
async fn gateway_url(target: &Target, ws: &Workspace) -> anyhow::Result<String> {
    let container = match Engine::connect().await {
        Ok(engine) => engine.find(&target.container).await.ok().flatten(),
        Err(_) => None,
    };
    let port = container
        .as_ref()
        .and_then(|c| c.ports)
        .map(|p| p.http)
        .or(ws.folder.settings()?.map(|s| s.ports.http))
        .unwrap_or(crate::docker::Ports::DEFAULT.http);
    let host = probe_host(container.as_ref().and_then(|c| c.bind));
    Ok(format!("http://{host}:{port}/v1"))
}
