//! Whether a provider's configuration will work: its keys and settings one by one, one
//! complete way to authenticate, the settings that only work together, and its model
//! pattern. The errors speak the plugin's language (field names); the command line
//! adds which flag fixes them.

use std::net::Ipv4Addr;

use thiserror::Error;

use super::{ProviderConfig, parse_bool, parse_url};
use crate::gateway::catalog::{EndpointRule, KeyRule, ProviderSpec, Setting, SettingKind};
use crate::gateway::pattern;

/// What is wrong with a provider's configuration. The messages say what is wrong in
/// the plugin's terms (its field names); which flag fixes it depends on the command,
/// and the command line adds that.
#[derive(Debug, Error)]
pub enum ProviderError {
    #[error("{} needs an API key", spec.display_name)]
    MissingKey { spec: &'static ProviderSpec },
    #[error("{} takes no API key: the plugin sends none to it", spec.display_name)]
    KeyNotTaken { spec: &'static ProviderSpec },
    #[error("the {provider} key is empty; pass the key itself, or several separated by commas")]
    EmptyKey { provider: &'static str },
    #[error(
        "the {provider} key contains a line break or control character; paste the key alone, without quotes or new lines"
    )]
    ControlCharacter { provider: &'static str },
    #[error("{} needs {} ({})", because.unwrap_or(spec.display_name), setting.field, setting.help)]
    MissingSetting {
        spec: &'static ProviderSpec,
        setting: &'static Setting,
        /// The mode that needs it (`a Dify Workflow`), when not the provider as such.
        because: Option<&'static str>,
    },
    #[error("{} needs credentials: {}", spec.display_name, describe_ways(ways))]
    NoCredentials {
        spec: &'static ProviderSpec,
        ways: &'static [&'static [Credential]],
    },
    #[error("{provider}: {message}")]
    Invalid {
        provider: &'static str,
        /// The setting at fault, when one is.
        field: Option<&'static str>,
        message: String,
    },
    #[error("{provider} does not know the setting {field:?}; known settings: {known}")]
    UnknownSetting {
        provider: &'static str,
        field: String,
        known: String,
    },
}

/// A part of one complete way to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The provider's API key(s).
    Key,
    /// A setting of the ai-proxy entry, by field name.
    Setting(&'static str),
}

/// `an API key, or awsAccessKey and awsSecretKey`.
fn describe_ways(ways: &[&[Credential]]) -> String {
    ways.iter()
        .map(|way| {
            way.iter()
                .map(|part| match part {
                    Credential::Key => "an API key".to_string(),
                    Credential::Setting(field) => field.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(", or ")
}

const BEDROCK_WAYS: &[&[Credential]] = &[
    &[Credential::Key],
    &[
        Credential::Setting("awsAccessKey"),
        Credential::Setting("awsSecretKey"),
    ],
];
const VERTEX_WAYS: &[&[Credential]] = &[
    &[Credential::Key],
    &[
        Credential::Setting("vertexAuthKey"),
        Credential::Setting("vertexProjectId"),
        Credential::Setting("vertexRegion"),
    ],
];
const HUNYUAN_WAYS: &[&[Credential]] = &[
    &[Credential::Key],
    &[
        Credential::Setting("hunyuanAuthId"),
        Credential::Setting("hunyuanAuthKey"),
    ],
];

impl ProviderConfig {
    pub fn validate(&self) -> Result<(), ProviderError> {
        self.validate_values()?;
        self.validate_credentials()?;
        for setting in self.spec.settings.iter().filter(|s| s.required) {
            self.require(setting.field, None)?;
        }
        self.validate_combinations()?;
        self.validate_url()?;
        pattern::validate(self.models()).map_err(|message| ProviderError::Invalid {
            provider: self.spec.display_name,
            field: None,
            message,
        })?;
        Ok(())
    }

    fn invalid(&self, field: Option<&'static str>, message: impl Into<String>) -> ProviderError {
        ProviderError::Invalid {
            provider: self.spec.display_name,
            field,
            message: message.into(),
        }
    }

    fn has(&self, field: &str) -> bool {
        self.effective(field).is_some_and(|v| !v.is_empty())
    }

    /// `field` must have a value; `because` names the mode that needs it.
    fn require(&self, field: &str, because: Option<&'static str>) -> Result<(), ProviderError> {
        if self.has(field) {
            return Ok(());
        }
        let setting = self
            .spec
            .setting(field)
            .expect("required settings are in the catalog");
        Err(ProviderError::MissingSetting {
            spec: self.spec,
            setting,
            because,
        })
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
                return Err(self.invalid(
                    Some(setting.field),
                    format!("{} contains a line break", setting.field),
                ));
            }
            check_kind(setting, value)
                .map_err(|message| self.invalid(Some(setting.field), message))?;
        }
        Ok(())
    }

    /// One complete way to authenticate, by the provider's key rule.
    fn validate_credentials(&self) -> Result<(), ProviderError> {
        let none = |ways| ProviderError::NoCredentials {
            spec: self.spec,
            ways,
        };
        match self.spec.key {
            KeyRule::Required if self.keys.is_empty() => {
                Err(ProviderError::MissingKey { spec: self.spec })
            }
            KeyRule::None | KeyRule::Filler(_) if !self.keys.is_empty() => {
                Err(ProviderError::KeyNotTaken { spec: self.spec })
            }
            KeyRule::BedrockKeyOrAccessKeys if self.keys.is_empty() => {
                if !self.has("awsAccessKey") && !self.has("awsSecretKey") {
                    return Err(none(BEDROCK_WAYS));
                }
                self.require("awsAccessKey", None)?;
                self.require("awsSecretKey", None)
            }
            KeyRule::VertexKeyOrServiceAccount if self.keys.is_empty() => {
                if !self.has("vertexAuthKey") {
                    return Err(none(VERTEX_WAYS));
                }
                self.require("vertexProjectId", None)?;
                self.require("vertexRegion", None)
            }
            KeyRule::HunyuanKeyOrAuthPair => {
                let id = self.effective("hunyuanAuthId").unwrap_or_default();
                let key = self.effective("hunyuanAuthKey").unwrap_or_default();
                if self.keys.is_empty() && id.is_empty() && key.is_empty() {
                    return Err(none(HUNYUAN_WAYS));
                }
                let signed = !id.is_empty() || !key.is_empty();
                if signed && id.chars().count() != 36 {
                    return Err(self.invalid(
                        Some("hunyuanAuthId"),
                        "hunyuanAuthId must be the 36-character SecretId",
                    ));
                }
                if signed && key.chars().count() != 32 {
                    return Err(self.invalid(
                        Some("hunyuanAuthKey"),
                        "hunyuanAuthKey must be the 32-character SecretKey",
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Settings that only work together, as the ai-proxy plugin reads them.
    fn validate_combinations(&self) -> Result<(), ProviderError> {
        if self.effective("botType").as_deref() == Some("Workflow") {
            self.require("inputVariable", Some("a Dify Workflow"))?;
            self.require("outputVariable", Some("a Dify Workflow"))?;
        }
        if self.effective("minimaxApiType").as_deref() == Some("pro") {
            self.require("minimaxGroupId", Some("the Minimax pro API"))?;
        }
        if self.spec.id == "spark" && self.keys.iter().any(|k| !k.expose().contains(':')) {
            return Err(self.invalid(
                None,
                "the Spark key must be APIKey:APISecret (both from the iFlyTek console, joined by a colon)",
            ));
        }
        if let Some(url) = self.get("azureServiceUrl")
            && !url.contains("api-version=")
        {
            return Err(self.invalid(
                Some("azureServiceUrl"),
                "azureServiceUrl needs its api-version query, e.g. https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT/chat/completions?api-version=2024-06-01 (the plugin refuses the whole configuration without it)",
            ));
        }
        if let Some(json) = self.get("vertexAuthKey") {
            self.validate_service_account(json)?;
        }
        if self.spec.endpoint == EndpointRule::DeepL {
            self.validate_deepl_plan()?;
        }
        Ok(())
    }

    /// DeepL Free keys (`…:fx`) work only at api-free.deepl.com, Pro keys only at
    /// api.deepl.com; the plugin picks the host from the model (`Free`, `Pro`) and
    /// sends any of the keys, so keys of one plan, and a pattern that takes its model.
    fn validate_deepl_plan(&self) -> Result<(), ProviderError> {
        let free = self
            .keys
            .iter()
            .filter(|k| k.expose().ends_with(":fx"))
            .count();
        if free != 0 && free != self.keys.len() {
            return Err(self.invalid(
                None,
                "the DeepL keys mix Free keys (ending in :fx, served by api-free.deepl.com) and Pro keys (api.deepl.com); give keys of one plan",
            ));
        }
        let plan = if self.deepl_free() { "Free" } else { "Pro" };
        if !self.header_match().matches(plan) {
            return Err(self.invalid(
                None,
                format!(
                    "these are DeepL {plan} keys, so requests name the model {plan:?} (the plugin picks the endpoint by it), and the pattern {:?} does not take it",
                    self.models()
                ),
            ));
        }
        Ok(())
    }

    fn validate_service_account(&self, json: &str) -> Result<(), ProviderError> {
        let field = Some("vertexAuthKey");
        let key: serde_json::Value = serde_json::from_str(json).map_err(|_| {
            self.invalid(
                field,
                "vertexAuthKey is not JSON; pass the service-account key file Google Cloud gave you",
            )
        })?;
        let missing: Vec<&str> = ["client_email", "private_key", "token_uri"]
            .into_iter()
            .filter(|name| !key[name].is_string())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(self.invalid(
            field,
            format!(
                "the service-account key lacks {}; download a JSON key of type service_account from Google Cloud (IAM → Service accounts → Keys)",
                missing.join(", ")
            ),
        ))
    }

    /// A URL setting (Azure's, Dify's, vLLM's) must be one the gateway can reach; one
    /// the plugin does not read must have a path it can stand for.
    fn validate_url(&self) -> Result<(), ProviderError> {
        let (field, base_path) = match self.spec.endpoint {
            EndpointRule::FromUrl(field) => (field, None),
            EndpointRule::Authority { url, base_path, .. } => (url, Some(base_path)),
            _ => return Ok(()),
        };
        let Some(url) = self.get(field) else {
            return Ok(());
        };
        let Some(parsed) = parse_url(url) else {
            return Err(self.invalid(
                Some(field),
                format!("{field} {url:?} is not an http(s) URL with a host"),
            ));
        };
        let path = parsed.path.trim_end_matches('/');
        match base_path {
            // generic passes the client's path (`/v1/chat/completions`) on.
            Some(true) if !path.is_empty() && !path.ends_with("/v1") => Err(self.invalid(
                Some(field),
                format!(
                    "{field} {url:?} must end in /v1 (or have no path): the gateway passes the client's path (/v1/chat/completions, …) on, with only the part before /v1 put in front; for a server whose OpenAI API is not under …/v1, use vLLM's URL setting, which maps each API onto the path"
                ),
            )),
            // Triton: the plugin builds the path (/v2/models/<model>/generate).
            Some(false) if !path.is_empty() => Err(self.invalid(
                Some(field),
                format!(
                    "{field} {url:?} must have no path: the plugin builds it (/v2/models/MODEL/generate)"
                ),
            )),
            _ => Ok(()),
        }
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
        SettingKind::Number if value.parse::<u32>().is_err() => Err(format!(
            "{} must be a whole number of milliseconds, not {value:?}",
            setting.field
        )),
        SettingKind::Url(_) if !is_plain_url(value) => Err(format!(
            "{} must be an http(s) URL such as http://10.0.0.5:8000/v1 (host, optional port and path; no user, query or fragment), not {value:?}",
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

/// `http(s)://host[:port][/path]` with a host name or IPv4 address.
fn is_plain_url(value: &str) -> bool {
    let Some(url) = parse_url(value) else {
        return false;
    };
    let rest = value.split_once("://").map_or("", |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    !value.contains(['?', '#', ' ']) && !authority.contains('@') && is_host(&url.host)
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
