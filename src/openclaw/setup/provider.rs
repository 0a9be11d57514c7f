//! `models.providers.higress`: the provider entry and its models.

use serde_json::{Value, json};

use super::super::PLUGIN_ID;
use super::super::config::get;
use super::super::legacy::PLACEHOLDER_TOKEN;
use super::{Change, SetupInput, change, same_model};
use crate::gateway::models::{ClientModel, FactSource};

/// The provider entry: fields we do not own kept, the upstream placeholder key dropped,
/// the models exactly the gateway's. Also the old model entries that go.
pub(super) fn provider_value(
    input: &SetupInput,
    base_url: &str,
    changes: &mut Vec<Change>,
) -> (Value, Vec<Value>) {
    let old =
        get(&input.config.value, &["models", "providers", PLUGIN_ID]).filter(|v| v.is_object());
    let mut provider = old.cloned().unwrap_or_else(|| json!({}));
    let path = format!("models.providers.{PLUGIN_ID}");
    provider["baseUrl"] = json!(base_url);
    provider["api"] = json!("openai-completions");
    let map = provider.as_object_mut().expect("an object");
    let placeholder = map.get("apiKey").is_some_and(|k| k == PLACEHOLDER_TOKEN);
    match input.api_key {
        Some(key) => {
            // Reported masked: the key replaces the placeholder or an older key.
            let old_key = map.get("apiKey").and_then(Value::as_str).map(|old| {
                if old == PLACEHOLDER_TOKEN {
                    old.to_string()
                } else {
                    crate::secret::mask(old)
                }
            });
            if let Some(old) = old_key.filter(|_| map.get("apiKey") != Some(&json!(key.expose()))) {
                changes.push(change(
                    format!("{path}.apiKey"),
                    Some(json!(old)),
                    Some(json!(key.masked())),
                    "the key OpenClaw now sends to the gateway (--api-key, or its client key)",
                ));
            }
            map.insert("apiKey".into(), json!(key.expose()));
        }
        None if placeholder => {
            map.shift_remove("apiKey");
            changes.push(change(
                format!("{path}.apiKey"),
                Some(json!(PLACEHOLDER_TOKEN)),
                None,
                "the upstream placeholder; the gateway needs no key",
            ));
        }
        None => {}
    }
    if (placeholder || input.api_key.is_some()) && map.get("authHeader") == Some(&json!(false)) {
        map.shift_remove("authHeader");
        changes.push(change(
            format!("{path}.authHeader"),
            Some(json!(false)),
            None,
            "it came with the placeholder key",
        ));
    }
    let old_models: Vec<Value> = old
        .and_then(|p| p["models"].as_array().cloned())
        .unwrap_or_default();
    let (models, dropped) = model_entries(&old_models, input.models, changes);
    map.insert("models".into(), Value::Array(models));
    (provider, dropped)
}

const FACTS: [&str; 4] = ["reasoning", "input", "contextWindow", "maxTokens"];

/// One entry per served model, reusing an old entry's extra fields; the facts are
/// ours. Corrections and drops are reported.
fn model_entries(
    old: &[Value],
    models: &[ClientModel],
    changes: &mut Vec<Change>,
) -> (Vec<Value>, Vec<Value>) {
    let path = format!("models.providers.{PLUGIN_ID}.models");
    let mut used = vec![false; old.len()];
    let mut entries = Vec::new();
    for m in models {
        let found = old
            .iter()
            .position(|e| e["id"].as_str().is_some_and(|id| same_model(id, &m.id)));
        let mut entry = found.map_or_else(|| json!({}), |i| old[i].clone());
        let ours = json!({
            "id": m.id, "name": m.name, "reasoning": m.reasoning, "input": m.input,
            "contextWindow": m.context_window, "maxTokens": m.max_tokens,
        });
        for (key, value) in ours.as_object().expect("an object") {
            entry[key] = value.clone();
        }
        if entry.get("cost").is_none() {
            entry["cost"] = json!({ "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 });
        }
        if let Some(i) = found {
            used[i] = true;
            let differs: Vec<&str> = FACTS
                .into_iter()
                .filter(|f| old[i].get(*f) != entry.get(*f))
                .collect();
            if !differs.is_empty() {
                let pick = |e: &Value| {
                    Value::Object(
                        differs
                            .iter()
                            .filter_map(|f| e.get(*f).map(|v| (f.to_string(), v.clone())))
                            .collect(),
                    )
                };
                let why = match m.source {
                    FactSource::User => "facts corrected from `higress-claw models set`",
                    FactSource::Catalog => "facts corrected from the catalog",
                    FactSource::Routed => "what every model the auto-router may pick can do",
                    FactSource::Default => "nothing is known of it: claims no more than text",
                };
                changes.push(change(
                    format!("{path}[{}]", m.id),
                    Some(pick(&old[i])),
                    Some(pick(&entry)),
                    why,
                ));
            }
        }
        entries.push(entry);
    }
    let dropped: Vec<Value> = old
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(e, _)| e.clone())
        .collect();
    if !dropped.is_empty() {
        let ids: Vec<Value> = dropped.iter().map(|e| e["id"].clone()).collect();
        changes.push(change(
            path,
            Some(Value::Array(ids)),
            None,
            "no configured provider of the gateway serves them",
        ));
    }
    (entries, dropped)
}
