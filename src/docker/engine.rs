//! Finding and connecting to the Docker engine.
//!
//! bollard's `connect_with_defaults` reads only `DOCKER_HOST`; users run Docker Desktop,
//! rootless Docker and colima, whose sockets live elsewhere. So the endpoint is resolved
//! here, in the docker CLI's order: `DOCKER_HOST`, then the well-known sockets. The API
//! version is negotiated after connecting because engines in the wild range from 20.10
//! (API 1.41) to current.

use std::path::PathBuf;

use bollard::Docker;

use super::DockerError;
use crate::env_vars;

/// How long one API call may take before we give up on the engine.
const API_TIMEOUT_SECS: u64 = 120;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
}

impl Endpoint {
    pub fn describe(&self) -> String {
        match self {
            Endpoint::Unix(path) => format!("unix://{}", path.display()),
            Endpoint::Tcp(addr) => addr.clone(),
        }
    }

    /// A folder on this host is visible to the engine only when it runs here natively.
    /// Docker Desktop's socket lives in the user's home and its engine in a VM.
    pub fn is_docker_desktop(&self) -> bool {
        matches!(self, Endpoint::Unix(path) if path.to_string_lossy().contains("/.docker/"))
    }
}

/// The endpoint the docker CLI would use, from `DOCKER_HOST` or the first socket found.
pub fn resolve_endpoint() -> Endpoint {
    if let Some(host) = std::env::var(env_vars::DOCKER_HOST)
        .ok()
        .filter(|h| !h.is_empty())
    {
        return match host.strip_prefix("unix://") {
            Some(path) => Endpoint::Unix(PathBuf::from(path)),
            None => Endpoint::Tcp(host),
        };
    }
    candidate_sockets()
        .into_iter()
        .find(|path| path.exists())
        .map(Endpoint::Unix)
        .unwrap_or_else(|| Endpoint::Unix(PathBuf::from("/var/run/docker.sock")))
}

fn candidate_sockets() -> Vec<PathBuf> {
    let mut sockets = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(runtime) = std::env::var_os(env_vars::XDG_RUNTIME_DIR) {
        // Rootless Docker.
        sockets.push(PathBuf::from(runtime).join("docker.sock"));
    }
    if let Some(home) = std::env::var_os(env_vars::HOME).map(PathBuf::from) {
        sockets.push(home.join(".docker/run/docker.sock")); // Docker Desktop (macOS)
        sockets.push(home.join(".docker/desktop/docker.sock")); // Docker Desktop (Linux)
        sockets.push(home.join(".colima/default/docker.sock"));
        sockets.push(home.join(".rd/docker.sock")); // Rancher Desktop
    }
    sockets
}

/// Connects and negotiates the API version, turning each failure into an error
/// that says what to do.
pub async fn connect() -> Result<(Docker, Endpoint), DockerError> {
    let endpoint = resolve_endpoint();
    let client_version = bollard::API_DEFAULT_VERSION;
    let docker = match &endpoint {
        Endpoint::Unix(path) => {
            if !path.exists() {
                return Err(DockerError::NotRunning {
                    endpoint: endpoint.describe(),
                    detail: "the socket does not exist".into(),
                });
            }
            Docker::connect_with_socket(&path.to_string_lossy(), API_TIMEOUT_SECS, client_version)
        }
        Endpoint::Tcp(addr) => Docker::connect_with_http(addr, API_TIMEOUT_SECS, client_version),
    }
    .map_err(|source| DockerError::Connect {
        endpoint: endpoint.describe(),
        source,
    })?;
    // Negotiating is a request to the engine, so it doubles as the reachability check
    // (a separate ping would cost another round trip on every command).
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|source| classify_connect_error(&endpoint, source))?;
    Ok((docker, endpoint))
}

fn classify_connect_error(endpoint: &Endpoint, source: bollard::errors::Error) -> DockerError {
    let text = format!("{source:?}");
    if text.contains("PermissionDenied") || text.contains("permission denied") {
        DockerError::PermissionDenied {
            endpoint: endpoint.describe(),
        }
    } else {
        DockerError::NotRunning {
            endpoint: endpoint.describe(),
            detail: source.to_string(),
        }
    }
}
