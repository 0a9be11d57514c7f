//! One small function per command: take what clap parsed, call the domain modules, hand
//! a view to the [`Printer`]. [`crate::diagnostics`] turns an error into its exit status
//! and the hint that names the flag or command that fixes it; [`crate::views`] holds the
//! reports and their text; `flags` and `resilience` read the provider flags `init` and
//! `start` share and the failover and fallback flags of `config add`.

mod claude_code;
mod completions;
mod config;
mod delete;
mod doctor;
mod export;
mod flags;
mod init;
mod keys;
mod logs;
mod models;
mod openclaw;
mod repair;
mod resilience;
mod route;
mod self_update;
mod start;
mod status;
mod stop;
mod tidy;
mod upgrade;
mod usage;

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::docker::{Engine, PortRole, Ports};
use crate::printer::{Printer, Verbosity};
use crate::target::Target;
use crate::workspace::Workspace;

use crate::diagnostics::{self, ExitStatus, UsageError};

/// A usage error with this message (exit 2).
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError::new(message).into()
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
    let target = Target::new(&cli.global.container_name, cli.global.data_dir.as_deref());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a single-threaded runtime starts");
    let context = diagnostics::Context::of(&cli.command);
    match runtime.block_on(dispatch(cli.command, &target, printer)) {
        Ok(()) => ExitStatus::Success.into(),
        Err(err) => {
            let status = diagnostics::exit_status(&err);
            let hint = diagnostics::hint(&err, context, &target);
            printer.error(&err, hint.as_deref());
            printer.json_error(&err, hint.as_deref(), status as u8);
            status.into()
        }
    }
}

async fn dispatch(command: Command, target: &Target, printer: Printer) -> anyhow::Result<()> {
    match command {
        Command::Init(args) => init::run(args, target, printer),
        Command::Start(args) => start::run(args, target, printer).await,
        Command::Stop => stop::run(target, printer).await,
        Command::Delete(args) => delete::run(args, target, printer).await,
        Command::Status => status::run(target, printer).await,
        Command::Doctor => doctor::run(target, printer).await,
        Command::Tidy => tidy::run(target, printer).await,
        Command::Repair => repair::run(target, printer).await,
        Command::Export(args) => export::run(args, target, printer).await,
        Command::OpenClaw(command) => openclaw::run(command, target, printer).await,
        Command::Upgrade(args) => upgrade::run(args, target, printer).await,
        Command::Logs(args) => logs::run(args, target, printer).await,
        Command::Usage(args) => usage::run(args, target, printer).await,
        Command::Config(command) => config::run(command, target, printer).await,
        Command::Route(command) => route::run(command, target, printer).await,
        Command::Keys(command) => keys::run(command, target, printer).await,
        Command::ClaudeCode(command) => claude_code::run(command, target, printer).await,
        Command::Models(args) => models::run(args, target, printer).await,
        Command::Completions { shell } => completions::run(shell, printer),
        Command::SelfManage(command) => self_update::run(command, printer).await,
    }
}

/// A gateway published beyond loopback must ask for a client key: refused (exit 2)
/// while the folder has none, unless `--allow-unauthenticated` says it is meant.
fn check_exposure(
    bind: std::net::IpAddr,
    folder: &crate::gateway::DataFolder,
    exposure: &crate::cli::ExposureArgs,
    target: &Target,
    printer: &Printer,
) -> anyhow::Result<()> {
    use crate::gateway::client_keys::Exposure;
    match folder.exposure(bind, exposure.allow_unauthenticated)? {
        Exposure::Loopback => {}
        Exposure::Keyed { keys } => printer.status(format!(
            "Publishing on {bind}: the AI routes ask for one of {keys} client keys (`higress-claw keys list`); the console stays on 127.0.0.1 unless --publish-console"
        )),
        Exposure::Open => printer.warn(format!(
            "publishing on {bind} without client keys (--allow-unauthenticated): anyone who can reach this address can spend your provider keys. Add one with `higress-claw keys add NAME{}`",
            target.flags()
        )),
        Exposure::Refused(unprotected) => return Err(unprotected.into()),
    }
    Ok(())
}

/// Tells the user why nothing happens while another process holds a lock.
fn lock_wait(printer: &Printer) -> impl FnOnce(&Path) + '_ {
    move |path| {
        printer.status(format!(
            "Waiting for the lock on {} (another higress-claw is editing)",
            path.display()
        ))
    }
}

/// The folder `target` means, for an edit or a read (see [`Workspace`]).
async fn workspace(target: &Target, printer: &Printer) -> anyhow::Result<Workspace> {
    let ws = Workspace::open(target, lock_wait(printer)).await?;
    if let Some(container) = ws.container() {
        printer.verbose(format!("Editing {container}:/data through the Docker API"));
    }
    Ok(ws)
}

/// The engine, with a verbose line saying where it is.
async fn engine(printer: &Printer) -> anyhow::Result<Engine> {
    let engine = Engine::connect().await?;
    printer.verbose(format!("Docker engine at {}", engine.endpoint().describe()));
    Ok(engine)
}

/// The ports asked for with `--http-port` and friends.
fn asked_ports(args: &crate::cli::PortArgs) -> crate::gateway::plan::PortRequest {
    crate::gateway::plan::PortRequest {
        http: args.http_port,
        https: args.https_port,
        console: args.console_port,
    }
}

/// Each port asked for that differs from what `ports` has.
fn changed_ports(args: &crate::cli::PortArgs, ports: Ports) -> Vec<(PortRole, u16, u16)> {
    let asked = asked_ports(args);
    [
        (PortRole::Http, asked.http),
        (PortRole::Https, asked.https),
        (PortRole::Console, asked.console),
    ]
    .into_iter()
    .filter_map(|(role, asked)| {
        let actual = ports.get(role);
        asked.filter(|a| *a != actual).map(|a| (role, actual, a))
    })
    .collect()
}

/// Pulls `image` with a byte progress bar on a terminal (a status line elsewhere).
async fn pull_with_progress(
    engine: &Engine,
    printer: &Printer,
    image: &str,
) -> Result<(), crate::docker::DockerError> {
    let bar = printer.bytes_bar(format!("Pulling {image}"));
    let result = engine
        .pull(image, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    result
}

/// "There is no container named X", naming the gateways higress-claw created (found by
/// our label) when there are any, so a mistyped `--container-name` is easy to fix.
async fn no_container(engine: &Engine, target: &Target) -> String {
    let name = &target.container;
    let known: Vec<String> = engine
        .gateways()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(other, _)| other != name)
        .map(|(other, dir)| match dir {
            Some(dir) => format!("{other} (data folder {})", dir.display()),
            None => other,
        })
        .collect();
    if known.is_empty() {
        format!(
            "there is no container named {name}; start one with `higress-claw start{}`, or name yours with --container-name",
            target.flags()
        )
    } else {
        format!(
            "there is no container named {name}; higress-claw manages {}: name it with --container-name",
            known.join(", ")
        )
    }
}
