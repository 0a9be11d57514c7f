//! The failover, retry and fallback flags of `config add`, read against the entry and
//! the route as they are (under the edit's lock), refused before anything is written.

use super::usage;
use crate::cli::{FallbackArgs, FallbackStrategy, ResilienceArgs};
use crate::gateway::configured;
use crate::gateway::fallback::{Fallback, Strategy, Target, parse_codes, parse_targets};
use crate::gateway::provider::ProviderConfig;
use crate::gateway::resilience::{
    FAILOVER_FIELD, FailoverFlags, RETRY_FIELD, failover_edit, retry_edit,
};
use crate::gateway::{ConfiguredProvider, Transaction};
use crate::printer::Printer;

/// `--failover`, `--retries` and their tuning flags, on the entry's current objects;
/// refused before anything is written when failover would lack its health-check model.
pub fn apply_resilience(
    args: &ResilienceArgs,
    current: Option<&ConfiguredProvider>,
    config: &mut ProviderConfig,
    printer: &Printer,
) -> anyhow::Result<()> {
    let flags = FailoverFlags {
        enable: match (args.failover, args.no_failover) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        health_check_model: args.health_check_model.clone(),
        failure_threshold: args.failure_threshold,
        success_threshold: args.success_threshold,
        health_check_interval: args.health_check_interval,
        health_check_timeout: args.health_check_timeout,
    };
    let field = |name: &str| current.and_then(|p| p.settings.get(name));
    config.resilience.failover = failover_edit(
        config.spec.id,
        field(FAILOVER_FIELD),
        &flags,
        &config.example_model(),
    )?;
    config.resilience.retry = retry_edit(field(RETRY_FIELD), args.retries);
    let single_key = config.keys.len() < 2;
    if single_key && args.failover {
        printer.warn(format!(
            "{} has one key: failover takes it out of rotation when it keeps failing, but has no other key to use meanwhile; add keys with --key KEY1,KEY2",
            config.spec.display_name
        ));
    }
    if single_key && args.retries.is_some_and(|n| n > 0) {
        printer.warn(format!(
            "{} has one key: a retry goes to another key, so with one key nothing is retried (the plugin answers \"No more apiTokens to retry\" in its log); add keys with --key KEY1,KEY2",
            config.spec.display_name
        ));
    }
    Ok(())
}

/// `--fallback`, `--fallback-on`, `--fallback-strategy`, `--no-fallback` for `config`,
/// which `tx` has just upserted; a route with a fallback and no fallback flag gets its
/// fallback route rebuilt from its (possibly changed) main route.
pub fn apply_fallback(
    args: &FallbackArgs,
    config: &ProviderConfig,
    existing: &[ConfiguredProvider],
    tx: &mut Transaction<'_>,
) -> anyhow::Result<()> {
    let id = config.spec.id;
    if args.no_fallback {
        tx.remove_fallback(id, true)?;
        return Ok(());
    }
    let current = existing
        .iter()
        .find(|p| p.id == id)
        .and_then(|p| p.fallback.clone());
    let targets = match (&args.fallback, &current) {
        (Some(text), _) => fallback_targets(text, id, existing)?,
        (None, Some(current)) => current.targets.clone(),
        (None, None) if args.fallback_on.is_some() || args.fallback_strategy.is_some() => {
            let flag = if args.fallback_on.is_some() {
                "--fallback-on"
            } else {
                "--fallback-strategy"
            };
            return Err(usage(format!(
                "{flag} tunes a fallback, and {} has none; add one with --fallback PROVIDER[:MODEL]",
                config.spec.display_name
            )));
        }
        (None, None) => return Ok(()),
    };
    let codes = match &args.fallback_on {
        Some(text) => parse_codes(text)?,
        None => current.as_ref().map_or_else(
            || vec!["4xx".to_string(), "5xx".to_string()],
            |c| c.codes.clone(),
        ),
    };
    let strategy = match args.fallback_strategy {
        Some(FallbackStrategy::Rand) => Strategy::Rand,
        Some(FallbackStrategy::Seq) => Strategy::Seq,
        None => current.as_ref().map_or(Strategy::Rand, |c| c.strategy),
    };
    let fallback = Fallback {
        targets,
        codes,
        strategy,
    };
    let configs: Vec<ProviderConfig> = existing.iter().filter_map(|p| p.to_config()).collect();
    tx.set_fallback(config, &fallback, &configs)?;
    Ok(())
}

/// The providers `--fallback` names, as catalog entries (an unknown name is refused
/// with every known one), with their models as given.
fn fallback_targets(
    text: &str,
    id: &str,
    existing: &[ConfiguredProvider],
) -> anyhow::Result<Vec<Target>> {
    let named = parse_targets(text)?
        .into_iter()
        .map(|(name, model)| Ok((crate::diagnostics::find_provider(&name)?, model)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(configured::fallback_targets(&named, id, existing)?)
}
