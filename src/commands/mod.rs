//! One small function per command. Each parses nothing (clap did), calls the domain
//! modules, and reports through the [`Printer`]. The exit-code contract: 0 success,
//! 1 failure, 2 usage error.

mod completions;
mod config;
mod configure;
mod delete;
mod doctor;
mod export;
mod init;
mod logs;
mod models;
mod openclaw;
mod report;
mod route;
mod self_update;
mod start;
mod status;
mod stop;
mod tidy;
mod upgrade;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::docker::Engine;
use crate::env_vars;
use crate::gateway::DataFolder;
use crate::printer::{Printer, Verbosity};

/// Bad input that clap could not catch: exits with 2 like a clap usage error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

pub fn run(cli: Cli) -> ExitCode {
    let verbosity = if cli.global.quiet {
        Verbosity::Quiet
    } else if cli.global.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let printer = Printer::new(cli.global.json, verbosity);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a single-threaded runtime starts");
    match runtime.block_on(dispatch(cli.command, &cli.global, printer)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            printer.error(&err);
            let code = if err.downcast_ref::<UsageError>().is_some() {
                2
            } else {
                1
            };
            printer.json_error(&err, code);
            ExitCode::from(code)
        }
    }
}

async fn dispatch(command: Command, global: &GlobalArgs, printer: Printer) -> anyhow::Result<()> {
    match command {
        Command::Init(args) => init::run(args, global, printer),
        Command::Start(args) => start::run(args, global, printer).await,
        Command::Stop => stop::run(global, printer).await,
        Command::Delete(args) => delete::run(args, global, printer).await,
        Command::Status => status::run(global, printer).await,
        Command::Doctor => doctor::run(global, printer).await,
        Command::Tidy => tidy::run(global, printer).await,
        Command::Export(args) => export::run(args, global, printer).await,
        Command::OpenClaw(command) => openclaw::run(command, global, printer).await,
        Command::Upgrade(args) => upgrade::run(args, global, printer).await,
        Command::Logs(args) => logs::run(args, global, printer).await,
        Command::Config(command) => config::run(command, global, printer).await,
        Command::Route(command) => route::run(command, global, printer).await,
        Command::Models(args) => models::run(args, global, printer).await,
        Command::Completions { shell } => completions::run(shell, printer),
        Command::SelfManage(command) => self_update::run(command, printer).await,
    }
}

/// The folder of a new deployment: `$HIGRESS_CLAW_DATA_DIR`, else `~/.higress-claw/data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(env_vars::DATA_DIR).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    env_vars::state_dir().join("data")
}

/// `--data-dir` if given, else the container's `/data` mount, else the default.
pub async fn resolve_data_dir(global: &GlobalArgs, engine: Option<&Engine>) -> PathBuf {
    if let Some(dir) = &global.data_dir {
        return absolute(dir);
    }
    if let Some(engine) = engine
        && let Ok(Some(container)) = engine.find(&global.container_name).await
        && let Some(dir) = container.data_dir
    {
        return dir;
    }
    absolute(&default_data_dir())
}

/// The flags that point another command at this same gateway (`--container-name`,
/// `--data-dir` when they were given), with a leading space, so that a hint the user
/// copies acts on the gateway they were working with and not on the default one.
pub fn target_flags(global: &GlobalArgs) -> String {
    let mut flags = String::new();
    if global.container_name != crate::gateway::DEFAULT_CONTAINER_NAME {
        flags.push_str(&format!(
            " --container-name {}",
            shell_word(&global.container_name)
        ));
    }
    if let Some(dir) = &global.data_dir {
        flags.push_str(&format!(
            " --data-dir {}",
            shell_word(&absolute(dir).display().to_string())
        ));
    }
    flags
}

/// At most three names, then `…`: enough to recognise a folder's contents.
pub fn listing(names: &[String]) -> String {
    let mut text = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 3 {
        text.push_str(", …");
    }
    text
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

pub fn open_folder(dir: &Path) -> DataFolder {
    DataFolder::new(dir)
}

/// Starts a locked edit, telling the user when another process holds the lock.
pub fn begin_edit<'a>(
    folder: &'a DataFolder,
    printer: &Printer,
) -> anyhow::Result<crate::gateway::Transaction<'a>> {
    Ok(folder.begin(|path| {
        printer.status(format!(
            "Waiting for the lock on {} (another higress-claw is editing)",
            path.display()
        ))
    })?)
}

/// The folder at `dir`, which must be a configured gateway folder.
pub fn configured_folder(dir: &Path) -> anyhow::Result<DataFolder> {
    if dir.is_file() {
        return Err(crate::gateway::store::StoreError::NotAFolder {
            path: dir.to_path_buf(),
        }
        .into());
    }
    let folder = DataFolder::new(dir);
    if !folder.is_configured() && !folder.store().exists(crate::gateway::paths::AI_PROXY) {
        return Err(usage(format!(
            "{} is not a configured gateway folder; create one with `higress-claw init` or `higress-claw start`, or point at yours with --data-dir",
            dir.display()
        )));
    }
    Ok(folder)
}
