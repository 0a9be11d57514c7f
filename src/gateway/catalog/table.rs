//! The provider table: one row per provider, in the upstream template's generation
//! order (which fixes the order of entries, match rules and registries in the files).
//! Adding a provider is adding a row here, plus an [`EndpointRule`] when its host is
//! not fixed.

use super::{AltKey, EndpointRule, KeyRule, ProviderSpec, Setting, SettingKind};

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
            &["qwen3.5-plus", "qwen3-max", "qwen-plus", "qwen3-coder-plus"],
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
                "kimi-k2.5",
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
            &["MiniMax-M2.5", "MiniMax-M2", "abab6.5s-chat"],
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
            &["gpt-5.4", "gpt-5.4-mini", "gpt-4o"],
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
        &["gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-4.1"],
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
            &["claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5"],
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
