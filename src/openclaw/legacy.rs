//! What a setup made the upstream way leaves behind, and moving it out of the way.
//!
//! The upstream skill (`higress-openclaw-integration` in alibaba/higress) has users copy
//! its `higress` plugin into `~/.openclaw/extensions/higress` (earlier releases:
//! `extensions/higress-ai-gateway`, plugin id `higress-ai-gateway`) and log in, which
//! stores the placeholder credential `higress:local` (token `higress-local`). That copy
//! no longer loads on OpenClaw 2026.8.1 and later, shadows nothing OpenClaw tracks, and
//! beside an npm install of ours it is a duplicate plugin id. Nothing is deleted: files
//! are moved into `~/.higress-claw/openclaw-backup/<time>/`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::OpenClawError;
use crate::env_vars;
use crate::gateway::store::write_atomic;

/// The folder names the upstream plugin was copied to.
pub const UPSTREAM_DIRS: [&str; 2] = ["higress", "higress-ai-gateway"];
/// The plugin id of upstream releases before 2026-02-12.
pub const UPSTREAM_OLD_ID: &str = "higress-ai-gateway";
/// The profile the upstream login stores when the gateway has no key.
pub const PLACEHOLDER_PROFILE: &str = "higress:local";
pub const PLACEHOLDER_TOKEN: &str = "higress-local";

/// A copy of the upstream plugin in OpenClaw's extensions folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyPlugin {
    pub dir: PathBuf,
    /// Its manifest id: `higress`, or `higress-ai-gateway` for the oldest copies.
    pub id: String,
}

/// Something moved out of the way, and where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub what: String,
    pub path: PathBuf,
    pub backup: PathBuf,
}

/// The upstream plugin copies under `<state>/extensions`.
pub fn upstream_plugins(state: &Path) -> Vec<LegacyPlugin> {
    UPSTREAM_DIRS
        .iter()
        .map(|name| state.join("extensions").join(name))
        .filter_map(|dir| upstream_id(&dir).map(|id| LegacyPlugin { dir, id }))
        .collect()
}

/// The manifest id when `dir` holds the upstream plugin: its package is `@higress/…`,
/// or its entry is TypeScript with the upstream id.
fn upstream_id(dir: &Path) -> Option<String> {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("openclaw.plugin.json")).ok()?)
            .ok()?;
    let id = manifest["id"].as_str()?.to_string();
    let package: Value = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let name = package["name"].as_str().unwrap_or("");
    let typescript = dir.join("index.ts").is_file() && !dir.join("index.js").is_file();
    let upstream = name.starts_with("@higress/")
        || (typescript && (id == super::PLUGIN_ID || id == UPSTREAM_OLD_ID));
    upstream.then_some(id)
}

/// A folder under `~/.higress-claw/openclaw-backup/` for this run, made on first use.
#[derive(Debug)]
pub struct Backup {
    root: PathBuf,
}

impl Default for Backup {
    fn default() -> Self {
        Self::new()
    }
}

impl Backup {
    pub fn new() -> Self {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
        let base = env_vars::state_dir().join("openclaw-backup");
        let mut root = base.join(&stamp);
        let mut n = 1;
        while root.exists() {
            n += 1;
            root = base.join(format!("{stamp}-{n}"));
        }
        Self { root }
    }

    /// Copies `path` into the backup as `name`, leaving it in place; where it went.
    pub fn copy(&self, path: &Path, name: &str) -> Result<PathBuf, OpenClawError> {
        let wrap = |source| OpenClawError::Move {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(&self.root).map_err(wrap)?;
        let target = self.root.join(name);
        copy_all(path, &target).map_err(wrap)?;
        Ok(target)
    }

    /// Moves `path` into the backup as `name`; where it went.
    pub fn keep(&self, path: &Path, name: &str) -> Result<PathBuf, OpenClawError> {
        let wrap = |source| OpenClawError::Move {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(&self.root).map_err(wrap)?;
        let target = self.root.join(name);
        if std::fs::rename(path, &target).is_err() {
            // Another file system: copy, then remove the original.
            copy_all(path, &target).map_err(wrap)?;
            if path.is_dir() {
                std::fs::remove_dir_all(path).map_err(wrap)?;
            } else {
                std::fs::remove_file(path).map_err(wrap)?;
            }
        }
        Ok(target)
    }
}

fn copy_all(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_all(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Moves (or, with `keep_in_place`, copies) the upstream plugin copies into the backup.
/// A copy left in place is the one `plugins install --force` replaces: OpenClaw 2026.8.1
/// and later hold back the settings of a configured plugin it cannot find, so the
/// folder must not be gone while it runs.
pub fn back_up_upstream_plugins(
    plugins: &[LegacyPlugin],
    backup: &Backup,
    keep_in_place: bool,
) -> Result<Vec<Removed>, OpenClawError> {
    plugins
        .iter()
        .map(|plugin| {
            let name = format!(
                "extensions-{}",
                plugin.dir.file_name().unwrap_or_default().to_string_lossy()
            );
            let backup = if keep_in_place {
                backup.copy(&plugin.dir, &name)?
            } else {
                backup.keep(&plugin.dir, &name)?
            };
            Ok(Removed {
                what: format!("the upstream `{}` plugin copied by hand", plugin.id),
                backup,
                path: plugin.dir.clone(),
            })
        })
        .collect()
}

/// What happened to one agent's legacy credential file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialCleanup {
    /// It held only the placeholder: the whole file went to the backup.
    Moved(Removed),
    /// The placeholder was taken out; other credentials stay in the file.
    Edited { path: PathBuf },
}

/// Takes the upstream placeholder credential (`higress:local`, token `higress-local`)
/// out of every agent's `auth-profiles.json`.
pub fn remove_placeholder_credentials(
    state: &Path,
    backup: &Backup,
) -> Result<Vec<CredentialCleanup>, OpenClawError> {
    let Ok(agents) = std::fs::read_dir(state.join("agents")) else {
        return Ok(Vec::new());
    };
    let mut done = Vec::new();
    for agent in agents.flatten() {
        let path = agent.path().join("agent").join("auth-profiles.json");
        let Some(mut store) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        else {
            continue;
        };
        if !drop_placeholder(&mut store) {
            continue;
        }
        let agent_name = agent.file_name().to_string_lossy().into_owned();
        if store["profiles"].as_object().is_none_or(|p| p.is_empty()) {
            let backup = backup.keep(&path, &format!("agents-{agent_name}-auth-profiles.json"))?;
            done.push(CredentialCleanup::Moved(Removed {
                what: format!(
                    "the placeholder credential {PLACEHOLDER_PROFILE} of agent {agent_name}"
                ),
                path,
                backup,
            }));
        } else {
            let mode = file_mode(&path);
            let mut text = serde_json::to_string_pretty(&store).expect("JSON serializes");
            text.push('\n');
            write_atomic(&path, text.as_bytes(), mode).map_err(|source| OpenClawError::Write {
                path: path.clone(),
                source,
            })?;
            done.push(CredentialCleanup::Edited { path });
        }
    }
    Ok(done)
}

/// Removes the placeholder profile and every reference to it; whether there was one.
fn drop_placeholder(store: &mut Value) -> bool {
    let is_placeholder = |p: &Value| {
        p["provider"] == super::PLUGIN_ID
            && p.get("token")
                .is_none_or(|t| t == PLACEHOLDER_TOKEN || t.is_null())
    };
    let Some(profiles) = store.get_mut("profiles").and_then(Value::as_object_mut) else {
        return false;
    };
    if !profiles
        .get(PLACEHOLDER_PROFILE)
        .is_some_and(is_placeholder)
    {
        return false;
    }
    profiles.shift_remove(PLACEHOLDER_PROFILE);
    if let Some(order) = store.get_mut("order").and_then(Value::as_object_mut) {
        for ids in order.values_mut().filter_map(Value::as_array_mut) {
            ids.retain(|id| id != PLACEHOLDER_PROFILE);
        }
        order.retain(|_, ids| ids.as_array().is_none_or(|a| !a.is_empty()));
    }
    if let Some(last) = store.get_mut("lastGood").and_then(Value::as_object_mut) {
        last.retain(|_, id| id != PLACEHOLDER_PROFILE);
    }
    if let Some(stats) = store.get_mut("usageStats").and_then(Value::as_object_mut) {
        stats.shift_remove(PLACEHOLDER_PROFILE);
    }
    true
}

fn file_mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_placeholder_credential_goes() {
        let mut store = json!({"version": 1, "profiles": {
            "higress:local": {"type": "token", "provider": "higress", "token": "higress-local"},
            "openai:default": {"type": "api_key", "provider": "openai", "key": "sk"}},
            "order": {"higress": ["higress:local"], "openai": ["openai:default"]},
            "lastGood": {"higress": "higress:local"}});
        assert!(drop_placeholder(&mut store));
        assert_eq!(
            store,
            json!({"version": 1, "profiles": {"openai:default": {"type": "api_key", "provider": "openai", "key": "sk"}},
                   "order": {"openai": ["openai:default"]}, "lastGood": {}})
        );
        let mut real =
            json!({"profiles": {"higress:local": {"provider": "higress", "token": "a-real-key"}}});
        assert!(
            !drop_placeholder(&mut real),
            "a real key is not a placeholder"
        );
    }

    #[test]
    fn the_upstream_copy_is_told_from_ours() {
        let dir = tempfile::tempdir().unwrap();
        let ext = dir.path().join("extensions");
        let upstream = ext.join("higress");
        std::fs::create_dir_all(&upstream).unwrap();
        std::fs::write(
            upstream.join("openclaw.plugin.json"),
            r#"{"id":"higress","configSchema":{}}"#,
        )
        .unwrap();
        std::fs::write(
            upstream.join("package.json"),
            r#"{"name":"@higress/higress"}"#,
        )
        .unwrap();
        std::fs::write(upstream.join("index.ts"), "").unwrap();
        let old = ext.join("higress-ai-gateway");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(
            old.join("openclaw.plugin.json"),
            r#"{"id":"higress-ai-gateway"}"#,
        )
        .unwrap();
        std::fs::write(old.join("index.ts"), "").unwrap();
        let found = upstream_plugins(dir.path());
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[1].id, "higress-ai-gateway");
        crate::openclaw::write_plugin(&upstream).unwrap();
        std::fs::remove_file(upstream.join("index.ts")).unwrap();
        assert_eq!(
            upstream_plugins(dir.path()).len(),
            1,
            "ours is not upstream's"
        );
    }
}
