//! The plugin's entry and what the upstream plugin left around it: its old id, its
//! settings, its placeholder credential.

use serde_json::{Value, json};

use super::super::PLUGIN_ID;
use super::super::config::get;
use super::super::legacy::{PLACEHOLDER_PROFILE, UPSTREAM_OLD_ID};
use super::{Change, Edit, SetupInput, change};

/// An entry of the upstream plugin's old id (`higress-ai-gateway`) folded into ours: the
/// entry removed, its settings carried to `plugins.entries.higress.config` when ours has
/// none, the id renamed in `plugins.allow`.
pub fn old_plugin_id_edits(cfg: &Value, changes: &mut Vec<Change>) -> Vec<Edit> {
    let mut edits = Vec::new();
    let old_entry = get(cfg, &["plugins", "entries", UPSTREAM_OLD_ID]);
    if let Some(entry) = old_entry {
        edits.push(Edit::remove(&["plugins", "entries", UPSTREAM_OLD_ID]));
        changes.push(change(
            format!("plugins.entries.{UPSTREAM_OLD_ID}"),
            Some(entry.clone()),
            None,
            "the old id of the upstream plugin; its settings move to plugins.entries.higress",
        ));
        let ours = get(cfg, &["plugins", "entries", PLUGIN_ID, "config"]).filter(|c| c.is_object());
        if let Some(settings) = entry
            .get("config")
            .filter(|c| c.is_object() && ours.is_none())
        {
            edits.push(Edit::set(
                &["plugins", "entries", PLUGIN_ID, "config"],
                settings.clone(),
            ));
        }
    }
    if let Some(allow) = get(cfg, &["plugins", "allow"]).and_then(Value::as_array)
        && allow.iter().any(|id| id == UPSTREAM_OLD_ID)
    {
        let mut new: Vec<Value> = allow
            .iter()
            .filter(|id| *id != UPSTREAM_OLD_ID)
            .cloned()
            .collect();
        if !new.iter().any(|id| id == PLUGIN_ID) {
            new.push(json!(PLUGIN_ID));
        }
        changes.push(change(
            "plugins.allow",
            Some(Value::Array(allow.clone())),
            Some(Value::Array(new.clone())),
            "the upstream plugin's old id",
        ));
        edits.push(Edit::set(&["plugins", "allow"], Value::Array(new)));
    }
    edits
}

/// The plugin's settings: the upstream keys understood and brought up to date.
pub(super) fn plugin_entry_edits(
    input: &SetupInput,
    base_url: &str,
    default_ref: &str,
    changes: &mut Vec<Change>,
) -> Vec<Edit> {
    let cfg = &input.config.value;
    let mut edits = old_plugin_id_edits(cfg, changes);
    let path = ["plugins", "entries", PLUGIN_ID, "config"];
    let carried = edits
        .iter()
        .find(|e| e.path == path)
        .and_then(|e| e.value.clone());
    let ours = get(cfg, &path).filter(|c| c.is_object()).cloned();
    let Some(old) = ours.or(carried.clone()) else {
        return edits;
    };
    let mut new = old.clone();
    let dotted = path.join(".");
    let mut update = |key: &str, value: Value, why: &str| {
        if new.get(key).is_some_and(|v| v != &value) {
            changes.push(change(
                format!("{dotted}.{key}"),
                new.get(key).cloned(),
                Some(value.clone()),
                why,
            ));
            new[key] = value;
        }
    };
    update(
        "gatewayUrl",
        json!(base_url),
        "the gateway OpenClaw now uses",
    );
    if let Some(console) = old
        .get("consoleUrl")
        .and_then(Value::as_str)
        .and_then(|u| u.trim_end_matches('/').strip_suffix("/v1"))
    {
        update(
            "consoleUrl",
            json!(console),
            "the upstream plugin added /v1 to the console's URL, which has none",
        );
    }
    update("defaultModel", json!(default_ref), "the default model");
    if input.auto_routing
        && let Some(gateway_default) = &input.routing_default
    {
        update(
            "autoRoutingDefaultModel",
            json!(gateway_default),
            "what the gateway's auto-routing falls back to (`higress-claw route enable --default-model` changes it)",
        );
    }
    if carried.is_some() || new != old {
        edits.retain(|e| e.path != path);
        edits.push(Edit::set(&path, new));
    }
    edits
}

/// The upstream login's placeholder profile `higress:local` in `auth.profiles` and
/// `auth.order`.
pub(super) fn auth_profile_edits(cfg: &Value, changes: &mut Vec<Change>) -> Vec<Edit> {
    let mut edits = Vec::new();
    let Some(profiles) = get(cfg, &["auth", "profiles"]).and_then(Value::as_object) else {
        return edits;
    };
    let Some(profile) = profiles
        .get(PLACEHOLDER_PROFILE)
        .filter(|p| p["provider"] == PLUGIN_ID)
    else {
        return edits;
    };
    let mut rest = profiles.clone();
    rest.shift_remove(PLACEHOLDER_PROFILE);
    changes.push(change(
        format!("auth.profiles.{PLACEHOLDER_PROFILE}"),
        Some(profile.clone()),
        None,
        "the upstream login's placeholder credential (token higress-local)",
    ));
    let only_profiles = get(cfg, &["auth"])
        .and_then(Value::as_object)
        .is_some_and(|auth| auth.keys().all(|k| k == "profiles"));
    if rest.is_empty() && only_profiles {
        // Nothing else in `auth`: no empty object is left behind.
        edits.push(Edit::remove(&["auth"]));
        return edits;
    }
    edits.push(if rest.is_empty() {
        Edit::remove(&["auth", "profiles"])
    } else {
        Edit::set(&["auth", "profiles"], Value::Object(rest))
    });
    if let Some(order) = get(cfg, &["auth", "order"]).and_then(Value::as_object) {
        let mut new = order.clone();
        for ids in new.values_mut().filter_map(Value::as_array_mut) {
            ids.retain(|id| id != PLACEHOLDER_PROFILE);
        }
        new.retain(|_, ids| ids.as_array().is_none_or(|a| !a.is_empty()));
        if &new != order {
            edits.push(Edit::set(&["auth", "order"], Value::Object(new)));
        }
    }
    edits
}
