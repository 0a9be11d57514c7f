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

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use anyhow::Context as _;

use thiserror::Error;

use crate::docker::Engine;
use crate::env_vars;
use crate::gateway::store::lock_file;
use crate::gateway::{DataFolder, paths};
use crate::hash::sha256_hex;
use crate::target::Target;

/// What is copied out of the container: the resources, the settings and the marker.
/// Not `logs/`, which can be large and is never edited.
const MIRRORED: &[&str] = &[
    "wasmplugins",
    "ingresses",
    "configmaps",
    "mcpbridges",
    // A route's fallback redirect, and the image's global filters it builds on.
    "envoyfilters",
    paths::DEFAULT_CFG,
    paths::MARKER,
];

pub struct Workspace {
    pub folder: DataFolder,
    remote: Option<Remote>,
    gateway: Gateway,
}

/// What is known of the gateway serving the folder, to say truthfully when a change
/// takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gateway {
    Running,
    Stopped,
    /// A folder named with `--data-dir` is edited without asking Docker (fast, and no
    /// engine needed), or no container of that name exists.
    Unknown,
}

struct Remote {
    engine: Engine,
    container: String,
    _mirror: tempfile::TempDir,
    /// SHA-256 of each file as it was copied out, by path relative to `/data`. The
    /// rename script checks them first: if anything else (the console, a host-side
    /// edit, another machine) wrote one of our files meanwhile, nothing is renamed and
    /// the edit fails instead of losing that write.
    originals: BTreeMap<String, String>,
    /// Serialises edits through the container from this host (the mirror's own lock
    /// file is private to one process).
    _lock: File,
}

#[derive(Debug, Error)]
pub enum WorkspaceError {
    #[error("{}={value:?} is not auto, host or container", env_vars::WRITE_THROUGH)]
    BadMode { value: String },
    #[error(
        "{}=container needs the container {container} and a reachable Docker engine",
        env_vars::WRITE_THROUGH
    )]
    NoContainer { container: String },
    #[error(
        "{container} runs on {endpoint} and its data folder cannot be written from this host, so changes go through the container, which is stopped"
    )]
    Stopped { container: String, endpoint: String },
    /// The engine's failure is part of the message; the cause is the default folder's
    /// own problem.
    #[error(
        "the Docker engine did not answer ({detail}), so the data folder of {container} could not be looked up"
    )]
    NoEngine {
        container: String,
        detail: String,
        #[source]
        source: anyhow::Error,
    },
    #[error(
        "the configuration in {container}:{CONTAINER_ROOT} changed while this edit was being made (the console, another higress-claw, or a hand edit); nothing was changed"
    )]
    ChangedMeanwhile { container: String },
    #[error(
        "renaming the uploaded files in {container} failed (exit {code}): {output}; nothing after the failed step was changed"
    )]
    Rename {
        container: String,
        code: i64,
        output: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Auto,
    Host,
    Container,
}

fn mode() -> Result<Mode, WorkspaceError> {
    match std::env::var(env_vars::WRITE_THROUGH).ok().as_deref() {
        None | Some("") | Some("auto") => Ok(Mode::Auto),
        Some("host") => Ok(Mode::Host),
        Some("container") => Ok(Mode::Container),
        Some(other) => Err(WorkspaceError::BadMode {
            value: other.to_string(),
        }),
    }
}

/// Can this process create files in `dir` on this host?
fn host_writable(dir: &Path) -> bool {
    dir.is_dir() && tempfile::tempfile_in(dir).is_ok()
}

impl Workspace {
    /// The folder `target` means, and where edits to it must happen. `on_wait` is told
    /// when another process holds the lock of edits through the container.
    pub async fn open(target: &Target, on_wait: impl FnOnce(&Path)) -> anyhow::Result<Self> {
        let mode = mode()?;
        // A folder named on the command line is edited where it is (no Docker needed).
        if let Some(dir) = &target.data_dir
            && mode != Mode::Container
        {
            return Self::on_host(dir, Gateway::Unknown);
        }
        let engine = match Engine::connect().await {
            Ok(engine) => Some(engine),
            Err(source) if target.data_dir.is_none() && mode != Mode::Container => {
                // Without an engine the container's folder cannot be looked up: say so
                // when the default folder is not the gateway's either.
                return Self::on_host(&target.new_folder(), Gateway::Unknown).map_err(|e| {
                    WorkspaceError::NoEngine {
                        container: target.container.clone(),
                        detail: source.to_string(),
                        source: e,
                    }
                    .into()
                });
            }
            Err(_) => None,
        };
        let container = match &engine {
            Some(engine) => engine.find(&target.container).await?,
            None => None,
        };
        let dir = match (
            &target.data_dir,
            container.as_ref().and_then(|c| c.data_dir.clone()),
        ) {
            (Some(dir), _) => dir.clone(),
            (None, Some(mounted)) => mounted,
            (None, None) => target.new_folder(),
        };
        let gateway = match &container {
            Some(c) if c.state.is_running() => Gateway::Running,
            Some(_) => Gateway::Stopped,
            None => Gateway::Unknown,
        };
        if mode == Mode::Host {
            return Self::on_host(&dir, gateway);
        }
        let (Some(engine), Some(container)) = (engine, container) else {
            if mode == Mode::Container {
                return Err(WorkspaceError::NoContainer {
                    container: target.container.clone(),
                }
                .into());
            }
            return Self::on_host(&dir, gateway);
        };
        let through_container =
            mode == Mode::Container || engine.endpoint().is_remote() || !host_writable(&dir);
        if !through_container {
            return Self::on_host(&dir, gateway);
        }
        if !container.state.is_running() {
            return Err(WorkspaceError::Stopped {
                container: container.name,
                endpoint: engine.endpoint().describe(),
            }
            .into());
        }
        Self::through_container(engine, container.name, on_wait).await
    }

    fn on_host(dir: &Path, gateway: Gateway) -> anyhow::Result<Self> {
        let folder = DataFolder::new(dir);
        folder.check_holds_gateway()?;
        Ok(Self {
            folder,
            remote: None,
            gateway,
        })
    }

    /// A private copy of the container's `/data`, edited like a host folder and published
    /// back by [`Workspace::publish`].
    async fn through_container(
        engine: Engine,
        container: String,
        on_wait: impl FnOnce(&Path),
    ) -> anyhow::Result<Self> {
        let lock = host_lock(&container, on_wait)?;
        let mirror = tempfile::Builder::new()
            .prefix("higress-claw-mirror")
            .tempdir()
            .context("cannot create a temporary folder for the copy of /data")?;
        for item in MIRRORED {
            let Some(tar) = engine
                .download(&container, &format!("/data/{item}"))
                .await?
            else {
                continue;
            };
            tar::Archive::new(tar.as_slice())
                .unpack(mirror.path())
                .with_context(|| {
                    format!(
                        "cannot unpack /data/{item} of {container} into {}",
                        mirror.path().display()
                    )
                })?;
        }
        let originals = digests(mirror.path())?;
        let folder = DataFolder::new(mirror.path());
        if !folder.holds_gateway() {
            anyhow::bail!(crate::gateway::FolderError::NotConfigured {
                path: format!("{container}:{CONTAINER_ROOT}").into(),
            });
        }
        Ok(Self {
            folder,
            remote: Some(Remote {
                engine,
                container,
                _mirror: mirror,
                originals,
                _lock: lock,
            }),
            gateway: Gateway::Running,
        })
    }

    /// The container whose `/data` is edited through the Docker API, if that is how.
    pub fn container(&self) -> Option<&str> {
        self.remote.as_ref().map(|r| r.container.as_str())
    }

    /// When a committed change takes effect, for the line that reports it.
    pub fn takes_effect(&self) -> &'static str {
        match self.gateway {
            Gateway::Running => "Higress reloads it without a restart",
            Gateway::Stopped => "the gateway is stopped: it applies at the next start",
            Gateway::Unknown => {
                "a running gateway reloads it without a restart, a stopped one at its next start"
            }
        }
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
        let mut checks: Vec<String> = Vec::new();
        // Steps for the in-container script, in commit order: `mv TEMP TARGET` or `rm TARGET`.
        let mut steps: Vec<String> = Vec::new();
        for relative in changed {
            let local = self.folder.root().join(relative);
            let target = format!("{CONTAINER_ROOT}/{relative}");
            let original = remote.originals.get(relative).map_or("-", String::as_str);
            checks.extend(["check".into(), target.clone(), original.into()]);
            if local.is_file() {
                let temp = temp_name(relative, &tag);
                let bytes = std::fs::read(&local)
                    .with_context(|| format!("cannot read {}", local.display()))?;
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                // The mirror kept the mode the file had in the container.
                header.set_mode(crate::gateway::store::mode_for(relative, &local));
                header.set_cksum();
                archive.append_data(&mut header, &temp, bytes.as_slice())?;
                steps.extend(["mv".into(), format!("{CONTAINER_ROOT}/{temp}"), target]);
            } else {
                steps.extend(["rm".into(), target]);
            }
        }
        let tar = archive.into_inner()?;
        remote
            .engine
            .upload(&remote.container, CONTAINER_ROOT, tar)
            .await?;
        let cmd = publish_command(CONTAINER_ROOT, &tag, checks, steps);
        let (code, output) = remote.engine.exec(&remote.container, cmd).await?;
        match code {
            0 => Ok(()),
            CHANGED_MEANWHILE => Err(WorkspaceError::ChangedMeanwhile {
                container: remote.container.clone(),
            }
            .into()),
            _ => Err(WorkspaceError::Rename {
                container: remote.container.clone(),
                code,
                output: output.trim().to_string(),
            }
            .into()),
        }
    }
}

const CONTAINER_ROOT: &str = "/data";

/// The rename script's exit code when a file changed since it was copied out.
const CHANGED_MEANWHILE: i64 = 3;

/// The in-container rename: `sh -c SCRIPT sh ROOT TAG (check PATH SHA256|-)… (mv TEMP
/// TARGET | rm TARGET)…`. It sweeps temp files an earlier failed publish left, checks
/// that every file still is what was copied out (`-`: still absent), makes the uploads
/// durable, renames in the given order, and syncs again. On any failure it removes its
/// own temp files; a live `*.yaml` is never moved aside.
fn publish_command(root: &str, tag: &str, checks: Vec<String>, steps: Vec<String>) -> Vec<String> {
    const SCRIPT: &str = r#"root=$1 tag=$2; shift 2
cleanup() { for f in "$root"/.*"$tag" "$root"/*/.*"$tag"; do [ -e "$f" ] && rm -f "$f"; done; }
for f in "$root"/.*.tmp-hc-* "$root"/*/.*.tmp-hc-*; do
  case "$f" in *"$tag") ;; *) [ -e "$f" ] && rm -f "$f" ;; esac
done
while [ "$1" = check ]; do
  if [ "$3" = - ]; then
    [ -e "$2" ] && { cleanup; exit 3; }
  else
    sum=$(sha256sum "$2" 2>/dev/null) || { cleanup; exit 3; }
    [ "${sum%% *}" = "$3" ] || { cleanup; exit 3; }
  fi
  shift 3
done
sync
while [ $# -gt 0 ]; do
  case "$1" in
    mv) mv -f "$2" "$3" || { cleanup; exit 1; }; shift 3 ;;
    rm) rm -f "$2" || { cleanup; exit 1; }; shift 2 ;;
    *) cleanup; exit 2 ;;
  esac
done
sync"#;
    let mut cmd: Vec<String> = ["sh", "-c", SCRIPT, "sh", root, tag]
        .map(String::from)
        .to_vec();
    cmd.extend(checks);
    cmd.extend(steps);
    cmd
}

/// SHA-256 (hex) of every file below `root`, by relative path.
fn digests(root: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                let bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                out.insert(relative.to_string_lossy().into_owned(), sha256_hex(&bytes));
            }
        }
    }
    Ok(out)
}

/// `wasmplugins/ai-proxy.internal.yaml` → `wasmplugins/.ai-proxy.internal.yaml.tmp-hc-42`.
fn temp_name(relative: &str, tag: &str) -> String {
    match relative.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}{tag}"),
        None => format!(".{relative}{tag}"),
    }
}

/// The lock of edits through `container` from this host.
fn host_lock(container: &str, on_wait: impl FnOnce(&Path)) -> anyhow::Result<File> {
    let dir = env_vars::state_dir().join("locks");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{container}.lock"));
    lock_file(&path, on_wait).with_context(|| format!("cannot lock {}", path.display()))
}

/// The script runs in the Linux container; the host's `sh` stands in for it here.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Runs the rename script with the host's `sh` on a folder standing in for `/data`.
    fn run(root: &Path, checks: Vec<String>, steps: Vec<String>) -> i32 {
        let cmd = publish_command(&root.display().to_string(), ".tmp-hc-1", checks, steps);
        std::process::Command::new(&cmd[0])
            .args(&cmd[1..])
            .status()
            .unwrap()
            .code()
            .unwrap()
    }

    fn words(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_rename_script_refuses_a_file_that_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let p = |r: &str| root.join(r).display().to_string();
        std::fs::create_dir_all(root.join("wasmplugins")).unwrap();
        std::fs::write(root.join("wasmplugins/a.yaml"), "old").unwrap();
        std::fs::write(root.join("wasmplugins/.a.yaml.tmp-hc-1"), "new").unwrap();
        std::fs::write(root.join("wasmplugins/.b.yaml.tmp-hc-99"), "stale").unwrap();
        let mv = words(&[
            "mv",
            &p("wasmplugins/.a.yaml.tmp-hc-1"),
            &p("wasmplugins/a.yaml"),
        ]);

        // Someone wrote a.yaml after it was copied out: nothing moves, temps are gone.
        let stale_sum = sha256_hex(b"older");
        let code = run(
            root,
            words(&["check", &p("wasmplugins/a.yaml"), &stale_sum]),
            mv.clone(),
        );
        assert_eq!(i64::from(code), CHANGED_MEANWHILE);
        assert_eq!(
            std::fs::read_to_string(root.join("wasmplugins/a.yaml")).unwrap(),
            "old"
        );
        assert!(!root.join("wasmplugins/.a.yaml.tmp-hc-1").exists());
        assert!(
            !root.join("wasmplugins/.b.yaml.tmp-hc-99").exists(),
            "stale temp kept"
        );

        // A file expected absent that appeared meanwhile is refused too.
        std::fs::write(root.join("wasmplugins/.a.yaml.tmp-hc-1"), "new").unwrap();
        let code = run(
            root,
            words(&["check", &p("wasmplugins/a.yaml"), "-"]),
            mv.clone(),
        );
        assert_eq!(i64::from(code), CHANGED_MEANWHILE);

        // Unchanged since the copy: renamed into place.
        std::fs::write(root.join("wasmplugins/.a.yaml.tmp-hc-1"), "new").unwrap();
        let code = run(
            root,
            words(&["check", &p("wasmplugins/a.yaml"), &sha256_hex(b"old")]),
            mv,
        );
        assert_eq!(code, 0);
        assert_eq!(
            std::fs::read_to_string(root.join("wasmplugins/a.yaml")).unwrap(),
            "new"
        );
        assert!(!root.join("wasmplugins/.a.yaml.tmp-hc-1").exists());
    }
}
