//! `higress-claw start`: configure if needed, run the container, wait until it answers.

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::configure;
use super::report::{AutoRoutingReport, PortsView, ProviderReport};
use super::workspace::Workspace;
use super::{absolute, default_data_dir, open_folder, target_flags, usage};
use crate::cli::{GlobalArgs, StartArgs};
use crate::docker::{Container, ContainerSpec, Engine, Ports, readiness};
use crate::gateway::settings::DeploymentSettings;
use crate::gateway::{AUTO_MODEL, DEFAULT_IMAGE_TAG, DataFolder};
use crate::interrupt::Interrupts;
use crate::printer::Printer;

#[derive(Debug, Serialize)]
struct StartReport {
    container: String,
    /// `created`, `started` (existed, was stopped) or `already-running`.
    action: &'static str,
    image: String,
    data_dir: String,
    ports: PortsView,
    ready: bool,
    gateway_url: String,
    chat_url: String,
    console_url: String,
    log_dir: String,
    providers: Vec<ProviderReport>,
    auto_routing: AutoRoutingReport,
    example_model: Option<String>,
    notes: Vec<String>,
    seconds_to_ready: Option<f64>,
}

pub async fn run(mut args: StartArgs, global: &GlobalArgs, printer: Printer) -> anyhow::Result<()> {
    let started = Instant::now();
    // Bad flags are reported before Docker is asked anything.
    let wizard = configure::wants_wizard(&args.configure);
    let early_plan = if wizard {
        None
    } else {
        Some(configure::plan(&args.configure)?)
    };
    let engine = Engine::connect().await?;
    printer.verbose(format!("Docker engine at {}", engine.endpoint().describe()));
    let existing = engine.find(&global.container_name).await?;
    let dir = absolute(global.data_dir.as_deref().unwrap_or(&default_data_dir()));
    let plan = match early_plan {
        Some(plan) => plan,
        None => {
            if existing.is_none() && !open_folder(&dir).is_configured() {
                configure::apply_wizard(&mut args.configure, &mut args.ports, &printer)?;
            }
            configure::plan(&args.configure)?
        }
    };
    match existing {
        Some(container) => {
            start_existing(&args, global, printer, &engine, container, plan, started).await
        }
        None => create(&args, global, printer, &engine, &dir, plan, started).await,
    }
}

/// How the new container is made: the flags, else what the folder's default.cfg
/// recorded, else the region's defaults.
fn deployment_settings(
    args: &StartArgs,
    plan: &configure::Plan,
    saved: Option<&DeploymentSettings>,
) -> anyhow::Result<DeploymentSettings> {
    Ok(DeploymentSettings {
        ports: configure::ports(&args.ports, saved)?,
        plugin_registry: saved.filter(|_| args.image_repo.is_none()).map_or_else(
            || plan.region.registry.to_string(),
            |s| s.plugin_registry.clone(),
        ),
        image_repo: args
            .image_repo
            .clone()
            .or_else(|| saved.and_then(|s| s.image_repo.clone())),
        image_tag: args
            .image_tag
            .clone()
            .or_else(|| saved.and_then(|s| s.image_tag.clone())),
        auto_routing: plan.auto_routing.is_some() || saved.is_some_and(|s| s.auto_routing),
        auto_routing_default_model: plan
            .auto_routing
            .clone()
            .or_else(|| saved.and_then(|s| s.auto_routing_default_model.clone())),
        bind: args.bind.or_else(|| saved.and_then(|s| s.bind)),
    })
}

/// A first start: everything that can refuse is checked before anything is written or
/// created; then the image, the folder, the container, and the wait.
async fn create(
    args: &StartArgs,
    global: &GlobalArgs,
    printer: Printer,
    engine: &Engine,
    dir: &std::path::Path,
    plan: configure::Plan,
    started: Instant,
) -> anyhow::Result<()> {
    let folder = open_folder(dir);
    let deployment = deployment_settings(args, &plan, folder.settings()?.as_ref())?;
    let configured = folder.is_configured();
    if !configured && plan.providers.is_empty() {
        return Err(usage(format!(
            "no provider given and {} is not configured yet; pass at least one key, e.g.\n  higress-claw start --non-interactive --zhipuai-key KEY\n(see `higress-claw start --help` for every provider)",
            dir.display()
        )));
    }
    configure::refuse_foreign_folder(&folder)?;
    // Two containers on one folder would both own its files; the second one would also
    // fail on the first one's ports, with a less helpful message.
    if let Some(other) = engine.containers_serving(dir).await?.first() {
        return Err(usage(format!(
            "{} is already the data folder of the container {other}; manage that gateway with --container-name {other}, or give this one its own --data-dir",
            dir.display()
        )));
    }
    let bind = deployment.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !bind.is_loopback() {
        printer.warn(format!(
            "publishing on {bind}: the gateway has no authentication by default, so anyone who can reach this address can spend your API keys. Keep the default 127.0.0.1 unless you protect it (firewall, or a Higress consumer auth plugin)"
        ));
    }
    check_ports_free(bind, deployment.ports)?;
    if let Some(model) = &plan.auto_routing {
        configure::warn_unserved(&printer, model, &plan.providers);
    }
    // The image first: a failed pull leaves the folder as it was.
    let image = image_name(&deployment);
    if !engine.image_exists(&image).await? {
        pull_with_progress(engine, &printer, &image).await?;
    }
    // Written on a first start, or when provider flags are given for a configured folder
    // (then they are added to it, never silently ignored).
    if !configured || !plan.providers.is_empty() || plan.auto_routing.is_some() {
        let changed = configure::write_folder(&folder, &plan, &deployment, false, &printer)?;
        printer.verbose(format!(
            "Wrote {} files in {}",
            changed.len(),
            dir.display()
        ));
    }
    let spec = ContainerSpec {
        name: global.container_name.clone(),
        image,
        data_dir: dir.canonicalize().unwrap_or(dir.to_path_buf()),
        ports: deployment.ports,
        bind,
        plugin_registry: deployment.plugin_registry.clone(),
    };
    let ready = create_and_wait(args, &printer, engine, &spec).await?;
    configure::save_deployment(&folder, &deployment, &printer)?;
    let container = engine
        .find(&spec.name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("container {} vanished", spec.name))?;
    summary(
        &printer, &folder, &container, "created", ready, plan.notes, started,
    )
}

/// Creates and starts the container and waits for it. From the create on, a failure or
/// an interrupt must not leave the new container behind; listening starts before the
/// create so no signal slips through.
async fn create_and_wait(
    args: &StartArgs,
    printer: &Printer,
    engine: &Engine,
    spec: &ContainerSpec,
) -> anyhow::Result<bool> {
    let mut interrupts = Interrupts::listen()?;
    engine.create(spec).await?;
    let attempt = async {
        engine.start(&spec.name).await?;
        wait_ready(
            args,
            printer,
            engine,
            &spec.name,
            spec.ports,
            &probe_host(Some(&spec.bind.to_string())),
        )
        .await
    };
    let outcome = tokio::select! {
        outcome = attempt => outcome,
        signal = interrupts.received() => Err(anyhow::anyhow!("interrupted ({signal}) while waiting for the gateway")),
    };
    match outcome {
        Ok(ready) => Ok(ready),
        Err(err) => {
            let _ = engine.remove(&spec.name, true).await;
            Err(err.context(format!("the container {} was removed again", spec.name)))
        }
    }
}

async fn start_existing(
    args: &StartArgs,
    global: &GlobalArgs,
    printer: Printer,
    engine: &Engine,
    container: Container,
    plan: configure::Plan,
    started: Instant,
) -> anyhow::Result<()> {
    let name = container.name.clone();
    let dir = served_folder(&container, global)?;
    refuse_changed_creation_flags(args, global, &container)?;
    let (repo, tag) = crate::docker::split_image(&container.image);
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
        apply_provider_flags(global, &printer, &plan).await?;
    }
    let folder = open_folder(&dir);
    let ports = container
        .ports
        .ok_or_else(|| anyhow::anyhow!("cannot read the published ports of {name}"))?;
    let host = probe_host(container.bind.as_deref());
    let ready = wait_ready(args, &printer, engine, &name, ports, &host).await?;
    let container = engine.find(&name).await?.unwrap_or(container);
    summary(
        &printer, &folder, &container, action, ready, plan.notes, started,
    )
}

/// The folder an existing container serves; refused when `--data-dir` names another,
/// or when the container has none (then it is not a gateway).
fn served_folder(container: &Container, global: &GlobalArgs) -> anyhow::Result<PathBuf> {
    let name = &container.name;
    match (&container.data_dir, &global.data_dir) {
        (Some(mounted), Some(given)) if absolute(given) != *mounted => Err(usage(format!(
            "the container {name} already serves {}; not {}. Use --container-name to run a second gateway",
            mounted.display(),
            absolute(given).display()
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
    global: &GlobalArgs,
    container: &Container,
) -> anyhow::Result<()> {
    let name = &container.name;
    let target = target_flags(global);
    if let Some(ports) = container.ports {
        let wanted = [
            ("--http-port", args.ports.http_port, ports.http),
            ("--https-port", args.ports.https_port, ports.https),
            ("--console-port", args.ports.console_port, ports.console),
        ];
        for (flag, asked, actual) in wanted {
            if let Some(asked) = asked.filter(|a| *a != actual) {
                return Err(usage(format!(
                    "{name} already exists with {flag} {actual}, not {asked}; ports are fixed at creation. Recreate it (the configuration is kept): higress-claw delete --force{target} && higress-claw start{target} {flag} {asked}"
                )));
            }
        }
    }
    if let Some(asked) = args.bind
        && container.bind.as_deref() != Some(asked.to_string().as_str())
    {
        return Err(usage(format!(
            "{name} already exists bound to {}, not {asked}; the address is fixed at creation. Recreate it (the configuration is kept): higress-claw delete --force{target} && higress-claw start{target} --bind {asked}",
            container.bind.as_deref().unwrap_or("127.0.0.1")
        )));
    }
    Ok(())
}

/// Provider flags given to an existing gateway are added to its configuration, through
/// the same workspace as `config add` (on Docker Desktop or a remote engine, through the
/// container).
async fn apply_provider_flags(
    global: &GlobalArgs,
    printer: &Printer,
    plan: &configure::Plan,
) -> anyhow::Result<()> {
    let ws = Workspace::open(global, printer).await?;
    let saved = ws
        .folder
        .settings()?
        .unwrap_or_else(|| DeploymentSettings::from_text(""));
    let deployment = DeploymentSettings {
        auto_routing: saved.auto_routing || plan.auto_routing.is_some(),
        auto_routing_default_model: plan
            .auto_routing
            .clone()
            .or(saved.auto_routing_default_model.clone()),
        ..saved
    };
    let changed = configure::write_folder(&ws.folder, plan, &deployment, false, printer)?;
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
    host: &str,
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

/// Pulls `image` with a byte progress bar on a terminal (a status line elsewhere).
pub async fn pull_with_progress(
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

/// Fails naming the port and the flag that moves it.
pub fn check_ports_free(bind: IpAddr, ports: Ports) -> anyhow::Result<()> {
    for (flag, port) in [
        ("--http-port", ports.http),
        ("--https-port", ports.https),
        ("--console-port", ports.console),
    ] {
        match TcpListener::bind((bind, port)) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AddrNotAvailable => {
                return Err(usage(format!(
                    "{bind} is not an address of this host, so nothing can be published on it; pass one of its addresses with --bind (0.0.0.0 for all of them)"
                )));
            }
            Err(err) => {
                return Err(usage(format!(
                    "port {port} on {bind} is already in use ({err}); stop what listens there or pick another port with {flag} PORT"
                )));
            }
        }
    }
    Ok(())
}

/// Where to reach published ports from this host: the bind address, or loopback when
/// they are published on every address.
pub fn probe_host(bind: Option<&str>) -> String {
    match bind.and_then(|b| b.parse::<IpAddr>().ok()) {
        Some(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
        Some(IpAddr::V6(ip)) => format!("[{ip}]"),
        Some(ip) => ip.to_string(),
        None => "127.0.0.1".to_string(),
    }
}

pub fn image_name(deployment: &DeploymentSettings) -> String {
    let repo = deployment
        .image_repo
        .clone()
        .unwrap_or_else(|| format!("{}/higress/all-in-one", deployment.plugin_registry));
    let tag = deployment.image_tag.as_deref().unwrap_or(DEFAULT_IMAGE_TAG);
    format!("{repo}:{tag}")
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
    let ports = container.ports.unwrap_or(Ports::DEFAULT);
    let host = probe_host(container.bind.as_deref());
    let providers = folder.providers()?;
    let routing = folder.auto_routing()?;
    let auto_on = routing.as_ref().is_some_and(|r| r.enable);
    let example_model = if auto_on {
        Some(AUTO_MODEL.to_string())
    } else {
        providers
            .iter()
            .find_map(|p| p.to_config())
            .map(|c| c.example_model())
    };
    let report = StartReport {
        container: container.name.clone(),
        action,
        image: container.image.clone(),
        data_dir: folder.root().display().to_string(),
        ports: ports.into(),
        ready,
        gateway_url: format!("http://{host}:{}", ports.http),
        chat_url: format!("http://{host}:{}/v1/chat/completions", ports.http),
        console_url: format!("http://{host}:{}", ports.console),
        log_dir: folder.root().join("logs").display().to_string(),
        providers: providers
            .iter()
            .map(ProviderReport::from_configured)
            .collect(),
        auto_routing: AutoRoutingReport::from(routing.as_ref()),
        example_model,
        notes: notes.clone(),
        seconds_to_ready: ready.then(|| started.elapsed().as_secs_f64()),
    };
    printer.json(&report);
    for note in &notes {
        printer.status(note);
    }
    match (action, ready) {
        (_, true) => printer.success(format!(
            "Higress AI Gateway is ready ({:.1} s)",
            started.elapsed().as_secs_f64()
        )),
        ("already-running", false) => printer.success("Higress AI Gateway is already running"),
        _ => {
            printer.success("Higress AI Gateway container started (not waiting for it: --no-wait)")
        }
    }
    printer.data(render_summary(&report));
    Ok(())
}

/// The endpoints, providers, a curl that uses a configured model, and what to do next.
fn render_summary(report: &StartReport) -> String {
    let mut text = format!(
        "\n  Gateway:      {gw}  (HTTPS on port {https})\n  Chat API:     {chat}\n  Console:      {console}\n  Access logs:  {logs}\n  Data folder:  {data}\n",
        gw = report.gateway_url,
        https = report.ports.https,
        chat = report.chat_url,
        console = report.console_url,
        logs = report.log_dir,
        data = report.data_dir,
    );
    text.push_str("\nProviders:\n");
    for p in &report.providers {
        text.push_str(&format!("  {}\n", p.line()));
    }
    let r = &report.auto_routing;
    if r.enabled {
        text.push_str(&format!(
            "\nAuto-routing: on. Use the model \"{AUTO_MODEL}\"; unmatched messages go to {} ({} rules).\n",
            r.default_model.as_deref().unwrap_or("(no default model)"),
            r.rules
        ));
    }
    if let Some(model) = &report.example_model {
        text.push_str(&format!(
            "\nTry it:\n  curl {chat} \\\n    -H 'Content-Type: application/json' \\\n    -d '{{\"model\": \"{model}\", \"messages\": [{{\"role\": \"user\", \"content\": \"Hello\"}}]}}'\n",
            chat = report.chat_url
        ));
    }
    // The container's name is enough for the others to find its folder.
    let target = if report.container == crate::gateway::DEFAULT_CONTAINER_NAME {
        String::new()
    } else {
        format!(" --container-name {}", super::shell_word(&report.container))
    };
    text.push_str(&format!(
        "\nUse it from OpenClaw:  higress-claw openclaw install && higress-claw openclaw setup{target}\nManage keys:  higress-claw config add{target} --provider deepseek --key sk-…\nStop it:      higress-claw stop{target}"
    ));
    text
}
