//! Cross-provider fallback of a provider's route, written as the Higress console writes
//! an AI route's `fallbackConfig`, so the console shows and keeps it:
//!
//! - `fallbackConfig` in the route's ConfigMap (`configmaps/ai-route-<id>.yaml`);
//! - a second Ingress `ai-route-<id>.fallback.internal`: the route's own match plus the
//!   exact header `x-higress-fallback-from: ai-route-<id>.internal`, to the fallback
//!   providers' services;
//! - the EnvoyFilter `ai-route-<id>.internal` (`envoyfilters/`): on a 4xx/5xx answer of
//!   the route, Envoy's custom_response redirect policy replays the request, with that
//!   header, so it lands on the fallback Ingress;
//! - a model-mapper rule per fallback provider (the request's model becomes one the
//!   fallback provider serves) and an ai-statistics rule for the fallback route.
//!
//! ai-proxy needs nothing more: it picks the provider by the upstream service, and
//! every fallback provider is configured (its own service rule exists).
//! Invariant: the fallback Ingress and the EnvoyFilter exist together or not at all.

use serde_json::json;
use thiserror::Error;

use super::folder::{FolderError, Transaction};
use super::provider::ProviderConfig;
use super::resources::{self, ConfigMap, Ingress, NAMESPACE, mapping, string};
use super::{paths, templates};
use crate::yaml::{self, Mapping, Value};

/// The header Envoy adds to the replayed request, and the Ingress matches.
pub const FALLBACK_HEADER: &str = "x-higress-fallback-from";
/// The status classes the console accepts.
pub const RESPONSE_CODES: [&str; 2] = ["4xx", "5xx"];
pub const MODEL_MAPPER: &str = "wasmplugins/model-mapper.internal.yaml";
/// The global HTTP filter the route redirect configures (the image ships it too).
pub const CUSTOM_RESPONSE_FILTER: &str = "envoyfilters/higress-gateway-global-custom-response.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Each fallback request goes to one of the providers at random.
    Rand,
    /// Always to the first provider (the console routes SEQ to the first only).
    Seq,
}

impl Strategy {
    pub fn console_name(self) -> &'static str {
        match self {
            Strategy::Rand => "RAND",
            Strategy::Seq => "SEQ",
        }
    }
}

/// One provider a route falls back to, with the model it is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub provider: String,
    pub model: String,
}

/// A route's fallback, as the console's `fallbackConfig` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub targets: Vec<Target>,
    pub codes: Vec<String>,
    pub strategy: Strategy,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FallbackError {
    #[error("--fallback-on {0:?} is not a status class; use 4xx, 5xx or 4xx,5xx")]
    BadCode(String),
    #[error(
        "--fallback names no provider; pass --fallback PROVIDER[:MODEL][,…], or --no-fallback to remove it"
    )]
    Empty,
    #[error(
        "--fallback names {name} itself; a route falls back to another provider, e.g. --fallback {other}"
    )]
    ToItself { name: String, other: String },
    #[error(
        "--fallback names {name}, which is not configured; add it first: higress-claw config add --provider {id} --key KEY"
    )]
    NotConfigured { name: String, id: String },
    #[error("--fallback {target}: the model {why}")]
    BadModel { target: String, why: String },
    #[error(
        "the catalog knows no model of {name} to fall back to; name one: --fallback {id}:MODEL"
    )]
    NoModel { name: String, id: String },
}

/// `--fallback-on 4xx,5xx`: deduplicated, in the given order.
pub fn parse_codes(text: &str) -> Result<Vec<String>, FallbackError> {
    let mut codes: Vec<String> = Vec::new();
    for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = code.to_ascii_lowercase();
        if !RESPONSE_CODES.contains(&code.as_str()) {
            return Err(FallbackError::BadCode(code));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        return Err(FallbackError::BadCode(text.to_string()));
    }
    Ok(codes)
}

/// `--fallback Q[:MODEL],R`: (provider name as given, model if given).
pub fn parse_targets(text: &str) -> Result<Vec<(String, Option<String>)>, FallbackError> {
    let targets: Vec<(String, Option<String>)> = text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_once(':') {
            Some((p, m)) => (p.trim().to_string(), Some(m.trim().to_string())),
            None => (t.to_string(), None),
        })
        .collect();
    if targets.is_empty() {
        return Err(FallbackError::Empty);
    }
    Ok(targets)
}

impl Fallback {
    /// The route's fallback from its ConfigMap's JSON; `None` when off.
    pub fn read(route: &serde_json::Value) -> Option<Self> {
        let config = route.get("fallbackConfig")?;
        if config.get("enabled").and_then(serde_json::Value::as_bool) != Some(true) {
            return None;
        }
        let targets: Vec<Target> = config
            .get("upstreams")?
            .as_array()?
            .iter()
            .filter_map(|u| {
                let provider = u.get("provider")?.as_str()?.to_string();
                let mapping = u.get("modelMapping").and_then(|m| m.as_object());
                let model = mapping
                    .and_then(|m| m.get("*"))
                    .and_then(|m| m.as_str())
                    .unwrap_or_default()
                    .to_string();
                Some(Target { provider, model })
            })
            .collect();
        let mut codes: Vec<String> = config
            .get("responseCodes")
            .and_then(|c| c.as_array())
            .map(|c| {
                c.iter()
                    .filter_map(|c| c.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if codes.is_empty() {
            codes = RESPONSE_CODES.iter().map(|c| c.to_string()).collect();
        }
        let strategy = match config.get("fallbackStrategy").and_then(|s| s.as_str()) {
            Some("SEQ") => Strategy::Seq,
            _ => Strategy::Rand,
        };
        (!targets.is_empty()).then_some(Self {
            targets,
            codes,
            strategy,
        })
    }

    /// The targets the fallback route sends to: all of them for RAND, the first for SEQ.
    pub fn routed(&self) -> &[Target] {
        match self.strategy {
            Strategy::Rand => &self.targets,
            Strategy::Seq => &self.targets[..1],
        }
    }

    /// `fallbackConfig` as the console stores it (RAND leaves every weight at 1, as the
    /// console sets them before it saves the route).
    fn console_json(&self) -> serde_json::Value {
        let upstreams: Vec<serde_json::Value> = self
            .targets
            .iter()
            .map(|t| {
                let weight = match (self.strategy, self.targets.len()) {
                    (Strategy::Rand, _) => json!(1),
                    (Strategy::Seq, 1) => json!(100),
                    (Strategy::Seq, _) => serde_json::Value::Null,
                };
                let mut upstream = json!({"provider": t.provider, "weight": weight,
                    "modelMapping": {"*": t.model}});
                if weight.is_null() {
                    upstream.as_object_mut().map(|u| u.remove("weight"));
                }
                upstream
            })
            .collect();
        json!({
            "enabled": true,
            "upstreams": upstreams,
            "fallbackStrategy": self.strategy.console_name(),
            "responseCodes": self.codes,
        })
    }
}

/// `ai-route-<id>.internal`, the Envoy route name of a provider's Ingress.
pub fn route_name(id: &str) -> String {
    format!("ai-route-{id}.internal")
}

/// The key of the fallback Ingress among a transaction's ingresses.
pub fn ingress_key(id: &str) -> String {
    format!("{id}.fallback")
}

pub fn envoy_filter_path(id: &str) -> String {
    format!("envoyfilters/{}.yaml", route_name(id))
}

/// The route's redirect on `codes`, as the console renders its template.
pub fn envoy_filter(id: &str, codes: &[String]) -> Value {
    let route = route_name(id);
    let single = |code: &str| {
        json!({"single_predicate": {
            "input": {"name": format!("{code}_response"), "typed_config": {
                "@type": "type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeClassMatchInput"}},
            "value_match": {"exact": code}}})
    };
    let predicate = match codes {
        [code] => single(code),
        _ => {
            json!({"or_matcher": {"predicate": codes.iter().map(|c| single(c)).collect::<Vec<_>>()}})
        }
    };
    let header = json!([{"header": {"key": FALLBACK_HEADER, "value": route}, "append": false}]);
    let doc = json!({
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": {"name": route, "namespace": NAMESPACE, "resourceVersion": "1"},
        "spec": {"configPatches": [{
            "applyTo": "HTTP_ROUTE",
            "match": {"context": "GATEWAY", "routeConfiguration": {"vhost": {"route": {"name": route}}}},
            "patch": {"operation": "MERGE", "value": {"typed_per_filter_config": {
                "envoy.filters.http.custom_response": {
                    "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
                    "type_url": "type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse",
                    "value": {
                        "custom_response_matcher": {"matcher_list": {"matchers": [{
                            "predicate": predicate,
                            "on_match": {"action": {"name": "action", "typed_config": {
                                "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
                                "type_url": "type.googleapis.com/envoy.extensions.http.custom_response.redirect_policy.v3.RedirectPolicy",
                                "value": {
                                    "max_internal_redirects": 10,
                                    "use_original_request_uri": true,
                                    "keep_original_response_code": false,
                                    "use_original_request_body": true,
                                    "only_redirect_upstream_code": false,
                                    "request_headers_to_add": header,
                                    "response_headers_to_add": header,
                                }}}},
                        }]}},
                        "with_request_body": {"max_request_bytes": 1024000},
                    }}}}},
        }]},
    });
    yaml::to_value(doc).expect("JSON converts to YAML")
}

/// The global custom_response filter, as the all-in-one image ships it.
fn custom_response_filter() -> Value {
    let doc = json!({
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": {"name": "higress-gateway-global-custom-response", "namespace": NAMESPACE,
            "resourceVersion": "1",
            "labels": {"app": "higress-gateway", "higress": "higress-system-higress-gateway"}},
        "spec": {"configPatches": [{
            "applyTo": "HTTP_FILTER",
            "match": {"context": "GATEWAY", "listener": {"filterChain": {"filter": {
                "name": "envoy.filters.network.http_connection_manager"}}}},
            "patch": {"operation": "INSERT_FIRST", "value": {
                "name": "envoy.filters.http.custom_response",
                "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse"}}},
        }]},
    });
    yaml::to_value(doc).expect("JSON converts to YAML")
}

/// The fallback Ingress: the route's own Ingress (path, model match) renamed, with the
/// fallback header and the console's defaults, to the routed targets' services.
fn fallback_ingress(id: &str, main: &Ingress, services: &[String]) -> Ingress {
    let mut ingress = main.clone();
    ingress.metadata.name = format!("ai-route-{id}.fallback.internal");
    let destination = match services {
        [one] => one.clone(),
        many => many
            .iter()
            .map(|s| format!("1% {s}"))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let annotations = &mut ingress.metadata.annotations;
    for (key, value) in [
        ("higress.io/destination", destination),
        (
            &format!("higress.io/exact-match-header-{FALLBACK_HEADER}") as &str,
            route_name(id),
        ),
        ("higress.io/enable-proxy-next-upstream", "true".into()),
        ("higress.io/proxy-next-upstream-tries", "3".into()),
        ("higress.io/proxy-next-upstream-timeout", "120".into()),
        (
            "higress.io/proxy-next-upstream",
            "error,timeout,non_idempotent".into(),
        ),
    ] {
        annotations.insert(string(key), string(value));
    }
    ingress.metadata.labels.insert(
        string("higress.io/domain_higress-default-domain"),
        string("true"),
    );
    ingress
}

/// A plugin's match rule for the fallback route: `ingress: [name]`, plus `service` for
/// the model-mapper.
fn rule(ingress: &str, service: Option<&str>, config: Mapping) -> Value {
    let mut rule = Mapping::new();
    rule.insert(string("ingress"), Value::Sequence(vec![string(ingress)]));
    if let Some(service) = service {
        rule.insert(string("service"), Value::Sequence(vec![string(service)]));
    }
    rule.insert(string("configDisable"), Value::Bool(false));
    rule.insert(string("config"), Value::Mapping(config));
    Value::Mapping(rule)
}

fn targets_ingress(rule: &Value, ingress: &str) -> bool {
    rule.get("ingress")
        .and_then(Value::as_sequence)
        .is_some_and(|i| i.len() == 1 && i[0].as_str() == Some(ingress))
}

fn match_rules(doc: &mut Value) -> Option<&mut Vec<Value>> {
    let spec = doc.get_mut("spec")?.as_mapping_mut()?;
    if !spec.contains_key("matchRules") {
        spec.insert(string("matchRules"), Value::Sequence(Vec::new()));
    }
    spec.get_mut("matchRules")?.as_sequence_mut()
}

fn model_mapper_plugin() -> Value {
    let mut plugin = resources::wasm_plugin(
        "model-mapper",
        "model-mapper.internal",
        "AI Model Mapper",
        "AUTHN",
        800,
        Mapping::new(),
    );
    // An instance with route rules only: the console disables the global config.
    plugin
        .spec
        .other
        .insert(string("defaultConfigDisable"), Value::Bool(true));
    let mut doc = yaml::to_value(&plugin).expect("plugin serializes");
    if let Some(spec) = doc.get_mut("spec").and_then(Value::as_mapping_mut) {
        spec.remove("defaultConfig");
    }
    doc
}

impl Transaction<'_> {
    /// Writes `fallback` for provider `owner`, whose resources this transaction has
    /// already upserted or which are in the folder; `targets` are the configured
    /// providers it names, in its order.
    pub fn set_fallback(
        &mut self,
        owner: &ProviderConfig,
        fallback: &Fallback,
        targets: &[ProviderConfig],
    ) -> Result<(), FolderError> {
        let id = owner.spec.id;
        self.edit_route_json(id, |data| data["fallbackConfig"] = fallback.console_json())?;
        let service_of = |t: &Target| {
            targets
                .iter()
                .find(|c| c.spec.id == t.provider)
                .map(|c| (c.service_name(), c.service_port()))
        };
        let services: Vec<String> = fallback
            .routed()
            .iter()
            .filter_map(service_of)
            .map(|(s, port)| format!("{s}:{port}"))
            .collect();
        let main = match self.ingresses.get(id).cloned().flatten() {
            Some(main) => main,
            None => self
                .folder
                .load_resource::<Ingress>(&paths::ingress(id))?
                .unwrap_or_else(|| templates::new_ingress(id, "/")),
        };
        self.ingresses.insert(
            ingress_key(id),
            Some(fallback_ingress(id, &main, &services)),
        );
        *self.document(&envoy_filter_path(id))? = Some(envoy_filter(id, &fallback.codes));
        if self.document(CUSTOM_RESPONSE_FILTER)?.is_none() {
            *self.document(CUSTOM_RESPONSE_FILTER)? = Some(custom_response_filter());
        }
        let ingress = format!("ai-route-{id}.fallback.internal");
        let mapper = self
            .document(MODEL_MAPPER)?
            .get_or_insert_with(model_mapper_plugin);
        if let Some(rules) = match_rules(mapper) {
            rules.retain(|r| !targets_ingress(r, &ingress));
            for target in fallback.routed() {
                if let Some((service, _)) = service_of(target) {
                    let mut map = Mapping::new();
                    map.insert(string("*"), string(target.model.clone()));
                    let config = mapping([("modelMapping", Value::Mapping(map))]);
                    rules.push(rule(&ingress, Some(&service), config));
                }
            }
        }
        let stats = self.document(paths::AI_STATISTICS)?.get_or_insert_with(|| {
            yaml::to_value(templates::ai_statistics_plugin()).expect("plugin serializes")
        });
        if let Some(rules) = match_rules(stats)
            && !rules.iter().any(|r| targets_ingress(r, &ingress))
        {
            let config = mapping([("use_default_response_attributes", Value::Bool(true))]);
            rules.push(rule(&ingress, None, config));
        }
        Ok(())
    }

    /// Removes provider `id`'s fallback: its `fallbackConfig`, fallback Ingress,
    /// EnvoyFilter and plugin rules. Returns whether it had any.
    pub fn remove_fallback(&mut self, id: &str, keep_configmap: bool) -> Result<bool, FolderError> {
        let store = self.folder.store();
        let ingress_path = paths::ingress(&ingress_key(id));
        let mut had = store.exists(&ingress_path) || store.exists(&envoy_filter_path(id));
        if had || self.ingresses.contains_key(&ingress_key(id)) {
            self.ingresses.insert(ingress_key(id), None);
            *self.document(&envoy_filter_path(id))? = None;
        }
        let ingress = format!("ai-route-{id}.fallback.internal");
        for path in [MODEL_MAPPER, paths::AI_STATISTICS] {
            // Read without taking it into the transaction: a file this edit does not
            // change is not rewritten.
            let mut doc = match self.documents_get(path) {
                Some(doc) => doc,
                None => self.folder.load_resource::<Value>(path)?,
            };
            let Some(rules) = doc.as_mut().and_then(match_rules) else {
                continue;
            };
            let before = rules.len();
            rules.retain(|r| !targets_ingress(r, &ingress));
            if before == rules.len() {
                continue;
            }
            had = true;
            if let Some(spec) = doc
                .as_mut()
                .and_then(|d| d.get_mut("spec"))
                .and_then(Value::as_mapping_mut)
                && spec
                    .get("matchRules")
                    .and_then(Value::as_sequence)
                    .is_some_and(Vec::is_empty)
            {
                spec.remove("matchRules");
            }
            *self.document(path)? = doc;
        }
        if keep_configmap {
            self.edit_route_json(id, |data| {
                if let Some(object) = data.as_object_mut() {
                    had |= object.remove("fallbackConfig").is_some();
                }
            })?;
        }
        Ok(had)
    }

    /// Edits the JSON of the route ConfigMap of `id`, keeping what the console added.
    fn edit_route_json(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Result<(), FolderError> {
        let mut configmap = match self.configmaps.remove(id) {
            Some(Some(cm)) => cm,
            // Removed in this transaction: nothing to edit.
            Some(None) => {
                self.configmaps.insert(id.to_string(), None);
                return Ok(());
            }
            None => match self
                .folder
                .load_resource::<ConfigMap>(&paths::route_configmap(id))?
            {
                Some(cm) => cm,
                None => return Ok(()),
            },
        };
        let mut data = configmap
            .data
            .get("data")
            .and_then(Value::as_str)
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| json!({}));
        edit(&mut data);
        let text = serde_json::to_string_pretty(&data).expect("JSON values serialize") + "\n";
        configmap.data.insert(string("data"), string(text));
        self.configmaps.insert(id.to_string(), Some(configmap));
        Ok(())
    }
}

impl super::folder::DataFolder {
    /// Provider `id`'s fallback, from its route ConfigMap; `None` when off.
    pub fn fallback_of(&self, id: &str) -> Result<Option<Fallback>, FolderError> {
        let Some(configmap) = self.load_resource::<ConfigMap>(&paths::route_configmap(id))? else {
            return Ok(None);
        };
        Ok(configmap
            .data
            .get("data")
            .and_then(Value::as_str)
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            .and_then(|route| Fallback::read(&route)))
    }

    /// The routes that fall back to provider `id`.
    pub fn falling_back_to(&self, id: &str) -> Result<Vec<String>, FolderError> {
        let mut out = Vec::new();
        for provider in self.providers()? {
            if let Some(f) = &provider.fallback
                && f.targets.iter().any(|t| t.provider == id)
            {
                out.push(provider.id.clone());
            }
        }
        Ok(out)
    }

    /// Fallbacks cut in half: a fallback Ingress without its EnvoyFilter or the other
    /// way round, or either left by a provider that has no entry. `repair` removes them.
    pub fn broken_fallbacks(&self) -> Result<Vec<(String, &'static str)>, FolderError> {
        let store = self.store();
        let mut ids: Vec<String> = Vec::new();
        for (dir, suffix) in [
            ("ingresses", ".fallback.internal.yaml"),
            ("envoyfilters", ".internal.yaml"),
        ] {
            let Ok(entries) = std::fs::read_dir(self.root().join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(id) = name
                    .strip_prefix("ai-route-")
                    .and_then(|n| n.strip_suffix(suffix))
                    .filter(|id| !id.contains('.'))
                    && !ids.iter().any(|i| i == id)
                {
                    ids.push(id.to_string());
                }
            }
        }
        ids.sort();
        let entries: Vec<String> = self.providers()?.into_iter().map(|p| p.id).collect();
        Ok(ids
            .into_iter()
            .filter_map(|id| {
                let ingress = store.exists(&paths::ingress(&ingress_key(&id)));
                let filter = store.exists(&envoy_filter_path(&id));
                let problem = if !entries.contains(&id) {
                    "is left from a provider that is no longer configured"
                } else if !filter {
                    "has its fallback route but no redirect (EnvoyFilter)"
                } else if !ingress {
                    "has its redirect (EnvoyFilter) but no fallback route"
                } else {
                    return None;
                };
                Some((id, problem))
            })
            .collect())
    }
}
