//! Which gateway a command means: the container's name and, when given, its data
//! folder. Built once from the global flags, it is what the domain modules take
//! instead of the command line, and it writes the flags back into hints, so a command
//! the user copies from a message acts on the same gateway.

use std::path::{Path, PathBuf};

use crate::docker::{Engine, Ports, probe_host};
use crate::env_vars;
use crate::gateway::{DEFAULT_CONTAINER_NAME, DataFolder, FolderError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub container: String,
    /// The folder named with `--data-dir`, made absolute.
    pub data_dir: Option<PathBuf>,
}

impl Target {
    pub fn new(container: impl Into<String>, data_dir: Option<&Path>) -> Self {
        Self {
            container: container.into(),
            data_dir: data_dir.map(absolute),
        }
    }

    /// The folder a new deployment is written to: `--data-dir`, else
    /// `$HIGRESS_CLAW_DATA_DIR`, else `~/.higress-claw/data`.
    pub fn new_folder(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| absolute(&default_data_dir()))
    }

    /// The folder of an existing gateway: `--data-dir`, else the container's `/data`
    /// mount, else the default.
    pub async fn folder(&self, engine: Option<&Engine>) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        if let Some(engine) = engine
            && let Ok(Some(container)) = engine.find(&self.container).await
            && let Some(dir) = container.data_dir
        {
            return dir;
        }
        absolute(&default_data_dir())
    }

    /// `http://127.0.0.1:<port>`, where this gateway answers: the running container's
    /// published port (and address), else the port `folder`'s default.cfg names, else
    /// the default. Without an engine the folder decides.
    pub async fn gateway_url(&self, folder: &DataFolder) -> Result<String, FolderError> {
        let container = match Engine::connect().await {
            Ok(engine) => engine.find(&self.container).await.ok().flatten(),
            Err(_) => None,
        };
        let port = match container.as_ref().and_then(|c| c.ports) {
            Some(ports) => ports.http,
            None => folder
                .settings()?
                .map_or(Ports::DEFAULT.http, |s| s.ports.http),
        };
        let host = probe_host(container.as_ref().and_then(|c| c.bind));
        Ok(format!("http://{host}:{port}"))
    }

    /// The flags that point another command at this same gateway (`--container-name`,
    /// `--data-dir` when they were given), with a leading space.
    pub fn flags(&self) -> String {
        let mut flags = self.container_flag();
        if let Some(dir) = &self.data_dir {
            flags.push_str(&format!(
                " --data-dir {}",
                shell_word(&dir.display().to_string())
            ));
        }
        flags
    }

    /// ` --container-name NAME` unless it is the default: enough for commands that find
    /// the folder from the container.
    pub fn container_flag(&self) -> String {
        if self.container == DEFAULT_CONTAINER_NAME {
            String::new()
        } else {
            format!(" --container-name {}", shell_word(&self.container))
        }
    }
}

/// The folder of a new deployment: `$HIGRESS_CLAW_DATA_DIR`, else `~/.higress-claw/data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(env_vars::DATA_DIR).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    env_vars::state_dir().join("data")
}

/// `word`, quoted for a POSIX shell when it needs it.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
