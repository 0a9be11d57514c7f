//! `higress-claw config add|list|remove`: provider keys and settings, hot-reloaded.
//!
//! Every change goes through one locked transaction that edits the existing files (so
//! fields written by the console or by hand survive) and writes them in the order that
//! never leaves a provider half-routed.

use std::io::Read;

use anyhow::Context as _;

use super::resilience::{apply_fallback, apply_resilience};
use super::{lock_wait, usage};
use crate::cli::{ConfigAddArgs, ConfigCommand, ConfigRemoveArgs};
use crate::diagnostics::find_provider;
use crate::env_vars;
use crate::gateway::catalog::{self, ProviderSpec};
use crate::gateway::plan::check_overlap_with;
use crate::gateway::provider::{ProviderConfig, parse_keys};
use crate::printer::Printer;
use crate::secret::Secret;
use crate::target::Target;
use crate::views::ProviderReport;
use crate::views::config::{ChangeReport, ListReport};
use crate::workspace::Workspace;

pub async fn run(command: ConfigCommand, target: &Target, printer: Printer) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Add(args) => add(args, target, printer).await,
        ConfigCommand::List => list(target, printer).await,
        ConfigCommand::Remove(args) => remove(args, target, printer).await,
    }
}

/// The keys from `--key`, `--key -` (stdin) or `HIGRESS_CLAW_<PROVIDER>_KEY`, parsed the
/// same way as `init`'s key flags: commas separate keys, line ends around a key (`echo`,
/// a pasted `\r`) are dropped, and a line break inside one is refused by `validate`.
fn read_keys(args: &ConfigAddArgs, spec: &ProviderSpec) -> anyhow::Result<Option<Vec<Secret>>> {
    let raw = match args.key.as_ref().map(Secret::expose) {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the key from stdin (`--key -`)")?;
            Some(text)
        }
        Some(key) => Some(key.to_string()),
        // A provider that takes no key has no key variable either.
        None if !spec.takes_keys() => None,
        None => std::env::var(env_vars::provider_key_var(spec.flag_stem)).ok(),
    };
    let Some(raw) = raw else {
        return Ok(None);
    };
    let keys = parse_keys(&raw);
    if keys.is_empty() {
        return Err(usage(format!(
            "the key for {} is empty; pass --key KEY",
            spec.display_name
        )));
    }
    Ok(Some(keys))
}

async fn add(args: ConfigAddArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let spec = find_provider(&args.provider)?;
    let keys = read_keys(&args, spec)?;
    let ws = super::workspace(target, &printer).await?;
    let folder = &ws.folder;
    let mut tx = folder.begin(lock_wait(&printer))?;
    // Read under the lock, so parallel calls build on each other's changes.
    let existing = folder.providers()?;
    let current = existing.iter().find(|p| p.id == spec.id);
    let mut config = match current.and_then(|p| p.to_config()) {
        Some(config) => config,
        None => ProviderConfig::new(spec),
    };
    let old_keys: Vec<String> = config.keys.iter().map(|k| k.masked()).collect();
    if let Some(keys) = keys {
        config.keys = keys;
    } else if current.is_none() && spec.key == catalog::KeyRule::Required {
        return Err(usage(format!(
            "{} is not configured yet, so it needs a key: pass --key KEY (or `--key -` to read it from stdin, or set {})",
            spec.display_name,
            env_vars::provider_key_var(spec.flag_stem)
        )));
    }
    if let Some(models) = &args.models {
        if models.trim().is_empty() {
            return Err(usage(
                "--models is empty; pass a pattern such as 'gpt-4o,gpt-4.1*'",
            ));
        }
        config.models = Some(models.clone());
    }
    for item in &args.extra_config {
        // The item may be a secret setting pasted wrong: it is never repeated whole.
        let (field, value) = item.split_once('=').ok_or_else(|| {
            usage(format!(
                "--extra-config {} is not KEY=VALUE (e.g. zhipuDomain=api.z.ai)",
                crate::secret::mask(item)
            ))
        })?;
        config.set(field.trim(), value.trim().trim_matches('"'))?;
    }
    apply_resilience(&args.resilience, current, &mut config, &printer)?;
    config.validate()?;
    let others: Vec<ProviderConfig> = existing.iter().filter_map(|p| p.to_config()).collect();
    check_overlap_with(&config, &others)?;
    tx.upsert_provider(&config)?;
    apply_fallback(&args.fallback, &config, &existing, &mut tx)?;
    let changed = tx.commit()?;
    ws.publish(&changed).await?;
    let action = match (current.is_some(), changed.is_empty()) {
        (_, true) => "unchanged",
        (true, false) => "updated",
        (false, false) => "added",
    };
    let new_keys: Vec<String> = config.keys.iter().map(|k| k.masked()).collect();
    let summary = match action {
        "added" => format!("Added {} ({})", spec.display_name, new_keys.join(", ")),
        "updated" if old_keys != new_keys => format!(
            "Updated {} key {} → {}",
            spec.display_name,
            old_keys.join(", "),
            new_keys.join(", ")
        ),
        "updated" => format!("Updated {}", spec.display_name),
        _ => format!(
            "{} already had this configuration; nothing written",
            spec.display_name
        ),
    };
    if action == "unchanged" {
        printer.success(summary);
    } else {
        printer.success(format!("{summary}; {}", ws.takes_effect()));
    }
    report(&ws, spec.id, action, changed, &printer)
}

/// After a removal: auto-routing targets that no provider serves any more.
fn warn_orphaned_routing(ws: &Workspace, printer: &Printer) -> anyhow::Result<()> {
    let providers = ws.folder.providers()?;
    for (what, model) in ws.folder.unserved_targets(&providers)? {
        printer.warn(format!(
            "auto-routing sends {what} to {model:?}, which no configured provider serves now, so they fail; add a provider that serves it, or change the route (`higress-claw route enable --default-model MODEL`, `route remove`)"
        ));
    }
    Ok(())
}

fn report(
    ws: &Workspace,
    id: &str,
    action: &'static str,
    changed: Vec<String>,
    printer: &Printer,
) -> anyhow::Result<()> {
    for file in &changed {
        printer.verbose(format!("wrote {file}"));
    }
    let providers: Vec<ProviderReport> = ws
        .folder
        .providers()?
        .iter()
        .map(ProviderReport::from_configured)
        .collect();
    printer.json(&ChangeReport {
        data_dir: ws.describe(),
        provider: id.to_string(),
        action,
        changed_files: changed,
        providers,
    });
    Ok(())
}

async fn list(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let folder = &ws.folder;
    let providers: Vec<ProviderReport> = folder
        .providers()?
        .iter()
        .map(ProviderReport::from_configured)
        .collect();
    let mut text = String::new();
    if providers.is_empty() {
        text.push_str("No provider is configured. Add one: higress-claw config add --provider deepseek --key KEY");
    }
    for p in &providers {
        text.push_str(&p.line());
        text.push('\n');
        for (k, v) in &p.settings {
            text.push_str(&format!(
                "    {k}: {}\n",
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            ));
        }
        for line in p.details() {
            text.push_str(&format!("    {line}\n"));
        }
    }
    printer.data(text.trim_end());
    warn_incomplete(&ws, &printer)?;
    printer.json(&ListReport {
        data_dir: ws.describe(),
        providers,
    });
    Ok(())
}

async fn remove(args: ConfigRemoveArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let spec = find_provider(&args.provider)?;
    let ws = super::workspace(target, &printer).await?;
    let folder = &ws.folder;
    let mut tx = folder.begin(lock_wait(&printer))?;
    // Read under the lock: a route that falls back to this provider keeps it.
    if let Some(owner) = folder.falling_back_to(spec.id)?.first() {
        return Err(usage(format!(
            "{} is the fallback of the {owner} route (ai-route-{owner}), so removing it would break that fallback; first change it: higress-claw config add --provider {owner} --no-fallback (or --fallback ANOTHER)",
            spec.display_name
        )));
    }
    if !tx.remove_provider(spec.id)? {
        return Err(usage(format!(
            "{} is not configured, so there is nothing to remove; see `higress-claw config list`",
            spec.display_name
        )));
    }
    let changed = tx.commit()?;
    ws.publish(&changed).await?;
    printer.success(format!(
        "Removed {} with its route, registry and keys; {}",
        spec.display_name,
        ws.takes_effect()
    ));
    warn_orphaned_routing(&ws, &printer)?;
    report(&ws, spec.id, "removed", changed, &printer)
}

/// What the list cannot show as a provider: ones cut off mid-edit, and damaged files.
fn warn_incomplete(ws: &Workspace, printer: &Printer) -> anyhow::Result<()> {
    for p in ws.folder.partial_providers()? {
        printer.warn(format!(
            "{} is incomplete: it has its {} but no {}; `higress-claw repair` finishes or removes it",
            p.provider,
            p.parts.present().join(", "),
            p.parts.missing().join(", ")
        ));
    }
    for (provider, problem) in ws.folder.broken_fallbacks()? {
        printer.warn(format!(
            "the fallback of the {provider} route {problem}; `higress-claw repair` removes it"
        ));
    }
    for d in ws.folder.damage()? {
        printer.warn(format!(
            "{}{} {}; see `higress-claw doctor`",
            d.path,
            d.line.map(|l| format!(":{l}")).unwrap_or_default(),
            d.problem
        ));
    }
    Ok(())
}
