//! [`Engine`], the one client of the Docker API: every call the crate makes, each
//! failure mapped to its own [`DockerError`] variant and HTTP 404 read as "absent".

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, ListContainersOptionsBuilder,
    LogsOptionsBuilder, RemoveContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use futures_util::{Stream, StreamExt};

use super::container::{Container, DATA_MOUNT, MANAGED_LABEL, split_image};
use super::endpoint::{self, Endpoint};
use super::error::{DockerError, error_detail, is_not_found};
use super::spec::ContainerSpec;

pub struct Engine {
    docker: Docker,
    endpoint: Endpoint,
    /// How long one request may go unanswered.
    timeout: Duration,
}

/// `docker stop` waits this long for the gateway to exit before killing it.
const STOP_SECS: u32 = 30;
const STOP_GRACE: Duration = Duration::from_secs(STOP_SECS as u64);
/// A pull that reports nothing for this long is stuck (a registry that stopped sending).
const PULL_STALL: Duration = Duration::from_secs(120);

impl Engine {
    pub async fn connect() -> Result<Self, DockerError> {
        let (docker, endpoint) = endpoint::connect().await?;
        Ok(Self {
            docker,
            endpoint,
            timeout: endpoint::request_timeout(),
        })
    }

    /// `call`, given up on after the request timeout (plus `extra` for calls that
    /// wait on purpose): an engine that accepts requests and never answers must not
    /// hang the command.
    async fn bounded<T>(
        &self,
        during: String,
        extra: Duration,
        call: impl Future<Output = Result<T, DockerError>>,
    ) -> Result<T, DockerError> {
        match tokio::time::timeout(self.timeout + extra, call).await {
            Ok(result) => result,
            Err(_) => Err(DockerError::NoAnswer {
                endpoint: self.endpoint.describe(),
                during,
                secs: (self.timeout + extra).as_secs(),
            }),
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `(engine version, API version)`.
    pub async fn server_version(&self) -> Option<(String, String)> {
        let v = tokio::time::timeout(self.timeout, self.docker.version())
            .await
            .ok()?
            .ok()?;
        Some((
            v.version.unwrap_or_default(),
            v.api_version.unwrap_or_default(),
        ))
    }

    /// Where the engine keeps images, when it says.
    pub async fn root_dir(&self) -> Option<String> {
        tokio::time::timeout(self.timeout, self.docker.info())
            .await
            .ok()?
            .ok()?
            .docker_root_dir
    }

    /// The container called `name`, or `None` when there is none.
    pub async fn find(&self, name: &str) -> Result<Option<Container>, DockerError> {
        self.bounded(
            format!("inspecting container {name}"),
            Duration::ZERO,
            async {
                match self.docker.inspect_container(name, None).await {
                    Ok(info) => Ok(Some(Container::from_inspect(name, info))),
                    Err(err) if is_not_found(&err) => Ok(None),
                    Err(source) => Err(DockerError::Inspect {
                        name: name.to_string(),
                        source,
                    }),
                }
            },
        )
        .await
    }

    /// Names of the containers higress-claw created (found by our label), with the
    /// data folder each serves: what a user may have meant by a name that is not there.
    pub async fn gateways(&self) -> Result<Vec<(String, Option<PathBuf>)>, DockerError> {
        self.bounded("listing containers".to_string(), Duration::ZERO, async {
            let filters = HashMap::from([("label", vec![format!("{MANAGED_LABEL}=true")])]);
            let options = ListContainersOptionsBuilder::new()
                .all(true)
                .filters(&filters)
                .build();
            let list = self
                .docker
                .list_containers(Some(options))
                .await
                .map_err(|source| DockerError::List { source })?;
            Ok(list
                .into_iter()
                .filter_map(|c| {
                    let name = c.names?.first()?.trim_start_matches('/').to_string();
                    let dir = c
                        .mounts
                        .iter()
                        .flatten()
                        .find(|m| m.destination.as_deref() == Some(DATA_MOUNT))
                        .and_then(|m| m.source.clone())
                        .map(PathBuf::from);
                    Some((name, dir))
                })
                .collect())
        })
        .await
    }

    /// Names of every container (running or not) whose `/data` is the host folder `dir`.
    pub async fn containers_serving(
        &self,
        dir: &std::path::Path,
    ) -> Result<Vec<String>, DockerError> {
        self.bounded("listing containers".to_string(), Duration::ZERO, async {
            let options = ListContainersOptionsBuilder::new().all(true).build();
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
                        m.destination.as_deref() == Some(DATA_MOUNT)
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
        })
        .await
    }

    pub async fn image_exists(&self, image: &str) -> Result<bool, DockerError> {
        Ok(self.image_id(image).await?.is_some())
    }

    /// The id (`sha256:…`) of the local image `image`, or `None` when it is not here.
    pub async fn image_id(&self, image: &str) -> Result<Option<String>, DockerError> {
        self.bounded(format!("inspecting image {image}"), Duration::ZERO, async {
            match self.docker.inspect_image(image).await {
                Ok(info) => Ok(info.id),
                Err(err) if is_not_found(&err) => Ok(None),
                Err(source) => Err(DockerError::InspectImage {
                    image: image.to_string(),
                    source,
                }),
            }
        })
        .await
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
        // A pull may take long, but it must keep making progress.
        loop {
            let item = match tokio::time::timeout(PULL_STALL, stream.next()).await {
                Ok(Some(item)) => item,
                Ok(None) => break,
                Err(_) => {
                    return Err(DockerError::NoAnswer {
                        endpoint: self.endpoint.describe(),
                        during: format!("pulling {image}: no progress"),
                        secs: PULL_STALL.as_secs(),
                    });
                }
            };
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
        self.bounded(
            format!("creating container {}", spec.name),
            Duration::ZERO,
            async {
                let options = CreateContainerOptionsBuilder::new()
                    .name(&spec.name)
                    .build();
                match self
                    .docker
                    .create_container(Some(options), spec.to_create_body())
                    .await
                {
                    Ok(response) => Ok(response.id),
                    // 409: the name is taken (another start elsewhere won the race).
                    Err(bollard::errors::Error::DockerResponseServerError {
                        status_code: 409,
                        ..
                    }) => Err(DockerError::NameTaken {
                        name: spec.name.clone(),
                    }),
                    Err(source) => Err(DockerError::Create {
                        name: spec.name.clone(),
                        source,
                    }),
                }
            },
        )
        .await
    }

    pub async fn start(&self, name: &str) -> Result<(), DockerError> {
        self.bounded(
            format!("starting container {name}"),
            Duration::ZERO,
            async {
                self.docker
                    .start_container(name, None)
                    .await
                    .map_err(|source| DockerError::Start {
                        name: name.to_string(),
                        source,
                    })
            },
        )
        .await
    }

    pub async fn stop(&self, name: &str) -> Result<(), DockerError> {
        self.bounded(format!("stopping container {name}"), STOP_GRACE, async {
            let options = StopContainerOptionsBuilder::new()
                .t(STOP_SECS as i32)
                .build();
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
        })
        .await
    }

    pub async fn rename(&self, name: &str, to: &str) -> Result<(), DockerError> {
        self.bounded(
            format!("renaming container {name}"),
            Duration::ZERO,
            async {
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
            },
        )
        .await
    }

    pub async fn remove(&self, name: &str, force: bool) -> Result<(), DockerError> {
        self.bounded(
            format!("removing container {name}"),
            Duration::ZERO,
            async {
                let options = RemoveContainerOptionsBuilder::new().force(force).build();
                match self.docker.remove_container(name, Some(options)).await {
                    Ok(()) => Ok(()),
                    Err(err) if is_not_found(&err) => Ok(()),
                    Err(source) => Err(DockerError::Remove {
                        name: name.to_string(),
                        source,
                    }),
                }
            },
        )
        .await
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
    /// What an engine that stops answering gave by then.
    pub async fn last_log_lines(&self, name: &str, lines: Option<usize>) -> String {
        let mut out = String::new();
        let mut stream = Box::pin(self.logs(name, lines, false));
        while let Ok(Some(Ok(chunk))) = tokio::time::timeout(self.timeout, stream.next()).await {
            out.push_str(&chunk);
        }
        out
    }
}

impl Engine {
    /// A tar archive of `path` inside the container, or `None` when it does not exist.
    pub async fn download(&self, name: &str, path: &str) -> Result<Option<Vec<u8>>, DockerError> {
        self.bounded(
            format!("copying {path} out of container {name}"),
            Duration::ZERO,
            async {
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
            },
        )
        .await
    }

    /// Extracts the tar archive `tar` into folder `path` of the container.
    pub async fn upload(&self, name: &str, path: &str, tar: Vec<u8>) -> Result<(), DockerError> {
        self.bounded(
            format!("copying files into container {name}"),
            Duration::ZERO,
            async {
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
            },
        )
        .await
    }

    /// Runs `cmd` in the container; returns its exit code and combined output.
    pub async fn exec(&self, name: &str, cmd: Vec<String>) -> Result<(i64, String), DockerError> {
        self.bounded(
            format!("running a command in container {name}"),
            Duration::ZERO,
            async {
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
            },
        )
        .await
    }
}
