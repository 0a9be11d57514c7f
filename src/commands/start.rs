//! `higress-claw start`: configure if needed, run the container, wait until it answers.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{asked_ports, changed_ports, flags, lock_wait, usage};
use crate::cli::StartArgs;
use crate::cli::port_flag;
use crate::docker::{Container, Engine, Ports, lifecycle, readiness, split_image};
use crate::gateway::DataFolder;
use crate::gateway::plan::{self, DeploymentRequest, Plan};
use crate::gateway::settings::DeploymentSettings;
use crate::interrupt::Interrupts;
use crate::printer::Printer;
use crate::target::Target;
use crate::views::start::{StartReport, render_summary};
use crate::views::warn_unserved;

pub async fn run(mut args: StartArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let started = Instant::now();
    // Bad flags are reported before Docker is asked anything.
    let wizard = flags::wants_wizard(&args.configure);
    let early_plan = if wizard {
        None
    } else {
        Some(flags::plan(&args.configure)?)
    };
    let engine = super::engine(&printer).await?;
    // Two `start`s of one name from this host take turns: the second finds the first's
    // container instead of racing it to the create.
    let _turn = start_lock(&target.container, &printer)?;
    let existing = engine.find(&target.container).await?;
    let dir = target.new_folder();
    let plan = match early_plan {
        Some(plan) => plan,
        None => {
            if existing.is_none() && !DataFolder::new(&dir).is_configured() {
                flags::apply_wizard(&mut args.configure, &mut args.ports, &printer)?;
            }
            flags::plan(&args.configure)?
        }
    };
    match existing {
        Some(container) => {
            start_existing(&args, target, printer, &engine, container, plan, started).await
        }
        None => create(&args, target, printer, &engine, &dir, plan, started).await,
    }
}

/// The lock that serialises `start`s of the container `name` on this host.
fn start_lock(name: &str, printer: &Printer) -> anyhow::Result<std::fs::File> {
    let dir = crate::env_vars::state_dir().join("locks");
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.start.lock"));
    crate::gateway::store::lock_file(&path, |_| {
        printer.status(format!(
            "Waiting for another `higress-claw start` of {name} to finish"
        ))
    })
    .map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", path.display()))
}

fn deployment_request(args: &StartArgs) -> DeploymentRequest {
    DeploymentRequest {
        ports: asked_ports(&args.ports),
        image_repo: args.image_repo.clone(),
        image_tag: args.image_tag.clone(),
        bind: args.bind,
        publish_console: args.publish_console,
    }
}

/// A first start: everything that can refuse is checked before anything is written or
/// created; then the image, the folder, the container, and the wait.
async fn create(
    args: &StartArgs,
    target: &Target,
    printer: Printer,
    engine: &Engine,
    dir: &Path,
    plan: Plan,
    started: Instant,
) -> anyhow::Result<()> {
    let folder = DataFolder::new(dir);
    let deployment = plan::deployment_for_start(
        &deployment_request(args),
        &plan,
        folder.settings()?.as_ref(),
    )?;
    let configured = folder.is_configured();
    if !configured && plan.providers.is_empty() {
        return Err(usage(format!(
            "no provider given and {} is not configured yet; pass at least one key, e.g.\n  higress-claw start --non-interactive --zhipuai-key KEY\n(see `higress-claw start --help` for every provider)",
            dir.display()
        )));
    }
    folder.check_not_foreign()?;
    // Two containers on one folder would both own its files; the second one would also
    // fail on the first one's ports, with a less helpful message.
    if let Some(other) = engine.containers_serving(dir).await?.first() {
        return Err(usage(format!(
            "{} is already the data folder of the container {other}; manage that gateway with --container-name {other}, or give this one its own --data-dir",
            dir.display()
        )));
    }
    let bind = deployment.bind_address();
    // An address this host lacks, or a busy port, is the more basic problem.
    deployment
        .ports
        .check_free(bind, deployment.console_bind_address())?;
    super::check_exposure(bind, &folder, &args.exposure, target, &printer)?;
    if let Some(model) = &plan.auto_routing
        && !super::init::served(&plan, model)
    {
        warn_unserved(&printer, model);
    }
    // The image first: a failed pull leaves the folder as it was.
    let image = deployment.image();
    if !engine.image_exists(&image).await? {
        super::pull_with_progress(engine, &printer, &image).await?;
    }
    // Written on a first start, or when provider flags are given for a configured folder
    // (then they are added to it, never silently ignored).
    if !configured || !plan.providers.is_empty() || plan.auto_routing.is_some() {
        let changed = plan::write(&folder, &plan, &deployment, false, lock_wait(&printer))?;
        printer.verbose(format!(
            "Wrote {} files in {}",
            changed.len(),
            dir.display()
        ));
    }
    let data_dir = dir.canonicalize().unwrap_or(dir.to_path_buf());
    let spec = deployment.container_spec(&target.container, data_dir);
    // Listening starts before the create, so no signal slips through.
    let mut interrupts = Interrupts::listen()?;
    let host = readiness::Hosts::of(Some(spec.bind), Some(spec.console_bind));
    let ready = lifecycle::launch(engine, &spec, &mut interrupts, || {
        wait_ready(args, &printer, engine, &spec.name, spec.ports, &host)
    })
    .await?;
    plan::save_deployment(&folder, &deployment, lock_wait(&printer))?;
    let container = engine
        .find(&spec.name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("container {} vanished", spec.name))?;
    let notes = plan.notes.iter().map(flags::note_text).collect();
    summary(
        &printer, &folder, &container, "created", ready, notes, started,
    )
}

async fn start_existing(
    args: &StartArgs,
    target: &Target,
    printer: Printer,
    engine: &Engine,
    container: Container,
    plan: Plan,
    started: Instant,
) -> anyhow::Result<()> {
    let name = container.name.clone();
    let dir = served_folder(&container, target)?;
    refuse_changed_creation_flags(args, target, &container)?;
    if let Some(bind) = container.bind {
        super::check_exposure(
            bind,
            &DataFolder::new(&dir),
            &args.exposure,
            target,
            &printer,
        )?;
    }
    let (repo, tag) = split_image(&container.image);
    let asked_other_image = args.image_repo.as_deref().is_some_and(|r| r != repo)
        || args.image_tag.as_deref().is_some_and(|t| t != tag);
    if asked_other_image {
        printer.warn(format!(
            "{name} already exists with image {}; --image-repo/--image-tag apply only when a container is created (delete it first to switch images)",
            container.image
        ));
    }
    let action = if container.state.is_running() {
        "already-running"
    } else {
        engine.start(&name).await?;
        "started"
    };
    if !plan.providers.is_empty() || plan.auto_routing.is_some() {
        apply_provider_flags(target, &printer, &plan).await?;
    }
    let folder = DataFolder::new(&dir);
    let ports = container
        .ports
        .ok_or_else(|| anyhow::anyhow!("cannot read the published ports of {name}"))?;
    let host = readiness::Hosts::of(container.bind, container.console_bind);
    let ready = wait_ready(args, &printer, engine, &name, ports, &host).await?;
    let container = engine.find(&name).await?.unwrap_or(container);
    let notes = plan.notes.iter().map(flags::note_text).collect();
    summary(&printer, &folder, &container, action, ready, notes, started)
}

/// The folder an existing container serves; refused when `--data-dir` names another,
/// or when the container has none (then it is not a gateway).
fn served_folder(container: &Container, target: &Target) -> anyhow::Result<PathBuf> {
    let name = &container.name;
    match (&container.data_dir, &target.data_dir) {
        (Some(mounted), Some(given)) if given != mounted => Err(usage(format!(
            "the container {name} already serves {}; not {}. Use --container-name to run a second gateway",
            mounted.display(),
            given.display()
        ))),
        (Some(mounted), _) => Ok(mounted.clone()),
        (None, _) => Err(usage(format!(
            "a container named {name} exists but has no /data mount, so it is not a Higress gateway; remove it or choose --container-name"
        ))),
    }
}

/// Ports and the bind address are fixed when a container is created: asking for others
/// on an existing one is refused with the way to recreate it, never silently ignored.
fn refuse_changed_creation_flags(
    args: &StartArgs,
    target: &Target,
    container: &Container,
) -> anyhow::Result<()> {
    let name = &container.name;
    let flags = target.flags();
    if let Some(ports) = container.ports
        && let Some((role, actual, asked)) = changed_ports(&args.ports, ports).first()
    {
        let flag = port_flag(*role);
        return Err(usage(format!(
            "{name} already exists with {flag} {actual}, not {asked}; ports are fixed at creation. Recreate it (the configuration is kept): higress-claw delete --force{flags} && higress-claw start{flags} {flag} {asked}"
        )));
    }
    if let Some(asked) = args.bind
        && container.bind != Some(asked)
    {
        return Err(usage(format!(
            "{name} already exists bound to {}, not {asked}; the address is fixed at creation. Recreate it (the configuration is kept): higress-claw delete --force{flags} && higress-claw start{flags} --bind {asked}",
            container.bind.unwrap_or(crate::docker::LOOPBACK)
        )));
    }
    Ok(())
}

/// Provider flags given to an existing gateway are added to its configuration, through
/// the same workspace as `config add` (on Docker Desktop or a remote engine, through the
/// container).
async fn apply_provider_flags(
    target: &Target,
    printer: &Printer,
    plan: &Plan,
) -> anyhow::Result<()> {
    let ws = super::workspace(target, printer).await?;
    let saved = ws
        .folder
        .settings()?
        .unwrap_or_else(DeploymentSettings::defaults);
    let deployment = DeploymentSettings {
        auto_routing: saved.auto_routing || plan.auto_routing.is_some(),
        auto_routing_default_model: plan
            .auto_routing
            .clone()
            .or(saved.auto_routing_default_model.clone()),
        ..saved
    };
    let changed = plan::write(&ws.folder, plan, &deployment, false, lock_wait(printer))?;
    ws.publish(&changed).await?;
    if changed.is_empty() {
        printer.status("The provider flags match the configuration already; nothing changed");
    } else {
        printer.status(format!(
            "Applied the provider flags to the configuration ({} files changed; {})",
            changed.len(),
            ws.takes_effect()
        ));
    }
    Ok(())
}

async fn wait_ready(
    args: &StartArgs,
    printer: &Printer,
    engine: &Engine,
    name: &str,
    ports: Ports,
    host: &readiness::Hosts,
) -> anyhow::Result<bool> {
    if args.no_wait {
        return Ok(false);
    }
    let spinner = printer.spinner("Waiting for the gateway and the console to answer");
    let seen = readiness::wait(
        host,
        ports.http,
        ports.console,
        Duration::from_secs(args.wait_timeout),
    )
    .await;
    spinner.finish_and_clear();
    if seen.ready() {
        return Ok(true);
    }
    let logs = engine.last_log_lines(name, Some(30)).await;
    let missing = match (seen.gateway, seen.console) {
        (false, false) => format!(
            "neither the gateway (port {}) nor the console (port {})",
            ports.http, ports.console
        ),
        (false, true) => format!("the gateway (port {})", ports.http),
        _ => format!("the console (port {})", ports.console),
    };
    anyhow::bail!(
        "{missing} did not answer within {} s (--wait-timeout). Last log lines of {name}:\n{}\nWait longer with --wait-timeout SECONDS, or start with --no-wait and follow `higress-claw logs --follow`",
        args.wait_timeout,
        indent(&logs)
    )
}

fn indent(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
    if lines.is_empty() {
        "    (no output)".to_string()
    } else {
        lines.join("\n")
    }
}

fn summary(
    printer: &Printer,
    folder: &DataFolder,
    container: &Container,
    action: &'static str,
    ready: bool,
    notes: Vec<String>,
    started: Instant,
) -> anyhow::Result<()> {
    let seconds = started.elapsed().as_secs_f64();
    let report = StartReport::new(folder, container, action, ready, notes.clone(), seconds)?;
    printer.json(&report);
    for note in &notes {
        printer.status(note);
    }
    match (action, ready) {
        (_, true) => printer.success(format!("Higress AI Gateway is ready ({seconds:.1} s)")),
        ("already-running", false) => printer.success("Higress AI Gateway is already running"),
        _ => {
            printer.success("Higress AI Gateway container started (not waiting for it: --no-wait)")
        }
    }
    printer.summary(render_summary(&report));
    Ok(())
}
