//! Every environment variable higress-claw reads, in one place.
//!
//! No generic names (`CONTAINER_NAME`, `DATA_FOLDER`): a variable set for another tool
//! must never steer this one.

/// The data folder of a new deployment (default `~/.higress-claw/data`).
pub const DATA_DIR: &str = "HIGRESS_CLAW_DATA_DIR";
/// `container` edits the data folder through the Docker API, `host` on this host;
/// unset or `auto` picks `container` for Docker Desktop, remote engines and folders this
/// host cannot write.
pub const WRITE_THROUGH: &str = "HIGRESS_CLAW_WRITE_THROUGH";
/// Prefix of the per-provider key variables: `HIGRESS_CLAW_<PROVIDER>_KEY`.
pub const KEY_PREFIX: &str = "HIGRESS_CLAW_";
/// The key OpenClaw sends to the gateway (`openclaw setup --api-key`).
pub const GATEWAY_KEY: &str = "HIGRESS_CLAW_GATEWAY_KEY";
/// Overrides the detected timezone for the region choice (else `TZ`, `/etc/timezone`,
/// the `/etc/localtime` link).
pub const TZ: &str = "TZ";
/// Turns colours off (https://no-color.org).
pub const NO_COLOR: &str = "NO_COLOR";
/// Seconds one Docker API request may go unanswered before the command gives up
/// [default: 60]; the first `/_ping` gets at most 5.
pub const DOCKER_TIMEOUT: &str = "HIGRESS_CLAW_DOCKER_TIMEOUT";
/// The Docker endpoint, as the docker CLI reads it.
pub const DOCKER_HOST: &str = "DOCKER_HOST";
/// Where the docker CLI keeps its config (contexts) [default: ~/.docker].
pub const DOCKER_CONFIG: &str = "DOCKER_CONFIG";
/// The docker CLI context to use, over the config's `currentContext`.
pub const DOCKER_CONTEXT: &str = "DOCKER_CONTEXT";
/// The locale, for the wizard's provider names (智谱 or z.ai): the first one set wins.
pub const LOCALE: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];
/// Where `openclaw` is looked for.
pub const PATH: &str = "PATH";
/// Rootless Docker puts its socket under this folder.
pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
/// The user's home: the default data folder, OpenClaw's state and our lock files live
/// under it.
pub const HOME: &str = "HOME";
/// OpenClaw's state folder (plugins live in its `extensions/`).
pub const OPENCLAW_STATE_DIR: &str = "OPENCLAW_STATE_DIR";
/// Replaces `$HOME` for OpenClaw's paths.
pub const OPENCLAW_HOME: &str = "OPENCLAW_HOME";
/// OpenClaw's config file [default: `$OPENCLAW_STATE_DIR/openclaw.json`].
pub const OPENCLAW_CONFIG_PATH: &str = "OPENCLAW_CONFIG_PATH";
/// The user's model facts (`higress-claw models set`) [default: ~/.higress-claw/models.json].
pub const MODELS_FILE: &str = "HIGRESS_CLAW_MODELS_FILE";
/// Where cargo installs binaries (`$CARGO_HOME/bin`) [default: ~/.cargo]: `self update`
/// tells a binary there to update through cargo.
pub const CARGO_HOME: &str = "CARGO_HOME";
/// The installer's install folder [default: ~/.local/bin]; read by the installer scripts,
/// and set by `self update` to the folder the receipt names.
pub const INSTALL_DIR: &str = "HIGRESS_CLAW_INSTALL_DIR";
/// A mirror of the GitHub release downloads for the installer and `self update`
/// (`https://mirror.example` serves `/higress-group/higress-claw/releases/download/…`;
/// `self update` asks `api.<host>` for the release list).
pub const INSTALLER_GITHUB_BASE_URL: &str = "HIGRESS_CLAW_INSTALLER_GITHUB_BASE_URL";
/// A GitHub Enterprise host for the installer and `self update` (API under `/api/v3`).
pub const INSTALLER_GHE_BASE_URL: &str = "HIGRESS_CLAW_INSTALLER_GHE_BASE_URL";

/// `$HOME`, or the current folder when it is unset (a bare container, a cron job).
pub fn home_dir() -> std::path::PathBuf {
    std::env::var_os(HOME)
        .filter(|h| !h.is_empty())
        .map(std::path::PathBuf::from)
        // Windows sets USERPROFILE, not HOME; the standard library knows where to look.
        .or_else(std::env::home_dir)
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

/// Our own folder in the home: the default data folder, lock files of edits through a
/// container, the staged OpenClaw plugin.
pub fn state_dir() -> std::path::PathBuf {
    home_dir().join(".higress-claw")
}

/// `HIGRESS_CLAW_ZHIPUAI_KEY` for provider flag stem `zhipuai`, `HIGRESS_CLAW_CLAUDE_CODE_KEY`
/// for `claude-code`.
pub fn provider_key_var(flag_stem: &str) -> String {
    format!(
        "{KEY_PREFIX}{}_KEY",
        flag_stem.to_ascii_uppercase().replace('-', "_")
    )
}
