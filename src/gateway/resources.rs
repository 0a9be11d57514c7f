//! The Kubernetes-shaped resources in the data folder, typed where we edit them and
//! open (`other`) everywhere else, so fields written by the console or by hand survive
//! a read-modify-write round trip.

use serde::{Deserialize, Serialize};

use crate::yaml::{Mapping, Value};

pub const NAMESPACE: &str = "higress-system";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ObjectMeta {
    #[serde(default, skip_serializing_if = "Mapping::is_empty")]
    pub annotations: Mapping,
    #[serde(default, skip_serializing_if = "Mapping::is_empty")]
    pub labels: Mapping,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    pub other: Mapping,
}

/// A resource with a `spec`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource<S> {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub spec: S,
    #[serde(flatten)]
    pub other: Mapping,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigMap {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub data: Mapping,
    #[serde(flatten)]
    pub other: Mapping,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WasmPluginSpec<C> {
    #[serde(rename = "defaultConfig")]
    pub default_config: C,
    #[serde(rename = "matchRules", default, skip_serializing_if = "Vec::is_empty")]
    pub match_rules: Vec<MatchRule>,
    #[serde(flatten)]
    pub other: Mapping,
}

pub type WasmPlugin<C> = Resource<WasmPluginSpec<C>>;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AiProxyConfig {
    #[serde(default)]
    pub providers: Vec<ProviderEntry>,
    #[serde(flatten)]
    pub other: Mapping,
}

/// One entry of ai-proxy's `providers`: id, type, tokens, and provider settings
/// (`zhipuDomain`, `claudeVersion`, …) which stay in `settings` in file order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderEntry {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(
        rename = "apiTokens",
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "crate::secret::plain_list"
    )]
    pub api_tokens: Vec<crate::secret::Secret>,
    #[serde(flatten)]
    pub settings: Mapping,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service: Vec<String>,
    #[serde(rename = "configDisable", default)]
    pub config_disable: bool,
    #[serde(default)]
    pub config: Mapping,
    #[serde(flatten)]
    pub other: Mapping,
}

impl MatchRule {
    pub fn active_provider_id(&self) -> Option<&str> {
        self.config.get("activeProviderId").and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelRouterConfig {
    #[serde(
        rename = "modelToHeader",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub model_to_header: Option<String>,
    #[serde(
        rename = "autoRouting",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_routing: Option<AutoRouting>,
    #[serde(flatten)]
    pub other: Mapping,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AutoRouting {
    #[serde(default)]
    pub enable: bool,
    #[serde(
        rename = "defaultModel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_model: Option<String>,
    #[serde(default)]
    pub rules: Vec<RoutingRule>,
    #[serde(flatten)]
    pub other: Mapping,
}

impl AutoRouting {
    /// Every model auto-routing sends requests to, with which requests go there:
    /// the default model's first, then each rule's in rule order.
    pub fn targets(&self) -> Vec<(String, String)> {
        self.default_model
            .iter()
            .map(|m| {
                (
                    "unmatched messages (the default model)".to_string(),
                    m.clone(),
                )
            })
            .chain(
                self.rules.iter().enumerate().map(|(id, rule)| {
                    (format!("messages that match rule {id}"), rule.model.clone())
                }),
            )
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoutingRule {
    pub pattern: String,
    pub model: String,
    #[serde(flatten)]
    pub other: Mapping,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct McpBridgeSpec {
    #[serde(default)]
    pub registries: Vec<Registry>,
    #[serde(flatten)]
    pub other: Mapping,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registry {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    pub domain: String,
    pub port: u16,
    #[serde(flatten)]
    pub other: Mapping,
}

pub type McpBridge = Resource<McpBridgeSpec>;
pub type Ingress = Resource<Value>;

/// Builds a mapping from string pairs, in order.
pub fn mapping<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Mapping {
    pairs
        .into_iter()
        .map(|(k, v)| (Value::String(k.to_string()), v))
        .collect()
}

pub fn string(value: impl Into<String>) -> Value {
    Value::String(value.into())
}

/// `metadata` as the file-backed apiserver expects it.
pub fn meta(name: &str, labels: Mapping, annotations: Mapping) -> ObjectMeta {
    ObjectMeta {
        annotations,
        labels,
        name: name.to_string(),
        namespace: Some(NAMESPACE.to_string()),
        other: mapping([("resourceVersion", string("1"))]),
    }
}

/// A built-in AI WasmPlugin served by the all-in-one image's local plugin server.
pub fn wasm_plugin<C>(
    plugin: &str,
    name: &str,
    title: &str,
    phase: &str,
    priority: u32,
    default_config: C,
) -> WasmPlugin<C> {
    let labels = mapping([
        ("higress.io/resource-definer", string("higress")),
        ("higress.io/wasm-plugin-built-in", string("true")),
        ("higress.io/wasm-plugin-category", string("ai")),
        ("higress.io/wasm-plugin-name", string(plugin)),
        ("higress.io/wasm-plugin-version", string("1.0.0")),
    ]);
    let annotations = mapping([("higress.io/wasm-plugin-title", string(title))]);
    Resource {
        api_version: "extensions.higress.io/v1alpha1".into(),
        kind: "WasmPlugin".into(),
        metadata: meta(name, labels, annotations),
        spec: WasmPluginSpec {
            default_config,
            match_rules: Vec::new(),
            other: mapping([
                ("defaultConfigDisable", Value::Bool(false)),
                ("failStrategy", string("FAIL_OPEN")),
                ("phase", string(phase)),
                ("priority", Value::Number(priority.into())),
                (
                    "url",
                    string(format!(
                        "http://localhost:8002/plugins/{plugin}/1.0.0/plugin.wasm"
                    )),
                ),
            ]),
        },
        other: Mapping::new(),
    }
}

/// What a client key is prefixed with in its `credential` (the `Authorization` value).
pub const BEARER: &str = "Bearer ";

/// The plugin's `defaultConfig`, typed where we edit it. Fields the console or a person
/// added are kept in `other`.
///
/// Shape: the one both key-auth implementations accept (see the research notes, §3).
/// The console writes the C++ plugin's per-consumer `keys`/`credentials` lists, which
/// the Go plugin rejects ("consumer credential is required"); which of the two the
/// image's `plugins/key-auth:2.0.0` is has not been verified. Global `keys:
/// [Authorization]` with `in_header: true` and one `credential` per consumer is read
/// the same by both (C++ consumers without `keys` use the global ones), and the
/// console reads `credential` too (it is the deprecated single form it migrates).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KeyAuthConfig {
    #[serde(default)]
    pub consumers: Vec<Consumer>,
    #[serde(flatten)]
    pub other: Mapping,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Consumer {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    #[serde(flatten)]
    pub other: Mapping,
}

impl Consumer {
    /// The key clients send: our `credential`, or the first of the console's
    /// `credentials`, without its `Bearer ` prefix.
    pub fn key(&self) -> Option<crate::secret::Secret> {
        let raw = self.credential.clone().or_else(|| {
            self.other
                .get("credentials")?
                .as_sequence()?
                .first()?
                .as_str()
                .map(String::from)
        })?;
        Some(crate::secret::Secret::new(
            raw.strip_prefix(BEARER).unwrap_or(&raw),
        ))
    }
}
