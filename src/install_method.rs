//! Who put the running binary where it is: the installer (its receipt), npm, cargo, or
//! something else, and the command that updates a binary installed each way.

use std::path::{Component, Path, PathBuf};

use crate::env_vars;

const INSTALLER_COMMAND: &str = "curl -LsSf https://github.com/higress-group/higress-claw/releases/latest/download/higress-claw-installer.sh | sh";
const INSTALLER_COMMAND_WINDOWS: &str = "powershell -ExecutionPolicy ByPass -c \"irm https://github.com/higress-group/higress-claw/releases/latest/download/higress-claw-installer.ps1 | iex\"";

/// Who put the running binary where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallMethod {
    /// The installer, per its receipt: `self update` replaces it.
    Installer,
    /// An npm package (`node_modules/…`), globally, in a project, or npx's cache.
    Npm { npx: bool },
    /// `cargo install` or `cargo binstall` (`$CARGO_HOME/bin`).
    Cargo,
    /// Anything else: a checkout's `target/`, a copied binary, a distribution package.
    Unknown,
}

impl InstallMethod {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Installer => "installer",
            Self::Npm { .. } => "npm",
            Self::Cargo => "cargo",
            Self::Unknown => "unknown",
        }
    }

    /// The command that updates a binary installed this way, when it is not ours to do.
    pub fn update_command(&self) -> Option<String> {
        match self {
            Self::Installer => None,
            Self::Npm { npx: true } => Some("npx higress-claw@latest …".into()),
            Self::Npm { npx: false } => Some("npm install -g higress-claw@latest".into()),
            Self::Cargo => {
                Some("cargo install higress-claw (or cargo binstall higress-claw)".into())
            }
            Self::Unknown => Some(if cfg!(windows) {
                INSTALLER_COMMAND_WINDOWS.into()
            } else {
                INSTALLER_COMMAND.into()
            }),
        }
    }
}

/// How a binary at `exe` was installed, when no installer receipt claims it: npm's
/// `node_modules` (npx's cache is a `_npx` folder), or cargo's `bin` folder.
pub fn classify_path(exe: &Path, cargo_home: &Path) -> InstallMethod {
    let names: Vec<&std::ffi::OsStr> = exe
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    if names.iter().any(|n| *n == "node_modules") {
        return InstallMethod::Npm {
            npx: names.iter().any(|n| *n == "_npx"),
        };
    }
    let same = |a: &Path, b: &Path| {
        a == b
            || a.canonicalize()
                .ok()
                .is_some_and(|a| b.canonicalize().is_ok_and(|b| a == b))
    };
    if exe
        .parent()
        .is_some_and(|dir| same(dir, &cargo_home.join("bin")))
    {
        return InstallMethod::Cargo;
    }
    InstallMethod::Unknown
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> PathBuf {
    std::env::var_os(env_vars::CARGO_HOME)
        .filter(|h| !h.is_empty())
        .map_or_else(|| env_vars::home_dir().join(".cargo"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_installs_are_told_to_update_through_npm() {
        let cargo = Path::new("/home/u/.cargo");
        let global = Path::new(
            "/usr/lib/node_modules/higress-claw/node_modules/@higress-claw/linux-x64/bin/higress-claw",
        );
        assert_eq!(
            classify_path(global, cargo),
            InstallMethod::Npm { npx: false }
        );
        let npx = Path::new(
            "/home/u/.npm/_npx/1f2e/node_modules/@higress-claw/linux-x64/bin/higress-claw",
        );
        assert_eq!(classify_path(npx, cargo), InstallMethod::Npm { npx: true });
        assert_eq!(
            InstallMethod::Npm { npx: false }.update_command().unwrap(),
            "npm install -g higress-claw@latest"
        );
    }

    #[test]
    fn cargo_installs_are_told_to_update_through_cargo() {
        let cargo = Path::new("/home/u/.cargo");
        assert_eq!(
            classify_path(Path::new("/home/u/.cargo/bin/higress-claw"), cargo),
            InstallMethod::Cargo
        );
        assert_eq!(
            classify_path(Path::new("/work/target/release/higress-claw"), cargo),
            InstallMethod::Unknown
        );
        assert!(
            InstallMethod::Cargo
                .update_command()
                .unwrap()
                .contains("cargo binstall higress-claw")
        );
    }
}
