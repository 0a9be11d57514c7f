//! `higress-claw openclaw install|setup`.

use serde::Serialize;
use serde_json::Value;

use super::usage;
use crate::cli::{OpenClawCommand, OpenClawSetupArgs};
use crate::docker::{Engine, probe_host};
use crate::gateway::models::{AUTO_MODEL_INFO, ClientModel};
use crate::openclaw::{self, InstallAction, InstallMethod, Installed};
use crate::printer::Printer;
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

#[derive(Serialize)]
struct InstallReport {
    /// `openclaw-cli` or `copy`.
    method: &'static str,
    /// `installed`, `upgraded` or `unchanged`.
    action: &'static str,
    version: String,
    previous_version: Option<String>,
    path: String,
}

impl From<&Installed> for InstallReport {
    fn from(i: &Installed) -> Self {
        Self {
            method: match i.method {
                InstallMethod::OpenClawCli => "openclaw-cli",
                InstallMethod::Copy => "copy",
            },
            action: match i.action {
                InstallAction::Installed => "installed",
                InstallAction::Upgraded => "upgraded",
                InstallAction::Unchanged => "unchanged",
            },
            version: i.version.clone(),
            previous_version: i.previous_version.clone(),
            path: i.path.clone(),
        }
    }
}

fn install(printer: Printer) -> anyhow::Result<()> {
    let bin = openclaw::find_openclaw();
    // A stable place OpenClaw can record as the plugin's source, next to our other
    // state and never inside a data folder.
    let source = crate::env_vars::state_dir().join("openclaw-plugin");
    let spinner = printer.spinner("Installing the Higress plugin into OpenClaw");
    let result = openclaw::install(bin.as_deref(), &source);
    spinner.finish_and_clear();
    let installed: Installed = result?;
    printer.json(&InstallReport::from(&installed));
    let how = match installed.method {
        InstallMethod::OpenClawCli => "through `openclaw plugins install`",
        InstallMethod::Copy => "by copying (openclaw is not on PATH)",
    };
    match installed.action {
        InstallAction::Unchanged => printer.success(format!(
            "The Higress plugin {} is already installed at {}",
            installed.version, installed.path
        )),
        InstallAction::Upgraded => printer.success(format!(
            "Upgraded the Higress plugin {} → {} at {} {how}",
            installed.previous_version.as_deref().unwrap_or("?"),
            installed.version,
            installed.path
        )),
        InstallAction::Installed => printer.success(format!(
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

#[derive(Serialize)]
struct SetupReport {
    base_url: String,
    default_model: String,
    models: Vec<String>,
    /// `applied`, `dry-run`, or `printed` (openclaw is not on PATH).
    result: &'static str,
    patch: Value,
}

async fn setup(args: OpenClawSetupArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let providers = ws.folder.providers()?;
    if providers.is_empty() {
        return Err(usage(format!(
            "{} has no provider, so OpenClaw would have no model; add one: higress-claw config add --provider P --key K",
            ws.describe()
        )));
    }
    let routing = ws.folder.auto_routing()?;
    let auto = routing.as_ref().is_some_and(|r| r.enable);
    let mut models: Vec<ClientModel> = Vec::new();
    if auto {
        models.push(AUTO_MODEL_INFO.into());
    }
    for provider in &providers {
        for model in provider.client_models() {
            if !models.iter().any(|m| m.id == model.id) {
                models.push(model);
            }
        }
    }
    if models.is_empty() {
        return Err(usage(
            "no concrete model is known for the configured providers; give one a model list (`config add --provider P --models 'model-a,model-b'`) or enable auto-routing",
        ));
    }
    let api_key = client_key(&args, &ws)?;
    let base_url = match args.base_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => gateway_url(target, &ws).await?,
    };
    let default_model = models[0].id.clone();
    let patch = openclaw::setup_patch(&base_url, api_key.as_ref(), &models);
    // What is printed has the gateway key masked; only OpenClaw gets it, on stdin.
    let shown = openclaw::shown_patch(&patch);
    let report = |result| SetupReport {
        base_url: base_url.clone(),
        default_model: openclaw::model_ref(&default_model),
        models: models.iter().map(|m| m.id.clone()).collect(),
        result,
        patch: shown.clone(),
    };
    let pretty = serde_json::to_string_pretty(&shown)?;
    if args.dry_run {
        printer.json(&report("dry-run"));
        printer.data(&pretty);
        printer.status(format!(
            "Would also run: openclaw models set {}",
            openclaw::model_ref(&default_model)
        ));
        return Ok(());
    }
    let Some(bin) = openclaw::find_openclaw() else {
        printer.json(&report("printed"));
        printer.data(&pretty);
        anyhow::bail!(
            "openclaw is not on PATH: {INSTALL_OPENCLAW}, then run `higress-claw openclaw setup`; the patch above is what it applies (`openclaw config patch --stdin`, then `openclaw models set {}`){}",
            openclaw::model_ref(&default_model),
            if api_key.is_some() {
                ", with the real key where apiKey is masked"
            } else {
                ""
            }
        );
    };
    let spinner = printer.spinner("Configuring OpenClaw");
    let result = openclaw::apply_setup(&bin, &patch, &default_model);
    spinner.finish_and_clear();
    result?;
    printer.json(&report("applied"));
    printer.success(format!(
        "OpenClaw now uses the gateway at {base_url}: {} models, default {}. A running OpenClaw picks this up without a restart.",
        models.len(),
        openclaw::model_ref(&default_model)
    ));
    Ok(())
}

/// The key OpenClaw sends: `--api-key`, else the client key named by `--client-key`
/// or the gateway's first one; none when the gateway has no client keys.
fn client_key(
    args: &OpenClawSetupArgs,
    ws: &Workspace,
) -> anyhow::Result<Option<crate::secret::Secret>> {
    if let Some(key) = &args.api_key {
        return Ok(Some(key.clone()));
    }
    match ws.folder.client_key_for(args.client_key.as_deref()) {
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
