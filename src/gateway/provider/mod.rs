//! One configured provider: its keys, model pattern and settings, and the values every
//! resource derives from them (endpoint, registry name, header match). `validate` says
//! whether it will work.

use std::net::Ipv4Addr;

use super::catalog::{EndpointRule, ProviderSpec, Setting, SettingKind};
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
    /// defaults, in catalog order; a false switch is left out as upstream does.
    pub fn rendered_settings(&self) -> Vec<(&'static str, crate::yaml::Value)> {
        use crate::yaml::Value;
        let auth_service = self.auth_service().map(|(name, _)| name);
        self.spec
            .settings
            .iter()
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
                    _ => Value::String(value),
                };
                Some((s.field, rendered))
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
            EndpointRule::FromUrl(field) => match self.get(field).and_then(parse_url) {
                Some(url) => Endpoint {
                    domain: url.host,
                    port: url.port,
                    protocol: url.scheme,
                },
                None => fixed(spec.domain.to_string()),
            },
            EndpointRule::Bedrock => fixed(format!(
                "bedrock-runtime.{}.amazonaws.com",
                self.effective("awsRegion")
                    .unwrap_or_else(|| "us-east-1".into())
            )),
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

/// Upstream writes a placeholder token for providers nobody configured.
pub fn is_placeholder_key(key: &str) -> bool {
    key.starts_with("YOUR_") && key.ends_with("_API_KEY")
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
}

fn parse_url(url: &str) -> Option<Url> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
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
    Some(Url {
        scheme,
        host: host.to_string(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::catalog::find;

    fn with_key(id: &str) -> ProviderConfig {
        let mut p = ProviderConfig::new(find(id).unwrap());
        p.keys = parse_keys("sk-1");
        p
    }

    /// Nothing that holds keys prints them, even when debug-formatted.
    #[test]
    fn debug_forms_mask_keys_and_secret_settings() {
        let mut p = ProviderConfig::new(find("bedrock").unwrap());
        p.keys = parse_keys("sk-visible-nowhere-0001");
        p.set("awsRegion", "us-east-1").unwrap();
        p.set("awsSecretKey", "aws-secret-visible-nowhere").unwrap();
        let shown = format!("{p:?}");
        assert!(shown.contains("us-east-1"), "{shown}");
        assert!(!shown.contains("visible-nowhere"), "{shown}");
        let entry: crate::gateway::resources::ProviderEntry =
            crate::yaml::from_str("id: x\ntype: openai\napiTokens: [sk-visible-nowhere-0002]\n")
                .unwrap();
        assert!(!format!("{entry:?}").contains("visible-nowhere"));
        assert_eq!(entry.api_tokens[0].expose(), "sk-visible-nowhere-0002");
    }

    #[test]
    fn azure_domain_comes_from_its_url() {
        let mut p = with_key("azure");
        assert!(matches!(
            p.validate(),
            Err(ProviderError::MissingSetting { setting, .. }) if setting.field == "azureServiceUrl"
        ));
        p.set("azureServiceUrl", "https://me.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01").unwrap();
        p.validate().unwrap();
        assert_eq!(p.endpoint().domain, "me.openai.azure.com");
        assert_eq!(p.endpoint().port, 443);
    }

    #[test]
    fn ipv4_hosts_make_static_registries() {
        let mut p = ProviderConfig::new(find("ollama").unwrap());
        p.set("ollamaServerHost", "192.168.1.10").unwrap();
        p.validate().unwrap();
        assert_eq!(p.service_name(), "llm-ollama.internal.static");
        assert_eq!(p.service_port(), 80);
        assert_eq!(p.endpoint().port, 11434);
    }

    #[test]
    fn keys_split_on_commas_only() {
        let keys = parse_keys("a b: c, d#e ,");
        let plain: Vec<_> = keys.iter().map(|k| k.expose()).collect();
        assert_eq!(plain, vec!["a b: c", "d#e"]);
    }

    #[test]
    fn bad_settings_are_named() {
        let mut p = with_key("zhipuai");
        let err = p.set("zhipuDomian", "x").unwrap_err();
        assert!(err.to_string().contains("zhipuDomain"), "{err}");
        p.set("zhipuCodePlanMode", "maybe").unwrap();
        assert!(
            p.validate()
                .unwrap_err()
                .to_string()
                .contains("true or false")
        );
    }
}
