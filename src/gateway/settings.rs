//! `default.cfg`: the deployment settings (ports, registry, image, auto-routing).
//!
//! get-ai-gateway.sh keeps these as `KEY=VALUE` lines and passes the file to the
//! container as its environment. We keep the same names so each tool can read the
//! other's folder, but we never write API keys here: keys live only in the ai-proxy
//! file, and the container's environment never carries them.

use std::collections::BTreeMap;

use thiserror::Error;

use std::net::IpAddr;
use std::path::PathBuf;

use super::DEFAULT_IMAGE_TAG;
use crate::docker::{ContainerSpec, LOOPBACK, Ports};
use crate::values;

/// A line of `default.cfg` whose value is not what its key needs.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("line {line}: {key}={value:?} is not {expected}")]
pub struct SettingsError {
    pub line: usize,
    pub key: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl SettingsError {
    fn new(line: usize, key: &'static str, value: &str, expected: &'static str) -> Self {
        Self {
            line,
            key,
            value: value.to_string(),
            expected,
        }
    }
}

/// `KEY=VALUE` lines by key, with their line numbers; comments skipped, the last of a
/// repeated key wins (as a shell `source` would have it).
fn lines(text: &str) -> BTreeMap<String, (usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with('#'))
        .filter_map(|(n, l)| {
            let (k, v) = l.split_once('=')?;
            Some((k.trim().to_string(), (n + 1, v.trim().to_string())))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentSettings {
    pub ports: Ports,
    pub plugin_registry: String,
    pub image_repo: Option<String>,
    pub image_tag: Option<String>,
    pub auto_routing: bool,
    pub auto_routing_default_model: Option<String>,
    /// Address the ports are published on; `None` means loopback.
    pub bind: Option<std::net::IpAddr>,
    /// The console's port is published on `bind` too (`PUBLISH_CONSOLE=true`); else it
    /// stays on loopback, whatever `bind` says.
    pub publish_console: bool,
}

impl DeploymentSettings {
    /// The address the ports are published on: loopback unless recorded otherwise.
    pub fn bind_address(&self) -> IpAddr {
        self.bind.unwrap_or(LOOPBACK)
    }

    /// The address of the console's port: the gateway's only when asked for.
    pub fn console_bind_address(&self) -> IpAddr {
        if self.publish_console {
            self.bind_address()
        } else {
            LOOPBACK
        }
    }

    /// `<registry>/higress/all-in-one:<tag>`, unless an image repository was chosen.
    pub fn image(&self) -> String {
        let repo = self
            .image_repo
            .clone()
            .unwrap_or_else(|| format!("{}/higress/all-in-one", self.plugin_registry));
        let tag = self.image_tag.as_deref().unwrap_or(DEFAULT_IMAGE_TAG);
        format!("{repo}:{tag}")
    }

    /// The container of this deployment, serving `data_dir`.
    pub fn container_spec(&self, name: &str, data_dir: PathBuf) -> ContainerSpec {
        ContainerSpec {
            name: name.to_string(),
            image: self.image(),
            data_dir,
            ports: self.ports,
            bind: self.bind_address(),
            console_bind: self.console_bind_address(),
            plugin_registry: self.plugin_registry.clone(),
        }
    }

    /// What a folder without `default.cfg` means: the defaults.
    pub fn defaults() -> Self {
        Self::from_text("").expect("empty settings parse")
    }

    /// Reads `default.cfg`. A value of ours that does not parse is an error naming its
    /// line: using the default port instead would start a gateway the user did not ask
    /// for. Lines we do not manage (get-ai-gateway.sh's keys) are not read.
    pub fn from_text(text: &str) -> Result<Self, SettingsError> {
        let vars = lines(text);
        let get = |key: &'static str| vars.get(key).filter(|(_, v)| !v.is_empty());
        let port = |key: &'static str, default: u16| match get(key) {
            None => Ok(default),
            Some((line, v)) => v
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| SettingsError::new(*line, key, v, "a port from 1 to 65535")),
        };
        let checked = |key: &'static str,
                       check: fn(&str) -> Result<String, String>,
                       expected: &'static str| {
            get(key)
                .map(|(line, v)| check(v).map_err(|_| SettingsError::new(*line, key, v, expected)))
                .transpose()
        };
        let default = Ports::DEFAULT;
        Ok(Self {
            ports: Ports {
                http: port("GATEWAY_HTTP_PORT", default.http)?,
                https: port("GATEWAY_HTTPS_PORT", default.https)?,
                console: port("CONSOLE_PORT", default.console)?,
            },
            plugin_registry: checked("PLUGIN_REGISTRY", values::registry, "a registry host")?
                .unwrap_or_else(|| crate::region::DEFAULT_REGISTRY.to_string()),
            image_repo: checked("IMAGE_REPO", values::image_repo, "an image repository")?,
            image_tag: checked("IMAGE_TAG", values::image_tag, "an image tag")?,
            auto_routing: match get("ENABLE_AUTO_ROUTING") {
                None => false,
                Some((_, v)) if v == "true" => true,
                Some((_, v)) if v == "false" => false,
                Some((line, v)) => {
                    return Err(SettingsError::new(
                        *line,
                        "ENABLE_AUTO_ROUTING",
                        v,
                        "true or false",
                    ));
                }
            },
            auto_routing_default_model: checked(
                "AUTO_ROUTING_DEFAULT_MODEL",
                values::model_id,
                "a model id",
            )?,
            bind: get("BIND_ADDRESS")
                .map(|(line, v)| {
                    v.parse::<IpAddr>()
                        .map_err(|_| SettingsError::new(*line, "BIND_ADDRESS", v, "an IP address"))
                })
                .transpose()?,
            publish_console: match get("PUBLISH_CONSOLE") {
                None => false,
                Some((_, v)) if v == "true" => true,
                Some((_, v)) if v == "false" => false,
                Some((line, v)) => {
                    return Err(SettingsError::new(
                        *line,
                        "PUBLISH_CONSOLE",
                        v,
                        "true or false",
                    ));
                }
            },
        })
    }

    /// The lines we manage, in file order. Auto-routing lines only when it is on, unless
    /// `always` (to switch an existing `ENABLE_AUTO_ROUTING=true` off).
    fn pairs(&self, always: bool) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("MODE", "full".to_string()),
            ("CONFIG_TEMPLATE", "ai-gateway".to_string()),
            ("GATEWAY_HTTP_PORT", self.ports.http.to_string()),
            ("GATEWAY_HTTPS_PORT", self.ports.https.to_string()),
            ("CONSOLE_PORT", self.ports.console.to_string()),
            ("PLUGIN_REGISTRY", self.plugin_registry.clone()),
        ];
        out.extend(self.image_repo.clone().map(|v| ("IMAGE_REPO", v)));
        out.extend(self.image_tag.clone().map(|v| ("IMAGE_TAG", v)));
        out.extend(self.bind.map(|v| ("BIND_ADDRESS", v.to_string())));
        if self.publish_console {
            out.push(("PUBLISH_CONSOLE", "true".to_string()));
        }
        if self.auto_routing || always {
            out.push(("ENABLE_AUTO_ROUTING", self.auto_routing.to_string()));
            out.push((
                "AUTO_ROUTING_DEFAULT_MODEL",
                self.auto_routing_default_model.clone().unwrap_or_default(),
            ));
        }
        out
    }

    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# Written by higress-claw. API keys are not kept here: see wasmplugins/ai-proxy.internal.yaml.\n",
        );
        for (key, value) in self.pairs(false) {
            out.push_str(&format!("{key}={value}\n"));
        }
        out
    }

    /// Rewrites `existing` (a default.cfg, possibly get-ai-gateway.sh's) with our values
    /// in place, keeping every line we do not manage, and appends what was missing.
    pub fn merge_into(&self, existing: Option<&str>) -> String {
        let Some(existing) = existing else {
            return self.to_text();
        };
        let pairs = self.pairs(true);
        let mut seen = Vec::new();
        let mut out = String::new();
        for line in existing.lines() {
            let key = line.split_once('=').map(|(k, _)| k.trim());
            match key.and_then(|k| pairs.iter().find(|(p, _)| *p == k)) {
                Some((key, value)) => {
                    seen.push(*key);
                    out.push_str(&format!("{key}={value}\n"));
                }
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        for (key, value) in pairs.iter().filter(|(k, _)| !seen.contains(k)) {
            // A switched-off auto-routing needs no new lines.
            let idle = match *key {
                "ENABLE_AUTO_ROUTING" => !self.auto_routing,
                "AUTO_ROUTING_DEFAULT_MODEL" => value.is_empty(),
                _ => false,
            };
            if !idle {
                out.push_str(&format!("{key}={value}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_upstream_files() {
        let upstream = "BIND_ADDRESS=0.0.0.0\nMODE=full\nGATEWAY_HTTP_PORT=18080\nGATEWAY_HTTPS_PORT=18443\nCONSOLE_PORT=18001\nPLUGIN_REGISTRY=r.example\n\nDEEPSEEK_API_KEY=sk-x\nENABLE_AUTO_ROUTING=true\nAUTO_ROUTING_DEFAULT_MODEL=qwen-turbo\n";
        let s = DeploymentSettings::from_text(upstream).unwrap();
        assert_eq!(s.ports.http, 18080);
        assert_eq!(s.ports.console, 18001);
        assert!(s.auto_routing);
        assert_eq!(s.bind, Some("0.0.0.0".parse().unwrap()));
        assert_eq!(s.auto_routing_default_model.as_deref(), Some("qwen-turbo"));
        assert_eq!(DeploymentSettings::from_text(&s.to_text()).unwrap(), s);
        assert!(!s.to_text().contains("sk-x"));
        // Editing an upstream file keeps its other lines and changes ours in place.
        let off = DeploymentSettings {
            auto_routing: false,
            ..s.clone()
        };
        let merged = off.merge_into(Some(upstream));
        assert!(merged.contains("DEEPSEEK_API_KEY=sk-x\n"), "{merged}");
        assert!(merged.contains("ENABLE_AUTO_ROUTING=false\n"), "{merged}");
        assert_eq!(DeploymentSettings::from_text(&merged).unwrap(), off);
    }

    #[test]
    fn values_that_do_not_parse_are_named_with_their_line() {
        for (text, key) in [
            ("MODE=full\nGATEWAY_HTTP_PORT=abc\n", "GATEWAY_HTTP_PORT"),
            ("CONSOLE_PORT=99999\n", "CONSOLE_PORT"),
            ("BIND_ADDRESS=everywhere\n", "BIND_ADDRESS"),
            ("ENABLE_AUTO_ROUTING=yes please\n", "ENABLE_AUTO_ROUTING"),
        ] {
            let err = DeploymentSettings::from_text(text).unwrap_err();
            assert_eq!(err.key, key);
            assert_eq!(err.line, text.lines().count());
        }
        // Keys we do not manage are not ours to judge.
        assert!(DeploymentSettings::from_text("DEEPSEEK_API_KEY=\nFOO=bar baz\n").is_ok());
    }
}
