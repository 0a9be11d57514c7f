//! The resources a new folder starts from, as the image's own template writes them:
//! the McpBridge with the console's registry, a provider's Ingress and console
//! ConfigMap, the plugins' WasmPlugins and the console's ConfigMap.

use super::resources::{
    self, AiProxyConfig, ConfigMap, Ingress, KeyAuthConfig, McpBridge, McpBridgeSpec,
    ModelRouterConfig, Registry, Resource, WasmPlugin, mapping, string,
};
use crate::yaml::{self, Mapping, Value};

pub fn default_bridge() -> McpBridge {
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

/// The ingress `ai-route-<key>.internal` for requests under `path` (`/`, or a second
/// route's `/v1/messages`).
pub fn new_ingress(key: &str, path: &str) -> Ingress {
    let spec: Value = yaml::from_str(&format!(
        "ingressClassName: higress\nrules:\n- http:\n    paths:\n    - backend:\n        resource:\n          apiGroup: networking.higress.io\n          kind: McpBridge\n          name: default\n      path: {path}\n      pathType: Prefix\n",
    ))
    .expect("static ingress spec parses");
    Resource {
        api_version: "networking.k8s.io/v1".into(),
        kind: "Ingress".into(),
        metadata: resources::meta(
            &format!("ai-route-{key}.internal"),
            mapping([("higress.io/resource-definer", string("higress"))]),
            Mapping::new(),
        ),
        spec,
        other: Mapping::new(),
    }
}

pub fn new_route_configmap(id: &str) -> ConfigMap {
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

pub fn ai_proxy_plugin() -> WasmPlugin<AiProxyConfig> {
    resources::wasm_plugin(
        "ai-proxy",
        "ai-proxy.internal",
        "AI Proxy",
        "UNSPECIFIED_PHASE",
        100,
        AiProxyConfig::default(),
    )
}

pub fn model_router_plugin() -> WasmPlugin<ModelRouterConfig> {
    resources::wasm_plugin(
        "model-router",
        "model-router.internal",
        "AI Model Router",
        "AUTHN",
        900,
        ModelRouterConfig::default(),
    )
}

/// The token figures of every AI request, written into the access log's `ai_log`.
pub fn ai_statistics_plugin() -> WasmPlugin<Mapping> {
    resources::wasm_plugin(
        "ai-statistics",
        "ai-statistics-1.0.0",
        "AI Statistics",
        "UNSPECIFIED_PHASE",
        900,
        mapping([("use_default_attributes", Value::Bool(true))]),
    )
}

/// The console's own ConfigMap as the image first writes it.
pub fn console_configmap() -> ConfigMap {
    ConfigMap {
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
    }
}

/// The header client keys travel in (as `Bearer <key>`).
pub const KEY_HEADER: &str = "Authorization";

/// The key-auth plugin with no consumer: authentication off.
pub fn key_auth_plugin() -> WasmPlugin<KeyAuthConfig> {
    let mut plugin = resources::wasm_plugin(
        "key-auth",
        "key-auth.internal",
        "Key Auth",
        "AUTHN",
        310,
        KeyAuthConfig {
            consumers: Vec::new(),
            other: mapping([
                ("global_auth", Value::Bool(false)),
                ("keys", Value::Sequence(vec![string(KEY_HEADER)])),
                ("in_header", Value::Bool(true)),
                ("in_query", Value::Bool(false)),
            ]),
        },
    );
    plugin
        .metadata
        .labels
        .insert(string("higress.io/wasm-plugin-category"), string("auth"));
    // An auth plugin that fails to load must not let requests through unchecked, which
    // FAIL_OPEN (the AI plugins' setting) would do.
    plugin
        .spec
        .other
        .insert(string("failStrategy"), string("FAIL_CLOSE"));
    plugin
}
