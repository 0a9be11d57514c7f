//! `route`: the auto-routing rules, and which rule and provider a message meets.

use serde::Serialize;

use super::ResolutionView;
use crate::gateway::resources::AutoRouting;
use crate::gateway::routing::{self, Explanation, Reason};
use crate::gateway::{AUTO_MODEL, ConfiguredProvider};

#[derive(Serialize)]
pub struct RuleView {
    pub id: usize,
    pub pattern: String,
    pub model: String,
    /// The provider that serves the rule's model, or null when none does.
    pub provider: Option<String>,
}

#[derive(Serialize)]
pub struct RoutesReport {
    pub data_dir: String,
    pub enabled: bool,
    pub default_model: Option<String>,
    pub rules: Vec<RuleView>,
    /// Set by commands that change something: `added`, `removed`, `enabled`, `disabled`,
    /// `unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_files: Option<Vec<String>>,
}

#[derive(Serialize)]
pub struct TestReport<'a> {
    pub message: &'a str,
    /// The model the router picks, or null when the request is not rewritten.
    pub model: Option<String>,
    pub rule_id: Option<usize>,
    pub pattern: Option<String>,
    /// `rule`, `default`, `disabled` or `no-default`.
    pub reason: &'static str,
    #[serde(skip)]
    pub why: Reason,
    pub provider: Option<ResolutionView>,
}

impl RoutesReport {
    pub fn new(
        data_dir: String,
        routing: Option<&AutoRouting>,
        providers: &[ConfiguredProvider],
        action: Option<&'static str>,
        changed_files: Option<Vec<String>>,
    ) -> Self {
        let rules = routing
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
        Self {
            data_dir,
            enabled: routing.is_some_and(|r| r.enable),
            default_model: routing.and_then(|r| r.default_model.clone()),
            rules,
            action,
            changed_files,
        }
    }

    /// Whether auto-routing is on, then the rules as a table.
    pub fn text(&self) -> String {
        let mut text = if self.enabled {
            format!(
                "Auto-routing: on (model \"{AUTO_MODEL}\"), default model {}\n",
                self.default_model
                    .as_deref()
                    .unwrap_or("(none: unmatched requests are not rewritten)")
            )
        } else {
            "Auto-routing: off (turn it on with `higress-claw route enable --default-model MODEL`)\n"
                .to_string()
        };
        if self.rules.is_empty() {
            text.push_str(
                "No rules. Add one: higress-claw route add --model MODEL --trigger \"quick|fast\"",
            );
            return text;
        }
        text.push_str(&format!(
            "{:<4} {:<40} {:<24} {}\n",
            "ID", "PATTERN", "MODEL", "PROVIDER"
        ));
        for r in &self.rules {
            text.push_str(&format!(
                "{:<4} {:<40} {:<24} {}\n",
                r.id,
                r.pattern,
                r.model,
                r.provider.as_deref().unwrap_or("(none serves it)")
            ));
        }
        text.trim_end().to_string()
    }
}

impl<'a> TestReport<'a> {
    pub fn new(message: &'a str, explanation: &Explanation) -> Self {
        Self {
            message,
            model: explanation.model.clone(),
            rule_id: explanation.rule_id,
            pattern: explanation.pattern.clone(),
            reason: explanation.reason.as_str(),
            why: explanation.reason,
            provider: explanation.provider.as_ref().map(ResolutionView::from),
        }
    }

    /// The model picked, why, and who serves it.
    pub fn text(&self) -> String {
        let model = match (self.why, &self.model) {
            (Reason::Disabled, _) => {
                return format!(
                    "Auto-routing is off: a request for \"{AUTO_MODEL}\" is not rewritten and no provider serves it. Turn it on with `higress-claw route enable --default-model MODEL`."
                );
            }
            (Reason::NoDefault, _) | (_, None) => {
                return "No rule matches and there is no default model: the request is not rewritten."
                    .to_string();
            }
            (_, Some(model)) => model,
        };
        let why = match (self.rule_id, &self.pattern) {
            (Some(id), Some(pattern)) if self.why == Reason::Rule => {
                format!("rule {id} ({pattern}) matches")
            }
            _ => "no rule matches, so the default model applies".to_string(),
        };
        let served = match self
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
}
