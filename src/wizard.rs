//! The interactive setup of `start` and `init`, for a person at a terminal.
//!
//! It asks what the seed skill's "Step 1" asks: which providers (the common ones first),
//! each key typed hidden, the companion settings a provider needs, auto-routing and its
//! default model, custom ports. The answers become the same flags a script would pass,
//! so both paths validate and write identically. It only runs when stdin and stderr are
//! terminals; everywhere else a missing provider is an error that shows the flags.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Password};

use crate::printer::Printer;

use crate::gateway::catalog::{self, KeyRule, ProviderSpec, SettingKind};
use crate::gateway::provider::ProviderConfig;

/// Shown first, in this order (the seed's "commonly used" list).
const COMMON: &[&str] = &[
    "zhipuai",
    "claude-code",
    "moonshot",
    "minimax",
    "aliyun",
    "openai",
    "deepseek",
    "grok",
];

/// Servers the user runs, whose model names nothing predicts: the wizard asks for them.
const ASK_MODELS: &[&str] = &["vllm", "generic", "triton"];

#[derive(Default)]
pub struct Answers {
    /// Flag name (without dashes) → value, as `ProviderFlags` holds them.
    pub flags: BTreeMap<String, String>,
    pub auto_routing_default_model: Option<String>,
    pub ports: Option<[u16; 3]>,
}

/// Names only: the answers hold the keys typed.
impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("flags", &self.flags.keys().collect::<Vec<_>>())
            .field(
                "auto_routing_default_model",
                &self.auto_routing_default_model,
            )
            .field("ports", &self.ports)
            .finish()
    }
}

/// Whether a person can be asked: both ends of the conversation are a terminal.
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Chinese-speaking users know the provider as 智谱, everyone else as z.ai.
pub fn prefers_chinese() -> bool {
    crate::env_vars::LOCALE
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("zh"))
}

#[derive(Clone, Copy)]
enum Choice {
    Provider(&'static ProviderSpec),
    ClaudeCode,
}

fn label(choice: Choice, chinese: bool) -> String {
    match choice {
        Choice::ClaudeCode => "Claude Code (OAuth token from `claude setup-token`)".to_string(),
        Choice::Provider(p) if p.id == "zhipuai" => {
            if chinese {
                "智谱 (GLM)".to_string()
            } else {
                "z.ai (GLM)".to_string()
            }
        }
        Choice::Provider(p) => p.display_name.to_string(),
    }
}

fn choices() -> Vec<Choice> {
    let find = |id: &str| match id {
        "claude-code" => Choice::ClaudeCode,
        id => Choice::Provider(catalog::find(id).expect("common providers are in the catalog")),
    };
    let mut out: Vec<Choice> = COMMON.iter().map(|id| find(id)).collect();
    out.extend(
        catalog::PROVIDERS
            .iter()
            .filter(|p| !COMMON.contains(&p.id))
            .map(Choice::Provider),
    );
    out
}

fn theme() -> Box<dyn Theme> {
    if std::env::var_os(crate::env_vars::NO_COLOR).is_some() {
        Box::new(SimpleTheme)
    } else {
        Box::new(ColorfulTheme::default())
    }
}

/// A yes/no question on the terminal; no is the default.
pub fn confirm(prompt: &str) -> anyhow::Result<bool> {
    Ok(Confirm::with_theme(theme().as_ref())
        .with_prompt(prompt)
        .default(false)
        .interact()?)
}

pub fn run(printer: &Printer) -> anyhow::Result<Answers> {
    let theme = theme();
    let theme = theme.as_ref();
    let chinese = prefers_chinese();
    let choices = choices();
    let labels: Vec<String> = choices.iter().map(|c| label(*c, chinese)).collect();
    printer.status("Set up the Higress AI Gateway. Keys stay on this machine, in the data folder.");
    let picked = loop {
        let picked = MultiSelect::with_theme(theme)
            .with_prompt("Which providers? (space selects, enter confirms)")
            .items(&labels)
            .max_length(12)
            .interact()?;
        if !picked.is_empty() {
            break picked;
        }
        printer.warn("Pick at least one provider.");
    };
    let mut answers = Answers::default();
    let mut first_model = None;
    for index in picked {
        let (spec, key_flag, prompt) = match choices[index] {
            Choice::ClaudeCode => (
                catalog::find("claude").expect("claude is in the catalog"),
                "claude-code-key".to_string(),
                "Claude Code OAuth token (run `claude setup-token` to get one)".to_string(),
            ),
            Choice::Provider(p) => (
                p,
                format!("{}-key", p.flag_stem),
                format!("{} API key", label(choices[index], chinese)),
            ),
        };
        ask_provider(theme, spec, &key_flag, &prompt, &mut answers)?;
        if first_model.is_none() {
            let mut config = ProviderConfig::new(spec);
            config.models = answers
                .flags
                .get(&format!("{}-models", spec.flag_stem))
                .cloned();
            first_model = Some(config.example_model());
        }
    }
    if Confirm::with_theme(theme)
        .with_prompt("Enable auto-routing (model \"higress/auto\" picks a model by message)?")
        .default(true)
        .interact()?
    {
        let model: String = Input::with_theme(theme)
            .with_prompt("Default model when no rule matches")
            .default(first_model.unwrap_or_default())
            .interact_text()?;
        answers.auto_routing_default_model = Some(model);
    }
    answers.ports = ask_ports(theme)?;
    Ok(answers)
}

/// The three ports, when the user wants others than the defaults.
fn ask_ports(theme: &dyn Theme) -> anyhow::Result<Option<[u16; 3]>> {
    let default = crate::docker::Ports::DEFAULT;
    if !Confirm::with_theme(theme)
        .with_prompt(format!("Use custom ports (default {})?", default.list()))
        .default(false)
        .interact()?
    {
        return Ok(None);
    }
    let mut ports = [default.http, default.https, default.console];
    for (slot, role) in ports.iter_mut().zip(crate::docker::PortRole::ALL) {
        *slot = Input::with_theme(theme)
            .with_prompt(format!("{} port", role.describe()))
            .default(*slot)
            .validate_with(|p: &u16| {
                if *p == 0 {
                    Err("pick a port from 1 to 65535")
                } else {
                    Ok(())
                }
            })
            .interact_text()?;
    }
    Ok(Some(ports))
}

fn ask_secret(theme: &dyn Theme, prompt: &str, optional: bool) -> anyhow::Result<String> {
    Ok(Password::with_theme(theme)
        .with_prompt(prompt)
        .allow_empty_password(optional)
        .interact()?)
}

fn ask_text(theme: &dyn Theme, prompt: &str, default: Option<&str>) -> anyhow::Result<String> {
    let input = Input::<String>::with_theme(theme).with_prompt(prompt);
    let input = match default {
        Some(d) => input.default(d.to_string()),
        None => input,
    };
    Ok(input.interact_text()?)
}

fn ask_provider(
    theme: &dyn Theme,
    spec: &'static ProviderSpec,
    key_flag: &str,
    prompt: &str,
    answers: &mut Answers,
) -> anyhow::Result<()> {
    let mut set = |flag: &str, value: String| {
        if !value.trim().is_empty() {
            answers
                .flags
                .insert(flag.to_string(), value.trim().to_string());
        }
    };
    let alternative = match spec.key {
        KeyRule::Required | KeyRule::None | KeyRule::Filler(_) => None,
        KeyRule::Optional => Some("leave empty if it needs none"),
        KeyRule::BedrockKeyOrAccessKeys => Some("leave empty to use an access key pair"),
        KeyRule::VertexKeyOrServiceAccount => Some("leave empty to use a service-account key file"),
        KeyRule::HunyuanKeyOrAuthPair => Some("leave empty to use SecretId/SecretKey"),
    };
    // Nothing to ask for a provider the plugin sends no key to (Ollama, Triton).
    let key = match alternative {
        _ if !spec.takes_keys() => String::new(),
        None => ask_secret(theme, prompt, false)?,
        Some(hint) => ask_secret(theme, &format!("{prompt} ({hint})"), true)?,
    };
    let no_key = key.trim().is_empty();
    set(key_flag, key);
    // Companions: required ones always; the alternative credentials when no key was given.
    let wanted: Vec<&str> = match (spec.key, no_key) {
        (KeyRule::BedrockKeyOrAccessKeys, true) => vec!["awsAccessKey", "awsSecretKey"],
        // The token service is written with the provider under its default name.
        (KeyRule::VertexKeyOrServiceAccount, true) => {
            vec!["vertexAuthKey", "vertexProjectId", "vertexRegion"]
        }
        (KeyRule::HunyuanKeyOrAuthPair, true) => vec!["hunyuanAuthId", "hunyuanAuthKey"],
        _ => vec![],
    };
    for setting in spec.settings {
        let needed = setting.required
            || wanted.contains(&setting.field)
            || (spec.id == "ollama" && setting.field == "ollamaServerPort");
        if !needed {
            continue;
        }
        let value = match setting.kind {
            SettingKind::Secret => ask_secret(theme, setting.help, false)?,
            _ => ask_text(theme, setting.help, setting.default)?,
        };
        set(setting.flag, value);
    }
    if ASK_MODELS.contains(&spec.id) {
        let models = ask_text(
            theme,
            "Model names it serves (comma-separated patterns, * for any)",
            Some(spec.models),
        )?;
        if models.trim() != spec.models {
            set(&format!("{}-models", spec.flag_stem), models);
        }
    }
    Ok(())
}
