//! `higress-claw status`: the container, its readiness, and what is configured.

use serde::Serialize;

use super::views::{AutoRoutingReport, PortsView, ProviderReport, ReadinessView};
use crate::docker::{ContainerState, Engine, probe_host, readiness};
use crate::gateway::DataFolder;
use crate::printer::Printer;
use crate::target::Target;

#[derive(Serialize)]
struct StatusReport {
    container: String,
    /// Whether the engine answered; without it, `state` is `unknown`.
    docker: DockerReport,
    /// `running`, `exited`, …, or `absent`.
    state: String,
    image: Option<String>,
    ports: Option<PortsView>,
    /// Address the gateway's ports are published on.
    bind: Option<String>,
    /// Address the console's port is published on (127.0.0.1 unless --publish-console).
    console_bind: Option<String>,
    /// The OpenAI-style chat API and the Anthropic Messages API (what Claude Code's
    /// `ANTHROPIC_BASE_URL`, `anthropic_base_url`, leads to), when the ports are known.
    chat_url: Option<String>,
    anthropic_base_url: Option<String>,
    messages_url: Option<String>,
    /// The client keys the AI routes ask for, masked; empty = no key asked.
    client_keys: Vec<super::keys::KeyView>,
    ready: Option<ReadinessView>,
    data_dir: String,
    configured: bool,
    providers: Vec<ProviderReport>,
    auto_routing: AutoRoutingReport,
}

#[derive(Serialize)]
struct DockerReport {
    reachable: bool,
    endpoint: Option<String>,
    error: Option<String>,
}

pub async fn run(target: &Target, printer: Printer) -> anyhow::Result<()> {
    let (engine, mut docker) = engine_report().await;
    // Status reports what it can: a failed lookup is said in `docker.error`.
    let container = match &engine {
        Some(engine) => engine.find(&target.container).await.unwrap_or_else(|err| {
            docker.error = Some(format!("{err:#}"));
            None
        }),
        None => None,
    };
    let dir = target.folder(engine.as_ref()).await;
    let folder = DataFolder::new(&dir);
    let providers = folder.providers()?;
    let routing = folder.auto_routing()?;
    let ready = probe(container.as_ref()).await;
    let state = match (&container, docker.reachable && docker.error.is_none()) {
        (Some(c), _) => c.state.as_str().to_string(),
        (None, true) => "absent".to_string(),
        (None, false) => "unknown".to_string(),
    };
    let gateway_base = container.as_ref().and_then(|c| {
        let port = c.ports?.http;
        Some(format!("http://{}:{port}", probe_host(c.bind)))
    });
    let address = |ip: Option<std::net::IpAddr>| ip.map(|b| b.to_string());
    let report = StatusReport {
        container: target.container.clone(),
        state,
        image: container.as_ref().map(|c| c.image.clone()),
        ports: container
            .as_ref()
            .and_then(|c| c.ports)
            .map(PortsView::from),
        bind: address(container.as_ref().and_then(|c| c.bind)),
        console_bind: address(container.as_ref().and_then(|c| c.console_bind)),
        chat_url: gateway_base
            .as_ref()
            .map(|b| format!("{b}/v1/chat/completions")),
        messages_url: gateway_base.as_ref().map(|b| format!("{b}/v1/messages")),
        anthropic_base_url: gateway_base,
        client_keys: super::keys::KeyView::all(&folder)?,
        ready: ready.map(ReadinessView::from),
        data_dir: dir.display().to_string(),
        configured: folder.is_configured(),
        providers: providers
            .iter()
            .map(ProviderReport::from_configured)
            .collect(),
        auto_routing: AutoRoutingReport::from(routing.as_ref()),
        docker,
    };
    printer.json(&report);
    let folder_known = target.data_dir.is_some() || report.docker.reachable;
    printer.data(render(&report, folder_known).trim_end());
    // What was found is printed; the command still fails, so a script does not read
    // "state unknown" as "fine".
    match &report.docker.error {
        Some(err) if !report.docker.reachable => {
            anyhow::bail!("the state of {} is unknown: {err}", report.container)
        }
        _ => Ok(()),
    }
}

/// Whether a running container's gateway and console answer.
async fn probe(container: Option<&crate::docker::Container>) -> Option<readiness::Readiness> {
    let c = container.filter(|c| c.state == ContainerState::Running)?;
    let p = c.ports?;
    let hosts = readiness::Hosts::of(c.bind, c.console_bind);
    Some(readiness::probe(&hosts, p.http, p.console).await)
}

/// The engine, and what status says of it.
async fn engine_report() -> (Option<Engine>, DockerReport) {
    match Engine::connect().await {
        Ok(engine) => {
            let endpoint = Some(engine.endpoint().describe());
            (
                Some(engine),
                DockerReport {
                    reachable: true,
                    endpoint,
                    error: None,
                },
            )
        }
        Err(err) => (
            None,
            DockerReport {
                reachable: false,
                endpoint: None,
                error: Some(err.to_string()),
            },
        ),
    }
}

/// The report as text for a person.
fn render(report: &StatusReport, folder_known: bool) -> String {
    let mut text = format!("Container:   {} ({})\n", report.container, report.state);
    if let Some(err) = &report.docker.error {
        text.push_str(&format!("Docker:      unreachable: {err}\n"));
    }
    if let Some(image) = &report.image {
        text.push_str(&format!("Image:       {image}\n"));
    }
    if let Some(p) = report.ports {
        text.push_str(&format!(
            "Ports:       gateway {} · https {} ({}) · console {} ({})\n",
            p.http,
            p.https,
            report.bind.as_deref().unwrap_or("127.0.0.1"),
            p.console,
            report.console_bind.as_deref().unwrap_or("127.0.0.1")
        ));
    }
    if let (Some(chat), Some(messages)) = (&report.chat_url, &report.messages_url) {
        text.push_str(&format!(
            "Chat API:    {chat}\nMessages:    {messages} (Anthropic; Claude Code: higress-claw claude-code env)\n"
        ));
    }
    let names: Vec<&str> = report.client_keys.iter().map(|k| k.name.as_str()).collect();
    text.push_str(&format!(
        "Client keys: {}\n",
        if names.is_empty() {
            "none (the AI routes ask for no key)".to_string()
        } else {
            format!(
                "{} ({})",
                names.join(", "),
                report
                    .client_keys
                    .iter()
                    .map(|k| k.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    if let Some(r) = report.ready {
        let word = |ok: bool| if ok { "answering" } else { "not answering" };
        text.push_str(&format!(
            "Ready:       gateway {} · console {}\n",
            word(r.gateway),
            word(r.console)
        ));
    }
    let note = if !folder_known {
        " (the container's folder could not be looked up; this is the default)"
    } else if report.configured {
        ""
    } else {
        " (not configured)"
    };
    text.push_str(&format!("Data folder: {}{note}\n", report.data_dir));
    let r = &report.auto_routing;
    if r.enabled {
        text.push_str(&format!(
            "Auto-routing: on, default model {}, {} rules\n",
            r.default_model.as_deref().unwrap_or("(none)"),
            r.rules
        ));
    } else {
        text.push_str("Auto-routing: off\n");
    }
    text.push_str("Providers:\n");
    if report.providers.is_empty() {
        text.push_str("  (none)\n");
    }
    for p in &report.providers {
        text.push_str(&format!("  {}\n", p.line()));
        for line in p.details() {
            text.push_str(&format!("      {line}\n"));
        }
    }
    text
}
