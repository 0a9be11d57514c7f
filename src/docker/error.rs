//! One error variant per Docker operation, naming the container or image, each ending
//! with what the user can do; the engine's own error is kept as the source.

use thiserror::Error;

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
    #[error(
        "the Docker engine at {endpoint} did not answer within {secs} s ({during}); check that it is a Docker engine and not hung (`docker info`), or point DOCKER_HOST (or DOCKER_CONTEXT) at the right one (a slow engine: set HIGRESS_CLAW_DOCKER_TIMEOUT=SECONDS)"
    )]
    NoAnswer {
        endpoint: String,
        during: String,
        secs: u64,
    },
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
    #[error(
        "a container named {name} was created meanwhile (another `higress-claw start`?); nothing of ours was created. Run start again to use it, or choose another --container-name"
    )]
    NameTaken { name: String },
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

/// HTTP 404: the thing asked for is not there, which callers read as "absent".
pub(super) fn is_not_found(err: &bollard::errors::Error) -> bool {
    matches!(
        err,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// The engine's message without bollard's wrapping.
pub(super) fn error_detail(err: &bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
