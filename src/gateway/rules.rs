//! Edits of the auto-routing rules, as `route add|remove|enable|disable` make them on
//! the model-router's `autoRouting` (and on `default.cfg`'s auto-routing lines), and
//! why one is refused. Each edit runs on what the folder holds under the edit's lock,
//! so the rules another process added meanwhile count too.

use super::AUTO_MODEL;
use super::go_regex;
use super::resources::{AutoRouting, RoutingRule};
use super::settings::DeploymentSettings;

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("the model is empty; name a model such as glm-5")]
    EmptyModel,
    #[error("{AUTO_MODEL} cannot route to itself; name a concrete model")]
    RoutesToItself,
    #[error(
        "with this rule the {rules} rules would compile to {total} states; all rules together may have at most {limit} (the gateway runs them on every request)"
    )]
    TooManyStates {
        rules: usize,
        total: usize,
        limit: usize,
    },
    #[error("there is no rule {id}: no rules are configured")]
    NoRules { id: usize },
    #[error("there is no rule {id}; the ids are 0 to {last}")]
    NoSuchRule { id: usize, last: usize },
    #[error("there is no default model to keep")]
    NoDefaultModel,
}

/// A rule's or the default's target: trimmed, not empty, not `higress/auto` itself.
pub fn target_model(model: &str) -> Result<String, RuleError> {
    match model.trim() {
        "" => Err(RuleError::EmptyModel),
        AUTO_MODEL => Err(RuleError::RoutesToItself),
        model => Ok(model.to_string()),
    }
}

/// Appends the rule; `states` is what its pattern compiles to (from
/// [`go_regex::compile`]), refused when all rules together would pass
/// [`go_regex::TOTAL_STATES`]. Returns the new rule's id.
pub fn add(
    routing: &mut AutoRouting,
    pattern: &str,
    states: usize,
    model: &str,
) -> Result<usize, RuleError> {
    let total = states
        + routing
            .rules
            .iter()
            .filter_map(|r| go_regex::states_of(&r.pattern))
            .sum::<usize>();
    if total > go_regex::TOTAL_STATES {
        return Err(RuleError::TooManyStates {
            rules: routing.rules.len() + 1,
            total,
            limit: go_regex::TOTAL_STATES,
        });
    }
    routing.rules.push(RoutingRule {
        pattern: pattern.to_string(),
        model: model.to_string(),
        other: Default::default(),
    });
    Ok(routing.rules.len() - 1)
}

/// Removes rule `id`; the later rules move up by one.
pub fn remove(routing: &mut AutoRouting, id: usize) -> Result<RoutingRule, RuleError> {
    match routing.rules.len() {
        0 => Err(RuleError::NoRules { id }),
        n if id >= n => Err(RuleError::NoSuchRule { id, last: n - 1 }),
        _ => Ok(routing.rules.remove(id)),
    }
}

/// Turns auto-routing on with `model` as the default, or without one the default that
/// `disable` kept (in the router, or in default.cfg for a folder that never had
/// auto-routing on). Returns the default model.
pub fn enable(
    routing: &mut AutoRouting,
    settings: Option<&mut DeploymentSettings>,
    model: Option<&str>,
) -> Result<String, RuleError> {
    let model = match model {
        Some(model) => target_model(model)?,
        None => routing
            .default_model
            .clone()
            .or_else(|| {
                settings
                    .as_ref()
                    .and_then(|s| s.auto_routing_default_model.clone())
            })
            .ok_or(RuleError::NoDefaultModel)?,
    };
    routing.enable = true;
    routing.default_model = Some(model.clone());
    if let Some(settings) = settings {
        settings.auto_routing = true;
        settings.auto_routing_default_model = Some(model.clone());
    }
    Ok(model)
}

/// Turns auto-routing off; the rules and the default model stay for `enable`.
pub fn disable(routing: &mut AutoRouting, settings: Option<&mut DeploymentSettings>) {
    routing.enable = false;
    if let Some(settings) = settings {
        settings.auto_routing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str) -> RoutingRule {
        RoutingRule {
            pattern: pattern.into(),
            model: "glm-5".into(),
            other: Default::default(),
        }
    }

    #[test]
    fn a_target_is_trimmed_and_never_auto_itself() {
        assert_eq!(target_model("  glm-5 ").unwrap(), "glm-5");
        assert!(matches!(target_model(" "), Err(RuleError::EmptyModel)));
        assert!(matches!(
            target_model(AUTO_MODEL),
            Err(RuleError::RoutesToItself)
        ));
    }

    #[test]
    fn removing_names_the_ids_there_are() {
        let mut routing = AutoRouting::default();
        assert!(matches!(
            remove(&mut routing, 0),
            Err(RuleError::NoRules { id: 0 })
        ));
        routing.rules = vec![rule("a"), rule("b")];
        let err = remove(&mut routing, 2).unwrap_err();
        assert_eq!(err.to_string(), "there is no rule 2; the ids are 0 to 1");
        assert_eq!(remove(&mut routing, 0).unwrap().pattern, "a");
        assert_eq!(routing.rules[0].pattern, "b");
    }

    #[test]
    fn the_states_of_every_rule_count_toward_the_limit() {
        let mut routing = AutoRouting {
            rules: vec![rule("(?i)^(quick|fast)")],
            ..Default::default()
        };
        let room = go_regex::TOTAL_STATES - go_regex::states_of("(?i)^(quick|fast)").unwrap();
        let err = add(&mut routing, "x", room + 1, "glm-5").unwrap_err();
        assert!(matches!(
            err,
            RuleError::TooManyStates { rules: 2, total, .. } if total == go_regex::TOTAL_STATES + 1
        ));
        assert_eq!(routing.rules.len(), 1, "a refused rule is not added");
        assert_eq!(add(&mut routing, "x", room, "glm-5").unwrap(), 1);
    }

    #[test]
    fn enable_keeps_the_default_disable_left() {
        let mut routing = AutoRouting::default();
        assert!(matches!(
            enable(&mut routing, None, None),
            Err(RuleError::NoDefaultModel)
        ));
        assert_eq!(enable(&mut routing, None, Some(" glm-5")).unwrap(), "glm-5");
        disable(&mut routing, None);
        assert!(!routing.enable);
        assert_eq!(enable(&mut routing, None, None).unwrap(), "glm-5");
        assert!(routing.enable);
    }
}
