//! Hosted providers outside China, and the clouds that resell models.

use super::{defaulting, of_kind, provider, required, text};
use crate::gateway::catalog::{AltKey, EndpointRule, KeyRule, ProviderSpec, SettingKind};

pub(super) const AZURE: ProviderSpec = ProviderSpec {
    endpoint: EndpointRule::FromUrl("azureServiceUrl"),
    settings: &[required(text(
        "azureServiceUrl",
        "azure-service-url",
        "Azure OpenAI URL, e.g. https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT/chat/completions?api-version=2024-06-01",
    ))],
    ..provider(
        "azure",
        "azure",
        "Azure OpenAI",
        "openai.azure.com",
        "gpt-*,o1-*,o3-*",
        &["gpt-5.4", "gpt-5.4-mini", "gpt-4o"],
    )
};

pub(super) const BEDROCK: ProviderSpec = ProviderSpec {
    endpoint: EndpointRule::Bedrock,
    key: KeyRule::BedrockKeyOrAccessKeys,
    settings: &[
        required(of_kind(
            text("awsRegion", "bedrock-region", "AWS region, e.g. us-east-1"),
            SettingKind::Host,
        )),
        of_kind(
            text("awsAccessKey", "bedrock-access-key", "AWS access key id"),
            SettingKind::Secret,
        ),
        of_kind(
            text(
                "awsSecretKey",
                "bedrock-secret-key",
                "AWS secret access key",
            ),
            SettingKind::Secret,
        ),
    ],
    ..provider(
        "bedrock",
        "bedrock",
        "AWS Bedrock",
        "bedrock-runtime.us-east-1.amazonaws.com",
        "*",
        &["anthropic.claude-3-5-sonnet-20241022-v2:0"],
    )
};

pub(super) const VERTEX: ProviderSpec = ProviderSpec {
    endpoint: EndpointRule::Vertex,
    key: KeyRule::VertexKeyOrServiceAccount,
    settings: &[
        text(
            "vertexProjectId",
            "vertex-project-id",
            "Google Cloud project id",
        ),
        text(
            "vertexRegion",
            "vertex-region",
            "Google Cloud region, e.g. us-central1",
        ),
        of_kind(
            text(
                "vertexAuthKey",
                "vertex-auth-key-file",
                "Service-account key JSON file (standard mode)",
            ),
            SettingKind::FileContents,
        ),
        text(
            "vertexAuthServiceName",
            "vertex-auth-service-name",
            "Name of the gateway service for Google's token endpoint (standard mode); higress-claw writes that service [default: vertex-oauth2]",
        ),
    ],
    ..provider(
        "vertex",
        "vertex",
        "Google Vertex AI",
        "aiplatform.googleapis.com",
        "gemini-*",
        &["gemini-2.5-pro", "gemini-2.5-flash"],
    )
};

pub(super) const OPENAI: ProviderSpec = provider(
    "openai",
    "openai",
    "OpenAI",
    "api.openai.com",
    "gpt-*,o1-*,o3-*",
    &["gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-4.1"],
);

pub(super) const OPENROUTER: ProviderSpec = provider(
    "openrouter",
    "openrouter",
    "OpenRouter",
    "openrouter.ai",
    "*",
    &["openai/gpt-4o", "anthropic/claude-sonnet-4"],
);

pub(super) const CLAUDE: ProviderSpec = ProviderSpec {
    aliases: &["anthropic"],
    settings: &[
        defaulting(
            text(
                "claudeVersion",
                "claude-version",
                "anthropic-version header [default: 2023-06-01]",
            ),
            "2023-06-01",
        ),
        of_kind(
            text(
                "claudeCodeMode",
                "claude-code-mode",
                "Send requests the way Claude Code does (OAuth token from `claude setup-token`)",
            ),
            SettingKind::Bool,
        ),
    ],
    alt_key: Some(AltKey {
        flag_stem: "claude-code",
        display_name: "Claude Code",
        sets: &[("claudeCodeMode", "true")],
        help: "Claude Code OAuth token (from `claude setup-token`); enables Claude Code mode",
    }),
    ..provider(
        "claude",
        "claude",
        "Claude (Anthropic)",
        "api.anthropic.com",
        "claude-*",
        &["claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5"],
    )
};

pub(super) const CLOUDFLARE: ProviderSpec = ProviderSpec {
    settings: &[required(text(
        "cloudflareAccountId",
        "cloudflare-account-id",
        "Cloudflare account id",
    ))],
    ..provider(
        "cloudflare",
        "cloudflare",
        "Cloudflare Workers AI",
        "api.cloudflare.com",
        "*",
        &["@cf/meta/llama-3.1-8b-instruct"],
    )
};

/// The plugin's `cohere` type speaks Cohere's v1 chat (`/v1/chat`, first message
/// only) and hands Cohere's own reply back to an OpenAI client; Cohere's documented
/// Compatibility API (`/compatibility/v1/chat/completions`) takes and answers the
/// OpenAI format, so the entry is the plugin's OpenAI type pointed at it.
pub(super) const COHERE: ProviderSpec = ProviderSpec {
    fixed: &[("openaiCustomUrl", "https://api.cohere.ai/compatibility/v1")],
    ..provider(
        "cohere",
        "openai",
        "Cohere",
        "api.cohere.ai",
        "command*",
        &["command-r-plus", "command-r"],
    )
};

pub(super) const DEEPL: ProviderSpec = ProviderSpec {
    endpoint: EndpointRule::DeepL,
    key_help: Some(
        "DeepL API key(s), comma-separated, of one plan: Free keys (ending in :fx) reach api-free.deepl.com and requests name the model Free; Pro keys reach api.deepl.com with the model Pro",
    ),
    settings: &[required(text(
        "targetLang",
        "deepl-target-lang",
        "Target language, e.g. EN-US or ZH",
    ))],
    // The plugin takes the plan as the model, `Pro` or `Free`, and picks the host from
    // it; the registry follows the keys' plan (Free keys end in `:fx`).
    ..provider(
        "deepl",
        "deepl",
        "DeepL",
        "api.deepl.com",
        "*",
        &["Pro", "Free"],
    )
};

pub(super) const DIFY: ProviderSpec = ProviderSpec {
    endpoint: EndpointRule::FromUrl("difyApiUrl"),
    settings: &[
        text(
            "difyApiUrl",
            "dify-api-url",
            "Dify API URL for a self-hosted Dify [default: https://api.dify.ai]",
        ),
        // The plugin has no default and breaks every request without one; the
        // upstream installer writes Chat.
        of_kind(
            defaulting(
                text(
                    "botType",
                    "dify-bot-type",
                    "Chat, Completion, Agent or Workflow (Workflow needs the two variables) [default: Chat]",
                ),
                "Chat",
            ),
            SettingKind::Choice(&["Chat", "Completion", "Agent", "Workflow"]),
        ),
        text(
            "inputVariable",
            "dify-input-variable",
            "Workflow input variable",
        ),
        text(
            "outputVariable",
            "dify-output-variable",
            "Workflow output variable",
        ),
    ],
    ..provider("dify", "dify", "Dify", "api.dify.ai", "*", &["dify"])
};

/// Fireworks serves its OpenAI API under `/inference/v1`; the plugin sends `/v1/…`.
pub(super) const FIREWORKS: ProviderSpec = ProviderSpec {
    fixed: &[("basePath", "/inference"), ("basePathHandling", "prepend")],
    ..provider(
        "fireworks",
        "fireworks",
        "Fireworks AI",
        "api.fireworks.ai",
        "*",
        &["accounts/fireworks/models/llama-v3p1-70b-instruct"],
    )
};

/// The plugin's `github` type sends the token without `Bearer` to the Azure endpoint
/// GitHub retired; GitHub documents `https://models.github.ai/inference/chat/completions`
/// with `Authorization: Bearer`, and `publisher/model` ids. The plugin's OpenAI type
/// pointed there sends exactly that.
pub(super) const GITHUB: ProviderSpec = ProviderSpec {
    fixed: &[("openaiCustomUrl", "https://models.github.ai/inference")],
    ..provider(
        "github",
        "openai",
        "GitHub Models",
        "models.github.ai",
        "*",
        &["openai/gpt-4.1", "openai/gpt-4o"],
    )
};

pub(super) const GEMINI: ProviderSpec = ProviderSpec {
    aliases: &["google"],
    ..provider(
        "gemini",
        "gemini",
        "Google Gemini",
        "generativelanguage.googleapis.com",
        "gemini-*",
        &["gemini-2.5-pro", "gemini-2.5-flash"],
    )
};

pub(super) const GROK: ProviderSpec = ProviderSpec {
    aliases: &["xai"],
    ..provider(
        "grok",
        "grok",
        "Grok (xAI)",
        "api.x.ai",
        "grok-*",
        &["grok-4", "grok-3-mini"],
    )
};

pub(super) const GROQ: ProviderSpec = provider(
    "groq",
    "groq",
    "Groq",
    "api.groq.com",
    "*",
    &["llama-3.3-70b-versatile"],
);

pub(super) const MISTRAL: ProviderSpec = provider(
    "mistral",
    "mistral",
    "Mistral AI",
    "api.mistral.ai",
    "mistral-*,open-mistral-*",
    &["mistral-large-latest", "open-mistral-nemo"],
);

pub(super) const TOGETHERAI: ProviderSpec = ProviderSpec {
    aliases: &["together", "together-ai"],
    ..provider(
        "togetherai",
        // The template writes `togetherai`; the ai-proxy plugin only knows this name.
        "together-ai",
        "Together AI",
        "api.together.xyz",
        "*",
        &["meta-llama/Llama-3.3-70B-Instruct-Turbo"],
    )
};
