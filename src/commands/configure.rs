//! Turning `init`/`start` flags into a validated configuration, and writing it.
//!
//! Shared by `init` and `start` so that both accept exactly the same flags with the
//! same meaning, and both refuse bad input before anything is written.

use anyhow::Context as _;
use serde::Serialize;

use super::report::{AutoRoutingReport, ProviderReport};
use super::usage;
use crate::cli::{ConfigureArgs, ProviderFlags, RegionChoice};
use crate::docker::Ports;
use crate::gateway::catalog::{PROVIDERS, SettingKind};
use crate::gateway::pattern::same_routes;
use crate::gateway::provider::{ProviderConfig, parse_keys};
use crate::gateway::settings::DeploymentSettings;
use crate::gateway::{AUTO_MODEL, DataFolder, paths};
use crate::printer::Printer;
use crate::region::{self, Region, RegionInfo};

/// What the flags ask for, validated.
#[derive(Debug)]
pub struct Plan {
    pub providers: Vec<ProviderConfig>,
    pub auto_routing: Option<String>,
    pub region: RegionInfo,
    /// Lines worth telling the user (the z.ai domain choice).
    pub notes: Vec<String>,
}

pub fn region_info(choice: RegionChoice) -> RegionInfo {
    region::detect(match choice {
        RegionChoice::Auto => None,
        RegionChoice::China => Some(Region::China),
        RegionChoice::International => Some(Region::International),
    })
}

/// Builds the provider configurations the flags name, in catalog order.
pub fn providers_from_flags(flags: &ProviderFlags) -> anyhow::Result<Vec<ProviderConfig>> {
    let mut out = Vec::new();
    for spec in PROVIDERS {
        let mut config = ProviderConfig::new(spec);
        let mut named = false;
        if let Some(raw) = flags.get(&format!("{}-key", spec.flag_stem)) {
            config.keys = parse_keys(raw);
            if config.keys.is_empty() {
                return Err(usage(format!(
                    "--{}-key is empty; pass the {} key (several separated by commas)",
                    spec.flag_stem, spec.display_name
                )));
            }
            named = true;
        }
        if let Some(alt) = spec.alt_key
            && let Some(raw) = flags.get(&format!("{}-key", alt.flag_stem))
        {
            config.keys = parse_keys(raw);
            if config.keys.is_empty() {
                return Err(usage(format!("--{}-key is empty", alt.flag_stem)));
            }
            for (field, value) in alt.sets {
                config.set(field, *value)?;
            }
            named = true;
        }
        for setting in spec.settings {
            let Some(value) = flags.get(setting.flag) else {
                continue;
            };
            let value = if setting.kind == SettingKind::FileContents {
                read_json_file(value, setting.flag)?
            } else {
                value.to_string()
            };
            config.set(setting.field, value)?;
            named = true;
        }
        let models_flag = format!("{}-models", spec.flag_stem);
        if let Some(models) = flags.get(&models_flag) {
            if !named {
                return Err(usage(format!(
                    "--{models_flag} was given but {} is not configured; add --{}-key KEY",
                    spec.display_name, spec.flag_stem
                )));
            }
            config.models = Some(models.to_string());
        }
        if named {
            config.validate().map_err(|e| usage(e.to_string()))?;
            out.push(config);
        }
    }
    check_overlaps(&out, |p| format!("--{}-models", p.spec.flag_stem))?;
    Ok(out)
}

/// Two providers with the same model match would race for the same requests
/// (upstream writes both azure and openai with `gpt-*`): refuse it. `models_flag` names
/// the flag that changes a provider's patterns in the calling command.
pub fn check_overlaps(
    providers: &[ProviderConfig],
    models_flag: impl Fn(&ProviderConfig) -> String,
) -> anyhow::Result<()> {
    match same_routes(providers, |p| Some(p.header_match())).first() {
        Some((first, second)) => Err(usage(format!(
            "{} and {} both claim the models {:?}; give one of them other patterns with {}",
            first.spec.display_name,
            second.spec.display_name,
            second.models(),
            models_flag(second)
        ))),
        None => Ok(()),
    }
}

fn read_json_file(path: &str, flag: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("cannot read --{flag} {path}; pass the path of the JSON key file")
    })?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("--{flag} {path} is not valid JSON: {e}")))?;
    Ok(json.to_string())
}

pub fn plan(args: &ConfigureArgs) -> anyhow::Result<Plan> {
    let region = region_info(args.region);
    let mut providers = providers_from_flags(&args.providers)?;
    let mut notes = Vec::new();
    for p in &mut providers {
        if p.spec.id == "zhipuai" && p.get("zhipuDomain").is_none() {
            let domain = region::zhipu_domain(region.region);
            if region.region == Region::International {
                p.set("zhipuDomain", domain)?;
                notes.push(format!(
                    "The z.ai endpoint domain has been set to {domain} (international region{}). To use the China endpoint instead: higress-claw config add --provider zhipuai --extra-config zhipuDomain={}",
                    region.timezone.as_deref().map(|t| format!(", timezone {t}")).unwrap_or_default(),
                    region::ZHIPU_CHINA_DOMAIN,
                ));
            }
        }
    }
    let auto_routing = if args.auto_routing {
        let model = match &args.auto_routing_default_model {
            Some(model) if model.trim().is_empty() => {
                return Err(usage(
                    "--auto-routing-default-model is empty; name a model, e.g. glm-5",
                ));
            }
            Some(model) => model.trim().to_string(),
            None => {
                let first = providers.first().ok_or_else(|| {
                    usage("--auto-routing needs --auto-routing-default-model MODEL")
                })?;
                let model = first.example_model();
                notes.push(format!(
                    "Auto-routing default model: {model} (set another with --auto-routing-default-model)"
                ));
                model
            }
        };
        if model == AUTO_MODEL {
            return Err(usage(format!(
                "the default model cannot be {AUTO_MODEL} itself"
            )));
        }
        Some(model)
    } else {
        // get-ai-gateway.sh ignores it without --auto-routing; so do we, but say so.
        if let Some(model) = &args.auto_routing_default_model {
            notes.push(format!(
                "Ignored --auto-routing-default-model {model}: auto-routing stays off without --auto-routing (turn it on later with `higress-claw route enable --default-model {model}`)"
            ));
        }
        None
    };
    Ok(Plan {
        providers,
        auto_routing,
        region,
        notes,
    })
}

/// Whether to ask instead of failing: no provider flag, no `--non-interactive`, and a
/// person at a terminal.
pub fn wants_wizard(args: &ConfigureArgs) -> bool {
    args.providers.is_empty() && !args.non_interactive && crate::wizard::can_prompt()
}

/// Runs the wizard and stores its answers as if they had been given as flags.
pub fn apply_wizard(
    args: &mut ConfigureArgs,
    ports: &mut crate::cli::PortArgs,
    printer: &Printer,
) -> anyhow::Result<()> {
    let answers = crate::wizard::run(printer)?;
    args.providers.values.extend(answers.flags);
    if let Some(model) = answers.auto_routing_default_model {
        args.auto_routing = true;
        args.auto_routing_default_model = Some(model);
    }
    if let Some([http, https, console]) = answers.ports {
        ports.http_port = Some(http);
        ports.https_port = Some(https);
        ports.console_port = Some(console);
    }
    Ok(())
}

/// Warns when no provider routes `model`, since requests for it would find no upstream.
pub fn warn_unserved(printer: &Printer, model: &str, providers: &[ProviderConfig]) {
    if !providers.iter().any(|p| p.header_match().matches(model)) {
        printer.warn(format!(
            "no configured provider serves the model {model:?}; requests routed to it will fail. Add a provider whose models match it."
        ));
    }
}

#[derive(Debug, Serialize)]
pub struct WriteReport {
    pub data_dir: String,
    pub providers: Vec<ProviderReport>,
    pub auto_routing: AutoRoutingReport,
    pub changed_files: Vec<String>,
    pub notes: Vec<String>,
}

/// A gateway is never written into a folder that holds something else (a project, a
/// home folder): a later `delete --purge` would take those files along.
pub fn refuse_foreign_folder(folder: &DataFolder) -> anyhow::Result<()> {
    let foreign = folder.foreign_entries();
    if !folder.is_configured() && !foreign.is_empty() {
        return Err(usage(format!(
            "{} already holds other files ({}) and is not a gateway data folder; choose a new or empty folder with --data-dir",
            folder.root().display(),
            super::listing(&foreign)
        )));
    }
    Ok(())
}

/// Records in `default.cfg` how the container was created (ports, bind address, image),
/// so that a later `start` after `delete`, `doctor` and `upgrade` see the same
/// deployment. Other lines, get-ai-gateway.sh's included, are kept.
pub fn save_deployment(
    folder: &DataFolder,
    deployment: &DeploymentSettings,
    printer: &Printer,
) -> anyhow::Result<bool> {
    let mut tx = super::begin_edit(folder, printer)?;
    let existing = folder.store().read(paths::DEFAULT_CFG)?;
    tx.put(
        paths::DEFAULT_CFG,
        deployment.merge_into(existing.as_deref()),
    );
    Ok(!tx.commit()?.is_empty())
}

/// Writes a complete folder: every provider, the plugins, the console defaults,
/// default.cfg and, last, the marker. With `replace`, providers not in the plan are
/// removed first.
pub fn write_folder(
    folder: &DataFolder,
    plan: &Plan,
    deployment: &DeploymentSettings,
    replace: bool,
    printer: &Printer,
) -> anyhow::Result<Vec<String>> {
    refuse_foreign_folder(folder)?;
    let mut tx = super::begin_edit(folder, printer)?;
    if replace {
        for existing in folder.providers()? {
            if !plan.providers.iter().any(|p| p.spec.id == existing.id) {
                tx.remove_provider(&existing.id)?;
            }
        }
    }
    for provider in &plan.providers {
        tx.upsert_provider(provider)?;
    }
    let router = tx.router()?;
    if let Some(model) = &plan.auto_routing {
        let routing = router
            .spec
            .default_config
            .auto_routing
            .get_or_insert_with(Default::default);
        routing.enable = true;
        routing.default_model = Some(model.clone());
    }
    tx.set_console_defaults()?;
    let bridge = tx.bridge()?;
    if let Some(console) = bridge
        .spec
        .registries
        .iter_mut()
        .find(|r| r.name == "higress-console")
    {
        console.domain = format!("127.0.0.1:{}", deployment.ports.console);
    }
    let existing = folder.store().read(paths::DEFAULT_CFG)?;
    tx.put(
        paths::DEFAULT_CFG,
        deployment.merge_into(existing.as_deref()),
    );
    tx.put(
        paths::MARKER,
        "Written by higress-claw; keeps the image's template from rewriting this folder.\n".into(),
    );
    std::fs::create_dir_all(folder.root().join(paths::LOGS)).with_context(|| {
        format!(
            "cannot create {}",
            folder.root().join(paths::LOGS).display()
        )
    })?;
    Ok(tx.commit()?)
}

/// Ports from the flags, else the folder's default.cfg, else the defaults; all distinct.
pub fn ports(
    args: &crate::cli::PortArgs,
    saved: Option<&DeploymentSettings>,
) -> anyhow::Result<Ports> {
    let base = saved.map_or(Ports::DEFAULT, |s| s.ports);
    let ports = Ports {
        http: args.http_port.unwrap_or(base.http),
        https: args.https_port.unwrap_or(base.https),
        console: args.console_port.unwrap_or(base.console),
    };
    for (name, port) in [
        ("--http-port", ports.http),
        ("--https-port", ports.https),
        ("--console-port", ports.console),
    ] {
        if port == 0 {
            return Err(usage(format!("{name} cannot be 0")));
        }
    }
    if ports.http == ports.https || ports.http == ports.console || ports.https == ports.console {
        return Err(usage(format!(
            "the HTTP ({}), HTTPS ({}) and console ({}) ports must differ; change one with --http-port, --https-port or --console-port",
            ports.http, ports.https, ports.console
        )));
    }
    Ok(ports)
}
