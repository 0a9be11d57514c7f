//! What restricts model choice: `agents.defaults.models` (the allowlist up to 2026.7) and
//! `agents.defaults.modelPolicy.allow` (from 2026.8.1).

use serde_json::{Map, Value, json};

use super::super::config::get;
use super::{Change, Edit, PREFIX, change, undoubled};

/// `agents.defaults.models`: other providers' entries kept, ours exactly the served
/// refs (an old entry's alias and params kept, under its undoubled name).
pub(super) fn allowlist_edit(
    cfg: &Value,
    refs: &[String],
    changes: &mut Vec<Change>,
) -> Option<Edit> {
    let old = get(cfg, &["agents", "defaults", "models"]).and_then(Value::as_object);
    let empty = Map::new();
    let old = old.unwrap_or(&empty);
    let mut new: Map<String, Value> = old
        .iter()
        .filter(|(k, _)| !k.starts_with(PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for r in refs {
        let previous = old
            .iter()
            .find(|(k, _)| undoubled(k).eq_ignore_ascii_case(r))
            .map(|(_, v)| v.clone());
        new.insert(r.clone(), previous.unwrap_or_else(|| json!({})));
    }
    let stale: Vec<Value> = old
        .keys()
        .filter(|k| k.starts_with(PREFIX) && !new.contains_key(k.as_str()))
        .map(|k| json!(k))
        .collect();
    if !stale.is_empty() {
        changes.push(change(
            "agents.defaults.models",
            Some(Value::Array(stale)),
            None,
            "refs the gateway does not serve (or doubled as higress/higress/…); the allowlist names the served models",
        ));
    }
    (old != &new).then(|| Edit::set(&["agents", "defaults", "models"], Value::Object(new)))
}

/// `agents.defaults.modelPolicy.allow` (OpenClaw 2026.8.1 and later): when it restricts,
/// its `higress/…` refs become the served ones. A legacy allowlist not yet copied into
/// it is copied now, with the served refs, as OpenClaw would on its next write.
pub(super) fn model_policy_edit(
    cfg: &Value,
    refs: &[String],
    changes: &mut Vec<Change>,
) -> Option<Edit> {
    let defaults = get(cfg, &["agents", "defaults"]);
    let policy = defaults.and_then(|d| d.get("modelPolicy"));
    let ours_or_wildcard = |r: &str| r.starts_with(PREFIX) && r != "higress/*";
    let served = |list: &[Value]| -> Vec<Value> {
        let mut out: Vec<Value> = list
            .iter()
            .filter(|r| !r.as_str().is_some_and(ours_or_wildcard))
            .cloned()
            .collect();
        if !out.iter().any(|r| r == "higress/*") {
            out.extend(refs.iter().map(|r| json!(r)));
        }
        out
    };
    if let Some(policy) = policy {
        let allow = policy
            .get("allow")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())?;
        let new = served(allow);
        if &new == allow {
            return None;
        }
        changes.push(change(
            "agents.defaults.modelPolicy.allow",
            Some(Value::Array(allow.clone())),
            Some(Value::Array(new.clone())),
            "it restricts model choice: its higress refs are the served models",
        ));
        return Some(Edit::set(
            &["agents", "defaults", "modelPolicy", "allow"],
            Value::Array(new),
        ));
    }
    let migrated = get(cfg, &["meta", "migrations", "modelPolicyAllowlist"]) == Some(&json!(true));
    let legacy = defaults
        .and_then(|d| d.get("models"))
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())?;
    if migrated {
        return None;
    }
    let keys: Vec<Value> = legacy.keys().map(|k| json!(k)).collect();
    let new = served(&keys);
    changes.push(change(
        "agents.defaults.modelPolicy",
        None,
        Some(json!({ "allow": new.clone() })),
        "the legacy allowlist restricts model choice; OpenClaw would copy it with the stale refs",
    ));
    Some(Edit::set(
        &["agents", "defaults", "modelPolicy"],
        json!({ "allow": new }),
    ))
}
