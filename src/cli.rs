//! The command-line interface: clap types and help text, nothing else.
//!
//! Provider flags (`--zhipuai-key`, `--azure-service-url`, …) are generated from the
//! provider catalog in `gateway::catalog`, so adding a provider there adds its flags here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod clients;
mod providers;
pub use clients::{
    ClaudeCodeCommand, ClaudeCodeEnvArgs, EnvShell, KeysAddArgs, KeysCommand, KeysRemoveArgs,
};
pub use providers::ProviderFlags;

const ABOUT: &str = "Run the Higress AI Gateway on Docker and wire it into OpenClaw.";

const AFTER_HELP: &str = "\
Examples:
  higress-claw start --non-interactive --zhipuai-key sk-xxx --auto-routing --auto-routing-default-model glm-5
  higress-claw status --json
  higress-claw stop";

#[derive(Debug, Parser)]
#[command(name = "higress-claw", version = env!("HIGRESS_CLAW_VERSION"), about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Only print errors and the command's data.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail about what is done.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// The gateway's data folder [default: the running container's /data mount, else
    /// $HIGRESS_CLAW_DATA_DIR, else ~/.higress-claw/data].
    #[arg(long, visible_alias = "data-folder", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Name of the gateway container.
    #[arg(
        long,
        global = true,
        default_value = crate::gateway::DEFAULT_CONTAINER_NAME,
        value_name = "NAME",
        value_parser = crate::docker::parse_container_name
    )]
    pub container_name: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the gateway's data folder, without touching Docker.
    #[command(
        after_help = "Examples:\n  higress-claw init --zhipuai-key sk-xxx\n  higress-claw init --data-dir ./higress --openai-key sk-xxx --openai-models 'gpt-4o,gpt-4.1*'"
    )]
    Init(InitArgs),
    /// Write the configuration if needed, run the gateway container and wait until it answers.
    #[command(
        after_help = "Examples:\n  higress-claw start --non-interactive --zhipuai-key sk-xxx\n  higress-claw start --deepseek-key sk-xxx --auto-routing --auto-routing-default-model deepseek-chat\n  HIGRESS_CLAW_OPENAI_KEY=sk-xxx higress-claw start --http-port 18080"
    )]
    Start(StartArgs),
    /// Stop the gateway container (the configuration is kept).
    #[command(after_help = "Example:\n  higress-claw stop")]
    Stop,
    /// Remove the gateway container; the data folder is kept unless --purge.
    #[command(
        after_help = "Examples:\n  higress-claw delete --force\n  higress-claw delete --force --purge --yes"
    )]
    Delete(DeleteArgs),
    /// Show the container, its ports and readiness, and the configured providers.
    #[command(after_help = "Examples:\n  higress-claw status\n  higress-claw status --json")]
    Status,
    /// Check Docker, ports, inotify, disk, the data folder and the gateway; say how to fix.
    #[command(after_help = "Examples:\n  higress-claw doctor\n  higress-claw doctor --json")]
    Doctor,
    /// Print the gateway container's logs.
    #[command(
        after_help = "Examples:\n  higress-claw logs --tail 50\n  higress-claw logs --follow"
    )]
    Logs(LogsArgs),
    /// Requests, errors, tokens and latency per model and provider, from the access log.
    #[command(
        after_help = "Reads <data>/logs/gateway.log and its rotations gateway.log.1 … .10 (and access.log*,\nwritten by the observability image), oldest first, one line at a time. p50/p95 come from a\nfixed histogram: exact below 128 ms, within 0.4% above. Lines that are no AI request are\nskipped; unreadable ones are counted and the first is named, never fatal.\n\nExamples:\n  higress-claw usage\n  higress-claw usage --since 7d --by provider\n  higress-claw usage --since all --by day --json"
    )]
    Usage(UsageArgs),
    /// Add, list or remove provider API keys; Higress reloads the change without a restart.
    #[command(
        subcommand,
        after_help = "Examples:\n  higress-claw config add --provider deepseek --key sk-xxx\n  higress-claw config list\n  higress-claw config remove --provider deepseek"
    )]
    Config(ConfigCommand),
    /// Auto-routing rules for the model `higress/auto`: add, list, remove, enable, disable, test.
    #[command(
        subcommand,
        after_help = "Examples:\n  higress-claw route enable --default-model glm-5\n  higress-claw route add --model glm-4-flash --trigger \"quick|fast\"\n  higress-claw route list\n  higress-claw route test \"quick question\""
    )]
    Route(RouteCommand),
    /// Client keys for the AI routes: add (shown once), list (masked), remove.
    #[command(
        subcommand,
        after_help = "Examples:\n  higress-claw keys add laptop\n  higress-claw keys list\n  higress-claw keys remove laptop"
    )]
    Keys(KeysCommand),
    /// Point Claude Code at the gateway (its Anthropic Messages API at /v1/messages).
    #[command(
        subcommand,
        name = "claude-code",
        after_help = "Example:\n  eval \"$(higress-claw claude-code env)\""
    )]
    ClaudeCode(ClaudeCodeCommand),
    /// List what the gateway serves (with each model's facts), resolve a model, or correct
    /// or add a model's facts.
    #[command(
        after_help = "Examples:\n  higress-claw models\n  higress-claw models --json\n  higress-claw models resolve glm-5\n  higress-claw models set deepseek-chat --context-window 131072 --max-tokens 8192\n  higress-claw models unset deepseek-chat"
    )]
    Models(ModelsArgs),
    /// Pull a newer image (or --image-tag) and recreate the container on the same folder and
    /// ports; roll back to the old container if the new one does not become ready.
    #[command(
        after_help = "Examples:\n  higress-claw upgrade\n  higress-claw upgrade --image-tag 2.1.9"
    )]
    Upgrade(UpgradeArgs),
    /// Install the OpenClaw plugin, and make OpenClaw use the gateway (no prompts).
    #[command(
        subcommand,
        name = "openclaw",
        after_help = "Examples:\n  higress-claw openclaw install\n  higress-claw openclaw setup\n  higress-claw openclaw setup --dry-run"
    )]
    OpenClaw(OpenClawCommand),
    /// Export the AI configuration for a Helm-installed Higress on Kubernetes.
    #[command(
        after_help = "Examples:\n  higress-claw export | kubectl apply -f -\n  higress-claw export --namespace higress-system -o higress-ai.yaml --redact-keys\n  higress-claw export --format helm-values > values.yaml"
    )]
    Export(ExportArgs),
    /// Finish or remove providers an interrupted edit left incomplete; report damage it
    /// cannot repair.
    #[command(
        after_help = "Examples:\n  higress-claw repair\n  higress-claw repair --data-dir ./higress --json"
    )]
    Repair,
    /// Remove the placeholder providers get-ai-gateway.sh writes for nobody (`YOUR_…_API_KEY`).
    #[command(
        after_help = "Examples:\n  higress-claw tidy --data-dir ./higress\n  higress-claw tidy --container-name higress-ai-gateway"
    )]
    Tidy,
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  higress-claw completions bash > ~/.local/share/bash-completion/completions/higress-claw\n  higress-claw completions zsh > \"${fpath[1]}/_higress-claw\"\n  higress-claw completions fish > ~/.config/fish/completions/higress-claw.fish"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Manage higress-claw itself: `self update` updates the binary to the latest release.
    #[command(
        subcommand,
        name = "self",
        after_help = "Examples:\n  higress-claw self update\n  higress-claw self update 0.2.0\n  higress-claw self update --json"
    )]
    SelfManage(SelfCommand),
}

#[derive(Debug, Subcommand)]
pub enum SelfCommand {
    /// Update a binary the installer put in place to the latest release; for an npm or
    /// cargo install, print the command that updates it.
    #[command(
        after_help = "Examples:\n  higress-claw self update\n  higress-claw self update 0.2.0\n  HIGRESS_CLAW_INSTALLER_GITHUB_BASE_URL=https://mirror.example higress-claw self update"
    )]
    Update(SelfUpdateArgs),
}

#[derive(Debug, Args)]
pub struct SelfUpdateArgs {
    /// The version to install [default: the latest release].
    #[arg(value_name = "VERSION")]
    pub version: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RouteCommand {
    /// Add a rule: messages that match go to MODEL.
    #[command(
        after_help = "Examples:\n  higress-claw route add --model glm-4-flash --trigger \"quick|fast\"\n  higress-claw route add --model deepseek-reasoner --trigger \"think|深入思考\"\n  higress-claw route add --model deepseek-chat --pattern '(?i)\\b(code|debug)\\b'"
    )]
    Add(RouteAddArgs),
    /// List the rules with their ids, and the default model.
    #[command(
        after_help = "Examples:\n  higress-claw route list\n  higress-claw route list --json"
    )]
    List,
    /// Remove the rule with the id `route list` shows (later ids move up by one).
    #[command(after_help = "Example:\n  higress-claw route remove --rule-id 0")]
    Remove(RouteRemoveArgs),
    /// Turn auto-routing on (hot), with the model used when no rule matches.
    #[command(
        after_help = "Examples:\n  higress-claw route enable --default-model glm-5\n  higress-claw route enable    # again, after route disable"
    )]
    Enable(RouteEnableArgs),
    /// Turn auto-routing off; the rules are kept.
    #[command(after_help = "Example:\n  higress-claw route disable")]
    Disable,
    /// Explain, offline, where a `higress/auto` request with this last user message goes.
    #[command(
        after_help = "Examples:\n  higress-claw route test \"quick question: what is RE2?\"\n  higress-claw route test --json \"深入思考 如何设计一个高并发系统？\""
    )]
    Test(RouteTestArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("matcher").required(true).args(["trigger", "pattern"])))]
pub struct RouteAddArgs {
    /// The model that matching messages are sent to.
    #[arg(long, value_name = "MODEL", value_parser = crate::values::model_id)]
    pub model: String,
    /// Literal phrases separated by `|`; a message starting with one of them matches (any case).
    #[arg(long, value_name = "PHRASES")]
    pub trigger: Option<String>,
    /// An RE2 regular expression searched in the message.
    #[arg(long, value_name = "REGEX")]
    pub pattern: Option<String>,
}

#[derive(Debug, Args)]
pub struct RouteRemoveArgs {
    /// The rule's id, as `route list` shows it.
    #[arg(long, value_name = "N")]
    pub rule_id: usize,
}

#[derive(Debug, Args)]
pub struct RouteEnableArgs {
    /// The model used when no rule matches [default: the one kept by `route disable`].
    #[arg(long, value_name = "MODEL", value_parser = crate::values::model_id)]
    pub default_model: Option<String>,
}

#[derive(Debug, Args)]
pub struct RouteTestArgs {
    /// The last user message of the request.
    pub message: String,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub command: Option<ModelsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Name the provider that serves MODEL.
    #[command(after_help = "Example:\n  higress-claw models resolve glm-5")]
    Resolve {
        /// A model id, e.g. glm-5.
        #[arg(value_parser = crate::values::model_id)]
        model: String,
    },
    /// Correct or add what clients are told about MODEL; `openclaw setup` uses it. A model
    /// the catalog does not know is listed under the provider whose route accepts it.
    #[command(
        after_help = "Examples:\n  higress-claw models set kimi-k2.5 --max-tokens 32768\n  higress-claw models set deepseek-v4 --context-window 1000000 --reasoning true --input text\n  higress-claw models set higress/auto --context-window 128000"
    )]
    Set(ModelsSetArgs),
    /// Forget what `models set` said about MODEL (the catalog's facts apply again).
    #[command(after_help = "Example:\n  higress-claw models unset deepseek-v4")]
    Unset {
        /// A model id, e.g. deepseek-v4.
        #[arg(value_parser = crate::values::model_id)]
        model: String,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("facts").required(true).multiple(true).args(["context_window", "max_tokens", "reasoning", "input", "name"])))]
pub struct ModelsSetArgs {
    /// A model id, e.g. glm-5 (`higress/auto` for the auto-router).
    #[arg(value_parser = crate::values::model_id)]
    pub model: String,
    /// Tokens of context the model takes (prompt and reply).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub context_window: Option<u32>,
    /// The most tokens one reply may have.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_tokens: Option<u32>,
    /// Whether the model reasons (thinks) before it answers.
    #[arg(long, value_name = "BOOL", value_parser = clap::builder::BoolValueParser::new())]
    pub reasoning: Option<bool>,
    /// What the model takes as input, comma-separated: text, image.
    #[arg(long, value_name = "KINDS", value_parser = crate::gateway::models::InputKinds::parse)]
    pub input: Option<crate::gateway::models::InputKinds>,
    /// The name clients show.
    #[arg(long, value_name = "NAME", value_parser = crate::gateway::models::display_name)]
    pub name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Add a provider, or update its key, models or settings.
    #[command(
        after_help = "Examples:\n  higress-claw config add --provider deepseek --key sk-xxx\n  higress-claw config add --provider zhipuai --extra-config zhipuDomain=api.z.ai\n  echo sk-xxx | higress-claw config add --provider kimi --key -\n  higress-claw config add --provider deepseek --key sk-a,sk-b --failover --health-check-model deepseek-chat --retries 1\n  higress-claw config add --provider deepseek --fallback qwen:qwen-max --fallback-on 5xx"
    )]
    Add(ConfigAddArgs),
    /// List configured providers with masked keys, as the gateway uses them.
    #[command(
        after_help = "Examples:\n  higress-claw config list\n  higress-claw config list --json"
    )]
    List,
    /// Remove a provider and every resource of it.
    #[command(after_help = "Example:\n  higress-claw config remove --provider deepseek")]
    Remove(ConfigRemoveArgs),
}

#[derive(Debug, Args)]
pub struct ConfigAddArgs {
    /// Provider id or alias (dashscope/qwen, moonshot/kimi, zhipuai/zhipu, togetherai/together, …).
    #[arg(long, value_name = "PROVIDER")]
    pub provider: String,
    /// API key(s), comma-separated; `-` reads them from stdin [default: $HIGRESS_CLAW_<PROVIDER>_KEY].
    #[arg(long, value_name = "KEY", value_parser = crate::secret::parse)]
    pub key: Option<crate::secret::Secret>,
    /// Model patterns this provider serves, e.g. 'gpt-4o,gpt-4.1*'.
    #[arg(long, value_name = "PATTERN", value_parser = crate::values::model_pattern)]
    pub models: Option<String>,
    /// A provider setting, e.g. zhipuDomain=api.z.ai (repeatable).
    #[arg(long = "extra-config", value_name = "KEY=VALUE")]
    pub extra_config: Vec<String>,
    #[command(flatten)]
    pub resilience: ResilienceArgs,
    #[command(flatten)]
    pub fallback: FallbackArgs,
}

const RESILIENCE_HEADING: &str = "Key failover and retries (ai-proxy)";
const FALLBACK_HEADING: &str = "Fallback to other providers (the console's AI-route fallback)";

/// Key failover and retries of one provider; given flags change, the rest is kept.
#[derive(Debug, Args, Clone, Default)]
pub struct ResilienceArgs {
    /// Take a key that keeps failing out of rotation, and health-check it back in; needs --health-check-model.
    #[arg(long, conflicts_with = "no_failover", help_heading = RESILIENCE_HEADING)]
    pub failover: bool,
    /// Turn key failover off.
    #[arg(long, help_heading = RESILIENCE_HEADING)]
    pub no_failover: bool,
    /// The model the health check asks, with a key taken out of rotation, until it answers 200.
    #[arg(long, value_name = "MODEL", value_parser = crate::values::model_id, help_heading = RESILIENCE_HEADING)]
    pub health_check_model: Option<String>,
    /// Failed requests in a row that take a key out of rotation [default: 3].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = RESILIENCE_HEADING)]
    pub failure_threshold: Option<u32>,
    /// Passed health checks in a row that put a key back [default: 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = RESILIENCE_HEADING)]
    pub success_threshold: Option<u32>,
    /// Milliseconds between health checks of a key out of rotation [default: 5000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u32).range(1..), help_heading = RESILIENCE_HEADING)]
    pub health_check_interval: Option<u32>,
    /// Milliseconds a health check may take [default: 5000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u32).range(1..), help_heading = RESILIENCE_HEADING)]
    pub health_check_timeout: Option<u32>,
    /// Retry a failed request up to N times, each with another key (needs 2 keys or more; 0 turns retries off). Covers non-streaming requests only: the plugin documents no more, and a streamed request it retries gets its answer in one piece.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10), help_heading = RESILIENCE_HEADING)]
    pub retries: Option<u32>,
}

/// Cross-provider fallback of one provider's route.
#[derive(Debug, Args, Clone, Default)]
pub struct FallbackArgs {
    /// When this provider answers with an error, send the request to these configured providers instead, with MODEL (default: an example model of each from the catalog), e.g. qwen:qwen-max,openai.
    #[arg(long, value_name = "PROVIDER[:MODEL],…", conflicts_with = "no_fallback", help_heading = FALLBACK_HEADING)]
    pub fallback: Option<String>,
    /// Which answers fall back: 4xx, 5xx or both [default: 4xx,5xx].
    #[arg(long, value_name = "4xx,5xx", help_heading = FALLBACK_HEADING)]
    pub fallback_on: Option<String>,
    /// rand: each fallback request goes to one of the fallback providers at random; seq: always to the first [default: rand].
    #[arg(long, value_enum, value_name = "rand|seq", help_heading = FALLBACK_HEADING)]
    pub fallback_strategy: Option<FallbackStrategy>,
    /// Remove this provider's fallback.
    #[arg(long, conflicts_with_all = ["fallback_on", "fallback_strategy"], help_heading = FALLBACK_HEADING)]
    pub no_fallback: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FallbackStrategy {
    Rand,
    Seq,
}

#[derive(Debug, Args)]
pub struct ConfigRemoveArgs {
    /// Provider id or alias.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: String,
}

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    #[command(flatten)]
    pub providers: ProviderFlags,
    /// Enable auto-routing for the model `higress/auto`.
    #[arg(long)]
    pub auto_routing: bool,
    /// The model `higress/auto` uses when no routing rule matches (with --auto-routing).
    #[arg(long, value_name = "MODEL", value_parser = crate::values::model_id)]
    pub auto_routing_default_model: Option<String>,
    /// Region for endpoint and image registry choices; auto reads the timezone.
    #[arg(long, value_enum, default_value_t = RegionChoice::Auto)]
    pub region: RegionChoice,
    /// Never ask, even on a terminal (without a terminal higress-claw never asks anyway).
    #[arg(long, alias = "batch")]
    pub non_interactive: bool,
    /// Key failover for a provider named by its flags, with its health-check model and the plugin's default thresholds (repeatable; tune it later with `config add --failure-threshold …`).
    #[arg(long, value_name = "PROVIDER:MODEL", help_heading = RESILIENCE_HEADING)]
    pub failover: Vec<String>,
    /// Retry a provider's failed requests up to N times with another key (repeatable; needs 2 keys or more; non-streaming requests only).
    #[arg(long, value_name = "PROVIDER:N", help_heading = RESILIENCE_HEADING)]
    pub retries: Vec<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub configure: ConfigureArgs,
    /// Overwrite a folder that is already configured.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub ports: PortArgs,
}

#[derive(Debug, Args, Clone)]
pub struct PortArgs {
    /// Port of the gateway's HTTP listener [default: 8080, or the folder's default.cfg].
    #[arg(long, value_name = "PORT", allow_negative_numbers = true)]
    pub http_port: Option<u16>,
    /// Port of the gateway's HTTPS listener [default: 8443, or the folder's default.cfg].
    #[arg(long, value_name = "PORT", allow_negative_numbers = true)]
    pub https_port: Option<u16>,
    /// Port of the Higress console [default: 8001, or the folder's default.cfg].
    #[arg(long, value_name = "PORT", allow_negative_numbers = true)]
    pub console_port: Option<u16>,
}

/// The flag that sets the port of `role`.
pub fn port_flag(role: crate::docker::PortRole) -> &'static str {
    use crate::docker::PortRole;
    match role {
        PortRole::Http => "--http-port",
        PortRole::Https => "--https-port",
        PortRole::Console => "--console-port",
    }
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub configure: ConfigureArgs,
    #[command(flatten)]
    pub ports: PortArgs,
    /// Image repository [default: the registry nearest to your timezone].
    #[arg(long, value_name = "REPO", value_parser = crate::values::image_repo)]
    pub image_repo: Option<String>,
    /// Image tag [default: latest, or the folder's default.cfg].
    #[arg(long, value_name = "TAG", value_parser = crate::values::image_tag)]
    pub image_tag: Option<String>,
    /// Address the gateway's ports are published on [default: 127.0.0.1, or the
    /// folder's default.cfg]. Anything but loopback needs a client key first
    /// (`higress-claw keys add NAME`) or --allow-unauthenticated. The console stays on
    /// 127.0.0.1 unless --publish-console.
    #[arg(long, value_name = "ADDRESS")]
    pub bind: Option<std::net::IpAddr>,
    #[command(flatten)]
    pub exposure: ExposureArgs,
    /// Publish the console port on --bind's address too (the console has its own login).
    #[arg(long)]
    pub publish_console: bool,
    /// Seconds to wait for the gateway and console to answer.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub wait_timeout: u64,
    /// Return once the container runs, without waiting for it to answer.
    #[arg(long)]
    pub no_wait: bool,
}

#[derive(Debug, Subcommand)]
pub enum OpenClawCommand {
    /// Install (or upgrade) the Higress provider plugin and its skills into OpenClaw.
    #[command(after_help = "Example:\n  higress-claw openclaw install --json")]
    Install,
    /// Point OpenClaw at the gateway: provider `higress`, its models, the default model.
    #[command(
        after_help = "Examples:\n  higress-claw openclaw setup\n  higress-claw openclaw setup --dry-run\n  higress-claw openclaw setup --base-url http://10.0.0.5:8080/v1"
    )]
    Setup(OpenClawSetupArgs),
}

#[derive(Debug, Args)]
pub struct OpenClawSetupArgs {
    /// Print the config patch instead of applying it.
    #[arg(long)]
    pub dry_run: bool,
    /// Gateway URL OpenClaw should call [default: http://127.0.0.1:<http-port>/v1].
    #[arg(long, value_name = "URL", value_parser = crate::values::http_url)]
    pub base_url: Option<String>,
    /// Which client key OpenClaw uses, by name [default: the first one, when the
    /// gateway has client keys].
    #[arg(long, value_name = "NAME", value_parser = crate::values::client_key_name, conflicts_with = "api_key")]
    pub client_key: Option<String>,
    /// Key OpenClaw sends to the gateway [default: the client key, when keys are on].
    #[arg(
        long,
        value_name = "KEY",
        env = crate::env_vars::GATEWAY_KEY,
        hide_env_values = true,
        value_parser = crate::secret::parse
    )]
    pub api_key: Option<crate::secret::Secret>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, value_enum, default_value_t = ExportFormat::Kubernetes)]
    pub format: ExportFormat,
    /// Namespace of the objects (where Higress is installed).
    #[arg(long, default_value = "higress-system", value_name = "NS", value_parser = crate::values::namespace)]
    pub namespace: String,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Registry the cluster pulls Wasm plugins from [default: the deployment's registry].
    #[arg(long, value_name = "HOST", value_parser = crate::values::registry)]
    pub plugin_registry: Option<String>,
    /// Write placeholders instead of API keys, and list what to fill in.
    #[arg(long)]
    pub redact_keys: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Multi-document YAML for `kubectl apply -f`.
    Kubernetes,
    /// The `values.yaml` fragment of the Higress Helm chart.
    HelmValues,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Image repository [default: the current container's].
    #[arg(long, value_name = "REPO", value_parser = crate::values::image_repo)]
    pub image_repo: Option<String>,
    /// Image tag [default: the current container's, pulled again].
    #[arg(long, value_name = "TAG", value_parser = crate::values::image_tag)]
    pub image_tag: Option<String>,
    /// Seconds to wait for the new container to answer before rolling back.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub wait_timeout: u64,
    /// Recreate the container even when the image is the one it already runs.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub exposure: ExposureArgs,
}

#[derive(Debug, Args)]
pub struct ExposureArgs {
    /// Publish the gateway beyond loopback without client keys: anyone who reaches the
    /// address can spend your provider keys.
    #[arg(long)]
    pub allow_unauthenticated: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Stop and remove the container even if it is running.
    #[arg(long, short)]
    pub force: bool,
    /// Also delete the data folder (all configuration and keys).
    #[arg(long)]
    pub purge: bool,
    /// Do not ask for confirmation of --purge.
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Keep printing new log lines.
    #[arg(long, short)]
    pub follow: bool,
    /// Number of lines from the end to show.
    #[arg(long, short = 'n', value_name = "N")]
    pub tail: Option<usize>,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// How far back: a number and s, m, h, d or w (`90m`, `24h`, `7d`), or `all`.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::values::since)]
    pub since: crate::usage::Since,
    /// One table by model, provider or UTC day (default: by model, then by provider).
    #[arg(long, value_name = "GROUP")]
    pub by: Option<UsageGroup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UsageGroup {
    Model,
    Provider,
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegionChoice {
    Auto,
    China,
    International,
}
