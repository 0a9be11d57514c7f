//! What the commands show: the `--json` report types and their text. Dedicated types,
//! so the `--json` schema is stable whatever the internal model does; keys are masked
//! here and nowhere else needs to remember to. This file holds the views several
//! commands share; a command with a report of its own has its file here.

pub mod config;
pub mod export;
pub mod keys;
pub mod models;
pub mod openclaw;
pub mod route;
pub mod start;
pub mod status;
pub mod usage;

use serde::Serialize;

use crate::docker::Ports;
use crate::docker::readiness::Readiness;
use crate::gateway::ConfiguredProvider;
use crate::gateway::catalog::SettingKind;
use crate::gateway::fallback::{Fallback, Strategy};
use crate::gateway::models::ClientModel;
use crate::gateway::pattern::HeaderMatch;
use crate::gateway::provider::ProviderConfig;
use crate::gateway::resilience::{FAILOVER_FIELD, Failover, RETRY_FIELD, Retry};
use crate::gateway::resources::AutoRouting;
use crate::gateway::routing::Resolution;
use crate::printer::Printer;
use crate::secret::mask;
use crate::yaml::{Mapping, Value};

/// The host ports of a gateway.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PortsView {
    pub http: u16,
    pub https: u16,
    pub console: u16,
}

impl From<Ports> for PortsView {
    fn from(p: Ports) -> Self {
        Self {
            http: p.http,
            https: p.https,
            console: p.console,
        }
    }
}

/// Whether the gateway and the console answer HTTP.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReadinessView {
    pub gateway: bool,
    pub console: bool,
}

impl From<Readiness> for ReadinessView {
    fn from(r: Readiness) -> Self {
        Self {
            gateway: r.gateway,
            console: r.console,
        }
    }
}

/// A model as clients see it (`models --json`).
#[derive(Debug, Clone, Serialize)]
pub struct ModelView {
    pub id: String,
    pub name: String,
    pub reasoning: bool,
    /// `text`, and `image` when the model accepts images.
    pub input: Vec<&'static str>,
    pub context_window: u32,
    pub max_tokens: u32,
}

impl From<&ClientModel> for ModelView {
    fn from(m: &ClientModel) -> Self {
        Self {
            id: m.id.clone(),
            name: m.name.clone(),
            reasoning: m.reasoning,
            input: m.input.clone(),
            context_window: m.context_window,
            max_tokens: m.max_tokens,
        }
    }
}

/// Auto-routing as reported: off unless the model-router says it is on.
#[derive(Debug, Serialize)]
pub struct AutoRoutingReport {
    pub enabled: bool,
    pub default_model: Option<String>,
    pub rules: usize,
}

impl AutoRoutingReport {
    pub fn from(routing: Option<&AutoRouting>) -> Self {
        Self {
            enabled: routing.is_some_and(|r| r.enable),
            default_model: routing.and_then(|r| r.default_model.clone()),
            rules: routing.map_or(0, |r| r.rules.len()),
        }
    }
}

/// A provider's model match: `{type: prefix|regex, value}`.
#[derive(Debug, Clone, Serialize)]
pub struct RouteView {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: String,
}

impl From<&HeaderMatch> for RouteView {
    fn from(m: &HeaderMatch) -> Self {
        Self {
            kind: match m {
                HeaderMatch::Prefix(_) => "prefix",
                HeaderMatch::Regex(_) => "regex",
            },
            value: m.value().to_string(),
        }
    }
}

/// Which provider serves a model (`models resolve`, `route test`).
#[derive(Debug, Serialize)]
pub struct ResolutionView {
    pub model: String,
    pub provider: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "match")]
    pub matched: Option<RouteView>,
    /// Other providers whose routes also accept the model (ambiguous configuration).
    pub also: Vec<String>,
}

impl From<&Resolution> for ResolutionView {
    fn from(r: &Resolution) -> Self {
        Self {
            model: r.model.clone(),
            provider: r.provider.clone(),
            name: r.name.clone(),
            matched: r.matched.as_ref().map(RouteView::from),
            also: r.also.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ProviderReport {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The ingress's model match; null when the provider has no route.
    pub route: Option<RouteView>,
    pub keys: Vec<String>,
    pub domain: Option<String>,
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Key failover; null when off.
    pub failover: Option<FailoverView>,
    /// How often a failed request is retried with another key; 0 when off.
    pub retries: u32,
    /// Where the route sends requests its provider fails; null when off.
    pub fallback: Option<FallbackView>,
}

/// A route's fallback to other providers.
#[derive(Debug, Serialize)]
pub struct FallbackView {
    pub providers: Vec<FallbackTargetView>,
    /// The status classes that fall back: `4xx`, `5xx`.
    pub on: Vec<String>,
    /// `rand` (one of the providers at random) or `seq` (always the first).
    pub strategy: &'static str,
}

#[derive(Debug, Serialize)]
pub struct FallbackTargetView {
    pub provider: String,
    pub model: String,
}

impl From<&Fallback> for FallbackView {
    fn from(f: &Fallback) -> Self {
        Self {
            providers: f
                .targets
                .iter()
                .map(|t| FallbackTargetView {
                    provider: t.provider.clone(),
                    model: t.model.clone(),
                })
                .collect(),
            on: f.codes.clone(),
            strategy: match f.strategy {
                Strategy::Rand => "rand",
                Strategy::Seq => "seq",
            },
        }
    }
}

/// ai-proxy's key failover of one provider, its defaults filled in.
#[derive(Debug, Serialize)]
pub struct FailoverView {
    pub health_check_model: Option<String>,
    pub failure_threshold: u32,
    pub success_threshold: u32,
    pub health_check_interval_ms: u32,
    pub health_check_timeout_ms: u32,
}

impl FailoverView {
    fn of(settings: &Mapping) -> Option<Self> {
        Failover::of(settings).map(|f| Self {
            health_check_model: f.health_check_model,
            failure_threshold: f.failure_threshold,
            success_threshold: f.success_threshold,
            health_check_interval_ms: f.health_check_interval_ms,
            health_check_timeout_ms: f.health_check_timeout_ms,
        })
    }
}

fn retries_of(settings: &Mapping) -> u32 {
    Retry::of(settings).map_or(0, |r| r.max_retries)
}

fn is_secret(provider: &ConfiguredProvider, field: &str) -> bool {
    provider
        .spec
        .and_then(|s| s.setting(field))
        .is_some_and(|s| matches!(s.kind, SettingKind::Secret | SettingKind::FileContents))
        // Unknown providers: mask anything that looks like a credential.
        || field.to_ascii_lowercase().contains("key")
        || field.to_ascii_lowercase().contains("secret")
}

impl ProviderReport {
    pub fn from_configured(p: &ConfiguredProvider) -> Self {
        let settings = p
            .settings
            .iter()
            .filter_map(|(k, v)| {
                let key = k.as_str()?.to_string();
                let value = if is_secret(p, &key) {
                    serde_json::Value::String(mask(v.as_str().unwrap_or_default()))
                } else {
                    match v {
                        Value::Bool(b) => serde_json::Value::Bool(*b),
                        Value::Number(n) => serde_json::to_value(n).ok()?,
                        Value::String(s) => serde_json::Value::String(s.clone()),
                        _ => return None,
                    }
                };
                Some((key, value))
            })
            .collect();
        Self {
            id: p.id.clone(),
            name: p.display_name().to_string(),
            kind: p.kind.clone(),
            route: p.route.as_ref().map(RouteView::from),
            keys: p.keys.iter().map(|k| k.masked()).collect(),
            domain: p.registry.as_ref().map(|r| r.domain.clone()),
            settings,
            failover: FailoverView::of(&p.settings),
            retries: retries_of(&p.settings),
            fallback: p.fallback.as_ref().map(FallbackView::from),
        }
    }

    pub fn from_config(p: &ProviderConfig) -> Self {
        let mut planned = Mapping::new();
        p.resilience.failover.apply(FAILOVER_FIELD, &mut planned);
        p.resilience.retry.apply(RETRY_FIELD, &mut planned);
        let settings = p
            .rendered_settings()
            .into_iter()
            .map(|(field, value)| {
                let secret = p.spec.setting(field).is_some_and(|s| {
                    matches!(s.kind, SettingKind::Secret | SettingKind::FileContents)
                });
                let json = match value {
                    _ if secret => {
                        serde_json::Value::String(mask(value.as_str().unwrap_or_default()))
                    }
                    Value::Bool(b) => serde_json::Value::Bool(b),
                    Value::Number(n) => serde_json::to_value(n).unwrap_or_default(),
                    Value::String(s) => serde_json::Value::String(s),
                    _ => serde_json::Value::Null,
                };
                (field.to_string(), json)
            })
            .collect();
        Self {
            id: p.spec.id.to_string(),
            name: p.spec.display_name.to_string(),
            kind: p.spec.ai_proxy_type.to_string(),
            route: Some(RouteView::from(&p.header_match())),
            keys: p.keys.iter().map(|k| k.masked()).collect(),
            domain: Some(p.endpoint().domain),
            settings,
            failover: FailoverView::of(&planned),
            retries: retries_of(&planned),
            fallback: None,
        }
    }

    /// The indented lines under [`Self::line`]: failover, retries.
    pub fn details(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(f) = &self.failover {
            out.push(format!(
                "failover: a key is out after {} failed requests in a row, back after {} passed health check(s) of {} (every {} ms, timeout {} ms)",
                f.failure_threshold,
                f.success_threshold,
                f.health_check_model.as_deref().unwrap_or("?"),
                f.health_check_interval_ms,
                f.health_check_timeout_ms
            ));
        }
        if self.retries > 0 {
            out.push(format!(
                "retries: up to {} with another key (non-streaming requests)",
                self.retries
            ));
        }
        if let Some(f) = &self.fallback {
            let to: Vec<String> = f
                .providers
                .iter()
                .map(|t| format!("{} ({})", t.provider, t.model))
                .collect();
            let how = match (f.strategy, to.len()) {
                (_, 1) => "",
                ("seq", _) => ", always the first",
                _ => ", one at random",
            };
            out.push(format!(
                "fallback: on {} to {}{how}",
                f.on.join(","),
                to.join(", ")
            ));
        }
        out
    }

    /// One line: `deepseek  DeepSeek  deepseek-*  keys sk-a…1234`.
    pub fn line(&self) -> String {
        let route = match &self.route {
            Some(RouteView {
                kind: "prefix",
                value,
            }) => format!("{value}*"),
            Some(RouteView { value, .. }) => format!("/{value}/"),
            None => "(no route: cannot serve)".to_string(),
        };
        let keys = if self.keys.is_empty() {
            "no key".to_string()
        } else {
            self.keys.join(", ")
        };
        let mut line = format!("{:<11} {:<28} {:<28} {}", self.id, self.name, route, keys);
        if let Some(domain) = &self.domain {
            line.push_str(&format!("  → {domain}"));
        }
        line
    }
}

/// The warning for an auto-routing target that no provider serves.
pub fn warn_unserved(printer: &Printer, model: &str) {
    printer.warn(format!(
        "no configured provider serves {model:?}; requests routed to it will fail until one does. Add a provider whose models match it (see `higress-claw models`)"
    ));
}

/// What `init` wrote.
#[derive(Debug, Serialize)]
pub struct WriteReport {
    pub data_dir: String,
    pub providers: Vec<ProviderReport>,
    pub auto_routing: AutoRoutingReport,
    pub changed_files: Vec<String>,
    pub notes: Vec<String>,
}
