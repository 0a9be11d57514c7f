//! Where `config` and `route` read and write: the data folder on this host, or, when
//! the host cannot reach it, the container's `/data` through the Docker API.
//!
//! Docker Desktop runs the engine in a VM, where host writes to a bind mount may not
//! raise inotify, so Higress would not reload; a remote engine has no host folder at
//! all. There the files are copied out into a private mirror, edited with the same
//! locked transaction, and the changed ones are uploaded under temp names (not
//! `*.yaml`, so the watcher ignores them) and renamed into place by one `sh` in the
//! container, in the transaction's order. `HIGRESS_CLAW_WRITE_THROUGH=container|host`
//! overrides the automatic choice.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{absolute, configured_folder, default_data_dir, usage};
use crate::cli::GlobalArgs;
use crate::docker::{Endpoint, Engine};
use crate::env_vars;
use crate::gateway::{DataFolder, paths};
use crate::printer::Printer;

/// What is copied out of the container: the resources, the settings and the marker.
/// Not `logs/`, which can be large and is never edited.
const MIRRORED: &[&str] = &[
    "wasmplugins",
    "ingresses",
    "configmaps",
    "mcpbridges",
    paths::DEFAULT_CFG,
    paths::MARKER,
];

pub struct Workspace {
    pub folder: DataFolder,
    remote: Option<Remote>,
}

struct Remote {
    engine: Engine,
    container: String,
    _mirror: tempfile::TempDir,
    /// Serialises edits through the container from this host (the mirror's own lock
    /// file is private to one process).
    _lock: File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Auto,
    Host,
    Container,
}

fn mode() -> anyhow::Result<Mode> {
    match std::env::var(env_vars::WRITE_THROUGH).ok().as_deref() {
        None | Some("") | Some("auto") => Ok(Mode::Auto),
        Some("host") => Ok(Mode::Host),
        Some("container") => Ok(Mode::Container),
        Some(other) => Err(usage(format!(
            "{}={other:?} is not auto, host or container",
            env_vars::WRITE_THROUGH
        ))),
    }
}

/// Can this process create files in `dir` on this host?
fn host_writable(dir: &Path) -> bool {
    dir.is_dir() && tempfile::tempfile_in(dir).is_ok()
}

impl Workspace {
    pub async fn open(global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Self> {
        let mode = mode()?;
        let on_host = |dir: &Path| -> anyhow::Result<Self> {
            Ok(Self {
                folder: configured_folder(dir)?,
                remote: None,
            })
        };
        // A folder named on the command line is edited where it is (no Docker needed).
        if let Some(dir) = &global.data_dir
            && mode != Mode::Container
        {
            return on_host(&absolute(dir));
        }
        let engine = Engine::connect().await.ok();
        let container = match &engine {
            Some(engine) => engine.find(&global.container_name).await?,
            None => None,
        };
        let dir = match (
            &global.data_dir,
            container.as_ref().and_then(|c| c.data_dir.clone()),
        ) {
            (Some(dir), _) => absolute(dir),
            (None, Some(mounted)) => mounted,
            (None, None) => absolute(&default_data_dir()),
        };
        if mode == Mode::Host {
            return on_host(&dir);
        }
        let (Some(engine), Some(container)) = (engine, container) else {
            if mode == Mode::Container {
                return Err(usage(format!(
                    "{}=container needs the container {} and a reachable Docker engine",
                    env_vars::WRITE_THROUGH,
                    global.container_name
                )));
            }
            return on_host(&dir);
        };
        let remote_engine =
            matches!(engine.endpoint(), Endpoint::Tcp(_)) || engine.endpoint().is_docker_desktop();
        let through_container = mode == Mode::Container || remote_engine || !host_writable(&dir);
        if !through_container {
            return on_host(&dir);
        }
        if !container.state.is_running() {
            return Err(usage(format!(
                "{} runs on {} and its data folder cannot be written from this host, so changes go through the container; start it first: higress-claw start",
                container.name,
                engine.endpoint().describe()
            )));
        }
        printer.verbose(format!(
            "Editing {}:/data through the Docker API",
            container.name
        ));
        let lock = host_lock(&container.name)?;
        let mirror = tempfile::Builder::new()
            .prefix("higress-claw-mirror")
            .tempdir()?;
        for item in MIRRORED {
            let Some(tar) = engine
                .download(&container.name, &format!("/data/{item}"))
                .await?
            else {
                continue;
            };
            tar::Archive::new(tar.as_slice()).unpack(mirror.path())?;
        }
        let folder = DataFolder::new(mirror.path());
        if !folder.is_configured() && !folder.store().exists(paths::AI_PROXY) {
            return Err(usage(format!(
                "{}:/data is not a configured gateway folder; create one with `higress-claw start`",
                container.name
            )));
        }
        Ok(Self {
            folder,
            remote: Some(Remote {
                engine,
                container: container.name,
                _mirror: mirror,
                _lock: lock,
            }),
        })
    }

    /// The folder as the user knows it (the container path when editing through it).
    pub fn describe(&self) -> String {
        match &self.remote {
            Some(remote) => format!("{}:/data", remote.container),
            None => self.folder.root().display().to_string(),
        }
    }

    /// Makes committed changes live. A no-op on the host, where the commit already was.
    pub async fn publish(&self, changed: &[String]) -> anyhow::Result<()> {
        let Some(remote) = &self.remote else {
            return Ok(());
        };
        if changed.is_empty() {
            return Ok(());
        }
        let tag = format!(".tmp-hc-{}", std::process::id());
        let mut archive = tar::Builder::new(Vec::new());
        // Steps for the in-container script, in commit order: `mv TEMP TARGET` or `rm TARGET`.
        let mut steps: Vec<String> = Vec::new();
        for relative in changed {
            let local = self.folder.root().join(relative);
            let target = format!("/data/{relative}");
            if local.is_file() {
                let temp = temp_name(relative, &tag);
                let mut bytes = Vec::new();
                File::open(&local)?.read_to_end(&mut bytes)?;
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                archive.append_data(&mut header, &temp, bytes.as_slice())?;
                steps.extend(["mv".into(), format!("/data/{temp}"), target]);
            } else {
                steps.extend(["rm".into(), target]);
            }
        }
        let tar = archive.into_inner()?;
        remote
            .engine
            .upload(&remote.container, "/data", tar)
            .await?;
        let mut cmd: Vec<String> = [
            "sh",
            "-c",
            r#"while [ $# -gt 0 ]; do case "$1" in mv) mv -f "$2" "$3" || exit 1; shift 3;; rm) rm -f "$2" || exit 1; shift 2;; *) exit 2;; esac; done"#,
            "sh",
        ]
        .map(String::from)
        .to_vec();
        cmd.extend(steps);
        let (code, output) = remote.engine.exec(&remote.container, cmd).await?;
        if code != 0 {
            anyhow::bail!(
                "renaming the uploaded files in {} failed (exit {code}): {}",
                remote.container,
                output.trim()
            );
        }
        Ok(())
    }
}

/// `wasmplugins/ai-proxy.internal.yaml` → `wasmplugins/.ai-proxy.internal.yaml.tmp-hc-42`.
fn temp_name(relative: &str, tag: &str) -> String {
    match relative.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}{tag}"),
        None => format!(".{relative}{tag}"),
    }
}

fn host_lock(container: &str) -> anyhow::Result<File> {
    let dir = std::env::var_os(env_vars::HOME)
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
        .join(".higress-claw/locks");
    std::fs::create_dir_all(&dir)?;
    let file = File::create(dir.join(format!("{container}.lock")))?;
    file.lock()?;
    Ok(file)
}
