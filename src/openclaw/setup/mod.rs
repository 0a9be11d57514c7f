//! What `openclaw setup` changes in OpenClaw's config, decided without running anything.
//!
//! The plan owns a few subtrees and writes each one whole, computed from what is there:
//! `models.providers.higress` (its models are exactly what the gateway serves; fields we
//! do not set are kept), the `higress/…` keys of the allowlist `agents.defaults.models`
//! (and of `agents.defaults.modelPolicy.allow` on releases that have it), the plugin's
//! own settings, and what the upstream plugin left (its placeholder key and credential,
//! the old `higress-ai-gateway` entry, doubled `higress/higress/…` refs). Everything that
//! changes something already there is listed as a [`Change`], which is how the command
//! says what it migrated.

mod allowlists;
mod entries;
mod provider;

use serde_json::{Map, Value, json};

use super::PLUGIN_ID;
use super::config::{ConfigFile, get, set};
use crate::gateway::models::ClientModel;
use crate::secret::Secret;

use allowlists::{allowlist_edit, model_policy_edit};
pub use entries::old_plugin_id_edits;
use entries::{auth_profile_edits, plugin_entry_edits};
use provider::provider_value;

const PREFIX: &str = "higress/";

/// What the setup starts from.
#[derive(Debug)]
pub struct SetupInput<'a> {
    pub config: &'a ConfigFile,
    /// This gateway's URL, `http://127.0.0.1:<port>/v1`, or the `--base-url` given.
    pub gateway_url: String,
    /// The user named the URL: it wins over what the config has.
    pub explicit_url: bool,
    pub api_key: Option<&'a Secret>,
    /// What the gateway serves; with auto-routing on, the auto-router first.
    pub models: &'a [ClientModel],
    pub auto_routing: bool,
    /// The model the gateway's auto-routing falls back to.
    pub routing_default: Option<String>,
    /// The release restricts model choice with `agents.defaults.modelPolicy.allow`.
    pub model_policy: bool,
}

/// One value to write at a path (`None` removes it). Objects and arrays replace what
/// is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub path: Vec<String>,
    pub value: Option<Value>,
}

impl Edit {
    fn set(path: &[&str], value: Value) -> Self {
        Self {
            path: path.iter().map(|s| s.to_string()).collect(),
            value: Some(value),
        }
    }

    fn remove(path: &[&str]) -> Self {
        Self {
            path: path.iter().map(|s| s.to_string()).collect(),
            value: None,
        }
    }

    pub fn dotted(&self) -> String {
        self.path.join(".")
    }
}

/// Something already in the config that the setup changes, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub why: String,
}

fn change(
    path: impl Into<String>,
    before: Option<Value>,
    after: Option<Value>,
    why: &str,
) -> Change {
    Change {
        path: path.into(),
        before,
        after,
        why: why.to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct SetupPlan {
    pub base_url: String,
    /// `higress/<id>`, set with `openclaw models set`.
    pub default_model: String,
    pub edits: Vec<Edit>,
    pub changes: Vec<Change>,
    /// What the user may want to do that the setup does not.
    pub notes: Vec<String>,
    /// Model entries of the config the gateway no longer serves (for staged writes).
    pub dropped_models: Vec<Value>,
}

impl SetupPlan {
    /// The edits as one merge patch (`null` removes), the way `config patch` reads it.
    pub fn patch(&self) -> Value {
        let mut patch = Value::Object(Map::new());
        for edit in &self.edits {
            set(
                &mut patch,
                &edit.path,
                Some(edit.value.clone().unwrap_or(Value::Null)),
            );
        }
        patch
    }

    /// The paths whose object or array replaces what is there instead of merging.
    pub fn replace_paths(&self) -> Vec<String> {
        replace_paths(&self.edits)
    }
}

/// The `--replace-path`s of `edits`: every object or array that is set.
pub fn replace_paths(edits: &[Edit]) -> Vec<String> {
    edits
        .iter()
        .filter(|e| {
            e.value
                .as_ref()
                .is_some_and(|v| v.is_object() || v.is_array())
        })
        .map(Edit::dotted)
        .collect()
}

/// `higress/<id>` as OpenClaw names a model of provider `higress`.
pub fn model_ref(id: &str) -> String {
    if id.starts_with(PREFIX) {
        id.to_string()
    } else {
        format!("{PREFIX}{id}")
    }
}

/// The plain ref of a possibly doubled one: `higress/higress/auto` → `higress/auto`.
fn undoubled(key: &str) -> String {
    let mut key = key;
    while let Some(rest) = key.strip_prefix(PREFIX) {
        if !rest.starts_with(PREFIX) {
            break;
        }
        key = rest;
    }
    key.to_string()
}

/// Two model ids name the same model: equal, or the auto-router's two spellings.
fn same_model(a: &str, b: &str) -> bool {
    let plain = |s: &str| s.strip_prefix(PREFIX).unwrap_or(s).to_string();
    a == b || (plain(a) == plain(b) && plain(a) == "auto")
}

pub fn plan_setup(input: &SetupInput) -> SetupPlan {
    let cfg = &input.config.value;
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let base_url = choose_base_url(input, &mut changes);
    let default_id = choose_default(input, &mut notes);
    let default_model = model_ref(&default_id);
    let refs: Vec<String> = input.models.iter().map(|m| model_ref(&m.id)).collect();
    let mut edits = Vec::new();
    if get(cfg, &["models", "mode"]).is_none() {
        edits.push(Edit::set(&["models", "mode"], json!("merge")));
    }
    let (provider, dropped_models) = provider_value(input, &base_url, &mut changes);
    edits.push(Edit::set(&["models", "providers", PLUGIN_ID], provider));
    if input.config.readable {
        edits.extend(allowlist_edit(cfg, &refs, &mut changes));
        if input.model_policy {
            edits.extend(model_policy_edit(cfg, &refs, &mut changes));
        }
        edits.extend(plugin_entry_edits(
            input,
            &base_url,
            &default_model,
            &mut changes,
        ));
        edits.extend(auth_profile_edits(cfg, &mut changes));
    }
    if let Some(primary) =
        get(cfg, &["agents", "defaults", "model", "primary"]).and_then(Value::as_str)
        && primary != default_model
        && primary.starts_with(PREFIX)
    {
        let why = if undoubled(primary) != primary {
            "the upstream plugin doubled the provider prefix"
        } else {
            "the default model is one the gateway serves"
        };
        changes.push(change(
            "agents.defaults.model.primary",
            Some(json!(primary)),
            Some(json!(default_model)),
            why,
        ));
    }
    SetupPlan {
        base_url,
        default_model,
        edits,
        changes,
        notes,
        dropped_models,
    }
}

/// The `--base-url` given; else the configured URL when it already points at this
/// gateway (kept as the user wrote it); else this gateway's.
fn choose_base_url(input: &SetupInput, changes: &mut Vec<Change>) -> String {
    let cfg = &input.config.value;
    let configured =
        get(cfg, &["models", "providers", PLUGIN_ID, "baseUrl"]).and_then(Value::as_str);
    let plugin = get(
        cfg,
        &["plugins", "entries", PLUGIN_ID, "config", "gatewayUrl"],
    )
    .and_then(Value::as_str);
    if !input.explicit_url
        && let Some(kept) = [configured, plugin]
            .into_iter()
            .flatten()
            .find(|url| same_gateway(url, &input.gateway_url))
    {
        return with_v1(kept);
    }
    if let Some(old) = configured.filter(|old| with_v1(old) != input.gateway_url) {
        let why = if input.explicit_url {
            "--base-url names the gateway"
        } else {
            "it did not point at this gateway"
        };
        changes.push(change(
            format!("models.providers.{PLUGIN_ID}.baseUrl"),
            Some(json!(old)),
            Some(json!(input.gateway_url)),
            why,
        ));
    }
    input.gateway_url.clone()
}

/// With auto-routing on, the auto-router; else the first the gateway serves of: the
/// configured default, the plugin's `defaultModel`, the upstream plugin's
/// `autoRoutingDefaultModel`; else the first model.
fn choose_default(input: &SetupInput, notes: &mut Vec<String>) -> String {
    let first = input.models[0].id.clone();
    if input.auto_routing {
        return first;
    }
    let cfg = &input.config.value;
    let plugin =
        |key| get(cfg, &["plugins", "entries", PLUGIN_ID, "config", key]).and_then(Value::as_str);
    let primary = get(cfg, &["agents", "defaults", "model", "primary"])
        .and_then(Value::as_str)
        .filter(|p| p.starts_with(PREFIX));
    let served = |id: &str| input.models.iter().any(|m| m.id == id);
    let plain = |s: &str| {
        undoubled(s)
            .strip_prefix(PREFIX)
            .map_or(s.to_string(), str::to_string)
    };
    let wanted_auto = primary.is_some_and(|p| plain(p) == "auto");
    let pick = [
        primary,
        plugin("defaultModel"),
        plugin("autoRoutingDefaultModel"),
    ]
    .into_iter()
    .flatten()
    .map(plain)
    .find(|id| served(id));
    if wanted_auto {
        let fallback = pick.clone().unwrap_or_else(|| first.clone());
        notes.push(format!(
            "auto-routing is off in this gateway, so the default model is higress/{fallback} instead of higress/auto; turn it on with `higress-claw route enable --default-model {fallback}` and run `higress-claw openclaw setup` again"
        ));
    }
    pick.unwrap_or(first)
}

/// `http(s)://host[:port]/path` → (scheme, host, port, path).
fn split_url(url: &str) -> Option<(String, String, u16, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let default_port = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, p.parse().ok()?)
        }
        _ => (authority, default_port),
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    Some((scheme, host, port, path.trim_end_matches('/').to_string()))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// `url` reaches the same gateway as `ours`: same scheme and port, the same host or
/// loopback both, and the API at `/v1` (or no path, which OpenClaw's client completes).
pub(super) fn same_gateway(url: &str, ours: &str) -> bool {
    let (Some(a), Some(b)) = (split_url(url), split_url(ours)) else {
        return false;
    };
    a.0 == b.0
        && a.2 == b.2
        && (a.1 == b.1 || (is_loopback(&a.1) && is_loopback(&b.1)))
        && (a.3.is_empty() || a.3 == b.3)
}

fn with_v1(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    match split_url(trimmed) {
        Some((_, _, _, path)) if path.is_empty() => format!("{trimmed}/v1"),
        _ => trimmed.to_string(),
    }
}

/// The patch as it may be shown: the gateway key masked.
pub fn shown_patch(patch: &Value) -> Value {
    let mut shown = patch.clone();
    if let Some(key) = shown["models"]["providers"][PLUGIN_ID]
        .get_mut("apiKey")
        .filter(|k| k.is_string())
    {
        *key = crate::secret::mask(key.as_str().unwrap_or_default()).into();
    }
    shown
}

#[cfg(test)]
mod tests;
