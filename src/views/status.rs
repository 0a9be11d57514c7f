//! `status`: the container, its readiness, and what is configured.

use std::net::IpAddr;

use serde::Serialize;

use super::{AutoRoutingReport, PortsView, ProviderReport, ReadinessView, keys::KeyView};
use crate::docker::readiness::Readiness;
use crate::docker::{Container, probe_host};
use crate::gateway::{DataFolder, FolderError};
use crate::target::Target;

#[derive(Serialize)]
pub struct StatusReport {
    pub container: String,
    /// Whether the engine answered; without it, `state` is `unknown`.
    pub docker: DockerReport,
    /// `running`, `exited`, …, or `absent`.
    pub state: String,
    pub image: Option<String>,
    pub ports: Option<PortsView>,
    /// Address the gateway's ports are published on.
    pub bind: Option<String>,
    /// Address the console's port is published on (127.0.0.1 unless --publish-console).
    pub console_bind: Option<String>,
    /// The OpenAI-style chat API and the Anthropic Messages API (what Claude Code's
    /// `ANTHROPIC_BASE_URL`, `anthropic_base_url`, leads to), when the ports are known.
    pub chat_url: Option<String>,
    pub anthropic_base_url: Option<String>,
    pub messages_url: Option<String>,
    /// The client keys the AI routes ask for, masked; empty = no key asked.
    pub client_keys: Vec<super::keys::KeyView>,
    pub ready: Option<ReadinessView>,
    pub data_dir: String,
    pub configured: bool,
    pub providers: Vec<ProviderReport>,
    pub auto_routing: AutoRoutingReport,
}

#[derive(Serialize)]
pub struct DockerReport {
    pub reachable: bool,
    pub endpoint: Option<String>,
    pub error: Option<String>,
}

impl StatusReport {
    /// What the engine said of the container `target` names, and what `folder` holds;
    /// `docker` says whether the engine answered.
    pub fn new(
        target: &Target,
        folder: &DataFolder,
        container: Option<&Container>,
        ready: Option<Readiness>,
        docker: DockerReport,
    ) -> Result<Self, FolderError> {
        let state = match (container, docker.reachable && docker.error.is_none()) {
            (Some(c), _) => c.state.as_str().to_string(),
            (None, true) => "absent".to_string(),
            (None, false) => "unknown".to_string(),
        };
        let gateway_base = container.and_then(|c| {
            let port = c.ports?.http;
            Some(format!("http://{}:{port}", probe_host(c.bind)))
        });
        let address = |ip: Option<IpAddr>| ip.map(|b| b.to_string());
        let routing = folder.auto_routing()?;
        Ok(Self {
            container: target.container.clone(),
            state,
            image: container.map(|c| c.image.clone()),
            ports: container.and_then(|c| c.ports).map(PortsView::from),
            bind: address(container.and_then(|c| c.bind)),
            console_bind: address(container.and_then(|c| c.console_bind)),
            chat_url: gateway_base
                .as_ref()
                .map(|b| format!("{b}/v1/chat/completions")),
            messages_url: gateway_base.as_ref().map(|b| format!("{b}/v1/messages")),
            anthropic_base_url: gateway_base,
            client_keys: KeyView::all(folder)?,
            ready: ready.map(ReadinessView::from),
            data_dir: folder.root().display().to_string(),
            configured: folder.is_configured(),
            providers: folder
                .providers()?
                .iter()
                .map(ProviderReport::from_configured)
                .collect(),
            auto_routing: AutoRoutingReport::from(routing.as_ref()),
            docker,
        })
    }
}

/// The report as text for a person.
pub fn render(report: &StatusReport, folder_known: bool) -> String {
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
