//! Whole-folder operations on the data folder, through one edit protocol:
//! lock, read, change the typed model (unknown fields kept), write atomically in a
//! safe order, skip files whose bytes did not change, report what changed.
//!
//! Write order matters because Higress reloads each file as it lands: a provider
//! becomes reachable only through its ingress, so on commit the ingresses of removed
//! providers go first, then the console ConfigMaps, the McpBridge registry and the
//! ai-proxy entry, and the ingresses of added providers last. An interruption at any
//! point leaves either the old routing or the new one, never a route to a provider that
//! has no upstream or no key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::catalog::{self, ProviderSpec};
use super::paths;
use super::pattern::HeaderMatch;
use super::provider::ProviderConfig;
use super::resources::{
    self, AiProxyConfig, AutoRouting, ConfigMap, Ingress, MatchRule, McpBridge, McpBridgeSpec,
    ModelRouterConfig, ProviderEntry, Registry, Resource, WasmPlugin, mapping, string,
};
use super::settings::DeploymentSettings;
use super::store::{LockGuard, Store, StoreError};
use crate::secret::Secret;
use crate::yaml::{self, Mapping, Value};

#[derive(Debug, Error)]
pub enum FolderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "cannot parse {path}{}: {message}; fix the file by hand or restore it from a backup",
        line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("cannot render {path}: {message}")]
    Render { path: String, message: String },
}

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
}

impl ConfiguredProvider {
    pub fn display_name(&self) -> &str {
        self.spec.map_or(self.id.as_str(), |s| s.display_name)
    }

    /// Models a client can ask this provider for: the catalog's known models that its
    /// route accepts, else the literal model ids of its pattern.
    pub fn client_models(&self) -> Vec<catalog::ClientModel> {
        let Some(route) = &self.route else {
            return Vec::new();
        };
        let known: Vec<catalog::ClientModel> = self
            .spec
            .map(|s| s.example_models)
            .unwrap_or_default()
            .iter()
            .filter(|m| route.matches(m))
            .map(|m| catalog::client_model(m))
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
                    .map(catalog::client_model)
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
        config.models = self.route.as_ref().map(pattern_of);
        Some(config)
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

fn is_gateway_entry(name: &str, is_dir: bool) -> bool {
    if is_dir {
        let resource_plural = name.len() > 1
            && name.ends_with('s')
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        name == paths::LOGS || resource_plural
    } else {
        [paths::MARKER, paths::DEFAULT_CFG, super::store::LOCK_FILE].contains(&name)
            || super::store::is_temp_name(name)
    }
}

/// Upstream writes a placeholder token for providers nobody configured.
pub fn is_placeholder_key(key: &str) -> bool {
    key.starts_with("YOUR_") && key.ends_with("_API_KEY")
}

#[derive(Debug, Clone)]
pub struct DataFolder {
    store: Store,
}

impl DataFolder {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            store: Store::new(root),
        }
    }

    pub fn root(&self) -> &Path {
        self.store.root()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Configured = the marker the image's template checks is present.
    pub fn is_configured(&self) -> bool {
        self.store.exists(paths::MARKER)
    }

    /// Entries that a gateway folder would not hold, sorted; empty when the folder is
    /// missing, empty, or holds only what we, get-ai-gateway.sh or the image write:
    /// `default.cfg`, the marker, our lock and temp files, `logs/`, and resource folders
    /// (`wasmplugins/`, `secrets/`, …: lowercase plurals, as the file-backed apiserver
    /// names them). Writing a gateway into someone's project folder, and later purging
    /// it, would take their files along.
    pub fn foreign_entries(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root()) else {
            return Vec::new();
        };
        let mut foreign: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                !is_gateway_entry(&name, is_dir)
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        foreign.sort();
        foreign
    }

    pub fn begin(&self, on_wait: impl FnOnce(&Path)) -> Result<Transaction<'_>, FolderError> {
        let guard = self.store.lock(on_wait)?;
        Ok(Transaction {
            folder: self,
            guard,
            ai_proxy: None,
            bridge: None,
            router: None,
            ingresses: BTreeMap::new(),
            configmaps: BTreeMap::new(),
            plain: BTreeMap::new(),
        })
    }

    /// A resource file parsed into `T`; `None` when the file does not exist.
    pub fn load_resource<T: DeserializeOwned>(
        &self,
        relative: &str,
    ) -> Result<Option<T>, FolderError> {
        self.load(relative)
    }

    fn load<T: DeserializeOwned>(&self, relative: &str) -> Result<Option<T>, FolderError> {
        let Some(text) = self.store.read(relative)? else {
            return Ok(None);
        };
        yaml::parse(&text)
            .map(Some)
            .map_err(|err| FolderError::Parse {
                path: self.store.path(relative),
                line: err.line,
                message: err.message,
            })
    }

    pub fn settings(&self) -> Result<Option<DeploymentSettings>, FolderError> {
        Ok(self
            .store
            .read(paths::DEFAULT_CFG)?
            .map(|text| DeploymentSettings::from_text(&text)))
    }

    pub fn auto_routing(&self) -> Result<Option<AutoRouting>, FolderError> {
        Ok(self
            .load::<WasmPlugin<ModelRouterConfig>>(paths::MODEL_ROUTER)?
            .and_then(|r| r.spec.default_config.auto_routing))
    }

    /// Providers upstream wrote for nobody: every token is a `YOUR_…_API_KEY` placeholder.
    /// Providers with at least one real key or setting, as the gateway will use them.
    /// Upstream's unconfigured placeholders (`YOUR_…_API_KEY`) are left out.
    pub fn providers(&self) -> Result<Vec<ConfiguredProvider>, FolderError> {
        let Some(proxy) = self.load::<WasmPlugin<AiProxyConfig>>(paths::AI_PROXY)? else {
            return Ok(Vec::new());
        };
        let bridge = self.load::<McpBridge>(paths::MCP_BRIDGE)?;
        let mut out = Vec::new();
        for entry in proxy.spec.default_config.providers {
            let keys: Vec<Secret> = entry
                .api_tokens
                .iter()
                .filter(|k| !is_placeholder_key(k.expose()))
                .cloned()
                .collect();
            if keys.is_empty() && !entry.api_tokens.is_empty() {
                continue;
            }
            let route =
                self.load::<Ingress>(&paths::ingress(&entry.id))?
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
            out.push(ConfiguredProvider {
                spec: catalog::PROVIDERS.iter().find(|p| p.id == entry.id),
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
}

/// Something wrong with the folder that Higress would silently ignore or misroute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A resource file that does not parse (Higress keeps the old config).
    Unparseable { path: String, message: String },
    /// A provider that still carries upstream's `YOUR_…_API_KEY` token.
    Placeholder { provider: String },
    /// Two providers whose routes claim the same models.
    SameModels {
        first: String,
        second: String,
        route: String,
    },
    /// A provider entry without an ingress: it can never serve.
    Unrouted { provider: String },
    /// Auto-routing sends requests to a model no provider serves (`what`: "the default
    /// model", "rule 2").
    UnservedTarget { what: String, model: String },
}

impl DataFolder {
    /// Every problem found in the folder, without changing it.
    pub fn problems(&self) -> Result<Vec<Problem>, FolderError> {
        let mut out = Vec::new();
        for dir in ["wasmplugins", "ingresses", "configmaps", "mcpbridges"] {
            let Ok(entries) = std::fs::read_dir(self.root().join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".yaml") {
                    continue;
                }
                let relative = format!("{dir}/{name}");
                if let Err(FolderError::Parse { line, message, .. }) = self.load::<Value>(&relative)
                {
                    let at = line.map(|l| format!(":{l}")).unwrap_or_default();
                    out.push(Problem::Unparseable {
                        path: format!("{relative}{at}"),
                        message,
                    });
                }
            }
        }
        if out.iter().any(|p| matches!(p, Problem::Unparseable { .. })) {
            return Ok(out);
        }
        if let Some(proxy) = self.load::<WasmPlugin<AiProxyConfig>>(paths::AI_PROXY)? {
            for entry in &proxy.spec.default_config.providers {
                if entry
                    .api_tokens
                    .iter()
                    .any(|t| is_placeholder_key(t.expose()))
                {
                    out.push(Problem::Placeholder {
                        provider: entry.id.clone(),
                    });
                }
            }
        }
        let providers = self.providers()?;
        for p in providers.iter().filter(|p| p.route.is_none()) {
            out.push(Problem::Unrouted {
                provider: p.id.clone(),
            });
        }
        for (a, b) in super::pattern::same_routes(&providers, |p| p.route.clone()) {
            out.push(Problem::SameModels {
                first: a.id.clone(),
                second: b.id.clone(),
                route: a
                    .route
                    .as_ref()
                    .map(|r| r.value().to_string())
                    .unwrap_or_default(),
            });
        }
        for (what, model) in self.unserved_targets(&providers)? {
            out.push(Problem::UnservedTarget { what, model });
        }
        Ok(out)
    }

    /// Where an enabled auto-routing sends requests that no provider in `providers`
    /// serves: `(which requests, model)`.
    pub fn unserved_targets(
        &self,
        providers: &[ConfiguredProvider],
    ) -> Result<Vec<(String, String)>, FolderError> {
        let Some(routing) = self.auto_routing()?.filter(|r| r.enable) else {
            return Ok(Vec::new());
        };
        Ok(routing
            .targets()
            .into_iter()
            .filter(|(_, model)| super::routing::resolve(model, providers).provider.is_none())
            .collect())
    }
}

/// One locked edit of the folder. Nothing reaches disk before [`Transaction::commit`].
pub struct Transaction<'a> {
    folder: &'a DataFolder,
    guard: LockGuard<'a>,
    ai_proxy: Option<WasmPlugin<AiProxyConfig>>,
    bridge: Option<McpBridge>,
    router: Option<WasmPlugin<ModelRouterConfig>>,
    /// Pending ingress documents by provider id; `None` = delete.
    ingresses: BTreeMap<String, Option<Ingress>>,
    configmaps: BTreeMap<String, Option<ConfigMap>>,
    /// Other files by relative path, with their full new text.
    plain: BTreeMap<&'static str, String>,
}

impl Transaction<'_> {
    pub fn folder(&self) -> &DataFolder {
        self.folder
    }

    pub fn ai_proxy(&mut self) -> Result<&mut WasmPlugin<AiProxyConfig>, FolderError> {
        loaded(&mut self.ai_proxy, self.folder, paths::AI_PROXY, || {
            resources::wasm_plugin(
                "ai-proxy",
                "ai-proxy.internal",
                "AI Proxy",
                "UNSPECIFIED_PHASE",
                100,
                AiProxyConfig::default(),
            )
        })
    }

    pub fn bridge(&mut self) -> Result<&mut McpBridge, FolderError> {
        loaded(
            &mut self.bridge,
            self.folder,
            paths::MCP_BRIDGE,
            default_bridge,
        )
    }

    pub fn router(&mut self) -> Result<&mut WasmPlugin<ModelRouterConfig>, FolderError> {
        let router = loaded(&mut self.router, self.folder, paths::MODEL_ROUTER, || {
            resources::wasm_plugin(
                "model-router",
                "model-router.internal",
                "AI Model Router",
                "AUTHN",
                900,
                ModelRouterConfig::default(),
            )
        })?;
        // The ingresses match on this header; without it no request is routed.
        router
            .spec
            .default_config
            .model_to_header
            .get_or_insert_with(|| super::pattern::MODEL_HEADER.to_string());
        Ok(router)
    }

    /// Adds `provider`, or updates it in place, with every resource it needs.
    pub fn upsert_provider(&mut self, provider: &ProviderConfig) -> Result<(), FolderError> {
        self.upsert_auth_service(provider)?;
        self.upsert_proxy_entry(provider)?;
        self.upsert_endpoint_registry(provider)?;
        self.upsert_ingress(provider)?;
        self.upsert_route_configmap(provider)
    }

    /// The token service some providers call besides their endpoint (Vertex with a
    /// service account); one the entry had and no longer needs goes.
    fn upsert_auth_service(&mut self, provider: &ProviderConfig) -> Result<(), FolderError> {
        let old_auth = self.auth_registry_of(provider.spec.id)?;
        let new_auth = provider.auth_service();
        if let Some(old) = old_auth.filter(|old| new_auth.as_ref().is_none_or(|(n, _)| n != old)) {
            self.bridge()?.spec.registries.retain(|r| r.name != old);
        }
        if let Some((name, auth)) = &new_auth {
            upsert_registry(
                &mut self.bridge()?.spec.registries,
                Registry {
                    name: name.clone(),
                    kind: auth.registry_type().to_string(),
                    protocol: Some(auth.protocol.clone()),
                    domain: auth.domain.clone(),
                    port: auth.port,
                    other: Mapping::new(),
                },
            );
        }
        Ok(())
    }

    /// The ai-proxy entry and its match rule; unknown fields and settings we do not
    /// manage are kept.
    fn upsert_proxy_entry(&mut self, provider: &ProviderConfig) -> Result<(), FolderError> {
        let id = provider.spec.id;
        let service = provider.service_name();
        let proxy = &mut self.ai_proxy()?.spec;
        let providers = &mut proxy.default_config.providers;
        let entry = match providers.iter().position(|p| p.id == id) {
            Some(index) => &mut providers[index],
            None => {
                let index = insertion_index(providers.iter().map(|p| p.id.as_str()), id);
                providers.insert(
                    index,
                    ProviderEntry {
                        id: id.to_string(),
                        kind: String::new(),
                        api_tokens: Vec::new(),
                        settings: Mapping::new(),
                    },
                );
                &mut providers[index]
            }
        };
        entry.kind = provider.spec.ai_proxy_type.to_string();
        entry.api_tokens = provider.keys.clone();
        for setting in provider.spec.settings {
            entry.settings.remove(setting.field);
        }
        for (field, value) in provider.rendered_settings() {
            entry
                .settings
                .insert(Value::String(field.to_string()), value);
        }
        let rules = &mut proxy.match_rules;
        match rules
            .iter_mut()
            .find(|r| r.active_provider_id() == Some(id))
        {
            Some(rule) => rule.service = vec![service],
            None => {
                let index =
                    insertion_index(rules.iter().filter_map(|r| r.active_provider_id()), id);
                rules.insert(
                    index.min(rules.len()),
                    MatchRule {
                        service: vec![service],
                        config_disable: false,
                        config: mapping([("activeProviderId", string(id))]),
                        other: Mapping::new(),
                    },
                )
            }
        }
        Ok(())
    }

    /// The McpBridge registry of the provider's endpoint (`static` with `host:port` for
    /// an IPv4 address, else `dns`).
    fn upsert_endpoint_registry(&mut self, provider: &ProviderConfig) -> Result<(), FolderError> {
        let endpoint = provider.endpoint();
        let domain = if endpoint.registry_type() == "static" {
            format!("{}:{}", endpoint.domain, endpoint.port)
        } else {
            endpoint.domain.clone()
        };
        let registry = Registry {
            name: provider.registry_name(),
            kind: endpoint.registry_type().to_string(),
            protocol: Some(endpoint.protocol.clone()),
            domain,
            port: provider.service_port(),
            other: Mapping::new(),
        };
        upsert_registry(&mut self.bridge()?.spec.registries, registry);
        Ok(())
    }

    /// The ingress routing the provider's models to its registry, edited in place.
    fn upsert_ingress(&mut self, provider: &ProviderConfig) -> Result<(), FolderError> {
        let id = provider.spec.id;
        let matcher = provider.header_match();
        let mut ingress = match self.ingresses.remove(id).flatten() {
            Some(ingress) => ingress,
            None => self
                .folder
                .load::<Ingress>(&paths::ingress(id))?
                .unwrap_or_else(|| new_ingress(id)),
        };
        let annotations = &mut ingress.metadata.annotations;
        annotations.retain(|k, _| {
            k.as_str()
                .is_none_or(|k| HeaderMatch::from_annotation(k, "").is_none())
        });
        annotations.insert(
            string("higress.io/destination"),
            string(format!(
                "{}:{}",
                provider.service_name(),
                provider.service_port()
            )),
        );
        annotations.insert(string("higress.io/ignore-path-case"), string("false"));
        annotations.insert(string(matcher.annotation_key()), string(matcher.value()));
        self.ingresses.insert(id.to_string(), Some(ingress));
        Ok(())
    }

    /// The console's view of the route (`configmaps/ai-route-<id>.yaml`), edited in
    /// place: fields the console added are kept.
    fn upsert_route_configmap(&mut self, provider: &ProviderConfig) -> Result<(), FolderError> {
        let id = provider.spec.id;
        let mut configmap = match self.configmaps.remove(id).flatten() {
            Some(cm) => cm,
            None => self
                .folder
                .load::<ConfigMap>(&paths::route_configmap(id))?
                .unwrap_or_else(|| new_route_configmap(id)),
        };
        let old = configmap
            .data
            .get("data")
            .and_then(Value::as_str)
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            .filter(serde_json::Value::is_object);
        let mut data = old.unwrap_or_else(|| serde_json::json!({}));
        data["name"] = id.into();
        data["upstreams"] = serde_json::json!([{ "provider": id }]);
        data["modelPredicates"] = provider
            .header_match()
            .console_prefixes()
            .into_iter()
            .map(|p| serde_json::json!({ "matchType": "PRE", "matchValue": p }))
            .collect();
        if data.get("version").is_none() {
            data["version"] = "1".into();
        }
        let text = serde_json::to_string_pretty(&data).expect("JSON values serialize") + "\n";
        configmap.data.insert(string("data"), string(text));
        self.configmaps.insert(id.to_string(), Some(configmap));
        Ok(())
    }

    /// Removes every resource of provider `id`. Returns false if it had none.
    pub fn remove_provider(&mut self, id: &str) -> Result<bool, FolderError> {
        if let Some(auth) = self.auth_registry_of(id)? {
            self.bridge()?.spec.registries.retain(|r| r.name != auth);
        }
        let proxy = &mut self.ai_proxy()?.spec;
        let before = proxy.default_config.providers.len() + proxy.match_rules.len();
        proxy.default_config.providers.retain(|p| p.id != id);
        proxy
            .match_rules
            .retain(|r| r.active_provider_id() != Some(id));
        let mut removed = before != proxy.default_config.providers.len() + proxy.match_rules.len();
        let name = super::provider::registry_name(id);
        let registries = &mut self.bridge()?.spec.registries;
        let count = registries.len();
        registries.retain(|r| r.name != name);
        removed |= count != registries.len();
        removed |= self.folder.store.exists(&paths::ingress(id));
        removed |= self.folder.store.exists(&paths::route_configmap(id));
        self.ingresses.insert(id.to_string(), None);
        self.configmaps.insert(id.to_string(), None);
        Ok(removed)
    }

    /// The token-service registry the provider's current entry uses (Vertex's
    /// `vertexAuthServiceName`), when it is one we write: a registry of that name for
    /// Google's OAuth2 host. A registry the user made for something else is not ours.
    fn auth_registry_of(&mut self, id: &str) -> Result<Option<String>, FolderError> {
        let name = self
            .ai_proxy()?
            .spec
            .default_config
            .providers
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| p.settings.get("vertexAuthServiceName"))
            .and_then(Value::as_str)
            .map(String::from);
        let Some(name) = name else {
            return Ok(None);
        };
        let ours = self
            .bridge()?
            .spec
            .registries
            .iter()
            .any(|r| r.name == name && r.domain == super::provider::VERTEX_AUTH_DOMAIN);
        Ok(ours.then_some(name))
    }

    /// Removes every provider whose keys are all upstream placeholders; returns their
    /// ids. Read under this transaction's lock, so a key added meanwhile by another
    /// process is seen and its provider kept.
    pub fn remove_placeholder_providers(&mut self) -> Result<Vec<String>, FolderError> {
        let ids: Vec<String> = self
            .ai_proxy()?
            .spec
            .default_config
            .providers
            .iter()
            .filter(|p| {
                !p.api_tokens.is_empty()
                    && p.api_tokens.iter().all(|t| is_placeholder_key(t.expose()))
            })
            .map(|p| p.id.clone())
            .collect();
        for id in &ids {
            self.remove_provider(id)?;
        }
        Ok(ids)
    }

    /// Writes a plain file (marker, default.cfg) with the commit.
    pub fn put(&mut self, relative: &'static str, contents: String) {
        self.plain.insert(relative, contents);
    }

    /// The image's console ConfigMap, pointing the console's start page at AI routes.
    pub fn set_console_defaults(&mut self) -> Result<(), FolderError> {
        let mut cm = self
            .folder
            .load::<ConfigMap>(paths::CONSOLE_CONFIGMAP)?
            .unwrap_or_else(|| ConfigMap {
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                metadata: resources::ObjectMeta {
                    other: mapping([
                        ("creationTimestamp", string("2000-01-01T00:00:00Z")),
                        ("resourceVersion", string("1")),
                    ]),
                    ..resources::meta(
                        "higress-console",
                        mapping([("higress.io/resource-definer", string("higress"))]),
                        Mapping::new(),
                    )
                },
                data: mapping([
                    ("mode", string("standalone")),
                    ("system.initialized", string("false")),
                ]),
                other: Mapping::new(),
            });
        cm.data
            .insert(string("index.redirect-target"), string("/ai/route"));
        let text = render(paths::CONSOLE_CONFIGMAP, &cm)?;
        self.plain.insert(paths::CONSOLE_CONFIGMAP, text);
        let stats = resources::wasm_plugin(
            "ai-statistics",
            "ai-statistics-1.0.0",
            "AI Statistics",
            "UNSPECIFIED_PHASE",
            900,
            mapping([("use_default_attributes", Value::Bool(true))]),
        );
        if !self.folder.store.exists(paths::AI_STATISTICS) {
            let text = render(paths::AI_STATISTICS, &stats)?;
            self.plain.insert(paths::AI_STATISTICS, text);
        }
        self.router()?;
        self.bridge()?;
        Ok(())
    }

    /// Writes everything in the safe order; returns the files that changed.
    pub fn commit(mut self) -> Result<Vec<String>, FolderError> {
        let guard = &self.guard;
        let mut changed = Vec::new();
        let mut note = |path: String, did: bool| {
            if did {
                changed.push(path);
            }
        };
        // 1. Ingresses of removed providers: they stop routing first.
        for (id, doc) in &self.ingresses {
            if doc.is_none() {
                let path = paths::ingress(id);
                note(path.clone(), guard.remove(&path)?);
            }
        }
        // 2. Console ConfigMaps (metadata only, never routing).
        for (id, doc) in &self.configmaps {
            if let Some(doc) = doc {
                let path = paths::route_configmap(id);
                note(path.clone(), guard.write(&path, &render(&path, doc)?)?);
            }
        }
        // 3. Upstream registries, then 4. the ai-proxy entries that use them.
        if let Some(bridge) = self.bridge.take() {
            let text = render(paths::MCP_BRIDGE, &bridge)?;
            note(
                paths::MCP_BRIDGE.into(),
                guard.write(paths::MCP_BRIDGE, &text)?,
            );
        }
        if let Some(proxy) = self.ai_proxy.take() {
            let text = render(paths::AI_PROXY, &proxy)?;
            note(paths::AI_PROXY.into(), guard.write(paths::AI_PROXY, &text)?);
        }
        if let Some(router) = self.router.take() {
            let text = render(paths::MODEL_ROUTER, &router)?;
            note(
                paths::MODEL_ROUTER.into(),
                guard.write(paths::MODEL_ROUTER, &text)?,
            );
        }
        for (path, text) in &self.plain {
            if *path != paths::MARKER {
                note(path.to_string(), guard.write(path, text)?);
            }
        }
        // 5. Ingresses of added providers: the last step makes them reachable.
        for (id, doc) in &self.ingresses {
            if let Some(doc) = doc {
                let path = paths::ingress(id);
                note(path.clone(), guard.write(&path, &render(&path, doc)?)?);
            }
        }
        // 6. Leftovers of removed providers.
        for (id, doc) in &self.configmaps {
            if doc.is_none() {
                let path = paths::route_configmap(id);
                note(path.clone(), guard.remove(&path)?);
            }
        }
        // The marker last: a folder is "configured" only once it is complete.
        if let Some(text) = self.plain.get(paths::MARKER) {
            note(paths::MARKER.into(), guard.write(paths::MARKER, text)?);
        }
        Ok(changed)
    }
}

/// Adds `registry`, or replaces the one of that name keeping its unknown fields.
fn upsert_registry(registries: &mut Vec<Registry>, registry: Registry) {
    match registries.iter_mut().find(|r| r.name == registry.name) {
        Some(existing) => {
            let other = std::mem::take(&mut existing.other);
            *existing = Registry { other, ..registry };
        }
        None => registries.push(registry),
    }
}

/// The transaction's copy of a resource: read from the folder (under the lock) the
/// first time it is asked for, or `default` when the file does not exist yet.
fn loaded<'s, T: DeserializeOwned>(
    slot: &'s mut Option<T>,
    folder: &DataFolder,
    relative: &str,
    default: impl FnOnce() -> T,
) -> Result<&'s mut T, FolderError> {
    match slot {
        Some(resource) => Ok(resource),
        None => Ok(slot.insert(folder.load(relative)?.unwrap_or_else(default))),
    }
}

/// Where a new entry for `id` goes so that entries stay in catalog order.
fn insertion_index<'a>(existing: impl Iterator<Item = &'a str>, id: &str) -> usize {
    let rank = |name: &str| catalog::PROVIDERS.iter().position(|p| p.id == name);
    let mine = rank(id);
    let ids: Vec<&str> = existing.collect();
    ids.iter()
        .position(|other| match (rank(other), mine) {
            (Some(o), Some(m)) => o > m,
            _ => false,
        })
        .unwrap_or(ids.len())
}

pub fn render<T: Serialize>(path: &str, value: &T) -> Result<String, FolderError> {
    yaml::to_string(value).map_err(|err| FolderError::Render {
        path: path.to_string(),
        message: err.to_string(),
    })
}

fn default_bridge() -> McpBridge {
    Resource {
        api_version: "networking.higress.io/v1".into(),
        kind: "McpBridge".into(),
        metadata: resources::ObjectMeta {
            other: mapping([
                ("creationTimestamp", string("2000-01-01T00:00:00Z")),
                ("resourceVersion", string("1")),
            ]),
            ..resources::meta("default", Mapping::new(), Mapping::new())
        },
        spec: McpBridgeSpec {
            registries: vec![Registry {
                name: "higress-console".into(),
                kind: "static".into(),
                protocol: None,
                domain: "127.0.0.1:8001".into(),
                port: 80,
                other: Mapping::new(),
            }],
            other: Mapping::new(),
        },
        other: mapping([("status", Value::Mapping(Mapping::new()))]),
    }
}

fn new_ingress(id: &str) -> Ingress {
    let spec: Value = yaml::from_str(
        "ingressClassName: higress\nrules:\n- http:\n    paths:\n    - backend:\n        resource:\n          apiGroup: networking.higress.io\n          kind: McpBridge\n          name: default\n      path: /\n      pathType: Prefix\n",
    )
    .expect("static ingress spec parses");
    Resource {
        api_version: "networking.k8s.io/v1".into(),
        kind: "Ingress".into(),
        metadata: resources::meta(
            &format!("ai-route-{id}.internal"),
            mapping([("higress.io/resource-definer", string("higress"))]),
            Mapping::new(),
        ),
        spec,
        other: Mapping::new(),
    }
}

fn new_route_configmap(id: &str) -> ConfigMap {
    ConfigMap {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        metadata: resources::meta(
            &format!("ai-route-{id}"),
            mapping([
                ("higress.io/config-map-type", string("ai-route")),
                ("higress.io/resource-definer", string("higress")),
            ]),
            Mapping::new(),
        ),
        data: Mapping::new(),
        other: Mapping::new(),
    }
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
