//! Every resource of one provider, within a [`Transaction`]: added, updated in place
//! (fields the console or a person added are kept), or removed. The transaction's
//! commit writes them in its safe order.

use super::catalog;
use super::folder::{FolderError, Transaction};
use super::pattern::HeaderMatch;
use super::provider::{
    Endpoint, ProviderConfig, VERTEX_AUTH_DOMAIN, is_placeholder_entry, registry_name,
    side_routes_of,
};
use super::resilience::{FAILOVER_FIELD, RETRY_FIELD};
use super::resources::{ConfigMap, Ingress, MatchRule, ProviderEntry, Registry, mapping, string};
use super::{paths, templates};
use crate::yaml::{Mapping, Value};

impl Transaction<'_> {
    /// Every provider id with an ai-proxy entry or an `ai-route-<id>` ingress, whatever
    /// its keys (placeholders too).
    pub fn provider_ids(&mut self) -> Result<Vec<String>, FolderError> {
        let mut ids: Vec<String> = self
            .ai_proxy()?
            .spec
            .default_config
            .providers
            .iter()
            .map(|p| p.id.clone())
            .collect();
        if let Ok(entries) = std::fs::read_dir(self.folder.root().join("ingresses")) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                // `ai-route-bedrock.messages.internal`: a provider's second route.
                if let Some(id) = name
                    .strip_prefix("ai-route-")
                    .and_then(|n| n.strip_suffix(".internal.yaml"))
                    .filter(|id| !id.contains('.'))
                    && !ids.iter().any(|i| i == id)
                {
                    ids.push(id.to_string());
                }
            }
        }
        Ok(ids)
    }

    /// Adds `provider`, or updates it in place, with every resource it needs.
    pub fn upsert_provider(&mut self, provider: &ProviderConfig) -> Result<(), FolderError> {
        self.upsert_auth_service(provider)?;
        self.upsert_proxy_entry(provider)?;
        self.upsert_endpoint_registry(provider)?;
        let matcher = provider.header_match();
        let (service, port) = (provider.service_name(), provider.service_port());
        self.upsert_ingress(provider.spec.id, "/", &service, port, &matcher)?;
        for side in provider.side_routes() {
            upsert_registry(
                &mut self.bridge()?.spec.registries,
                registry_for(side.registry.clone(), &side.endpoint),
            );
            let port = side.endpoint.port;
            self.upsert_ingress(&side.key, side.path, &side.service_name(), port, &matcher)?;
        }
        self.upsert_route_configmap(provider)?;
        // With client keys on, a new route is protected like the others.
        self.sync_route_auth()
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
        // The plugin serves the provider on its second routes' services too.
        let services: Vec<String> = std::iter::once(provider.service_name())
            .chain(provider.side_routes().iter().map(|s| s.service_name()))
            .collect();
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
        entry.api_tokens = provider.entry_tokens();
        for setting in provider.spec.settings {
            entry.settings.remove(setting.field);
        }
        for field in provider.spec.derived_fields() {
            entry.settings.remove(field);
        }
        for (field, value) in provider.rendered_settings() {
            entry
                .settings
                .insert(Value::String(field.to_string()), value);
        }
        let resilience = &provider.resilience;
        resilience
            .failover
            .apply(FAILOVER_FIELD, &mut entry.settings);
        resilience.retry.apply(RETRY_FIELD, &mut entry.settings);
        let rules = &mut proxy.match_rules;
        match rules
            .iter_mut()
            .find(|r| r.active_provider_id() == Some(id))
        {
            Some(rule) => rule.service = services,
            None => {
                let index =
                    insertion_index(rules.iter().filter_map(|r| r.active_provider_id()), id);
                rules.insert(
                    index.min(rules.len()),
                    MatchRule {
                        service: services,
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
        let registry = registry_for(provider.registry_name(), &provider.endpoint());
        upsert_registry(&mut self.bridge()?.spec.registries, registry);
        Ok(())
    }

    /// The ingress `ai-route-<key>.internal` routing the provider's models on `path` to
    /// `service`, edited in place.
    fn upsert_ingress(
        &mut self,
        key: &str,
        path: &str,
        service: &str,
        port: u16,
        matcher: &HeaderMatch,
    ) -> Result<(), FolderError> {
        let mut ingress = match self.ingresses.remove(key).flatten() {
            Some(ingress) => ingress,
            None => self
                .folder
                .load_resource::<Ingress>(&paths::ingress(key))?
                .unwrap_or_else(|| templates::new_ingress(key, path)),
        };
        let annotations = &mut ingress.metadata.annotations;
        annotations.retain(|k, _| {
            k.as_str()
                .is_none_or(|k| HeaderMatch::from_annotation(k, "").is_none())
        });
        annotations.insert(
            string("higress.io/destination"),
            string(format!("{service}:{port}")),
        );
        annotations.insert(string("higress.io/ignore-path-case"), string("false"));
        annotations.insert(string(matcher.annotation_key()), string(matcher.value()));
        self.ingresses.insert(key.to_string(), Some(ingress));
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
                .load_resource::<ConfigMap>(&paths::route_configmap(id))?
                .unwrap_or_else(|| templates::new_route_configmap(id)),
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
        let mut removed = self.remove_fallback(id, false)?;
        if let Some(auth) = self.auth_registry_of(id)? {
            self.bridge()?.spec.registries.retain(|r| r.name != auth);
        }
        let proxy = &mut self.ai_proxy()?.spec;
        let before = proxy.default_config.providers.len() + proxy.match_rules.len();
        proxy.default_config.providers.retain(|p| p.id != id);
        proxy
            .match_rules
            .retain(|r| r.active_provider_id() != Some(id));
        removed |= before != proxy.default_config.providers.len() + proxy.match_rules.len();
        // The provider's own registry and route, and its second ones.
        let sides = catalog::find(id).map_or(&[][..], side_routes_of);
        let names: Vec<String> = std::iter::once(registry_name(id))
            .chain(
                sides
                    .iter()
                    .map(|s| registry_name(&format!("{id}-{}", s.registry))),
            )
            .collect();
        let registries = &mut self.bridge()?.spec.registries;
        let count = registries.len();
        registries.retain(|r| !names.contains(&r.name));
        removed |= count != registries.len();
        for key in std::iter::once(id.to_string())
            .chain(sides.iter().map(|s| format!("{id}.{}", s.suffix)))
        {
            removed |= self.folder.store().exists(&paths::ingress(&key));
            self.ingresses.insert(key, None);
        }
        removed |= self.folder.store().exists(&paths::route_configmap(id));
        self.configmaps.insert(id.to_string(), None);
        self.sync_route_auth()?;
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
            .any(|r| r.name == name && r.domain == VERTEX_AUTH_DOMAIN);
        Ok(ours.then_some(name))
    }

    /// Removes every provider upstream wrote for nobody (placeholder keys, or an Ollama
    /// with a placeholder host); returns their
    /// ids. Read under this transaction's lock, so a key added meanwhile by another
    /// process is seen and its provider kept.
    pub fn remove_placeholder_providers(&mut self) -> Result<Vec<String>, FolderError> {
        let ids: Vec<String> = self
            .ai_proxy()?
            .spec
            .default_config
            .providers
            .iter()
            .filter(|p| is_placeholder_entry(p))
            .map(|p| p.id.clone())
            .collect();
        for id in &ids {
            self.remove_provider(id)?;
        }
        Ok(ids)
    }
}

/// The McpBridge registry of an endpoint: `static` with `address:port` for an IPv4
/// address (served on 80), else `dns` with its port.
fn registry_for(name: String, endpoint: &Endpoint) -> Registry {
    let is_static = endpoint.registry_type() == "static";
    Registry {
        name,
        kind: endpoint.registry_type().to_string(),
        protocol: Some(endpoint.protocol.clone()),
        domain: if is_static {
            format!("{}:{}", endpoint.domain, endpoint.port)
        } else {
            endpoint.domain.clone()
        },
        port: if is_static { 80 } else { endpoint.port },
        other: Mapping::new(),
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
