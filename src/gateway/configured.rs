//! The read model: a provider as it is configured in the folder (its ai-proxy entry
//! joined with its route and registry), and the way back from what is written to the
//! [`ProviderConfig`] it was written from, so an edit can change one thing and render the
//! rest exactly as before.

use super::catalog::{self, EndpointRule, ProviderSpec};
use super::fallback::{FallbackError, Target};
use super::folder::{DataFolder, FolderError};
use super::models::{self, ClientModel};
use super::paths;
use super::pattern::HeaderMatch;
use super::provider::{ProviderConfig, is_placeholder_entry, is_placeholder_key};
use super::resources::{AiProxyConfig, Ingress, McpBridge, Registry, WasmPlugin};
use crate::secret::Secret;
use crate::yaml::{Mapping, Value};

/// A provider as found in the folder: the ai-proxy entry joined with its route.
#[derive(Debug, Clone)]
pub struct ConfiguredProvider {
    pub id: String,
    pub kind: String,
    pub spec: Option<&'static ProviderSpec>,
    pub keys: Vec<Secret>,
    /// Provider settings from the ai-proxy entry, in file order.
    pub settings: Mapping,
    /// The model match of its ingress; `None` when it has no ingress (cannot serve).
    pub route: Option<HeaderMatch>,
    pub registry: Option<Registry>,
    /// The route's fallback to other providers (the console's `fallbackConfig`).
    pub fallback: Option<super::fallback::Fallback>,
}

impl ConfiguredProvider {
    pub fn display_name(&self) -> &str {
        self.spec.map_or(self.id.as_str(), |s| s.display_name)
    }

    /// Models a client can ask this provider for: the catalog's known models that its
    /// route accepts, else the literal model ids of its pattern.
    pub fn client_models(&self) -> Vec<ClientModel> {
        let Some(route) = &self.route else {
            return Vec::new();
        };
        let known: Vec<ClientModel> = self
            .spec
            .map(|s| s.example_models)
            .unwrap_or_default()
            .iter()
            .filter(|m| route.matches(m))
            .map(|m| models::client_model(m))
            .collect();
        if !known.is_empty() {
            return known;
        }
        self.to_config()
            .map(|c| {
                c.models()
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty() && !m.contains('*'))
                    .map(models::client_model)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Rebuilds the configuration this entry was written from, so an update can change
    /// one thing and re-render the rest exactly as before.
    pub fn to_config(&self) -> Option<ProviderConfig> {
        let spec = self.spec?;
        let mut config = ProviderConfig::new(spec);
        config.keys = self.keys.clone();
        for (key, value) in &self.settings {
            let (Some(field), Some(text)) = (key.as_str(), scalar_text(value)) else {
                continue;
            };
            if spec.setting(field).is_some() {
                config.set(field, text).ok()?;
            }
        }
        if let Some(url) = self.unread_url(spec) {
            config.set(url.0, url.1).ok()?;
        }
        config.models = self.route.as_ref().map(pattern_of);
        Some(config)
    }

    /// The URL setting the plugin does not read (`EndpointRule::Authority`), rebuilt
    /// from what it became: the authority field, `basePath` and the registry's protocol.
    fn unread_url(&self, spec: &ProviderSpec) -> Option<(&'static str, String)> {
        let EndpointRule::Authority {
            url,
            field,
            base_path,
        } = spec.endpoint
        else {
            return None;
        };
        let authority = self.settings.get(field).and_then(Value::as_str)?;
        let protocol = self
            .registry
            .as_ref()
            .and_then(|r| r.protocol.clone())
            .unwrap_or_else(|| "http".into());
        let path = if base_path {
            let prefix = self
                .settings
                .get("basePath")
                .and_then(Value::as_str)
                .unwrap_or("");
            format!("{prefix}/v1")
        } else {
            String::new()
        };
        Some((url, format!("{protocol}://{authority}{path}")))
    }
}

/// Turns a header match back into the comma pattern that renders to it.
fn pattern_of(route: &HeaderMatch) -> String {
    match route {
        HeaderMatch::Prefix(prefix) => {
            if prefix.ends_with('-') {
                format!("{prefix}*")
            } else {
                prefix.clone()
            }
        }
        HeaderMatch::Regex(re) if re == ".*" => "*".to_string(),
        HeaderMatch::Regex(re) => {
            let parts: Vec<String> = re
                .split('|')
                .map(|p| match p.strip_suffix(".*") {
                    Some(stem) if !stem.contains('*') => format!("{stem}*"),
                    _ => p.to_string(),
                })
                .collect();
            // A lone regex part renders back only through a list; keep it one.
            if parts.len() == 1 && !parts[0].ends_with('*') {
                format!("{},{}", parts[0], parts[0])
            } else {
                parts.join(",")
            }
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl DataFolder {
    /// Providers with at least one real key or setting, as the gateway will use them.
    /// Upstream's unconfigured placeholders (`YOUR_…_API_KEY`) are left out.
    pub fn providers(&self) -> Result<Vec<ConfiguredProvider>, FolderError> {
        let Some(proxy) = self.load_resource::<WasmPlugin<AiProxyConfig>>(paths::AI_PROXY)? else {
            return Ok(Vec::new());
        };
        let bridge = self.load_resource::<McpBridge>(paths::MCP_BRIDGE)?;
        let mut out = Vec::new();
        for entry in proxy.spec.default_config.providers {
            if is_placeholder_entry(&entry) {
                continue;
            }
            let spec = catalog::PROVIDERS.iter().find(|p| p.id == entry.id);
            // A provider that takes no key sends none: a token in its entry (an older
            // `--ollama-key`, Triton's filler) is not a key.
            let keys: Vec<Secret> = entry
                .api_tokens
                .iter()
                .filter(|k| !is_placeholder_key(k.expose()))
                .filter(|_| spec.is_none_or(|s| s.takes_keys()))
                .cloned()
                .collect();
            let route =
                self.load_resource::<Ingress>(&paths::ingress(&entry.id))?
                    .and_then(|ing| {
                        ing.metadata.annotations.iter().find_map(|(k, v)| {
                            HeaderMatch::from_annotation(k.as_str()?, v.as_str()?)
                        })
                    });
            let registry = bridge.as_ref().and_then(|b| {
                b.spec
                    .registries
                    .iter()
                    .find(|r| r.name == super::provider::registry_name(&entry.id))
                    .cloned()
            });
            let fallback = self.fallback_of(&entry.id)?;
            out.push(ConfiguredProvider {
                fallback,
                spec,
                id: entry.id,
                kind: entry.kind,
                keys,
                settings: entry.settings,
                route,
                registry,
            });
        }
        Ok(out)
    }

    /// The model to show a client first: `higress/auto` while auto-routing is on, else
    /// the first configured provider's example model; `None` with no provider.
    pub fn example_model(&self) -> Result<Option<String>, FolderError> {
        if self.auto_routing()?.is_some_and(|r| r.enable) {
            return Ok(Some(super::AUTO_MODEL.to_string()));
        }
        Ok(self
            .providers()?
            .iter()
            .find_map(|p| p.to_config())
            .map(|c| c.example_model()))
    }
}

/// The targets of the route of `id`, from the providers `--fallback` names (each
/// with the model given, if one was): each configured, none the route's own, each with
/// a model (given, or the first catalog example its route serves), each once.
pub fn fallback_targets(
    named: &[(&'static ProviderSpec, Option<String>)],
    id: &str,
    existing: &[ConfiguredProvider],
) -> Result<Vec<Target>, FallbackError> {
    let mut out: Vec<Target> = Vec::new();
    for (spec, model) in named {
        if spec.id == id {
            let other = existing.iter().map(|p| p.id.as_str()).find(|p| *p != id);
            return Err(FallbackError::ToItself {
                name: spec.display_name.to_string(),
                other: other.unwrap_or("qwen").to_string(),
            });
        }
        let Some(target) = existing.iter().find(|p| p.id == spec.id) else {
            return Err(FallbackError::NotConfigured {
                name: spec.display_name.to_string(),
                id: spec.id.to_string(),
            });
        };
        let model = match model.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => {
                crate::values::model_id(m).map_err(|why| FallbackError::BadModel {
                    target: format!("{}:{m}", spec.id),
                    why: why.to_string(),
                })?;
                m.to_string()
            }
            None => catalog_model(target).ok_or_else(|| FallbackError::NoModel {
                name: spec.display_name.to_string(),
                id: spec.id.to_string(),
            })?,
        };
        if !out.iter().any(|t| t.provider == spec.id) {
            out.push(Target {
                provider: spec.id.to_string(),
                model,
            });
        }
    }
    Ok(out)
}

/// The first of the catalog's example models that the provider's route serves.
fn catalog_model(provider: &ConfiguredProvider) -> Option<String> {
    let route = provider.route.as_ref()?;
    provider
        .spec?
        .example_models
        .iter()
        .find(|m| route.matches(m))
        .map(|m| m.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::pattern::header_match;

    #[test]
    fn patterns_survive_a_round_trip_through_the_ingress() {
        for p in [
            "qwen*",
            "deepseek-*",
            "GLM-*,glm-*",
            "*",
            "gpt-4o",
            "gpt-4-turbo,gpt-4o",
            "claude-3-5-sonnet-*,claude-opus-4-20250514",
        ] {
            let m = header_match(p);
            assert_eq!(header_match(&pattern_of(&m)), m, "{p}");
        }
    }
}
