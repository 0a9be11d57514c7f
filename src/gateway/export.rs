//! The data folder as Kubernetes objects for a Helm-installed Higress.
//!
//! The files are already Kubernetes resources; what changes on the way up is what only
//! made sense to the all-in-one image's file storage: `resourceVersion` and the
//! 2000-01-01 `creationTimestamp` go, the namespace is set, Wasm plugins are pulled from
//! an OCI registry instead of the image's local plugin server, the console's
//! `127.0.0.1` registry is dropped (in a cluster the console is its own service), and
//! providers that were never configured (upstream placeholders) are left out.

use std::collections::BTreeSet;

use super::client_keys::route_name;
use super::folder::{DataFolder, FolderError};
use super::provider::{is_placeholder_key, side_routes_of};
use super::resources::{
    AiProxyConfig, ConfigMap, Ingress, KeyAuthConfig, McpBridge, ModelRouterConfig, ProviderEntry,
    WasmPlugin,
};
use super::{catalog, fallback, paths};
use crate::yaml::{self, Mapping, Value};

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub namespace: String,
    /// Registry host serving `plugins/<name>:<version>`.
    pub plugin_registry: String,
    /// Replace keys with placeholders (listed in [`Export::placeholders`]).
    pub redact_keys: bool,
}

#[derive(Debug, Default)]
pub struct Export {
    /// The objects, in apply order (ingresses last: they make routes live).
    pub documents: Vec<Value>,
    /// `(placeholder, what to put there)` when keys were redacted.
    pub placeholders: Vec<(String, String)>,
}

impl Export {
    pub fn to_yaml(&self) -> Result<String, crate::yaml::Error> {
        let mut out = String::new();
        for doc in &self.documents {
            out.push_str("---\n");
            out.push_str(&yaml::to_string(doc)?);
        }
        Ok(out)
    }

    /// `Kind/name` of every object, in apply order.
    pub fn object_names(&self) -> Vec<String> {
        self.documents
            .iter()
            .map(|d| {
                format!(
                    "{}/{}",
                    d["kind"].as_str().unwrap_or("?"),
                    d["metadata"]["name"].as_str().unwrap_or("?")
                )
            })
            .collect()
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    crate::yaml::to_value(v).expect("resources serialize")
}

/// Strips file-storage leftovers and sets the namespace.
fn clean(mut doc: Value, namespace: &str) -> Value {
    if let Some(map) = doc.as_mapping_mut() {
        map.remove("status");
        if let Some(meta) = map.get_mut("metadata").and_then(Value::as_mapping_mut) {
            for key in [
                "resourceVersion",
                "creationTimestamp",
                "uid",
                "generation",
                "managedFields",
                "selfLink",
            ] {
                meta.remove(key);
            }
            meta.insert("namespace".into(), namespace.into());
        }
    }
    doc
}

fn oci_url(plugin: &WasmPlugin<impl serde::Serialize>, registry: &str) -> Option<String> {
    let labels = &plugin.metadata.labels;
    let name = labels.get("higress.io/wasm-plugin-name")?.as_str()?;
    let version = labels
        .get("higress.io/wasm-plugin-version")
        .and_then(Value::as_str)
        .unwrap_or("1.0.0");
    Some(format!("oci://{registry}/plugins/{name}:{version}"))
}

fn set_url<C: serde::Serialize>(plugin: &mut WasmPlugin<C>, registry: &str) {
    if let Some(url) = oci_url(plugin, registry) {
        plugin.spec.other.insert("url".into(), url.into());
    }
}

fn placeholder(id: &str, what: &str) -> String {
    format!(
        "REPLACE_WITH_{}_{}",
        id.to_ascii_uppercase().replace('-', "_"),
        what
    )
}

/// The providers' registries, and the token services some of them call (Vertex).
fn exported_registries(providers: &[super::ConfiguredProvider]) -> BTreeSet<String> {
    providers
        .iter()
        .filter_map(|p| p.to_config())
        .flat_map(|c| {
            let sides = c.side_routes().into_iter().map(|s| s.registry);
            [
                Some(c.registry_name()),
                c.auth_service().map(|(name, _)| name),
            ]
            .into_iter()
            .flatten()
            .chain(sides)
            .collect::<Vec<_>>()
        })
        .collect()
}

pub fn export(folder: &DataFolder, options: &ExportOptions) -> Result<Export, FolderError> {
    // A damaged folder would export what it lost as "not configured".
    folder.check_sound()?;
    let mut out = Export::default();
    let providers = folder.providers()?;
    let configured: BTreeSet<String> = providers.iter().map(|p| p.id.clone()).collect();
    let registries = exported_registries(&providers);
    let routes = exported_routes(&configured);
    let fallbacks: Vec<&str> = providers
        .iter()
        .filter(|p| p.fallback.is_some())
        .map(|p| p.id.as_str())
        .collect();
    let ns = options.namespace.as_str();

    if let Some(mut proxy) = folder.load_resource::<WasmPlugin<AiProxyConfig>>(paths::AI_PROXY)? {
        let spec = &mut proxy.spec;
        spec.default_config
            .providers
            .retain(|p| configured.contains(&p.id));
        spec.match_rules.retain(|r| {
            r.active_provider_id()
                .is_some_and(|id| configured.contains(id))
        });
        if options.redact_keys {
            for p in &mut spec.default_config.providers {
                out.placeholders.extend(redact(p));
            }
        }
        set_url(&mut proxy, &options.plugin_registry);
        out.documents.push(clean(to_value(&proxy), ns));
    }
    if let Some(mut router) =
        folder.load_resource::<WasmPlugin<ModelRouterConfig>>(paths::MODEL_ROUTER)?
    {
        set_url(&mut router, &options.plugin_registry);
        out.documents.push(clean(to_value(&router), ns));
    }
    if let Some(mut stats) = folder.load_resource::<WasmPlugin<Mapping>>(paths::AI_STATISTICS)? {
        set_url(&mut stats, &options.plugin_registry);
        out.documents.push(clean(to_value(&stats), ns));
    }
    if !fallbacks.is_empty() {
        out.documents.extend(model_mapper(folder, options)?);
    }
    let key_auth = client_keys_plugin(folder, &routes, options, &mut out.placeholders)?;
    out.documents
        .extend(key_auth.map(|k| clean(to_value(&k), ns)));
    if let Some(mut bridge) = folder.load_resource::<McpBridge>(paths::MCP_BRIDGE)? {
        bridge
            .spec
            .registries
            .retain(|r| registries.contains(&r.name));
        out.documents.push(clean(to_value(&bridge), ns));
    }
    for id in &configured {
        if let Some(cm) = folder.load_resource::<ConfigMap>(&paths::route_configmap(id))? {
            out.documents.push(clean(to_value(&cm), ns));
        }
    }
    for key in &routes {
        if let Some(ingress) = folder.load_resource::<Ingress>(&paths::ingress(key))? {
            out.documents.push(clean(to_value(&ingress), ns));
        }
    }
    out.documents
        .extend(fallback_redirects(folder, &fallbacks, ns)?);
    Ok(out)
}

/// The model-mapper of the fallback routes; it has no defaultConfig (route rules
/// only), so it stays an untyped document.
fn model_mapper(
    folder: &DataFolder,
    options: &ExportOptions,
) -> Result<Option<Value>, FolderError> {
    let Some(mut mapper) = folder.load_resource::<Value>(fallback::MODEL_MAPPER)? else {
        return Ok(None);
    };
    let url = format!(
        "oci://{}/plugins/model-mapper:1.0.0",
        options.plugin_registry
    );
    if let Some(spec) = mapper.get_mut("spec").and_then(Value::as_mapping_mut) {
        spec.insert("url".into(), url.into());
    }
    Ok(Some(clean(mapper, &options.namespace)))
}

/// The fallback redirects, for the end of the export (after the routes they replay
/// requests to), the global filter they configure first.
fn fallback_redirects(
    folder: &DataFolder,
    ids: &[&str],
    ns: &str,
) -> Result<Vec<Value>, FolderError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let paths = std::iter::once(fallback::CUSTOM_RESPONSE_FILTER.to_string())
        .chain(ids.iter().map(|id| fallback::envoy_filter_path(id)));
    let mut out = Vec::new();
    for path in paths {
        if let Some(filter) = folder.load_resource::<Value>(&path)? {
            out.push(clean(filter, ns));
        }
    }
    Ok(out)
}

/// Each provider's route, then its second routes (`ai-route-bedrock.messages`), then
/// its fallback route.
fn exported_routes(configured: &BTreeSet<String>) -> Vec<String> {
    configured
        .iter()
        .flat_map(|id| {
            let sides = catalog::find(id).map_or(&[][..], side_routes_of);
            std::iter::once(id.clone())
                .chain(sides.iter().map(|s| format!("{id}.{}", s.suffix)))
                .chain(std::iter::once(fallback::ingress_key(id)))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The client keys (key-auth) with the rules of the exported routes only; with
/// `--redact-keys` each key becomes a placeholder.
fn client_keys_plugin(
    folder: &DataFolder,
    routes: &[String],
    options: &ExportOptions,
    placeholders: &mut Vec<(String, String)>,
) -> Result<Option<WasmPlugin<KeyAuthConfig>>, FolderError> {
    let Some(mut plugin) = folder.load_resource::<WasmPlugin<KeyAuthConfig>>(paths::KEY_AUTH)?
    else {
        return Ok(None);
    };
    let exported: BTreeSet<String> = routes.iter().map(|r| route_name(r)).collect();
    plugin.spec.match_rules.retain(|rule| {
        match rule.other.get("ingress").and_then(Value::as_sequence) {
            Some(names) => names
                .iter()
                .filter_map(Value::as_str)
                .all(|n| !n.starts_with("ai-route-") || exported.contains(n)),
            None => true,
        }
    });
    if options.redact_keys {
        for consumer in &mut plugin.spec.default_config.consumers {
            let value = placeholder(&format!("client-key-{}", consumer.name), "");
            let value = value.trim_end_matches('_').to_string();
            consumer.credential = Some(format!("Bearer {value}"));
            consumer.other.remove("credentials");
            placeholders.push((value, format!("the client key {}", consumer.name)));
        }
    }
    set_url(&mut plugin, &options.plugin_registry);
    Ok(Some(plugin))
}

/// Replaces the entry's keys and secret settings with `REPLACE_WITH_…` placeholders;
/// returns each placeholder with what to fill in.
fn redact(p: &mut ProviderEntry) -> Vec<(String, String)> {
    let mut placeholders = Vec::new();
    let spec = catalog::find(&p.id);
    let name = spec.map_or(p.id.as_str(), |s| s.display_name).to_string();
    let count = p.api_tokens.len();
    // A provider that takes no key has nothing secret there (Triton's filler).
    let takes_keys = spec.is_none_or(|s| s.takes_keys());
    for (i, token) in p.api_tokens.iter_mut().enumerate() {
        if is_placeholder_key(token.expose()) || !takes_keys {
            continue;
        }
        let (label, which) = if count > 1 {
            (format!("KEY_{}", i + 1), format!(" #{}", i + 1))
        } else {
            ("KEY".to_string(), String::new())
        };
        let value = placeholder(&p.id, &label);
        *token = crate::secret::Secret::new(value.clone());
        placeholders.push((value, format!("{name} API key{which}")));
    }
    let secret_fields: Vec<String> = p
        .settings
        .keys()
        .filter_map(|k| k.as_str())
        .filter(|field| {
            spec.and_then(|s| s.setting(field)).is_some_and(|s| {
                matches!(
                    s.kind,
                    catalog::SettingKind::Secret | catalog::SettingKind::FileContents
                )
            })
        })
        .map(String::from)
        .collect();
    for field in secret_fields {
        let value = placeholder(&p.id, &field.to_ascii_uppercase());
        placeholders.push((value.clone(), format!("{name} {field}")));
        p.settings.insert(field.into(), value.into());
    }
    placeholders
}

/// The fragment of the Higress chart's values that turns on what the all-in-one image
/// had: images and built-in plugins from the same regional registry, the console
/// (a dependency of the `higress` chart, on by default), and the ingress class our
/// Ingresses name.
pub fn helm_values(registry: &str) -> String {
    format!(
        "# values.yaml fragment for: helm install higress higress.io/higress -n higress-system --create-namespace -f values.yaml\n\
         global:\n  \
           # Images and built-in Wasm plugins ({{hub}}/plugins/<name>) from the registry nearest to you.\n  \
           hub: {registry}\n  \
           pluginNamespace: plugins\n  \
           # The exported Ingresses use this class.\n  \
           ingressClass: higress\n  \
           enableStatus: true\n  \
           # The all-in-one image ran without observability add-ons.\n  \
           o11y:\n    \
             enabled: false\n\
         higress-core:\n  \
           gateway:\n    \
             # One replica like the all-in-one container; raise it for high availability.\n    \
             replicas: 1\n  \
           controller:\n    \
             replicas: 1\n"
    )
}
