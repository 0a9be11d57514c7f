//! What the Higress controller and Envoy make of a data folder, as far as the AI
//! plugins see it: the plugin configuration of a WasmPlugin (alibaba/higress
//! `pkg/ingress/config/ingress_config.go`), the routes of the Ingresses in the order
//! Higress gives them (`SortIngressByCreationTime`, then `SortHTTPRoutes`), the
//! header match Envoy evaluates, and the McpBridge registries the routes point at.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};

pub fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: higress_claw::yaml::Value =
        higress_claw::yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(v).unwrap()
}

/// The JSON the controller hands the plugin for this WasmPlugin resource:
/// `defaultConfig` (unless `defaultConfigDisable`), plus `_rules_`, one per enabled
/// `matchRules` item: its `config` with `_match_route_` (from `ingress`),
/// `_match_service_` (from `service`) and `_match_domain_` (from `domain`).
pub fn plugin_config(wasm_plugin: &Value) -> Value {
    let spec = &wasm_plugin["spec"];
    if let Some(config) = spec.get("pluginConfig").filter(|c| !c.is_null()) {
        return config.clone();
    }
    let mut config = if spec["defaultConfigDisable"].as_bool() == Some(true) {
        Map::new()
    } else {
        spec["defaultConfig"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    };
    let mut rules = Vec::new();
    for rule in spec["matchRules"].as_array().into_iter().flatten() {
        if rule["configDisable"].as_bool() == Some(true) {
            continue;
        }
        let mut item = rule["config"].as_object().cloned().unwrap_or_default();
        for (from, key) in [
            ("ingress", "_match_route_"),
            ("service", "_match_service_"),
            ("domain", "_match_domain_"),
        ] {
            if let Some(list) = rule[from].as_array().filter(|l| !l.is_empty()) {
                item.insert(key.into(), Value::Array(list.clone()));
            }
        }
        assert!(
            item.keys().any(|k| k.starts_with("_match_")),
            "the controller rejects a match rule with no match condition: {rule}"
        );
        rules.push(Value::Object(item));
    }
    if !rules.is_empty() {
        config.insert("_rules_".into(), Value::Array(rules));
    }
    Value::Object(config)
}

/// How Envoy matches the `x-higress-llm-model` header of a route.
#[derive(Clone, Debug)]
pub enum HeaderMatch {
    Exact(String),
    Prefix(String),
    /// RE2, matched against the whole value.
    Regex(regex::Regex),
}

impl HeaderMatch {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            HeaderMatch::Exact(s) => value == s,
            HeaderMatch::Prefix(s) => value.starts_with(s.as_str()),
            HeaderMatch::Regex(re) => re.is_match(value),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Route {
    /// The Ingress name; as the Ingress lives in the system namespace
    /// (higress-system), this is also the Envoy route name
    /// (`GenerateUniqueRouteName`), the `route_name` property.
    pub name: String,
    pub namespace: String,
    pub creation: String,
    /// The Ingress path (`Prefix`): `/`, or a second route's `/v1/messages`.
    pub path: String,
    /// `higress.io/destination`: service and port.
    pub service: String,
    pub port: u16,
    /// Header name → match, from `higress.io/{exact,prefix,regex}-match-header-*`.
    pub headers: Vec<(String, HeaderMatch)>,
}

impl Route {
    /// The upstream cluster Envoy names for the destination: the `cluster_name`
    /// property.
    pub fn cluster(&self) -> String {
        format!("outbound|{}||{}", self.port, self.service)
    }

    /// Whether a request for `path` with `headers` takes this route: the path as
    /// Higress matches a `Prefix` path (`/` everything; `/v1/messages` itself or below
    /// it, the query aside), and every header match.
    pub fn matches(&self, path: &str, headers: &[(String, String)]) -> bool {
        let path = path.split('?').next().unwrap_or(path);
        let prefix = self.path.trim_end_matches('/');
        let path_ok =
            prefix.is_empty() || path == prefix || path.starts_with(&format!("{prefix}/"));
        path_ok
            && self.headers.iter().all(|(name, m)| {
                headers
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case(name) && m.matches(v))
            })
    }
}

/// The Ingresses of the folder, in the order Envoy tries their routes:
/// `SortIngressByCreationTime` (creation timestamp, then `name.namespace`), then
/// `SortHTTPRoutes`, a stable sort that, among routes of one path type (all of ours
/// are `Prefix`), puts the longer path first (a second route's `/v1/messages` before
/// every `/`), then the one with more header matches.
pub fn routes(data: &Path) -> Vec<Route> {
    let mut routes = Vec::new();
    let Ok(dir) = std::fs::read_dir(data.join("ingresses")) else {
        return routes;
    };
    for entry in dir {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let ing = read_yaml(&path);
        let meta = &ing["metadata"];
        let annotations = meta["annotations"].as_object().cloned().unwrap_or_default();
        let Some(dest) = annotations
            .get("higress.io/destination")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let (service, port) = dest.rsplit_once(':').expect("destination has a port");
        let http_path = &ing["spec"]["rules"][0]["http"]["paths"][0];
        assert_eq!(
            http_path["pathType"].as_str(),
            Some("Prefix"),
            "{}: only Prefix paths are modelled",
            path.display()
        );
        let route_path = http_path["path"].as_str().unwrap_or("/").to_string();
        let mut headers = Vec::new();
        for (key, value) in &annotations {
            let value = value.as_str().unwrap_or_default().to_string();
            let Some(rest) = key.strip_prefix("higress.io/") else {
                continue;
            };
            let m = if let Some(h) = rest.strip_prefix("exact-match-header-") {
                (h, HeaderMatch::Exact(value))
            } else if let Some(h) = rest.strip_prefix("prefix-match-header-") {
                (h, HeaderMatch::Prefix(value))
            } else if let Some(h) = rest.strip_prefix("regex-match-header-") {
                let re = regex::Regex::new(&format!("^(?:{value})$"))
                    .unwrap_or_else(|e| panic!("{}: {key}: {e}", path.display()));
                (h, HeaderMatch::Regex(re))
            } else {
                continue;
            };
            headers.push((m.0.to_string(), m.1));
        }
        routes.push(Route {
            name: meta["name"].as_str().unwrap().to_string(),
            namespace: meta["namespace"].as_str().unwrap_or("default").to_string(),
            creation: meta["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            path: route_path,
            service: service.to_string(),
            port: port.parse().unwrap(),
            headers,
        });
    }
    routes.sort_by(|a, b| {
        (&a.creation, format!("{}.{}", a.name, a.namespace))
            .cmp(&(&b.creation, format!("{}.{}", b.name, b.namespace)))
    });
    let length = |r: &Route| r.path.trim_end_matches('/').len();
    routes.sort_by(|a, b| {
        length(b)
            .cmp(&length(a))
            .then(b.headers.len().cmp(&a.headers.len()))
    });
    routes
}

/// The first route a request for `path` with `headers` takes.
pub fn route_for<'a>(
    routes: &'a [Route],
    path: &str,
    headers: &[(String, String)],
) -> Option<&'a Route> {
    routes.iter().find(|r| r.matches(path, headers))
}

#[derive(Clone, Debug)]
pub struct Registry {
    pub name: String,
    pub kind: String,
    pub domain: String,
    pub port: u16,
    pub protocol: String,
}

impl Registry {
    /// The service name the registry's endpoints appear under (`<name>.<type>`).
    pub fn service(&self) -> String {
        format!("{}.{}", self.name, self.kind)
    }

    /// Whether a request naming `authority` names this registry's host: its domain
    /// (a static one is `address:port`), or the domain with the port for a dns one;
    /// a port the scheme implies may be left out on either side.
    pub fn serves_authority(&self, authority: &str) -> bool {
        let default = if self.protocol == "https" { 443 } else { 80 };
        let strip = |a: &str| -> String {
            a.strip_suffix(&format!(":{default}"))
                .unwrap_or(a)
                .to_string()
        };
        let domain = if self.kind == "dns" {
            format!("{}:{}", self.domain, self.port)
        } else {
            self.domain.clone()
        };
        strip(&domain) == strip(authority)
    }
}

pub fn registries(data: &Path) -> Vec<Registry> {
    let bridge = read_yaml(&data.join("mcpbridges/default.yaml"));
    bridge["spec"]["registries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| Registry {
            name: r["name"].as_str().unwrap_or_default().into(),
            kind: r["type"].as_str().unwrap_or_default().into(),
            domain: r["domain"].as_str().unwrap_or_default().into(),
            port: r["port"].as_u64().unwrap_or(0) as u16,
            protocol: r["protocol"].as_str().unwrap_or_default().into(),
        })
        .collect()
}

/// The registry behind a service name (`llm-x.internal.dns`), if any.
pub fn registry_for<'a>(registries: &'a [Registry], service: &str) -> Option<&'a Registry> {
    registries.iter().find(|r| r.service() == service)
}

/// The properties Envoy answers for every stream of a plugin VM.
pub fn vm_properties(wasm_plugin: &Value) -> BTreeMap<String, Vec<u8>> {
    let meta = &wasm_plugin["metadata"];
    // Istio names the Envoy plugin config `<namespace>.<name>`.
    let name = format!(
        "{}.{}",
        meta["namespace"].as_str().unwrap_or("higress-system"),
        meta["name"].as_str().unwrap_or_default()
    );
    BTreeMap::from([("plugin_name".to_string(), name.into_bytes())])
}

/// A JSON body for `/v1/chat/completions`.
pub fn chat_body(model: &str, stream: bool) -> Vec<u8> {
    let mut body = json!({
        "model": model,
        "messages": [{"role": "user", "content": "Say hello"}],
    });
    if stream {
        body["stream"] = json!(true);
    }
    serde_json::to_vec(&body).unwrap()
}

/// A JSON body for Anthropic's `/v1/messages`.
pub fn messages_body(model: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "model": model,
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "Say hello"}],
    }))
    .unwrap()
}
