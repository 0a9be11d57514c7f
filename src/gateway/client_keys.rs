//! Client keys: who may call the gateway's AI routes. Each key is a Higress key-auth
//! consumer in `wasmplugins/key-auth.internal.yaml` (the file and name the console
//! uses), and every AI route (`ai-route-<id>.internal`, second routes included) gets a
//! match rule allowing every consumer, with the console's `authConfig` in the route's
//! ConfigMap, so the console shows the routes as protected and keeps them so.
//!
//! The invariant: with at least one key, every AI route has a rule and every route
//! ConfigMap an `authConfig` naming all keys; a provider added later gets both in the
//! same transaction (see `Transaction::sync_route_auth`, called by `upsert_provider`).
//! Removing the last key turns authentication off on the routes (the rules, the
//! consumers and `authConfig` go, the plugin stays with `defaultConfigDisable: true`)
//! rather than refusing: the command warns when the gateway is published.

use thiserror::Error;

use super::folder::{DataFolder, FolderError, Transaction};
use super::resources::{self, KeyAuthConfig, MatchRule, WasmPlugin, mapping, string};
pub use super::resources::{BEARER, Consumer};
pub use super::templates::key_auth_plugin;
use super::{paths, templates};
use crate::secret::Secret;
use crate::yaml::{Mapping, Value};

/// What a generated key starts with, so it is recognisable in a config or a leak scan.
pub const KEY_PREFIX: &str = "hc-";
/// Random characters after the prefix: 32 base62 characters are 190 bits.
const KEY_CHARS: usize = 32;
/// The header the key travels in, as `Bearer <key>`: what OpenAI clients send with an
/// API key and what Claude Code sends with `ANTHROPIC_AUTH_TOKEN`.
pub const KEY_HEADER: &str = templates::KEY_HEADER;

/// One client key as configured.
#[derive(Debug, Clone)]
pub struct ClientKey {
    pub name: String,
    pub key: Option<Secret>,
}

#[derive(Debug, Error)]
pub enum KeyError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error(
        "a client key named {name} exists already; remove it first (`higress-claw keys remove {name}`) or choose another name"
    )]
    NameTaken { name: String },
    #[error("that key is already the client key {name}; give each client its own key")]
    KeyTaken { name: String },
    #[error("no client key is named {name}; `higress-claw keys list` shows the names")]
    Unknown { name: String },
    #[error(
        "the key is not usable: {reason}; leave out --key to have one generated, or pass one of 16 to 256 printable characters without blanks"
    )]
    BadKey { reason: &'static str },
}

/// A new key: `hc-` and 32 base62 characters from the operating system's generator.
pub fn generate() -> Secret {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut key = String::from(KEY_PREFIX);
    while key.len() < KEY_PREFIX.len() + KEY_CHARS {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).expect("the OS random generator answers");
        // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
        for b in bytes.into_iter().filter(|b| *b < 248) {
            if key.len() < KEY_PREFIX.len() + KEY_CHARS {
                key.push(ALPHABET[usize::from(b % 62)] as char);
            }
        }
    }
    Secret::new(key)
}

/// A key given by the user (`--key -`): long enough to resist guessing, one header
/// token (no blanks or controls, which would break the `Authorization` header).
pub fn check_key(key: &Secret) -> Result<(), KeyError> {
    let text = key.expose();
    let reason = if text.len() < 16 {
        "it is shorter than 16 characters"
    } else if text.len() > 256 {
        "it is longer than 256 characters"
    } else if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "it contains a blank or a control character"
    } else if !text.is_ascii() {
        "it contains characters outside ASCII"
    } else {
        return Ok(());
    };
    Err(KeyError::BadKey { reason })
}

/// `ai-route-<key>.internal`: an AI route's Envoy route name, as key-auth matches it.
pub fn route_name(key: &str) -> String {
    format!("ai-route-{key}.internal")
}

impl DataFolder {
    /// The client keys, in file order; empty when the folder has no key-auth plugin.
    pub fn client_keys(&self) -> Result<Vec<ClientKey>, FolderError> {
        Ok(self
            .load_resource::<WasmPlugin<KeyAuthConfig>>(paths::KEY_AUTH)?
            .map(|p| {
                p.spec
                    .default_config
                    .consumers
                    .iter()
                    .map(|c| ClientKey {
                        name: c.name.clone(),
                        key: c.key(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The AI routes the keys protect, by their route names, sorted.
    pub fn ai_routes(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root().join("ingresses")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let key = name
                    .strip_prefix("ai-route-")?
                    .strip_suffix(".internal.yaml")?;
                Some(route_name(key))
            })
            .collect();
        names.sort();
        names
    }
}

impl DataFolder {
    /// The key a local client (OpenClaw, Claude Code) should send: the one named, else
    /// the first; `None` when the gateway has no client keys (then it asks for none).
    /// The key is read back from the plugin file, where the gateway reads it too.
    pub fn client_key_for(&self, name: Option<&str>) -> Result<Option<ClientKey>, KeyError> {
        let keys = self.client_keys()?;
        match name {
            None => Ok(keys.into_iter().find(|k| k.key.is_some())),
            Some(name) => match keys.into_iter().find(|k| k.name == name) {
                Some(key) => Ok(Some(key)),
                None => Err(KeyError::Unknown { name: name.into() }),
            },
        }
    }
}

impl Transaction<'_> {
    /// Adds the client key `name`, and protects every AI route with all keys.
    pub fn add_client_key(&mut self, name: &str, key: &Secret) -> Result<(), KeyError> {
        let consumers = &mut self.key_auth()?.spec.default_config.consumers;
        if consumers.iter().any(|c| c.name == name) {
            return Err(KeyError::NameTaken { name: name.into() });
        }
        if let Some(other) = consumers
            .iter()
            .find(|c| c.key().is_some_and(|k| k == *key))
        {
            return Err(KeyError::KeyTaken {
                name: other.name.clone(),
            });
        }
        consumers.push(Consumer {
            name: name.to_string(),
            credential: Some(format!("{BEARER}{}", key.expose())),
            other: Mapping::new(),
        });
        self.sync_route_auth()?;
        Ok(())
    }

    /// Removes the client key `name`; the routes then allow the others (or, after the
    /// last one, no longer ask for a key).
    pub fn remove_client_key(&mut self, name: &str) -> Result<(), KeyError> {
        if !self.folder.store().exists(paths::KEY_AUTH) {
            return Err(KeyError::Unknown { name: name.into() });
        }
        let consumers = &mut self.key_auth()?.spec.default_config.consumers;
        let before = consumers.len();
        consumers.retain(|c| c.name != name);
        if consumers.len() == before {
            return Err(KeyError::Unknown { name: name.into() });
        }
        self.sync_route_auth()?;
        Ok(())
    }

    /// The AI routes' rules and `authConfig`, made to match the consumers: every route
    /// allows every key, or, with no key, none asks for one. Nothing is written for a
    /// folder that never had keys.
    pub(super) fn sync_route_auth(&mut self) -> Result<(), FolderError> {
        if self.key_auth.is_none() && !self.folder.store().exists(paths::KEY_AUTH) {
            return Ok(());
        }
        let routes = self.ai_route_keys();
        let provider_ids: Vec<String> = self.route_configmap_ids();
        let plugin = self.key_auth()?;
        let names: Vec<String> = plugin
            .spec
            .default_config
            .consumers
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let on = !names.is_empty();
        let spec = &mut plugin.spec;
        // Our rules are those for AI routes; a rule for another route is someone else's.
        spec.match_rules.retain(|r| !is_ai_route_rule(r));
        if on {
            let allow = Value::Sequence(names.iter().map(string).collect());
            for key in &routes {
                spec.match_rules.push(MatchRule {
                    service: Vec::new(),
                    config_disable: false,
                    config: mapping([("allow", allow.clone())]),
                    other: mapping([("ingress", Value::Sequence(vec![string(route_name(key))]))]),
                });
            }
        }
        // Without rules and consumers the controller then emits no plugin at all (a
        // plugin with neither is one the Go key-auth refuses to load).
        spec.other
            .insert(string("defaultConfigDisable"), Value::Bool(!on));
        for id in provider_ids {
            self.set_auth_config(&id, &names)?;
        }
        Ok(())
    }

    fn key_auth(&mut self) -> Result<&mut WasmPlugin<KeyAuthConfig>, FolderError> {
        if self.key_auth.is_none() {
            let loaded = self.folder.load_resource(paths::KEY_AUTH)?;
            self.key_auth = Some(loaded.unwrap_or_else(key_auth_plugin));
        }
        Ok(self.key_auth.as_mut().expect("just set"))
    }

    /// Every AI route the commit leaves in place: the `ai-route-<key>.internal`
    /// ingresses on disk and pending, minus those being removed.
    fn ai_route_keys(&self) -> Vec<String> {
        let mut keys: std::collections::BTreeSet<String> =
            names_in(self.folder, "ingresses", ".internal.yaml")
                .into_iter()
                .collect();
        for (key, doc) in &self.ingresses {
            if doc.is_some() {
                keys.insert(key.clone());
            } else {
                keys.remove(key);
            }
        }
        keys.into_iter().collect()
    }

    /// The providers whose console ConfigMap the commit leaves in place.
    fn route_configmap_ids(&self) -> Vec<String> {
        let mut ids: std::collections::BTreeSet<String> =
            names_in(self.folder, "configmaps", ".yaml")
                .into_iter()
                .filter(|id| !id.contains('.'))
                .collect();
        for (id, doc) in &self.configmaps {
            if doc.is_some() {
                ids.insert(id.clone());
            } else {
                ids.remove(id);
            }
        }
        ids.into_iter().collect()
    }

    /// The console's `authConfig` of route `id`: key-auth with these consumers, or
    /// none. The console writes `allowedCredentialTypes: ["key-auth"]` as its default.
    fn set_auth_config(&mut self, id: &str, names: &[String]) -> Result<(), FolderError> {
        let mut configmap = match self.configmaps.remove(id).flatten() {
            Some(cm) => cm,
            None => match self
                .folder
                .load_resource::<resources::ConfigMap>(&paths::route_configmap(id))?
            {
                Some(cm) => cm,
                None => return Ok(()),
            },
        };
        let data = configmap
            .data
            .get("data")
            .and_then(Value::as_str)
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            .filter(serde_json::Value::is_object);
        if let Some(mut data) = data {
            if names.is_empty() {
                data.as_object_mut().map(|o| o.remove("authConfig"));
            } else {
                data["authConfig"] = serde_json::json!({
                    "enabled": true,
                    "allowedCredentialTypes": ["key-auth"],
                    "allowedConsumers": names,
                });
            }
            let text = serde_json::to_string_pretty(&data).expect("JSON values serialize") + "\n";
            configmap.data.insert(string("data"), string(text));
        }
        self.configmaps.insert(id.to_string(), Some(configmap));
        Ok(())
    }
}

/// A rule that names only AI routes (`ingress: [ai-route-….internal]`).
fn is_ai_route_rule(rule: &MatchRule) -> bool {
    let Some(ingress) = rule.other.get("ingress").and_then(Value::as_sequence) else {
        return false;
    };
    !ingress.is_empty()
        && ingress.iter().all(|i| {
            i.as_str()
                .is_some_and(|i| i.starts_with("ai-route-") && i.ends_with(".internal"))
        })
}

/// `<key>` of every `ai-route-<key><suffix>` file in `dir`.
fn names_in(folder: &DataFolder, dir: &str, suffix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder.root().join(dir)) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Some(
                name.strip_prefix("ai-route-")?
                    .strip_suffix(suffix)?
                    .to_string(),
            )
        })
        .collect()
}

/// How a gateway published on an address goes out, as far as its client keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Only this host can reach it.
    Loopback,
    /// Others can, and the AI routes ask for one of this many keys.
    Keyed { keys: usize },
    /// Others can, with no key asked, as the user said they mean.
    Open,
    /// Others could, with no key asked and nothing saying that is meant: refused.
    Refused(Unprotected),
}

/// Publishing beyond loopback with no client key, not said to be meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error(
    "refusing to publish the gateway on {bind} without a client key: anyone who can reach it could spend your provider keys"
)]
pub struct Unprotected {
    pub bind: std::net::IpAddr,
    /// The folder holds no gateway yet, so a key cannot be added before it is written.
    pub new_folder: bool,
}

impl DataFolder {
    /// How a gateway on this folder published on `bind` goes out: beyond loopback it
    /// must ask for a client key, unless `allow_open` says publishing it open is meant.
    pub fn exposure(
        &self,
        bind: std::net::IpAddr,
        allow_open: bool,
    ) -> Result<Exposure, FolderError> {
        if bind.is_loopback() {
            return Ok(Exposure::Loopback);
        }
        Ok(match (self.client_keys()?.len(), allow_open) {
            (0, true) => Exposure::Open,
            (0, false) => Exposure::Refused(Unprotected {
                bind,
                new_folder: !self.holds_gateway(),
            }),
            (keys, _) => Exposure::Keyed { keys },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_beyond_loopback_without_a_key_is_refused_unless_meant() {
        let dir = tempfile::tempdir().unwrap();
        let folder = DataFolder::new(dir.path());
        let all: std::net::IpAddr = "0.0.0.0".parse().unwrap();
        let loopback: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            folder.exposure(loopback, false).unwrap(),
            Exposure::Loopback
        );
        assert_eq!(folder.exposure(all, true).unwrap(), Exposure::Open);
        assert_eq!(
            folder.exposure(all, false).unwrap(),
            Exposure::Refused(Unprotected {
                bind: all,
                new_folder: true
            })
        );
    }

    #[test]
    fn generated_keys_are_prefixed_base62_and_differ() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        let text = a.expose();
        assert_eq!(text.len(), 35);
        assert!(text.starts_with("hc-"));
        assert!(text[3..].chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(check_key(&a).is_ok());
        assert!(check_key(&Secret::new("short")).is_err());
        assert!(check_key(&Secret::new("a key with blanks in it")).is_err());
    }

    #[test]
    fn a_console_consumer_gives_its_bearer_value() {
        let c: Consumer = crate::yaml::from_str(
            "name: alice\ncredentials: [\"Bearer sk-alice-1\"]\nkeys: [Authorization]\n",
        )
        .unwrap();
        assert_eq!(c.key().unwrap().expose(), "sk-alice-1");
    }
}
