//! OpenClaw: the provider plugin we ship, its installation, and a setup that makes
//! OpenClaw use the gateway with no prompt, also over a setup made the upstream way.
//!
//! Everything goes through the `openclaw` CLI when it is on PATH (`plugins install`,
//! `config patch` or `config set --batch-file`, `models set`), so OpenClaw records where
//! the plugin came from and keeps its own config invariants; without it the plugin is
//! copied into the extensions folder and the config patch is printed for later.
//!
//! - `host`: the `openclaw` found, its version and what that release can do;
//! - `plugin`: the embedded plugin files and `openclaw install`;
//! - `legacy`: what the upstream `higress` plugin left behind (its hand copy in
//!   `extensions/`, its placeholder credential) and moving it out of the way;
//! - `config`: reading `openclaw.json` and editing JSON by path;
//! - `setup`: the pure plan of what `openclaw setup` changes and why;
//! - `apply`: writing that plan through the CLI of this release.

mod apply;
mod config;
mod host;
mod legacy;
mod plugin;
mod setup;

use std::path::PathBuf;

use thiserror::Error;

use crate::env_vars;

pub use apply::apply_setup;
pub use config::{ConfigFile, read_config};
pub use host::{Host, NEWEST_TESTED, OLDEST_TESTED, Version, find_openclaw, run};
pub use legacy::{
    Backup, CredentialCleanup, LegacyPlugin, Removed, remove_placeholder_credentials,
};
pub use plugin::{
    InstallAction, InstallMethod, Installed, PLUGIN_FILES, embedded_package_json, install,
    plugin_version, write_plugin,
};
pub use setup::{Change, SetupInput, SetupPlan, model_ref, plan_setup, shown_patch};

pub const PLUGIN_ID: &str = "higress";
/// The npm package of the plugin (`openclaw plugins install @higress-claw/higress-plugin`).
pub const PLUGIN_PACKAGE: &str = "@higress-claw/higress-plugin";

#[derive(Debug, Error)]
pub enum OpenClawError {
    #[error("cannot write the plugin to {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot move {path} out of the way")]
    Move {
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
    #[error("OpenClaw's config does not validate after the setup: {issues}")]
    Invalid { issues: String },
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

/// Where a copy-installed plugin lives: `<state>/extensions/higress`.
pub fn extension_dir() -> PathBuf {
    state_dir().join("extensions").join(PLUGIN_ID)
}

/// The JSON document in what OpenClaw printed: it may put log lines before and after it
/// (`[plugins] …`), so each `{` that starts a line is tried, then any other.
pub fn json_part(output: &str) -> Option<serde_json::Value> {
    let at_line_start = |i: usize| {
        output[..i]
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty())
    };
    let (first, rest): (Vec<usize>, Vec<usize>) = output
        .match_indices('{')
        .map(|(i, _)| i)
        .partition(|&i| at_line_start(i));
    first.into_iter().chain(rest).find_map(|start| {
        serde_json::Deserializer::from_str(&output[start..])
            .into_iter::<serde_json::Value>()
            .next()?
            .ok()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_json_among_log_lines() {
        let out = "[plugins] higress (x): {not json\n{\"valid\": true}\n[log] after {\n";
        assert_eq!(
            super::json_part(out),
            Some(serde_json::json!({"valid": true}))
        );
        assert_eq!(super::json_part("no json"), None);
    }
}
