//! The setup plan over a fresh config, our own earlier setup, and the upstream flow's
//! config (the fixtures written by the real upstream plugin, tests/openclaw/fixtures).

use serde_json::{Value, json};

use super::*;
use crate::gateway::models::client_model;
use crate::openclaw::apply::steps;
use crate::openclaw::config::{ConfigFile, get, pretty_len, set};

const UPSTREAM: &str =
    include_str!("../../../tests/openclaw/fixtures/upstream-2026.9.6-openclaw.json");
const OURS: &str = "http://127.0.0.1:8080/v1";

fn served(auto: bool) -> Vec<ClientModel> {
    let mut models: Vec<ClientModel> = ["glm-5", "deepseek-chat", "deepseek-reasoner"]
        .into_iter()
        .map(client_model)
        .collect();
    if auto {
        let auto = crate::gateway::models::auto_model(&models[..1], &Default::default());
        models.insert(0, auto);
    }
    models
}

fn input<'a>(config: &'a ConfigFile, models: &'a [ClientModel]) -> SetupInput<'a> {
    SetupInput {
        config,
        gateway_url: OURS.into(),
        explicit_url: false,
        api_key: None,
        models,
        auto_routing: models[0].id == "auto",
        routing_default: Some("glm-5".into()),
        model_policy: true,
    }
}

fn after(config: &ConfigFile, plan: &SetupPlan) -> Value {
    let mut value = config.value.clone();
    for edit in &plan.edits {
        set(&mut value, &edit.path, edit.value.clone());
    }
    set(
        &mut value,
        &["agents", "defaults", "model", "primary"].map(String::from),
        Some(json!(plan.default_model)),
    );
    // What OpenClaw 2026.8.1 and later add on every write.
    set(
        &mut value,
        &["meta", "migrations", "modelPolicyAllowlist"].map(String::from),
        Some(json!(true)),
    );
    value
}

fn paths(plan: &SetupPlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

#[test]
fn a_fresh_config_gets_the_provider_and_nothing_is_migrated() {
    let config = ConfigFile::from_value(json!({}));
    let models = served(true);
    let plan = plan_setup(&input(&config, &models));
    assert_eq!(plan.default_model, "higress/auto");
    assert_eq!(plan.base_url, OURS);
    assert!(plan.changes.is_empty(), "{:?}", plan.changes);
    let result = after(&config, &plan);
    let provider = &result["models"]["providers"]["higress"];
    assert_eq!(provider["api"], "openai-completions");
    let ids: Vec<&str> = provider["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["auto", "glm-5", "deepseek-chat", "deepseek-reasoner"]);
    let allow: Vec<&String> = result["agents"]["defaults"]["models"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        allow,
        [
            "higress/auto",
            "higress/glm-5",
            "higress/deepseek-chat",
            "higress/deepseek-reasoner"
        ]
    );
    assert!(
        get(&result, &["agents", "defaults", "modelPolicy"]).is_none(),
        "nothing restricted, nothing to restrict"
    );
    assert!(
        plan.replace_paths()
            .contains(&"models.providers.higress".to_string())
    );
}

#[test]
fn a_second_run_changes_nothing() {
    let models = served(true);
    let first = ConfigFile::from_value(json!({}));
    let once = after(&first, &plan_setup(&input(&first, &models)));
    let second = ConfigFile::from_value(once.clone());
    let plan = plan_setup(&input(&second, &models));
    assert!(plan.changes.is_empty(), "{:?}", plan.changes);
    assert_eq!(after(&second, &plan), once);
}

#[test]
fn the_upstream_setup_is_carried_over() {
    let config = ConfigFile::from_value(serde_json::from_str(UPSTREAM).unwrap());
    let models = served(true);
    let plan = plan_setup(&input(&config, &models));
    // localhost:8080 is this gateway: kept as the user wrote it.
    assert_eq!(plan.base_url, "http://localhost:8080/v1");
    assert_eq!(plan.default_model, "higress/auto");
    let changed = paths(&plan);
    for path in [
        "models.providers.higress.apiKey",
        "models.providers.higress.authHeader",
        "models.providers.higress.models[glm-5]",
        "models.providers.higress.models",
        "agents.defaults.models",
        "agents.defaults.modelPolicy",
        "plugins.entries.higress.config.consoleUrl",
        "auth.profiles.higress:local",
        "agents.defaults.model.primary",
    ] {
        assert!(changed.contains(&path), "{path} not in {changed:?}");
    }
    let result = after(&config, &plan);
    let provider = &result["models"]["providers"]["higress"];
    assert!(provider.get("apiKey").is_none() && provider.get("authHeader").is_none());
    let glm = provider["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "glm-5")
        .unwrap();
    assert_eq!(
        (glm["input"].clone(), glm["maxTokens"].clone()),
        (json!(["text"]), json!(128_000))
    );
    assert_eq!(
        glm["api"], "openai-completions",
        "fields we do not own are kept"
    );
    let allow: Vec<&String> = result["agents"]["defaults"]["models"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        allow,
        [
            "higress/auto",
            "higress/glm-5",
            "higress/deepseek-chat",
            "higress/deepseek-reasoner"
        ]
    );
    assert_eq!(
        result["agents"]["defaults"]["modelPolicy"]["allow"],
        json!([
            "higress/auto",
            "higress/glm-5",
            "higress/deepseek-chat",
            "higress/deepseek-reasoner"
        ]),
        "written with the allowlist, so OpenClaw does not copy the stale one"
    );
    let settings = &result["plugins"]["entries"]["higress"]["config"];
    assert_eq!(settings["consoleUrl"], "http://localhost:8001");
    assert_eq!(settings["autoRoutingDefaultModel"], "glm-5");
    assert!(
        result.get("auth").is_none(),
        "auth held only the placeholder: {}",
        result["auth"]
    );
    // Run again over the result: nothing more to carry over.
    let again = ConfigFile::from_value(result.clone());
    assert!(plan_setup(&input(&again, &models)).changes.is_empty());
}

#[test]
fn a_copied_model_policy_loses_its_stale_refs() {
    let mut value: Value = serde_json::from_str(UPSTREAM).unwrap();
    value["meta"]["migrations"] = json!({"modelPolicyAllowlist": true});
    value["agents"]["defaults"]["modelPolicy"] =
        json!({"allow": ["higress/higress/auto", "higress/kimi-k2.5", "openai/gpt-5.4"]});
    let config = ConfigFile::from_value(value);
    let models = served(true);
    let plan = plan_setup(&input(&config, &models));
    let result = after(&config, &plan);
    assert_eq!(
        result["agents"]["defaults"]["modelPolicy"]["allow"],
        json!([
            "openai/gpt-5.4",
            "higress/auto",
            "higress/glm-5",
            "higress/deepseek-chat",
            "higress/deepseek-reasoner"
        ])
    );
    let old = ConfigFile::from_value(serde_json::from_str(UPSTREAM).unwrap());
    let before_policy = SetupInput {
        model_policy: false,
        ..input(&old, &models)
    };
    assert!(
        after(&old, &plan_setup(&before_policy))["agents"]["defaults"]
            .get("modelPolicy")
            .is_none(),
        "releases before 2026.8.1 have no modelPolicy"
    );
}

#[test]
fn without_auto_routing_the_upstream_fallback_becomes_the_default() {
    let config = ConfigFile::from_value(serde_json::from_str(UPSTREAM).unwrap());
    let models = served(false);
    let plan = plan_setup(&input(&config, &models));
    assert_eq!(
        plan.default_model, "higress/glm-5",
        "autoRoutingDefaultModel is glm-5"
    );
    assert!(
        plan.notes.iter().any(|n| n.contains("route enable")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn a_url_elsewhere_is_replaced_and_said() {
    let mut value: Value = serde_json::from_str(UPSTREAM).unwrap();
    value["models"]["providers"]["higress"]["baseUrl"] = json!("http://10.0.0.9:8080/v1");
    value["plugins"]["entries"]["higress"]["config"]["gatewayUrl"] =
        json!("http://10.0.0.9:8080/v1");
    let config = ConfigFile::from_value(value);
    let models = served(true);
    let plan = plan_setup(&input(&config, &models));
    assert_eq!(plan.base_url, OURS);
    assert!(paths(&plan).contains(&"models.providers.higress.baseUrl"));
    assert!(paths(&plan).contains(&"plugins.entries.higress.config.gatewayUrl"));
    assert!(super::same_gateway("http://localhost:8080", OURS));
    assert!(super::same_gateway("http://[::1]:8080/v1/", OURS));
    assert!(!super::same_gateway("http://127.0.0.1:8081/v1", OURS));
    assert!(!super::same_gateway("https://127.0.0.1:8080/v1", OURS));
}

#[test]
fn the_old_plugin_id_is_folded_into_ours() {
    let value = json!({
        "plugins": {"allow": ["higress-ai-gateway"], "entries": {"higress-ai-gateway": {"enabled": true, "config": {"gatewayUrl": "http://localhost:8080/v1", "autoRoutingDefaultModel": "qwen-turbo"}}}}
    });
    let config = ConfigFile::from_value(value);
    let models = served(true);
    let plan = plan_setup(&input(&config, &models));
    let result = after(&config, &plan);
    assert!(
        result["plugins"]["entries"]
            .get("higress-ai-gateway")
            .is_none()
    );
    assert_eq!(result["plugins"]["allow"], json!(["higress"]));
    assert_eq!(
        result["plugins"]["entries"]["higress"]["config"]["autoRoutingDefaultModel"],
        "glm-5"
    );
}

#[test]
fn the_gateway_key_is_set_and_only_ever_shown_masked() {
    let config = ConfigFile::from_value(serde_json::from_str(UPSTREAM).unwrap());
    let models = served(true);
    let key = Secret::new("gw-secret-key-1234567890");
    let plan = plan_setup(&SetupInput {
        api_key: Some(&key),
        ..input(&config, &models)
    });
    assert_eq!(
        plan.patch()["models"]["providers"]["higress"]["apiKey"],
        key.expose()
    );
    let shown = shown_patch(&plan.patch()).to_string();
    assert!(
        !shown.contains(key.expose()) && shown.contains("gw-s…7890"),
        "{shown}"
    );
    let changes = format!("{:?}", plan.changes);
    assert!(!changes.contains(key.expose()), "{changes}");
    let replaced = plan
        .changes
        .iter()
        .find(|c| c.path == "models.providers.higress.apiKey")
        .expect("the placeholder's replacement is reported");
    assert_eq!(
        (replaced.before.clone(), replaced.after.clone()),
        (Some(json!("higress-local")), Some(json!("gw-s…7890")))
    );
    // Over a config that already has this key, nothing is reported.
    let mut value: Value = serde_json::from_str(UPSTREAM).unwrap();
    value["models"]["providers"]["higress"]["apiKey"] = json!(key.expose());
    let same = ConfigFile::from_value(value);
    let plan = plan_setup(&SetupInput {
        api_key: Some(&key),
        ..input(&same, &models)
    });
    assert!(
        !plan
            .changes
            .iter()
            .any(|c| c.path == "models.providers.higress.apiKey")
    );
}

#[test]
fn a_write_that_would_halve_the_file_goes_in_steps() {
    let config = ConfigFile::from_value(serde_json::from_str(UPSTREAM).unwrap());
    let one = vec![client_model("deepseek-chat")];
    let plan = plan_setup(&SetupInput {
        auto_routing: false,
        ..input(&config, &one)
    });
    let steps = steps(&config, &plan);
    assert!(
        steps.len() > 1,
        "one step would shrink {} to {}",
        config.size,
        pretty_len(&after(&config, &plan))
    );
    let mut size = config.size;
    for step in &steps {
        let mut value = config.value.clone();
        for edit in step {
            set(&mut value, &edit.path, edit.value.clone());
        }
        let next = pretty_len(&value);
        assert!(next * 2 >= size, "{size} → {next}");
        size = next;
    }
    assert_eq!(
        steps.last().unwrap(),
        &plan.edits,
        "the last step is the plan itself"
    );
}
