//! `higress-claw claude-code env`: the environment that points Claude Code at the
//! gateway's Anthropic Messages API.
//!
//! Variable names from Claude Code's LLM gateway and settings pages
//! (https://code.claude.com/docs/en/llm-gateway, https://docs.anthropic.com/en/docs/claude-code/settings):
//! `ANTHROPIC_BASE_URL` is the gateway without `/v1` (Claude Code appends
//! `/v1/messages`), `ANTHROPIC_AUTH_TOKEN` is sent as `Authorization: Bearer <token>`
//! (the header our client keys are checked in), `ANTHROPIC_MODEL` is the model asked
//! for.

use serde::Serialize;

use super::usage;
use crate::cli::{ClaudeCodeCommand, ClaudeCodeEnvArgs, EnvShell};
use crate::printer::Printer;
use crate::target::Target;

/// What `ANTHROPIC_AUTH_TOKEN` says when the gateway has no client keys: Claude Code
/// needs some token to skip its own login, and the gateway ignores it (ai-proxy sends
/// the provider's key upstream instead).
pub const NO_KEY_TOKEN: &str = "higress-claw-no-client-key";

#[derive(Serialize)]
struct EnvReport {
    base_url: String,
    messages_url: String,
    model: String,
    /// The client key's name, or null when the gateway asks for no key.
    client_key: Option<String>,
    shell: &'static str,
    /// Name → value, in plain text: this is what the user asked to be printed.
    env: serde_json::Map<String, serde_json::Value>,
    lines: Vec<String>,
}

pub async fn run(
    command: ClaudeCodeCommand,
    target: &Target,
    printer: Printer,
) -> anyhow::Result<()> {
    match command {
        ClaudeCodeCommand::Env(args) => env(args, target, printer).await,
    }
}

async fn env(args: ClaudeCodeEnvArgs, target: &Target, printer: Printer) -> anyhow::Result<()> {
    let ws = super::workspace(target, &printer).await?;
    let folder = &ws.folder;
    folder.check_holds_gateway()?;
    let key = folder.client_key_for(args.client_key.as_deref())?;
    let model = match args.model {
        Some(model) => model,
        None => folder.example_model()?.ok_or_else(|| {
            usage("no provider is configured, so there is no model to name; add one (`higress-claw config add --provider P --key K`) or pass --model MODEL")
        })?,
    };
    let base_url = target.gateway_url(folder).await?;
    let token = key
        .as_ref()
        .and_then(|k| k.key.as_ref())
        .map_or(NO_KEY_TOKEN.to_string(), |k| k.expose().to_string());
    let pairs = [
        ("ANTHROPIC_BASE_URL", base_url.clone()),
        ("ANTHROPIC_AUTH_TOKEN", token),
        ("ANTHROPIC_MODEL", model.clone()),
    ];
    let lines: Vec<String> = pairs
        .iter()
        .map(|(name, value)| line(args.shell, name, value))
        .collect();
    if key.is_none() {
        printer.status(format!(
            "The gateway has no client keys, so ANTHROPIC_AUTH_TOKEN is a placeholder it ignores; add one with `higress-claw keys add NAME{}`",
            target.flags()
        ));
    }
    printer.data(lines.join("\n"));
    printer.json(&EnvReport {
        messages_url: format!("{base_url}/v1/messages"),
        base_url,
        model,
        client_key: key.map(|k| k.name),
        shell: match args.shell {
            EnvShell::Sh => "sh",
            EnvShell::Fish => "fish",
            EnvShell::Powershell => "powershell",
        },
        env: pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone().into()))
            .collect(),
        lines,
    });
    Ok(())
}

/// One assignment in the shell's syntax, the value single-quoted (none of ours holds a
/// quote: URLs, `hc-` keys, model ids; a quote is escaped all the same).
fn line(shell: EnvShell, name: &str, value: &str) -> String {
    match shell {
        EnvShell::Sh => format!("export {name}='{}'", value.replace('\'', r"'\''")),
        EnvShell::Fish => format!("set -gx {name} '{}'", value.replace('\'', r"\'")),
        EnvShell::Powershell => format!("$env:{name} = '{}'", value.replace('\'', "''")),
    }
}
