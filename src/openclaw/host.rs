//! The `openclaw` on PATH: running it, and what its release can do.
//!
//! Releases are dated (`2026.9.6`) and features arrive in one release and stay, so one
//! `openclaw --version` (fast: it loads no plugin) tells which commands and config keys
//! exist. A version that cannot be read is taken as the newest.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::OpenClawError;
use crate::env_vars;

/// An OpenClaw release, `year.month.day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// `OpenClaw 2026.9.6 (eb377ac)` → 2026.9.6.
    pub fn parse(text: &str) -> Option<Self> {
        let word = text
            .split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
        let core = word.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        Some(Self(parts.next()??, parts.next()??, parts.next()??))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The oldest release the tests run (`tests/openclaw/package.json`), and the plugin
/// package's `openclaw.install.minHostVersion`.
pub const OLDEST_TESTED: Version = Version(2026, 3, 24);
/// The newest release the tests run.
pub const NEWEST_TESTED: Version = Version(2026, 9, 6);

/// `config patch` (with `--replace-path`): 2026.4.29.
const CONFIG_PATCH: Version = Version(2026, 4, 29);
/// `plugins install --force`: 2026.4.5.
const INSTALL_FORCE: Version = Version(2026, 4, 5);
/// `plugins install --accept-capabilities`, `agents.defaults.modelPolicy`, the SQLite
/// credential store that refuses a legacy `auth-profiles.json`: 2026.8.1.
const CAPABILITIES_AND_POLICY: Version = Version(2026, 8, 1);

/// The `openclaw` found on PATH and its release.
#[derive(Debug, Clone)]
pub struct Host {
    pub bin: PathBuf,
    pub version: Option<Version>,
}

impl Host {
    /// `openclaw` on PATH, with its version; `None` when there is none.
    pub fn find() -> Option<Self> {
        find_openclaw().map(Self::at)
    }

    pub fn at(bin: PathBuf) -> Self {
        let version = run(&bin, &["--version"], None)
            .ok()
            .and_then(|out| Version::parse(&out));
        Self { bin, version }
    }

    fn since(&self, release: Version) -> bool {
        self.version.is_none_or(|v| v >= release)
    }

    /// `openclaw config patch --stdin --replace-path P`; else `config set --batch-file`.
    pub fn has_config_patch(&self) -> bool {
        self.since(CONFIG_PATCH)
    }

    /// The flags `plugins install` of this release takes to install non-interactively
    /// over an existing copy.
    pub fn install_flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.since(INSTALL_FORCE) {
            flags.push("--force");
        }
        if self.since(CAPABILITIES_AND_POLICY) {
            flags.push("--accept-capabilities");
        }
        flags
    }

    /// `agents.defaults.modelPolicy.allow` restricts model choice (the older releases
    /// restrict with the keys of `agents.defaults.models`).
    pub fn has_model_policy(&self) -> bool {
        self.since(CAPABILITIES_AND_POLICY)
    }

    /// Credentials live in SQLite, and a leftover `auth-profiles.json` blocks model
    /// commands until `openclaw doctor --fix` imports it.
    pub fn has_sqlite_credentials(&self) -> bool {
        self.since(CAPABILITIES_AND_POLICY)
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Result<String, OpenClawError> {
        run(&self.bin, args, stdin)
    }

    pub fn describe(&self) -> String {
        match self.version {
            Some(v) => format!("OpenClaw {v}"),
            None => "OpenClaw".into(),
        }
    }
}

/// The names `openclaw` has in a PATH folder. npm's Windows shims are `openclaw.cmd`
/// (and a `.ps1`, and an extensionless sh script that Windows cannot start).
#[cfg(windows)]
const NAMES: &[&str] = &["openclaw.exe", "openclaw.cmd", "openclaw.bat"];
#[cfg(not(windows))]
const NAMES: &[&str] = &["openclaw"];

/// `openclaw` on PATH.
pub fn find_openclaw() -> Option<PathBuf> {
    find_in(&std::env::var_os(env_vars::PATH)?)
}

/// The first folder of `path` with `openclaw` in it, under any of its [`NAMES`].
fn find_in(path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path).find_map(|dir| {
        NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Runs `openclaw ARGS` with `stdin` (or nothing) as input; its stdout on success, else
/// the last lines of what it said.
pub fn run(openclaw: &Path, args: &[&str], stdin: Option<&str>) -> Result<String, OpenClawError> {
    let command = format!("openclaw {}", args.join(" "));
    let spawn_err = |source| OpenClawError::Spawn {
        command: command.clone(),
        source,
    };
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
        .map_err(spawn_err)?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let _ = pipe.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().map_err(spawn_err)?;
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
            stderr: last_lines(&detail, 6),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.trim().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openclaw_is_found_under_its_platform_name() {
        let empty = tempfile::tempdir().unwrap();
        let with = tempfile::tempdir().unwrap();
        // What npm's global install leaves on this platform.
        let name = if cfg!(windows) {
            "openclaw.cmd"
        } else {
            "openclaw"
        };
        std::fs::write(with.path().join(name), "").unwrap();
        std::fs::write(with.path().join("openclaw.ps1"), "").unwrap();
        let path = std::env::join_paths([empty.path(), with.path()]).unwrap();
        assert_eq!(find_in(&path), Some(with.path().join(name)));
        assert_eq!(find_in(empty.path().as_os_str()), None);
    }

    #[test]
    fn versions_and_what_they_can_do() {
        assert_eq!(
            Version::parse("OpenClaw 2026.9.6 (eb377ac)"),
            Some(Version(2026, 9, 6))
        );
        assert_eq!(Version::parse("2026.9.1-beta.1"), Some(Version(2026, 9, 1)));
        assert_eq!(Version::parse("OpenClaw"), None);
        let old = Host {
            bin: "openclaw".into(),
            version: Some(Version(2026, 3, 24)),
        };
        assert!(!old.has_config_patch() && !old.has_model_policy());
        assert!(old.install_flags().is_empty());
        let new = Host {
            version: Some(Version(2026, 9, 6)),
            ..old.clone()
        };
        assert!(new.has_config_patch() && new.has_model_policy());
        assert_eq!(new.install_flags(), ["--force", "--accept-capabilities"]);
        let unknown = Host {
            version: None,
            ..old
        };
        assert!(
            unknown.has_model_policy(),
            "an unreadable version is the newest"
        );
    }
}
