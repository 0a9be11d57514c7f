//! What the provider flags of `init` and `start` mean: the providers they configure,
//! the plan they make, the wizard that fills them in on a terminal, and how the plan's
//! notes read. Both commands accept exactly the same flags with the same meaning.

use anyhow::Context as _;

use super::usage;
use crate::cli::{ConfigureArgs, PortArgs, ProviderFlags, RegionChoice};
use crate::gateway::catalog::{KeyRule, PROVIDERS, SettingKind};
use crate::gateway::plan::{Note, Plan};
use crate::gateway::provider::{ProviderConfig, parse_keys};
use crate::gateway::resilience::{FailoverFlags, failover_edit, retry_edit};
use crate::printer::Printer;
use crate::region::{self, Region, RegionInfo};

pub fn region_info(choice: RegionChoice) -> RegionInfo {
    region::detect(match choice {
        RegionChoice::Auto => None,
        RegionChoice::China => Some(Region::China),
        RegionChoice::International => Some(Region::International),
    })
}

/// The providers the flags name, each validated, in catalog order.
pub fn providers(flags: &ProviderFlags) -> anyhow::Result<Vec<ProviderConfig>> {
    let mut out = Vec::new();
    for spec in PROVIDERS {
        let mut config = ProviderConfig::new(spec);
        let mut named = false;
        let key_flag = format!("{}-key", spec.flag_stem);
        if let Some(raw) = flags.get(&key_flag) {
            config.keys = parse_keys(raw);
            if config.keys.is_empty() {
                return Err(usage(format!(
                    "--{key_flag} is empty; pass the {} key (several separated by commas)",
                    spec.display_name
                )));
            }
            named = true;
        }
        if let Some(alt) = spec.alt_key
            && let Some(raw) = flags.get(&format!("{}-key", alt.flag_stem))
        {
            config.keys = parse_keys(raw);
            if config.keys.is_empty() {
                return Err(usage(format!(
                    "--{}-key is empty; pass the {} token",
                    alt.flag_stem, alt.display_name
                )));
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
                // What names the provider: its key, or for one whose key is optional or
                // not taken (Ollama, vLLM) its first required setting.
                let keyless = matches!(
                    spec.key,
                    KeyRule::Optional | KeyRule::None | KeyRule::Filler(_)
                );
                let needed = match spec.settings.iter().find(|s| s.required) {
                    Some(s) if keyless => format!("--{} VALUE", s.flag),
                    _ => format!("--{key_flag} KEY"),
                };
                return Err(usage(format!(
                    "--{models_flag} was given but {} is not configured; add {needed}",
                    spec.display_name
                )));
            }
            config.models = Some(models.to_string());
        }
        if named {
            config.validate()?;
            out.push(config);
        }
    }
    Ok(out)
}

/// `--failover PROVIDER:MODEL` and `--retries PROVIDER:N`, on the providers the other
/// flags name.
fn apply_resilience(providers: &mut [ProviderConfig], args: &ConfigureArgs) -> anyhow::Result<()> {
    for item in &args.failover {
        let (name, model) = item.split_once(':').unwrap_or((item, ""));
        let config = named(providers, name, "--failover", item)?;
        if model.trim().is_empty() {
            return Err(usage(format!(
                "--failover {item} has no health-check model; the plugin refuses failover without one: pass --failover {}:{}",
                config.spec.id,
                config.example_model()
            )));
        }
        crate::values::model_id(model)
            .map_err(|e| usage(format!("--failover {item}: the model {e}")))?;
        let flags = FailoverFlags {
            enable: Some(true),
            health_check_model: Some(model.to_string()),
            ..FailoverFlags::default()
        };
        config.resilience.failover = failover_edit(config.spec.id, None, &flags, model)?;
    }
    for item in &args.retries {
        let (name, count) = item.split_once(':').unwrap_or((item, ""));
        let count: u32 = count.trim().parse().ok().filter(|n| *n <= 10).ok_or_else(|| {
            usage(format!(
                "--retries {item} is not PROVIDER:N with N from 0 to 10, e.g. --retries {name}:2"
            ))
        })?;
        let config = named(providers, name, "--retries", item)?;
        config.resilience.retry = retry_edit(None, Some(count));
    }
    Ok(())
}

/// The provider `name` among those the flags configure.
fn named<'a>(
    providers: &'a mut [ProviderConfig],
    name: &str,
    flag: &str,
    item: &str,
) -> anyhow::Result<&'a mut ProviderConfig> {
    let spec = crate::diagnostics::find_provider(name.trim())?;
    providers
        .iter_mut()
        .find(|p| p.spec.id == spec.id)
        .ok_or_else(|| {
            usage(format!(
                "{flag} {item} names {}, which these flags do not configure; add --{}-key KEY, or for a configured provider use `higress-claw config add --provider {} {flag} …`",
                spec.display_name, spec.flag_stem, spec.id
            ))
        })
}

fn read_json_file(path: &str, flag: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("cannot read --{flag} {path}; pass the path of the JSON key file")
    })?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("--{flag} {path} is not valid JSON: {e}")))?;
    Ok(json.to_string())
}

/// The plan the flags make.
pub fn plan(args: &ConfigureArgs) -> anyhow::Result<Plan> {
    let mut providers = providers(&args.providers)?;
    apply_resilience(&mut providers, args)?;
    Ok(Plan::new(
        providers,
        args.auto_routing,
        args.auto_routing_default_model.as_deref(),
        region_info(args.region),
    )?)
}

/// Whether to ask instead of failing: no provider flag, no `--non-interactive`, and a
/// person at a terminal.
pub fn wants_wizard(args: &ConfigureArgs) -> bool {
    args.providers.is_empty() && !args.non_interactive && crate::wizard::can_prompt()
}

/// Runs the wizard and stores its answers as if they had been given as flags.
pub fn apply_wizard(
    args: &mut ConfigureArgs,
    ports: &mut PortArgs,
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

/// A plan's note as the user reads it, with the command that changes the choice.
pub fn note_text(note: &Note) -> String {
    match note {
        Note::ZhipuDomain { domain, timezone } => format!(
            "The z.ai endpoint domain has been set to {domain} (international region{}). To use the China endpoint instead: higress-claw config add --provider zhipuai --extra-config zhipuDomain={}",
            timezone
                .as_deref()
                .map(|t| format!(", timezone {t}"))
                .unwrap_or_default(),
            region::ZHIPU_CHINA_DOMAIN,
        ),
        Note::DefaultModel { model } => format!(
            "Auto-routing default model: {model} (set another with --auto-routing-default-model)"
        ),
        Note::IgnoredDefaultModel { model } => format!(
            "Ignored --auto-routing-default-model {model}: auto-routing stays off without --auto-routing (turn it on later with `higress-claw route enable --default-model {model}`)"
        ),
    }
}
