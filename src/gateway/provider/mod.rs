//! One configured provider: its keys, model pattern and settings, and the values every
//! resource derives from them (endpoint, registry name, header match). `validate` says
//! whether it will work.

use std::net::Ipv4Addr;

use super::catalog::{EndpointRule, KeyRule, ProviderSpec, Setting, SettingKind};
use super::pattern::{self, HeaderMatch};
use crate::secret::Secret;

mod validate;

pub use validate::{Credential, ProviderError};

/// A provider as the user configured it.
#[derive(Clone)]
pub struct ProviderConfig {
    pub spec: &'static ProviderSpec,
    pub keys: Vec<Secret>,
    /// The model pattern; `None` means the catalog default.
    pub models: Option<String>,
    /// Settings given by the user, by ai-proxy field name, in catalog order.
    pub settings: Vec<(&'static Setting, String)>,
    /// Changes to its key failover and retries; kept as they are unless set.
    pub resilience: super::resilience::ResilienceEdit,
}

/// Secret settings (AWS secret key, Hunyuan key, the Vertex service account) show
/// masked, like the keys.
impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let settings: Vec<(&str, String)> = self
            .settings
            .iter()
            .map(|(s, v)| {
                let shown = match s.kind {
                    SettingKind::Secret | SettingKind::FileContents => crate::secret::mask(v),
                    _ => v.clone(),
                };
                (s.field, shown)
            })
            .collect();
        f.debug_struct("ProviderConfig")
            .field("id", &self.spec.id)
            .field("keys", &self.keys)
            .field("models", &self.models)
            .field("settings", &settings)
            .finish()
    }
}

/// The default name of Vertex's token-exchange service, and the host it reaches.
pub const VERTEX_AUTH_SERVICE: &str = "vertex-oauth2";
pub const VERTEX_AUTH_DOMAIN: &str = "oauth2.googleapis.com";

/// Where a provider's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub domain: String,
    pub port: u16,
    pub protocol: String,
}

impl Endpoint {
    /// `static` when the host is an IPv4 address (McpBridge cannot resolve it by DNS),
    /// else `dns`.
    pub fn registry_type(&self) -> &'static str {
        if self.domain.parse::<Ipv4Addr>().is_ok() {
            "static"
        } else {
            "dns"
        }
    }
}

/// Splits a comma-separated key list into secrets. Whitespace inside a key is kept
/// byte-exact (keys may contain `: `); only surrounding blanks are trimmed.
pub fn parse_keys(raw: &str) -> Vec<Secret> {
    raw.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(Secret::new)
        .collect()
}

impl ProviderConfig {
    pub fn new(spec: &'static ProviderSpec) -> Self {
        Self {
            spec,
            keys: Vec::new(),
            models: None,
            settings: Vec::new(),
            resilience: Default::default(),
        }
    }

    pub fn models(&self) -> &str {
        self.models.as_deref().unwrap_or(self.spec.models)
    }

    pub fn header_match(&self) -> HeaderMatch {
        pattern::header_match(self.models())
    }

    /// Sets a setting by its ai-proxy field name, replacing an earlier value.
    pub fn set(&mut self, field: &str, value: impl Into<String>) -> Result<(), ProviderError> {
        let setting = self
            .spec
            .setting(field)
            .ok_or_else(|| ProviderError::UnknownSetting {
                provider: self.spec.display_name,
                field: field.to_string(),
                known: if self.spec.settings.is_empty() {
                    "none".to_string()
                } else {
                    self.spec
                        .settings
                        .iter()
                        .map(|s| s.field)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })?;
        let mut value = value.into();
        if let SettingKind::Choice(choices) = setting.kind
            && let Some(canonical) = choices.iter().find(|c| c.eq_ignore_ascii_case(&value))
        {
            value = canonical.to_string();
        }
        if let SettingKind::Url(Some(default_path)) = setting.kind
            && parse_url(&value).is_some_and(|url| url.path.is_empty())
        {
            value = format!("{}{default_path}", value.trim_end_matches('/'));
        }
        self.settings.retain(|(s, _)| s.field != field);
        self.settings.push((setting, value));
        let order = |s: &Setting| self.spec.settings.iter().position(|x| x.field == s.field);
        self.settings.sort_by_key(|(s, _)| order(s));
        Ok(())
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(s, _)| s.field == field)
            .map(|(_, v)| v.as_str())
    }

    /// The user's value, else the catalog default.
    pub fn effective(&self, field: &str) -> Option<String> {
        self.get(field)
            .map(str::to_string)
            .or_else(|| self.spec.setting(field)?.default.map(str::to_string))
    }

    /// The settings written into the ai-proxy entry, as YAML values: user values and
    /// defaults, in catalog order (a false switch is left out as upstream does), then
    /// the fields derived from them and the provider's fixed fields.
    pub fn rendered_settings(&self) -> Vec<(&'static str, crate::yaml::Value)> {
        use crate::yaml::Value;
        let auth_service = self.auth_service().map(|(name, _)| name);
        let unread_url = match self.spec.endpoint {
            EndpointRule::Authority { url, .. } => Some(url),
            _ => None,
        };
        let mut out: Vec<(&'static str, Value)> = self
            .spec
            .settings
            .iter()
            .filter(|s| Some(s.field) != unread_url)
            .filter_map(|s| {
                // The token service is named even when the user left the default.
                if s.field == "vertexAuthServiceName" {
                    return auth_service
                        .clone()
                        .map(|name| (s.field, Value::String(name)));
                }
                let value = self.effective(s.field)?;
                let rendered = match s.kind {
                    SettingKind::Bool => {
                        if parse_bool(&value)? {
                            Value::Bool(true)
                        } else {
                            return None;
                        }
                    }
                    SettingKind::Port => Value::Number(value.parse::<u16>().ok()?.into()),
                    SettingKind::Number => Value::Number(value.parse::<u64>().ok()?.into()),
                    _ => Value::String(value),
                };
                Some((s.field, rendered))
            })
            .collect();
        out.extend(self.authority_fields());
        out.extend(
            self.spec
                .fixed
                .iter()
                .map(|(field, value)| (*field, Value::String(value.to_string()))),
        );
        out
    }

    /// What a URL the plugin does not read becomes (`EndpointRule::Authority`): the
    /// request's authority, and for `base_path` the URL's path before `/v1`.
    fn authority_fields(&self) -> Vec<(&'static str, crate::yaml::Value)> {
        use crate::yaml::Value;
        let EndpointRule::Authority {
            url,
            field,
            base_path,
        } = self.spec.endpoint
        else {
            return Vec::new();
        };
        let Some(url) = self.get(url).and_then(parse_url) else {
            return Vec::new();
        };
        let mut out = vec![(field, Value::String(url.authority()))];
        let prefix = url.path.trim_end_matches('/');
        let prefix = prefix.strip_suffix("/v1").unwrap_or(prefix);
        if base_path && !prefix.is_empty() {
            out.push(("basePath", Value::String(prefix.to_string())));
            out.push(("basePathHandling", Value::String("prepend".into())));
        }
        out
    }

    /// The `apiTokens` of the entry: the keys, the filler of a provider whose plugin
    /// code wants one it never sends, none for a provider that takes none.
    pub fn entry_tokens(&self) -> Vec<Secret> {
        match self.spec.key {
            KeyRule::None => Vec::new(),
            KeyRule::Filler(token) => vec![Secret::new(token)],
            _ => self.keys.clone(),
        }
    }

    /// The provider's second routes (see [`SideRoute`]).
    pub fn side_routes(&self) -> Vec<SideRoute> {
        side_routes_of(self.spec)
            .iter()
            .map(|side| SideRoute {
                key: format!("{}.{}", self.spec.id, side.suffix),
                path: side.path,
                registry: registry_name(&format!("{}-{}", self.spec.id, side.registry)),
                endpoint: Endpoint {
                    domain: (side.domain)(self),
                    port: 443,
                    protocol: "https".into(),
                },
            })
            .collect()
    }

    /// A second upstream the provider's plugin code calls besides its own endpoint:
    /// Vertex in service-account mode exchanges its key for a token at Google's OAuth2
    /// endpoint, through the gateway service named by `vertexAuthServiceName` (the
    /// plugin's `DnsCluster`, i.e. an McpBridge registry of that name). The service is
    /// written with the provider, so the mode works without knowing Higress's internals.
    pub fn auth_service(&self) -> Option<(String, Endpoint)> {
        if self.spec.id != "vertex" || !self.keys.is_empty() || self.get("vertexAuthKey").is_none()
        {
            return None;
        }
        let name = self
            .get("vertexAuthServiceName")
            .unwrap_or(VERTEX_AUTH_SERVICE)
            .to_string();
        Some((
            name,
            Endpoint {
                domain: VERTEX_AUTH_DOMAIN.into(),
                port: 443,
                protocol: "https".into(),
            },
        ))
    }

    pub fn endpoint(&self) -> Endpoint {
        let spec = self.spec;
        let fixed = |domain: String| Endpoint {
            domain,
            port: spec.port,
            protocol: spec.protocol.to_string(),
        };
        match spec.endpoint {
            EndpointRule::Fixed => fixed(spec.domain.to_string()),
            EndpointRule::FromSetting(field) => fixed(
                self.effective(field)
                    .unwrap_or_else(|| spec.domain.to_string()),
            ),
            EndpointRule::FromUrl(field) | EndpointRule::Authority { url: field, .. } => {
                match self.get(field).and_then(parse_url) {
                    Some(url) => Endpoint {
                        domain: url.host,
                        port: url.port,
                        protocol: url.scheme,
                    },
                    None => fixed(spec.domain.to_string()),
                }
            }
            EndpointRule::Bedrock => {
                fixed(format!("bedrock-runtime.{}.amazonaws.com", self.region()))
            }
            EndpointRule::DeepL => fixed(if self.deepl_free() {
                DEEPL_FREE_DOMAIN.into()
            } else {
                spec.domain.to_string()
            }),
            EndpointRule::Vertex => {
                let region = self.effective("vertexRegion").unwrap_or_default();
                // Express mode (an API key) always uses the global host.
                if !self.keys.is_empty() || region.is_empty() || region == "global" {
                    fixed("aiplatform.googleapis.com".into())
                } else {
                    fixed(format!("{region}-aiplatform.googleapis.com"))
                }
            }
            EndpointRule::Hunyuan => {
                if self
                    .effective("hunyuanAuthId")
                    .is_some_and(|v| !v.is_empty())
                {
                    fixed("hunyuan.tencentcloudapi.com".into())
                } else {
                    fixed(spec.domain.to_string())
                }
            }
            EndpointRule::Ollama => Endpoint {
                domain: self
                    .effective("ollamaServerHost")
                    .unwrap_or_else(|| spec.domain.to_string()),
                port: self
                    .effective("ollamaServerPort")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(spec.port),
                protocol: spec.protocol.to_string(),
            },
        }
    }

    fn region(&self) -> String {
        self.effective("awsRegion")
            .unwrap_or_else(|| "us-east-1".into())
    }

    /// Whether the DeepL keys are Free keys, which DeepL marks with `:fx`.
    pub fn deepl_free(&self) -> bool {
        !self.keys.is_empty() && self.keys.iter().all(|k| k.expose().ends_with(":fx"))
    }

    /// `llm-<id>.internal`, the McpBridge registry name.
    pub fn registry_name(&self) -> String {
        registry_name(self.spec.id)
    }

    /// The service an ingress and a match rule point at, e.g. `llm-deepseek.internal.dns`.
    pub fn service_name(&self) -> String {
        format!(
            "{}.{}",
            self.registry_name(),
            self.endpoint().registry_type()
        )
    }

    /// Port of the service: a static registry serves on 80, a dns one on the real port.
    pub fn service_port(&self) -> u16 {
        let endpoint = self.endpoint();
        if endpoint.registry_type() == "static" {
            80
        } else {
            endpoint.port
        }
    }

    /// A model id this provider serves, for examples: the first catalog example that the
    /// configured pattern routes here, else the pattern's first literal.
    pub fn example_model(&self) -> String {
        let matcher = self.header_match();
        if let Some(model) = self.spec.example_models.iter().find(|m| matcher.matches(m)) {
            return (*model).to_string();
        }
        let first = self.models().split(',').next().unwrap_or("").trim();
        first.trim_end_matches('*').to_string()
    }
}

/// DeepL's host for Free keys.
pub const DEEPL_FREE_DOMAIN: &str = "api-free.deepl.com";

/// A second route of a provider, for the requests its plugin code sends to another
/// host than its endpoint: the same model match on a longer path prefix (Higress
/// orders routes by path length first, so it wins over the provider's `/`), to a
/// registry of its own. Named like the console's `ai-route-<id>.fallback.internal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideRoute {
    /// The ingress `ai-route-<key>.internal` (`bedrock.messages`).
    pub key: String,
    pub path: &'static str,
    /// The McpBridge registry (`llm-bedrock-mantle.internal`).
    pub registry: String,
    pub endpoint: Endpoint,
}

impl SideRoute {
    pub fn service_name(&self) -> String {
        format!("{}.{}", self.registry, self.endpoint.registry_type())
    }
}

/// The shape of a provider's second route, by catalog row.
pub struct SideRouteSpec {
    pub suffix: &'static str,
    pub path: &'static str,
    pub registry: &'static str,
    domain: fn(&ProviderConfig) -> String,
}

/// For `/v1/messages` the plugin sends Bedrock requests to the Mantle endpoint, AWS's
/// Anthropic-compatible API (`/anthropic/v1/messages`, API key or SigV4).
const BEDROCK_SIDE_ROUTES: &[SideRouteSpec] = &[SideRouteSpec {
    suffix: "messages",
    path: "/v1/messages",
    registry: "mantle",
    domain: |p| format!("bedrock-mantle.{}.api.aws", p.region()),
}];

/// The second routes a provider of this kind has, whatever its settings.
pub fn side_routes_of(spec: &ProviderSpec) -> &'static [SideRouteSpec] {
    match spec.endpoint {
        EndpointRule::Bedrock => BEDROCK_SIDE_ROUTES,
        _ => &[],
    }
}

/// Upstream writes a placeholder token for providers nobody configured.
pub fn is_placeholder_key(key: &str) -> bool {
    key.starts_with("YOUR_") && key.ends_with("_API_KEY")
}

/// Whether an ai-proxy entry is one upstream wrote for nobody: its keys are all
/// `YOUR_…_API_KEY` placeholders; or, for a provider that takes no key (upstream gives
/// every Ollama entry `YOUR_OLLAMA_API_KEY`, configured or not), a setting still holds
/// a `YOUR_…` placeholder (`ollamaServerHost: YOUR_OLLAMA_SERVER_HOST`).
pub fn is_placeholder_entry(entry: &super::resources::ProviderEntry) -> bool {
    let spec = super::catalog::PROVIDERS.iter().find(|p| p.id == entry.id);
    if spec.is_some_and(|s| !s.takes_keys()) {
        return entry
            .settings
            .values()
            .any(|v| v.as_str().is_some_and(|t| t.starts_with("YOUR_")));
    }
    !entry.api_tokens.is_empty()
        && entry
            .api_tokens
            .iter()
            .all(|t| is_placeholder_key(t.expose()))
}

pub fn registry_name(id: &str) -> String {
    format!("llm-{id}.internal")
}

pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

struct Url {
    scheme: String,
    host: String,
    port: u16,
    /// The path without query and fragment; empty when there is none.
    path: String,
}

impl Url {
    /// `host[:port]` as a request names it: the port when it is not the scheme's, and
    /// always for an IPv4 address, whose static registry is `address:port`.
    fn authority(&self) -> String {
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port != default || self.host.parse::<Ipv4Addr>().is_ok() {
            format!("{}:{}", self.host, self.port)
        } else {
            self.host.clone()
        }
    }
}

fn parse_url(url: &str) -> Option<Url> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.rsplit('@').next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
            (host, port.parse().ok()?)
        }
        _ => (authority, default_port),
    };
    if host.is_empty() {
        return None;
    }
    let path = tail.split(['?', '#']).next().unwrap_or("").to_string();
    Some(Url {
        scheme,
        host: host.to_string(),
        port,
        path,
    })
}

#[cfg(test)]
mod tests;
