//! One configured provider: its keys, model pattern and settings, validated, and the
//! values every resource derives from them (endpoint, registry name, header match).

use std::net::Ipv4Addr;

use thiserror::Error;

use super::catalog::{EndpointRule, KeyRule, ProviderSpec, Setting, SettingKind};
use super::pattern::{self, HeaderMatch};
use crate::secret::Secret;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ProviderError {
    #[error("{provider} needs an API key: pass --{stem}-key KEY (or set {var})")]
    MissingKey {
        provider: &'static str,
        stem: &'static str,
        var: String,
    },
    #[error("the {provider} key is empty; pass the key itself, or several separated by commas")]
    EmptyKey { provider: &'static str },
    #[error(
        "the {provider} key contains a line break or control character; paste the key alone, without quotes or new lines"
    )]
    ControlCharacter { provider: &'static str },
    #[error(
        "{provider} needs {field}: pass --{flag} VALUE (config add: --extra-config {field}=VALUE)"
    )]
    MissingSetting {
        provider: &'static str,
        field: &'static str,
        flag: &'static str,
    },
    #[error("{provider}: {message}")]
    Invalid {
        provider: &'static str,
        message: String,
    },
    #[error(
        "{provider} does not know the setting {field:?}; known settings: {known} (see `higress-claw config add --help`)"
    )]
    UnknownSetting {
        provider: &'static str,
        field: String,
        known: String,
    },
}

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

    pub fn validate(&self) -> Result<(), ProviderError> {
        let provider = self.spec.display_name;
        self.validate_values()?;
        self.validate_credentials()?;
        for setting in self.spec.settings.iter().filter(|s| s.required) {
            if !self.has(setting.field) {
                return Err(self.missing(setting.field));
            }
        }
        self.validate_combinations()?;
        if let Some(url_field) = match self.spec.endpoint {
            EndpointRule::FromUrl(field) => Some(field),
            _ => None,
        } && let Some(url) = self.get(url_field)
            && parse_url(url).is_none()
        {
            return Err(ProviderError::Invalid {
                provider,
                message: format!("{url_field} {url:?} is not an http(s) URL with a host"),
            });
        }
        pattern::validate(self.models())
            .map_err(|message| ProviderError::Invalid { provider, message })?;
        Ok(())
    }

    fn has(&self, field: &str) -> bool {
        self.effective(field).is_some_and(|v| !v.is_empty())
    }

    fn missing(&self, field: &'static str) -> ProviderError {
        ProviderError::MissingSetting {
            provider: self.spec.display_name,
            field,
            flag: self.spec.setting(field).map_or("", |s| s.flag),
        }
    }

    /// Each key and setting on its own: no empty key, no line break, the setting's kind.
    fn validate_values(&self) -> Result<(), ProviderError> {
        let provider = self.spec.display_name;
        for key in &self.keys {
            if key.expose().is_empty() {
                return Err(ProviderError::EmptyKey { provider });
            }
            if key.expose().chars().any(char::is_control) {
                return Err(ProviderError::ControlCharacter { provider });
            }
        }
        for (setting, value) in &self.settings {
            if value.chars().any(|c| c.is_control() && c != '\t')
                && setting.kind != SettingKind::FileContents
            {
                return Err(ProviderError::Invalid {
                    provider,
                    message: format!("{} contains a line break", setting.field),
                });
            }
            check_kind(setting, value)
                .map_err(|message| ProviderError::Invalid { provider, message })?;
        }
        Ok(())
    }

    /// One complete way to authenticate, by the provider's key rule.
    fn validate_credentials(&self) -> Result<(), ProviderError> {
        let provider = self.spec.display_name;
        let invalid = |message: &str| ProviderError::Invalid {
            provider,
            message: message.into(),
        };
        match self.spec.key {
            KeyRule::Required if self.keys.is_empty() => Err(ProviderError::MissingKey {
                provider,
                stem: self.spec.flag_stem,
                var: crate::env_vars::provider_key_var(self.spec.flag_stem),
            }),
            KeyRule::BedrockKeyOrAccessKeys if self.keys.is_empty() => {
                if !self.has("awsAccessKey") && !self.has("awsSecretKey") {
                    return Err(invalid(
                        "pass --bedrock-key (a Bedrock API key), or --bedrock-access-key and --bedrock-secret-key",
                    ));
                }
                self.require(&["awsAccessKey", "awsSecretKey"])
            }
            KeyRule::VertexKeyOrServiceAccount if self.keys.is_empty() => {
                if !self.has("vertexAuthKey") {
                    return Err(invalid(
                        "pass --vertex-key (express mode), or --vertex-auth-key-file with --vertex-project-id and --vertex-region",
                    ));
                }
                self.require(&["vertexProjectId", "vertexRegion"])
            }
            KeyRule::HunyuanKeyOrAuthPair => {
                let id = self.effective("hunyuanAuthId").unwrap_or_default();
                let key = self.effective("hunyuanAuthKey").unwrap_or_default();
                if self.keys.is_empty() && id.is_empty() && key.is_empty() {
                    return Err(invalid(
                        "pass --hunyuan-key (OpenAI-compatible API), or --hunyuan-auth-id and --hunyuan-auth-key",
                    ));
                }
                if (!id.is_empty() || !key.is_empty()) && id.chars().count() != 36 {
                    return Err(invalid(
                        "hunyuanAuthId (--hunyuan-auth-id) must be the 36-character SecretId",
                    ));
                }
                if (!id.is_empty() || !key.is_empty()) && key.chars().count() != 32 {
                    return Err(invalid(
                        "hunyuanAuthKey (--hunyuan-auth-key) must be the 32-character SecretKey",
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn require(&self, fields: &[&'static str]) -> Result<(), ProviderError> {
        match fields.iter().find(|f| !self.has(f)) {
            Some(field) => Err(self.missing(field)),
            None => Ok(()),
        }
    }

    /// Settings that only work together, as the ai-proxy plugin reads them.
    fn validate_combinations(&self) -> Result<(), ProviderError> {
        let provider = self.spec.display_name;
        let needs = |field: &'static str, because: &str| -> Result<(), ProviderError> {
            if self.effective(field).is_some_and(|v| !v.is_empty()) {
                return Ok(());
            }
            let flag = self.spec.setting(field).map_or("", |s| s.flag);
            Err(ProviderError::Invalid {
                provider,
                message: format!(
                    "{because} needs {field}: pass --{flag} VALUE (config add: --extra-config {field}=VALUE)"
                ),
            })
        };
        if self.effective("botType").as_deref() == Some("Workflow") {
            needs("inputVariable", "a Dify Workflow")?;
            needs("outputVariable", "a Dify Workflow")?;
        }
        if self.effective("minimaxApiType").as_deref() == Some("pro") {
            needs("minimaxGroupId", "the Minimax pro API")?;
        }
        if self.spec.id == "spark" && self.keys.iter().any(|k| !k.expose().contains(':')) {
            return Err(ProviderError::Invalid {
                provider,
                message: "the Spark key must be APIKey:APISecret (both from the iFlyTek console, joined by a colon)".into(),
            });
        }
        if let Some(url) = self.get("azureServiceUrl")
            && !url.contains("api-version=")
        {
            return Err(ProviderError::Invalid {
                provider,
                message: "azureServiceUrl needs its api-version query, e.g. https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT/chat/completions?api-version=2024-06-01 (the plugin refuses the whole configuration without it)".into(),
            });
        }
        if let Some(json) = self.get("vertexAuthKey") {
            let key: serde_json::Value =
                serde_json::from_str(json).map_err(|_| ProviderError::Invalid {
                    provider,
                    message: "vertexAuthKey is not JSON; pass the service-account key file Google Cloud gave you".into(),
                })?;
            let missing: Vec<&str> = ["client_email", "private_key", "token_uri"]
                .into_iter()
                .filter(|field| !key[field].is_string())
                .collect();
            if !missing.is_empty() {
                return Err(ProviderError::Invalid {
                    provider,
                    message: format!(
                        "the service-account key lacks {}; download a JSON key of type service_account from Google Cloud (IAM → Service accounts → Keys)",
                        missing.join(", ")
                    ),
                });
            }
        }
        Ok(())
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

fn check_kind(setting: &Setting, value: &str) -> Result<(), String> {
    match setting.kind {
        SettingKind::Bool if parse_bool(value).is_none() => Err(format!(
            "{} must be true or false, not {value:?}",
            setting.field
        )),
        SettingKind::Port if value.parse::<u16>().map_or(true, |p| p == 0) => Err(format!(
            "{} must be a port number from 1 to 65535, not {value:?}",
            setting.field
        )),
        SettingKind::Host if !is_host(value) => Err(format!(
            "{} must be a host name or IPv4 address such as api.z.ai or 192.168.1.10, not {value:?} (no scheme, port or path)",
            setting.field
        )),
        SettingKind::Choice(choices) if !choices.contains(&value) => Err(format!(
            "{} must be one of {}, not {value:?}",
            setting.field,
            choices.join(", ")
        )),
        _ => Ok(()),
    }
}

/// A DNS name (labels of letters, digits and inner hyphens) or an IPv4 address.
fn is_host(value: &str) -> bool {
    if value.parse::<Ipv4Addr>().is_ok() {
        return true;
    }
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
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
            Err(ProviderError::MissingSetting {
                field: "azureServiceUrl",
                ..
            })
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
