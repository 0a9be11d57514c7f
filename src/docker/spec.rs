//! The container we create, as a pure function of the deployment settings.
//!
//! Kept free of I/O so it can be snapshot-tested without an engine. It mirrors
//! get-ai-gateway.sh's `docker run` with three deliberate differences: ports are bound
//! to one address (loopback by default; the console stays on loopback when only the
//! gateway is published), no API key is ever placed in the environment
//! (keys live only in the mounted data folder), and the container carries our labels so
//! we can tell it apart from one we did not create.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

use bollard::models::{
    ContainerCreateBody, HostConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};

use super::container::{
    Container, DATA_DIR_LABEL, DATA_MOUNT, LOG_MOUNT, MANAGED_LABEL, SUPERVISOR_LOG_MOUNT,
};
use super::ports::{LOOPBACK, Ports};

#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// Absolute host path of the data folder.
    pub data_dir: PathBuf,
    pub ports: Ports,
    /// The gateway's HTTP and HTTPS ports are published here.
    pub bind: IpAddr,
    /// The console's port is published here: loopback unless `--publish-console`.
    pub console_bind: IpAddr,
    /// Where the image fetches its Wasm plugins (the regional registry).
    pub plugin_registry: String,
}

impl ContainerSpec {
    /// The same container as `old` (name, folder, ports, address, registry) on another
    /// image: what `upgrade` creates. `None` when `old` is no gateway container (no
    /// `/data` mount or no published ports).
    pub fn replacing(old: &Container, image: &str, default_registry: &str) -> Option<Self> {
        Some(Self {
            name: old.name.clone(),
            image: image.to_string(),
            data_dir: old.data_dir.clone()?,
            ports: old.ports?,
            bind: old.bind.unwrap_or(LOOPBACK),
            console_bind: old.console_bind.unwrap_or(LOOPBACK),
            plugin_registry: old
                .env_var("PLUGIN_REGISTRY")
                .unwrap_or(default_registry)
                .to_string(),
        })
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// The body of `POST /containers/create`.
    pub fn to_create_body(&self) -> ContainerCreateBody {
        let ports = [self.ports.http, self.ports.https, self.ports.console];
        let addresses = [self.bind, self.bind, self.console_bind];
        let port_bindings: HashMap<String, Option<Vec<PortBinding>>> = ports
            .iter()
            .zip(addresses)
            .map(|(port, address)| {
                (
                    format!("{port}/tcp"),
                    Some(vec![PortBinding {
                        host_ip: Some(address.to_string()),
                        host_port: Some(port.to_string()),
                    }]),
                )
            })
            .collect();
        let exposed_ports = ports.iter().map(|port| format!("{port}/tcp")).collect();
        let env = vec![
            "MODE=full".to_string(),
            "CONFIG_TEMPLATE=ai-gateway".to_string(),
            format!("GATEWAY_HTTP_PORT={}", self.ports.http),
            format!("GATEWAY_HTTPS_PORT={}", self.ports.https),
            format!("CONSOLE_PORT={}", self.ports.console),
            format!("PLUGIN_REGISTRY={}", self.plugin_registry),
        ];
        let labels = HashMap::from([
            (MANAGED_LABEL.to_string(), "true".to_string()),
            (
                DATA_DIR_LABEL.to_string(),
                self.data_dir.to_string_lossy().into_owned(),
            ),
        ]);
        ContainerCreateBody {
            image: Some(self.image.clone()),
            env: Some(env),
            labels: Some(labels),
            exposed_ports: Some(exposed_ports),
            host_config: Some(HostConfig {
                // The folder, never single files: a file bind mount pins the inode and
                // an atomic rename on the host would go unseen inside.
                binds: Some(vec![
                    format!("{}:{DATA_MOUNT}", self.data_dir.display()),
                    format!("{}:{LOG_MOUNT}", self.log_dir().display()),
                    format!("{}:{SUPERVISOR_LOG_MOUNT}", self.log_dir().display()),
                ]),
                port_bindings: Some(port_bindings),
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                    maximum_retry_count: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}
