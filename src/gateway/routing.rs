//! Auto-routing for the model `higress/auto`, as the model-router plugin evaluates it.
//!
//! The plugin takes the last user message, tries each rule's pattern in order with Go's
//! `regexp.MatchString` (a search, not a full match; RE2 syntax, which the `regex`
//! crate shares), and rewrites the model to the first match's model, else to the
//! default model. The gateway then picks the provider whose ingress header match
//! accepts that model. Both steps are reproduced here so `route test` can explain a
//! request offline.

use super::configured::ConfiguredProvider;
use super::go_regex;
use super::pattern::HeaderMatch;
use super::resources::AutoRouting;

/// A `--trigger "a|b"`: literal phrases, matched case-insensitively at the start of
/// the message. Metacharacters are escaped, so `c++` means the two plus signs.
pub fn trigger_pattern(trigger: &str) -> Result<String, String> {
    let phrases: Vec<&str> = trigger.split('|').map(str::trim).collect();
    if phrases.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "--trigger {trigger:?} has an empty phrase; separate phrases with single `|`, e.g. \"quick|fast\""
        ));
    }
    let escaped: Vec<String> = phrases.iter().map(|p| regex::escape(p)).collect();
    Ok(format!("(?i)^({})", escaped.join("|")))
}

/// Why the router picks what it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A rule's pattern matched the message.
    Rule,
    /// No rule matched; the default model applies.
    Default,
    /// Auto-routing is off: `higress/auto` is not rewritten.
    Disabled,
    /// No rule matched and there is no default model: not rewritten.
    NoDefault,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Rule => "rule",
            Reason::Default => "default",
            Reason::Disabled => "disabled",
            Reason::NoDefault => "no-default",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Explanation {
    /// The model the router picks.
    pub model: Option<String>,
    /// Index of the matching rule, or `None` when the default model applies.
    pub rule_id: Option<usize>,
    pub pattern: Option<String>,
    pub reason: Reason,
    pub provider: Option<Resolution>,
}

#[derive(Debug, Clone)]
pub struct Resolution {
    pub model: String,
    /// The provider that serves it, first in ingress order.
    pub provider: Option<String>,
    pub name: Option<String>,
    pub matched: Option<HeaderMatch>,
    /// Other providers whose routes also accept the model (ambiguous configuration).
    pub also: Vec<String>,
}

/// Which provider serves `model`, by the ingresses' header matches.
pub fn resolve(model: &str, providers: &[ConfiguredProvider]) -> Resolution {
    let serving: Vec<&ConfiguredProvider> = providers
        .iter()
        .filter(|p| p.route.as_ref().is_some_and(|r| r.matches(model)))
        .collect();
    let first = serving.first();
    Resolution {
        model: model.to_string(),
        provider: first.map(|p| p.id.clone()),
        name: first.map(|p| p.display_name().to_string()),
        matched: first.and_then(|p| p.route.clone()),
        also: serving.iter().skip(1).map(|p| p.id.clone()).collect(),
    }
}

/// Where a `higress/auto` request whose last user message is `message` goes.
pub fn explain(
    message: &str,
    routing: Option<&AutoRouting>,
    providers: &[ConfiguredProvider],
) -> Explanation {
    let Some(routing) = routing.filter(|r| r.enable) else {
        return Explanation {
            model: None,
            rule_id: None,
            pattern: None,
            reason: Reason::Disabled,
            provider: None,
        };
    };
    // In order, the first that matches: as the plugin does. A rule that does not
    // compile is skipped, as the plugin skips it.
    let hit = routing.rules.iter().enumerate().find(|(_, rule)| {
        !rule.model.is_empty()
            && !rule.pattern.is_empty()
            && go_regex::matcher(&rule.pattern).is_some_and(|re| re.is_match(message))
    });
    let (model, rule_id, pattern, reason) = match hit {
        Some((id, rule)) => (
            Some(rule.model.clone()),
            Some(id),
            Some(rule.pattern.clone()),
            Reason::Rule,
        ),
        None => match &routing.default_model {
            Some(model) => (Some(model.clone()), None, None, Reason::Default),
            None => (None, None, None, Reason::NoDefault),
        },
    };
    Explanation {
        provider: model.as_deref().map(|m| resolve(m, providers)),
        model,
        rule_id,
        pattern,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::resources::RoutingRule;

    #[test]
    fn triggers_are_literal_and_anchored() {
        assert_eq!(
            trigger_pattern("c++|深入思考").unwrap(),
            r"(?i)^(c\+\+|深入思考)"
        );
        assert_eq!(
            trigger_pattern(" quick | fast ").unwrap(),
            "(?i)^(quick|fast)"
        );
        assert!(trigger_pattern("a||b").is_err());
        let re = go_regex::compile(&trigger_pattern("c++").unwrap()).unwrap();
        assert!(re.is_match("C++ templates?"));
        assert!(!re.is_match("c and more"));
    }

    #[test]
    fn rules_are_searched_in_order() {
        let rule = |p: &str, m: &str| RoutingRule {
            pattern: p.into(),
            model: m.into(),
            other: Default::default(),
        };
        let routing = AutoRouting {
            enable: true,
            default_model: Some("glm-5".into()),
            rules: vec![
                rule("(", "broken"),
                rule("code", "deepseek-chat"),
                rule("(?i)code", "x"),
            ],
            other: Default::default(),
        };
        let e = explain("please write code", Some(&routing), &[]);
        assert_eq!(
            (e.model.as_deref(), e.rule_id, e.reason),
            (Some("deepseek-chat"), Some(1), Reason::Rule)
        );
        let e = explain("hello", Some(&routing), &[]);
        assert_eq!(
            (e.model.as_deref(), e.reason),
            (Some("glm-5"), Reason::Default)
        );
        assert_eq!(explain("x", None, &[]).reason, Reason::Disabled);
    }
}
