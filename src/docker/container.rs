//! What we know of an existing container, read from `docker inspect` into plain types:
//! its state, image, the folder mounted at `/data`, the published ports and the
//! address they are bound to, and whether higress-claw created it (our label).

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum, PortBinding};

use super::ports::Ports;

/// Label on every container we create.
pub const MANAGED_LABEL: &str = "io.higress-claw.managed";
/// Label recording the host data folder, read when the mount cannot be (a container
/// whose mount list the engine does not report).
pub const DATA_DIR_LABEL: &str = "io.higress-claw.data-dir";

/// Where the data folder and the access logs are mounted inside the container.
pub const DATA_MOUNT: &str = "/data";
/// Where the observability image (`O11Y=on`) writes Envoy's access log, and where
/// get-ai-gateway.sh mounts `<data>/logs`.
pub const LOG_MOUNT: &str = "/var/log/proxy";
/// Where supervisord writes each program's output: the default image sends the access
/// log to the gateway's stdout, which lands in `gateway.log` here (rotated at 10 MB to
/// `gateway.log.1` … `.10`). Mounted from the same `<data>/logs`, so `usage` finds the
/// access log there whichever image runs.
pub const SUPERVISOR_LOG_MOUNT: &str = "/var/log/higress";

/// Container state as we reason about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerState {
    Running,
    Restarting,
    Paused,
    Created,
    Exited,
    Dead,
    Other,
}

impl ContainerState {
    pub fn is_running(self) -> bool {
        matches!(self, ContainerState::Running | ContainerState::Restarting)
    }

    /// Docker's own word for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerState::Running => "running",
            ContainerState::Restarting => "restarting",
            ContainerState::Paused => "paused",
            ContainerState::Created => "created",
            ContainerState::Exited => "exited",
            ContainerState::Dead => "dead",
            ContainerState::Other => "other",
        }
    }

    fn from_status(status: Option<ContainerStateStatusEnum>) -> Self {
        use ContainerStateStatusEnum as S;
        match status {
            Some(S::RUNNING) => ContainerState::Running,
            Some(S::RESTARTING) => ContainerState::Restarting,
            Some(S::PAUSED) => ContainerState::Paused,
            Some(S::CREATED) => ContainerState::Created,
            Some(S::EXITED) => ContainerState::Exited,
            Some(S::DEAD) => ContainerState::Dead,
            _ => ContainerState::Other,
        }
    }
}

/// What we need to know about an existing container.
#[derive(Debug, Clone)]
pub struct Container {
    pub name: String,
    pub state: ContainerState,
    pub image: String,
    /// The id (`sha256:…`) of the image it was created from.
    pub image_id: String,
    /// Host folder mounted at `/data`, if any (else the folder our label recorded).
    pub data_dir: Option<PathBuf>,
    /// Host ports published for the container's gateway/https/console ports, read from
    /// the container's own `GATEWAY_HTTP_PORT`-style environment and port bindings.
    pub ports: Option<Ports>,
    /// The address the gateway's ports are published on; `0.0.0.0` when Docker says
    /// "all".
    pub bind: Option<IpAddr>,
    /// The address of the console's port: loopback unless it was published too.
    pub console_bind: Option<IpAddr>,
    /// Created by higress-claw (carries [`MANAGED_LABEL`]); a get-ai-gateway.sh
    /// container adopted by name is not.
    pub managed: bool,
    pub env: Vec<String>,
    /// Where host folders are mounted inside it (`/data`, `/var/log/proxy`, …).
    pub mount_points: Vec<String>,
}

impl Container {
    /// The value of `key` in the container's environment.
    pub fn env_var(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .find_map(|e| e.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
    }

    pub(super) fn from_inspect(name: &str, info: ContainerInspectResponse) -> Self {
        let config = info.config.as_ref();
        let labels = config.and_then(|c| c.labels.clone()).unwrap_or_default();
        let data_dir = info
            .mounts
            .as_ref()
            .and_then(|mounts| {
                mounts
                    .iter()
                    .find(|m| m.destination.as_deref() == Some(DATA_MOUNT))
                    .and_then(|m| m.source.clone())
            })
            .or_else(|| labels.get(DATA_DIR_LABEL).cloned())
            .map(PathBuf::from);
        let env = config.and_then(|c| c.env.clone()).unwrap_or_default();
        let mount_points = info
            .mounts
            .iter()
            .flatten()
            .filter_map(|m| m.destination.clone())
            .collect();
        let bindings = info
            .host_config
            .as_ref()
            .and_then(|h| h.port_bindings.clone())
            .unwrap_or_default();
        let ports = published_ports(&env, &bindings);
        let bind = binding_ip(&env, &bindings, "GATEWAY_HTTP_PORT", Ports::DEFAULT.http);
        let console_bind = binding_ip(&env, &bindings, "CONSOLE_PORT", Ports::DEFAULT.console);
        Container {
            name: name.to_string(),
            state: ContainerState::from_status(info.state.as_ref().and_then(|s| s.status)),
            image: config.and_then(|c| c.image.clone()).unwrap_or_default(),
            image_id: info.image.clone().unwrap_or_default(),
            data_dir,
            ports,
            bind,
            console_bind,
            managed: labels.get(MANAGED_LABEL).is_some_and(|v| v == "true"),
            env,
            mount_points,
        }
    }
}

/// The host address the container port its environment names `key` (else `default`)
/// is published on.
fn binding_ip(
    env: &[String],
    bindings: &HashMap<String, Option<Vec<PortBinding>>>,
    key: &str,
    default: u16,
) -> Option<IpAddr> {
    let port = env
        .iter()
        .find_map(|e| e.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse::<u16>().ok())
        .unwrap_or(default);
    let ip = bindings
        .get(&format!("{port}/tcp"))?
        .as_ref()?
        .first()?
        .host_ip
        .as_deref()?;
    (if ip.is_empty() { "0.0.0.0" } else { ip }).parse().ok()
}

/// The host ports bound to the container ports its environment names (the image
/// listens where `GATEWAY_HTTP_PORT` and friends say, else on the defaults).
fn published_ports(
    env: &[String],
    bindings: &HashMap<String, Option<Vec<PortBinding>>>,
) -> Option<Ports> {
    let env_port = |key: &str| {
        env.iter()
            .find_map(|e| e.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse::<u16>().ok())
    };
    let host_port = |container_port: u16| -> Option<u16> {
        bindings
            .get(&format!("{container_port}/tcp"))?
            .as_ref()?
            .first()?
            .host_port
            .as_deref()?
            .parse()
            .ok()
    };
    let default = Ports::DEFAULT;
    Some(Ports {
        http: host_port(env_port("GATEWAY_HTTP_PORT").unwrap_or(default.http))?,
        https: host_port(env_port("GATEWAY_HTTPS_PORT").unwrap_or(default.https))?,
        console: host_port(env_port("CONSOLE_PORT").unwrap_or(default.console))?,
    })
}

/// A container name Docker accepts (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), checked while the
/// flags are parsed so that a bad name is a usage error before anything is written.
pub fn parse_container_name(name: &str) -> Result<String, String> {
    let mut chars = name.chars();
    let valid = name.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if valid {
        Ok(name.to_string())
    } else {
        Err(format!(
            "{name:?} is not a Docker container name: use two or more of a-z, A-Z, 0-9, `_`, `.` and `-`, starting with a letter or digit (e.g. higress-ai-gateway)"
        ))
    }
}

/// `repo:tag` → (`repo`, `tag`); a port in the registry host is not a tag.
pub fn split_image(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_container_name, split_image};

    #[test]
    fn container_names_follow_docker() {
        for good in ["higress-ai-gateway", "a1", "X_y.z-0"] {
            assert_eq!(parse_container_name(good).as_deref(), Ok(good));
        }
        for bad in ["", "a", "bad name!", "-lead", ".hidden", "a/b"] {
            assert!(parse_container_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn splits_tags_but_not_registry_ports() {
        assert_eq!(split_image("a/b:1.0"), ("a/b", "1.0"));
        assert_eq!(
            split_image("localhost:5000/b"),
            ("localhost:5000/b", "latest")
        );
        assert_eq!(split_image("localhost:5000/b:2"), ("localhost:5000/b", "2"));
    }
}
