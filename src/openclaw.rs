//! OpenClaw: the provider plugin we ship (embedded in the binary), its installation, and
//! a setup that makes OpenClaw use the gateway with no prompt.
//!
//! Everything goes through the `openclaw` CLI when it is on PATH (`plugins install`,
//! `config patch`, `models set`), so OpenClaw records where the plugin came from and
//! keeps its own config invariants; without it the plugin is copied into the extensions
//! folder and the config patch is printed for later.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use thiserror::Error;

use crate::env_vars;
use crate::gateway::models::ClientModel;
use crate::gateway::store::write_atomic;
use crate::secret::Secret;

pub const PLUGIN_ID: &str = "higress";

/// The plugin's files, relative to its root.
pub const PLUGIN_FILES: &[(&str, &str)] = &[
    (
        "openclaw.plugin.json",
        include_str!("../plugin/openclaw.plugin.json"),
    ),
    ("package.json", include_str!("../plugin/package.json")),
    ("index.js", include_str!("../plugin/index.js")),
    (
        "skills/higress-gateway/SKILL.md",
        include_str!("../plugin/skills/higress-gateway/SKILL.md"),
    ),
    (
        "skills/higress-openclaw-integration/SKILL.md",
        include_str!("../plugin/skills/higress-openclaw-integration/SKILL.md"),
    ),
];

#[derive(Debug, Error)]
pub enum OpenClawError {
    #[error("cannot write the plugin to {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot run {command}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` failed (exit {code}): {stderr}")]
    Failed {
        command: String,
        code: i32,
        stderr: String,
    },
}

pub fn plugin_version() -> String {
    let manifest: Value =
        serde_json::from_str(PLUGIN_FILES[0].1).expect("the embedded manifest is JSON");
    manifest["version"].as_str().unwrap_or("0").to_string()
}

/// `openclaw` on PATH.
pub fn find_openclaw() -> Option<PathBuf> {
    let path = std::env::var_os(env_vars::PATH)?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("openclaw"))
        .find(|candidate| candidate.is_file())
}

/// OpenClaw's state folder: `$OPENCLAW_STATE_DIR`, else `$OPENCLAW_HOME/.openclaw`, else
/// `~/.openclaw`.
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(env_vars::OPENCLAW_STATE_DIR).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    std::env::var_os(env_vars::OPENCLAW_HOME)
        .filter(|d| !d.is_empty())
        .map_or_else(env_vars::home_dir, PathBuf::from)
        .join(".openclaw")
}

pub fn extension_dir() -> PathBuf {
    state_dir().join("extensions").join(PLUGIN_ID)
}

/// Writes the plugin into `dir`: files 0644, folders 0755 (OpenClaw refuses
/// world-writable plugin files).
pub fn write_plugin(dir: &Path) -> Result<(), OpenClawError> {
    for (relative, contents) in PLUGIN_FILES {
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
    PLUGIN_FILES.iter().all(|(relative, contents)| {
        std::fs::read(dir.join(relative)).is_ok_and(|b| b == contents.as_bytes())
    })
}

fn installed_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("openclaw.plugin.json")).ok()?;
    let manifest: Value = serde_json::from_str(&text).ok()?;
    manifest["version"].as_str().map(String::from)
}

/// Runs `openclaw ARGS` with `stdin` (or nothing) as input; its stdout on success.
pub fn run(openclaw: &Path, args: &[&str], stdin: Option<&str>) -> Result<String, OpenClawError> {
    let command = format!("openclaw {}", args.join(" "));
    let mut child = Command::new(openclaw)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| OpenClawError::Spawn {
            command: command.clone(),
            source,
        })?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let _ = pipe.write_all(input.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|source| OpenClawError::Spawn {
            command: command.clone(),
            source,
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let detail = if stderr.trim().is_empty() {
            stdout
        } else {
            stderr
        };
        return Err(OpenClawError::Failed {
            command,
            code: out.status.code().unwrap_or(-1),
            stderr: detail
                .trim()
                .lines()
                .rev()
                .take(6)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// How the plugin got into place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallMethod {
    /// `openclaw plugins install`, so OpenClaw records where it came from.
    OpenClawCli,
    /// A copy into the extensions folder (openclaw is not on PATH).
    Copy,
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
}

/// Installs (or upgrades) the plugin; does nothing when the installed copy is current.
pub fn install(openclaw: Option<&Path>, source_dir: &Path) -> Result<Installed, OpenClawError> {
    let target = extension_dir();
    let previous = installed_version(&target);
    let current = is_current(&target);
    let changed = if previous.is_some() {
        InstallAction::Upgraded
    } else {
        InstallAction::Installed
    };
    let (method, action) = match openclaw {
        Some(bin) => {
            // Current and known to OpenClaw (it has an install record): nothing to do.
            // A current hand copy is installed again so that OpenClaw records it.
            let recorded = current
                && run(bin, &["plugins", "inspect", PLUGIN_ID, "--json"], None)
                    .ok()
                    .and_then(|out| serde_json::from_str::<Value>(&json_part(&out)).ok())
                    .is_some_and(|v| !v["install"].is_null());
            if recorded {
                (InstallMethod::OpenClawCli, InstallAction::Unchanged)
            } else {
                write_plugin(source_dir)?;
                let help = run(bin, &["plugins", "install", "--help"], None).unwrap_or_default();
                let source = source_dir.to_string_lossy().into_owned();
                let mut args = vec!["plugins", "install", source.as_str()];
                // `--force` (overwrite, non-ClawHub source) and capability consent came
                // with OpenClaw 2026.8.1; older releases know neither flag.
                for flag in ["--force", "--accept-capabilities"] {
                    if help.contains(flag) {
                        args.push(flag);
                    }
                }
                if !help.contains("--force") && previous.is_some() {
                    // No way to reinstall over the recorded copy: update it in place.
                    write_plugin(&target)?;
                } else {
                    run(bin, &args, None)?;
                }
                (
                    InstallMethod::OpenClawCli,
                    if current {
                        InstallAction::Installed
                    } else {
                        changed
                    },
                )
            }
        }
        None if current => (InstallMethod::Copy, InstallAction::Unchanged),
        None => {
            write_plugin(&target)?;
            (InstallMethod::Copy, changed)
        }
    };
    Ok(Installed {
        method,
        action,
        version: plugin_version(),
        previous_version: previous,
        path: target.display().to_string(),
    })
}

/// OpenClaw prints log lines around its JSON; keep from the first `{` on.
pub fn json_part(output: &str) -> String {
    output
        .find('{')
        .map_or_else(String::new, |i| output[i..].to_string())
}

/// OpenClaw's model entry for one gateway model.
fn model_entry(m: &ClientModel) -> Value {
    json!({
        "id": m.id,
        "name": m.name,
        "reasoning": m.reasoning,
        "input": m.input,
        "contextWindow": m.context_window,
        "maxTokens": m.max_tokens,
        "cost": { "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 },
    })
}

/// The config patch that adds provider `higress` with `models`. Concrete models have
/// bare ids (OpenClaw prefixes them for display and sends the bare id upstream, which is
/// what the gateway's routes match); the auto-router's id is `higress/auto`.
pub fn setup_patch(base_url: &str, api_key: Option<&Secret>, models: &[ClientModel]) -> Value {
    let mut provider = json!({
        "baseUrl": base_url,
        "api": "openai-completions",
        "models": models.iter().map(model_entry).collect::<Vec<_>>(),
    });
    if let Some(key) = api_key {
        provider["apiKey"] = key.expose().into();
    }
    json!({ "models": { "mode": "merge", "providers": { PLUGIN_ID: provider } } })
}

/// The patch as it may be shown: the gateway key masked.
pub fn shown_patch(patch: &Value) -> Value {
    let mut shown = patch.clone();
    if let Some(key) = shown["models"]["providers"][PLUGIN_ID]
        .get_mut("apiKey")
        .filter(|k| k.is_string())
    {
        *key = crate::secret::mask(key.as_str().unwrap_or_default()).into();
    }
    shown
}

/// `higress/<id>` as OpenClaw names a model of provider `higress` (the auto-router's id
/// already carries the prefix).
pub fn model_ref(id: &str) -> String {
    if id.starts_with("higress/") {
        id.to_string()
    } else {
        format!("{PLUGIN_ID}/{id}")
    }
}

/// Applies the patch, sets the default model through the CLI (so OpenClaw records it
/// its own way), and checks the result validates.
pub fn apply_setup(
    openclaw: &Path,
    patch: &Value,
    default_model: &str,
) -> Result<(), OpenClawError> {
    let config_help = run(openclaw, &["config", "--help"], None).unwrap_or_default();
    if config_help.contains("patch") {
        run(
            openclaw,
            &["config", "patch", "--stdin"],
            Some(&patch.to_string()),
        )?;
    } else {
        // Before `config patch` (OpenClaw 2026.3.x): set the provider object whole. That
        // CLI takes the value only as an argument; an error never repeats the key.
        let provider = patch["models"]["providers"][PLUGIN_ID].to_string();
        let path = format!("models.providers.{PLUGIN_ID}");
        run(
            openclaw,
            &["config", "set", &path, &provider, "--strict-json"],
            None,
        )
        .map_err(|err| match err {
            OpenClawError::Failed { code, stderr, .. } => OpenClawError::Failed {
                command: format!(
                    "openclaw config set {path} {} --strict-json",
                    shown_patch(patch)["models"]["providers"][PLUGIN_ID]
                ),
                code,
                stderr,
            },
            other => other,
        })?;
    }
    run(
        openclaw,
        &["models", "set", &model_ref(default_model)],
        None,
    )?;
    let out = run(openclaw, &["config", "validate", "--json"], None)?;
    let report: Value = serde_json::from_str(&json_part(&out)).unwrap_or(Value::Null);
    if report["valid"] != true {
        return Err(OpenClawError::Failed {
            command: "openclaw config validate --json".into(),
            code: 0,
            stderr: out.trim().to_string(),
        });
    }
    Ok(())
}
