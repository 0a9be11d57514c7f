//! Everything that talks to Docker, behind one facade.
//!
//! The rest of the crate sees [`Engine`] and plain types ([`Container`],
//! [`ContainerState`]); no bollard type leaks out. Each operation has its own error
//! variant naming the container or image, HTTP 404 is read as "not found" rather than
//! as a failure, and every error ends with what the user can do.

pub mod engine;
pub mod readiness;
pub mod spec;

use std::path::PathBuf;

use bollard::Docker;
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use futures_util::{Stream, StreamExt};
use thiserror::Error;

pub use engine::Endpoint;
pub use spec::{ContainerSpec, Ports};

#[derive(Debug, Error)]
pub enum DockerError {
    #[error(
        "cannot reach the Docker engine at {endpoint} ({detail}); is Docker installed and running? Start it (e.g. `sudo systemctl start docker`, or open Docker Desktop) or point DOCKER_HOST at it"
    )]
    NotRunning { endpoint: String, detail: String },
    #[error(
        "permission denied on the Docker socket {endpoint}; add your user to the `docker` group (`sudo usermod -aG docker $USER`, then log in again) or run as root"
    )]
    PermissionDenied { endpoint: String },
    #[error("cannot connect to the Docker engine at {endpoint}")]
    Connect {
        endpoint: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot list the engine's containers")]
    List {
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot inspect image {image}")]
    InspectImage {
        image: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot inspect container {name}")]
    Inspect {
        name: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot create container {name}")]
    Create {
        name: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot start container {name}")]
    Start {
        name: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot stop container {name}")]
    Stop {
        name: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot remove container {name}")]
    Remove {
        name: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error(
        "cannot pull image {image}: {detail}; check the name and your network, or choose another registry with --image-repo (and --image-tag)"
    )]
    Pull { image: String, detail: String },
    #[error("cannot copy {path} out of container {name}")]
    Download {
        name: String,
        path: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot copy files into {path} of container {name}")]
    Upload {
        name: String,
        path: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot run a command in container {name}")]
    Exec {
        name: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot rename container {name} to {to}")]
    Rename {
        name: String,
        to: String,
        #[source]
        source: bollard::errors::Error,
    },
    #[error("cannot read logs of container {name}")]
    Logs {
        name: String,
        #[source]
        source: bollard::errors::Error,
    },
}

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
}

/// What we need to know about an existing container.
#[derive(Debug, Clone)]
pub struct Container {
    pub name: String,
    pub state: ContainerState,
    pub image: String,
    /// The id (`sha256:…`) of the image it was created from.
    pub image_id: String,
    /// Host folder mounted at `/data`, if any.
    pub data_dir: Option<PathBuf>,
    /// Host ports published for the container's gateway/https/console ports, read from
    /// the container's own `GATEWAY_HTTP_PORT`-style environment and port bindings.
    pub ports: Option<Ports>,
    pub bind: Option<String>,
    pub env: Vec<String>,
}

impl Container {
    /// The value of `key` in the container's environment.
    pub fn env_var(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .find_map(|e| e.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
    }
}

pub struct Engine {
    docker: Docker,
    endpoint: Endpoint,
}

fn is_not_found(err: &bollard::errors::Error) -> bool {
    matches!(
        err,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl Engine {
    pub async fn connect() -> Result<Self, DockerError> {
        let (docker, endpoint) = engine::connect().await?;
        Ok(Self { docker, endpoint })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `(engine version, API version)`.
    pub async fn server_version(&self) -> Option<(String, String)> {
        let v = self.docker.version().await.ok()?;
        Some((
            v.version.unwrap_or_default(),
            v.api_version.unwrap_or_default(),
        ))
    }

    /// Where the engine keeps images, when it says.
    pub async fn root_dir(&self) -> Option<String> {
        self.docker.info().await.ok()?.docker_root_dir
    }

    /// The container called `name`, or `None` when there is none.
    pub async fn find(&self, name: &str) -> Result<Option<Container>, DockerError> {
        let info = match self.docker.inspect_container(name, None).await {
            Ok(info) => info,
            Err(err) if is_not_found(&err) => return Ok(None),
            Err(source) => {
                return Err(DockerError::Inspect {
                    name: name.to_string(),
                    source,
                });
            }
        };
        use bollard::models::ContainerStateStatusEnum as S;
        let state = info.state.as_ref();
        let status = match state.and_then(|s| s.status) {
            Some(S::RUNNING) => ContainerState::Running,
            Some(S::RESTARTING) => ContainerState::Restarting,
            Some(S::PAUSED) => ContainerState::Paused,
            Some(S::CREATED) => ContainerState::Created,
            Some(S::EXITED) => ContainerState::Exited,
            Some(S::DEAD) => ContainerState::Dead,
            _ => ContainerState::Other,
        };
        let data_dir = info.mounts.as_ref().and_then(|mounts| {
            mounts
                .iter()
                .find(|m| m.destination.as_deref() == Some(spec::DATA_MOUNT))
                .and_then(|m| m.source.clone())
                .map(PathBuf::from)
        });
        let config = info.config.as_ref();
        let env = config.and_then(|c| c.env.clone()).unwrap_or_default();
        let env_port = |key: &str| {
            env.iter()
                .find_map(|e| e.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse::<u16>().ok())
        };
        let bindings = info
            .host_config
            .as_ref()
            .and_then(|h| h.port_bindings.clone())
            .unwrap_or_default();
        let host_port = |container_port: Option<u16>| -> Option<u16> {
            let key = format!("{}/tcp", container_port?);
            bindings
                .get(&key)?
                .as_ref()?
                .first()?
                .host_port
                .as_deref()?
                .parse()
                .ok()
        };
        let default = Ports::DEFAULT;
        let http = host_port(env_port("GATEWAY_HTTP_PORT").or(Some(default.http)));
        let https = host_port(env_port("GATEWAY_HTTPS_PORT").or(Some(default.https)));
        let console = host_port(env_port("CONSOLE_PORT").or(Some(default.console)));
        let ports = match (http, https, console) {
            (Some(http), Some(https), Some(console)) => Some(Ports {
                http,
                https,
                console,
            }),
            _ => None,
        };
        let bind = bindings
            .values()
            .flatten()
            .flatten()
            .find_map(|b| b.host_ip.clone());
        Ok(Some(Container {
            name: name.to_string(),
            state: status,
            image: config.and_then(|c| c.image.clone()).unwrap_or_default(),
            image_id: info.image.clone().unwrap_or_default(),
            data_dir,
            ports,
            bind,
            env,
        }))
    }

    /// Names of every container (running or not) whose `/data` is the host folder `dir`.
    pub async fn containers_serving(
        &self,
        dir: &std::path::Path,
    ) -> Result<Vec<String>, DockerError> {
        let options = bollard::query_parameters::ListContainersOptionsBuilder::new()
            .all(true)
            .build();
        let list = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|source| DockerError::List { source })?;
        let wanted = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        Ok(list
            .into_iter()
            .filter(|c| {
                c.mounts.iter().flatten().any(|m| {
                    m.destination.as_deref() == Some(spec::DATA_MOUNT)
                        && m.source.as_deref().is_some_and(|s| {
                            let s = std::path::Path::new(s);
                            s == wanted || s.canonicalize().is_ok_and(|s| s == wanted)
                        })
                })
            })
            .filter_map(|c| {
                c.names?
                    .first()
                    .map(|n| n.trim_start_matches('/').to_string())
            })
            .collect())
    }

    pub async fn image_exists(&self, image: &str) -> Result<bool, DockerError> {
        Ok(self.image_id(image).await?.is_some())
    }

    /// The id (`sha256:…`) of the local image `image`, or `None` when it is not here.
    pub async fn image_id(&self, image: &str) -> Result<Option<String>, DockerError> {
        match self.docker.inspect_image(image).await {
            Ok(info) => Ok(info.id),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(source) => Err(DockerError::InspectImage {
                image: image.to_string(),
                source,
            }),
        }
    }

    /// Pulls `image`, reporting (downloaded, total) bytes as layers progress.
    pub async fn pull(
        &self,
        image: &str,
        mut on_progress: impl FnMut(u64, u64),
    ) -> Result<(), DockerError> {
        let (repo, tag) = split_image(image);
        let options = CreateImageOptionsBuilder::new()
            .from_image(repo)
            .tag(tag)
            .build();
        let mut stream = self.docker.create_image(Some(options), None, None);
        let mut layers: std::collections::HashMap<String, (u64, u64)> = Default::default();
        while let Some(item) = stream.next().await {
            let info = item.map_err(|err| DockerError::Pull {
                image: image.to_string(),
                detail: error_detail(&err),
            })?;
            if let Some(detail) = info.error_detail.and_then(|d| d.message) {
                return Err(DockerError::Pull {
                    image: image.to_string(),
                    detail,
                });
            }
            if let (Some(id), Some(progress)) = (info.id, info.progress_detail) {
                let current = progress.current.unwrap_or(0).max(0) as u64;
                let total = progress.total.unwrap_or(0).max(0) as u64;
                if total > 0 {
                    layers.insert(id, (current, total));
                    let (done, all) = layers
                        .values()
                        .fold((0, 0), |(d, a), (c, t)| (d + c, a + t));
                    on_progress(done, all);
                }
            }
        }
        Ok(())
    }

    pub async fn create(&self, spec: &ContainerSpec) -> Result<String, DockerError> {
        let options = CreateContainerOptionsBuilder::new()
            .name(&spec.name)
            .build();
        let response = self
            .docker
            .create_container(Some(options), spec.to_create_body())
            .await
            .map_err(|source| DockerError::Create {
                name: spec.name.clone(),
                source,
            })?;
        Ok(response.id)
    }

    pub async fn start(&self, name: &str) -> Result<(), DockerError> {
        self.docker
            .start_container(name, None)
            .await
            .map_err(|source| DockerError::Start {
                name: name.to_string(),
                source,
            })
    }

    pub async fn stop(&self, name: &str) -> Result<(), DockerError> {
        let options = StopContainerOptionsBuilder::new().t(30).build();
        match self.docker.stop_container(name, Some(options)).await {
            Ok(()) => Ok(()),
            // 304: already stopped.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            Err(source) => Err(DockerError::Stop {
                name: name.to_string(),
                source,
            }),
        }
    }

    pub async fn rename(&self, name: &str, to: &str) -> Result<(), DockerError> {
        let options = bollard::query_parameters::RenameContainerOptionsBuilder::new()
            .name(to)
            .build();
        self.docker
            .rename_container(name, options)
            .await
            .map_err(|source| DockerError::Rename {
                name: name.to_string(),
                to: to.to_string(),
                source,
            })
    }

    pub async fn remove(&self, name: &str, force: bool) -> Result<(), DockerError> {
        let options = RemoveContainerOptionsBuilder::new().force(force).build();
        match self.docker.remove_container(name, Some(options)).await {
            Ok(()) => Ok(()),
            Err(err) if is_not_found(&err) => Ok(()),
            Err(source) => Err(DockerError::Remove {
                name: name.to_string(),
                source,
            }),
        }
    }

    /// The container's log as a stream of text chunks (stdout and stderr merged).
    pub fn logs(
        &self,
        name: &str,
        tail: Option<usize>,
        follow: bool,
    ) -> impl Stream<Item = Result<String, DockerError>> + '_ {
        let tail = tail.map_or_else(|| "all".to_string(), |n| n.to_string());
        let options = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .follow(follow)
            .tail(&tail)
            .build();
        let owned = name.to_string();
        self.docker.logs(name, Some(options)).map(move |item| {
            item.map(|chunk| chunk.to_string())
                .map_err(|source| DockerError::Logs {
                    name: owned.clone(),
                    source,
                })
        })
    }

    /// The last `lines` lines of the log (all with `None`), as one text.
    pub async fn last_log_lines(&self, name: &str, lines: Option<usize>) -> String {
        let mut out = String::new();
        let mut stream = Box::pin(self.logs(name, lines, false));
        while let Some(Ok(chunk)) = stream.next().await {
            out.push_str(&chunk);
        }
        out
    }
}

impl Engine {
    /// A tar archive of `path` inside the container, or `None` when it does not exist.
    pub async fn download(&self, name: &str, path: &str) -> Result<Option<Vec<u8>>, DockerError> {
        let options = bollard::query_parameters::DownloadFromContainerOptionsBuilder::new()
            .path(path)
            .build();
        let mut stream = self.docker.download_from_container(name, Some(options));
        let mut tar = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => tar.extend_from_slice(&bytes),
                Err(err) if is_not_found(&err) => return Ok(None),
                Err(source) => {
                    return Err(DockerError::Download {
                        name: name.to_string(),
                        path: path.to_string(),
                        source,
                    });
                }
            }
        }
        Ok(Some(tar))
    }

    /// Extracts the tar archive `tar` into folder `path` of the container.
    pub async fn upload(&self, name: &str, path: &str, tar: Vec<u8>) -> Result<(), DockerError> {
        let options = bollard::query_parameters::UploadToContainerOptionsBuilder::new()
            .path(path)
            .build();
        self.docker
            .upload_to_container(name, Some(options), bollard::body_full(tar.into()))
            .await
            .map_err(|source| DockerError::Upload {
                name: name.to_string(),
                path: path.to_string(),
                source,
            })
    }

    /// Runs `cmd` in the container; returns its exit code and combined output.
    pub async fn exec(&self, name: &str, cmd: Vec<String>) -> Result<(i64, String), DockerError> {
        use bollard::exec::{CreateExecOptions, StartExecResults};
        let wrap = |source| DockerError::Exec {
            name: name.to_string(),
            source,
        };
        let exec = self
            .docker
            .create_exec(
                name,
                CreateExecOptions {
                    cmd: Some(cmd),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..Default::default()
                },
            )
            .await
            .map_err(wrap)?;
        let mut output = String::new();
        if let StartExecResults::Attached {
            output: mut stream, ..
        } = self.docker.start_exec(&exec.id, None).await.map_err(wrap)?
        {
            while let Some(chunk) = stream.next().await {
                output.push_str(&chunk.map_err(wrap)?.to_string());
            }
        }
        let code = self
            .docker
            .inspect_exec(&exec.id)
            .await
            .map_err(wrap)?
            .exit_code
            .unwrap_or(-1);
        Ok((code, output))
    }
}

fn error_detail(err: &bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
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
