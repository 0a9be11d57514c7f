//! The provider plugin embedded in the binary (`plugin/`), and `openclaw install`.
//!
//! `plugin/` is also the npm package `@higress-claw/higress-plugin`, whose dependency on
//! the `higress-claw` npm package brings the binary. The embedded copy drops that
//! dependency: it is installed by this very binary, and a local install must not reach
//! for the registry. A plugin OpenClaw installed from npm is left to `openclaw plugins
//! update`; a hand copy beside it (ours or the upstream one) would be a duplicate id and
//! is moved to the backup.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::legacy::{self, Backup, Removed};
use super::{
    Host, OpenClawError, PLUGIN_ID, apply, extension_dir, json_part, read_config, setup, state_dir,
};
use crate::gateway::store::write_atomic;

/// The plugin's files, relative to its root, but `package.json` (see
/// [`embedded_package_json`]).
pub const PLUGIN_FILES: &[(&str, &str)] = &[
    (
        "openclaw.plugin.json",
        include_str!("../../plugin/openclaw.plugin.json"),
    ),
    ("index.js", include_str!("../../plugin/index.js")),
    (
        "skills/higress-gateway/SKILL.md",
        include_str!("../../plugin/skills/higress-gateway/SKILL.md"),
    ),
    (
        "skills/higress-openclaw-integration/SKILL.md",
        include_str!("../../plugin/skills/higress-openclaw-integration/SKILL.md"),
    ),
];

const PACKAGE_JSON: &str = include_str!("../../plugin/package.json");

/// The npm package's `package.json` without its dependencies.
pub fn embedded_package_json() -> String {
    let mut package: Value =
        serde_json::from_str(PACKAGE_JSON).expect("plugin/package.json is JSON");
    if let Some(map) = package.as_object_mut() {
        map.shift_remove("dependencies");
    }
    let mut text = serde_json::to_string_pretty(&package).expect("JSON serializes");
    text.push('\n');
    text
}

fn files() -> Vec<(&'static str, String)> {
    let mut files: Vec<(&'static str, String)> = PLUGIN_FILES
        .iter()
        .map(|(path, text)| (*path, (*text).to_string()))
        .collect();
    files.insert(1, ("package.json", embedded_package_json()));
    files
}

pub fn plugin_version() -> String {
    let manifest: Value =
        serde_json::from_str(PLUGIN_FILES[0].1).expect("the embedded manifest is JSON");
    manifest["version"].as_str().unwrap_or("0").to_string()
}

/// Writes the plugin into `dir`: files 0644, folders 0755 (OpenClaw refuses
/// world-writable plugin files).
pub fn write_plugin(dir: &Path) -> Result<(), OpenClawError> {
    for (relative, contents) in files() {
        let path = dir.join(relative);
        let wrap = |source| OpenClawError::Write {
            path: path.clone(),
            source,
        };
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(wrap)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut folder = parent.to_path_buf();
            while folder.starts_with(dir) {
                let _ = std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755));
                if !folder.pop() {
                    break;
                }
            }
        }
        write_atomic(&path, contents.as_bytes(), 0o644).map_err(wrap)?;
    }
    Ok(())
}

/// The plugin in `dir` is byte-for-byte ours.
pub fn is_current(dir: &Path) -> bool {
    files().iter().all(|(relative, contents)| {
        std::fs::read(dir.join(relative)).is_ok_and(|b| b == contents.as_bytes())
    })
}

fn installed_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("openclaw.plugin.json")).ok()?;
    let manifest: Value = serde_json::from_str(&text).ok()?;
    manifest["version"].as_str().map(String::from)
}

/// How the plugin got into place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallMethod {
    /// `openclaw plugins install`, so OpenClaw records where it came from.
    OpenClawCli,
    /// A copy into the extensions folder (openclaw is not on PATH).
    Copy,
    /// OpenClaw installed the npm package; `openclaw plugins update` upgrades it.
    Npm,
}

/// What installing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallAction {
    Installed,
    Upgraded,
    Unchanged,
}

#[derive(Debug)]
pub struct Installed {
    pub method: InstallMethod,
    pub action: InstallAction,
    pub version: String,
    pub previous_version: Option<String>,
    pub path: String,
    /// Plugin copies moved out of the way (the upstream plugin's, or a duplicate).
    pub removed: Vec<Removed>,
}

/// OpenClaw's install record of the plugin: (`source`, install path, version).
fn install_record(host: &Host) -> Option<(String, PathBuf, Option<String>)> {
    let out = host
        .run(&["plugins", "inspect", PLUGIN_ID, "--json"], None)
        .ok()?;
    let report = json_part(&out)?;
    let record = report.get("install").filter(|r| r.is_object())?;
    Some((
        record["source"].as_str().unwrap_or("").to_string(),
        PathBuf::from(record["installPath"].as_str()?),
        record["version"].as_str().map(String::from),
    ))
}

/// Installs (or upgrades) the plugin; does nothing when the installed copy is current.
/// A copy of the upstream plugin goes to `backup` (and its old id's settings to ours).
pub fn install(
    host: Option<&Host>,
    source_dir: &Path,
    backup: &Backup,
) -> Result<Installed, OpenClawError> {
    let target = extension_dir();
    let upstream = legacy::upstream_plugins(&state_dir());
    let Some(host) = host else {
        let removed = legacy::back_up_upstream_plugins(&upstream, backup, false)?;
        return copy_install(&target, removed);
    };
    // Asked first, while every configured plugin is still where OpenClaw knows it.
    let record = install_record(host);
    let (old_ids, same_id): (Vec<_>, Vec<_>) =
        upstream.into_iter().partition(|p| p.id != PLUGIN_ID);
    let mut removed = fold_old_ids(host, &old_ids, backup)?;
    if let Some((_, path, version)) = record.as_ref().filter(|(s, ..)| s == "npm") {
        return npm_installed(&target, path, version.clone(), removed, backup);
    }
    let flags = host.install_flags();
    // `--force` replaces the upstream copy in place; without it, it must go first.
    removed.extend(legacy::back_up_upstream_plugins(
        &same_id,
        backup,
        flags.contains(&"--force"),
    )?);
    let previous = installed_version(&target);
    let current = is_current(&target);
    // Current and known to OpenClaw (it has an install record): nothing to do. A
    // current hand copy is installed again so that OpenClaw records it.
    if current && record.is_some() {
        return Ok(installed(
            InstallMethod::OpenClawCli,
            InstallAction::Unchanged,
            previous,
            &target,
            removed,
        ));
    }
    write_plugin(source_dir)?;
    if !flags.contains(&"--force") && previous.is_some() {
        // No way to reinstall over the recorded copy: update it in place.
        write_plugin(&target)?;
    } else {
        let source = source_dir.to_string_lossy().into_owned();
        let mut args = vec!["plugins", "install", source.as_str()];
        args.extend(flags);
        host.run(&args, None)?;
    }
    let action = match (current, &previous) {
        (true, _) | (false, None) => InstallAction::Installed,
        (false, Some(_)) => InstallAction::Upgraded,
    };
    Ok(installed(
        InstallMethod::OpenClawCli,
        action,
        previous,
        &target,
        removed,
    ))
}

/// Copies of the upstream plugin under its old id: their settings move to ours before
/// their folders go (OpenClaw holds back the settings of a plugin it cannot find).
fn fold_old_ids(
    host: &Host,
    old_ids: &[legacy::LegacyPlugin],
    backup: &Backup,
) -> Result<Vec<Removed>, OpenClawError> {
    if old_ids.is_empty() {
        return Ok(Vec::new());
    }
    let edits = setup::old_plugin_id_edits(&read_config().value, &mut Vec::new());
    if !edits.is_empty() {
        apply::write(host, &edits)?;
    }
    legacy::back_up_upstream_plugins(old_ids, backup, false)
}

/// OpenClaw installed the plugin from npm: left as it is, but a hand copy beside it.
fn npm_installed(
    target: &Path,
    path: &Path,
    version: Option<String>,
    mut removed: Vec<Removed>,
    backup: &Backup,
) -> Result<Installed, OpenClawError> {
    if target.exists() && !path.starts_with(target) {
        removed.push(Removed {
            what: "a copy of the plugin beside the one OpenClaw installed from npm".into(),
            backup: backup.keep(target, "extensions-higress")?,
            path: target.to_path_buf(),
        });
    }
    Ok(Installed {
        method: InstallMethod::Npm,
        action: InstallAction::Unchanged,
        version: version.clone().unwrap_or_else(plugin_version),
        previous_version: version,
        path: path.display().to_string(),
        removed,
    })
}

fn copy_install(target: &Path, removed: Vec<Removed>) -> Result<Installed, OpenClawError> {
    let previous = installed_version(target);
    if is_current(target) {
        return Ok(installed(
            InstallMethod::Copy,
            InstallAction::Unchanged,
            previous,
            target,
            removed,
        ));
    }
    write_plugin(target)?;
    let action = if previous.is_some() {
        InstallAction::Upgraded
    } else {
        InstallAction::Installed
    };
    Ok(installed(
        InstallMethod::Copy,
        action,
        previous,
        target,
        removed,
    ))
}

fn installed(
    method: InstallMethod,
    action: InstallAction,
    previous_version: Option<String>,
    target: &Path,
    removed: Vec<Removed>,
) -> Installed {
    Installed {
        method,
        action,
        version: plugin_version(),
        previous_version,
        path: target.display().to_string(),
        removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_and_the_manifest_agree() {
        let package: Value = serde_json::from_str(PACKAGE_JSON).unwrap();
        assert_eq!(package["version"], plugin_version(), "one version for both");
        assert_eq!(package["name"], super::super::PLUGIN_PACKAGE);
        assert_eq!(
            package["dependencies"]["higress-claw"],
            env!("CARGO_PKG_VERSION"),
            "the plugin package brings this release of the binary"
        );
        let min = package["openclaw"]["install"]["minHostVersion"]
            .as_str()
            .unwrap();
        assert_eq!(min, format!(">={}", super::super::host::OLDEST_TESTED));
        let manifest: Value = serde_json::from_str(PLUGIN_FILES[0].1).unwrap();
        assert_eq!(
            package["openclaw"]["providers"], manifest["providers"],
            "the package names the provider its manifest owns"
        );
        assert_eq!(
            package["openclaw"]["compat"]["pluginApi"], min,
            "no newer plugin API than the oldest host tested"
        );
        let embedded: Value = serde_json::from_str(&embedded_package_json()).unwrap();
        assert!(
            embedded.get("dependencies").is_none(),
            "a local install fetches nothing"
        );
        assert_eq!(embedded["openclaw"], package["openclaw"]);
    }
}
