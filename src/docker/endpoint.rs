//! Finding and connecting to the Docker engine.
//!
//! bollard's `connect_with_defaults` reads only `DOCKER_HOST`; users run Docker Desktop,
//! rootless Docker and colima, whose sockets live elsewhere. So the endpoint is resolved
//! here, in the docker CLI's order: `DOCKER_HOST`, then the docker context
//! (`DOCKER_CONTEXT`, else the config's `currentContext`), then the well-known sockets. The API
//! version is negotiated after connecting because engines in the wild range from 20.10
//! (API 1.41) to current.

use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;

use super::DockerError;
use crate::env_vars;

/// How long the first exchange (`/_ping`) may take: a local engine answers in well
/// under a millisecond, a remote one in a round trip.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request may go unanswered, unless HIGRESS_CLAW_DOCKER_TIMEOUT says.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// bollard's own bound on a response's head: after ours, so ours names what hung.
const TRANSPORT_TIMEOUT_SECS: u64 = 600;

/// The request timeout: `HIGRESS_CLAW_DOCKER_TIMEOUT` seconds, else 60.
pub fn request_timeout() -> Duration {
    std::env::var(env_vars::DOCKER_TIMEOUT)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(REQUEST_TIMEOUT, Duration::from_secs)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// A Windows named pipe, `//./pipe/docker_engine` for Docker Desktop.
    NamedPipe(String),
    Tcp(String),
}

/// Docker Desktop's pipe on Windows.
pub const WINDOWS_PIPE: &str = "//./pipe/docker_engine";

impl Endpoint {
    pub fn describe(&self) -> String {
        match self {
            Endpoint::Unix(path) => format!("unix://{}", path.display()),
            Endpoint::NamedPipe(pipe) => format!("npipe://{pipe}"),
            Endpoint::Tcp(addr) => addr.clone(),
        }
    }

    /// A folder on this host is visible to the engine only when it runs here natively.
    /// Docker Desktop's socket lives in the user's home and its engine in a VM.
    pub fn is_docker_desktop(&self) -> bool {
        match self {
            Endpoint::Unix(path) => path.to_string_lossy().contains("/.docker/"),
            Endpoint::NamedPipe(_) => true,
            Endpoint::Tcp(_) => false,
        }
    }

    /// The engine runs elsewhere (or in a VM), so a folder on this host is not the
    /// folder it mounts.
    pub fn is_remote(&self) -> bool {
        matches!(self, Endpoint::Tcp(_)) || self.is_docker_desktop()
    }
}

/// The endpoint the docker CLI would use: `DOCKER_HOST`, the current docker context, or
/// the first well-known socket found.
pub fn resolve_endpoint() -> Endpoint {
    if let Some(host) = std::env::var(env_vars::DOCKER_HOST)
        .ok()
        .filter(|h| !h.is_empty())
    {
        return endpoint_of(&host);
    }
    let config_dir = std::env::var_os(env_vars::DOCKER_CONFIG)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(env_vars::HOME).map(|h| PathBuf::from(h).join(".docker")));
    let context = std::env::var(env_vars::DOCKER_CONTEXT)
        .ok()
        .filter(|c| !c.is_empty());
    if let Some(host) = config_dir
        .as_deref()
        .and_then(|dir| context_host(dir, context.as_deref()))
    {
        return endpoint_of(&host);
    }
    if cfg!(windows) {
        return Endpoint::NamedPipe(WINDOWS_PIPE.to_string());
    }
    candidate_sockets()
        .into_iter()
        .find(|path| path.exists())
        .map(Endpoint::Unix)
        .unwrap_or_else(|| Endpoint::Unix(PathBuf::from("/var/run/docker.sock")))
}

fn endpoint_of(host: &str) -> Endpoint {
    if let Some(path) = host.strip_prefix("unix://") {
        Endpoint::Unix(PathBuf::from(path))
    } else if let Some(pipe) = host.strip_prefix("npipe://") {
        Endpoint::NamedPipe(pipe.to_string())
    } else {
        Endpoint::Tcp(host.to_string())
    }
}

/// The docker host of the selected context (`context`, else `currentContext` in
/// `config.json`), as the docker CLI stores it: `contexts/meta/<sha256 of the
/// name>/meta.json`, `Endpoints.docker.Host`. `None` for the `default` context, which
/// means "the usual socket".
pub fn context_host(config_dir: &std::path::Path, context: Option<&str>) -> Option<String> {
    let name = match context {
        Some(name) => name.to_string(),
        None => {
            let text = std::fs::read_to_string(config_dir.join("config.json")).ok()?;
            let config: serde_json::Value = serde_json::from_str(&text).ok()?;
            config["currentContext"].as_str()?.to_string()
        }
    };
    if name.is_empty() || name == "default" {
        return None;
    }
    let meta = config_dir
        .join("contexts/meta")
        .join(crate::hash::sha256_hex(name.as_bytes()))
        .join("meta.json");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(meta).ok()?).ok()?;
    meta["Endpoints"]["docker"]["Host"]
        .as_str()
        .filter(|h| !h.is_empty())
        .map(String::from)
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

/// Connects and agrees on the API version, turning each failure into an error that
/// says what to do.
///
/// The version comes from `/_ping`'s `Api-Version` header, as the docker CLI does it:
/// one request of well under a millisecond that doubles as the reachability check.
/// bollard's own negotiation asks `/version`, which some engines answer by running
/// containerd and runc for their versions (8 ms here, on every command); it remains
/// the fallback when a ping gives no version.
pub async fn connect() -> Result<(Docker, Endpoint), DockerError> {
    let endpoint = resolve_endpoint();
    if let Endpoint::Unix(path) = &endpoint
        && !path.exists()
    {
        return Err(DockerError::NotRunning {
            endpoint: endpoint.describe(),
            detail: "the socket does not exist".into(),
        });
    }
    let pinged = ping_api_version(&endpoint).await.map_err(|err| {
        if err.kind() == std::io::ErrorKind::PermissionDenied {
            DockerError::PermissionDenied {
                endpoint: endpoint.describe(),
            }
        } else if err.kind() == std::io::ErrorKind::TimedOut {
            DockerError::NoAnswer {
                endpoint: endpoint.describe(),
                during: "it accepted the connection, but not the first request, /_ping".into(),
                secs: CONNECT_TIMEOUT.min(request_timeout()).as_secs(),
            }
        } else {
            DockerError::NotRunning {
                endpoint: endpoint.describe(),
                detail: err.to_string(),
            }
        }
    })?;
    let default = bollard::API_DEFAULT_VERSION;
    let version = match pinged {
        // Never above what bollard speaks.
        Some((major, minor)) if (major, minor) < (default.major_version, default.minor_version) => {
            bollard::ClientVersion {
                major_version: major,
                minor_version: minor,
            }
        }
        _ => *default,
    };
    let docker = match &endpoint {
        Endpoint::Unix(path) => {
            Docker::connect_with_socket(&path.to_string_lossy(), TRANSPORT_TIMEOUT_SECS, &version)
        }
        Endpoint::NamedPipe(pipe) => {
            Docker::connect_with_socket(pipe, TRANSPORT_TIMEOUT_SECS, &version)
        }
        Endpoint::Tcp(addr) => Docker::connect_with_http(addr, TRANSPORT_TIMEOUT_SECS, &version),
    }
    .map_err(|source| DockerError::Connect {
        endpoint: endpoint.describe(),
        source,
    })?;
    if pinged.is_some() {
        return Ok((docker, endpoint));
    }
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|source| classify_connect_error(&endpoint, source))?;
    Ok((docker, endpoint))
}

/// `GET /_ping` over the endpoint; the engine's API version when it names one.
async fn ping_api_version(endpoint: &Endpoint) -> std::io::Result<Option<(usize, usize)>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const REQUEST: &[u8] = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
    let mut response = Vec::new();
    let exchange = async {
        match endpoint {
            #[cfg(unix)]
            Endpoint::Unix(path) => {
                let mut stream = tokio::net::UnixStream::connect(path).await?;
                stream.write_all(REQUEST).await?;
                stream.read_to_end(&mut response).await
            }
            #[cfg(windows)]
            Endpoint::NamedPipe(pipe) => {
                let mut stream =
                    tokio::net::windows::named_pipe::ClientOptions::new().open(pipe)?;
                stream.write_all(REQUEST).await?;
                stream.read_to_end(&mut response).await
            }
            #[cfg(not(unix))]
            Endpoint::Unix(_) => Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "Unix sockets are not available on this system",
            )),
            #[cfg(not(windows))]
            Endpoint::NamedPipe(_) => Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "named pipes exist only on Windows",
            )),
            Endpoint::Tcp(addr) => {
                let host = addr
                    .trim_start_matches("tcp://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/');
                let mut stream = tokio::net::TcpStream::connect(host).await?;
                stream.write_all(REQUEST).await?;
                stream.read_to_end(&mut response).await
            }
        }
    };
    let limit = CONNECT_TIMEOUT.min(request_timeout());
    tokio::time::timeout(limit, exchange)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer to /_ping"))??;
    Ok(parse_api_version(&String::from_utf8_lossy(&response)))
}

/// The `Api-Version: 1.41` header of an HTTP response, as (1, 41).
fn parse_api_version(response: &str) -> Option<(usize, usize)> {
    let head = response.split("\r\n\r\n").next()?;
    let value = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("api-version")
            .then(|| value.trim())
    })?;
    let (major, minor) = value.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_version_comes_from_the_ping_headers() {
        let response = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nServer: Docker/20.10.24\r\n\r\nOK";
        assert_eq!(parse_api_version(response), Some((1, 41)));
        assert_eq!(
            parse_api_version("HTTP/1.1 200 OK\r\napi-version:1.53\r\n\r\n"),
            Some((1, 53))
        );
        assert_eq!(
            parse_api_version("HTTP/1.1 200 OK\r\n\r\nApi-Version: 1.41"),
            None
        );
    }

    #[test]
    fn the_docker_context_names_the_engine() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path();
        // `docker context create colima --docker host=unix:///Users/me/.colima/docker.sock`
        // stores it under the SHA-256 of the name.
        let meta = config
            .join("contexts/meta")
            .join(crate::hash::sha256_hex(b"colima"));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"colima","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///Users/me/.colima/docker.sock","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        assert_eq!(
            context_host(config, Some("colima")).as_deref(),
            Some("unix:///Users/me/.colima/docker.sock")
        );
        assert_eq!(
            context_host(config, None),
            None,
            "no config.json: the default"
        );
        std::fs::write(config.join("config.json"), r#"{"currentContext":"colima"}"#).unwrap();
        assert_eq!(
            endpoint_of(&context_host(config, None).unwrap()),
            Endpoint::Unix(PathBuf::from("/Users/me/.colima/docker.sock"))
        );
        assert_eq!(context_host(config, Some("default")), None);
        assert_eq!(context_host(config, Some("missing")), None);
    }
}
