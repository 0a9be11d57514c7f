//! `start`: where the gateway answers, what it serves, and what to do next.

use serde::Serialize;

use super::{AutoRoutingReport, PortsView, ProviderReport, keys::KeyView};
use crate::docker::{Container, Ports, probe_host};
use crate::gateway::{AUTO_MODEL, DataFolder, FolderError};
use crate::target::Target;

#[derive(Debug, Serialize)]
pub struct StartReport {
    pub container: String,
    /// `created`, `started` (existed, was stopped) or `already-running`.
    pub action: &'static str,
    pub image: String,
    pub data_dir: String,
    pub ports: PortsView,
    pub ready: bool,
    pub gateway_url: String,
    pub chat_url: String,
    /// What Claude Code's `ANTHROPIC_BASE_URL` is: it appends `/v1/messages`.
    pub anthropic_base_url: String,
    /// The Anthropic Messages API, served for every provider.
    pub messages_url: String,
    pub console_url: String,
    /// The client keys the AI routes ask for (masked); empty = no key asked.
    pub client_keys: Vec<super::keys::KeyView>,
    pub log_dir: String,
    pub providers: Vec<ProviderReport>,
    pub auto_routing: AutoRoutingReport,
    pub example_model: Option<String>,
    pub notes: Vec<String>,
    pub seconds_to_ready: Option<f64>,
}

impl StartReport {
    /// What `container` on `folder` serves and where; `seconds` is the time since the
    /// command began, reported when the gateway answered.
    pub fn new(
        folder: &DataFolder,
        container: &Container,
        action: &'static str,
        ready: bool,
        notes: Vec<String>,
        seconds: f64,
    ) -> Result<Self, FolderError> {
        let ports = container.ports.unwrap_or(Ports::DEFAULT);
        let gateway_url = format!("http://{}:{}", probe_host(container.bind), ports.http);
        let routing = folder.auto_routing()?;
        Ok(Self {
            container: container.name.clone(),
            action,
            image: container.image.clone(),
            data_dir: folder.root().display().to_string(),
            ports: ports.into(),
            ready,
            chat_url: format!("{gateway_url}/v1/chat/completions"),
            anthropic_base_url: gateway_url.clone(),
            messages_url: format!("{gateway_url}/v1/messages"),
            gateway_url,
            console_url: format!(
                "http://{}:{}",
                probe_host(container.console_bind.or(container.bind)),
                ports.console
            ),
            client_keys: KeyView::all(folder)?,
            log_dir: folder.root().join("logs").display().to_string(),
            providers: folder
                .providers()?
                .iter()
                .map(ProviderReport::from_configured)
                .collect(),
            auto_routing: AutoRoutingReport::from(routing.as_ref()),
            example_model: folder.example_model()?,
            notes,
            seconds_to_ready: ready.then_some(seconds),
        })
    }
}

/// The endpoints, providers, a curl that uses a configured model, and what to do next.
pub fn render_summary(report: &StartReport) -> String {
    let mut text = format!(
        "\n  Gateway:      {gw}  (HTTPS on port {https})\n  Chat API:     {chat}\n  Messages API: {messages}  (Anthropic; Claude Code: higress-claw claude-code env)\n  Console:      {console}\n  Access logs:  {logs}\n  Data folder:  {data}\n",
        gw = report.gateway_url,
        https = report.ports.https,
        chat = report.chat_url,
        messages = report.messages_url,
        console = report.console_url,
        logs = report.log_dir,
        data = report.data_dir,
    );
    if report.client_keys.is_empty() {
        text.push_str("  Client keys:  none (the AI routes ask for no key)\n");
    } else {
        let names: Vec<&str> = report.client_keys.iter().map(|k| k.name.as_str()).collect();
        text.push_str(&format!(
            "  Client keys:  {} (send one as `Authorization: Bearer <key>`)\n",
            names.join(", ")
        ));
    }
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
            "\nTry it:\n  curl {chat} \\\n    -H 'Content-Type: application/json' \\\n{auth}    -d '{{\"model\": \"{model}\", \"messages\": [{{\"role\": \"user\", \"content\": \"Hello\"}}]}}'\n",
            chat = report.chat_url,
            auth = if report.client_keys.is_empty() {
                ""
            } else {
                "    -H \"Authorization: Bearer $HIGRESS_CLIENT_KEY\" \\\n"
            }
        ));
    }
    // The container's name is enough for the others to find its folder.
    let target = Target::new(&report.container, None).container_flag();
    text.push_str(&format!(
        "\nUse it from OpenClaw:  higress-claw openclaw install && higress-claw openclaw setup{target}\nManage keys:  higress-claw config add{target} --provider deepseek --key sk-…\nStop it:      higress-claw stop{target}"
    ));
    text
}
