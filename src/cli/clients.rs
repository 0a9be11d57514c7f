//! The clap types of the commands for the gateway's clients: `keys` (who may call the
//! AI routes) and `claude-code` (pointing Claude Code at the gateway).

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a client key for every AI route; the key is shown once, here.
    #[command(
        after_help = "Examples:\n  higress-claw keys add laptop\n  higress-claw keys add ci --json\n  printf '%s' \"$KEY\" | higress-claw keys add shared --key -\n\nClients send it as `Authorization: Bearer <key>` (OpenAI clients' API key, Claude Code's ANTHROPIC_AUTH_TOKEN). Requests without a valid key get 401."
    )]
    Add(KeysAddArgs),
    /// List the client keys (masked) and the routes they protect.
    #[command(after_help = "Examples:\n  higress-claw keys list\n  higress-claw keys list --json")]
    List,
    /// Remove a client key; after the last one the AI routes no longer ask for a key.
    #[command(after_help = "Example:\n  higress-claw keys remove laptop")]
    Remove(KeysRemoveArgs),
}

#[derive(Debug, Args)]
pub struct KeysAddArgs {
    /// Who uses the key (letters, digits, '-' and '_'): it names the Higress consumer.
    #[arg(value_name = "NAME", value_parser = crate::values::client_key_name)]
    pub name: String,
    /// `-` reads the key from stdin instead of generating one (16 to 256 printable
    /// characters, no blanks).
    #[arg(long, value_name = "-", value_parser = ["-"])]
    pub key: Option<String>,
}

#[derive(Debug, Args)]
pub struct KeysRemoveArgs {
    /// The key's name, as `keys list` shows it.
    #[arg(value_name = "NAME", value_parser = crate::values::client_key_name)]
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum ClaudeCodeCommand {
    /// Print the environment lines that point Claude Code at this gateway.
    #[command(
        after_help = "Examples:\n  eval \"$(higress-claw claude-code env)\"\n  higress-claw claude-code env --shell fish | source\n  higress-claw claude-code env --shell powershell | Invoke-Expression\n  higress-claw claude-code env --model glm-5 --json\n\nClaude Code calls $ANTHROPIC_BASE_URL/v1/messages, which the gateway serves for every provider (ai-proxy converts the Anthropic Messages API). Unset ANTHROPIC_API_KEY in that shell: Claude Code prefers it to ANTHROPIC_AUTH_TOKEN."
    )]
    Env(ClaudeCodeEnvArgs),
}

#[derive(Debug, Args)]
pub struct ClaudeCodeEnvArgs {
    /// The model Claude Code asks for [default: higress/auto with auto-routing on, else
    /// an example model of the first configured provider].
    #[arg(long, value_name = "MODEL", value_parser = crate::values::model_id)]
    pub model: Option<String>,
    /// Which client key to use, by name [default: the first one].
    #[arg(long, value_name = "NAME", value_parser = crate::values::client_key_name)]
    pub client_key: Option<String>,
    /// The shell syntax of the lines.
    #[arg(long, value_enum, default_value_t = EnvShell::Sh)]
    pub shell: EnvShell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvShell {
    /// `export NAME='value'` (sh, bash, zsh).
    Sh,
    /// `set -gx NAME 'value'`.
    Fish,
    /// `$env:NAME = 'value'`.
    Powershell,
}
