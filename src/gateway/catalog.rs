//! The provider catalog: every LLM provider the gateway can route to, in one table.
//!
//! The order is the upstream template's generation order, which fixes the order of
//! providers, match rules and registries in the files. Ids, ai-proxy types, domains and
//! default model patterns follow the upstream template, except where the ai-proxy plugin
//! disagrees with it (Together AI's type is `together-ai`). CLI flags, `config add
//! --extra-config` keys and validation are all derived from this table.

/// How a provider's upstream host is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointRule {
    /// The `domain` column as is.
    Fixed,
    /// The value of a setting (e.g. `zhipuDomain`), else the `domain` column.
    FromSetting(&'static str),
    /// Scheme, host and port of a URL setting (e.g. `azureServiceUrl`), else `domain`.
    FromUrl(&'static str),
    /// `bedrock-runtime.<awsRegion>.amazonaws.com`.
    Bedrock,
    /// `aiplatform.googleapis.com` in express mode (API key), else
    /// `<vertexRegion>-aiplatform.googleapis.com`.
    Vertex,
    /// TC3-signed API when `hunyuanAuthId` is set, else the OpenAI-compatible host.
    Hunyuan,
    /// `ollamaServerHost`:`ollamaServerPort` over plain HTTP.
    Ollama,
}

/// Which credentials a provider needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// At least one API key.
    Required,
    /// Keys are optional (a local Ollama needs none).
    Optional,
    /// An API key (bearer) or `awsAccessKey` + `awsSecretKey`.
    BedrockKeyOrAccessKeys,
    /// An API key (express mode) or a service-account key file with its service name.
    VertexKeyOrServiceAccount,
    /// An API key (OpenAI-compatible mode) or `hunyuanAuthId` + `hunyuanAuthKey`.
    HunyuanKeyOrAuthPair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    Text,
    /// A host name or IPv4 address: it becomes the registry's domain, and McpBridge
    /// takes nothing else there.
    Host,
    /// One of these spellings (the plugin compares them exactly); input is matched
    /// case-insensitively and written in the listed spelling.
    Choice(&'static [&'static str]),
    /// `true`/`false`; written as a YAML bool.
    Bool,
    /// A TCP port; written as a YAML number.
    Port,
    /// A credential: stored like text, masked in every output.
    Secret,
    /// The flag names a file whose contents (JSON, compacted) become the value.
    FileContents,
}

/// A provider setting written into its ai-proxy entry (`zhipuDomain: api.z.ai`).
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Field name in the ai-proxy provider entry; also the `--extra-config` key.
    pub field: &'static str,
    /// CLI flag without the dashes, e.g. `zhipuai-domain`.
    pub flag: &'static str,
    pub kind: SettingKind,
    /// Written when the user gives no value.
    pub default: Option<&'static str>,
    /// Must be given (or defaulted) for the provider to work.
    pub required: bool,
    pub help: &'static str,
}

/// A second way to give a provider's key that also switches settings on
/// (`--claude-code-key` = Claude with an OAuth token and `claudeCodeMode: true`).
#[derive(Debug, Clone, Copy)]
pub struct AltKey {
    pub flag_stem: &'static str,
    pub display_name: &'static str,
    pub sets: &'static [(&'static str, &'static str)],
    pub help: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct ProviderSpec {
    /// Provider id: file names (`ai-route-<id>.internal.yaml`), registry, `activeProviderId`.
    pub id: &'static str,
    /// ai-proxy `type`.
    pub ai_proxy_type: &'static str,
    pub display_name: &'static str,
    /// Stem of `--<stem>-key` / `--<stem>-models` (get-ai-gateway.sh's names).
    pub flag_stem: &'static str,
    /// Names accepted by `--provider` besides the id and the flag stem.
    pub aliases: &'static [&'static str],
    pub domain: &'static str,
    pub port: u16,
    pub protocol: &'static str,
    pub endpoint: EndpointRule,
    /// Default model pattern (comma-separated, `*` wildcards), as get-ai-gateway.sh sets it.
    pub models: &'static str,
    /// Concrete model ids, most useful first; used for examples and client model lists.
    pub example_models: &'static [&'static str],
    pub key: KeyRule,
    pub settings: &'static [Setting],
    pub alt_key: Option<AltKey>,
}

impl ProviderSpec {
    pub fn setting(&self, field: &str) -> Option<&'static Setting> {
        self.settings.iter().find(|s| s.field == field)
    }

    /// Every name `--provider` accepts for this provider.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        [self.id, self.flag_stem]
            .into_iter()
            .chain(self.aliases.iter().copied())
    }
}

const fn text(field: &'static str, flag: &'static str, help: &'static str) -> Setting {
    Setting {
        field,
        flag,
        kind: SettingKind::Text,
        default: None,
        required: false,
        help,
    }
}

const fn required(mut s: Setting) -> Setting {
    s.required = true;
    s
}

const fn of_kind(mut s: Setting, kind: SettingKind) -> Setting {
    s.kind = kind;
    s
}

const fn defaulting(mut s: Setting, value: &'static str) -> Setting {
    s.default = Some(value);
    s
}

const fn provider(
    id: &'static str,
    ai_proxy_type: &'static str,
    display_name: &'static str,
    domain: &'static str,
    models: &'static str,
    example_models: &'static [&'static str],
) -> ProviderSpec {
    ProviderSpec {
        id,
        ai_proxy_type,
        display_name,
        flag_stem: id,
        aliases: &[],
        domain,
        port: 443,
        protocol: "https",
        endpoint: EndpointRule::Fixed,
        models,
        example_models,
        key: KeyRule::Required,
        settings: &[],
        alt_key: None,
    }
}

pub static PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        flag_stem: "dashscope",
        aliases: &["qwen"],
        endpoint: EndpointRule::FromSetting("qwenDomain"),
        settings: &[of_kind(
            text(
                "qwenDomain",
                "dashscope-domain",
                "API domain, e.g. dashscope-intl.aliyuncs.com (international) [default: dashscope.aliyuncs.com]",
            ),
            SettingKind::Host,
        )],
        ..provider(
            "aliyun",
            "qwen",
            "Alibaba Cloud Qwen (Dashscope)",
            "dashscope.aliyuncs.com",
            "qwen*",
            &["qwen-max", "qwen-plus", "qwen-turbo", "qwen3-coder-plus"],
        )
    },
    provider(
        "deepseek",
        "deepseek",
        "DeepSeek",
        "api.deepseek.com",
        "deepseek-*",
        &["deepseek-chat", "deepseek-reasoner"],
    ),
    ProviderSpec {
        aliases: &["kimi"],
        ..provider(
            "moonshot",
            "moonshot",
            "Moonshot (Kimi)",
            "api.moonshot.cn",
            "moonshot-*,kimi-*",
            &[
                "kimi-k2-0905-preview",
                "kimi-k2-turbo-preview",
                "moonshot-v1-128k",
            ],
        )
    },
    ProviderSpec {
        aliases: &["zhipu", "z.ai", "zai", "glm"],
        endpoint: EndpointRule::FromSetting("zhipuDomain"),
        settings: &[
            of_kind(
                text(
                    "zhipuDomain",
                    "zhipuai-domain",
                    "API domain: open.bigmodel.cn (China) or api.z.ai (international) [default: by region]",
                ),
                SettingKind::Host,
            ),
            of_kind(
                defaulting(
                    text(
                        "zhipuCodePlanMode",
                        "zhipuai-code-plan-mode",
                        "Use the Code Plan endpoint (/api/coding/paas/v4) [default: true]",
                    ),
                    "true",
                ),
                SettingKind::Bool,
            ),
        ],
        ..provider(
            "zhipuai",
            "zhipuai",
            "z.ai / 智谱 (Zhipu AI)",
            "open.bigmodel.cn",
            "GLM-*,glm-*",
            &["glm-5", "glm-4.6", "glm-4.5-air", "glm-4-flash"],
        )
    },
    ProviderSpec {
        settings: &[
            of_kind(
                text(
                    "minimaxApiType",
                    "minimax-api-type",
                    "Which Minimax API: v2 (chat completion v2) or pro (ChatCompletion Pro, needs --minimax-group-id) [default: v2]",
                ),
                SettingKind::Choice(&["v2", "pro"]),
            ),
            text(
                "minimaxGroupId",
                "minimax-group-id",
                "Minimax group id (needed by the `pro` API)",
            ),
        ],
        ..provider(
            "minimax",
            "minimax",
            "Minimax",
            "api.minimax.chat",
            "abab-*,MiniMax-*,minimax-*",
            &["MiniMax-M2", "abab6.5s-chat"],
        )
    },
    ProviderSpec {
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
            &["gpt-4o", "gpt-4o-mini"],
        )
    },
    ProviderSpec {
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
    },
    ProviderSpec {
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
    },
    provider(
        "openai",
        "openai",
        "OpenAI",
        "api.openai.com",
        "gpt-*,o1-*,o3-*",
        &["gpt-4o", "gpt-4.1", "o3-mini"],
    ),
    provider(
        "openrouter",
        "openrouter",
        "OpenRouter",
        "openrouter.ai",
        "*",
        &["openai/gpt-4o", "anthropic/claude-sonnet-4"],
    ),
    ProviderSpec {
        aliases: &["01ai", "lingyiwanwu"],
        ..provider(
            "yi",
            "yi",
            "01.AI (Yi)",
            "api.lingyiwanwu.com",
            "yi-*",
            &["yi-lightning", "yi-large"],
        )
    },
    ProviderSpec {
        aliases: &["360"],
        ..provider(
            "ai360",
            "ai360",
            "360 Zhinao",
            "api.360.cn",
            "360GPT-*",
            &["360GPT-S2-V9"],
        )
    },
    provider(
        "baichuan",
        "baichuan",
        "Baichuan AI",
        "api.baichuan-ai.com",
        "Baichuan*",
        &["Baichuan4", "Baichuan3-Turbo"],
    ),
    ProviderSpec {
        aliases: &["ernie", "qianfan"],
        ..provider(
            "baidu",
            "baidu",
            "Baidu Qianfan (ERNIE)",
            "qianfan.baidubce.com",
            "ERNIE-*",
            &["ERNIE-4.0-8K", "ERNIE-Speed-128K"],
        )
    },
    ProviderSpec {
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
            &[
                "claude-sonnet-4-5",
                "claude-opus-4-1",
                "claude-3-5-haiku-latest",
            ],
        )
    },
    ProviderSpec {
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
    },
    provider(
        "cohere",
        "cohere",
        "Cohere",
        "api.cohere.com",
        "command*",
        &["command-r-plus", "command-r"],
    ),
    ProviderSpec {
        settings: &[required(text(
            "targetLang",
            "deepl-target-lang",
            "Target language, e.g. EN-US or ZH",
        ))],
        // The plugin takes the plan as the model: `Pro` or `Free`, nothing else.
        ..provider(
            "deepl",
            "deepl",
            "DeepL",
            "api.deepl.com",
            "*",
            &["Pro", "Free"],
        )
    },
    ProviderSpec {
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
    },
    ProviderSpec {
        aliases: &["volcengine", "ark"],
        endpoint: EndpointRule::FromSetting("doubaoDomain"),
        settings: &[of_kind(
            text(
                "doubaoDomain",
                "doubao-domain",
                "API domain [default: ark.cn-beijing.volces.com]",
            ),
            SettingKind::Host,
        )],
        ..provider(
            "doubao",
            "doubao",
            "Doubao (Volcengine)",
            "ark.cn-beijing.volces.com",
            "doubao-*",
            &["doubao-seed-1-6-250615", "doubao-1-5-pro-32k-250115"],
        )
    },
    provider(
        "fireworks",
        "fireworks",
        "Fireworks AI",
        "api.fireworks.ai",
        "*",
        &["accounts/fireworks/models/llama-v3p1-70b-instruct"],
    ),
    provider(
        "github",
        "github",
        "GitHub Models",
        "models.inference.ai.azure.com",
        "*",
        &["gpt-4o"],
    ),
    ProviderSpec {
        aliases: &["google"],
        ..provider(
            "gemini",
            "gemini",
            "Google Gemini",
            "generativelanguage.googleapis.com",
            "gemini-*",
            &["gemini-2.5-pro", "gemini-2.5-flash"],
        )
    },
    ProviderSpec {
        aliases: &["xai"],
        ..provider(
            "grok",
            "grok",
            "Grok (xAI)",
            "api.x.ai",
            "grok-*",
            &["grok-4", "grok-3-mini"],
        )
    },
    provider(
        "groq",
        "groq",
        "Groq",
        "api.groq.com",
        "*",
        &["llama-3.3-70b-versatile"],
    ),
    provider(
        "mistral",
        "mistral",
        "Mistral AI",
        "api.mistral.ai",
        "mistral-*,open-mistral-*",
        &["mistral-large-latest", "open-mistral-nemo"],
    ),
    ProviderSpec {
        port: 11434,
        protocol: "http",
        endpoint: EndpointRule::Ollama,
        key: KeyRule::Optional,
        settings: &[
            required(of_kind(
                text(
                    "ollamaServerHost",
                    "ollama-host",
                    "Host running Ollama, e.g. 192.168.1.10",
                ),
                SettingKind::Host,
            )),
            of_kind(
                defaulting(
                    text(
                        "ollamaServerPort",
                        "ollama-port",
                        "Ollama port [default: 11434]",
                    ),
                    "11434",
                ),
                SettingKind::Port,
            ),
        ],
        ..provider(
            "ollama",
            "ollama",
            "Ollama",
            "localhost",
            "llama*,codellama*",
            &["llama3.1", "codellama"],
        )
    },
    ProviderSpec {
        aliases: &["iflytek", "xunfei"],
        ..provider(
            "spark",
            "spark",
            "iFlyTek Spark",
            "spark-api-open.xf-yun.com",
            "*",
            &["4.0Ultra", "generalv3.5"],
        )
    },
    provider(
        "stepfun",
        "stepfun",
        "Stepfun",
        "api.stepfun.com",
        "step-*",
        &["step-2-16k", "step-1-8k"],
    ),
    ProviderSpec {
        aliases: &["tencent"],
        endpoint: EndpointRule::Hunyuan,
        key: KeyRule::HunyuanKeyOrAuthPair,
        settings: &[
            text(
                "hunyuanAuthId",
                "hunyuan-auth-id",
                "Tencent Cloud SecretId (36 characters)",
            ),
            of_kind(
                text(
                    "hunyuanAuthKey",
                    "hunyuan-auth-key",
                    "Tencent Cloud SecretKey (32 characters)",
                ),
                SettingKind::Secret,
            ),
        ],
        ..provider(
            "hunyuan",
            "hunyuan",
            "Tencent Hunyuan",
            "api.hunyuan.cloud.tencent.com",
            "hunyuan-*",
            &["hunyuan-turbos-latest", "hunyuan-lite"],
        )
    },
    ProviderSpec {
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
    },
];

/// Looks a provider up by id, flag stem or alias, ignoring case.
pub fn find(name: &str) -> Option<&'static ProviderSpec> {
    let wanted = name.trim().to_ascii_lowercase();
    PROVIDERS
        .iter()
        .find(|p| p.names().any(|n| n.eq_ignore_ascii_case(&wanted)))
}

/// The closest known name, for "did you mean" hints.
pub fn suggest(name: &str) -> Option<&'static str> {
    let wanted = name.trim().to_ascii_lowercase();
    PROVIDERS
        .iter()
        .flat_map(|p| p.names())
        .map(|n| (edit_distance(&wanted, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_flags_and_aliases_are_unique() {
        let mut seen = HashSet::new();
        for p in PROVIDERS {
            let own: HashSet<&str> = p.names().collect();
            for name in own {
                assert!(seen.insert(name), "{name} names two providers");
            }
        }
        assert_eq!(PROVIDERS.len(), 31);
    }

    #[test]
    fn aliases_resolve() {
        assert_eq!(find("qwen").unwrap().id, "aliyun");
        assert_eq!(find("Dashscope").unwrap().id, "aliyun");
        assert_eq!(find("kimi").unwrap().id, "moonshot");
        assert_eq!(find("zhipu").unwrap().id, "zhipuai");
        assert_eq!(find("together").unwrap().id, "togetherai");
        assert_eq!(find("together").unwrap().ai_proxy_type, "together-ai");
        assert!(find("nope").is_none());
        assert_eq!(suggest("deepsek"), Some("deepseek"));
    }
}

/// What a client (OpenClaw) needs to know about a model to use it well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub context_window: u32,
    pub max_tokens: u32,
    pub reasoning: bool,
    /// Accepts images as well as text.
    pub image: bool,
}

const fn model(
    id: &'static str,
    name: &'static str,
    context_window: u32,
    max_tokens: u32,
    reasoning: bool,
    image: bool,
) -> ModelInfo {
    ModelInfo {
        id,
        name,
        context_window,
        max_tokens,
        reasoning,
        image,
    }
}

/// Known models (the catalog's examples). Anything else gets [`model_info`]'s
/// conservative defaults: text only, no reasoning, 128k context.
pub static MODELS: &[ModelInfo] = &[
    model("qwen-max", "Qwen Max", 32_768, 8_192, false, false),
    model("qwen-plus", "Qwen Plus", 131_072, 8_192, false, false),
    model("qwen-turbo", "Qwen Turbo", 1_000_000, 8_192, false, false),
    model(
        "qwen3-coder-plus",
        "Qwen3 Coder Plus",
        1_000_000,
        65_536,
        false,
        false,
    ),
    model(
        "deepseek-chat",
        "DeepSeek Chat",
        65_536,
        8_192,
        false,
        false,
    ),
    model(
        "deepseek-reasoner",
        "DeepSeek Reasoner",
        65_536,
        32_768,
        true,
        false,
    ),
    model(
        "kimi-k2-0905-preview",
        "Kimi K2",
        262_144,
        16_384,
        false,
        false,
    ),
    model(
        "kimi-k2-turbo-preview",
        "Kimi K2 Turbo",
        262_144,
        16_384,
        false,
        false,
    ),
    model(
        "moonshot-v1-128k",
        "Moonshot v1 128k",
        131_072,
        8_192,
        false,
        false,
    ),
    model("glm-5", "GLM-5", 200_000, 131_072, true, false),
    model("glm-4.6", "GLM-4.6", 200_000, 131_072, true, false),
    model("glm-4.5-air", "GLM-4.5 Air", 131_072, 98_304, true, false),
    model("glm-4-flash", "GLM-4 Flash", 128_000, 4_096, false, false),
    model("MiniMax-M2", "MiniMax M2", 204_800, 131_072, true, false),
    model("abab6.5s-chat", "abab6.5s", 245_760, 8_192, false, false),
    model("gpt-4o", "GPT-4o", 128_000, 16_384, false, true),
    model("gpt-4o-mini", "GPT-4o mini", 128_000, 16_384, false, true),
    model("gpt-4.1", "GPT-4.1", 1_047_576, 32_768, false, true),
    model("o3-mini", "o3-mini", 200_000, 100_000, true, false),
    model(
        "claude-sonnet-4-5",
        "Claude Sonnet 4.5",
        200_000,
        64_000,
        true,
        true,
    ),
    model(
        "claude-opus-4-1",
        "Claude Opus 4.1",
        200_000,
        32_000,
        true,
        true,
    ),
    model(
        "claude-3-5-haiku-latest",
        "Claude 3.5 Haiku",
        200_000,
        8_192,
        false,
        true,
    ),
    model(
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        1_048_576,
        65_536,
        true,
        true,
    ),
    model(
        "gemini-2.5-flash",
        "Gemini 2.5 Flash",
        1_048_576,
        65_536,
        true,
        true,
    ),
    model("grok-4", "Grok 4", 256_000, 64_000, true, true),
    model("grok-3-mini", "Grok 3 mini", 131_072, 16_384, true, false),
    model("deepseek-v3", "DeepSeek V3", 65_536, 8_192, false, false),
];

/// The model the auto-router stands for in client model lists.
pub const AUTO_MODEL_INFO: ModelInfo =
    model("auto", "Higress auto-routing", 128_000, 8_192, false, false);

/// A model as a client's model list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientModel {
    pub id: String,
    pub name: String,
    pub reasoning: bool,
    /// `text`, and `image` when the model accepts images.
    pub input: Vec<&'static str>,
    pub context_window: u32,
    pub max_tokens: u32,
}

impl From<ModelInfo> for ClientModel {
    fn from(m: ModelInfo) -> Self {
        Self {
            id: m.id.to_string(),
            name: m.name.to_string(),
            reasoning: m.reasoning,
            input: if m.image {
                vec!["text", "image"]
            } else {
                vec!["text"]
            },
            context_window: m.context_window,
            max_tokens: m.max_tokens,
        }
    }
}

/// What is known about `id`, else defaults that claim nothing the model may not do
/// (text only, no reasoning, 128k context).
pub fn client_model(id: &str) -> ClientModel {
    match MODELS.iter().copied().find(|m| m.id == id) {
        Some(known) => known.into(),
        None => ClientModel {
            id: id.to_string(),
            name: id.to_string(),
            reasoning: false,
            input: vec!["text"],
            context_window: 128_000,
            max_tokens: 8_192,
        },
    }
}
